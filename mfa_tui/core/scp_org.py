"""`--org scp plan`: who the SCP would deny, account by account (pure)."""

from __future__ import annotations

from collections.abc import Collection

from mfa_tui.core.org_models import OrgInventory
from mfa_tui.core.scp_plan import Tone

#: Names listed per account before "… and N more".
_NAMES_SHOWN = 20


def denied_lines(org: OrgInventory, covered: Collection[str]) -> list[tuple[Tone, str]]:
    """Per member account under the target: the console users without MFA the SCP would deny
    until they enroll (the management account is never restricted by an SCP)."""
    out: list[tuple[Tone, str]] = [
        ("header", "Who the SCP would deny (console users without MFA, until they enroll):")]
    total = 0
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
        denied = sorted(u.user for u in result.inventory.users
                        if u.console_access and not u.mfa_active)
        total += len(denied)
        if not denied:
            out.append(("ok", f"  {label}: nobody"))
            continue
        names = ", ".join(denied[:_NAMES_SHOWN])
        more = f" … and {len(denied) - _NAMES_SHOWN} more" if len(denied) > _NAMES_SHOWN else ""
        out.append(("warn", f"  {label}: {len(denied)} — {names}{more}"))
    unread = sum(1 for r in org.accounts if r.inventory is None
                 and r.account.id in covered and r.account.id != org.management_account)
    out.append(("bad" if total else "ok",
                f"{total} console users would be denied"
                + (f"; {unread} accounts could not be read" if unread else "") + "."))
    return out
