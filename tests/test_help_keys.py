"""The help (`?` opens and closes it) and keys remapped in config.toml, through Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.help import HelpScreen
from mfa_tui.tui.screens.main import MainScreen
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import until

pytestmark = pytest.mark.usefixtures("state_home")


def app_on(moto: MotoServer) -> MfaTuiApp:
    return MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)


def help_lines(app: MfaTuiApp) -> list[str]:
    body = app.screen.query_one("#help-keys", Static)
    return str(body.render()).splitlines()


async def test_question_mark_opens_and_closes_the_help(moto: MotoServer) -> None:
    app = app_on(moto)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("question_mark")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one("#filter").has_class("-shown") is False  # Esc went no further


async def test_the_help_lists_the_screens_own_keys_first_and_fits_80x24(
        moto: MotoServer) -> None:
    app = app_on(moto)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.press("question_mark")
        lines = help_lines(app)
        text = "\n".join(lines)
        assert lines[0].startswith("Main screen")
        for key, what in [("/", "Filter"), ("f", "View"), ("space", "Mark"),
                          ("N", "Mark non-compliant"), ("a", "Attach"), ("P", "Profile")]:
            assert any(f"{key}  {what}" in line for line in lines), (key, text)
        assert isinstance(app.screen, HelpScreen)
        own, everywhere = app.screen.own, app.screen.everywhere
        assert [d for _, d in own][:3] == ["Filter", "View", "Mark"]  # the screen's, first
        assert ("q ^q", "Quit") in everywhere and ("?", "Help") in everywhere
        assert "Focus Next" not in text
        assert "palette" in text
        dialog = app.screen.query_one("#help-dialog")
        region = dialog.region
        assert region.x >= 0 and region.right <= 80 and region.y >= 0 and region.bottom <= 24
        assert len(lines) + 2 <= 24 and max(len(line) for line in lines) <= 76
