"""Every name IAM allows can be selected (issue 13): `--user NAME` takes a name as it is, so
`a,b` works; a selector that names nobody, or a user who does not exist, is exit 2 with a
sentence naming them, never "nothing to do". Installed CLI against the moto server.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.enforce_support import attached_users, run_cli
from tests.fixtures.moto_server import MotoServer

COMMA, EVERY = "a,b", "x+=,.@-_"  # IAM user names: letters, digits and +=,.@-_


@pytest.fixture
def odd(moto: MotoServer, iam: Any) -> MotoServer:
    """Console users without MFA whose names hold commas, and the halves of one of them."""
    for name in (COMMA, EVERY, "a", "b"):
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Odd-Names-Password-1!")
    moto.faults.clear_requests()
    return moto


def test_user_takes_a_name_with_a_comma_as_it_is(odd: MotoServer, iam: Any) -> None:
    result = run_cli(odd, "apply", "--user", COMMA, "--user", EVERY, "--yes")
    assert result.returncode == 0, result.stderr
    assert attached_users(iam) == {COMMA, EVERY}  # not "a" and "b"


def test_users_still_splits_on_commas(odd: MotoServer, iam: Any) -> None:
    result = run_cli(odd, "apply", "--users", COMMA, "--yes")
    assert result.returncode == 0, result.stderr
    assert attached_users(iam) == {"a", "b"}


def test_plan_shows_the_name_whole(odd: MotoServer) -> None:
    result = run_cli(odd, "plan", "--user", EVERY)
    assert result.returncode == 0, result.stderr
    assert EVERY in result.stdout and odd.faults.mutating_count() == 0


def test_exclude_user_takes_a_name_as_it_is(odd: MotoServer, iam: Any) -> None:
    result = run_cli(odd, "apply", "--user", COMMA, "--user", "a", "--exclude-user", COMMA,
                     "--yes")
    assert result.returncode == 0, result.stderr
    assert attached_users(iam) == {"a"}


@pytest.mark.parametrize(("args", "said"), [
    (["--users", ",,,"], "--users ',,,' names no user"),
    (["--users", ""], "--users '' names no user"),
    (["--user", ""], "--user '' names no user"),
    (["--users", "a,nobody,ghost"], "No IAM user named 'ghost', 'nobody' in account "
                                    "123456789012"),
    (["--user", "a;b"], "No IAM user named 'a;b'"),
    (["--user", "a", "--exclude", "breakglas"], "No IAM user named 'breakglas' in account "
                                                "123456789012: check the spelling (--exclude"),
])
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_a_selector_naming_nobody_is_exit_2_with_a_sentence(
        odd: MotoServer, command: str, args: list[str], said: str) -> None:
    result = run_cli(odd, command, *args, *(["--yes"] if command == "apply" else []))
    assert result.returncode == 2, result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert said in line and "Traceback" not in result.stderr
    assert "already enforced" not in result.stdout + result.stderr
    assert odd.faults.mutating_count() == 0
