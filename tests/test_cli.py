"""The installed console script, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mfa_tui


def cli() -> str:
    candidate = Path(sys.executable).with_name("mfa-tui")
    found = str(candidate) if candidate.exists() else shutil.which("mfa-tui")
    assert found, "the mfa-tui console script is not installed"
    return found


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cli(), *args], capture_output=True, text=True, timeout=120,
                          env=env or os.environ.copy())


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "report" in result.stdout and "--demo" in result.stdout


def test_version_matches_the_package() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mfa-tui {mfa_tui.__version__}"


def test_demo_report_json_is_clean_and_in_the_design_shape(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    result = run("--demo", "report", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # nothing but JSON on stdout (no moto banner)
    assert report["account"] == "123456789012"
    assert set(report) >= {"account", "generated_at", "sources", "users"}
    assert set(report["sources"]) == {"credential_report_generated_at", "virtual_mfa_listed_at"}
    names = [u["user"] for u in report["users"]]
    assert len(names) == len(set(names)) == 60
    keys = {"user", "arn", "console_access", "mfa_active", "mfa_devices", "mfa_devices_complete",
            "enforcement_attached", "password_last_used", "access_keys_active", "compliant"}
    for user in report["users"]:
        assert set(user) == keys
        assert user["compliant"] == (not user["console_access"] or user["mfa_active"])
        for d in user["mfa_devices"]:
            assert d["type"] in {"virtual", "hardware", "fido"}


def test_demo_users_sizes_the_account() -> None:
    result = run("--demo", "--demo-users", "120", "report", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 121  # header + one row a user


def test_unreachable_endpoint_is_one_sentence_and_exit_2() -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_MAX_ATTEMPTS": "1"}
    # A loopback port with nothing listening: nothing leaves the machine.
    result = run("--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1", "report",
                 env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Cannot reach AWS" in result.stderr


def test_no_credentials_is_explained(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(
        tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true", HOME=str(tmp_path))
    result = run("--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1", "report",
                 env=env)
    assert result.returncode == 2
    assert "No AWS credentials found" in result.stderr
    assert "Traceback" not in result.stderr
