"""The lock-out check on every path, against moto: resume, --via-group, role sessions.

The evaluator decides what the caller could still do after each step (core/lockout.py); these
tests check that `plan` lists the blocker and `apply` refuses before any change, and that the
order the engine uses is the one the check walked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mfa_tui.core.lockout import Binding, CallerSession, check, undo_steps
from mfa_tui.core.plan_models import Selection, Step
from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.resume import plan_header
from mfa_tui.engine.plan_inputs import load_plan
from mfa_tui.state.journal import Journal, new_run_id, now_iso
from tests.fixtures.enforce_support import (
    POLICY_ARN,
    acted,
    attached_users,
    connection,
    journal_lines,
    run_cli,
)
from tests.fixtures.moto_server import MotoServer

pytestmark = pytest.mark.usefixtures("state_home")


def _make_caller_a_console_user(iam: Any, *, device: bool = False) -> None:
    """moto signs the dummy key as user "moto": make it a console user (with a device)."""
    iam.create_user(UserName="moto")
    iam.create_login_profile(UserName="moto", Password="Moto-Password-1!")
    if device:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="moto")
        iam.enable_mfa_device(UserName="moto",
                              SerialNumber=serial["VirtualMFADevice"]["SerialNumber"],
                              AuthenticationCode1="123456", AuthenticationCode2="654321")


def _interrupted_run(moto: MotoServer, selection: Selection) -> str:
    """A run that died right after writing its plan line (what kill -9 leaves)."""
    plan = load_plan(connection(moto), selection)
    run_id = new_run_id()
    Journal.create(plan_header(plan, run_id=run_id, started_at=now_iso())).close()
    return run_id


# ------------------------------------------------------------------------------- resume


def test_another_selector_while_a_run_is_unfinished_is_refused(demo: MotoServer,
                                                              iam: Any) -> None:
    _make_caller_a_console_user(iam)
    run_id = _interrupted_run(demo, Selection(mode="users", users=("dave",)))
    demo.faults.clear_requests()
    # The case: the caller (no MFA) names themselves while a run is pending.
    result = run_cli(demo, "apply", "--users", "moto", "--yes")
    assert result.returncode == 2
    assert f"Run {run_id}" in result.stderr
    assert "`mfa-tui apply --resume`" in result.stderr
    assert f"`mfa-tui undo {run_id}`" in result.stderr
    assert "Finishing run" not in result.stdout
    assert demo.faults.mutating_count() == 0
    plan = run_cli(demo, "plan", "--users", "moto")
    assert plan.returncode == 0 and f"Run {run_id}" in plan.stdout  # listed as a blocker


def test_the_same_selector_or_resume_finishes_the_run(demo: MotoServer, iam: Any) -> None:
    run_id = _interrupted_run(demo, Selection(mode="users", users=("dave",)))
    same = run_cli(demo, "apply", "--users", "dave", "--yes")
    assert same.returncode == 0, same.stderr
    assert f"Finishing run {run_id}" in same.stdout
    assert "dave" in attached_users(iam)
    second = _interrupted_run(demo, Selection(mode="users", users=("jane.doe@example.com",)))
    resumed = run_cli(demo, "apply", "--resume", second, "--yes")
    assert resumed.returncode == 0, resumed.stderr
    assert f"Finishing run {second}" in resumed.stdout
    assert "jane.doe@example.com" in attached_users(iam)
    nothing = run_cli(demo, "apply", "--resume", "--yes")
    assert nothing.returncode == 2 and "no unfinished apply run" in nothing.stderr


def test_resume_runs_the_check_for_the_current_caller(demo: MotoServer, iam: Any,
                                                      state_home: Path) -> None:
    _make_caller_a_console_user(iam)
    # Someone else's run named moto; a header planned with moto as a target.
    plan = load_plan(connection(demo), Selection(mode="users", users=("dave",)))
    run_id = new_run_id()
    header = plan_header(plan, run_id=run_id, started_at=now_iso())
    header["targets"] = ["dave", "moto"]
    header["caller_arn"] = "arn:aws:iam::123456789012:user/ops"
    header["caller_user"] = "ops"
    Journal.create(header).close()
    demo.faults.clear_requests()
    result = run_cli(demo, "apply", "--resume", "--yes")
    assert result.returncode == 2
    assert "Attaching the policy to moto would lock you out" in result.stderr
    assert demo.faults.mutating_count() == 0  # dave was not attached either
    path = next((state_home / "mfa-tui" / "journal").glob(f"{run_id}.jsonl"))
    assert len(journal_lines(path)) == 1  # still unfinished: `undo` or an MFA session next


# --------------------------------------------------------------------------- via group


def test_a_member_without_an_mfa_session_blocks_via_group(demo: MotoServer, iam: Any) -> None:
    _make_caller_a_console_user(iam, device=True)  # a device, but long-term keys
    iam.add_user_to_group(GroupName="ReadOnly", UserName="moto")
    plan = load_plan(connection(demo), Selection(mode="users", users=("dave",),
                                                 via_group="ReadOnly"))
    (blocker,) = plan.lockout
    assert blocker.cut == Step("attach-group-policy", "ReadOnly")
    assert blocker.phase == "undo"  # the run's last step: its undo is what it cuts off
    demo.faults.clear_requests()
    result = run_cli(demo, "apply", "--users", "dave", "--via-group", "ReadOnly", "--yes")
    assert result.returncode == 2
    assert "Attaching the policy to group ReadOnly would lock you out" in result.stderr
    assert demo.faults.mutating_count() == 0


def test_via_group_attaches_the_policy_after_the_members(demo: MotoServer, iam: Any) -> None:
    result = run_cli(demo, "apply", "--users", "dave,jane.doe@example.com", "--via-group",
                     "MFARequired", "--yes")
    assert result.returncode == 0, result.stderr
    order = [r.action for r in demo.faults.requests
             if r.action in ("CreateGroup", "AddUserToGroup", "AttachGroupPolicy")]
    assert order == ["CreateGroup", "AddUserToGroup", "AddUserToGroup", "AttachGroupPolicy"]
    assert acted(demo, "AttachGroupPolicy", "GroupName") == {"MFARequired": 1}


# ------------------------------------------------------------------------- role session


def test_a_role_session_is_said_so_and_warned_about_matching_names(demo: MotoServer,
                                                                   sts: Any) -> None:
    creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/Admin",
                            RoleSessionName="dave")["Credentials"]
    conn = connection(demo, access_key_id=creds["AccessKeyId"],
                      secret_access_key=creds["SecretAccessKey"],
                      session_token=creds["SessionToken"])
    plan = load_plan(conn, Selection(mode="users", users=("dave", "jane.doe@example.com")))
    assert not plan.blockers and not plan.lockout
    assert any("You are a role session" in n and "cannot see which IAM users reach this role"
               in n for n in plan.notes)
    (match,) = [w for w in plan.warnings if w.code == "role-session-name"]
    assert match.users == ("dave",)


# ------------------------------------------------------------------------- the evaluator


def test_the_check_walks_the_steps_with_the_evaluator() -> None:
    """Pure: the same steps are fine with an MFA session and cut off without one."""
    template = load_template("enforce-mfa")
    steps = (Step("create-policy", "P"), Step("attach", "dave"), Step("attach", "ops"))
    kw = dict(start=Binding(policy_exists=False), template=template, policy_arn=POLICY_ARN,
              policy_name="P")
    with_mfa = CallerSession("user", "arn:aws:iam::123456789012:user/ops", "123456789012",
                             user="ops", mfa=True)
    assert check(steps, session=with_mfa, **kw) == ()  # type: ignore[arg-type]
    without = CallerSession("user", with_mfa.arn, "123456789012", user="ops", mfa=False)
    (blocker,) = check(steps, session=without, **kw)  # type: ignore[arg-type]
    assert blocker.cut == Step("attach", "ops") and blocker.phase == "undo"
    assert blocker.denied == Step("detach", "dave")  # undo detaches users first
    # Attached first, the caller would be cut off from the rest of the run itself.
    early = (Step("create-policy", "P"), Step("attach", "ops"), Step("attach", "dave"))
    (first,) = check(early, session=without, **kw)  # type: ignore[arg-type]
    assert first.phase == "run" and first.denied == Step("attach", "dave")
    assert undo_steps(early) == [Step("detach", "dave"), Step("detach", "ops"),
                                 Step("delete-policy", "P")]


# --------------------------------------------------------------------------------- undo


def test_undo_goes_through_the_check_for_the_caller_who_runs_it(demo: MotoServer,
                                                                iam: Any) -> None:
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions
    from mfa_tui.engine.runs import apply_plan

    _make_caller_a_console_user(iam, device=True)
    serial = iam.list_mfa_devices(UserName="moto")["MFADevices"][0]["SerialNumber"]
    with_mfa = AwsConnection(ConnectionOptions(
        region="us-east-1", endpoint_url=demo.url, access_key_id="testing",
        secret_access_key="testing", mfa_serial=serial), ask_code=lambda request: "123456")
    plan = load_plan(with_mfa, Selection(mode="users", users=("dave", "moto")))
    assert not plan.blockers  # an MFA session: the run and its undo stay allowed
    assert apply_plan(with_mfa, plan).exit_code == 0
    demo.faults.clear_requests()
    # The same user with long-term keys: the policy now denies them the undo's calls.
    result = run_cli(demo, "undo", "--yes")
    assert result.returncode == 2
    assert "already applies to you (moto)" in result.stderr
    assert "iam:DetachUserPolicy" in result.stderr and "in this undo" in result.stderr
    assert demo.faults.mutating_count() == 0
    assert {"dave", "moto"} <= attached_users(iam)


def test_temporary_credentials_of_unknown_origin_count_as_no_mfa() -> None:
    template = load_template("enforce-mfa")
    unknown = CallerSession.from_arn("arn:aws:iam::123456789012:user/ops",
                                     account="123456789012", mfa=None)
    assert unknown.kind == "user" and not unknown.satisfies_mfa
    (blocker,) = check((Step("attach", "ops"),), session=unknown,
                       start=Binding(document=template), template=template,
                       policy_arn=POLICY_ARN, policy_name="P")
    assert "cannot tell whether these temporary credentials carry MFA" in blocker.message
    role = CallerSession.from_arn("arn:aws:sts::123456789012:assumed-role/Admin/ops",
                                  account="123456789012", mfa=False)
    assert role.kind == "role" and role.session_name == "ops"
    assert check((Step("attach", "ops"),), session=role, start=Binding(document=template),
                 template=template, policy_arn=POLICY_ARN, policy_name="P") == ()


def test_a_policy_the_evaluator_cannot_read_is_assumed_to_deny_and_said_so() -> None:
    template = load_template("enforce-mfa")
    odd = {**template, "Statement": [*template["Statement"][:-1], {
        **template["Statement"][-1],
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    me = CallerSession("user", "arn:aws:iam::123456789012:user/ops", "123456789012",
                       user="ops", mfa=False)
    (blocker,) = check((Step("attach", "dave"),), session=me,
                       start=Binding(direct=True, document=odd), template=template,
                       policy_arn=POLICY_ARN, policy_name="P")
    assert blocker.cut is None and "cannot evaluate that policy" in blocker.message
