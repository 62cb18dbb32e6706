"""`--org scp plan`: who the SCP would deny, account by account (pure)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from mfa_tui.core.org_models import OrgInventory
from mfa_tui.core.scp_plan import Scope, Tone

#: Names listed per account before "… and N more".
_NAMES_SHOWN = 20

_HEADER: dict[Scope, str] = {
    "console": "Who the SCP would deny (console users without MFA, until they enroll):",
    "all": "Who the SCP would deny (console users without MFA, until they enroll; and, with "
           "--scope all, IAM users with active access keys: their keys' calls are denied "
           "unless signed with an MFA session from sts:GetSessionToken):",
}


def _named(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = f" … and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
    return f"{len(names)} — {shown}{more}"


def denied_lines(org: OrgInventory, covered: Collection[str],
                 scope: Scope = "console") -> list[tuple[Tone, str]]:
    """Per member account under the target: the console users without MFA the SCP would deny
    until they enroll and, with ``scope`` ``all``, the IAM users with active access keys
    (as each account's credential report counts them) whose keys it would cut off. The
    management account is never restricted by an SCP."""
    out: list[tuple[Tone, str]] = [("header", _HEADER[scope])]
    total = keys_total = 0
    for result in org.accounts:
        label = f"{result.account.name} ({result.account.id})"
        if result.account.id == org.management_account:
            out.append(("context", f"  {label}: the management account; SCPs never apply "
                        "to it"))
            continue
        if result.account.id not in covered:
            out.append(("context", f"  {label}: not under the target"))
            continue
        if result.inventory is None:
            out.append(("warn", f"  {label}: could not be read: {result.error}"))
            continue
        users = result.inventory.users
        denied = sorted(u.user for u in users if u.console_access and not u.mfa_active)
        keyed = sorted(u.user for u in users if u.access_keys_active) if scope == "all" else []
        total += len(denied)
        keys_total += len(keyed)
        if not denied and not keyed:
            out.append(("ok", f"  {label}: nobody"))
            continue
        if scope == "console":
            out.append(("warn", f"  {label}: {_named(denied)}"))
            continue
        out.append(("warn", f"  {label}:"))
        out.append(("warn" if denied else "ok",
                    f"    console users without MFA: {_named(denied) if denied else 'none'}"))
        out.append(("bad" if keyed else "ok",
                    f"    users with active access keys: {_named(keyed) if keyed else 'none'}"))
    unread = sum(1 for r in org.accounts if r.inventory is None
                 and r.account.id in covered and r.account.id != org.management_account)
    summary = f"{total} console users would be denied"
    if scope == "all":
        summary += (f"; {keys_total} IAM users with active access keys would have their "
                    "keys cut off")
    out.append(("bad" if total or keys_total else "ok",
                summary + (f"; {unread} accounts could not be read" if unread else "") + "."))
    return out
