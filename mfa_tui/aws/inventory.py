"""Read the account's IAM.5 inventory in a handful of calls (see core/inventory_merge.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from mfa_tui.aws.errors import explain
from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.credential_report import ReportRow, parse_credential_report, root_mfa
from mfa_tui.core.inventory_merge import (
    Attachments,
    ListedUser,
    LiveUser,
    device,
    matched_rows,
    merge_users,
    users_needing_live_lookup,
)
from mfa_tui.core.models import DEFAULT_POLICY_NAME, Inventory, MfaDevice, Sources
from mfa_tui.core.report_snapshot import REPORT_BEING_GENERATED, ReportSnapshot, report_is_old
from mfa_tui.core.root_user import root_user

log = logging.getLogger(__name__)
T = TypeVar("T")

_REPORT_WAIT_S = 60.0
#: Above this many users needing one-by-one calls, the inventory says "unknown" instead.
MAX_LIVE_LOOKUPS = 200
#: IAM list calls return at most 1,000 items a page (MaxItems); the default is 100.
PAGE = 1000
#: How long the big lists wait for the credential report when a table is waiting to paint it
#: (and, in the prefetch helper, for the TUI to have painted it).
REPORT_HEAD_START_S = 0.5


def _now() -> datetime:
    return datetime.now(UTC)


def fetch_credential_report(
    iam: object, *, sleep: Callable[[float], None] = time.sleep, timeout: float = _REPORT_WAIT_S
) -> tuple[list[ReportRow], datetime | None, list[str]]:
    """The credential report's rows (see read_credential_report), when it was generated, and
    a sentence for each problem (not ready, rows that could not be read)."""
    content, generated, problems = read_credential_report(iam, sleep=sleep, timeout=timeout)
    rows, skipped = parse_credential_report(content) if content else ([], [])
    return rows, generated, problems + skipped


def read_credential_report(
    iam: object, *, sleep: Callable[[float], None] = time.sleep, timeout: float = _REPORT_WAIT_S,
    on_wait: Callable[[], None] | None = None,
) -> tuple[str, datetime | None, list[str]]:
    """Generate (if AWS wants to) and read the credential report: its CSV text ("" when
    there is none yet), when it was generated, and a sentence if it is not ready.

    AWS regenerates at most every 4 hours; while it says STARTED/INPROGRESS we poll with a
    growing pause, never a hot loop, and give up after ``timeout`` seconds. ``on_wait`` is
    called once, when AWS first says it is generating.
    """
    # Start short (moto and a small account answer at once), then back off to 2 s.
    delay, waited = 0.05, 0.0
    while True:
        state = iam.generate_credential_report().get("State")  # type: ignore[attr-defined]
        if state == "COMPLETE":
            break
        if waited >= timeout:
            return "", None, ["The credential report is still being generated; try again soon."]
        if waited == 0 and on_wait is not None:
            on_wait()
        sleep(delay)
        waited += delay
        delay = min(delay * 2, 2.0)
    try:
        got = iam.get_credential_report()  # type: ignore[attr-defined]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"ReportNotPresent", "ReportExpired", "ReportInProgress"}:
            return "", None, [f"The credential report is not ready ({code}); try again soon."]
        raise
    content = got["Content"]
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    return str(content), got.get("GeneratedTime"), []


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
    on_report: Callable[[ReportSnapshot], None] | None = None,
    on_status: Callable[[str], None] | None = None,
    on_report_text: Callable[[str], None] | None = None,
    until_painted: Callable[[float], None] | None = None,
) -> Inventory:
    """The whole inventory. Raises only when nothing useful could be read at all.

    ``exact`` lists the devices of users whose MFA the bulk sources only know from the
    credential report (one ``ListMFADevices`` call each) instead of trusting the report.
    ``on_report`` receives the credential report (and the caller, alias and attachments) as
    soon as it is read, while the fresh lists are still on their way: the TUI paints a
    provisional table from it (``core.report_snapshot.provisional_inventory``).
    ``on_status`` hears what the read is waiting for, in a sentence (AWS generating the
    report can take a while on a big account). ``on_report_text`` (with ``on_report``) gets
    the report's CSV the moment it arrives, before the small reads ``on_report`` waits for:
    the prefetch helper sends it ahead, and the TUI parses it meanwhile. ``until_painted``
    (with ``on_report``) is called once the report is out, with the seconds the big lists may
    still wait: the helper returns when the TUI has painted the table, so that their pages
    (botocore's parsing here, the server's work on a local endpoint) do not take the CPU
    from the table's paint.
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

    # With a reader waiting for the report (the TUI), the big lists give the report and the
    # small reads that go with it a head start: on a server that answers one request at a
    # time they would delay them.
    head_start_over = threading.Event()
    if on_report is None:
        head_start_over.set()

    def after_head_start(fn: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            head_start_over.wait(REPORT_HEAD_START_S)
            return fn()
        return run

    with ThreadPoolExecutor(max_workers=6) as pool:
        no_report: tuple[str, datetime | None, list[str]] = ("", None, [])
        generating = None if on_status is None else (lambda: on_status(REPORT_BEING_GENERATED))
        # The longest chain first: the device list's pages follow one another.
        f_virtual = pool.submit(
            attempt, "listing virtual MFA devices",
            after_head_start(lambda: list_assigned_virtual_devices(iam)), {}
        )
        f_report = pool.submit(attempt, "reading the credential report",
                               lambda: read_credential_report(iam, on_wait=generating), no_report)
        f_users = pool.submit(after_head_start(lambda: list_users(iam)))
        # The root user (IAM.9): after the head start, off the first paint's path.
        no_summary: dict[str, int] | None = None
        f_summary = pool.submit(
            attempt, "reading the account summary (the root user's MFA)",
            after_head_start(lambda: dict(iam.get_account_summary().get("SummaryMap", {}))),
            no_summary,
        )
        no_alias: list[str] = []
        f_alias = pool.submit(
            attempt, "reading the account alias",
            lambda: list(iam.list_account_aliases().get("AccountAliases", [])), no_alias,
        )
        try:
            caller = conn.caller()  # while the report is on its way
            f_attach = pool.submit(
                attempt,
                "reading where the enforcement policy is attached",
                lambda: list_policy_attachments(
                    iam, policy_arn(caller.account, policy_name), problems),
                Attachments(),
            )
            content, report_time, report_problems = f_report.result()
            snapshot: ReportSnapshot | None = None
            if on_report is not None and content and not f_users.done():
                if on_report_text is not None:
                    on_report_text(content)
                attachments, aliases = f_attach.result(), f_alias.result()
                snapshot = ReportSnapshot(content, report_time, caller,
                                          aliases[0] if aliases else None, attachments,
                                          policy_name, tuple(problems + report_problems))
                on_report(snapshot)  # before parsing here: the reader may parse it elsewhere
                if until_painted is not None:
                    until_painted(REPORT_HEAD_START_S)
        finally:
            head_start_over.set()
        listed = f_users.result()  # without the user list there is no inventory: raise
        users_at = _now()
        virtual = f_virtual.result()
        virtual_at = _now()
        attachments = f_attach.result()
        aliases = f_alias.result()
        summary = f_summary.result()
    if snapshot is not None:
        rows, skipped = snapshot.parsed  # parsed once, perhaps by the reader already
    else:
        rows, skipped = parse_credential_report(content) if content else ([], [])
    problems.extend(report_problems)
    problems.extend(skipped)

    live: dict[str, LiveUser] = {}
    in_report = matched_rows(rows, listed)  # once: 5,000 users
    need = users_needing_live_lookup(rows, listed, virtual, exact=exact, matched=in_report)
    if len(need) > MAX_LIVE_LOOKUPS and not exact:
        # Without a usable credential report every user would cost two calls: show console
        # access as unknown instead, and say so (each user is still confirmed when opened).
        problems.append(
            f"{len(need)} users are not in the credential report; their console access is "
            "shown as unknown until the report can be read (open a user to check it live)."
        )
        need = []

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

    users = merge_users(rows, listed, virtual, live, attachments, matched=in_report,
                        report_is_old=report_is_old(report_time, virtual_at))
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
        root=root_user(summary, root_mfa(content) if content else None),
    )
