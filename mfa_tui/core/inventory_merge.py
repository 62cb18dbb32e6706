"""Combine the inventory sources into one record per user (pure).

Sources, and how fresh each is:
- the credential report: console access and MFA for every user, but up to 4 hours old;
- ``ListVirtualMFADevices`` (assigned): fresh, virtual devices only;
- ``ListUsers``: fresh, tells users created or deleted since the report;
- live per-user lookups, done only for the few users the first three cannot settle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .compliance import device_type_from_serial
from .credential_report import ReportRow
from .models import MfaDevice, UserRecord


@dataclass(frozen=True)
class ListedUser:
    """A user as ``ListUsers`` returns it."""

    name: str
    arn: str
    created: datetime | None = None
    password_last_used: datetime | None = None


@dataclass(frozen=True)
class LiveUser:
    """What a live lookup of one user found (``GetLoginProfile`` + ``ListMFADevices``)."""

    console_access: bool | None
    devices: tuple[MfaDevice, ...] = ()


@dataclass(frozen=True)
class Attachments:
    """Where the enforcement policy is attached: users directly, and groups with members."""

    users: frozenset[str] = frozenset()
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def via(self, user: str) -> str | None:
        """"user" when attached directly, else the first group that carries it, else None."""
        if user in self.users:
            return "user"
        for group in sorted(self.groups):
            if user in self.groups[group]:
                return group
        return None


def users_needing_live_lookup(
    report: Iterable[ReportRow],
    listed: Iterable[ListedUser],
    virtual_by_user: Mapping[str, Iterable[MfaDevice]],
    *,
    exact: bool = False,
) -> list[str]:
    """Users the bulk sources cannot settle, in name order.

    A user missing from the report is newer than it: always looked up. A user the report
    says has MFA but who holds no assigned virtual device has a hardware/FIDO device (which
    only ``ListMFADevices`` names) or lost a virtual one since the report: looked up only when
    ``exact`` (one call a user), otherwise the report is trusted and the record says so.
    """
    by_name = {row.user: row for row in report}
    out = []
    for user in listed:
        row = by_name.get(user.name)
        if row is None or (
            exact and row.mfa_active and not list(virtual_by_user.get(user.name, ()))
        ):
            out.append(user.name)
    return sorted(out)


def merge_users(
    report: Iterable[ReportRow],
    listed: Iterable[ListedUser],
    virtual_by_user: Mapping[str, Iterable[MfaDevice]],
    live: Mapping[str, LiveUser],
    attachments: Attachments,
) -> tuple[UserRecord, ...]:
    """One record per user that exists now (per ``ListUsers``), sorted by name."""
    by_name = {row.user: row for row in report}
    records = []
    for user in sorted(listed, key=lambda u: u.name):
        row = by_name.get(user.name)
        virtual = tuple(virtual_by_user.get(user.name, ()))
        found = live.get(user.name)
        # MFA rests on the report alone: a non-virtual device we have not listed.
        report_only_mfa = bool(row and row.mfa_active and not virtual)
        if found is not None:
            devices, console, complete = found.devices, found.console_access, True
            mfa = bool(devices)
        else:
            devices, complete = virtual, not report_only_mfa
            console = row.password_enabled if row else None
            mfa = bool(virtual) or report_only_mfa
        via = attachments.via(user.name)
        records.append(
            UserRecord(
                user=user.name,
                arn=user.arn,
                console_access=console,
                mfa_active=mfa,
                mfa_devices=tuple(sorted(devices, key=lambda d: d.serial)),
                enforcement_attached=via is not None,
                enforced_via=via,
                password_last_used=user.password_last_used
                or (row.password_last_used if row else None),
                access_keys_active=row.access_keys_active if row else 0,
                access_key_last_used=row.access_key_last_used if row else None,
                created=user.created or (row.created if row else None),
                devices_complete=complete,
                stale=row is None and found is None,
            )
        )
    return tuple(records)


def device(serial: str, enable_date: datetime | None = None) -> MfaDevice:
    """An MfaDevice with its type read from the serial."""
    return MfaDevice(serial=serial, type=device_type_from_serial(serial), enable_date=enable_date)
