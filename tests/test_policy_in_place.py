"""What is in place: an edited policy survives `apply`, comes back with `undo`, and the users a
policy already binds who cannot satisfy it are named (the source article's case), against moto.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.core.policy_history import is_mfa_tui_template
from mfa_tui.core.policy_templates import load_template
from tests.fixtures.enforce_support import POLICY_ARN, attached_users, run_cli
from tests.fixtures.moto_server import MotoServer

pytestmark = pytest.mark.usefixtures("state_home")

SEED = Path(__file__).parent / "data" / "seed"


def _customer_policy() -> dict[str, Any]:
    """A customer's EnforceMFAPolicy: the template plus an exemption of their own."""
    doc = load_template("enforce-mfa")
    deny = doc["Statement"][-1]
    return {**doc, "Statement": [*doc["Statement"][:-1],
                                 {**deny, "NotAction": [*deny["NotAction"], "s3:GetObject"]}]}


def _default(iam: Any) -> tuple[str, dict[str, Any]]:
    policy = iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]
    got = iam.get_policy_version(PolicyArn=POLICY_ARN, VersionId=policy["DefaultVersionId"])
    return policy["DefaultVersionId"], got["PolicyVersion"]["Document"]


def test_known_templates_are_recognised_and_edits_are_not() -> None:
    assert is_mfa_tui_template(load_template("enforce-mfa"))
    assert not is_mfa_tui_template(_customer_policy())
    assert not is_mfa_tui_template(json.loads((SEED / "enforce-mfa-policy.json").read_text()))


def test_an_edited_policy_survives_apply_and_comes_back_with_undo(demo: MotoServer,
                                                                  iam: Any) -> None:
    iam.create_policy_version(PolicyArn=POLICY_ARN, SetAsDefault=True,
                              PolicyDocument=json.dumps(_customer_policy()))
    plan = run_cli(demo, "plan", "--users", "dave")
    assert plan.returncode == 0
    assert ("edited outside mfa-tui: default version v2 is neither the template nor an "
            "earlier mfa-tui template.") in plan.stdout
    assert '    -        "s3:GetObject",' in plan.stdout  # the diff, under that heading
    demo.faults.clear_requests()
    refused = run_cli(demo, "apply", "--users", "dave", "--yes")
    assert refused.returncode == 2
    assert "--replace-policy" in refused.stderr and "--keep-policy" in refused.stderr
    assert demo.faults.mutating_count() == 0 and _default(iam) == ("v2", _customer_policy())

    kept = run_cli(demo, "apply", "--users", "dave", "--keep-policy", "--yes")
    assert kept.returncode == 0, kept.stderr
    assert "kept as it is (--keep-policy)" in kept.stdout
    assert _default(iam) == ("v2", _customer_policy()) and "dave" in attached_users(iam)

    replaced = run_cli(demo, "apply", "--users", "jane.doe@example.com", "--replace-policy",
                       "--yes")
    assert replaced.returncode == 0, replaced.stderr
    assert _default(iam) == ("v3", load_template("enforce-mfa"))
    undo = run_cli(demo, "undo", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert "restore version" in undo.stdout
    assert _default(iam) == ("v2", _customer_policy())  # the customer's version is back
    assert "jane.doe@example.com" not in attached_users(iam)


def _article_account(iam: Any) -> None:
    """The source article's Terraform, reproduced through botocore: its EnforceMFAPolicy,
    attached to every user (`for_each = toset(data.aws_iam_users.all.names)`)."""
    document = (SEED / "enforce-mfa-policy.json").read_text()
    iam.create_policy(PolicyName="EnforceMFAPolicy", PolicyDocument=document)
    for i in range(1, 16):  # automation: access keys, no console password
        iam.create_user(UserName=f"ci-{i:02d}")
        iam.create_access_key(UserName=f"ci-{i:02d}")
    for name in ("alice", "bob", "moto"):  # moto: the caller (the dummy key signs as it)
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password="Console-Password-1!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            iam.attach_user_policy(UserName=user["UserName"], PolicyArn=POLICY_ARN)


def test_the_articles_policy_in_place_is_audited(moto: MotoServer, iam: Any) -> None:
    _article_account(iam)
    result = run_cli(moto, "plan")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "edited outside mfa-tui" in out
    assert "Policy in place (v1) lint (error): Statement AllowManageOwnVirtualMFADevice" in out
    keys_line = next(line for line in out.splitlines() if "users (15):" in line)
    assert keys_line.split(": ", 1)[1] == ", ".join(f"ci-{i:02d}" for i in range(1, 16))
    assert "their keys are denied everything without an MFA session" in out
    assert "already binds you (moto) and this session has no MFA" in out
    # The caller is bound already: any change would be denied to them, and apply says so.
    assert "The policy EnforceMFAPolicy in place already applies to you (moto)" in out


def test_detach_from_frees_key_users_and_undo_puts_it_back(moto: MotoServer,
                                                           iam: Any) -> None:
    _article_account(iam)
    iam.detach_user_policy(UserName="moto", PolicyArn=POLICY_ARN)  # another admin freed us
    plan = run_cli(moto, "plan", "--detach-from", "ci-01,ci-02",
                   "--detach-from-user", "ci-03")
    assert plan.returncode == 0, plan.stderr
    assert "- detach" in plan.stdout and "Apply: 0 user(s) to enforce, 3 to detach" in plan.stdout
    moto.faults.clear_requests()
    result = run_cli(moto, "apply", "--detach-from", "ci-01,ci-02", "--detach-from-user",
                     "ci-03", "--yes")
    assert result.returncode == 0, result.stderr
    mutating = {r.action for r in moto.faults.requests if r.action and not
                r.action.startswith(("Get", "List", "GenerateCredentialReport"))}
    assert mutating == {"DetachUserPolicy"}  # no attach, the policy left as it is
    assert not {"ci-01", "ci-02", "ci-03"} & attached_users(iam)
    assert iam.get_policy(PolicyArn=POLICY_ARN)["Policy"]["DefaultVersionId"] == "v1"
    undo = run_cli(moto, "undo", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert {"ci-01", "ci-02", "ci-03"} <= attached_users(iam)


def test_detach_from_is_not_mixed_with_a_selector(moto: MotoServer, iam: Any) -> None:
    _article_account(iam)
    iam.detach_user_policy(UserName="moto", PolicyArn=POLICY_ARN)
    moto.faults.clear_requests()
    result = run_cli(moto, "apply", "--detach-from", "ci-01", "--users", "bob", "--yes")
    assert result.returncode == 2 and "--detach-from only detaches" in result.stderr
    assert moto.faults.mutating_count() == 0


def test_detach_from_goes_through_the_lock_out_check(moto: MotoServer, iam: Any) -> None:
    _article_account(iam)  # the caller is bound, without MFA in the session
    moto.faults.clear_requests()
    result = run_cli(moto, "apply", "--detach-from", "ci-01", "--yes")
    assert result.returncode == 2
    assert "already applies to you (moto)" in result.stderr
    assert "iam:DetachUserPolicy" in result.stderr
    assert moto.faults.mutating_count() == 0
