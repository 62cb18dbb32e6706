"""The Terraform renderer's own rules (pure), `terraform fmt` on what it prints, and the
command line's refusal to print a configuration for a blocked plan."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.core.hcl import heredoc, quote
from mfa_tui.core.lockout import CallerSession
from mfa_tui.core.models import Caller, Inventory, Sources, UserRecord
from mfa_tui.core.plan import build_plan
from mfa_tui.core.plan_models import GroupState, PolicyState, PolicyVersion, Selection
from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.scp_plan import OrgState, build_scp_plan
from mfa_tui.core.terraform import plan_configuration, scp_configuration
from tests.fixtures.enforce_support import run_cli
from tests.fixtures.moto_server import MotoServer

ACCOUNT = "123456789012"
ARN = f"arn:aws:iam::{ACCOUNT}:policy/EnforceMFAPolicy"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
TEMPLATE = load_template("enforce-mfa")


def _user(name: str, *, mfa: bool = False, via: str | None = None) -> UserRecord:
    return UserRecord(user=name, arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", console_access=True,
                      mfa_active=mfa, enforcement_attached=via is not None, enforced_via=via)


def _inventory(caller: str = "ops") -> Inventory:
    users = (_user("a+b=c,d.e@f-g_h"), _user("ann"), _user("dan", via="user"),
             _user("ops", mfa=True), _user("glass"), _user("old.member"))
    return Inventory(account=ACCOUNT, caller=Caller(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/"
                                                             f"{caller}"),
                     generated_at=NOW, sources=Sources(), users=users)


def _configs() -> dict[str, str]:
    inv = _inventory()
    # The admin signs with an MFA session: then the caller is planned too, attached last.
    mfa_session = CallerSession.from_arn(inv.caller.arn, account=ACCOUNT, mfa=True)
    absent = PolicyState(ARN, False)
    present = PolicyState(ARN, True, "v1", {**TEMPLATE, "Statement": TEMPLATE["Statement"][:1]},
                          (PolicyVersion("v1", True, NOW),), description='say "hi" ${x}',
                          tags=(("cost-center", "42"), ("team", "sec")))
    group = GroupState("MFA.Required", True, members=frozenset({"old.member"}), path="/teams/")
    sel = Selection(mode="all-console", exclude=("glass",))
    org = OrgState("o-abc", ACCOUNT, ACCOUNT, "r-ab12", False, True, "r-ab12", "the root",
                   enabled_policy_types=("TAG_POLICY",))
    return {
        "absent": plan_configuration(build_plan(inv, sel, absent, TEMPLATE, now=NOW,
                                                session=mfa_session), TEMPLATE),
        "present": plan_configuration(build_plan(inv, sel, present, TEMPLATE, now=NOW,
                                                 session=mfa_session, policy_mode="replace"),
                                      TEMPLATE),
        "group": plan_configuration(build_plan(inv, replace(sel, via_group="MFA.Required"),
                                               absent, TEMPLATE, now=NOW, group=group),
                                    TEMPLATE),
        "scp": scp_configuration(build_scp_plan(org, load_template("safe-scp"),
                                                "DenyIAMUsersWithoutMFA", False)),
    }


def test_quote_escapes_what_hcl_would_read_and_passes_every_iam_character() -> None:
    assert quote("a+b=c,d.e@f-g_h") == '"a+b=c,d.e@f-g_h"'
    assert quote('say "hi" \\ ${x} %{if}\n\t') == '"say \\"hi\\" \\\\ $${x} %%{if}\\n\\t"'
    assert quote("$ and % alone") == '"$ and % alone"'


def test_heredoc_escapes_templates_and_picks_a_marker_no_line_can_end() -> None:
    lines = heredoc('{\n"r": "user/${aws:username}"\n}\nEOT\n')
    assert lines[0] == "<<-EOT_" and lines[-1] == "EOT_"
    assert '  "r": "user/$${aws:username}"' in lines


def test_configurations_name_only_the_planned_users_and_keep_what_exists() -> None:
    c = _configs()
    for name in ("absent", "present"):
        attached = re.findall(r'^    "([^"]+)",$', c[name], flags=re.M)
        assert attached == ["a+b=c,d.e@f-g_h", "ann", "old.member"]  # not dan, glass, ops
        assert 'user       = "ops"' in c[name]  # the caller, in a resource of its own
        assert "depends_on = [aws_iam_user_policy_attachment.mfa_enforcement]" in c[name]
        assert "provider \"" not in c[name] and "access_key" not in c[name]
    assert "import {" not in c["absent"]
    assert 'id = "arn:aws:iam::123456789012:policy/EnforceMFAPolicy"' in c["present"]
    assert 'description = "say \\"hi\\" $${x}"' in c["present"]
    assert '"cost-center" = "42"' in c["present"]
    assert 'path = "/teams/"' in c["group"] and 'id = "MFA.Required"' in c["group"]
    assert "old.member" in c["group"] and '    "old.member",' not in c["group"]
    assert 'enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]' in c["scp"]


def test_a_blocked_plan_has_no_configuration() -> None:
    plan = build_plan(_inventory(caller="ann"), Selection(mode="users", users=("ann",)),
                      PolicyState(ARN, False), TEMPLATE, now=NOW)
    assert plan.blockers
    with pytest.raises(ValueError):
        plan_configuration(plan, TEMPLATE)


@pytest.mark.skipif(shutil.which("terraform") is None,
                    reason="terraform fmt needs terraform >= 1.5 on PATH: install it "
                    "(https://developer.hashicorp.com/terraform/install)")
@pytest.mark.parametrize("name", ["absent", "present", "group", "scp"])
def test_terraform_fmt_leaves_the_output_as_it_is(name: str, tmp_path: Path) -> None:
    done = subprocess.run(["terraform", "fmt", "-check", "-diff", "-no-color", "-"],
                          input=_configs()[name], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout


def _caller(iam: Any, name: str) -> dict[str, str]:
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Pa55word!-not-real")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


@pytest.mark.usefixtures("state_home")
def test_plan_with_a_blocker_prints_nothing_and_exits_2_with_its_sentence(
        moto: MotoServer) -> None:
    env = _caller(moto.client("iam"), "ops")  # no MFA, and names themself
    moto.faults.clear_requests()
    result = run_cli(moto, "plan", "--users", "ops", "--format", "terraform", env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("mfa-tui: Attaching the policy to ops would lock you out")
    assert "no Terraform configuration" in result.stderr
    assert moto.faults.mutating_count() == 0


def test_the_readme_example_is_what_the_demo_prints() -> None:
    """README "Terraform": the demo account's output, the policy body elided (one line)."""
    from tests.fixtures.terminal import installed_cli

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Terraform\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```hcl\n", 1)[1].split("\n```", 1)[0]
    printed = subprocess.run([installed_cli(), "--demo", "plan", "--format", "terraform"],
                             capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    head, rest = printed.stdout.split("= <<-EOT\n", 1)
    body, tail = rest.split("\n  EOT\n", 1)
    shown_head, shown_rest = example.split("= <<-EOT\n", 1)
    elided, shown_tail = shown_rest.split("\n  EOT\n", 1)
    assert shown_head == head and shown_tail == tail.rstrip("\n")
    assert f"({len(body.splitlines())} lines;" in elided


@pytest.mark.usefixtures("state_home")
@pytest.mark.parametrize("flags", [("--keep-policy",), ("--detach-from", "ann")])
def test_terraform_has_no_form_for_keep_or_detach_and_says_so(
        moto: MotoServer, flags: tuple[str, ...]) -> None:
    moto.faults.clear_requests()
    result = run_cli(moto, "plan", "--format", "terraform", *flags)
    assert result.returncode == 2 and result.stdout == ""
    assert "no form for --keep-policy or --detach-from" in result.stderr
    assert moto.faults.mutating_count() == 0
