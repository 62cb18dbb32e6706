"""Inventory ⇄ plain dict, for the local cache that paints the table before AWS answers, and
the report snapshot the prefetch helper sends (pure).

Holds no secrets: names, ARNs, device serials, flags and dates only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mfa_tui.core.inventory_merge import Attachments
from mfa_tui.core.models import (
    DEFAULT_POLICY_NAME,
    Caller,
    Inventory,
    MfaDevice,
    RootUser,
    Sources,
    UserRecord,
)
from mfa_tui.core.report_snapshot import ReportSnapshot

FORMAT = 3


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def inventory_to_dict(inv: Inventory) -> dict[str, Any]:
    """A JSON-ready dict of the whole inventory."""
    return {
        "format": FORMAT,
        "account": inv.account,
        "alias": inv.alias,
        "caller": {"account": inv.caller.account, "arn": inv.caller.arn},
        "generated_at": _iso(inv.generated_at),
        "policy_name": inv.policy_name,
        "problems": list(inv.problems),
        "root": None if inv.root is None else [
            inv.root.mfa_active, inv.root.has_credentials, inv.root.source],
        "sources": {
            "credential_report_generated_at": _iso(inv.sources.credential_report_generated_at),
            "virtual_mfa_listed_at": _iso(inv.sources.virtual_mfa_listed_at),
            "users_listed_at": _iso(inv.sources.users_listed_at),
        },
        "users": [
            [u.user, u.arn, u.console_access, u.mfa_active,
             [[d.serial, d.type, _iso(d.enable_date)] for d in u.mfa_devices],
             u.enforced_via, _iso(u.password_last_used), u.access_keys_active,
             _iso(u.access_key_last_used), u.devices_complete, _iso(u.created), u.stale]
            for u in inv.users
        ],
    }


def inventory_from_dict(data: dict[str, Any]) -> Inventory | None:
    """The inventory back, or None when the data is of another format or damaged."""
    try:
        if data.get("format") != FORMAT:
            return None
        users = []
        for (name, arn, console, mfa, devices, via, last, keys, key_last, complete, created,
             stale) in data["users"]:
            users.append(UserRecord(
                user=name, arn=arn, console_access=console, mfa_active=mfa,
                mfa_devices=tuple(MfaDevice(s, t, _dt(e)) for s, t, e in devices),
                enforcement_attached=via is not None, enforced_via=via,
                password_last_used=_dt(last), access_keys_active=keys,
                access_key_last_used=_dt(key_last), devices_complete=complete,
                created=_dt(created), stale=stale,
            ))
        root = data.get("root")  # absent in caches written before it was read
        src = data["sources"]
        generated = _dt(data["generated_at"])
        if generated is None:
            return None
        return Inventory(
            account=data["account"],
            caller=Caller(account=data["caller"]["account"], arn=data["caller"]["arn"]),
            generated_at=generated,
            sources=Sources(
                credential_report_generated_at=_dt(src["credential_report_generated_at"]),
                virtual_mfa_listed_at=_dt(src["virtual_mfa_listed_at"]),
                users_listed_at=_dt(src["users_listed_at"]),
            ),
            users=tuple(users),
            alias=data.get("alias"),
            policy_name=data.get("policy_name", DEFAULT_POLICY_NAME),
            problems=tuple(str(p) for p in data.get("problems", ())),
            root=None if root is None else RootUser(root[0], root[1], str(root[2])),
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def snapshot_to_dict(snapshot: ReportSnapshot, *, content: bool = True) -> dict[str, Any]:
    """A JSON-ready dict of the report snapshot: the CSV text as it came, unless ``content``
    is False (it went ahead on its own: :func:`snapshot_from_dict` is then given it)."""
    return {
        **({"content": snapshot.content} if content else {}),
        "generated_at": _iso(snapshot.generated_at),
        "caller": {"account": snapshot.caller.account, "arn": snapshot.caller.arn},
        "alias": snapshot.alias,
        "attached_users": sorted(snapshot.attachments.users),
        "attached_groups": {name: sorted(members)
                            for name, members in snapshot.attachments.groups.items()},
        "policy_name": snapshot.policy_name,
        "problems": list(snapshot.problems),
    }


def snapshot_from_dict(data: dict[str, Any], content: str | None = None) -> ReportSnapshot | None:
    """The snapshot back (its CSV from ``data``, else ``content``), or None when the data is
    damaged or has no CSV."""
    text = data.get("content", content)
    if text is None:
        return None
    try:
        return ReportSnapshot(
            content=str(text),
            generated_at=_dt(data.get("generated_at")),
            caller=Caller(account=data["caller"]["account"], arn=data["caller"]["arn"]),
            alias=data.get("alias"),
            attachments=Attachments(
                users=frozenset(data.get("attached_users", ())),
                groups={name: frozenset(members)
                        for name, members in dict(data.get("attached_groups", {})).items()}),
            policy_name=data.get("policy_name", DEFAULT_POLICY_NAME),
            problems=tuple(str(p) for p in data.get("problems", ())),
        )
    except (KeyError, TypeError, ValueError):
        return None
