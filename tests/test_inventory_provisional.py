"""The table painted from the credential report alone while the big lists are on their way.

A first launch on a 5,000-user account would otherwise wait for ``ListUsers`` and
``ListVirtualMFADevices`` (most of the time); the report already says who has a console
password and MFA. These tests hold the product to what that stand-in may and may not do:
say what it is, agree with the complete read on every verdict it can know, never replace
newer data, and keep the marks a user makes meanwhile.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from mfa_tui.aws.inventory import load_inventory
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.credential_report import ReportRow
from mfa_tui.core.inventory_merge import Attachments, replaces_shown, report_users
from mfa_tui.core.models import Caller, Inventory, Sources
from mfa_tui.core.report_snapshot import ReportSnapshot, provisional_inventory
from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import loaded, until
from tests.test_inventory_sources import (
    NOW,
    StubConnection,
    account_with_a_user_newer_than_the_report,
    newbie_has_a_password_and_no_device,
)

PROVISIONAL = "from the credential report alone"
GENERATING = "AWS is generating the credential report"
OLD_REPORT = datetime(2015, 2, 2, 20, 2, 2, tzinfo=UTC)  # the date moto always reports


def row(name: str, *, console: bool, mfa: bool) -> ReportRow:
    return ReportRow(user=name, arn=f"arn:aws:iam::123456789012:user/{name}", created=NOW,
                     password_enabled=console, password_last_used=None, mfa_active=mfa,
                     access_keys_active=1, access_key_last_used=None)


def inventory(*, at: datetime, provisional: bool = False, report_at: datetime | None = None,
              ) -> Inventory:
    return Inventory(account="123456789012", caller=Caller("123456789012", "arn:x"),
                     generated_at=at, sources=Sources(credential_report_generated_at=report_at),
                     users=(), provisional=provisional)


# ------------------------------------------------------------------------------ pure


def test_report_users_take_console_and_mfa_from_the_report_and_say_devices_are_unlisted(
) -> None:
    rows = [row("alice", console=True, mfa=True), row("bob", console=True, mfa=False),
            row("svc", console=False, mfa=False)]
    attachments = Attachments(users=frozenset({"bob"}),
                              groups={"Admins": frozenset({"alice"})})

    users = {u.user: u for u in report_users(rows, attachments, report_is_old=False)}

    assert sorted(users) == ["alice", "bob", "svc"]
    assert users["alice"].compliant and not users["alice"].devices_complete
    assert users["alice"].mfa_devices == ()  # the type is not known until the devices list
    assert not users["bob"].compliant and users["bob"].enforced_via == "user"
    assert users["alice"].enforced_via == "Admins"
    assert users["svc"].compliant and users["svc"].access_keys_active == 1
    assert not any(u.stale for u in users.values())
    old = report_users(rows, attachments, report_is_old=True)
    assert all(u.stale for u in old)  # an old report: every verdict rests on it


def test_a_stand_in_never_replaces_newer_data() -> None:
    live = inventory(at=NOW)
    report_now = inventory(at=NOW, provisional=True, report_at=NOW - timedelta(hours=2))
    cache_older = inventory(at=NOW - timedelta(hours=3))
    cache_newer = inventory(at=NOW - timedelta(minutes=5))

    # A complete live read always replaces what is shown.
    assert replaces_shown(live, new_cached=False, shown=report_now, shown_cached=False)
    assert replaces_shown(live, new_cached=False, shown=cache_newer, shown_cached=True)
    # The report's table replaces nothing, or an older cache; never a live read or a newer cache.
    assert replaces_shown(report_now, new_cached=False, shown=None, shown_cached=False)
    assert replaces_shown(report_now, new_cached=False, shown=cache_older, shown_cached=True)
    assert not replaces_shown(report_now, new_cached=False, shown=cache_newer, shown_cached=True)
    assert not replaces_shown(report_now, new_cached=False, shown=live, shown_cached=False)
    # The cache arriving late replaces the report's table only when it is newer.
    assert replaces_shown(cache_newer, new_cached=True, shown=report_now, shown_cached=False)
    assert not replaces_shown(cache_older, new_cached=True, shown=report_now, shown_cached=False)
    assert not replaces_shown(cache_newer, new_cached=True, shown=live, shown_cached=False)


# ------------------------------------------------------------------------------ aws


def test_the_report_table_comes_first_then_the_lists_add_the_new_user() -> None:
    """Stubber: moto rebuilds its report on every get, so it never lags behind ListUsers."""
    iam = account_with_a_user_newer_than_the_report()
    newbie_has_a_password_and_no_device(iam)
    seen: list[ReportSnapshot] = []

    final = load_inventory(StubConnection(iam), on_report=seen.append)  # type: ignore[arg-type]

    [snapshot] = seen
    first = provisional_inventory(snapshot, NOW)
    assert first is not None
    assert first.provisional and not final.provisional
    assert [u.user for u in first.users] == ["alice"]  # newbie is newer than the report
    assert first.alias == "example" and first.sources.virtual_mfa_listed_at is None
    assert first.sources.credential_report_generated_at == NOW - timedelta(hours=3)
    alice = first.get("alice")
    assert alice and alice.compliant and not alice.devices_complete
    assert [u.user for u in final.users] == ["alice", "newbie"]
    final_alice = final.get("alice")
    assert final_alice and [d.type for d in final_alice.mfa_devices] == ["virtual"]


def test_on_moto_the_report_table_arrives_while_list_users_is_slow(moto: MotoServer) -> None:
    """Against moto with ListUsers held back 2 s (fault injector's latency rule)."""
    seed_account(60)
    moto.faults.add_latency(2.0, actions="ListUsers")
    arrived: list[tuple[float, ReportSnapshot]] = []

    final = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)),
                           on_report=lambda snap: arrived.append((time.monotonic(), snap)))
    done = time.monotonic()

    [(at, snapshot)] = arrived
    first = provisional_inventory(snapshot, datetime.now(UTC))
    assert first is not None
    assert done - at > 1.0  # painted well before the slow list answered
    assert first.provisional and len(first.users) == len(final.users) == 60
    # moto's report is rebuilt on every read, so every verdict and enforcement agrees.
    assert [(u.user, u.compliant, u.console_access, u.enforced_via) for u in first.users] == [
        (u.user, u.compliant, u.console_access, u.enforced_via) for u in final.users]
    assert first.non_compliant == final.non_compliant > 0


# ------------------------------------------------------------------------------ TUI


async def test_tui_paints_the_report_first_keeps_marks_and_never_goes_back(
    moto: MotoServer,
) -> None:
    """Pilot, against moto with ListUsers held at the server (fault injector) until the
    report's table has been looked at."""
    seed_account(60)
    gate = moto.faults.hold(actions="ListUsers")
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        header = screen.query_one(AccountHeader)
        table = screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60)
        assert header.inventory is not None and header.inventory.provisional
        assert PROVISIONAL in str(header.render())
        assert "non-compliant" in str(header.render())
        await pilot.press("space")  # a mark made on the report's table
        assert screen.marks == {"admin.breakglass"}

        gate.set()
        await until(pilot, lambda: loaded(app))
        assert PROVISIONAL not in str(header.render()) and "devices now" in str(header.render())
        assert screen.marks == {"admin.breakglass"}

        # A refresh: the report (older than the table) must not replace the live read.
        await pilot.press("r")
        seen_provisional = False
        for _ in range(80):
            seen_provisional |= PROVISIONAL in str(header.render())
            if loaded(app):
                break
            await pilot.pause(0.05)
        assert not seen_provisional and loaded(app)
        assert screen.inventory is not None and not screen.inventory.provisional



async def test_at_80_columns_the_header_still_says_cached_or_provisional() -> None:
    """A 5,000-user account fills line 2 of the header; what the table rests on must show."""
    from textual.app import App, ComposeResult

    from mfa_tui.core.models import UserRecord
    from mfa_tui.state.paths import styles_dir

    users = tuple(UserRecord(user=f"user{i:04d}", arn=f"arn:aws:iam::123456789012:user/u{i}",
                             console_access=True, mfa_active=i % 5 != 0) for i in range(5000))
    big = Inventory(account="123456789012", alias="example-corp-prod",
                    caller=Caller("123456789012", "arn:aws:iam::123456789012:user/admin"),
                    generated_at=NOW, sources=Sources(credential_report_generated_at=OLD_REPORT,
                                                      virtual_mfa_listed_at=NOW), users=users)

    class HeaderOnly(App[None]):
        CSS_PATH = [styles_dir() / "app.tcss"]  # the app's own stylesheet

        def compose(self) -> ComposeResult:
            yield AccountHeader(id="account-header")

    app = HeaderOnly()
    async with app.run_test(size=(80, 5)) as pilot:
        header = app.query_one(AccountHeader)

        def visible() -> str:
            return "\n".join(header.render_line(y).text for y in range(3))

        header.inventory, header.cached, header.busy = big, True, True
        await pilot.pause()
        assert "cached" in visible() and "refreshing" in visible()
        header.inventory, header.cached = replace(big, provisional=True), False
        await pilot.pause()
        assert "from the credential report alone" in visible()
        header.inventory, header.busy = big, False
        await pilot.pause()
        assert "cached" not in visible() and "refreshing" not in visible()
        assert "1000 non-compliant" in visible()


def test_report_users_are_what_merge_users_gives_for_the_report_alone() -> None:
    """The direct build must not drift from the general merge (same sources, same records)."""
    from mfa_tui.core.inventory_merge import ListedUser, merge_users

    rows = [row(f"u{i}", console=i % 2 == 0, mfa=i % 3 == 0) for i in range(12)]
    attachments = Attachments(users=frozenset({"u1"}), groups={"G": frozenset({"u2", "u3"})})
    listed = [ListedUser(name=r.user, arn=r.arn, created=r.created,
                         password_last_used=r.password_last_used) for r in rows]
    for old in (False, True):
        assert report_users(rows, attachments, report_is_old=old) == merge_users(
            rows, listed, {}, {}, attachments, report_is_old=old)


def test_the_report_snapshot_crosses_the_pipe_unchanged() -> None:
    """What the prefetch helper sends: the CSV as AWS wrote it, and the small reads."""
    import json

    from mfa_tui.core.inventory_codec import snapshot_from_dict, snapshot_to_dict

    content = ('user,arn,password_enabled,mfa_active\n'
               '"a+b=c,d.e@f-g_h",arn:aws:iam::123456789012:user/a,true,false\n')
    snapshot = ReportSnapshot(
        content=content, generated_at=NOW, caller=Caller("123456789012", "arn:x"),
        alias="example", attachments=Attachments(users=frozenset({"u"}),
                                                 groups={"G": frozenset({"v", "w"})}),
        policy_name="EnforceMFAPolicy", problems=("AWS denied GetGroup.",))

    back = snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(snapshot))))

    assert back == snapshot
    assert back is not None and back.parsed[0][0].user == "a+b=c,d.e@f-g_h"
    assert snapshot_from_dict({"content": "x"}) is None  # damaged: read in-process instead


async def test_while_aws_generates_the_report_the_header_says_so(moto: MotoServer) -> None:
    """A reset moto has no report: its first GenerateCredentialReport says STARTED. The
    GetCredentialReport that follows is held at the server (fault injector) until the test
    has looked at the header: no window to miss on a loaded machine."""
    seed_account(60)
    gate = moto.faults.hold(actions="GetCredentialReport")
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=(100, 30)) as pilot:
        header = app.screen.query_one(AccountHeader)
        await until(pilot, lambda: GENERATING in str(header.render()))
        assert header.inventory is None and "Connecting" not in str(header.render())
        gate.set()
        await until(pilot, lambda: loaded(app))
        assert GENERATING not in str(header.render())
