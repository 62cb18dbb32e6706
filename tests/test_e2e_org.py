"""`mfa-tui --demo --org` in a real 80x24 terminal: the accounts screen, into an account, back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fixtures.terminal import TerminalFactory, installed_cli

pytestmark = pytest.mark.tmux


def test_demo_org_drills_into_an_account_and_back_at_80x24(
        terminal: TerminalFactory, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    term = terminal([installed_cli(), "--demo", "--org"], size=(80, 24), env=env)
    screen = term.wait_for(lambda s: "organization o-exmpl2026ab" in s and "error" in s
                           and "reading" not in s, timeout=60)
    assert "example-corp-dev" in screen and "210987654321" in screen
    assert "example-corp-legacy" not in screen  # suspended: not an ACTIVE account
    assert "Traceback" not in screen
    term.send_keys("/")
    term.type("dev")
    term.send_keys("Enter")
    term.wait_for(lambda s: "(1)" in s and "example-corp-staging" not in s, timeout=10)
    term.send_keys("Enter")  # the dev account's users screen, through its role
    screen = term.wait_for(lambda s: "kai.ito" in s and "devices" in s, timeout=30)
    # The header names the caller in that account: an STS session of the member account,
    # not the management caller (at 80 columns, after the [DEMO] badge and the root MFA, the
    # ARN is cut inside the account id it repeats).
    assert "[DEMO] example-corp-dev 210987654321" in screen
    assert "as arn:aws:sts::2109876543" in screen
    assert "admin.breakglass" not in screen  # the management account's users stay there
    term.send_keys("Escape")
    screen = term.wait_for(lambda s: "organization o-exmpl2026ab" in s, timeout=10)
    assert "example-corp-dev" in screen and 'filter “dev”' in screen  # as it was
    term.send_keys("q")
    assert term.wait_exit(timeout=15) == 0
