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
        # q quits from the top screen only (its own key); ctrl+q from anywhere (issue 17)
        assert ("q", "Quit") in own
        assert ("^q", "Quit") in everywhere and ("?", "Help") in everywhere
        assert "Focus Next" not in text
        assert "palette" in text
        dialog = app.screen.query_one("#help-dialog")
        region = dialog.region
        assert region.x >= 0 and region.right <= 80 and region.y >= 0 and region.bottom <= 24
        assert len(lines) + 2 <= 24 and max(len(line) for line in lines) <= 76


# ----------------------------------------------------------------- keys from config.toml


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    folder = tmp_path / "config" / "mfa-tui"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(text)


def toasts(app: MfaTuiApp) -> list[str]:
    return [str(n.message) for n in app._notifications]  # what the user sees, as toasts


async def test_a_remapped_key_replaces_the_default(
        moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch, '[keys]\nview = "v"\nhelp = "h"\n')
    app = app_on(moto)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        first = screen.view
        await pilot.press("f")  # no longer bound
        assert screen.view == first
        await pilot.press("v")
        assert screen.view == first.next()
        await pilot.press("h")
        assert isinstance(app.screen, HelpScreen)
        assert any("v  View" in line for line in help_lines(app))  # shown as remapped
        await pilot.press("h")
        assert app.screen is screen
        await pilot.pause()
        assert toasts(app) == []


async def test_a_bad_id_or_key_is_one_sentence_and_the_rest_applies(
        moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch,
                 '[keys]\nvew = "v"\nfilter = "ctrl+"\nmark = 5\nview = "v"\n')
    app = app_on(moto)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(toasts(app)) == 3)
        said = toasts(app)
        assert any("no key binding 'vew'" in t and "view" in t for t in said)
        assert any("filter = 'ctrl+' is not a key" in t for t in said)
        assert any("mark = 5 is not a key" in t for t in said)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        first = screen.view
        await pilot.press("v")  # the good line applies
        assert screen.view == first.next()
        await pilot.press("slash")  # the bad one left the default
        assert app.focused is screen.query_one("#filter")


async def test_a_config_file_that_is_not_toml_is_one_sentence(
        moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path, monkeypatch, "[keys\nview = v\n")
    app = app_on(moto)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(toasts(app)) == 1)
        [said] = toasts(app)
        assert "config.toml could not be read" in said and "not remapped" in said
        assert isinstance(app.screen, MainScreen)


def test_every_screens_bindings_can_be_remapped() -> None:
    """The ids config.toml is checked against are every binding id the app defines, the
    accounts screen and the dialogs included (a fresh process: nothing imported before)."""
    import subprocess
    import sys

    every = (
        "import importlib, pkgutil\n"
        "import mfa_tui.tui.app\n"
        "from textual.binding import Binding\n"
        "from textual.dom import DOMNode\n"
        "for package in ('mfa_tui.tui.screens', 'mfa_tui.tui.widgets'):\n"
        "    for m in pkgutil.iter_modules(importlib.import_module(package).__path__):\n"
        "        importlib.import_module(f'{package}.{m.name}')\n"
        "ids, todo = set(), [DOMNode]\n"
        "while todo:\n"
        "    cls = todo.pop(); todo.extend(cls.__subclasses__())\n"
        "    ids |= {b.id for b in cls.__dict__.get('BINDINGS', ()) if isinstance(b, Binding)"
        " and b.id and cls.__module__.startswith('mfa_tui.')}\n"
        "print(sorted(ids))\n")
    checked = "from mfa_tui.tui.keymap import binding_ids\nprint(sorted(binding_ids()))\n"
    results = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, timeout=60).stdout for code in (every, checked)]
    assert results[0] == results[1]
    assert all(f"'{i}'" in results[1] for i in ("view-accounts", "sort-accounts",
                                                 "confirm-yes", "cancel-serial", "hardware"))
