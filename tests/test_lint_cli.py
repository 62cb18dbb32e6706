"""`mfa-tui lint FILE [--scp]`, run as installed: findings, exit codes, no AWS needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mfa_tui.core.policy_templates import ACCEPTED_FINDINGS, TEMPLATES
from tests.fixtures.terminal import installed_cli

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "seed"
POLICIES = ROOT / "mfa_tui" / "core" / "policies"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No credentials and an endpoint nothing listens on: lint must not need AWS."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("AWS_") and k not in ("FORCE_COLOR", "NO_COLOR")}
    clean.update(XDG_STATE_HOME=str(tmp_path / "state"), AWS_ENDPOINT_URL="http://127.0.0.1:9",
                 AWS_CONFIG_FILE=str(tmp_path / "none"),
                 AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    return clean


def lint(env: dict[str, str], *args: str, stdin: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([installed_cli(), "lint", *args], capture_output=True, text=True,
                          timeout=60, env=env, input=stdin)


def test_seed_scp_is_flagged_with_exit_1(env: dict[str, str]) -> None:
    result = lint(env, str(SEED / "scp-enforce-mfa.json"), "--scp")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].endswith("(service control policy): 3 error(s), 3 warning(s)")
    assert any(line.split()[:2] == ["error", "scp-blocks-roles:"] for line in lines[1:])
    assert any(line.split()[:2] == ["error", "scp-allow:"] for line in lines[1:])


def test_seed_identity_policy_is_flagged(env: dict[str, str]) -> None:
    result = lint(env, str(SEED / "enforce-mfa-policy.json"))
    assert result.returncode == 1
    assert "unscoped-self-service: Statement AllowManageOwnVirtualMFADevice" in result.stdout


def test_invalid_json_is_a_finding_not_a_crash(env: dict[str, str]) -> None:
    result = lint(env, str(SEED / "enforce-mfa-policy.bash-output.json"))
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "invalid-json: The policy is not valid JSON (line 21, column 48)" in result.stdout


@pytest.mark.parametrize("name", sorted(set(TEMPLATES) - set(ACCEPTED_FINDINGS)))
def test_our_templates_are_clean_with_exit_0(env: dict[str, str], name: str) -> None:
    path = POLICIES / f"{name}.json"
    result = lint(env, str(path), *(["--scp"] if "scp" in name else []))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"{path}: no findings (")
    assert "of 5,120 characters" in result.stdout if "scp" in name else "of 6,144" in result.stdout


def test_a_finding_a_template_carries_on_purpose_is_still_reported(env: dict[str, str]
                                                                   ) -> None:
    # `scp --scope console` uses Bool on purpose (long-term keys keep working); `lint` reads
    # the file without that intent and says what it does.
    path = POLICIES / "safe-scp-console.json"
    result = lint(env, str(path), "--scp")
    assert result.returncode == 1
    assert "mfa-bool-in-deny" in result.stdout and "1 error(s), 0 warning(s)" in result.stdout


def test_stdin(env: dict[str, str]) -> None:
    text = (POLICIES / "enforce-mfa.json").read_text(encoding="utf-8")
    result = lint(env, "-", stdin=text)
    assert result.returncode == 0 and result.stdout.startswith("<stdin>: no findings")


@pytest.mark.parametrize(("case", "reason"), [
    ("missing", "No such file or directory"),
    ("directory", "Is a directory"),
    ("not-utf8", "it is not UTF-8 text (byte 0xff at offset 13)"),
])
def test_unreadable_file_is_one_sentence_with_exit_2(env: dict[str, str], tmp_path: Path,
                                                     case: str, reason: str) -> None:
    path = tmp_path / case
    if case == "directory":
        path.mkdir()
    elif case == "not-utf8":
        path.write_bytes(b'{"Version": "\xff"}')
    result = lint(env, str(path))
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"mfa-tui: cannot read {path}: ") and reason in line


def test_stdin_that_is_not_utf8_is_exit_2_like_a_file(env: dict[str, str]) -> None:
    result = subprocess.run([installed_cli(), "lint", "-"], input=b'{"Version": "\xff"}',
                            capture_output=True, timeout=60, env=dict(env, LC_ALL="C"))
    assert result.returncode == 2 and result.stdout == b""
    (line,) = result.stderr.decode().splitlines()
    assert line == ("mfa-tui: cannot read <stdin>: it is not UTF-8 text "
                    "(byte 0xff at offset 13).")


def test_lint_never_loads_the_aws_sdk(env: dict[str, str]) -> None:
    code = ("import sys\nfrom mfa_tui.cli import main\n"
            f"rc = main(['lint', {str(POLICIES / 'safe-scp.json')!r}, '--scp'])\n"
            "print('sdk' if 'botocore' in sys.modules else 'no sdk', rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.stdout.splitlines()[-1] == "no sdk 0", result.stderr
