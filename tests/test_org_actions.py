"""`--org check|plan|apply|undo --account ID`: act in that member account only, via the role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mfa_tui.cli import main
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.org_support import MANAGEMENT, MotoOrg, add_user, make_org


@pytest.fixture
def org(moto: MotoServer, state_home: Path) -> MotoOrg:
    made = make_org(moto, ("dev", "prod"))
    add_user(made.iam(moto, MANAGEMENT), "boss", console=True)
    add_user(made.iam(moto, made.members["dev"]), "alice", console=True)
    add_user(made.iam(moto, made.members["dev"]), "amir", console=True)
    add_user(made.iam(moto, made.members["prod"]), "alice", console=True)
    moto.faults.clear_requests()
    return made


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def attached(iam: object, user: str) -> list[str]:
    return [p["PolicyName"] for p in
            iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]]  # type: ignore[attr-defined]


def test_apply_in_a_member_account_leaves_the_others_untouched_and_undo_follows_the_run(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str],
        state_home: Path) -> None:
    dev, prod = org.members["dev"], org.members["prod"]
    code, _, err = cli(capsys, "--org", "apply", "--account", dev, "--yes")
    assert code == 0, err
    dev_iam, prod_iam, mgmt_iam = (org.iam(moto, a) for a in (dev, prod, MANAGEMENT))
    assert attached(dev_iam, "alice") == attached(dev_iam, "amir") == ["EnforceMFAPolicy"]
    assert attached(prod_iam, "alice") == [] and attached(mgmt_iam, "boss") == []
    assert "EnforceMFAPolicy" not in {p["PolicyName"] for p in mgmt_iam.list_policies(
        Scope="Local")["Policies"]}
    writes = [r for r in moto.faults.requests if r.mutating and r.service == "iam"]
    assert writes and "testing" not in {r.access_key_id for r in writes}  # never the caller's
    runs = [json.loads(p.read_text().splitlines()[0])
            for p in (state_home / "mfa-tui" / "journal").glob("*")]
    assert [r["account"] for r in runs] == [dev]  # the journal records the account
    run_id = runs[0]["run_id"]
    # undo RUN_ID finds its account in the journal: no --account needed.
    code, _, err = cli(capsys, "--org", "undo", run_id, "--yes")
    assert code == 0, err
    assert attached(dev_iam, "alice") == attached(dev_iam, "amir") == []


def test_check_and_plan_read_the_named_account(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    dev = org.members["dev"]
    code, out, _ = cli(capsys, "--org", "check", "amir", "--account", dev, "--format", "json")
    assert code == 1  # not compliant, and found in dev
    assert json.loads(out)["arn"] == f"arn:aws:iam::{dev}:user/amir"
    code, _, err = cli(capsys, "--org", "check", "boss", "--account", dev)
    assert code == 2 and f"no IAM user named 'boss' in account {dev}" in err  # named
    code, out, _ = cli(capsys, "--org", "plan", "--account", dev)
    assert code == 0 and "amir" in out and "boss" not in out
    assert moto.faults.mutating_count() == 0


def test_organization_mode_needs_an_account_and_an_active_one(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--org", "apply", "--yes")
    assert code == 2 and "add --account ID" in err
    code, _, err = cli(capsys, "apply", "--account", org.members["dev"], "--yes")
    assert code == 2 and "add --org" in err
    code, _, err = cli(capsys, "--org", "plan", "--account", "999999999999")
    assert code == 2 and "999999999999 is not an ACTIVE account" in err
    moto.faults.access_denied("AssumeRole", params={"RoleArn": f":{org.members['prod']}:"})
    code, _, err = cli(capsys, "--org", "apply", "--account", org.members["prod"], "--yes")
    assert code == 2 and "Cannot assume role" in err and "Traceback" not in err
    assert moto.faults.mutating_count() == 0


def test_resume_of_a_run_finishes_it_in_the_account_it_was_made_in(
        org: MotoOrg, moto: MotoServer, capsys: pytest.CaptureFixture[str],
        state_home: Path) -> None:
    dev, prod = org.members["dev"], org.members["prod"]
    code, _, err = cli(capsys, "--org", "apply", "--account", dev, "--users", "alice,amir",
                       "--yes")
    assert code == 0, err
    # A crash after attaching alice: the journal keeps the plan, the policy and alice's
    # step; amir's attach never happened and the run never said it finished.
    (journal,) = (state_home / "mfa-tui" / "journal").glob("*.jsonl")
    lines = journal.read_text().splitlines()
    kept = [ln for ln in lines if json.loads(ln).get("type") == "plan"
            or json.loads(ln).get("op") == "create-policy"
            or json.loads(ln).get("target") == "alice"]
    journal.write_text("\n".join(kept) + "\n")
    dev_iam, prod_iam = org.iam(moto, dev), org.iam(moto, prod)
    dev_iam.detach_user_policy(UserName="amir",
                               PolicyArn=f"arn:aws:iam::{dev}:policy/EnforceMFAPolicy")
    run_id = json.loads(lines[0])["run_id"]
    moto.faults.clear_requests()
    # Another account named for this run: a sentence, nothing done anywhere.
    code, _, err = cli(capsys, "--org", "apply", "--resume", run_id, "--account", prod, "--yes")
    assert code == 2 and f"was made in account {dev}, not {prod}" in err
    assert f"--account {dev}" in err  # the way on in organization mode, not "switch profile"
    assert moto.faults.mutating_count() == 0
    # The run's id is enough: it is finished where it was made, through dev's role.
    code, _, err = cli(capsys, "--org", "apply", "--resume", run_id, "--yes")
    assert code == 0, err
    assert attached(dev_iam, "alice") == attached(dev_iam, "amir") == ["EnforceMFAPolicy"]
    assert attached(prod_iam, "alice") == []
    writes = [r for r in moto.faults.requests if r.mutating and r.service == "iam"]
    assert [(r.action, r.params.get("UserName")) for r in writes] == [
        ("AttachUserPolicy", "amir")]  # alice's attach is not repeated
    assert "testing" not in {r.access_key_id for r in writes}


def test_a_member_connection_has_botocore_s_built_in_handlers(
        org: MotoOrg, moto: MotoServer) -> None:
    """Member sessions start from a copy of the handlers registered once: IAM's policy
    documents still come back decoded (a built-in handler), as on the caller's own client."""
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions
    from mfa_tui.engine.org import OrgSession

    dev = org.members["dev"]
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", ' \
               '"Resource": "*"}]}'
    arn = org.iam(moto, dev).create_policy(PolicyName="p", PolicyDocument=document)[
        "Policy"]["Arn"]
    caller = AwsConnection(ConnectionOptions(endpoint_url=moto.url, region="us-east-1"))
    member = OrgSession(caller).connection(dev)
    got = member.client("iam").get_policy_version(PolicyArn=arn, VersionId="v1")
    assert got["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "*"
    assert member.caller().account == dev
