"""SCP scope (console / all) decided by the evaluator, and the SCPs already in place, on moto."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.core.policy_eval import Request, scp_blocks, statements
from mfa_tui.core.policy_templates import load_template
from tests.fixtures.terminal import installed_cli

ACCOUNT = "123456789012"
SEED = Path(__file__).parent / "data" / "seed"
CONSOLE = load_template("safe-scp-console")
ALL = load_template("safe-scp")
SETUP = (("iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/alice"),
         ("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/alice"),
         ("iam:ChangePassword", f"arn:aws:iam::{ACCOUNT}:user/alice"),
         ("sts:GetSessionToken", "*"))


def _user(mfa: bool | None, action: str = "ec2:RunInstances", resource: str = "*",
          **kw: Any) -> Request:
    return Request(action=action, resource=resource, username="alice", mfa_present=mfa,
                   account=ACCOUNT, **kw)


def test_console_scope_denies_a_session_without_mfa_not_a_long_term_key() -> None:
    assert scp_blocks(CONSOLE, _user(False))  # console session / temporary credentials
    assert not scp_blocks(CONSOLE, _user(None))  # long-term access key: no MFA key at all
    assert not scp_blocks(CONSOLE, _user(True))


def test_all_scope_denies_both() -> None:
    assert scp_blocks(ALL, _user(False)) and scp_blocks(ALL, _user(None))
    assert not scp_blocks(ALL, _user(True))


@pytest.mark.parametrize("document", [CONSOLE, ALL], ids=["console", "all"])
@pytest.mark.parametrize("mfa", [None, False])
def test_both_scopes_spare_roles_aws_services_and_the_mfa_set_up(document: Any,
                                                                 mfa: bool | None) -> None:
    role = Request(action="ec2:RunInstances", principal_type="AssumedRole", mfa_present=mfa,
                   account=ACCOUNT)
    assert not scp_blocks(document, role)
    assert not scp_blocks(document, _user(mfa, "kms:Decrypt", via_aws_service=True))
    assert not scp_blocks(document, _user(mfa, extra=(("aws:PrincipalIsAWSService", "true"),)))
    for action, resource in SETUP:
        assert not scp_blocks(document, _user(mfa, action, resource))
    assert [s for s in statements(document) if s["Effect"] == "Allow"] == []


# ----------------------------------------------------------------------------- on moto


def scp(moto: Any, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([installed_cli(), "--endpoint-url", moto.url, "scp", *args],
                          capture_output=True, text=True, timeout=60, input=stdin,
                          env=os.environ.copy())


@pytest.fixture
def org(moto: Any) -> Any:
    client = moto.client("organizations")
    client.create_organization(FeatureSet="ALL")
    return client


def test_each_plan_says_what_it_denies_and_what_keeps_working(moto: Any, org: Any) -> None:
    console = scp(moto, "plan")
    assert console.returncode == 0, console.stderr
    assert ("Scope console: denies IAM users' console sessions (and other session "
            "credentials) without MFA; their long-term access keys, roles, AWS services "
            "acting for them and the MFA set-up keep working.") in console.stdout
    assert "long-term access keys stop working" not in console.stdout
    assert "Policy lint:" not in console.stdout  # the Bool is the point of this scope
    every = scp(moto, "plan", "--scope", "all")
    assert "Scope all: denies IAM users without MFA, console sessions and long-term" in \
        every.stdout
    assert "IAM users' long-term access keys stop working" in every.stdout
    assert "mfa-tui cannot see them from here" in every.stdout
    assert scp(moto, "apply", "--scope", "all", "--yes").returncode == 0
    policy = next(p for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
                  if p["Name"] == "DenyIAMUsersWithoutMFA")
    content = org.describe_policy(PolicyId=policy["Id"])["Policy"]["Content"]
    assert json.loads(content) == ALL


def test_the_articles_scp_in_place_is_named_and_can_be_detached(moto: Any, org: Any) -> None:
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    created = org.create_policy(Content=(SEED / "scp-enforce-mfa.json").read_text(),
                                Name="EnforceMFA", Type="SERVICE_CONTROL_POLICY",
                                Description="the source article's SCP")
    policy_id = created["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy_id, TargetId=root)
    ou = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]

    plan = scp(moto, "plan", "--target", ou["Id"])  # attached above the target: still named
    assert plan.returncode == 0, plan.stderr
    assert f"EnforceMFA ({policy_id}) on {root}" in plan.stdout
    assert "denies role sessions without MFA too" in plan.stdout  # its finding
    assert f"`mfa-tui scp apply --detach-policy {policy_id}`" in plan.stdout

    moto.faults.clear_requests()
    refused = scp(moto, "apply", "--detach-policy", policy_id, stdin=f"{policy_id}\n")
    assert refused.returncode == 2 and "--yes" in refused.stderr  # confirmed like scp apply
    assert moto.faults.mutating_count() == 0
    done = scp(moto, "apply", "--detach-policy", policy_id, "--yes")
    assert done.returncode == 0, done.stderr
    assert f"detached EnforceMFA from {root}" in done.stdout
    names = [p["Name"] for p in org.list_policies_for_target(
        TargetId=root, Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    assert "EnforceMFA" not in names
    assert "DenyIAMUsersWithoutMFA" not in names  # detach only: nothing created or attached
