"""`scp plan --format terraform`, proven by the real terraform binary against moto's
Organizations: the same end state as `mfa-tui scp apply`, then no change either way.

Organization and root ids are random on moto, so each copy's configuration is printed from
that copy and the states are compared without ids.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from mfa_tui.core.policy_templates import load_template
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.terminal import installed_cli
from tests.fixtures.terraform import TerraformEnv, Workspace, fmt_check

NAME = "DenyIAMUsersWithoutMFA"
OLD = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}


def scp(moto: MotoServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([installed_cli(), "--endpoint-url", moto.url, "scp", *args],
                          capture_output=True, text=True, timeout=120, input="",
                          env=os.environ.copy())


def seed(moto: MotoServer) -> Any:
    """An organization whose root has tag policies on, and an outdated SCP of our name."""
    org = moto.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    org.create_policy(Name=NAME, Type="SERVICE_CONTROL_POLICY", Description="old one",
                      Content=json.dumps(OLD))
    return org


def org_state(org: Any) -> dict[str, Any]:
    root = org.list_roots()["Roots"][0]
    ours = [p for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
            if p["Name"] == NAME]
    policies = []
    for p in ours:
        content = json.loads(org.describe_policy(PolicyId=p["Id"])["Policy"]["Content"])
        targets = org.list_targets_for_policy(PolicyId=p["Id"])["Targets"]
        policies.append((p["Description"], content, sorted(t["Type"] for t in targets),
                         [t["TargetId"] == root["Id"] for t in targets]))
    return {"types": sorted((t["Type"], t["Status"]) for t in root["PolicyTypes"]),
            "policies": policies}


def test_scp_configuration_ends_where_scp_apply_does(
        moto: MotoServer, terraform_env: TerraformEnv, tmp_path: Path) -> None:
    seed(moto)
    applied = scp(moto, "apply", "--yes")
    assert applied.returncode == 0, applied.stderr
    expected = org_state(moto.client("organizations"))
    assert expected["policies"][0][1] == load_template("safe-scp-console")  # the default scope

    moto.reset()
    org = seed(moto)
    assert org_state(org) != expected
    printed = scp(moto, "plan", "--format", "terraform")
    assert printed.returncode == 0 and printed.stderr == "", printed.stderr
    config = printed.stdout
    assert "to = aws_organizations_organization.this" in config
    assert "to = aws_organizations_policy.mfa_enforcement" in config
    assert "prevent_destroy = true" in config
    assert fmt_check(terraform_env, config, tmp_path).returncode == 0

    ws = Workspace(terraform_env, tmp_path / "scp", moto.url)
    ws.write(config)
    valid = ws.run("validate")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    done = ws.run("apply", "-auto-approve", "-input=false")
    assert done.returncode == 0, done.stdout + done.stderr
    assert org_state(org) == expected  # TAG_POLICY kept, the SCP updated in place, attached

    again = ws.run("plan", "-detailed-exitcode", "-input=false")
    assert again.returncode == 0, again.stdout + again.stderr
    moto.faults.clear_requests()
    after = scp(moto, "apply", "--yes")
    assert after.returncode == 0, after.stderr
    assert "Nothing to change." in after.stdout and moto.faults.mutating_count() == 0


def test_scp_apply_refuses_the_terraform_format(moto: MotoServer) -> None:
    result = scp(moto, "apply", "--format", "terraform")
    assert result.returncode == 2 and result.stdout == ""
    assert "--format terraform is for `scp plan`" in result.stderr
