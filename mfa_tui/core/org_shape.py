"""Organization mode's report shapes (DESIGN.md, "Organization mode"), pure."""

from __future__ import annotations

import csv
import io
from typing import Any

from mfa_tui.core.org_models import AccountResult, OrgInventory
from mfa_tui.core.report_shape import CSV_FIELDS, csv_cells, user_json


def account_json(result: AccountResult, *, non_compliant_only: bool = False) -> dict[str, Any]:
    """One account: its status, the sentence if it could not be read, root MFA, its users."""
    inv = result.inventory
    users = [] if inv is None else [
        user_json(u) for u in inv.users if not (non_compliant_only and u.compliant)]
    return {
        "account": result.account.id,
        "name": result.account.name,
        "status": result.status,
        "error": result.error,
        "root": {"mfa_active": result.root_mfa_active},
        "users": users,
    }


def org_json(org: OrgInventory, *, non_compliant_only: bool = False) -> dict[str, Any]:
    """The whole organization as a JSON-ready dict."""
    return {
        "organization": org.organization,
        "generated_at": org.generated_at.isoformat(),
        "accounts": [account_json(a, non_compliant_only=non_compliant_only)
                     for a in org.accounts],
    }


ORG_CSV_FIELDS = ("account", *CSV_FIELDS)


def org_csv(org: OrgInventory, *, non_compliant_only: bool = False) -> str:
    """The single-account CSV columns with ``account`` first, one row a user of every
    account that was read (an account that could not be read has no rows: see stderr)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORG_CSV_FIELDS)
    for result in org.accounts:
        if result.inventory is None:
            continue
        for u in result.inventory.users:
            if non_compliant_only and u.compliant:
                continue
            writer.writerow([result.account.id, *csv_cells(u)])
    return out.getvalue()
