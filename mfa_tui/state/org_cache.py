"""The organization's last account list on disk (the accounts screen paints it at once).

Each account's last inventory is cached by inventory_cache.py under the account's own key;
this file holds only the organization's id and its accounts' ids and names (nothing secret).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from mfa_tui.core.org_models import OrgAccount, Organization
from mfa_tui.state.paths import state_dir

log = logging.getLogger(__name__)


def org_cache_path(connection_key: str) -> Path:
    """Where the account list of this connection's organization is cached."""
    digest = hashlib.sha256(connection_key.encode()).hexdigest()[:16]
    return state_dir() / "cache" / f"organization-{digest}.json"


def load_org(connection_key: str) -> Organization | None:
    """The cached organization, or None (missing or damaged)."""
    try:
        data = json.loads(org_cache_path(connection_key).read_text(encoding="utf-8"))
        return Organization(
            id=str(data["id"]), management_account=str(data["management_account"]),
            caller_account=str(data["caller_account"]),
            accounts=tuple(OrgAccount(str(a["id"]), str(a["name"]), str(a.get("email", "")))
                           for a in data["accounts"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_org(connection_key: str, org: Organization) -> None:
    """Write atomically, owner-only; a failure only logs (a cache is optional)."""
    path = org_cache_path(connection_key)
    tmp = path.with_suffix(".tmp")
    data = {"id": org.id, "management_account": org.management_account,
            "caller_account": org.caller_account,
            "accounts": [{"id": a.id, "name": a.name, "email": a.email} for a in org.accounts]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write the organization cache %s: %s", path, exc)
