"""`mfa-tui plan` and the plan builder, against the demo cast in the moto server.

The installed command runs as a subprocess against moto (``--endpoint-url``); the plan
builder is also called in-process with the same moto state where the rows are easier to
assert on than the text.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.errors import UnknownUsers
from mfa_tui.core.plan import build_plan
from mfa_tui.core.plan_models import PolicyState, PolicyVersion, Selection
from mfa_tui.core.plan_text import plan_lines
from mfa_tui.core.policy_templates import load_template
from mfa_tui.engine.plan_inputs import load_plan
from tests.fixtures.enforce_support import POLICY_ARN, connection, outdated_document, run_cli
from tests.fixtures.moto_server import MotoServer

pytestmark = pytest.mark.usefixtures("state_home")


def _plan(moto: MotoServer, **selection: Any) -> Any:
    return load_plan(connection(moto), Selection(**selection))


def _warning(plan: Any, code: str) -> Any:
    found = [w for w in plan.warnings if w.code == code]
    assert found, f"no {code} warning in {[w.code for w in plan.warnings]}"
    return found[0]


# ------------------------------------------------------------------------ the policy part


def test_plan_for_a_new_policy_says_it_will_be_created(demo: MotoServer) -> None:
    result = run_cli(demo, "plan", "--policy-name", "BrandNewMFAPolicy")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Policy BrandNewMFAPolicy  arn:aws:iam::123456789012:policy/BrandNewMFAPolicy" in out
    assert "will be created from the template enforce-mfa." in out
    # Nobody is enforced by a policy that does not exist yet: bob is a plain "attach" now.
    assert "+ attach            bob" in out
    assert demo.faults.mutating_count() == 0  # plan changes nothing


def test_plan_for_an_outdated_policy_shows_the_diff_and_the_new_version(
        demo: MotoServer, iam: Any) -> None:
    iam.create_policy_version(PolicyArn=POLICY_ARN, SetAsDefault=True,
                              PolicyDocument=json.dumps(outdated_document()))
    result = run_cli(demo, "plan")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert ("  default version v2 differs from the template enforce-mfa: will add version v3 "
            "as the default.") in out
    diff = [line.strip() for line in out if line.startswith("    ")]
    assert '-        "Bool": {' in diff and '+        "BoolIfExists": {' in diff
    assert '+        "iam:ChangePassword",' in diff
    assert "deleting version" not in result.stdout


def test_at_the_version_limit_the_oldest_non_default_version_is_deleted(
        demo: MotoServer, iam: Any) -> None:
    doc = outdated_document()
    for i in range(4):  # v2..v5; v3 becomes the default, so v1 is the oldest non-default
        doc = {**doc, "Statement": [*doc["Statement"][:-1], {**doc["Statement"][-1],
                                                             "Sid": f"Deny{i}"}]}
        iam.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(doc),
                                  SetAsDefault=(i == 1))
    result = run_cli(demo, "plan")
    assert ("will add version v6 as the default (deleting version v1: the 5-version limit)"
            in result.stdout)
    plan = _plan(demo)
    assert plan.policy.delete_version == "v1" and plan.policy.current_version == "v3"
    assert "v1, the oldest non-default one" in _warning(plan, "version-limit").message


def test_an_up_to_date_policy_is_left_alone(demo: MotoServer) -> None:
    plan = _plan(demo)
    assert plan.policy.action == "none"
    assert plan.steps()[0] == ()


# ------------------------------------------------------------------------------- the rows


def test_rows_attach_already_directly_or_via_group(demo: MotoServer) -> None:
    plan = _plan(demo)
    rows = {r.user: (r.action, r.detail) for r in plan.rows}
    assert rows["dave"] == ("attach", "console, no MFA")
    assert rows["heidi"] == ("already", "directly")
    assert rows["bob"] == ("already", "via group Developers")
    assert "alice" not in rows  # compliant: not selected by the default --non-compliant
    assert "dave" in plan.targets and "heidi" not in plan.targets


def test_all_console_selects_every_console_user(demo: MotoServer) -> None:
    plan = _plan(demo, mode="all-console")
    names = {r.user for r in plan.rows}
    assert {"alice", "bob", "admin.breakglass", "erin"} <= names
    assert "ci-deploy" not in names  # no console password


def test_exclude_leaves_break_glass_users_out_with_a_reason(demo: MotoServer) -> None:
    plan = _plan(demo, mode="all-console", exclude=("admin.breakglass", "dave"))
    assert plan.row("admin.breakglass").detail == "--exclude (break-glass)"
    assert plan.row("dave").action == "excluded"
    assert "dave" not in plan.targets
    glass = _warning(plan, "break-glass")
    assert glass.users == ("admin.breakglass", "dave")
    assert "1 of them stay non-compliant" in glass.message  # dave has no MFA


# ---------------------------------------------------------------------------- the warnings


def test_keys_used_recently_and_keys_only_users_are_warned_about(demo: MotoServer) -> None:
    plan = _plan(demo, mode="users", users=("backup-bot", "ci-deploy", "dave"))
    assert _warning(plan, "active-keys").users == ("ci-deploy",)  # backup-bot: idle 400 days
    assert _warning(plan, "keys-only").users == ("backup-bot", "ci-deploy")
    out = run_cli(demo, "plan", "--users", "ci-deploy,backup-bot,dave").stdout
    assert "users (2): backup-bot, ci-deploy" in out and "Is that intended?" in out


def test_unknown_user_names_block_apply_with_one_sentence(demo: MotoServer) -> None:
    sentence = ("No IAM user named 'bbo' in account 123456789012: check the spelling "
                "(--users takes user names, not ARNs).")
    with pytest.raises(UnknownUsers) as caught:
        _plan(demo, mode="users", users=("bob", "bbo"))
    assert str(caught.value) == sentence
    for command in ("plan", "apply"):  # plan too: a selector naming nobody is never exit 0
        yes = ["--yes"] if command == "apply" else []
        result = run_cli(demo, command, "--users", "bob,bbo", *yes)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [f"mfa-tui: {sentence}"]
    assert demo.faults.mutating_count() == 0


def test_the_caller_without_mfa_is_left_out_not_locked_out(demo: MotoServer, iam: Any) -> None:
    # moto signs the dummy key as user "moto": make that a console user without MFA.
    iam.create_user(UserName="moto")
    iam.create_login_profile(UserName="moto", Password="Moto-Password-1!")
    plan = _plan(demo)
    row = plan.row("moto")
    assert row is not None and row.action == "excluded" and "lock you out" in row.detail
    assert _warning(plan, "caller-lockout").users == ("moto",)
    assert "moto" not in plan.targets and not plan.blockers


def test_apply_refuses_when_the_caller_names_themselves_without_mfa(
        demo: MotoServer, iam: Any) -> None:
    iam.create_user(UserName="moto")
    iam.create_login_profile(UserName="moto", Password="Moto-Password-1!")
    demo.faults.clear_requests()
    result = run_cli(demo, "apply", "--users", "moto,dave", "--yes")
    assert result.returncode == 2
    assert "Attaching the policy to moto would lock you out" in result.stderr
    assert "iam:DetachUserPolicy" in result.stderr  # the undo it could no longer make
    assert "Traceback" not in result.stderr
    assert demo.faults.mutating_count() == 0  # nobody was attached, dave included


def test_a_caller_with_mfa_is_included_and_warned(demo: MotoServer, iam: Any) -> None:
    iam.create_user(UserName="moto")
    iam.create_login_profile(UserName="moto", Password="Moto-Password-1!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="moto")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="moto", SerialNumber=serial["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    ask = lambda request: "123456"  # noqa: E731 - moto does not check the code
    conn = AwsConnection(ConnectionOptions(
        region="us-east-1", endpoint_url=demo.url, access_key_id="testing",
        secret_access_key="testing", mfa_serial=serial["SerialNumber"]), ask_code=ask)
    plan = load_plan(conn, Selection(mode="all-console"))
    assert plan.targets[-1] == "moto"  # attached last: the run cannot lock itself out
    assert not plan.blockers  # an MFA session satisfies the policy, undo included
    assert "only through an MFA session" in _warning(plan, "caller-included").message


def test_a_device_is_not_an_mfa_session(demo: MotoServer, iam: Any) -> None:
    # The caller has a device but signs with long-term keys: the policy would deny them.
    iam.create_user(UserName="moto")
    iam.create_login_profile(UserName="moto", Password="Moto-Password-1!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="moto")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="moto", SerialNumber=serial["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    plan = _plan(demo, mode="all-console")
    assert plan.row("moto").action == "excluded"
    assert _warning(plan, "caller-lockout").users == ("moto",)
    named = _plan(demo, mode="users", users=("moto",))
    assert [b.cut.target for b in named.lockout] == ["moto"]
    assert named.lockout[0].phase == "undo"


# ------------------------------------------------------------------------------ via group


def test_via_a_new_group(demo: MotoServer) -> None:
    plan = _plan(demo, mode="users", users=("dave", "jane.doe@example.com", "heidi"),
                 via_group="MFARequired")
    rows = {r.user: r.action for r in plan.rows}
    assert rows == {"dave": "add-to-group", "jane.doe@example.com": "add-to-group",
                    "heidi": "already"}
    setup, per_user = plan.steps()
    # Members first, the group's policy last: the one step that enforces it on them all.
    assert [(s.op, s.target) for s in setup] == [("create-group", "MFARequired")]
    assert [s.op for s in per_user] == ["add-to-group", "add-to-group"]
    assert [(s.op, s.target) for s in plan.closing] == [("attach-group-policy", "MFARequired")]
    assert plan.ordered_steps()[-1] == plan.closing[0]
    out = run_cli(demo, "plan", "--users", "dave,jane.doe@example.com",
                  "--via-group", "MFARequired").stdout
    assert ("Group MFARequired (--via-group): will be created; the policy will be attached "
            "to it.") in out


def test_via_an_existing_group_enforces_every_member(demo: MotoServer) -> None:
    # ReadOnly holds x_y-z.test (console, no MFA) and has no enforcement policy yet.
    plan = _plan(demo, mode="users", users=("dave",), via_group="ReadOnly")
    row = plan.row("x_y-z.test")
    assert row is not None and row.action == "group-member"
    assert "x_y-z.test" in plan.targets


def test_via_group_blocks_when_an_excluded_user_is_a_member(demo: MotoServer) -> None:
    plan = _plan(demo, mode="users", users=("dave",), exclude=("x_y-z.test",),
                 via_group="ReadOnly")
    assert any("x_y-z.test is excluded but is a member of ReadOnly" in b
               for b in plan.blockers)


# -------------------------------------------------------------------------------- stable


def test_plan_text_is_stable_between_runs(demo: MotoServer, iam: Any) -> None:
    iam.create_policy_version(PolicyArn=POLICY_ARN, SetAsDefault=True,
                              PolicyDocument=json.dumps(outdated_document()))
    first = run_cli(demo, "plan", "--all-console", "--exclude", "admin.breakglass")
    second = run_cli(demo, "plan", "--all-console", "--exclude", "admin.breakglass")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert not re.search(r"\d{4}-\d\d-\d\d", first.stdout)  # no dates, no timestamps


def test_plan_does_not_depend_on_input_order() -> None:
    """Pure: the same users in another order give the same text."""
    from tests.test_enforce_pure import sample_inventory

    inv = sample_inventory()
    shuffled = list(inv.users)
    random.Random(3).shuffle(shuffled)
    state = PolicyState(POLICY_ARN, True, "v1", outdated_document(),
                        (PolicyVersion("v1", True, datetime(2024, 1, 1, tzinfo=UTC)),))
    now = datetime(2026, 11, 30, tzinfo=UTC)
    sel = Selection(mode="all-console", exclude=("root.glass",))
    template = load_template("enforce-mfa")
    a = plan_lines(build_plan(inv, sel, state, template, now=now))
    b = plan_lines(build_plan(replace(inv, users=tuple(shuffled)), sel, state, template,
                              now=now))
    assert a == b
