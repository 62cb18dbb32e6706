"""`mfa-tui check` starts lean and ends at once: one subparser, nothing it does not need,
no interpreter teardown after the answer, and nothing lost on the way out.

benchmarks/check.py measures the time; these tests hold what the speed must not cost.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from mfa_tui import cli
from mfa_tui.engine.launch_options import command_of
from tests.fixtures.moto_server import MotoServer
from tests.test_check import cli as console_script

pytestmark = pytest.mark.usefixtures("state_home")


@pytest.mark.parametrize("argv", [
    ["check", "alice"],
    ["--endpoint-url", "http://127.0.0.1:9", "--region=eu-west-1", "check", "bob",
     "--format", "json"],
    ["--org", "--org-role", "Audit", "check", "carol", "--account", "210987654321"],
    ["--profile", "check", "check", "x,y@z"],  # a profile named like the command
    ["report", "--format", "csv", "--non-compliant", "--exit-code"],
    ["--demo", "--demo-users", "10", "enroll", "alice", "--hardware", "GAHT12345678"],
    ["enroll", "--fido"],
    ["lint", "-", "--scp"],
    ["scp", "plan", "--scope", "all", "--format", "terraform"],
    ["plan", "--users", "a,b", "--exclude", "c", "--via-group", "G"],
    ["apply", "--non-compliant", "--yes", "--workers", "4", "--account", "210987654321"],
    ["undo", "20261201T000000Z-abcd"],
    ["profile", "add", "prod", "--access-key-id", "AKIA0000", "--region", "eu-west-1"],
    ["profile", "list"],
])
def test_the_one_command_parser_reads_argv_as_the_full_parser_does(argv: list[str]) -> None:
    command = command_of(argv)
    assert command == next(word for word in argv if word in cli.COMMANDS)
    lean = cli.build_parser(command)
    assert vars(lean.parse_args(argv)) == vars(cli.build_parser().parse_args(argv))
    with pytest.raises(SystemExit):  # it holds that command only
        lean.parse_args(["lint", "-"] if command != "lint" else ["check", "alice"])


@pytest.mark.parametrize("argv", [
    ["--help"], ["--version"], ["--prof", "ops", "check", "alice"],  # an abbreviation
    ["--region"], ["--region", "--profile", "x", "check", "a"], ["--demo=1", "check", "a"],
    ["--", "check", "a"], ["--endpoint-url"],
])
def test_unsure_argv_gets_the_whole_parser(argv: list[str]) -> None:
    assert command_of(argv) is None


@pytest.mark.parametrize("argv", [
    [], ["--endpoint-url", "http://127.0.0.1:9", "--region=eu-west-1"], ["--demo"],
    ["--org", "--accounts", "111111111111,222222222222", "--org-workers", "4"],
    ["--profile", "prod", "--demo-users=500"],
])
def test_a_tui_launch_builds_no_command_parser(argv: list[str]) -> None:
    """The TUI's first paint does not wait for the commands' parsers (and their modules)."""
    assert command_of(argv) == ""
    lean = cli.build_parser("")
    assert vars(lean.parse_args(argv)) == vars(cli.build_parser().parse_args(argv))
    assert lean.parse_args(argv).command is None
    with pytest.raises(SystemExit):
        lean.parse_args(["check", "alice"])


def test_a_mistyped_command_still_lists_every_command() -> None:
    result = subprocess.run([console_script(), "chek", "alice"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "invalid choice: 'chek'" in result.stderr
    for command in ("report", "check", "enroll", "plan", "apply", "undo", "profile"):
        assert repr(command) in result.stderr


def _imported(stderr: str) -> set[str]:
    """Module names from ``PYTHONPROFILEIMPORTTIME``'s lines (`-X importtime`)."""
    return {m.group(1) for m in re.finditer(r"^import time:.*\|\s+(\S+)\s*$", stderr, re.M)}


def test_check_loads_nothing_it_does_not_need(demo: MotoServer) -> None:
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    env.pop("MFA_TUI_NO_PREFETCH", None)
    result = subprocess.run([console_script(), "--endpoint-url", demo.url, "check", "alice"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("✓ COMPLIANT: alice")
    modules = _imported(result.stderr)
    # (importlib.import_module, as cli.py loads a command, is not listed; what it imports is)
    assert {"botocore.session", "mfa_tui.aws.user_detail"} <= modules
    tops = {name.split(".")[0] for name in modules}
    assert not tops & {"textual", "rich", "keyring", "boto3", "moto", "pyotp"}
    assert not modules & {
        "mfa_tui.engine.prefetch",  # no helper process for a command
        "mfa_tui.commands.enroll", "mfa_tui.commands.enforcement_cli",
        "mfa_tui.commands.profile", "mfa_tui.commands.report", "mfa_tui.tui",
    }


def test_the_answer_and_the_log_are_complete_when_it_ends(demo: MotoServer,
                                                          state_home: Path) -> None:
    """check and report end without the interpreter's teardown: what they wrote to a pipe
    and to the log is all there, and the exit code is the answer's."""
    # Block-buffered output, as a user's shell gives a pipe (this harness may set it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    report = subprocess.run([console_script(), "--endpoint-url", demo.url, "report",
                             "--format", "json", "--exit-code"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert len(report.stdout) > 16 * 1024  # more than one pipe buffer's worth
    assert len(json.loads(report.stdout)["users"]) == 60
    assert report.returncode == 1  # the demo account has non-compliant users

    demo.faults.access_denied(actions="ListGroupsForUser")
    check = subprocess.run([console_script(), "--endpoint-url", demo.url, "check", "bob"],
                           capture_output=True, text=True, timeout=120, env=env)
    assert check.returncode == 1, check.stderr
    assert check.stdout.startswith("✗ NOT COMPLIANT: bob")
    log = (state_home / "mfa-tui" / "mfa-tui.log").read_text()
    assert re.search(r"WARNING mfa_tui\.aws\.user_detail: groups of bob failed", log)
