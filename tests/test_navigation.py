"""One navigation model (issue 17): Esc goes back on every screen, `q` quits only from the
top screen and asks first while something is in flight, and every screen's footer shows only
keys that work there.

Pilot at 80x24 against the demo account on the harness's moto server; journals go to a tmp
state dir.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from mfa_tui.aws.enroll import discard_open_enrollments
from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.confirm import ConfirmScreen
from mfa_tui.tui.screens.device_actions import RemoveDeviceScreen, ResyncDeviceScreen
from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen
from mfa_tui.tui.screens.enroll import EnrollScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.profile_picker import ProfilePickerScreen
from mfa_tui.tui.screens.run_results import RunResultsScreen
from mfa_tui.tui.screens.user_detail import UserDetailScreen
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import enroll_from_the_qr, loaded, until

pytestmark = pytest.mark.usefixtures("state_home")


@pytest.fixture(autouse=True)
def _no_enrollment_outlives_its_test(moto: MotoServer) -> Iterator[None]:
    yield
    discard_open_enrollments()


@asynccontextmanager
async def main_screen(moto: MotoServer, seen: list[Message] | None = None,
                      users: int = 60) -> AsyncIterator[tuple[MfaTuiApp, Pilot[int]]]:
    seed_account(users)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    hook = seen.append if seen is not None else None
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await until(pilot, lambda: loaded(app))
        yield app, pilot


def footer_keys(app: MfaTuiApp) -> list[str]:
    """The keys the footer of the current screen shows."""
    return [b.binding.key for b in app.screen.active_bindings.values()
            if b.binding.show and b.enabled]


async def go_to(pilot: Pilot[int], user: str) -> None:
    await pilot.press("slash", *user, "enter")


async def open_detail(pilot: Pilot[int]) -> None:
    await go_to(pilot, "alice")
    await pilot.press("enter")
    screen = pilot.app.screen
    assert isinstance(screen, UserDetailScreen)
    await until(pilot, lambda: screen.detail is not None)


async def open_preview(pilot: Pilot[int], key: str) -> None:
    await go_to(pilot, "aiko.lind")
    await pilot.press(key)
    screen = pilot.app.screen
    assert isinstance(screen, EnforcePreviewScreen)
    body = screen.query_one("#preview-body", Static)
    await until(pilot, lambda: not str(body.render()).startswith("Reading"))


async def open_results(pilot: Pilot[int]) -> None:
    await open_preview(pilot, "a")
    await pilot.press("Y", "enter")  # a capital Y confirms one user too
    await until(pilot, lambda: isinstance(pilot.app.screen, RunResultsScreen))


async def open_enroll(pilot: Pilot[int]) -> None:
    await go_to(pilot, "grace")
    await pilot.press("e")
    screen = pilot.app.screen
    assert isinstance(screen, EnrollScreen)
    await until(pilot, lambda: screen.state == "scan")


async def open_device_modal(pilot: Pilot[int], key: str) -> None:
    await open_detail(pilot)
    await pilot.press(key)
    await until(pilot, lambda: bool(getattr(pilot.app.screen, "devices", ())))


async def open_picker(pilot: Pilot[int]) -> None:
    await pilot.press("P")
    await until(pilot, lambda: isinstance(pilot.app.screen, ProfilePickerScreen)
                and bool(pilot.app.screen.choices))


Opener = Callable[[Pilot[int]], Awaitable[None]]
SCREENS: dict[str, tuple[Opener, type[Screen[Any]], type[Screen[Any]]]] = {
    # name: (how to get there from the main screen, the screen, the screen Esc returns to)
    "detail": (open_detail, UserDetailScreen, MainScreen),
    "preview": (lambda p: open_preview(p, "p"), EnforcePreviewScreen, MainScreen),
    "confirmation": (lambda p: open_preview(p, "a"), EnforcePreviewScreen, MainScreen),
    "undo": (lambda p: open_preview(p, "ctrl+z"), EnforcePreviewScreen, MainScreen),
    "results": (open_results, RunResultsScreen, MainScreen),
    "enroll": (open_enroll, EnrollScreen, MainScreen),
    "remove device": (lambda p: open_device_modal(p, "D"), RemoveDeviceScreen,
                      UserDetailScreen),
    "resync": (lambda p: open_device_modal(p, "R"), ResyncDeviceScreen, UserDetailScreen),
    "profile picker": (open_picker, ProfilePickerScreen, MainScreen),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_q_only_quits_at_the_top_and_escape_goes_back(moto: MotoServer,
                                                            name: str) -> None:
    opener, kind, back_to = SCREENS[name]
    async with main_screen(moto) as (app, pilot):
        await opener(pilot)
        screen = app.screen
        assert isinstance(screen, kind)
        assert "q" not in footer_keys(app)  # the footer offers only what works here
        assert "escape" in footer_keys(app)
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code is None and app.screen is screen  # q does not quit here
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, back_to))
        assert app.return_code is None


async def test_q_quits_from_the_main_screen(moto: MotoServer) -> None:
    async with main_screen(moto) as (app, pilot):
        assert "q" in footer_keys(app)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
        assert app.return_code == 0


async def test_q_during_a_run_asks_then_cancels_between_users_and_summarises(
        moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    async with main_screen(moto, users=300) as (app, pilot):
        main = app.screen
        assert isinstance(main, MainScreen)
        await pilot.press("N", "a")
        await until(pilot, lambda: getattr(app.screen, "request", None) is not None)
        # The attaches wait at the server until the quit is in: the run cannot end first.
        gate = moto.faults.hold(actions="AttachUserPolicy")
        await pilot.press(*"123456789012", "enter")
        await until(pilot, lambda: moto.faults.count("AttachUserPolicy") >= 2)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)  # asks first
        assert "cancels it between users" in str(
            app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("n")  # not now: the run goes on
        assert isinstance(app.screen, MainScreen) and main.runner.running
        await pilot.press("q", "y")
        await until(pilot, lambda: main.runner.cancel_requested)
        gate.set()  # the calls in flight finish; the rest are skipped
        await until(pilot, lambda: app.return_code is not None)
        marked = len(main.marks)
    assert marked > 10, "the run stopped between users: those it did not reach stay marked"
    assert app.return_value == 1  # users were left undone: the exit code says so
    printed = capsys.readouterr()
    summary = printed.out + printed.err  # printed once the TUI is gone
    assert "Cancelled: " in summary and "a finishes" in summary


async def test_ctrl_q_in_the_enrollment_asks_then_deletes_the_device(
        moto: MotoServer) -> None:
    async with main_screen(moto) as (app, pilot):
        await open_enroll(pilot)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # backs out: the enrollment goes on
        assert isinstance(app.screen, EnrollScreen) and app.screen.state == "scan"
        await pilot.press("ctrl+q", "y")
        await until(pilot, lambda: app.return_code is not None)
    unassigned = moto.client("iam").list_virtual_mfa_devices(AssignmentStatus="Unassigned")
    assert [d["SerialNumber"] for d in unassigned["VirtualMFADevices"]] == [
        "arn:aws:iam::123456789012:mfa/dave"]  # the demo's own orphan, nothing of grace's


async def test_the_enrolled_screen_offers_back_not_cancel(moto: MotoServer) -> None:


    async with main_screen(moto) as (app, pilot):
        await open_enroll(pilot)
        screen = app.screen
        assert isinstance(screen, EnrollScreen)
        labels = {b.binding.description for b in screen.active_bindings.values()
                  if b.enabled and b.binding.show}
        assert "Cancel" in labels and "Back" not in labels
        await enroll_from_the_qr(pilot, screen)
        labels = {b.binding.description for b in screen.active_bindings.values()
                  if b.enabled and b.binding.show}
        assert "Back" in labels and "Cancel" not in labels
        assert "device stays" in str(screen.query_one("#enroll-message", Static).render())
