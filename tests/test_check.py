"""`mfa-tui check USER`: the on-call answer, from the installed command against moto.

The demo cast (mfa_tui/demo/account.py) is seeded into the moto server this process runs;
the command runs as a subprocess pointed at it with ``--endpoint-url`` and dummy credentials.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.aws.user_detail import NoSuchUser, load_user_detail
from mfa_tui.core.models import MfaDevice
from mfa_tui.core.user_detail import (
    AccessKey,
    UserDetail,
    enforcement_source,
    is_enforcement_policy,
    render_check_lines,
)
from tests.fixtures.moto_server import MotoServer

pytestmark = pytest.mark.usefixtures("state_home")

ACCOUNT = "123456789012"
# What `check` needs and nothing more: no account-wide listing, and the credential report
# only read as it is (what Security Hub sees), never generated.
PER_USER_CALLS = {
    "GetUser", "GetLoginProfile", "ListMFADevices", "ListGroupsForUser",
    "ListAttachedUserPolicies", "ListAccessKeys", "ListAttachedGroupPolicies",
    "GetAccessKeyLastUsed", "GetCredentialReport",
}


def cli() -> str:
    candidate = Path(sys.executable).with_name("mfa-tui")
    found = str(candidate) if candidate.exists() else shutil.which("mfa-tui")
    assert found, "the mfa-tui console script is not installed"
    return found


def check(moto: MotoServer, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command as an on-call engineer would (env from the moto fixture)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full_env.update(env)
    return subprocess.run(
        [cli(), "--endpoint-url", moto.url, "check", *args],
        capture_output=True, text=True, timeout=120, env=full_env,
    )


# --------------------------------------------------------------------------- verdicts


def test_alice_is_compliant(demo: MotoServer) -> None:
    result = check(demo, "alice")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "✓ COMPLIANT: alice — console password with MFA (virtual)"
    assert re.search(r"MFA devices: +virtual +mfa/alice +enabled \d{4}-\d\d-\d\d", result.stdout)
    assert "via group Developers" in result.stdout
    assert result.stderr == ""
    # Live and per-user only: one screenful in a handful of calls, not an account scan.
    assert set(demo.faults.actions()) <= PER_USER_CALLS | {"GetCallerIdentity"}
    assert demo.faults.count() <= 10


def test_bob_has_a_password_and_no_mfa(demo: MotoServer) -> None:
    result = check(demo, "bob")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "✗ NOT COMPLIANT: bob — console password, no MFA device"
    assert "EnforceMFAPolicy attached via group Developers" in result.stdout
    assert re.search(r"Last sign-in: +\d{4}-\d\d-\d\d \d\d:\d\d UTC \(12d ago\)", result.stdout)
    assert re.search(r"MFA devices: +none", result.stdout)


def test_heidi_is_enforced_directly(demo: MotoServer) -> None:
    result = check(demo, "heidi")
    assert result.returncode == 1
    assert "EnforceMFAPolicy attached directly" in result.stdout


def test_carol_has_no_console_so_iam5_does_not_apply(demo: MotoServer) -> None:
    result = check(demo, "carol")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("✓ COMPLIANT: carol — no console password")
    assert "EnforceMFAPolicy not attached" in result.stdout


def test_no_such_user_is_one_sentence_and_exit_2(demo: MotoServer) -> None:
    result = check(demo, "nobody")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("mfa-tui: There is no IAM user named 'nobody' in account 123456789012")


def test_erin_lists_both_the_virtual_and_the_fido_device(demo: MotoServer) -> None:
    result = check(demo, "erin")
    assert result.returncode == 0
    devices = [ln for ln in result.stdout.splitlines() if "enabled" in ln]
    assert len(devices) == 2
    assert "virtual" in devices[0] and "mfa/erin" in devices[0]
    assert "fido" in devices[1] and "u2f/user/erin/yubikey-" in devices[1]


def test_frank_hardware_token_is_listed_live(demo: MotoServer) -> None:
    # The inventory only counts frank's token from the credential report; check names it.
    result = check(demo, "frank")
    assert result.returncode == 0
    assert re.search(r"hardware +GAHT\d{8}", result.stdout)


def test_dave_deactivated_device_does_not_count(demo: MotoServer) -> None:
    result = check(demo, "dave")
    assert result.returncode == 1
    assert "no MFA device" in result.stdout.splitlines()[0]


@pytest.mark.parametrize(("name", "code"), [("svc=report,eu", 0), ("jane.doe@example.com", 1)])
def test_names_with_special_characters(demo: MotoServer, name: str, code: int) -> None:
    result = check(demo, name)
    assert result.returncode == code, result.stderr
    assert result.stdout.splitlines()[0].split(": ", 1)[1].startswith(f"{name} — ")


def test_access_keys_show_last_four_and_last_use(demo: MotoServer) -> None:
    [key] = demo.client("iam").list_access_keys(UserName="ci-deploy")["AccessKeyMetadata"]
    result = check(demo, "ci-deploy")
    assert result.returncode == 0
    assert key["AccessKeyId"] not in result.stdout
    assert re.search(rf"…{key['AccessKeyId'][-4:]} active, last used \d+[hm] ago \(iam\)",
                     result.stdout)


# ------------------------------------------------------------------ partial failures


def test_denied_list_groups_still_gives_the_verdict(demo: MotoServer) -> None:
    demo.faults.access_denied(actions="ListGroupsForUser")
    result = check(demo, "bob")
    assert result.returncode == 1, result.stderr  # console + no device: the verdict stands
    lines = result.stdout.splitlines()
    assert lines[0] == "✗ NOT COMPLIANT: bob — console password, no MFA device"
    assert "not attached directly (groups unreadable)" in result.stdout
    [problem] = [ln for ln in lines if ln.startswith("! ")]
    assert "ListGroupsForUser" in problem and "not authorized" in problem
    assert "Traceback" not in result.stderr


def test_denied_login_profile_makes_the_verdict_unknown(demo: MotoServer) -> None:
    demo.faults.access_denied(actions="GetLoginProfile")
    bob = check(demo, "bob")
    assert bob.returncode == 2  # password unknown, no device: cannot tell
    assert bob.stdout.startswith("? UNKNOWN: bob — console access could not be read")
    assert "GetLoginProfile" in bob.stdout
    assert "could not tell whether bob is compliant" in bob.stderr
    alice = check(demo, "alice")
    assert alice.returncode == 0  # a device settles IAM.5 whatever the password
    assert alice.stdout.startswith("✓ COMPLIANT: alice — has MFA (virtual)")


def test_everything_denied_is_one_sentence(demo: MotoServer) -> None:
    demo.faults.access_denied()
    result = check(demo, "alice")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "AWS denied GetUser" in result.stderr and "Traceback" not in result.stderr


# ----------------------------------------------------------------- output channels


def test_no_color_keeps_the_symbols(demo: MotoServer) -> None:
    coloured = check(demo, "bob", FORCE_COLOR="1")
    assert "\x1b[1;31m✗ NOT COMPLIANT" in coloured.stdout
    plain = check(demo, "bob", FORCE_COLOR="1", NO_COLOR="1")
    assert not re.search(r"\x1b\[[0-9;]*3\dm", plain.stdout)  # no foreground colours
    assert "✗ NOT COMPLIANT: bob" in plain.stdout


def test_json_format(demo: MotoServer) -> None:
    result = check(demo, "--format", "json", "bob")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["user"] == "bob" and data["compliant"] is False
    assert data["console_access"] is True and data["mfa_devices"] == []
    assert data["enforcement_attached"] is True and data["enforced_via"] == "Developers"
    assert data["groups"] == ["Developers"] and data["problems"] == []


# -------------------------------------------------------------- in-process and pure


def test_loader_reads_everything_in_process(demo: MotoServer) -> None:
    conn = AwsConnection(ConnectionOptions(endpoint_url=demo.url))
    alice = load_user_detail(conn, "alice")
    assert alice.arn == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert alice.compliant and alice.console_access and alice.problems == ()
    assert alice.groups == ("Developers",) and alice.enforcement == "Developers"
    [key] = alice.access_keys
    assert key.active and key.last_used and key.last_used_service == "iam"
    heidi = load_user_detail(demo.client("iam"), "heidi")  # a bare client works too
    assert heidi.enforcement == "user" and heidi.attached_policies == ("EnforceMFAPolicy",)
    with pytest.raises(NoSuchUser, match="nobody"):
        load_user_detail(conn, "nobody")


def test_denied_key_last_use_is_unknown_not_never(demo: MotoServer) -> None:
    demo.faults.access_denied(actions="GetAccessKeyLastUsed")
    detail = load_user_detail(demo.client("iam"), "alice")
    [key] = detail.access_keys
    assert not key.last_used_read
    text = "\n".join(render_check_lines(detail, datetime.now(UTC)))
    assert "last use unknown" in text and "never used" not in text
    assert "GetAccessKeyLastUsed" in detail.problems[0]


def test_enforcement_policy_is_the_accounts_own() -> None:
    name = "EnforceMFAPolicy"
    assert is_enforcement_policy(f"arn:aws:iam::{ACCOUNT}:policy/{name}")
    assert is_enforcement_policy(f"arn:aws-us-gov:iam::{ACCOUNT}:policy/{name}")
    assert not is_enforcement_policy(f"arn:aws:iam::aws:policy/{name}")
    assert not is_enforcement_policy(f"arn:aws:iam::{ACCOUNT}:policy/{name}Old")
    mine = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    assert enforcement_source([mine], {"A": [mine]}) == "user"
    assert enforcement_source([], {"B": [mine], "A": [mine]}) == "A"
    assert enforcement_source([], {"B": []}) is None


def test_the_busiest_user_fits_one_screen() -> None:
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    detail = UserDetail(
        user="ops+oncall",
        arn=f"arn:aws:iam::{ACCOUNT}:user/ops+oncall",
        console_access=True,
        login_profile_created=now - timedelta(days=400),
        password_last_used=now - timedelta(hours=2),
        devices=tuple(  # AWS allows 8 MFA devices a user
            MfaDevice(f"arn:aws:iam::{ACCOUNT}:u2f/user/ops+oncall/key-{i}", "fido", now)
            for i in range(8)
        ),
        groups=("Admins", "Developers"),
        attached_policies=("EnforceMFAPolicy",),
        enforcement="user",
        access_keys=(
            AccessKey("AKIAEXAMPLE0000WXYZ", "Active", now, now - timedelta(minutes=5), "s3"),
            AccessKey("AKIAEXAMPLE00001234", "Inactive", now),
        ),
    )
    lines = render_check_lines(detail, now)
    assert len(lines) <= 22  # 80x24 with the prompt and the command line
    assert all(len(line) <= 80 for line in lines)
    assert lines[0] == "✓ COMPLIANT: ops+oncall — console password with MFA (fido)"
    assert "…WXYZ active, last used 5m ago (s3), created just now" in "\n".join(lines)
    assert "…1234 inactive, never used" in "\n".join(lines)
