"""The README's Quickstart is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_commands_one_demo_one_tests() -> None:
    demo, tests = quickstart_commands()
    assert "mfa-tui --demo" in demo
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, tests = quickstart_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_the_main_screen_key_table_lists_every_key_of_the_screen() -> None:
    from textual.binding import Binding

    from mfa_tui.tui.screens.main import MainScreen

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## The main screen", 1)[1].split("**Navigation.**", 1)[0]
    documented = set(re.findall(r"`([^`]+)`", table))
    # every key the footer shows, and the others a user can remap (those with an id)
    keys = [b for b in MainScreen.BINDINGS if isinstance(b, Binding) and (b.show or b.id)]
    assert len(keys) >= 12
    for binding in keys:
        key = binding.key_display or binding.key
        assert key in documented, f"{key} ({binding.description}) is not in the README"
