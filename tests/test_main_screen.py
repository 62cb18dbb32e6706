"""The main screen through Pilot, against the demo account on the harness's moto server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot
from textual.widgets import Static

from mfa_tui.core.table_view import View
from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.user_detail import UserDetailScreen
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.pilot_support import loaded, until


@asynccontextmanager
async def running(
    moto, size=(80, 24), users: int = 60
) -> AsyncIterator[tuple[MfaTuiApp, Pilot[int]]]:
    seed_account(users)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == users and loaded(app))
        yield app, pilot


def names(app: MfaTuiApp) -> list[str]:
    return [u.user for u in app.screen.query_one(UsersTable).rows]


async def test_filter_narrows_and_escape_clears(moto) -> None:
    async with running(moto) as (app, pilot):
        await pilot.press("slash", "a", "l", "i")
        assert names(app) == ["alice"]
        await pilot.press("enter")  # keeps the filter, back in the table
        assert app.focused is app.screen.query_one(UsersTable)
        assert names(app) == ["alice"]
        await pilot.press("escape")
        assert len(names(app)) == 60


async def test_filter_matches_names_with_special_characters(moto) -> None:
    async with running(moto) as (app, pilot):
        await pilot.press("slash", *"=report,")
        assert names(app) == ["svc=report,eu"]
        await pilot.press("ctrl+u", *"@example")
        assert names(app) == ["jane.doe@example.com"]


async def test_view_cycles_all_console_non_compliant(moto) -> None:
    async with running(moto) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.inventory
        inv = screen.inventory
        await pilot.press("f")
        assert screen.view is View.CONSOLE
        assert len(names(app)) == inv.console_users
        await pilot.press("f")
        shown = names(app)
        assert len(shown) == inv.non_compliant and "bob" in shown and "alice" not in shown
        header = str(app.screen.query_one(AccountHeader).render())
        assert f"non-compliant ({inv.non_compliant})" in header
        await pilot.press("f")
        assert len(names(app)) == 60


async def test_marks_space_N_U(moto) -> None:
    async with running(moto) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.inventory
        await pilot.press("space")  # first row: admin.breakglass; the cursor moves on
        assert screen.marks == {"admin.breakglass"}
        assert app.screen.query_one(UsersTable).current.user == names(app)[1]  # type: ignore[union-attr]
        await pilot.press("up", "space")
        assert screen.marks == frozenset()
        await pilot.press("N")
        expected = {u.user for u in screen.inventory.users if not u.compliant}
        assert screen.marks == expected
        await pilot.press("U")
        assert screen.marks == frozenset()


async def test_N_marks_only_visible_non_compliant(moto) -> None:
    async with running(moto) as (app, pilot):
        await pilot.press("slash", *"bo", "enter", "N")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.marks == {"bob"}


async def test_refresh_keeps_cursor_and_marks_and_shows_changes(moto) -> None:
    async with running(moto) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, MainScreen)
        table = screen.query_one(UsersTable)
        await pilot.press("slash", *"bob", "enter", "space", "escape")
        table.cursor = names(app).index("bob")
        # bob enrols a device behind our back; a refresh shows it without moving anything.
        iam = moto.client("iam")
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob-phone")[
            "VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName="bob", SerialNumber=serial,
                              AuthenticationCode1="123456", AuthenticationCode2="654321")
        await pilot.press("r")
        await until(pilot, lambda: screen.inventory is not None
                    and screen.inventory.get("bob").compliant)  # type: ignore[union-attr]
        assert table.current and table.current.user == "bob" and table.current.compliant
        assert screen.marks == {"bob"}


async def test_failed_refresh_keeps_the_last_good_data(moto) -> None:
    async with running(moto) as (app, pilot):
        header = app.screen.query_one(AccountHeader)
        moto.faults.server_error(503, actions="ListUsers")
        await pilot.press("r")
        await until(pilot, lambda: bool(header.error))
        assert "Refresh failed" in header.error and "last good data" in header.error
        assert len(names(app)) == 60


async def test_sort_by_header_click_and_o(moto) -> None:
    async with running(moto, size=(120, 40)) as (app, pilot):
        table = app.screen.query_one(UsersTable)
        await pilot.press("o")  # user → state: non-compliant rows first
        assert table.sort_key == "state"
        rows = table.rows
        first_ok = next(i for i, u in enumerate(rows) if u.compliant)
        assert all(not u.compliant for u in rows[:first_ok]) and first_ok > 0
        await pilot.click(UsersTable, offset=(6, 0))  # the "user" header (after "✓*")
        assert table.sort_key == "user"
        await pilot.click(UsersTable, offset=(6, 0))
        assert table.sort_reverse and names(app) == sorted(names(app), key=str.lower, reverse=True)


async def test_enter_opens_the_live_detail_and_updates_the_row(moto) -> None:
    async with running(moto) as (app, pilot):
        main = app.screen
        assert isinstance(main, MainScreen)
        frank = main.inventory.get("frank") if main.inventory else None
        assert frank and not frank.devices_complete  # the report only counts his token
        await pilot.press("slash", *"frank", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, UserDetailScreen)
        body = app.screen.query_one("#detail-body", Static)
        await until(pilot, lambda: "COMPLIANT" in str(body.render()))
        text = str(body.render())
        assert "hardware" in text and "Last sign-in" in text
        await pilot.press("escape")
        assert app.screen is main
        # Opening the user confirmed him live: the row now names the device type.
        await until(pilot, lambda: main.inventory is not None
                    and main.inventory.get("frank").devices_complete)  # type: ignore[union-attr]
        row = main.query_one(UsersTable).current
        assert row and row.user == "frank" and [d.type for d in row.mfa_devices] == ["hardware"]


async def test_detail_of_a_user_deleted_meanwhile_says_so(moto) -> None:
    async with running(moto) as (app, pilot):
        moto.client("iam").delete_login_profile(UserName="grace")
        iam = moto.client("iam")
        for group in iam.list_groups_for_user(UserName="grace")["Groups"]:
            iam.remove_user_from_group(GroupName=group["GroupName"], UserName="grace")
        iam.delete_user(UserName="grace")
        await pilot.press("slash", *"grace", "enter", "enter")
        body = app.screen.query_one("#detail-body", Static)
        await until(pilot, lambda: "There is no IAM user named 'grace'" in str(body.render()))


async def test_palette_offers_the_screen_actions(moto) -> None:
    async with running(moto) as (app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Mark non-compliant")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.inventory
        assert screen.marks == {u.user for u in screen.inventory.users if not u.compliant}
