"""SVG snapshots of the main screens at the sizes people use (80x24 over SSH, 120x40).

Built through the same factory the CLI uses, on the demo account served by moto. Ages in
the demo are relative to now, so the pictures stay the same from run to run.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from tests.fixtures.pilot_support import loaded, until


async def _filled(pilot: Pilot[int]) -> None:
    await until(pilot, lambda: loaded(pilot.app))
    await pilot.pause()


def _app(moto) -> MfaTuiApp:
    seed_account(60)
    return MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_main_screen(snap_compare, moto, size) -> None:
    assert snap_compare(_app(moto), terminal_size=size, run_before=_filled)


def test_main_screen_non_compliant_marked(snap_compare, moto) -> None:
    async def before(pilot: Pilot[int]) -> None:
        await _filled(pilot)
        await pilot.press("f", "f", "N")
        await pilot.pause()

    assert snap_compare(_app(moto), terminal_size=(80, 24), run_before=before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_enforcement_preview(snap_compare, moto, size, state_home) -> None:

    async def before(pilot: Pilot[int]) -> None:
        await _filled(pilot)
        await pilot.press("N", "a")
        def settled() -> bool:  # the plan is shown, the field focused, the footer redrawn
            screen = pilot.app.screen
            keys = {getattr(k, "key", "") for k in screen.query("FooterKey")}
            return (getattr(screen, "request", None) is not None
                    and pilot.app.focused is screen.query_one("#confirm")
                    and "pageup" in keys and "a" not in keys)

        await until(pilot, settled)
        await pilot.pause()

    assert snap_compare(_app(moto), terminal_size=size, run_before=before)
