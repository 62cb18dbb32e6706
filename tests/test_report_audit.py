"""`report` for scheduled audits: the root user in the JSON, and `--exit-code` for cron / CI.

The installed command runs against the moto server of the harness (dummy credentials).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from mfa_tui.core.credential_report import root_mfa
from mfa_tui.core.models import RootUser
from mfa_tui.core.root_user import root_text, root_user
from tests.fixtures.moto_server import MotoServer
from tests.test_check import cli
from tests.test_inventory_sources import REPORT_HEADER, report_row

pytestmark = pytest.mark.usefixtures("state_home")


def report(moto: MotoServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([cli(), "--endpoint-url", moto.url, "report", *args],
                          capture_output=True, text=True, timeout=120, env=env)


def json_report(moto: MotoServer, *args: str) -> tuple[int, dict[str, Any]]:
    result = report(moto, "--format", "json", *args)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def console_user(iam: Any, name: str) -> None:
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Correct-Horse-9")


def give_virtual_mfa(iam: Any, name: str) -> None:
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
        "SerialNumber"]
    iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                          AuthenticationCode1="123456", AuthenticationCode2="654321")


def test_json_carries_the_root_user_from_the_account_summary(moto: MotoServer) -> None:
    console_user(moto.client("iam"), "alice")
    code, data = json_report(moto)
    assert code == 0
    # moto's GetAccountSummary says AccountMFAEnabled 0 and has no AccountPasswordPresent:
    # root without MFA, whether it has credentials at all unknown.
    assert data["root"] == {"mfa_active": False, "has_credentials": None,
                            "source": "account summary"}
    assert [u["user"] for u in data["users"]] == ["alice"]
    assert moto.faults.count("GetAccountSummary") == 1


def test_json_root_is_null_when_nothing_says(moto: MotoServer) -> None:
    """GetAccountSummary denied, and moto's report has no <root_account> row."""
    console_user(moto.client("iam"), "alice")
    moto.faults.access_denied(actions="GetAccountSummary")
    result = report(moto, "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["root"]["mfa_active"] is None
    assert "GetAccountSummary" in result.stderr  # said, as a warning, not hidden


def test_exit_code_is_1_while_anyone_fails_iam5_and_0_once_fixed(moto: MotoServer) -> None:
    iam = moto.client("iam")
    console_user(iam, "alice")
    iam.create_user(UserName="ci-bot")  # no console password: IAM.5 does not apply

    assert report(moto).returncode == 0  # without --exit-code a finding is not a failure
    for fmt in ("table", "json", "csv"):
        result = report(moto, "--exit-code", "--format", fmt)
        assert result.returncode == 1, (fmt, result.stderr)

    give_virtual_mfa(iam, "alice")
    result = report(moto, "--exit-code")
    assert result.returncode == 0, result.stderr
    assert "0 non-compliant" in " ".join(result.stdout.split())
    assert "root MFA ✗" in result.stdout  # IAM.9 is said, but is not IAM.5


def test_exit_code_on_an_unreadable_account_is_2(moto: MotoServer) -> None:
    moto.faults.access_denied(actions="ListUsers")
    result = report(moto, "--exit-code")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("mfa-tui: ")


# ------------------------------------------------------------------------ pure: root


def test_the_report_root_row_is_read_when_present() -> None:
    """moto's report has no <root_account> row; AWS's always has one."""
    content = "\n".join([REPORT_HEADER, report_row("<root_account>", password=False, mfa=True),
                         report_row("alice", password=True, mfa=False)])
    assert root_mfa(content) is True
    assert root_mfa("\n".join([REPORT_HEADER, report_row("alice", password=True,
                                                         mfa=True)])) is None


def test_the_account_summary_wins_over_the_report() -> None:
    summary = {"AccountMFAEnabled": 1, "AccountPasswordPresent": 1,
               "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0}
    assert root_user(summary, False) == RootUser(True, True, "account summary")
    assert root_user(None, False) == RootUser(False, None, "credential report")
    assert root_user(None, None) == RootUser()


@pytest.mark.parametrize(("root", "text", "compliant"), [
    (RootUser(True, True), "root MFA ✓", True),
    (RootUser(False, True), "root MFA ✗", False),
    (RootUser(False, False), "root: no credentials", True),
    (RootUser(None, None), "root MFA ?", None),
])
def test_root_reads_in_a_few_words(root: RootUser, text: str, compliant: bool | None) -> None:
    assert root_text(root) == text
    assert root.compliant is compliant
