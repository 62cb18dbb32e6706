"""End to end: the installed `mfa-tui --demo` in a real terminal (tmux), as a user starts it."""

from __future__ import annotations

import os

import pytest

from tests.fixtures.terminal import installed_cli

pytestmark = pytest.mark.tmux


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_demo_opens_fills_the_table_and_quits(terminal, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    term = terminal([installed_cli(), "--demo"], size=size, env=env)
    screen = term.wait_for("non-compliant", timeout=30)
    assert "example-corp-prod" in screen and "123456789012" in screen
    assert "admin.breakglass" in screen  # the first row, sorted by name
    assert "Traceback" not in screen
    term.send_keys("f", "f")  # → non-compliant view
    screen = term.wait_for("non-compliant (", timeout=10)
    assert "bob" in screen and "alice" not in screen
    term.send_keys("q")
    assert term.wait_exit(timeout=15) == 0

