"""Shared test harness: real parts (moto server, keyrings, tmux, a QR decoder)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.moto_server",
    "tests.fixtures.keyrings",
    "tests.fixtures.terminal",
    "tests.fixtures.profile_helpers",  # any_keyring: the file keyring and the Secret Service
    "tests.fixtures.terraform",  # terraform_env: the real binary, provider from a mirror
]


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_STATE_HOME in the test's temp dir: journals, log and cache stay out of HOME."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def demo(moto):
    """The 60-user demo account on the harness's moto server, with the request log cleared."""
    from mfa_tui.demo.account import seed_account

    seed_account(60)
    moto.faults.clear_requests()
    return moto
