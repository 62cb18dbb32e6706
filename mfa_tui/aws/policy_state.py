"""Read the managed policy's and the enforcement group's state (botocore → core models)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from mfa_tui.core.plan_models import GroupState, PolicyState, PolicyVersion
from mfa_tui.core.undo_plan import UndoState


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError ("" for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def decode_document(document: Any) -> dict[str, Any]:
    """A policy version's document as a dict.

    IAM returns it URL-encoded (RFC 3986) inside the XML. botocore decodes it to a dict for
    GetPolicyVersion/ListPolicyVersions; other paths (or an older botocore) hand back the
    string, encoded or not: accept all three.
    """
    if isinstance(document, dict):
        return document
    text = str(document)
    if not text.lstrip().startswith("{"):
        text = unquote(text)
    decoded = json.loads(text)
    if not isinstance(decoded, dict):
        raise ValueError("the policy document is not a JSON object")
    return decoded


def read_policy_state(iam: Any, arn: str) -> PolicyState:
    """GetPolicy, ListPolicyVersions, GetPolicyVersion of the default; absent → exists=False."""
    try:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return PolicyState(arn=arn, exists=False)
        raise
    versions: list[PolicyVersion] = []
    for page in iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn):
        for v in page.get("Versions", []):
            versions.append(PolicyVersion(v["VersionId"], bool(v.get("IsDefaultVersion")),
                                          v.get("CreateDate")))
    default = policy.get("DefaultVersionId") or next(
        (v.version_id for v in versions if v.is_default), None)
    document = None
    if default:
        got = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]
        document = decode_document(got["Document"])
    tags = tuple(sorted((str(t["Key"]), str(t.get("Value", ""))) for t in policy.get("Tags", [])))
    return PolicyState(arn=arn, exists=True, default_version=default, default_document=document,
                       versions=tuple(sorted(versions, key=lambda v: v.number)),
                       description=str(policy.get("Description", "")), tags=tags)


def group_members(iam: Any, name: str) -> frozenset[str] | None:
    """The group's users (GetGroup, paged); None when there is no such group."""
    found = _group_users_and_path(iam, name)
    return None if found is None else found[0]


def _group_users_and_path(iam: Any, name: str) -> tuple[frozenset[str], str] | None:
    members: set[str] = set()
    path = "/"
    try:
        for page in iam.get_paginator("get_group").paginate(GroupName=name):
            members.update(u["UserName"] for u in page.get("Users", []))
            path = str(page.get("Group", {}).get("Path", path))
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise
    return frozenset(members), path


def group_has_policy(iam: Any, name: str, arn: str) -> bool:
    """Is the policy attached to the group (ListAttachedGroupPolicies)?"""
    try:
        for page in iam.get_paginator("list_attached_group_policies").paginate(GroupName=name):
            if any(p["PolicyArn"] == arn for p in page.get("AttachedPolicies", [])):
                return True
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False
        raise
    return False


def read_group_state(iam: Any, name: str, policy_arn: str) -> GroupState:
    """The --via-group group: does it exist, does it carry the policy, who is in it."""
    found = _group_users_and_path(iam, name)
    if found is None:
        return GroupState(name=name, exists=False)
    members, path = found
    return GroupState(name=name, exists=True, has_policy=group_has_policy(iam, name, policy_arn),
                      members=members, path=path)


def policy_entities(iam: Any, arn: str) -> tuple[frozenset[str], frozenset[str], int] | None:
    """(users, groups, roles count) the policy is attached to; None when it does not exist."""
    users: set[str] = set()
    groups: set[str] = set()
    roles = 0
    try:
        for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn):
            users.update(u["UserName"] for u in page.get("PolicyUsers", []))
            groups.update(g["GroupName"] for g in page.get("PolicyGroups", []))
            roles += len(page.get("PolicyRoles", []))
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise
    return frozenset(users), frozenset(groups), roles


def read_undo_state(iam: Any, policy_arn: str, group: str | None) -> UndoState:
    """What undo needs: direct attachments, and the run's group if it used one."""
    entities = policy_entities(iam, policy_arn)
    users = entities[0] if entities is not None else frozenset()
    group_state = read_group_state(iam, group, policy_arn) if group else None
    default = None
    if entities is not None:
        default = iam.get_policy(PolicyArn=policy_arn)["Policy"].get("DefaultVersionId")
    return UndoState(attached_users=users, policy_exists=entities is not None,
                     group=group_state, default_version=default)


def version_document(iam: Any, arn: str, version: str) -> dict[str, Any] | None:
    """One version's document (None when that version is gone)."""
    try:
        got = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise
    return decode_document(got["Document"])


def user_groups_with_policy(iam: Any, user: str, arn: str) -> tuple[bool, frozenset[str]]:
    """(attached to the user directly, the user's groups that carry the policy); nothing
    for a user this account does not have."""
    try:
        pages = iam.get_paginator("list_attached_user_policies").paginate(UserName=user)
        direct = any(p["PolicyArn"] == arn for page in pages for p in page["AttachedPolicies"])
        groups = [g["GroupName"] for page in
                  iam.get_paginator("list_groups_for_user").paginate(UserName=user)
                  for g in page["Groups"]]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False, frozenset()
        raise
    return direct, frozenset(g for g in groups if group_has_policy(iam, g, arn))
