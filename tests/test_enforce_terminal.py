"""`mfa-tui apply` in a real terminal (tmux): the confirmation a person types."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.demo.account import seed_account
from tests.fixtures.enforce_support import attached_users
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.terminal import installed_cli

pytestmark = pytest.mark.tmux


def _start(terminal: Any, moto: MotoServer, tmp_path: Path, *args: str) -> Any:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    return terminal([installed_cli(), "--endpoint-url", moto.url, "apply", *args],
                    size=(120, 40), env=env)


def test_many_users_need_the_account_id_typed(terminal: Any, moto: MotoServer, iam: Any,
                                              tmp_path: Path) -> None:
    seed_account(60)
    term = _start(terminal, moto, tmp_path, "--users", "dave,jane.doe@example.com")
    term.wait_for("Type the account id to go ahead:", timeout=30)
    term.type("y")  # a "y" is not enough for two users
    term.send_keys("Enter")
    assert term.wait_exit(timeout=15) == 2
    assert "Not confirmed: nothing was changed." in term.text()
    assert attached_users(iam) == {"heidi", "ivan"}

    term = _start(terminal, moto, tmp_path, "--users", "dave,jane.doe@example.com")
    term.wait_for("Type the account id to go ahead:", timeout=30)
    term.type("123456789012")
    term.send_keys("Enter")
    assert term.wait_exit(timeout=30) == 0
    assert "2 done." in term.text()
    assert attached_users(iam) == {"heidi", "ivan", "dave", "jane.doe@example.com"}


def test_one_user_needs_a_y(terminal: Any, moto: MotoServer, iam: Any,
                            tmp_path: Path) -> None:
    seed_account(60)
    term = _start(terminal, moto, tmp_path, "--users", "dave")
    term.wait_for("Type y to confirm:", timeout=30)
    term.type("y")
    term.send_keys("Enter")
    assert term.wait_exit(timeout=30) == 0
    assert "dave" in attached_users(iam)
