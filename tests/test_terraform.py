"""`plan --format terraform`, proven by the real terraform binary against the moto server.

Each case seeds an account, lets `mfa-tui apply` enforce the selection and records the
account's state; then seeds a fresh copy, prints the configuration for the same selection,
and has terraform validate and apply it. The two states must be equal (policy document,
who the policy is attached to, every user's groups); `terraform plan -detailed-exitcode`
then finds nothing to change, and `mfa-tui apply` afterwards makes no change at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.aws.policy_state import read_policy_state
from mfa_tui.core.policy_diff import is_same
from mfa_tui.core.policy_templates import load_template
from tests.fixtures.enforce_support import POLICY_ARN, outdated_document, run_cli
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.terraform import TerraformEnv, Workspace, fmt_check

pytestmark = pytest.mark.usefixtures("state_home")

#: Every character IAM allows in a user name besides letters and digits.
EVERY_CHAR = "a+b=c,d.e@f-g_h"


def console_user(iam: Any, name: str, *, mfa: bool = False) -> None:
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Pa55word!-not-real")
    if mfa:
        serial = iam.create_virtual_mfa_device(
            VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial,
                              AuthenticationCode1="123456", AuthenticationCode2="654321")


def account_state(iam: Any) -> dict[str, Any]:
    """What enforcement changes: the policy's default document, and per user the
    policies attached and the groups; per group the policies attached."""
    policy = read_policy_state(iam, POLICY_ARN)
    users = {}
    for page in iam.get_paginator("list_users").paginate():
        for u in page["Users"]:
            name = u["UserName"]
            attached = iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
            groups = iam.list_groups_for_user(UserName=name)["Groups"]
            users[name] = (sorted(p["PolicyArn"] for p in attached),
                           sorted(g["GroupName"] for g in groups))
    groups = {}
    for page in iam.get_paginator("list_groups").paginate():
        for g in page["Groups"]:
            attached = iam.list_attached_group_policies(GroupName=g["GroupName"])
            groups[g["GroupName"]] = sorted(p["PolicyArn"] for p in attached["AttachedPolicies"])
    return {"policy_exists": policy.exists, "versions": len(policy.versions), "users": users,
            "groups": groups,
            "document_is_template": policy.exists and is_same(
                policy.default_document, load_template("enforce-mfa"))}


Seed = Callable[[Any], dict[str, str]]  # seeds a copy; returns the caller's env (or {})


def prove(moto: MotoServer, tf: TerraformEnv, where: Path, seed: Seed,
          *selector: str) -> tuple[str, dict[str, Any]]:
    """The whole proof for one selection; returns the configuration and the final state."""
    env = seed(moto.client("iam"))
    applied = run_cli(moto, "apply", "--yes", *selector, env=env)
    assert applied.returncode == 0, applied.stderr
    expected = account_state(moto.client("iam"))

    moto.reset()
    iam = moto.client("iam")
    env = seed(iam)
    assert account_state(iam) != expected  # the fresh copy really needs the change
    policy_id = _policy_id(iam)
    printed = run_cli(moto, "plan", "--format", "terraform", *selector, env=env)
    assert printed.returncode == 0, printed.stderr
    assert printed.stderr == ""
    config = printed.stdout
    assert 'provider "aws"' not in config and "secret" not in config.lower()
    assert fmt_check(tf, config, where.parent).returncode == 0, "terraform fmt -check failed"

    ws = Workspace(tf, where, moto.url)
    ws.write(config)
    valid = ws.run("validate")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    done = ws.run("apply", "-auto-approve", "-input=false")
    assert done.returncode == 0, done.stdout + done.stderr
    assert account_state(iam) == expected
    if policy_id is not None:
        assert _policy_id(iam) == policy_id  # adopted (imported), not re-created

    again = ws.run("plan", "-detailed-exitcode", "-input=false")
    assert again.returncode == 0, again.stdout + again.stderr  # 2 would mean a change

    moto.faults.clear_requests()
    after = run_cli(moto, "apply", "--yes", *selector, env=env)
    assert after.returncode == 0, after.stderr
    assert "Nothing to do" in after.stdout
    assert moto.faults.mutating_count() == 0  # counted at the server
    return config, expected


def _policy_id(iam: Any) -> str | None:
    try:
        return str(iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]["PolicyId"])
    except iam.exceptions.NoSuchEntityException:
        return None


def caller_env(iam: Any, user: str) -> dict[str, str]:
    """The environment of a new access key of ``user``: moto signs its calls as that user."""
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def _absent_seed(iam: Any) -> dict[str, str]:
    console_user(iam, EVERY_CHAR)
    console_user(iam, "alice")
    console_user(iam, "admin.breakglass")  # console, no MFA: left out with --exclude
    console_user(iam, "mia", mfa=True)  # compliant: not in the default selection
    iam.create_user(UserName="ci-deploy")  # access keys only: compliant for IAM.5
    iam.create_access_key(UserName="ci-deploy")
    return {}


def test_policy_absent_names_with_every_iam_character(
        moto: MotoServer, terraform_env: TerraformEnv, tmp_path: Path) -> None:
    config, state = prove(moto, terraform_env, tmp_path / "absent", _absent_seed,
                          "--exclude", "admin.breakglass")
    assert f'"{EVERY_CHAR}",' in config and "import {" not in config
    assert "$${aws:username}" in config
    assert state["users"][EVERY_CHAR][0] == [POLICY_ARN]
    for left_out in ("admin.breakglass", "mia", "ci-deploy"):
        assert state["users"][left_out][0] == []
        assert f'"{left_out}",' not in config


def _present_seed(iam: Any) -> dict[str, str]:
    iam.create_policy(PolicyName="EnforceMFAPolicy", Description="Our MFA policy (2019)",
                      PolicyDocument=json.dumps(outdated_document()),
                      Tags=[{"Key": "team", "Value": "security"}])
    console_user(iam, "already")
    iam.attach_user_policy(UserName="already", PolicyArn=POLICY_ARN)
    console_user(iam, "bob")
    console_user(iam, "carol", mfa=True)
    console_user(iam, "ops", mfa=True)  # the caller, with MFA: in the plan, attached last
    return caller_env(iam, "ops")


def test_policy_present_is_imported_not_recreated(
        moto: MotoServer, terraform_env: TerraformEnv, tmp_path: Path) -> None:
    # The seeded policy is not an mfa-tui template: both sides replace it on purpose.
    config, state = prove(moto, terraform_env, tmp_path / "present", _present_seed,
                          "--all-console", "--replace-policy")
    assert "to = aws_iam_policy.mfa_enforcement" in config
    assert '"Our MFA policy (2019)"' in config and '"team" = "security"' in config
    # The caller (ops) signs with long-term keys, so no MFA session: the plan leaves them out
    # (the lock-out check), and so does the configuration.
    assert '"ops"' not in config.split("terraform {", 1)[1]
    assert '"already",' not in config
    assert state["document_is_template"]
    assert {u for u, (pols, _) in state["users"].items() if pols} == {
        "already", "bob", "carol"}


def _group_seed(iam: Any) -> dict[str, str]:
    iam.create_group(GroupName="MFARequired")
    iam.create_group(GroupName="Developers")
    console_user(iam, "bob")  # already in the group: enforced by the group's attachment
    iam.add_user_to_group(GroupName="MFARequired", UserName="bob")
    console_user(iam, "carol")  # joins; her other group must stay
    iam.add_user_to_group(GroupName="Developers", UserName="carol")
    console_user(iam, "dan")  # in Developers too: a group-wide resource must not touch him
    iam.add_user_to_group(GroupName="Developers", UserName="dan")
    console_user(iam, EVERY_CHAR)
    console_user(iam, "mia", mfa=True)
    return {}


def test_via_group_adopts_the_group_and_leaves_other_memberships(
        moto: MotoServer, terraform_env: TerraformEnv, tmp_path: Path) -> None:
    config, state = prove(moto, terraform_env, tmp_path / "group", _group_seed,
                          "--via-group", "MFARequired", "--exclude", "dan")
    assert "to = aws_iam_group.mfa_enforcement" in config
    assert 'resource "aws_iam_user_group_membership" "mfa_enforcement"' in config
    assert 'resource "aws_iam_group_membership"' not in config  # it would own every member
    assert state["groups"]["MFARequired"] == [POLICY_ARN]
    assert state["users"]["carol"][1] == ["Developers", "MFARequired"]
    assert state["users"]["dan"][1] == ["Developers"]
    assert state["users"][EVERY_CHAR][1] == ["MFARequired"]
    assert all(pols == [] for pols, _ in state["users"].values())  # nothing attached directly
