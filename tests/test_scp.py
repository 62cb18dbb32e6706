"""`mfa-tui scp plan|apply` against moto's Organizations, through the installed CLI."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.scp_plan import OrgState, build_scp_plan
from tests.fixtures.terminal import installed_cli

NAME = "DenyIAMUsersWithoutMFA"


def scp(moto, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_cli(), "--endpoint-url", moto.url, "scp", *args],
        capture_output=True, text=True, timeout=60, input=stdin, env=os.environ.copy(),
    )


@pytest.fixture
def org(moto):
    client = moto.client("organizations")
    client.create_organization(FeatureSet="ALL")
    return client


def attached_scps(org, target: str) -> list[str]:
    return [p["Name"] for p in org.list_policies_for_target(
        TargetId=target, Filter="SERVICE_CONTROL_POLICY")["Policies"]]


def test_outside_an_organization_is_one_sentence(moto) -> None:
    result = scp(moto, "plan")
    assert result.returncode == 2
    assert "not in an AWS Organization" in result.stderr and "Traceback" not in result.stderr


def test_plan_shows_steps_and_what_an_scp_never_covers_and_changes_nothing(moto, org) -> None:
    moto.faults.clear_requests()
    result = scp(moto, "plan")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "not enabled" in out and "will be created" in out
    assert "enable service control policies" in out and f"attach {NAME}" in out
    assert "management account" in out and "service-linked roles" in out
    assert moto.faults.mutating_count() == 0


def test_apply_enables_creates_attaches_then_reapply_changes_nothing(moto, org) -> None:
    result = scp(moto, "apply", "--yes")
    assert result.returncode == 0, result.stderr
    root = org.list_roots()["Roots"][0]
    assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    assert NAME in attached_scps(org, root["Id"])
    policy_id = next(p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")[
        "Policies"] if p["Name"] == NAME)
    content = json.loads(org.describe_policy(PolicyId=policy_id)["Policy"]["Content"])
    assert content == load_template("safe-scp-console")  # the default --scope console

    moto.faults.clear_requests()
    again = scp(moto, "apply", "--yes")
    assert again.returncode == 0 and "Nothing to change" in again.stdout
    assert moto.faults.mutating_count() == 0


def test_a_drifted_policy_is_shown_as_a_diff_and_put_back(moto, org) -> None:
    assert scp(moto, "apply", "--yes").returncode == 0
    policy_id = next(p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")[
        "Policies"] if p["Name"] == NAME)
    drifted = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
    org.update_policy(PolicyId=policy_id, Content=json.dumps(drifted))
    plan = scp(moto, "plan")
    assert "differs from the template" in plan.stdout and "update the SCP" in plan.stdout
    assert scp(moto, "apply", "--yes").returncode == 0
    content = json.loads(org.describe_policy(PolicyId=policy_id)["Policy"]["Content"])
    assert content == load_template("safe-scp-console")  # the default --scope console


def test_apply_without_a_terminal_or_yes_refuses(moto, org) -> None:
    moto.faults.clear_requests()
    result = scp(moto, "apply", stdin="o-whatever\n")
    assert result.returncode == 2 and "--yes" in result.stderr
    assert moto.faults.mutating_count() == 0


def test_attach_to_an_ou(moto, org) -> None:
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]
    result = scp(moto, "apply", "--yes", "--target", ou["Id"])
    assert result.returncode == 0, result.stderr
    assert "OU Workloads" in result.stdout
    assert NAME in attached_scps(org, ou["Id"]) and NAME not in attached_scps(org, root)


def test_a_member_account_caller_is_refused_with_the_reason() -> None:
    state = OrgState(organization_id="o-1", management_account="111111111111",
                     caller_account="222222222222", root_id="r-1", scp_enabled=True,
                     all_features=True, target_id="r-1", target_name="the organization root")
    plan = build_scp_plan(state, load_template("safe-scp"), NAME, same_content=False)
    assert plan.blockers and "management account 111111111111" in plan.blockers[0]
