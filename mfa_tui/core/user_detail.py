"""One IAM user read live, and the on-call answer about them (`mfa-tui check`), pure.

The loader (aws/user_detail.py) fills a :class:`UserDetail` from a handful of live calls; a
call that fails leaves its part *unread* (and a sentence in ``problems``) rather than losing
the rest, so the verdict says "unknown" only when the parts IAM.5 needs are missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from mfa_tui.core.credential_report import parse_credential_report
from mfa_tui.core.models import DEFAULT_POLICY_NAME, MfaDevice
from mfa_tui.core.text import age

#: The parts of a detail that one failed call can leave unread.
Part = Literal["user", "console", "devices", "groups", "policies", "group_policies", "keys"]
Tone = Literal["ok", "bad", "unknown", "warn", "plain"]


@dataclass(frozen=True)
class AccessKey:
    """One access key's metadata. The id is not secret, but text shows its last 4 only."""

    id: str
    status: str  # "Active" | "Inactive"
    created: datetime | None = None
    last_used: datetime | None = None
    last_used_service: str | None = None
    last_used_read: bool = True  # False: GetAccessKeyLastUsed failed, last use unknown

    @property
    def active(self) -> bool:
        """Whether the key can sign requests."""
        return self.status == "Active"

    @property
    def short_id(self) -> str:
        """"…J4NN": enough to tell two keys apart on screen."""
        return f"…{self.id[-4:]}"


#: AWS makes a new credential report at most every 4 hours; Security Hub's IAM.5 reads it.
REPORT_INTERVAL = timedelta(hours=4)


@dataclass(frozen=True)
class ReportView:
    """What the current credential report says of one user (what Security Hub judges by)."""

    generated_at: datetime | None
    #: IAM.5 by the report's row; None when the user is not in it (created since).
    compliant: bool | None

    def visible_after(self) -> datetime | None:
        """The earliest time a newer report (and so Security Hub) can see today's state."""
        return self.generated_at + REPORT_INTERVAL if self.generated_at else None


def report_view(content: str, name: str, generated_at: datetime | None) -> ReportView:
    """The user's row of the report's CSV (only lines that mention the name are parsed)."""
    lines = content.splitlines()
    wanted = [line for line in lines[1:] if name in line]
    rows, _ = parse_credential_report("\n".join([*lines[:1], *wanted]))
    row = next((r for r in rows if r.user == name), None)
    verdict = None if row is None else (not row.password_enabled or row.mfa_active)
    return ReportView(generated_at=generated_at, compliant=verdict)


@dataclass(frozen=True)
class UserDetail:
    """Everything the on-call answer and the detail view show about one user, read live."""

    user: str
    arn: str = ""
    created: datetime | None = None
    console_access: bool | None = None  # None: GetLoginProfile could not be read
    login_profile_created: datetime | None = None
    password_reset_required: bool = False
    password_last_used: datetime | None = None
    devices: tuple[MfaDevice, ...] = ()
    groups: tuple[str, ...] = ()
    attached_policies: tuple[str, ...] = ()  # names of managed policies attached directly
    enforcement: str | None = None  # None, "user" (directly) or the group that carries it
    access_keys: tuple[AccessKey, ...] = ()
    policy_name: str = DEFAULT_POLICY_NAME
    unread: frozenset[Part] = frozenset()
    problems: tuple[str, ...] = field(default=())
    #: The current credential report's view of the user (None: no report could be read).
    report: ReportView | None = None

    @property
    def report_disagrees(self) -> bool:
        """The live verdict and the credential report's (Security Hub's) differ."""
        return (self.report is not None and self.report.compliant is not None
                and self.compliant is not None and self.report.compliant != self.compliant)

    @property
    def compliant(self) -> bool | None:
        """IAM.5 (no console password, or an MFA device); None when that cannot be told."""
        if self.console_access is False or self.devices:
            return True
        if self.console_access is True and "devices" not in self.unread:
            return False
        return None

    @property
    def enforcement_known(self) -> bool:
        """Whether "not attached" can be said: every place it could be attached was read."""
        return self.enforcement is not None or not (
            self.unread & {"groups", "policies", "group_policies"}
        )

    @property
    def reason(self) -> str:
        """Why the verdict is what it is, in a few words."""
        if self.console_access is False:
            return "no console password (IAM.5 does not apply)"
        if self.devices:
            kinds = "+".join(sorted({d.type for d in self.devices}))
            if self.console_access is None:
                return f"has MFA ({kinds}); console access could not be read"
            return f"console password with MFA ({kinds})"
        if self.console_access is None:
            return "console access could not be read"
        if "devices" in self.unread:
            return "console password; MFA devices could not be read"
        return "console password, no MFA device"


def is_enforcement_policy(policy_arn: str, policy_name: str = DEFAULT_POLICY_NAME) -> bool:
    """The account's own managed policy of that name at path ``/`` (any partition).

    The same policy ``aws/inventory.policy_arn`` names; an AWS-managed policy of the same
    name (account ``aws``) is not it.
    """
    parts = policy_arn.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[2] == "iam"
        and parts[4] not in ("", "aws")
        and parts[5] == f"policy/{policy_name}"
    )


def enforcement_source(
    direct: Iterable[str],
    by_group: Mapping[str, Iterable[str]],
    policy_name: str = DEFAULT_POLICY_NAME,
) -> str | None:
    """"user" when attached directly, else the first group (by name) that carries it."""
    if any(is_enforcement_policy(arn, policy_name) for arn in direct):
        return "user"
    for group in sorted(by_group):
        if any(is_enforcement_policy(arn, policy_name) for arn in by_group[group]):
            return group
    return None


# ------------------------------------------------------------------------------ text


@dataclass(frozen=True)
class Line:
    """One line of the on-call answer; ``tone`` lets the caller colour it (symbols are in it)."""

    text: str
    tone: Tone = "plain"


def _when(then: datetime | None, now: datetime, *, time: bool = False) -> str:
    """"2026-11-18 (12d ago)", or with the UTC time of day."""
    if then is None:
        return "never"
    utc = then.astimezone(UTC)
    stamp = utc.strftime("%Y-%m-%d %H:%M UTC" if time else "%Y-%m-%d")
    return f"{stamp} ({age(then, now)})"


def _date(then: datetime | None) -> str:
    return then.astimezone(UTC).strftime("%Y-%m-%d") if then else "(date unknown)"


def short_serial(serial: str) -> str:
    """A device serial without the ``arn:aws:iam::ACCOUNT:`` prefix (``mfa/alice``)."""
    return serial.split(":", 5)[-1] if serial.startswith("arn:") else serial


_LABEL = 14  # "Last sign-in: " and friends line up


def _row(label: str, values: list[str], tone: Tone = "plain") -> list[Line]:
    head = f"  {label + ':':<{_LABEL}}"
    pad = " " * len(head)
    return [Line((head if i == 0 else pad) + v, tone) for i, v in enumerate(values)]


_UNREAD = "could not be read (see below)"


def check_lines(detail: UserDetail, now: datetime) -> list[Line]:
    """The on-call answer in one screenful: the verdict first, then the facts behind it."""
    d = detail
    verdict = d.compliant
    if verdict is True:
        head = Line(f"✓ COMPLIANT: {d.user} — {d.reason}", "ok")
    elif verdict is False:
        head = Line(f"✗ NOT COMPLIANT: {d.user} — {d.reason}", "bad")
    else:
        head = Line(f"? UNKNOWN: {d.user} — {d.reason}", "unknown")
    lines = [head]

    tone: Tone = "plain"
    if d.console_access is None:
        console, tone = [_UNREAD], "warn"
    elif d.console_access:
        text = f"password set {_when(d.login_profile_created, now)}"
        if d.password_reset_required:
            text += ", must be changed at next sign-in"
        console = [text]
    else:
        console = ["no password (cannot sign in to the console)"]
    lines += _row("Console", console, tone)

    if "devices" in d.unread:
        lines += _row("MFA devices", [_UNREAD], "warn")
    elif d.devices:
        lines += _row("MFA devices", [
            f"{m.type:<8} {short_serial(m.serial)}  enabled {_date(m.enable_date)}"
            for m in d.devices
        ])
    else:
        lines += _row("MFA devices", ["none"], "bad" if d.console_access else "plain")

    etone: Tone = "plain"
    if d.enforcement == "user":
        enforced = f"{d.policy_name} attached directly"
    elif d.enforcement:
        enforced = f"{d.policy_name} attached via group {d.enforcement}"
    elif d.enforcement_known:
        enforced = f"{d.policy_name} not attached"
    elif "policies" in d.unread:
        enforced, etone = f"{d.policy_name}: {_UNREAD}", "warn"
    else:
        enforced, etone = f"{d.policy_name} not attached directly (groups unreadable)", "warn"
    lines += _row("Enforcement", [enforced], etone)

    if "user" in d.unread:
        lines += _row("Last sign-in", [_UNREAD], "warn")
    else:
        lines += _row("Last sign-in", [_when(d.password_last_used, now, time=True)])

    groups = _UNREAD if "groups" in d.unread else ", ".join(d.groups) or "none"
    lines += _row("Groups", [groups])
    policies = _UNREAD if "policies" in d.unread else ", ".join(d.attached_policies) or "none"
    lines += _row("Policies", [policies])

    if "keys" in d.unread:
        lines += _row("Access keys", [_UNREAD], "warn")
    elif d.access_keys:
        lines += _row("Access keys", [_key_text(k, now) for k in d.access_keys])
    else:
        lines += _row("Access keys", ["none"])

    lines += security_hub_lines(d, now)
    lines += [Line(f"! {p}", "warn") for p in d.problems]
    return lines


def _span(delta: timedelta) -> str:
    """"3h 05m", "12m": a wait of at most 4 hours."""
    minutes = max(1, int(delta.total_seconds() + 59) // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def security_hub_lines(detail: UserDetail, now: datetime) -> list[Line]:
    """Why Security Hub still says otherwise: its IAM.5 reads the credential report, which
    AWS makes at most every 4 hours. Empty when the report agrees with the live state."""
    report = detail.report
    if report is None or not detail.report_disagrees:
        return []
    made = "(time unknown)"
    if report.generated_at is not None:
        made = f"{report.generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        ago = age(report.generated_at, now)
        made += f" ({ago})" if not ago[:1].isdigit() or ago.endswith(" ago") else ""
    said = "not compliant" if detail.compliant else "compliant"
    after = report.visible_after()
    if after is None:
        when = "after AWS's next credential report"
    elif after > now:
        when = (f"after AWS's next credential report, not before {after:%Y-%m-%d %H:%M} UTC "
                f"(in {_span(after - now)})")
    else:
        when = ("as soon as a new credential report is made (this one is over 4 h old, so the "
                "next GenerateCredentialReport, Security Hub's own included, makes one)")
    what = "see the fix" if detail.compliant else "see the change"
    return [Line(f"! Security Hub: the credential report of {made} still says {said}; "
                 f"it can {what} {when}.", "warn")]


def _key_text(key: AccessKey, now: datetime) -> str:
    status = "active" if key.active else "inactive"
    if not key.last_used_read:
        used = "last use unknown"
    elif key.last_used is None:
        used = "never used"
    else:
        service = f" ({key.last_used_service})" if key.last_used_service else ""
        used = f"last used {age(key.last_used, now)}{service}"
    created = age(key.created, now) if key.created else "at an unknown time"
    return f"{key.short_id} {status}, {used}, created {created}"


def render_check_lines(detail: UserDetail, now: datetime) -> list[str]:
    """The on-call answer as plain lines (symbols carry the verdict without colour)."""
    return [line.text for line in check_lines(detail, now)]


# ------------------------------------------------------------------------------ JSON


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def detail_json(d: UserDetail) -> dict[str, Any]:
    """`check --format json`: the detail as a JSON-ready dict (full key ids: not secret)."""
    return {
        "user": d.user,
        "arn": d.arn or None,
        "compliant": d.compliant,
        "reason": d.reason,
        "console_access": d.console_access,
        "login_profile_created": _iso(d.login_profile_created),
        "password_reset_required": d.password_reset_required,
        "password_last_used": _iso(d.password_last_used),
        "mfa_devices": [
            {"serial": m.serial, "type": m.type, "enable_date": _iso(m.enable_date)}
            for m in d.devices
        ],
        "groups": list(d.groups),
        "attached_policies": list(d.attached_policies),
        "enforcement_attached": d.enforcement is not None if d.enforcement_known else None,
        "enforced_via": d.enforcement,
        "access_keys": [
            {
                "id": k.id,
                "status": k.status,
                "created": _iso(k.created),
                "last_used": _iso(k.last_used),
                "last_used_service": k.last_used_service,
            }
            for k in d.access_keys
        ],
        "unread": sorted(d.unread),
        "problems": list(d.problems),
        "credential_report": None if d.report is None else {
            "generated_at": _iso(d.report.generated_at),
            "compliant": d.report.compliant,
            "security_hub_sees_live_state_after": (
                _iso(d.report.visible_after()) if d.report_disagrees else None),
        },
    }
