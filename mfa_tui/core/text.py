"""Short human texts shared by the table, the report and the detail view (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from .models import MfaDevice, UserRecord


def age(then: datetime | None, now: datetime) -> str:
    """"just now", "5m ago", "3h ago", "12d ago"; the date itself once over a year old."""
    if then is None:
        return "never"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds >= 365 * 86400:
        return then.strftime("%Y-%m-%d")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def age_short(then: datetime | None, now: datetime) -> str:
    """Like :func:`age` without "ago", for the header: "now", "5m", "3h", "12d", a date."""
    text = age(then, now)
    return "now" if text == "just now" else text.removesuffix(" ago")


def devices_summary(devices: Iterable[MfaDevice]) -> str:
    """"virtual", "virtual+fido", "2 hardware"."""
    counts = Counter(d.type for d in devices)
    parts = [f"{n} {kind}" if n > 1 else kind for kind, n in sorted(counts.items())]
    return "+".join(parts)


def mfa_text(user: UserRecord) -> str:
    """The MFA cell: device types, "report" when only the credential report knows, or none."""
    listed = devices_summary(user.mfa_devices)
    if not user.devices_complete:
        return f"{listed}+report" if listed else "yes (report)"
    return listed or "none"


def enroll_note(user: UserRecord) -> str:
    """What the admin should know before enrolling ``user`` ("" when nothing)."""
    if user.mfa_active:
        return (f"{user.user} already has an MFA device: this adds another one (AWS allows "
                "up to 8).")
    if user.console_access is False:
        return (f"{user.user} has no console password: the device will serve CLI MFA "
                "sessions only.")
    return ""
