"""From the table and the user detail: enroll (`e`), remove a lost device (`D`), resync (`R`).

Pilot against the demo account on the harness's moto server. moto does not implement
ResyncMFADevice and never refuses codes: the resync answers are injected with the fault
wrapper (``empty_result`` for success, ``client_error`` for InvalidAuthenticationCode).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from mfa_tui.aws.enroll import discard_open_enrollments
from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.device_actions import RemoveDeviceScreen, ResyncDeviceScreen
from mfa_tui.tui.screens.enroll import EnrollScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.user_detail import UserDetailScreen
from mfa_tui.tui.widgets.code_pair import CodePair
from mfa_tui.tui.widgets.qr_code import QrCode
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import enroll_from_the_qr, loaded, until


@pytest.fixture(autouse=True)
def _no_enrollment_outlives_its_test(moto: MotoServer) -> Iterator[None]:
    yield
    discard_open_enrollments()


@asynccontextmanager
async def on_user(moto: MotoServer, name: str) -> AsyncIterator[tuple[MfaTuiApp, Pilot[int]]]:
    """The main screen with the cursor on ``name``."""
    seed_account(60)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60 and loaded(app))
        await pilot.press("slash", *name, "enter")
        assert table.current is not None and table.current.user == name
        yield app, pilot


def row(app: MfaTuiApp, name: str):
    main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
    return main.inventory.get(name) if main.inventory else None


def message(app: MfaTuiApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_e_enrolls_the_cursor_user_and_the_row_updates(moto: MotoServer) -> None:
    async with on_user(moto, "bob") as (app, pilot):
        assert not row(app, "bob").compliant
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, EnrollScreen)
        await until(pilot, lambda: screen.state == "scan")
        uri = screen.query_one(QrCode).data
        assert uri is not None and "AWS:bob%40example-corp-prod" in uri  # the demo's alias
        await enroll_from_the_qr(pilot, screen)
        assert "✓ bob is enrolled: arn:aws:iam::123456789012:mfa/bob" in message(
            app, "#enroll-message")
        # the row below updated in place, before going back
        await until(pilot, lambda: row(app, "bob").compliant)
        assert [d.type for d in row(app, "bob").mfa_devices] == ["virtual"]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(UsersTable).current.user == "bob"  # type: ignore[union-attr]


async def test_escape_from_e_leaves_nothing(moto: MotoServer) -> None:
    async with on_user(moto, "grace") as (app, pilot):
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, EnrollScreen)
        await until(pilot, lambda: screen.state == "scan")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        iam = moto.client("iam")
        unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")
        assert [d["SerialNumber"] for d in unassigned["VirtualMFADevices"]] == [
            "arn:aws:iam::123456789012:mfa/dave"]  # the demo's own orphan, nothing of grace's


async def test_remove_a_lost_device_confirmed_by_name(moto: MotoServer) -> None:
    async with on_user(moto, "alice") as (app, pilot):
        await pilot.press("enter")
        assert isinstance(app.screen, UserDetailScreen)
        await pilot.press("D")
        modal = app.screen
        assert isinstance(modal, RemoveDeviceScreen)
        await until(pilot, lambda: len(modal.devices) == 1)
        listing = str(modal.query_one(OptionList).get_option_at_index(0).prompt)
        assert listing.startswith("virtual") and "mfa/alice" in listing and "enabled 20" in listing
        assert app.focused is modal.query_one("#remove-name", Input)
        await pilot.press(*"bob", "enter")
        assert "That is not alice" in message(app, "#device-message")
        assert moto.faults.count("DeactivateMFADevice") == 0
        modal.query_one("#remove-name", Input).value = "alice"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, UserDetailScreen))
        iam = moto.client("iam")
        assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
        serials = [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]]
        assert "arn:aws:iam::123456789012:mfa/alice" not in serials
        await until(pilot, lambda: not row(app, "alice").compliant)  # the row follows


async def test_escape_backs_out_of_remove_without_a_call(moto: MotoServer) -> None:
    async with on_user(moto, "alice") as (app, pilot):
        await pilot.press("enter", "D")
        modal = app.screen
        assert isinstance(modal, RemoveDeviceScreen)
        await until(pilot, lambda: len(modal.devices) == 1)
        await pilot.press("escape")
        assert isinstance(app.screen, UserDetailScreen)
        assert moto.faults.mutating_count() == 0


async def test_resync_with_two_codes(moto: MotoServer) -> None:
    """ResyncMFADevice answered by the fault wrapper (moto lacks it)."""
    async with on_user(moto, "erin") as (app, pilot):
        await pilot.press("enter", "R")
        modal = app.screen
        assert isinstance(modal, ResyncDeviceScreen)
        await until(pilot, lambda: len(modal.devices) == 1)  # her FIDO key has no codes
        assert modal.devices[0].type == "virtual"
        pair = modal.query_one(CodePair)
        assert app.focused is pair.field(1)
        moto.faults.client_error("ResyncMFADevice", "InvalidAuthenticationCode", 403,
                                 "Authentication code for device is not valid.", times=1)
        moto.faults.empty_result("ResyncMFADevice")
        pair.field(1).value, pair.field(2).value = "123456", "123456"
        await pilot.press("enter")
        assert "same" in message(app, "#device-message")
        pair.field(2).value = "234567"
        await pilot.press("enter")
        await until(pilot, lambda: "did not accept" in message(app, "#device-message"))
        assert app.focused is pair.field(1) and pair.codes == ("", "")
        pair.field(1).value, pair.field(2).value = "345678", "456789"
        pair.focus_code(2)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, UserDetailScreen))
        assert moto.faults.count("ResyncMFADevice") == 2
