"""The last inventory on disk (state dir, mode 0600), so the table paints before AWS answers.

Keyed by the connection (profile / endpoint), never by anything secret; it holds no secrets.
A cached table is always shown as cached, with its age, until the fresh read replaces it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from mfa_tui.core.inventory_codec import inventory_from_dict, inventory_to_dict
from mfa_tui.core.models import Inventory
from mfa_tui.state.paths import state_dir

log = logging.getLogger(__name__)


def cache_path(connection_key: str) -> Path:
    """Where the inventory of this connection is cached."""
    digest = hashlib.sha256(connection_key.encode()).hexdigest()[:16]
    return state_dir() / "cache" / f"inventory-{digest}.json"


def load_cached(connection_key: str) -> Inventory | None:
    """The cached inventory, or None (missing, damaged or of an older format)."""
    path = cache_path(connection_key)
    try:
        return inventory_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def save_cached(connection_key: str, inventory: Inventory) -> None:
    """Write atomically with owner-only permissions; failure only logs (a cache is optional)."""
    path = cache_path(connection_key)
    tmp = path.with_suffix(".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(inventory_to_dict(inventory), out, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write the inventory cache %s: %s", path, exc)
