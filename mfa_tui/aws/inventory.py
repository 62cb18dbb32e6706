"""Read the account's IAM.5 inventory in a handful of calls (see core/inventory_merge.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from ..core.credential_report import ReportRow, parse_credential_report
from ..core.inventory_merge import (
    Attachments,
    ListedUser,
    LiveUser,
    device,
    matched_rows,
    merge_users,
    report_users,
    users_needing_live_lookup,
)
from ..core.models import DEFAULT_POLICY_NAME, Inventory, MfaDevice, Sources
from .errors import explain
from .session import AwsConnection

log = logging.getLogger(__name__)
T = TypeVar("T")

_REPORT_WAIT_S = 60.0
#: Above this many users needing one-by-one calls, the inventory says "unknown" instead.
MAX_LIVE_LOOKUPS = 200
#: IAM list calls return at most 1,000 items a page (MaxItems); the default is 100.
PAGE = 1000
#: How long the big lists wait for the credential report when a table is waiting to paint it.
REPORT_HEAD_START_S = 0.5
#: AWS regenerates the credential report at most every 4 hours; older than that is stale.
REPORT_MAX_AGE = timedelta(hours=4)


def _now() -> datetime:
    return datetime.now(UTC)


def _is_old(report_time: datetime | None, now: datetime | None = None) -> bool:
    """Whether the credential report is older than AWS's 4-hour regeneration window."""
    return report_time is not None and ((now or _now()) - report_time) > REPORT_MAX_AGE


def fetch_credential_report(
    iam: object, *, sleep: Callable[[float], None] = time.sleep, timeout: float = _REPORT_WAIT_S
) -> tuple[list[ReportRow], datetime | None, list[str]]:
    """Generate (if AWS wants to) and read the credential report.

    AWS regenerates at most every 4 hours; while it says STARTED/INPROGRESS we poll with a
    growing pause, never a hot loop, and give up after ``timeout`` seconds.
    """
    # Start short (moto and a small account answer at once), then back off to 2 s.
    delay, waited = 0.05, 0.0
    while True:
        state = iam.generate_credential_report().get("State")  # type: ignore[attr-defined]
        if state == "COMPLETE":
            break
        if waited >= timeout:
            return [], None, ["The credential report is still being generated; try again soon."]
        sleep(delay)
        waited += delay
        delay = min(delay * 2, 2.0)
    try:
        got = iam.get_credential_report()  # type: ignore[attr-defined]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"ReportNotPresent", "ReportExpired", "ReportInProgress"}:
            return [], None, [f"The credential report is not ready ({code}); try again soon."]
        raise
    rows, problems = parse_credential_report(got["Content"])
    return rows, got.get("GeneratedTime"), problems


def list_users(iam: object) -> list[ListedUser]:
    """Every IAM user (paginated)."""
    out = []
    paginator = iam.get_paginator("list_users")  # type: ignore[attr-defined]
    for page in paginator.paginate(PaginationConfig={"PageSize": PAGE}):
        for u in page.get("Users", []):
            out.append(
                ListedUser(
                    name=u["UserName"],
                    arn=u["Arn"],
                    created=u.get("CreateDate"),
                    password_last_used=u.get("PasswordLastUsed"),
                )
            )
    return out


def list_assigned_virtual_devices(iam: object) -> dict[str, list[MfaDevice]]:
    """Assigned virtual MFA devices by user name (1,000 a page)."""
    out: dict[str, list[MfaDevice]] = {}
    paginator = iam.get_paginator("list_virtual_mfa_devices")  # type: ignore[attr-defined]
    for page in paginator.paginate(
        AssignmentStatus="Assigned", PaginationConfig={"PageSize": PAGE}
    ):
        for d in page.get("VirtualMFADevices", []):
            user = (d.get("User") or {}).get("UserName")
            if user:
                out.setdefault(user, []).append(device(d["SerialNumber"], d.get("EnableDate")))
    return out


def policy_arn(account: str, name: str = DEFAULT_POLICY_NAME) -> str:
    """The ARN of the customer-managed enforcement policy."""
    return f"arn:aws:iam::{account}:policy/{name}"


def list_policy_attachments(
    iam: object, arn: str, problems: list[str] | None = None
) -> Attachments:
    """Where the enforcement policy is attached (``ListEntitiesForPolicy``, paged).

    Group members come from ``GetGroup`` for the attached groups only; a group that cannot
    be read is reported in ``problems`` and the other attachments are kept.
    """
    users: set[str] = set()
    groups: dict[str, frozenset[str]] = {}
    try:
        paginator = iam.get_paginator("list_entities_for_policy")  # type: ignore[attr-defined]
        for page in paginator.paginate(PolicyArn=arn, PaginationConfig={"PageSize": PAGE}):
            users.update(u["UserName"] for u in page.get("PolicyUsers", []))
            for g in page.get("PolicyGroups", []):
                groups[g["GroupName"]] = frozenset()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return Attachments()  # the policy does not exist yet: nothing is enforced
        raise
    for name in list(groups):
        members: set[str] = set()
        try:
            paginator = iam.get_paginator("get_group")  # type: ignore[attr-defined]
            for page in paginator.paginate(GroupName=name, PaginationConfig={"PageSize": PAGE}):
                members.update(u["UserName"] for u in page.get("Users", []))
        except (ClientError, BotoCoreError) as exc:
            if problems is None:
                raise
            problems.append(explain(exc, doing=f"reading the members of group {name}"))
        groups[name] = frozenset(members)
    return Attachments(users=frozenset(users), groups=groups)


def has_console(iam: object, name: str) -> bool:
    """Whether the user has a console password now (``GetLoginProfile``)."""
    try:
        iam.get_login_profile(UserName=name)  # type: ignore[attr-defined]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        return False
    return True


def list_devices(iam: object, name: str) -> tuple[MfaDevice, ...]:
    """Every MFA device of the user (virtual, hardware, FIDO), paginated."""
    devices: list[MfaDevice] = []
    for page in iam.get_paginator("list_mfa_devices").paginate(UserName=name):  # type: ignore[attr-defined]
        devices.extend(device(d["SerialNumber"], d.get("EnableDate")) for d in page["MFADevices"])
    return tuple(devices)


def live_user(iam: object, name: str) -> LiveUser:
    """Confirm one user's console access and devices now."""
    return LiveUser(console_access=has_console(iam, name), devices=list_devices(iam, name))


def load_inventory(
    conn: AwsConnection,
    *,
    policy_name: str = DEFAULT_POLICY_NAME,
    workers: int = 8,
    exact: bool = False,
    on_report: Callable[[Inventory], None] | None = None,
) -> Inventory:
    """The whole inventory. Raises only when nothing useful could be read at all.

    ``exact`` lists the devices of users whose MFA the bulk sources only know from the
    credential report (one ``ListMFADevices`` call each) instead of trusting the report.
    ``on_report`` receives a provisional inventory built from the credential report alone
    as soon as it is read, while the fresh lists are still on their way (the TUI paints it).
    """
    conn.credentials_ready()  # an MFA code, if the profile needs one, is asked here, once
    iam = conn.client("iam")
    problems: list[str] = []

    def attempt(doing: str, fn: Callable[[], T], default: T) -> T:
        try:
            return fn()
        except (ClientError, BotoCoreError) as exc:
            log.warning("%s failed: %s", doing, exc)
            problems.append(explain(exc, doing=doing))
            return default

    # With a reader waiting for the report (the TUI), the big lists give the report a head
    # start: on a server that answers one request at a time they would delay it.
    report_read = threading.Event()
    if on_report is None:
        report_read.set()

    def report() -> tuple[list[ReportRow], datetime | None, list[str]]:
        try:
            return fetch_credential_report(iam)
        finally:
            report_read.set()

    def after_report(fn: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            report_read.wait(REPORT_HEAD_START_S)
            return fn()
        return run

    with ThreadPoolExecutor(max_workers=5) as pool:
        no_report: tuple[list[ReportRow], datetime | None, list[str]] = ([], None, [])
        f_report = pool.submit(attempt, "reading the credential report", report, no_report)
        f_users = pool.submit(after_report(lambda: list_users(iam)))
        f_virtual = pool.submit(
            attempt, "listing virtual MFA devices",
            after_report(lambda: list_assigned_virtual_devices(iam)), {}
        )
        caller = conn.caller()  # while the report is on its way
        f_attach = pool.submit(
            attempt,
            "reading where the enforcement policy is attached",
            lambda: list_policy_attachments(
                iam, policy_arn(caller.account, policy_name), problems),
            Attachments(),
        )
        no_alias: list[str] = []
        f_alias = pool.submit(
            attempt, "reading the account alias",
            lambda: list(iam.list_account_aliases().get("AccountAliases", [])), no_alias,
        )
        rows, report_time, report_problems = f_report.result()
        if on_report is not None and rows and not f_users.done():
            attachments, aliases = f_attach.result(), f_alias.result()
            on_report(Inventory(
                account=caller.account,
                caller=caller,
                generated_at=_now(),
                sources=Sources(credential_report_generated_at=report_time),
                users=report_users(rows, attachments, report_is_old=_is_old(report_time)),
                alias=(aliases[0] if aliases else None),
                policy_name=policy_name,
                problems=tuple(problems + report_problems),
                provisional=True,
            ))
        listed = f_users.result()  # without the user list there is no inventory: raise
        users_at = _now()
        virtual = f_virtual.result()
        virtual_at = _now()
        attachments = f_attach.result()
        aliases = f_alias.result()
    problems.extend(report_problems)

    live: dict[str, LiveUser] = {}
    need = users_needing_live_lookup(rows, listed, virtual, exact=exact)
    if len(need) > MAX_LIVE_LOOKUPS and not exact:
        # Without a usable credential report every user would cost two calls: show console
        # access as unknown instead, and say so (each user is still confirmed when opened).
        problems.append(
            f"{len(need)} users are not in the credential report; their console access is "
            "shown as unknown until the report can be read (open a user to check it live)."
        )
        need = []

    in_report = matched_rows(rows, listed)

    def lookup(name: str) -> LiveUser:
        row = in_report.get(name)
        if row is not None:  # console access is in the report: only the devices are missing
            return LiveUser(console_access=row.password_enabled, devices=list_devices(iam, name))
        return live_user(iam, name)

    def check(name: str) -> LiveUser | None:
        return attempt(f"checking {name}", lambda: lookup(name), None)

    if need:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for name, result in zip(need, pool.map(check, need), strict=True):
                if result is not None:
                    live[name] = result

    report_is_old = _is_old(report_time, virtual_at)
    users = merge_users(rows, listed, virtual, live, attachments, report_is_old=report_is_old)
    return Inventory(
        account=caller.account,
        caller=caller,
        generated_at=_now(),
        sources=Sources(
            credential_report_generated_at=report_time,
            virtual_mfa_listed_at=virtual_at,
            users_listed_at=users_at,
        ),
        users=users,
        alias=(aliases[0] if aliases else None),
        policy_name=policy_name,
        problems=tuple(problems),
    )
