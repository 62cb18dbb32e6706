"""End to end: the installed `mfa-tui --demo` in a real terminal (tmux), as a user starts it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.fixtures.terminal import installed_cli

pytestmark = pytest.mark.tmux


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_demo_opens_fills_the_table_and_quits(terminal, tmp_path, size) -> None:
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



def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                children = [int(c) for c in task.read_text().split()]
            except OSError:
                continue
            found.extend(children)
            todo.extend(children)
    return found


def test_a_real_launch_reads_through_its_helper_and_leaves_no_process(
    terminal, moto, tmp_path,
) -> None:
    """`mfa-tui --endpoint-url` as a user runs it: the prefetch helper reads the account while
    the app starts; the report's table, then the complete read; no helper left behind."""
    from mfa_tui.demo.account import seed_account

    seed_account(60)
    moto.faults.add_latency(1.5, actions="ListUsers")  # time to see the report's table
    moto.faults.clear_requests()
    key = "dummy-e2e-prefetch"  # its own: a thread another test left signs with another
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "AWS_ACCESS_KEY_ID": key}
    term = terminal([installed_cli(), "--endpoint-url", moto.url], size=(80, 24), env=env)
    pane = int(term.display("#{pane_pid}"))
    def report_table(screen: str) -> bool:  # header and rows repaint apart: wait for both
        return "from the credential report alone" in screen and "admin.breakglass" in screen

    screen = term.wait_for(report_table, timeout=30)
    assert "non-compliant" in screen
    assert _descendants(pane), "the helper process should be reading ListUsers now"
    screen = term.wait_for(lambda s: "devices now" in s, timeout=30)
    assert "from the credential report alone" not in screen and "Traceback" not in screen
    reads = [r for r in moto.faults.requests if r.action == "ListUsers" and r.access_key_id == key]
    assert len(reads) == 1  # read once, by the helper
    deadline = time.monotonic() + 10
    while _descendants(pane) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _descendants(pane) == []
    term.send_keys("q")
    assert term.wait_exit(timeout=15) == 0
