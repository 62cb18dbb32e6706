"""Enforcement from the keyboard (issue 6): preview, confirm, apply with progress, cancel, undo.

Pilot against the demo account on the harness's moto server; every journal goes to a tmp
state dir.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.run_results import RunResultsScreen
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.pilot_support import until, workers_done

pytestmark = pytest.mark.usefixtures("state_home")

ACCOUNT = "123456789012"
POLICY = f"arn:aws:iam::{ACCOUNT}:policy/EnforceMFAPolicy"


@asynccontextmanager
async def running(
    moto, size=(80, 24), users: int = 60
) -> AsyncIterator[tuple[MfaTuiApp, Pilot[int], MainScreen]]:
    seed_account(users)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        await until(pilot, lambda: main.inventory is not None)
        yield app, pilot, main


async def results_shown(pilot: Pilot[int]) -> None:
    """The run's worker finished, and its results screen is up."""
    await workers_done(pilot)
    await until(pilot, lambda: isinstance(pilot.app.screen, RunResultsScreen))


def directly_attached(moto) -> set[str]:
    iam = moto.client("iam")
    return {u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=POLICY)["PolicyUsers"]}


async def preview_ready(pilot: Pilot[int]) -> EnforcePreviewScreen:
    screen = pilot.app.screen
    assert isinstance(screen, EnforcePreviewScreen)
    await until(pilot, lambda: screen.request is not None)
    return screen


async def test_mark_N_attach_type_account_id_enforces_and_updates_rows(moto) -> None:
    async with running(moto) as (app, pilot, main):
        await pilot.press("N")
        marked = set(main.marks)
        before = directly_attached(moto)
        await pilot.press("a")
        screen = await preview_ready(pilot)
        box = screen.query_one("#confirm", Input)
        assert app.focused is box  # `a` opens the preview with the confirmation focused
        assert ACCOUNT in str(screen.query_one("#confirm-label", Static).render())
        await pilot.press(*ACCOUNT, "enter")
        await results_shown(pilot)
        attached = directly_attached(moto)
        # Everyone marked and not already enforced (bob, grace... via Developers) is now.
        assert marked - before - {"bob", "grace", "sven.tanaka"} <= attached
        assert "aiko.lind" in attached and "jane.doe@example.com" in attached
        await pilot.press("escape")
        await until(pilot, lambda: main.inventory is not None and main.inventory.get(
            "aiko.lind").enforcement_attached)  # type: ignore[union-attr]
        assert main.marks == frozenset()  # nothing failed: nothing left marked
        row = next(u for u in main.query_one(UsersTable).rows if u.user == "aiko.lind")
        assert row.enforcement_attached


async def test_escape_at_the_confirmation_changes_nothing(moto) -> None:
    async with running(moto) as (app, pilot, main):
        await pilot.press("N", "a")
        await preview_ready(pilot)
        moto.faults.clear_requests()
        await pilot.press("escape")
        assert app.screen is main
        await pilot.pause(0.2)
        assert moto.faults.mutating_count() == 0
        assert main.marks  # the marks are still there for another try


async def test_a_wrong_account_id_is_refused(moto) -> None:
    async with running(moto) as (app, pilot, _main):
        await pilot.press("N", "a")
        screen = await preview_ready(pilot)
        moto.faults.clear_requests()
        await pilot.press(*"210987654321", "enter")
        assert app.screen is screen
        assert "not the account id" in str(screen.query_one("#confirm-label", Static).render())
        assert moto.faults.mutating_count() == 0


async def test_one_user_is_confirmed_with_y(moto) -> None:
    async with running(moto) as (_app, pilot, _main):
        await pilot.press("slash", *"aiko.lind", "enter")
        await pilot.press("a")
        screen = await preview_ready(pilot)
        assert "Type y" in str(screen.query_one("#confirm-label", Static).render())
        await pilot.press("y", "enter")
        await results_shown(pilot)
        assert "aiko.lind" in directly_attached(moto)


async def test_p_shows_the_preview_without_changing_anything(moto) -> None:
    async with running(moto, size=(120, 40)) as (_app, pilot, _main):
        moto.faults.clear_requests()
        await pilot.press("N", "p")
        screen = await preview_ready(pilot)
        body = str(screen.query_one("#preview-body", Static).render())
        assert "EnforceMFAPolicy" in body and "aiko.lind" in body
        assert "already enforced" in body  # bob, via the Developers group
        assert not screen.query_one("#confirm", Input).display
        await pilot.press("escape")
        assert moto.faults.mutating_count() == 0


async def test_cancel_half_way_then_apply_again_finishes(moto) -> None:
    async with running(moto, users=300) as (_app, pilot, main):
        await pilot.press("N", "a")
        await preview_ready(pilot)
        # The attaches wait at the server until the cancel is in: however slow the machine,
        # the run cannot finish before Esc arrives (with a fixed latency it sometimes did).
        gate = moto.faults.hold(actions="AttachUserPolicy")
        await pilot.press(*ACCOUNT, "enter")
        await until(pilot, lambda: moto.faults.count("AttachUserPolicy") >= 2)
        await pilot.press("escape")  # cancels the run between users
        # Esc handled: the run's cancel event is set (the worker checks it between users).
        await until(pilot, lambda: main.runner.cancel_requested)
        gate.set()  # the calls in flight finish and are journaled; the rest are skipped
        await results_shown(pilot)
        first = directly_attached(moto)
        await pilot.press("escape")
        left = set(main.marks)
        assert len(left) > 10, "users the cancelled run did not reach stay marked"
        assert not left & first
        # A later apply finishes the job (it resumes the journaled run).
        moto.faults.reset_faults()
        await pilot.press("a")
        screen = await preview_ready(pilot)
        word = "y" if "Type y" in str(screen.query_one("#confirm-label", Static).render()) \
            else ACCOUNT
        await pilot.press(*word, "enter")
        await results_shown(pilot)
        assert left <= directly_attached(moto)


async def test_undo_last_run_from_the_palette(moto) -> None:
    async with running(moto) as (_app, pilot, _main):
        await pilot.press("slash", *"aiko.lind", "enter", "a")
        await preview_ready(pilot)
        await pilot.press("y", "enter")
        await results_shown(pilot)
        await pilot.press("escape")
        assert "aiko.lind" in directly_attached(moto)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Undo last run")
        await pilot.pause(0.3)
        await pilot.press("enter")
        screen = await preview_ready(pilot)
        assert "aiko.lind" in str(screen.query_one("#preview-body", Static).render())
        await pilot.press("y", "enter")
        await results_shown(pilot)
        assert "aiko.lind" not in directly_attached(moto)


async def test_a_lock_out_blocker_hides_the_confirmation(moto) -> None:
    # The caller (moto's dummy key signs as "moto") is a console user without MFA: marked with
    # the others (N) and named in the plan, the lock-out check blocks it.
    iam = moto.client("iam")
    iam.create_user(UserName="moto")
    iam.create_login_profile(UserName="moto", Password="Moto-Password-1!")
    async with running(moto) as (app, pilot, main):
        await pilot.press("N")
        assert "moto" in main.marks
        before = directly_attached(moto)
        await pilot.press("a")
        screen = await preview_ready(pilot)
        body = str(screen.query_one("#preview-body", Static).render())
        assert "Attaching the policy to moto would lock you out" in body
        assert screen.query_one("#confirm", Input).display is False  # no field to type in
        assert "Blocked" in str(screen.query_one("#confirm-label", Static).render())
        await pilot.press(*ACCOUNT, "enter")  # typing the account id does nothing
        assert isinstance(app.screen, EnforcePreviewScreen)
        await pilot.press("escape")
        assert directly_attached(moto) == before
