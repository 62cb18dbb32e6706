"""Organization mode's AWS calls: the organization, its accounts, a role session into each.

botocore public API only. Member credentials are botocore ``RefreshableCredentials`` held in
memory: they renew themselves by assuming the role again from the caller's credentials (which
are the MFA session when the profile has one, so no second code is asked for).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ClientError

from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.errors import OrgModeUnavailable
from mfa_tui.core.mfa_code import role_session_name
from mfa_tui.core.models import Caller
from mfa_tui.core.org_models import OrgAccount, Organization

_NOT_IN_USE = "AWSOrganizationsNotInUseException"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def read_organization(conn: AwsConnection) -> Organization:
    """The caller's organization and its ACTIVE accounts (``ListAccounts``, paged)."""
    org = conn.client("organizations")
    caller = conn.caller()
    try:
        desc = org.describe_organization()["Organization"]
        accounts = [
            OrgAccount(id=a["Id"], name=a.get("Name", ""), email=a.get("Email", ""))
            for page in org.get_paginator("list_accounts").paginate()
            for a in page.get("Accounts", [])
            if a.get("Status", "ACTIVE") == "ACTIVE"
        ]
    except ClientError as exc:
        if _code(exc) == _NOT_IN_USE:
            raise OrgModeUnavailable(
                f"Account {caller.account} is not in an AWS Organization: --org reads the "
                "accounts of an organization. Run without --org to read this account."
            ) from exc
        if _code(exc) in {"AccessDenied", "AccessDeniedException"}:
            raise OrgModeUnavailable(
                f"{caller.arn} may not list the organization's accounts "
                "(organizations:ListAccounts was denied): --org needs the management account "
                "or a delegated administrator."
            ) from exc
        raise
    accounts.sort(key=lambda a: (a.id != caller.account, a.name.lower(), a.id))
    return Organization(id=desc["Id"], management_account=desc.get("MasterAccountId", ""),
                        caller_account=caller.account, accounts=tuple(accounts))


def session_name(caller: Caller) -> str:
    """``mfa-tui-<caller>``: the IAM user's name, or the caller's own role session name."""
    return role_session_name(caller.arn.rsplit("/", 1)[-1] if "/" in caller.arn else "")


def _partition(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"


def role_arn(caller: Caller, account: str, role: str) -> str:
    """The role to assume in ``account`` (same partition as the caller)."""
    return f"arn:{_partition(caller.arn)}:iam::{account}:role/{role}"


class _RoleSession:
    """Assumes one role in one account, again each time botocore asks for a renewal."""

    def __init__(self, sts: Any, arn: str, name: str) -> None:
        self._sts, self.arn, self.name = sts, arn, name
        self.assumed: dict[str, str] = {}

    def __call__(self) -> dict[str, str]:
        got = self._sts.assume_role(RoleArn=self.arn, RoleSessionName=self.name)
        creds = got["Credentials"]
        expiry = creds["Expiration"]
        self.assumed = dict(got.get("AssumedRoleUser", {}))
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry),
        }


def assume_into(conn: AwsConnection, account: str, role: str) -> AwsConnection:
    """A connection to ``account`` through ``role``, assumed from ``conn``'s credentials.

    The first AssumeRole happens here (a refusal raises its ClientError); later ones renew
    the session before it expires. Nothing is written anywhere.
    """
    caller = conn.caller()
    session = _RoleSession(conn.client("sts"), role_arn(caller, account, role),
                           session_name(caller))
    credentials = RefreshableCredentials.create_from_metadata(
        metadata=session(), refresh_using=session, method="assume-role")
    member = Caller(account=account,
                    arn=session.assumed.get(
                        "Arn", f"arn:aws:sts::{account}:assumed-role/{role}/{session.name}"),
                    user_id=session.assumed.get("AssumedRoleId", ""))
    options = ConnectionOptions(region=conn.region, endpoint_url=conn.endpoint_url,
                                label=f"{account} via {role}")
    return AwsConnection(options, credentials=credentials, caller=member, share_from=conn,
                         max_pool_connections=8)


def accounts_under(conn: AwsConnection, target: str) -> set[str]:
    """The ids of the accounts an SCP attached to ``target`` (root, OU or account) covers."""
    if target.isdigit():
        return {target}
    org = conn.client("organizations")
    found: set[str] = set()
    todo = [target]
    while todo:
        parent = todo.pop()
        for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
            found.update(a["Id"] for a in page.get("Accounts", []))
        for page in org.get_paginator("list_organizational_units_for_parent").paginate(
                ParentId=parent):
            todo.extend(u["Id"] for u in page.get("OrganizationalUnits", []))
    return found
