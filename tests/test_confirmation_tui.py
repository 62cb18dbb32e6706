"""A confirmation you can trust, at 80x24 (issue 17): the plan's counts and every warning
beside the field, the connection always named, actions that do not apply say why, sorting
and row markers readable without colour, results that lead with what happened.

Pilot against the demo account on the harness's moto server; journals go to a tmp state dir.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.containers import VerticalScroll
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.device_actions import RemoveDeviceScreen
from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.profile_picker import ProfilePickerScreen
from mfa_tui.tui.screens.run_results import RunResultsScreen
from mfa_tui.tui.screens.user_detail import UserDetailScreen
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import loaded, until

pytestmark = pytest.mark.usefixtures("state_home")
ACCOUNT = "123456789012"


@asynccontextmanager
async def started(moto: MotoServer, seen: list[Message] | None = None, *, demo: bool = False,
                  size: tuple[int, int] = (80, 24),
                  ) -> AsyncIterator[tuple[MfaTuiApp, Pilot[int], MainScreen]]:
    seed_account(60)
    # --demo's labels on the harness's server (the embedded demo server is the e2e's part)
    options = GlobalOptions(endpoint_url=moto.url, demo=demo)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), demo=demo,
                    options=options, refresh_interval=0)
    async with app.run_test(size=size, message_hook=seen.append if seen is not None
                            else None) as pilot:
        await until(pilot, lambda: loaded(app))
        main = app.screen
        assert isinstance(main, MainScreen)
        yield app, pilot, main


def toasts(seen: list[Message]) -> list[str]:
    return [m.notification.message for m in seen if isinstance(m, Notify)]


def text_of(widget: Static) -> str:
    return str(widget.render())


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_confirmation_keeps_counts_and_every_warning_beside_the_field(
        moto: MotoServer, size: tuple[int, int]) -> None:
    async with started(moto, size=size) as (app, pilot, _main):
        await pilot.press("f", "f", "N", "a")
        screen = app.screen
        assert isinstance(screen, EnforcePreviewScreen)
        await until(pilot, lambda: screen.request is not None)
        await pilot.pause()
        plan = screen.request.plan  # type: ignore[union-attr]
        assert plan is not None and plan.warnings
        summary = screen.query_one("#preview-summary", Static)
        field = screen.query_one("#confirm", Input)
        assert app.focused is field
        said = " ".join(text_of(summary).split())
        assert "11 to enforce · 4 already enforced · 0 excluded" in said
        for warning in plan.warnings:  # every warning, whole, with its user count
            assert " ".join(warning.message.split()) in said
            assert f"({len(warning.users)} users)" in said
        # on the same screen as the field (80x24, and 60x20), above it, and not clipped
        needed = summary.get_content_height(screen.size, app.size, summary.content_region.width)
        assert summary.content_region.height >= needed > 1
        assert screen.region.contains_region(summary.region)
        assert summary.region.bottom <= field.region.y
        assert screen.region.contains_region(field.region)
        # PgDn scrolls the preview while the field keeps the focus and what was typed
        await pilot.press(*"1234")
        scroll = screen.query_one("#preview-scroll", VerticalScroll)
        assert scroll.scroll_y == 0
        await pilot.press("pagedown")
        await until(pilot, lambda: scroll.scroll_y > 0)
        assert app.focused is field and field.value == "1234"
        await pilot.press("pageup")
        await until(pilot, lambda: scroll.scroll_y == 0)
        assert "pageup" in [b.binding.key for b in screen.active_bindings.values()
                            if b.binding.show]


async def test_the_header_and_the_picker_say_demo_under_demo(moto: MotoServer) -> None:
    seen: list[Message] = []
    async with started(moto, seen, demo=True) as (app, pilot, main):
        assert text_of(main.query_one(AccountHeader)).startswith("[DEMO] ")
        await pilot.press("P")
        picker = app.screen
        assert isinstance(picker, ProfilePickerScreen)
        options = picker.query_one(OptionList)
        await until(pilot, lambda: options.option_count >= 2)
        first = str(options.get_option_at_index(0).prompt)
        assert first.startswith("● DEMO") and "(active)" in first
        chain = str(options.get_option_at_index(1).prompt)
        assert chain.startswith("  standard AWS credential chain")  # not marked active
        assert options.highlighted == 0
        await pilot.press("enter")  # the demo is already active: nothing to switch
        assert app.screen is picker and app.options.demo
        assert any("already active" in t for t in toasts(seen))


async def test_the_header_names_the_aws_chain_without_a_profile(moto: MotoServer) -> None:
    async with started(moto) as (_app, _pilot, main):
        assert text_of(main.query_one(AccountHeader)).startswith("[AWS chain] ")


async def test_resync_and_remove_without_a_device_say_why_in_a_toast(
        moto: MotoServer) -> None:
    seen: list[Message] = []
    async with started(moto, seen) as (app, pilot, _main):
        await pilot.press("slash", *"aiko.lind", "enter", "enter")
        detail = app.screen
        assert isinstance(detail, UserDetailScreen)
        await until(pilot, lambda: detail.detail is not None)
        for key, verb in (("R", "resync"), ("D", "remove")):
            await pilot.press(key)
            assert app.screen is detail  # no empty dialog
            assert f"aiko.lind has no MFA device to {verb}." in toasts(seen)


async def test_e_on_a_user_with_a_device_says_it_adds_another(moto: MotoServer) -> None:
    seen: list[Message] = []
    async with started(moto, seen) as (_app, pilot, _main):
        await pilot.press("slash", *"alice", "enter", "e")
        assert any("alice already has an MFA device" in t for t in toasts(seen))
        await pilot.press("escape")


async def test_remove_with_two_devices_keeps_the_focus_on_the_name(moto: MotoServer) -> None:
    iam = moto.client("iam")
    async with started(moto) as (app, pilot, _main):
        serials = []
        for name in ("bob-phone", "bob-tablet"):
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)[
                "VirtualMFADevice"]["SerialNumber"]
            iam.enable_mfa_device(UserName="bob", SerialNumber=serial,
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
            serials.append(serial)
        await pilot.press("slash", *"bob", "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, UserDetailScreen)
                    and app.screen.detail is not None)
        await pilot.press("D")
        modal = app.screen
        assert isinstance(modal, RemoveDeviceScreen)
        await until(pilot, lambda: len(modal.devices) == 2)
        assert app.focused is modal.query_one("#remove-name", Input)  # the field to type in
        await pilot.press(*"bob")
        await pilot.press("down")  # chooses the other device; the typed name stays
        assert modal.query_one("#remove-name", Input).value == "bob"
        chosen = modal.chosen
        assert chosen is not None and chosen.serial == modal.devices[1].serial
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is not modal)
        left = iam.list_mfa_devices(UserName="bob")["MFADevices"]
        assert [d["SerialNumber"] for d in left] == [modal.devices[0].serial]


async def test_sort_is_named_in_the_status_line_and_O_reverses_it(moto: MotoServer) -> None:
    async with started(moto) as (_app, pilot, main):
        table = main.query_one(UsersTable)
        header = main.query_one(AccountHeader)
        assert "sort user ▲" in text_of(header)
        first = table.rows[0].user
        await pilot.press("O")
        assert "sort user ▼" in text_of(header)
        assert table.rows[-1].user == first
        await pilot.press("o")
        assert "sort verdict ▲" in text_of(header)  # the next column, ascending again


async def test_rows_resting_on_the_old_report_carry_a_symbol(moto: MotoServer) -> None:
    async with started(moto) as (_app, _pilot, main):
        table = main.query_one(UsersTable)
        stale = [u for u in table.rows if u.stale]
        fresh = [u for u in table.rows if not u.stale]
        assert stale and fresh
        lines = {table.rows[i].user: table.render_line(i + 1).text
                 for i in range(min(len(table.rows), table.size.height - 1))}
        for user, line in lines.items():
            marked = line[2:4].endswith("*")
            assert marked == main.inventory.get(user).stale  # type: ignore[union-attr]
        assert str(len(stale)) + " on the old report" in text_of(main.query_one(AccountHeader))


async def test_no_color_keeps_non_compliant_rows_at_full_intensity(
        moto: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with started(moto) as (app, _pilot, main):
        assert app.no_color
        table = main.query_one(UsersTable)
        bad = table.get_component_rich_style("users-table--bad")
        base = table.rich_style
        assert bad.bold and not bad.dim
        assert bad.color is not None and base.color is not None
        # at least as bright as an ordinary row (red would turn the dimmest grey)
        assert sum(bad.color.get_truecolor()) >= sum(base.color.get_truecolor())
        row = next(i for i, u in enumerate(table.rows) if not u.compliant)
        assert "✗" in table.render_line(row + 1).text


async def test_a_filter_without_a_match_says_so(moto: MotoServer) -> None:
    async with started(moto) as (_app, pilot, main):
        await pilot.press("slash", *"zzz-nobody", "enter")
        table = main.query_one(UsersTable)
        assert not table.rows
        assert "No user matches “zzz-nobody”" in table.render_line(1).text
        assert "no match" in text_of(main.query_one(AccountHeader))


async def test_results_lead_with_the_summary_and_the_next_step(moto: MotoServer) -> None:
    async with started(moto) as (app, pilot, main):
        await pilot.press("slash", *"aiko.lind", "enter", "a")
        await until(pilot, lambda: getattr(app.screen, "request", None) is not None)
        await pilot.press(*"yes", "enter")  # "yes" confirms where y is asked
        await until(pilot, lambda: isinstance(app.screen, RunResultsScreen))
        body = text_of(app.screen.query_one("#results-body", Static)).splitlines()
        assert body[1] == "1 done."
        assert "ctrl+z" in body[2]
        assert "aiko.lind" in "\n".join(body[3:])
        bar = main.query_one("#run-counts", Static)
        assert text_of(bar) == "1 done · ctrl+z undoes this run"


async def test_undo_with_nothing_to_undo_offers_no_apply(moto: MotoServer) -> None:
    async with started(moto) as (app, pilot, _main):
        await pilot.press("ctrl+z")
        screen = app.screen
        assert isinstance(screen, EnforcePreviewScreen)
        body = screen.query_one("#preview-body", Static)
        await until(pilot, lambda: "nothing to undo" in text_of(body))
        shown = [b.binding.key for b in screen.active_bindings.values()
                 if b.binding.show and b.enabled]
        assert "a" not in shown and "escape" in shown


def test_a_cancelled_run_summary_fits_80_columns_with_the_next_step() -> None:
    from mfa_tui.core.run_result import RunResult, StepResult
    from mfa_tui.tui.screens.enforcement_run import result_summary

    steps = tuple([StepResult("attach", f"u{i}", "done") for i in range(3812)]
                  + [StepResult("attach", f"s{i}", "skipped") for i in range(1875)]
                  + [StepResult("attach", "f", "failed", "AccessDenied")])
    summary = result_summary(RunResult("r1", "apply", steps, cancelled=True))
    assert summary == "Cancelled: 3812 done, 1 failed, 1875 skipped · a finishes · ctrl+z undoes"
    assert len(summary) <= 78  # the run line: 80 columns less its padding
