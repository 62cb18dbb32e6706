"""The accounts screen (`mfa-tui --org`) through Pilot, on the demo organization seeded into
the harness's moto server (the sandbox account's role refused by a fault rule)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from mfa_tui.core.org_view import COLUMNS, AccountView
from mfa_tui.demo.account import seed_account
from mfa_tui.demo.org import MEMBERS
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.accounts import AccountsScreen
from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.run_results import RunResultsScreen
from mfa_tui.tui.widgets.accounts_table import AccountsTable
from mfa_tui.tui.widgets.org_header import OrgHeader
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import until

pytestmark = pytest.mark.usefixtures("state_home")

MANAGEMENT = "123456789012"
DEV, SANDBOX = MEMBERS["example-corp-dev"], MEMBERS["example-corp-sandbox"]
ACTIVE = 5  # the management account and four ACTIVE members (legacy is suspended)


def new_app(moto: MotoServer) -> MfaTuiApp:
    opts = GlobalOptions(endpoint_url=moto.url, org=True)
    return MfaTuiApp(make_connector(opts), options=opts, refresh_interval=0,
                     cache_key=opts.connection_key())


def read_done(screen: AccountsScreen) -> bool:
    return len(screen.results) == ACTIVE and not screen.query_one(OrgHeader).busy


@asynccontextmanager
async def running(moto: MotoServer, size: tuple[int, int] = (80, 24), *, seed: bool = True,
                  wait: bool = True) -> AsyncIterator[tuple[MfaTuiApp, Pilot[int],
                                                            AccountsScreen]]:
    if seed:
        seed_account(20)
        moto.faults.access_denied("AssumeRole", params={"RoleArn": f":{SANDBOX}:"})
    app = new_app(moto)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, AccountsScreen)
        if wait:
            await until(pilot, lambda: read_done(screen))
        yield app, pilot, screen


def ids(screen: AccountsScreen) -> list[str]:
    return [r.account.id for r in screen.query_one(AccountsTable).results]


async def test_rows_fill_in_with_totals_and_the_refused_account_as_an_error(
        moto: MotoServer) -> None:
    seen: list[int] = []
    async with running(moto, wait=False) as (_app, pilot, screen):
        table = screen.query_one(AccountsTable)

        def count() -> bool:
            seen.append(sum(1 for r in table.results if r.inventory or r.error))
            return read_done(screen)
        await until(pilot, count)
        header = screen.query_one(OrgHeader)
        assert header.organization == "o-exmpl2026ab"
        assert sorted(ids(screen)) == sorted([MANAGEMENT, *MEMBERS.values()][:5])
        assert seen[0] < ACTIVE  # painted before every account had answered
        sandbox = screen.results[SANDBOX]
        assert sandbox.status == "error" and "Cannot assume role" in (sandbox.error or "")
        t = header.totals
        assert t is not None and (t.accounts, t.read, t.errors) == (ACTIVE, ACTIVE, 1)
        dev = screen.results[DEV].inventory
        assert dev is not None and t.users == sum(
            len(r.inventory.users) for r in screen.results.values() if r.inventory)
        rendered = str(header.render())
        assert "o-exmpl2026ab" in rendered and f"✗ {t.non_compliant} non-compliant" in rendered


async def test_filter_views_and_sort(moto: MotoServer) -> None:
    async with running(moto) as (app, pilot, screen):
        await pilot.press("slash", *"dev", "enter")
        assert ids(screen) == [DEV]
        assert app.focused is screen.query_one(AccountsTable)
        await pilot.press("escape")
        assert len(ids(screen)) == ACTIVE
        await pilot.press("f")
        assert screen.view is AccountView.NON_COMPLIANT
        assert STAGING not in ids(screen) and SANDBOX not in ids(screen) and DEV in ids(screen)
        await pilot.press("f")
        assert ids(screen) == [SANDBOX]
        await pilot.press("f")
        assert screen.view is AccountView.ALL
        await pilot.press("o", "o")  # name → id → users: the biggest account first
        assert screen.query_one(AccountsTable).sort_key == "users"
        assert ids(screen)[0] == MANAGEMENT


STAGING = MEMBERS["example-corp-staging"]


async def test_enter_opens_the_account_and_escape_returns_as_it_was(moto: MotoServer) -> None:
    async with running(moto) as (app, pilot, screen):
        await pilot.press("slash", *"example-corp-d", "enter")
        table = screen.query_one(AccountsTable)
        table.move_cursor(row=ids(screen).index(DEV))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen)
                    and app.screen.inventory is not None)
        main = app.screen
        assert isinstance(main, MainScreen) and main.inventory is not None
        assert main.inventory.account == DEV
        assert {u.user for u in main.inventory.users} == {
            u.user for u in screen.results[DEV].inventory.users}  # type: ignore[union-attr]
        assert app.bound_account == DEV
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert app.bound_account is None
        assert screen.query_one("#filter", Input).value == "example-corp-d"
        assert table.current is not None and table.current.account.id == DEV


async def test_q_quits_from_the_accounts_screen_only(moto: MotoServer) -> None:
    """The accounts screen is the top in organization mode: `q` quits there; on an account's
    users screen `q` is not offered and does nothing (Esc goes back, ctrl+q still quits)."""
    async with running(moto) as (app, pilot, screen):
        assert "q" in shown_keys(app)
        table = screen.query_one(AccountsTable)
        table.move_cursor(row=ids(screen).index(DEV))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen)
                    and app.screen.inventory is not None)
        assert "q" not in shown_keys(app)
        assert "escape" in shown_keys(app)  # the footer says how to go back
        await until(pilot, lambda: "escape" in footer_on_screen(app))
        assert "q" not in footer_on_screen(app)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.return_code is None
        await pilot.press("slash", "x")  # with a filter typed, Esc clears it first
        await pilot.pause()
        assert "escape" not in shown_keys(app)
        await until(pilot, lambda: "escape" not in footer_on_screen(app))  # redrawn to match
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and "escape" in shown_keys(app)
        await until(pilot, lambda: "escape" in footer_on_screen(app))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
        assert app.return_code == 0


def footer_on_screen(app: MfaTuiApp) -> list[str]:
    """The keys the current screen's footer widget draws (it is rebuilt only when the keys
    it shows change: widgets/keys_footer.py)."""
    from textual.widgets._footer import FooterKey

    from mfa_tui.tui.widgets.keys_footer import KeysFooter

    footer = app.screen.query_one(KeysFooter)
    return [key.key for key in footer.query(FooterKey)]


def shown_keys(app: MfaTuiApp) -> list[str]:
    """The keys the current screen's footer offers."""
    return [b.binding.key for b in app.screen.active_bindings.values()
            if b.binding.show and b.enabled]


async def test_attach_in_an_opened_account_acts_there_only(moto: MotoServer) -> None:
    async with running(moto) as (app, pilot, screen):
        table = screen.query_one(AccountsTable)
        table.move_cursor(row=ids(screen).index(DEV))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen)
                    and app.screen.inventory is not None)
        before = management_enforced(moto)
        moto.faults.clear_requests()
        await pilot.press("slash", *"kai.ito", "enter", "a")
        preview = app.screen
        assert isinstance(preview, EnforcePreviewScreen)
        await until(pilot, lambda: preview.request is not None)
        await pilot.press("y", "enter")
        await until(pilot, lambda: isinstance(app.screen, RunResultsScreen))
        writes = [r for r in moto.faults.requests if r.mutating]
        assert writes and {r.params.get("UserName") for r in writes
                           if r.action == "AttachUserPolicy"} == {"kai.ito"}
        assert "testing" not in {r.access_key_id for r in writes}  # the member's role only
        policy = f"arn:aws:iam::{DEV}:policy/EnforceMFAPolicy"
        assert all(r.params.get("PolicyArn", policy) == policy for r in writes)
        assert management_enforced(moto) == before  # the management account untouched


def management_enforced(moto: MotoServer) -> set[str]:
    got = moto.client("iam").list_entities_for_policy(
        PolicyArn=f"arn:aws:iam::{MANAGEMENT}:policy/EnforceMFAPolicy")
    return {u["UserName"] for u in got["PolicyUsers"]} | {
        g["GroupName"] for g in got["PolicyGroups"]}


async def test_enter_on_an_unreadable_account_says_why(moto: MotoServer) -> None:
    async with running(moto) as (app, pilot, screen):
        screen.query_one(AccountsTable).move_cursor(row=ids(screen).index(SANDBOX))
        notes: list[Any] = []
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert notes and "Cannot assume role" in str(notes[0])


async def test_a_second_launch_paints_the_whole_organization_from_the_cache(
        moto: MotoServer) -> None:
    async with running(moto):
        pass
    # The fresh read waits at the server until the cached rows are checked (a hold, not a
    # latency: a slow machine cannot let it through early, and nothing waits at the end).
    fresh_read = moto.faults.hold("ListAccounts")
    async with running(moto, seed=False, wait=False) as (_app, pilot, screen):
        await until(pilot, lambda: sum(1 for r in screen.results.values()
                                       if r.inventory is not None) == ACTIVE - 1)
        assert all(r.cached for r in screen.results.values() if r.inventory is not None)
        assert screen.query_one(OrgHeader).organization == "o-exmpl2026ab"
        status = next(c for c in COLUMNS if c.key == "status")
        shown = {r.account.id: status.cell(r, datetime.now(UTC))
                 for r in screen.query_one(AccountsTable).results}
        # Every account read last time says cached; the unreadable one waits for the read.
        assert shown == {**{a: "cached" for a in shown if a != SANDBOX}, SANDBOX: "reading"}
        assert screen.query_one(OrgHeader).totals.cached == ACTIVE - 1  # type: ignore[union-attr]
        fresh_read.set()


@pytest.mark.parametrize(("size", "dropped"), [((80, 24), {"report", "console"}),
                                               ((120, 40), set())])
async def test_columns_drop_by_priority_to_fit(moto: MotoServer, size: tuple[int, int],
                                               dropped: set[str]) -> None:
    async with running(moto, size) as (_app, _pilot, screen):
        shown = {str(k.value) for k in screen.query_one(AccountsTable).columns}
        assert {"name", "id", "non_compliant", "status"} <= shown
        assert shown.isdisjoint(dropped)
        assert len(shown) == 9 - len(dropped)


async def test_switching_the_caller_returns_to_the_accounts_and_reads_them_again(
        moto: MotoServer) -> None:
    async with running(moto) as (app, pilot, screen):
        screen.query_one(AccountsTable).move_cursor(row=ids(screen).index(DEV))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        moto.faults.clear_requests()
        opts = GlobalOptions(endpoint_url=moto.url, org=True)
        app.switch_connection(make_connector(opts), "other", cache_key=opts.connection_key())
        await until(pilot, lambda: app.screen is screen)
        assert app.bound_account is None
        await until(pilot, lambda: read_done(screen))
        assert moto.faults.count("ListAccounts") >= 1  # read again with the new caller
        assert screen.query_one(OrgHeader).profile == "other"


async def test_refresh_counts_this_read_not_the_rows_already_shown(moto: MotoServer) -> None:
    async with running(moto) as (_app, pilot, screen):
        header = screen.query_one(OrgHeader)
        moto.faults.clear_requests()
        gate = moto.faults.hold("ListUsers")  # every readable account waits on its users
        await pilot.press("r")
        await until(pilot, lambda: header.busy and moto.faults.count("ListUsers") >= 1)
        await pilot.pause()
        # The rows of the first read are still shown, but of this read at most the account
        # whose role is refused has finished.
        assert header.done <= 1 and f"reading {header.done}/{ACTIVE} accounts…" in str(
            header.render())
        gate.set()
        await until(pilot, lambda: read_done(screen))
        assert header.done == ACTIVE


async def test_the_cursor_on_an_unreadable_account_shows_its_sentence(
        moto: MotoServer) -> None:
    async with running(moto) as (_app, pilot, screen):
        note = screen.query_one("#account-note")
        table = screen.query_one(AccountsTable)
        table.move_cursor(row=ids(screen).index(SANDBOX))
        await pilot.pause()
        assert note.display and "Cannot assume role" in str(note.render())
        assert "example-corp-sandbox" in str(note.render())
        table.move_cursor(row=ids(screen).index(DEV))
        await pilot.pause()
        assert not note.display


async def test_the_sort_is_said_in_the_header_and_cached_rows_keep_root_mfa(
        moto: MotoServer) -> None:
    async with running(moto) as (_app, pilot, screen):
        await pilot.press("o", "o")  # the users column: its header has no room for an arrow
        assert "sort users ▲" in screen.query_one(OrgHeader).view_line
        fresh = {a: r.root_mfa_active for a, r in screen.results.items() if r.inventory}
    fresh_read = moto.faults.hold("ListAccounts")  # the fresh read waits at the server
    async with running(moto, seed=False, wait=False) as (_app, pilot, screen):
        await until(pilot, lambda: sum(1 for r in screen.results.values()
                                       if r.inventory is not None) == ACTIVE - 1)
        cached = {a: r.root_mfa_active for a, r in screen.results.items() if r.inventory}
        assert all(r.cached for r in screen.results.values() if r.inventory is not None)
        assert cached == fresh and None not in cached.values()
        fresh_read.set()
