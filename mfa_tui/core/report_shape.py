"""The report's machine-readable shapes (`report --format json`, `--format csv`), pure."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from mfa_tui.core.models import Inventory, RootUser, UserRecord


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def user_json(u: UserRecord) -> dict[str, Any]:
    """One user in the JSON report's shape."""
    return {
        "user": u.user,
        "arn": u.arn,
        "console_access": u.console_access,  # null: unknown (not in the credential report)
        "mfa_active": u.mfa_active,
        "mfa_devices": [{"serial": d.serial, "type": d.type} for d in u.mfa_devices],
        # False when MFA is known from the credential report only (a hardware/FIDO device
        # not listed): `report --exact` or `check USER` lists it.
        "mfa_devices_complete": u.devices_complete,
        "enforcement_attached": u.enforcement_attached,
        "password_last_used": _iso(u.password_last_used),
        "access_keys_active": u.access_keys_active,
        "compliant": u.compliant,
    }


def root_json(root: RootUser | None) -> dict[str, Any]:
    """The root user: ``mfa_active`` true/false (null: could not be read), and whether it has
    credentials at all (false: removed, as with centralised root access; null: unknown)."""
    root = root or RootUser()
    return {"mfa_active": root.mfa_active, "has_credentials": root.has_credentials,
            "source": root.source or None}


def inventory_json(inv: Inventory, *, non_compliant_only: bool = False) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    users = [u for u in inv.users if not (non_compliant_only and u.compliant)]
    return {
        "account": inv.account,
        "generated_at": _iso(inv.generated_at),
        "sources": {
            "credential_report_generated_at": _iso(inv.sources.credential_report_generated_at),
            "virtual_mfa_listed_at": _iso(inv.sources.virtual_mfa_listed_at),
        },
        "root": root_json(inv.root),
        "users": [user_json(u) for u in users],
    }


CSV_FIELDS = (
    "user", "arn", "console_access", "mfa_active", "mfa_devices", "enforcement_attached",
    "password_last_used", "access_keys_active", "compliant",
)


def inventory_csv(inv: Inventory, *, non_compliant_only: bool = False) -> str:
    """The report as CSV, one row a user; devices joined by spaces as ``type:serial``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for u in inv.users:
        if non_compliant_only and u.compliant:
            continue
        writer.writerow(csv_cells(u))
    return out.getvalue()


def csv_cells(u: UserRecord) -> list[Any]:
    """One user's CSV cells (CSV_FIELDS); devices joined by spaces as ``type:serial``."""
    row = user_json(u)
    row["mfa_devices"] = " ".join(f"{d['type']}:{d['serial']}" for d in row["mfa_devices"])
    return ["" if row[k] is None else str(row[k]).lower()
            if isinstance(row[k], bool) else row[k] for k in CSV_FIELDS]
