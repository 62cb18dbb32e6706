"""Combine the inventory sources into one record per user (pure).

Sources, and how fresh each is:
- the credential report: console access and MFA for every user, but up to 4 hours old;
- ``ListVirtualMFADevices`` (assigned): fresh, virtual devices only;
- ``ListUsers``: fresh, tells users created or deleted since the report;
- live per-user lookups, done only for the few users the first three cannot settle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property

from mfa_tui.core.compliance import device_type_from_serial
from mfa_tui.core.credential_report import ReportRow
from mfa_tui.core.models import Inventory, MfaDevice, UserRecord, built
from mfa_tui.core.user_detail import UserDetail


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
        for group in self._group_order:
            if user in self.groups[group]:
                return group
        return None

    @cached_property
    def _group_order(self) -> list[str]:
        return sorted(self.groups)  # once, not for each of 5,000 users


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row_for(user: ListedUser, by_name: Mapping[str, ReportRow]) -> ReportRow | None:
    """The user's report row, unless it describes an earlier user of the same name.

    A user deleted and created again since the report keeps the name but not the creation
    time; the old row (perhaps "MFA: true") must not speak for the new user. The report
    has whole seconds, ``ListUsers`` may have fractions: allow a little slack.
    """
    row = by_name.get(user.name)
    if row is None or row.created is None or user.created is None:
        return row
    if abs((_utc(row.created) - _utc(user.created)).total_seconds()) >= 2:
        return None
    return row


def matched_rows(report: Iterable[ReportRow],
                 listed: Iterable[ListedUser]) -> dict[str, ReportRow]:
    """Each listed user's report row, for users the report really describes (see _row_for)."""
    by_name = {row.user: row for row in report}
    out = {}
    for user in listed:
        row = _row_for(user, by_name)
        if row is not None:
            out[user.name] = row
    return out


def users_needing_live_lookup(
    report: Iterable[ReportRow],
    listed: Iterable[ListedUser],
    virtual_by_user: Mapping[str, Iterable[MfaDevice]],
    *,
    exact: bool = False,
    matched: Mapping[str, ReportRow] | None = None,
) -> list[str]:
    """Users the bulk sources cannot settle, in name order.

    A user missing from the report is newer than it (or was re-created since under the same
    name): always looked up. A user the report
    says has MFA but who holds no assigned virtual device has a hardware/FIDO device (which
    only ``ListMFADevices`` names) or lost a virtual one since the report: looked up only when
    ``exact`` (one call a user), otherwise the report is trusted and the record says so.
    ``matched``: what ``matched_rows(report, listed)`` gave, when the caller has it already.
    """
    rows = matched if matched is not None else matched_rows(report, listed)
    out = []
    for user in listed:
        row = rows.get(user.name)
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
    *,
    report_is_old: bool = False,
    matched: Mapping[str, ReportRow] | None = None,
) -> tuple[UserRecord, ...]:
    """One record per user that exists now (per ``ListUsers``), sorted by name.

    ``report_is_old``: the credential report is older than the fresh sources by more than
    AWS's 4-hour regeneration window; users whose verdict rests on it (no fresh virtual
    device, not looked up live) are marked stale. ``matched``: as for
    ``users_needing_live_lookup``.
    """
    rows = matched if matched is not None else matched_rows(report, listed)
    records = []
    for user in sorted(listed, key=lambda u: u.name):
        row = rows.get(user.name)
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
                stale=found is None and (row is None or (report_is_old and not virtual)),
            )
        )
    return tuple(records)


def report_users(
    report: Iterable[ReportRow], attachments: Attachments, *, report_is_old: bool
) -> tuple[UserRecord, ...]:
    """One record per credential-report row: the table to paint before the fresh lists arrive.

    Console access and MFA are the report's; device types are unknown (``devices_complete`` is
    False for users with MFA); users created or deleted since the report are not known yet.
    The same records ``merge_users`` would give with ``ListUsers`` equal to the report and no
    device listed, built directly: 5,000 of them are on the way to the first paint.
    """
    records = []
    for row in sorted(report, key=lambda r: r.user):
        via = attachments.via(row.user)
        records.append(built(
            UserRecord,
            user=row.user,
            arn=row.arn,
            console_access=row.password_enabled,
            mfa_active=row.mfa_active,
            enforcement_attached=via is not None,
            enforced_via=via,
            password_last_used=row.password_last_used,
            access_keys_active=row.access_keys_active,
            access_key_last_used=row.access_key_last_used,
            created=row.created,
            mfa_devices=(),
            devices_complete=not row.mfa_active,
            stale=report_is_old,
        ))
    return tuple(records)


def replaces_shown(new: Inventory, *, new_cached: bool, shown: Inventory | None,
                   shown_cached: bool) -> bool:
    """Whether an inventory that just arrived should replace the one on screen.

    A complete live read always does. A stand-in (the local cache, or the provisional table
    from the credential report) only replaces nothing or another stand-in that is older:
    never newer data with older.
    """
    if not new_cached and not new.provisional:
        return True
    if shown is None:
        return True
    if not (shown_cached or shown.provisional):
        return False
    return new.as_of > shown.as_of


def device(serial: str, enable_date: datetime | None = None) -> MfaDevice:
    """An MfaDevice with its type read from the serial."""
    return MfaDevice(serial=serial, type=device_type_from_serial(serial), enable_date=enable_date)


def confirmed_record(detail: UserDetail, previous: UserRecord | None) -> UserRecord:
    """The row of a user just read live: live facts win, unread parts keep the old values."""
    base = previous or UserRecord(user=detail.user, arn=detail.arn, console_access=None,
                                  mfa_active=False)
    console = detail.console_access if detail.console_access is not None else base.console_access
    devices_read = "devices" not in detail.unread
    devices = detail.devices if devices_read else base.mfa_devices
    enforcement_read = detail.enforcement_known
    keys_read = "keys" not in detail.unread
    return replace(
        base,
        arn=detail.arn or base.arn,
        console_access=console,
        mfa_active=bool(devices) if devices_read else base.mfa_active,
        mfa_devices=tuple(sorted(devices, key=lambda d: d.serial)),
        devices_complete=devices_read or base.devices_complete,
        enforcement_attached=(detail.enforcement is not None) if enforcement_read
        else base.enforcement_attached,
        enforced_via=detail.enforcement if enforcement_read else base.enforced_via,
        password_last_used=detail.password_last_used or base.password_last_used,
        access_keys_active=sum(1 for k in detail.access_keys if k.active) if keys_read
        else base.access_keys_active,
        stale=False,
    )
