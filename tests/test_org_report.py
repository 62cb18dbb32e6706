"""Organization mode, read side: `mfa-tui --org report` on a moto organization.

Member accounts are real moto accounts (`create_account`); AssumeRole into them returns
credentials for their own IAM. A role that cannot be assumed is a fault rule answering
AccessDenied to that account's AssumeRole (moto assumes any role).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from mfa_tui.cli import main
from tests.fixtures.keyrings import KeyringEnv
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.org_support import MANAGEMENT, MotoOrg, add_user, make_org
from tests.fixtures.profile_helpers import add_profile, cli_env, create_admin, leaks, run_cli
from tests.test_profile_sessions import MOTO_SESSION_KEY_ID


@pytest.fixture
def org(moto: MotoServer, state_home: Path) -> MotoOrg:
    made = make_org(moto)
    add_user(made.iam(moto, MANAGEMENT), "boss", console=True, mfa=True)
    add_user(made.iam(moto, made.members["dev"]), "alice", console=True)
    add_user(made.iam(moto, made.members["dev"]), "deploy", keys=1)
    add_user(made.iam(moto, made.members["prod"]), "bob", console=True, mfa=True)
    moto.faults.clear_requests()
    return made


#: How every session token moto's AssumeRole returns starts.
MOTO_ROLE_TOKEN_START = "FQoGZXIvYXdzEBYaD"


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--org", *args])
    out, err = capsys.readouterr()
    return code, out, err


def deny_role(moto: MotoServer, account: str) -> None:
    moto.faults.access_denied("AssumeRole", params={"RoleArn": f":{account}:"})


def test_json_has_every_account_with_its_own_users(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, "report", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["organization"] == org.id
    by_id = {a["account"]: a for a in doc["accounts"]}
    assert set(by_id) == {MANAGEMENT, *org.members.values()}
    users = {a: sorted(u["user"] for u in acc["users"]) for a, acc in by_id.items()}
    assert users[MANAGEMENT] == ["boss"]
    assert users[org.members["dev"]] == ["alice", "deploy"]
    assert users[org.members["prod"]] == ["bob"]
    assert users[org.members["sandbox"]] == []
    dev = by_id[org.members["dev"]]
    assert (dev["name"], dev["status"], dev["error"]) == ("dev", "ok", None)
    assert dev["root"] == {"mfa_active": False}  # moto: AccountMFAEnabled 0
    alice = next(u for u in dev["users"] if u["user"] == "alice")
    assert alice["arn"] == f"arn:aws:iam::{org.members['dev']}:user/alice"
    assert (alice["console_access"], alice["mfa_active"], alice["compliant"]) == (
        True, False, False)


def test_members_are_read_through_the_role_and_the_caller_with_its_own_credentials(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = report(capsys, "report", "--format", "json")
    assert code == 0
    assumed = [r.params for r in moto.faults.requests if r.action == "AssumeRole"]
    assert sorted(p["RoleArn"] for p in assumed) == sorted(
        f"arn:aws:iam::{a}:role/OrganizationAccountAccessRole" for a in org.members.values())
    assert {p["RoleSessionName"] for p in assumed} == {"mfa-tui-moto"}
    # IAM is global: the credential report once per account, under that account's key.
    reports = [r.access_key_id for r in moto.faults.requests
               if r.action == "GetCredentialReport"]
    assert len(reports) == len(set(reports)) == 4
    assert "testing" in reports  # the management account: the caller's own key
    # The root user's MFA is the inventory's own GetAccountSummary: once an account.
    summaries = [r.access_key_id or "" for r in moto.faults.requests
                 if r.action == "GetAccountSummary"]
    assert sorted(summaries) == sorted(r or "" for r in reports)


def test_org_role_names_the_role_assumed(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = report(capsys, "--org-role", "AuditMFA", "report", "--format", "json")
    assert code == 0
    arns = {r.params["RoleArn"] for r in moto.faults.requests if r.action == "AssumeRole"}
    assert arns == {f"arn:aws:iam::{a}:role/AuditMFA" for a in org.members.values()}


def test_an_account_whose_role_cannot_be_assumed_is_an_error_row_the_others_go_on(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    deny_role(moto, org.members["prod"])
    code, out, err = report(capsys, "report", "--format", "json")
    assert code == 1  # partial
    by_id = {a["account"]: a for a in json.loads(out)["accounts"]}
    prod = by_id[org.members["prod"]]
    assert prod["status"] == "error" and prod["users"] == []
    assert "Cannot assume role OrganizationAccountAccessRole" in prod["error"]
    assert org.members["prod"] in prod["error"] and "--org-role" in prod["error"]
    assert [u["user"] for u in by_id[org.members["dev"]]["users"]] == ["alice", "deploy"]
    assert all(by_id[a]["status"] == "ok" for a in by_id if a != org.members["prod"])
    assert org.members["prod"] in err and "Traceback" not in err


def test_a_member_that_denies_a_read_is_an_error_row(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    moto.faults.access_denied("ListUsers")  # every account: none can be read
    code, out, _ = report(capsys, "report", "--format", "json")
    assert code == 2
    accounts = json.loads(out)["accounts"]
    assert len(accounts) == 4 and {a["status"] for a in accounts} == {"error"}
    assert all("ListUsers" in a["error"] for a in accounts)


def test_accounts_limits_the_set_and_none_readable_is_exit_2(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    dev, prod = org.members["dev"], org.members["prod"]
    code, out, _ = report(capsys, "--accounts", f"{dev},{prod}", "report", "--format", "json")
    assert code == 0
    assert sorted(a["account"] for a in json.loads(out)["accounts"]) == sorted([dev, prod])
    deny_role(moto, prod)
    code, out, _ = report(capsys, "--accounts", prod, "report", "--format", "json")
    assert code == 2
    assert [a["status"] for a in json.loads(out)["accounts"]] == ["error"]


def test_an_unknown_or_suspended_account_is_a_sentence(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    moto.client("organizations").close_account(AccountId=org.members["sandbox"])
    code, out, _ = report(capsys, "report", "--format", "json")
    assert code == 0
    ids = {a["account"] for a in json.loads(out)["accounts"]}
    assert org.members["sandbox"] not in ids and len(ids) == 3  # ACTIVE accounts only
    code, out, err = report(capsys, "--accounts", org.members["sandbox"], "report")
    assert code == 2 and out == ""
    assert f"{org.members['sandbox']} is not an ACTIVE account of organization {org.id}" in err
    assert "Traceback" not in err


def test_csv_has_the_account_first_on_every_user_row(
        org: MotoOrg, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, "report", "--format", "csv", "--non-compliant")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:3] == ["account", "user", "arn"]
    assert [(r["account"], r["user"], r["compliant"]) for r in rows] == [
        (org.members["dev"], "alice", "false")]


def test_table_has_a_line_an_account_then_the_non_compliant_users(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    deny_role(moto, org.members["sandbox"])
    code, out, _ = report(capsys, "report")
    assert code == 1
    # The summary is one line at 80 columns (as a table title it wrapped to the table).
    first = out.splitlines()[0]
    assert first.startswith(f"Organization {org.id} — 4 accounts, 1 unreadable")
    assert first.endswith("non-compliant users")
    for name, account in org.members.items():
        assert account in out and name in out
    assert "Non-compliant users" in out
    after = out.split("Non-compliant users", 1)[1]
    assert org.members["dev"] in after and "alice" in after and "bob" not in after
    assert "Cannot assume role" in out


def test_not_in_an_organization_is_one_sentence(
        moto: MotoServer, state_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, "report", "--format", "json")
    assert code == 2 and out == ""
    assert "not in an AWS Organization" in err and "without --org" in err


def test_one_mfa_code_serves_the_whole_organization(
        org: MotoOrg, moto: MotoServer, file_keyring: KeyringEnv) -> None:
    """The MFA session first, then every AssumeRole from it: one code, one GetSessionToken."""
    admin = create_admin(moto.client("iam"), "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial",
                f"arn:aws:iam::{MANAGEMENT}:mfa/admin-a")
    moto.faults.clear_requests()
    result = run_cli("--profile", "a", "--org", "report", "--format", "json", stdin="123456\n",
                     env=cli_env(AWS_ENDPOINT_URL=None))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["accounts"]) == 4
    requests = moto.faults.requests
    assert requests[0].action == "GetSessionToken"
    assert moto.faults.count("GetSessionToken") == 1
    assumed = [r for r in requests if r.action == "AssumeRole"]
    assert len(assumed) == 3
    assert {r.access_key_id for r in assumed} == {MOTO_SESSION_KEY_ID}  # from the MFA session
    # mfa-tui-<caller>: moto's session-token credentials sign as its default user, "moto".
    assert {r.params["RoleSessionName"] for r in assumed} == {"mfa-tui-moto"}
    # moto's role session tokens all start so: no member credentials on disk either.
    assert leaks(file_keyring, admin.secret_access_key, MOTO_ROLE_TOKEN_START) == {}


def test_env_variables_turn_organization_mode_on_and_name_the_role(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFA_TUI_ORG", "1")
    monkeypatch.setenv("MFA_TUI_ORG_ROLE", "AuditMFA")
    assert main(["report", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["organization"] == org.id
    arns = {r.params["RoleArn"] for r in moto.faults.requests if r.action == "AssumeRole"}
    assert arns == {f"arn:aws:iam::{a}:role/AuditMFA" for a in org.members.values()}
