"""`mfa-tui apply` / `undo` and the engine, against the demo cast in the moto server.

Faults (throttling, 5xx, answers dropped after moto acted) come from the harness's
FaultInjector; "exactly once" is counted at the server: a request moto carried out is one
that was not throttled or failed on the way in (a dropped one was carried out).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.core.plan_models import Selection
from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.run_result import Progress
from mfa_tui.engine.plan_inputs import load_plan, load_undo
from mfa_tui.engine.runs import apply_plan, undo_run
from mfa_tui.state.journal import list_runs
from tests.fixtures.enforce_support import (
    POLICY_ARN,
    acted,
    attached_users,
    connection,
    journal_lines,
    journals,
    run_cli,
)
from tests.fixtures.moto_server import MotoServer

pytestmark = pytest.mark.usefixtures("state_home")

BEFORE = {"heidi", "ivan"}  # enforced directly by the demo seed, before any run


def _apply(moto: MotoServer, selection: Selection | None = None, **kw: Any) -> Any:
    conn = connection(moto)
    plan = load_plan(conn, selection or Selection(mode="all-console",
                                                  exclude=("admin.breakglass",)))
    return plan, apply_plan(conn, plan, **kw)


def _exactly_once(moto: MotoServer, targets: tuple[str, ...], iam: Any) -> None:
    counts = acted(moto, "AttachUserPolicy")
    assert {u: counts[u] for u in targets} == {u: 1 for u in targets}
    assert set(counts) == set(targets)
    assert attached_users(iam) == set(targets) | BEFORE


# -------------------------------------------------------------------------------- the CLI


def test_apply_without_a_terminal_or_yes_refuses_and_changes_nothing(demo: MotoServer) -> None:
    result = run_cli(demo, "apply")
    assert result.returncode == 2
    assert result.stderr.strip() == ("mfa-tui: Refusing to enforce MFA as shown without "
                                     "confirmation: stdin is not a terminal. Run it in a "
                                     "terminal, or pass --yes in scripts.")
    assert demo.faults.mutating_count() == 0


def test_apply_then_a_rerun_has_nothing_to_do(demo: MotoServer, iam: Any, state_home: Path) -> None:
    first = run_cli(demo, "apply", "--yes")
    assert first.returncode == 0, first.stderr
    plan_targets = json.loads(journals(state_home)[0].read_text().splitlines()[0])["targets"]
    assert "dave" in plan_targets and "heidi" not in plan_targets
    assert "✓ done     attach             dave" in first.stdout
    assert attached_users(iam) >= set(plan_targets) | BEFORE
    demo.faults.clear_requests()
    second = run_cli(demo, "apply", "--yes")
    assert second.returncode == 0, second.stderr
    assert "Nothing to do" in second.stdout
    assert demo.faults.mutating_count() == 0  # counted at the server
    assert len(journals(state_home)) == 1  # nothing to do: no run, no journal


def test_apply_creates_a_missing_policy_and_the_journal_says_what_happened(
        demo: MotoServer, iam: Any, state_home: Path) -> None:
    result = run_cli(demo, "apply", "--yes", "--users", "dave,alice", "--policy-name", "NewMFA")
    assert result.returncode == 0, result.stderr
    arn = "arn:aws:iam::123456789012:policy/NewMFA"
    assert attached_users(iam, arn) == {"dave", "alice"}
    lines = journal_lines(journals(state_home)[0])
    assert lines[0]["type"] == "plan" and lines[0]["policy_action"] == "create"
    assert lines[0]["targets"] == ["alice", "dave"]
    steps = [(x["op"], x["target"], x["outcome"]) for x in lines[1:-1]]
    assert steps[0] == ("create-policy", "NewMFA", "done")  # before any user
    assert sorted(steps[1:]) == [("attach", "alice", "done"), ("attach", "dave", "done")]
    assert lines[-1]["type"] == "finished" and lines[-1]["status"] == "done"
    assert (journals(state_home)[0].stat().st_mode & 0o777) == 0o600


def test_apply_updates_an_outdated_policy_at_the_version_limit(demo: MotoServer,
                                                               iam: Any) -> None:
    from tests.fixtures.enforce_support import outdated_document

    doc = outdated_document()
    for i in range(4):
        doc = {**doc, "Statement": [*doc["Statement"][:-1],
                                    {**doc["Statement"][-1], "Sid": f"Deny{i}"}]}
        iam.create_policy_version(PolicyArn=POLICY_ARN, PolicyDocument=json.dumps(doc),
                                  SetAsDefault=(i == 1))
    demo.faults.clear_requests()
    refused = run_cli(demo, "apply", "--yes", "--users", "dave")
    assert refused.returncode == 2 and "edited outside mfa-tui" in refused.stderr
    assert demo.faults.mutating_count() == 0
    result = run_cli(demo, "apply", "--yes", "--users", "dave", "--replace-policy")
    assert result.returncode == 0, result.stderr
    versions = iam.list_policy_versions(PolicyArn=POLICY_ARN)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v2", "v3", "v4", "v5", "v6"]
    default = next(v for v in versions if v["IsDefaultVersion"])
    assert default["VersionId"] == "v6" and default["Document"] == load_template("enforce-mfa")
    assert demo.faults.count("DeletePolicyVersion") == demo.faults.count(
        "CreatePolicyVersion") == 1


def test_exclude_is_honoured(demo: MotoServer, iam: Any) -> None:
    result = run_cli(demo, "apply", "--yes", "--exclude", "dave,jane.doe@example.com")
    assert result.returncode == 0, result.stderr
    attached = attached_users(iam)
    assert "dave" not in attached and "jane.doe@example.com" not in attached
    assert "x_y-z.test" in attached


def test_via_group_then_undo_leaves_the_account_as_it_was(demo: MotoServer, iam: Any,
                                                          state_home: Path) -> None:
    result = run_cli(demo, "apply", "--yes", "--users", "dave,jane.doe@example.com",
                     "--via-group", "MFARequired")
    assert result.returncode == 0, result.stderr
    group = iam.get_group(GroupName="MFARequired")
    assert {u["UserName"] for u in group["Users"]} == {"dave", "jane.doe@example.com"}
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(
        GroupName="MFARequired")["AttachedPolicies"]] == [POLICY_ARN]
    assert acted(demo, "AttachGroupPolicy", "GroupName") == {"MFARequired": 1}
    assert attached_users(iam) == BEFORE  # nothing attached per user
    undo = run_cli(demo, "undo", "--yes")
    assert undo.returncode == 0, undo.stderr
    groups = {g["GroupName"] for g in iam.list_groups()["Groups"]}
    assert "MFARequired" not in groups  # created by the run, empty again: deleted


# ------------------------------------------------------------------------------ undo


def test_undo_detaches_exactly_what_the_run_attached(demo: MotoServer, iam: Any,
                                                     state_home: Path) -> None:
    plan, result = _apply(demo)
    assert result.exit_code == 0
    assert attached_users(iam) == set(plan.targets) | BEFORE
    demo.faults.clear_requests()
    undo = run_cli(demo, "undo", "--yes")
    assert undo.returncode == 0, undo.stderr
    assert attached_users(iam) == BEFORE  # heidi and ivan were enforced before the run
    assert set(acted(demo, "DetachUserPolicy")) == set(plan.targets)
    assert [r.kind for r in list_runs(state_home / "mfa-tui" / "journal")] == ["apply", "undo"]
    demo.faults.clear_requests()
    again = run_cli(demo, "undo", result.run_id, "--yes")  # undo is idempotent
    assert again.returncode == 0, again.stderr
    assert "Nothing to undo" in again.stdout
    assert demo.faults.mutating_count() == 0


def test_undo_of_an_unknown_run_is_one_sentence(demo: MotoServer) -> None:
    result = run_cli(demo, "undo", "20991231T000000Z-nope", "--yes")
    assert result.returncode == 2
    assert result.stderr.startswith("mfa-tui: No apply run '20991231T000000Z-nope'")
    assert len(result.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- faults


def test_apply_under_throttling_enforces_every_target_exactly_once(demo: MotoServer,
                                                                   iam: Any) -> None:
    demo.faults.throttle(probability=0.15, seed=11)
    plan, result = _apply(demo)
    demo.faults.reset_faults()
    assert result.exit_code == 0, result.failed
    assert any(r.fault == "throttle" for r in demo.faults.requests)
    _exactly_once(demo, plan.targets, iam)


def test_apply_under_server_errors_enforces_every_target_exactly_once(demo: MotoServer,
                                                                      iam: Any) -> None:
    demo.faults.server_error(503, actions="AttachUserPolicy", probability=0.3, seed=5)
    plan, result = _apply(demo)
    demo.faults.reset_faults()
    assert result.exit_code == 0, result.failed
    _exactly_once(demo, plan.targets, iam)


def test_answers_lost_after_aws_acted_are_verified_not_repeated(demo: MotoServer, iam: Any,
                                                                state_home: Path) -> None:
    demo.faults.drop_after("AttachUserPolicy", probability=0.3, seed=2)
    plan, result = _apply(demo)
    demo.faults.reset_faults()
    assert result.exit_code == 0, result.failed
    dropped = {r.params["UserName"] for r in demo.faults.requests if r.fault == "drop"}
    assert dropped  # the rule fired
    _exactly_once(demo, plan.targets, iam)  # no blind re-send by botocore or the engine
    verified = {s.target for s in result.steps if s.verified}
    assert verified == dropped
    assert acted(demo, "ListAttachedUserPolicies").keys() >= dropped  # read back instead
    lines = journal_lines(journals(state_home)[0])
    assert {x["target"] for x in lines if x.get("verified")} == dropped


def test_a_lost_create_policy_answer_is_verified(demo: MotoServer, iam: Any) -> None:
    demo.faults.drop_after("CreatePolicy", times=1)
    conn = connection(demo)
    plan = load_plan(conn, Selection(mode="users", users=("dave",)), policy_name="Other")
    result = apply_plan(conn, plan)
    assert result.exit_code == 0, result.failed
    assert demo.faults.count("CreatePolicy") == 1
    assert result.steps[0].op == "create-policy" and result.steps[0].verified


def test_progress_is_reported_and_cancel_leaves_a_consistent_journal(
        demo: MotoServer, iam: Any, state_home: Path) -> None:
    demo.faults.add_latency(0.05, actions="AttachUserPolicy")
    cancel = threading.Event()
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if p.completed == 5:
            cancel.set()

    plan, result = _apply(demo, progress=progress, cancel=cancel, workers=2)
    assert result.cancelled and result.exit_code == 1
    assert [p.completed for p in seen] == list(range(1, len(seen) + 1))
    done = {s.target for s in result.steps if s.outcome == "done"}
    assert 5 <= len(done) < len(plan.targets)
    lines = journal_lines(journals(state_home)[0])
    assert {x["target"] for x in lines if x.get("type") == "step"} == done
    assert lines[-1]["status"] == "cancelled"
    assert attached_users(iam) == done | BEFORE  # the journal matches AWS exactly
    # A cancelled run is finished: the next apply is a fresh plan for the rest.
    demo.faults.reset_faults()
    demo.faults.clear_requests()
    _, rest = _apply(demo)
    assert rest.exit_code == 0 and not set(acted(demo, "AttachUserPolicy")) & done


# -------------------------------------------------------------------------- secrets


def test_no_secret_reaches_the_state_dir(demo: MotoServer, iam: Any, state_home: Path) -> None:
    """Run as a real IAM user (a key moto signs as that user) and look for its secret."""
    iam.create_user(UserName="sec.admin")
    key = iam.create_access_key(UserName="sec.admin")["AccessKey"]
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
           "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    result = run_cli(demo, "apply", "--yes", "--users", "dave,jane.doe@example.com", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(journals(state_home)[0].read_text().splitlines()[0])["caller_arn"] == (
        "arn:aws:iam::123456789012:user/sec.admin")
    assert run_cli(demo, "undo", "--yes", env=env).returncode == 0
    files = [p for p in state_home.rglob("*") if p.is_file()]
    assert len(journals(state_home)) == 2 and files
    for path in files:
        data = path.read_bytes()
        assert key["SecretAccessKey"].encode() not in data, path
    assert os.stat(journals(state_home)[0].parent).st_mode & 0o077 == 0


def test_engine_undo_api(demo: MotoServer, iam: Any) -> None:
    _plan, result = _apply(demo, selection=Selection(mode="users", users=("dave",)))
    conn = connection(demo)
    record, undo = load_undo(conn, result.run_id)
    assert undo.users == ("dave",)
    done = undo_run(conn, undo, record)
    assert done.exit_code == 0 and "dave" not in attached_users(iam)


def test_lost_answers_in_group_mode_and_in_undo_are_verified(demo: MotoServer,
                                                              iam: Any) -> None:
    demo.faults.drop_after(["CreateGroup", "AttachGroupPolicy", "AddUserToGroup"], times=3)
    sel = Selection(mode="users", users=("dave", "jane.doe@example.com"), via_group="MFA")
    _, result = _apply(demo, selection=sel)
    assert result.exit_code == 0, result.failed
    assert sum(1 for s in result.steps if s.verified) == 3
    for action, key in (("CreateGroup", "GroupName"), ("AttachGroupPolicy", "GroupName")):
        assert acted(demo, action, key) == {"MFA": 1}
    assert acted(demo, "AddUserToGroup") == {"dave": 1, "jane.doe@example.com": 1}
    demo.faults.reset_faults()
    demo.faults.drop_after(["RemoveUserFromGroup", "DetachGroupPolicy", "DeleteGroup"],
                           times=3)
    conn = connection(demo)
    record, undo = load_undo(conn, result.run_id)
    done = undo_run(conn, undo, record)
    assert done.exit_code == 0, done.failed
    assert acted(demo, "RemoveUserFromGroup") == {"dave": 1, "jane.doe@example.com": 1}
    assert acted(demo, "DeleteGroup", "GroupName") == {"MFA": 1}
    assert "MFA" not in {g["GroupName"] for g in iam.list_groups()["Groups"]}


def test_a_user_deleted_after_the_plan_fails_alone_with_a_reason(demo: MotoServer,
                                                                 iam: Any) -> None:
    conn = connection(demo)
    plan = load_plan(conn, Selection(mode="users", users=("dave", "jane.doe@example.com")))
    iam.delete_login_profile(UserName="dave")
    iam.delete_user(UserName="dave")
    result = apply_plan(conn, plan)
    assert result.exit_code == 1
    (failed,) = result.failed
    assert failed.target == "dave" and "dave" in failed.reason and "\n" not in failed.reason
    assert "jane.doe@example.com" in attached_users(iam)


def test_undoing_an_interrupted_run_stops_it_being_resumed(demo: MotoServer, iam: Any,
                                                           state_home: Path) -> None:
    _apply(demo, selection=Selection(mode="users", users=("dave", "x_y-z.test")))
    (path,) = journals(state_home)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")  # as if killed before the last line
    conn = connection(demo)
    record, undo = load_undo(conn, None)
    assert not record.is_finished and undo.users == ("dave", "x_y-z.test")
    assert undo_run(conn, undo, record).exit_code == 0
    assert journal_lines(path)[-1]["status"] == "abandoned"
    demo.faults.clear_requests()
    plan = load_plan(conn, Selection(mode="users", users=("dave",)))
    assert plan.resume_of is None  # a fresh plan, not "finish the undone run"
    assert attached_users(iam) == BEFORE
