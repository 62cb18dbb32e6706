"""Organizations: read the SCP state and apply the plan (botocore only, idempotent)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.errors import NotInOrganization
from mfa_tui.core.scp_plan import SCP_DESCRIPTION, AttachedScp, OrgState, ScpPlan

SCP = "SERVICE_CONTROL_POLICY"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _target_name(org: Any, target: str, root_id: str) -> str:
    if target == root_id:
        return "the organization root"
    if target.startswith("ou-"):
        unit = org.describe_organizational_unit(OrganizationalUnitId=target)
        return f"OU {unit['OrganizationalUnit']['Name']}"
    if target.isdigit():
        return f"account {org.describe_account(AccountId=target)['Account']['Name']}"
    raise ValueError(f"{target!r} is not a root (r-…), an OU (ou-…) or an account id.")


def read_org_state(conn: AwsConnection, *, target: str | None, policy_name: str) -> OrgState:
    """The organization, its root, the target, and the existing policy of that name."""
    org = conn.client("organizations")
    try:
        desc = org.describe_organization()["Organization"]
    except ClientError as exc:
        if _code(exc) == "AWSOrganizationsNotInUseException":
            raise NotInOrganization() from exc
        raise
    roots = [r for page in org.get_paginator("list_roots").paginate() for r in page["Roots"]]
    root = roots[0]
    enabled = any(t["Type"] == SCP and t["Status"] == "ENABLED"
                  for t in root.get("PolicyTypes", []))
    target_id = target or root["Id"]
    types = tuple(sorted(t["Type"] for t in root.get("PolicyTypes", [])
                         if t.get("Status") == "ENABLED"))
    policy_id, content, attached, description = None, None, False, None
    for page in org.get_paginator("list_policies").paginate(Filter=SCP):
        for p in page["Policies"]:
            if p["Name"] == policy_name and not p.get("AwsManaged"):
                policy_id, description = p["Id"], str(p.get("Description", ""))
    if policy_id:
        raw = org.describe_policy(PolicyId=policy_id)["Policy"]["Content"]
        content = json.loads(raw)
        for page in org.get_paginator("list_targets_for_policy").paginate(PolicyId=policy_id):
            attached = attached or any(t["TargetId"] == target_id for t in page["Targets"])
    in_place = tuple(p for p in read_scps_in_place(org, target_id, root["Id"])
                     if p.policy_id != policy_id)
    return OrgState(
        organization_id=desc["Id"],
        management_account=desc["MasterAccountId"],
        caller_account=conn.caller().account,
        root_id=root["Id"],
        scp_enabled=enabled,
        all_features=desc.get("FeatureSet", "ALL") == "ALL",
        target_id=target_id,
        target_name=_target_name(org, target_id, root["Id"]),
        policy_id=policy_id,
        policy_content=content,
        attached_to_target=attached,
        enabled_policy_types=types,
        policy_description=description,
        in_place=in_place,
    )


def _chain(org: Any, target: str, root_id: str) -> list[str]:
    """The target, then each parent up to the root (ListParents)."""
    chain = [target]
    while chain[-1] != root_id and len(chain) < 8:  # OUs nest at most 5 deep
        parents = org.list_parents(ChildId=chain[-1])["Parents"]
        if not parents:
            break
        chain.append(parents[0]["Id"])
    return chain


def read_scps_in_place(org: Any, target: str, root_id: str) -> list[AttachedScp]:
    """Every SCP attached to the target and above it, with its document."""
    found: list[AttachedScp] = []
    for where in _chain(org, target, root_id):
        pages = org.get_paginator("list_policies_for_target").paginate(TargetId=where,
                                                                       Filter=SCP)
        for page in pages:
            for p in page["Policies"]:
                raw = org.describe_policy(PolicyId=p["Id"])["Policy"]["Content"]
                try:
                    content = json.loads(raw)
                except ValueError:
                    content = None
                found.append(AttachedScp(p["Id"], p["Name"], where,
                                         content if isinstance(content, dict) else None,
                                         bool(p.get("AwsManaged"))))
    return found


def apply_scp_plan(conn: AwsConnection, plan: ScpPlan,
                   report: Callable[[str], None] = lambda _: None) -> str:
    """Make the plan's changes in order; returns the policy id. Safe to run again."""
    org = conn.client("organizations")
    s = plan.state
    if plan.detach is not None:
        try:
            org.detach_policy(PolicyId=plan.detach.policy_id, TargetId=plan.detach.where)
        except ClientError as exc:
            if _code(exc) != "PolicyNotAttachedException":
                raise
        report(f"detached {plan.detach.name} from {plan.detach.where}")
        return plan.detach.policy_id
    content = json.dumps(plan.template, separators=(",", ":"))
    if plan.enable_scp:
        try:
            org.enable_policy_type(RootId=s.root_id, PolicyType=SCP)
        except ClientError as exc:
            if _code(exc) != "PolicyTypeAlreadyEnabledException":
                raise
        report(f"enabled SCPs on {s.root_id}")
    policy_id = s.policy_id
    if policy_id is None:
        created = org.create_policy(
            Content=content, Name=plan.policy_name, Type=SCP,
            Description=SCP_DESCRIPTION,
        )
        policy_id = created["Policy"]["PolicySummary"]["Id"]
        report(f"created {plan.policy_name} ({policy_id})")
    elif plan.update_policy:
        org.update_policy(PolicyId=policy_id, Content=content)
        report(f"updated {plan.policy_name} ({policy_id})")
    if plan.attach:
        try:
            org.attach_policy(PolicyId=policy_id, TargetId=s.target_id)
        except ClientError as exc:
            if _code(exc) != "DuplicatePolicyAttachmentException":
                raise
        report(f"attached {plan.policy_name} to {s.target_id}")
    return policy_id
