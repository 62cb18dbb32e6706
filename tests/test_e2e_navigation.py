"""End to end in tmux at 80x24 (issue 17): the warnings on the same screen as the field a
person types the confirmation into, and quitting from the enrollment leaves no device behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.demo.account import seed_account
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.terminal import installed_cli

pytestmark = pytest.mark.tmux


def one_line(screen: str) -> str:
    """The screen's words, however they wrapped."""
    return " ".join(screen.split())


def test_the_warnings_are_on_screen_beside_the_confirmation_field(
        terminal: Any, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    term = terminal([installed_cli(), "--demo"], size=(80, 24), env=env)
    term.wait_for("[DEMO]", timeout=30)
    term.wait_for("· devices ", timeout=30)  # the complete read, not the report's table
    term.send_keys("f", "f")
    term.wait_for("non-compliant (15)", timeout=10)
    term.send_keys("N", "a")
    def confirmation_drawn(screen: str) -> bool:  # the frame with the field and its footer
        words = one_line(screen)
        return "type the account id" in words and "PgUp/PgDn Scroll" in words \
            and "Esc backs out" in words

    words = one_line(term.wait_for(confirmation_drawn, timeout=30))
    assert "11 to enforce · 4 already enforced · 0 excluded" in words
    assert "! Access keys used in the last 90 days" in words and "(4 users)" in words
    assert "Esc backs out" in words and "PgUp/PgDn Scroll" in words
    assert "q Quit" not in words  # q quits from the main screen only
    term.send_keys("Escape")
    term.wait_for("q Quit", timeout=10)
    term.send_keys("q")
    assert term.wait_exit(timeout=15) == 0


def unassigned(iam: Any) -> list[str]:
    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    return [d["SerialNumber"] for d in listed]


def test_q_then_ctrl_q_on_the_enrollment_from_e_leaves_no_device(
        terminal: Any, moto: MotoServer, tmp_path: Path) -> None:
    seed_account(60)
    iam = moto.client("iam")
    before = unassigned(iam)  # the demo's own orphan (dave's)
    home = tmp_path / "home"
    env = {"HOME": str(home), **{f"XDG_{n}_HOME": str(home / n.lower())
                                 for n in ("CONFIG", "STATE", "DATA", "CACHE")}}
    term = terminal([installed_cli(), "--endpoint-url", moto.url], size=(80, 24), env=env)
    term.wait_for("admin.breakglass", timeout=30)  # the first row, under the cursor
    devices = iam.list_mfa_devices(UserName="admin.breakglass")["MFADevices"]
    term.send_keys("e")
    term.wait_for("created: it is", timeout=30)
    assert len(unassigned(iam)) == len(before) + 1  # the new device exists
    term.send_keys("q")  # not the top screen: q does nothing here
    term.send_keys("s")  # a key after it still reaches the screen: q did not quit
    term.wait_for("Secret (TOTP", timeout=10)
    assert not term.is_dead()
    term.send_keys("C-q")
    term.wait_for("Quit mfa-tui?", timeout=10)
    assert "deletes the device" in one_line(term.text())
    term.send_keys("y")
    term.wait_exit(timeout=30)
    assert unassigned(iam) == before
    assert iam.list_mfa_devices(UserName="admin.breakglass")["MFADevices"] == devices
