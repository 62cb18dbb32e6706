"""Pure parts of enforcement: the plan builder's edge cases, resume and undo planning, the
journal file format, the confirmation rule, and the policy document decoding."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from mfa_tui.aws.policy_state import decode_document
from mfa_tui.commands.enforcement_cli import confirm
from mfa_tui.core.models import Caller, Inventory, Sources, UserRecord
from mfa_tui.core.plan import build_plan, oldest_non_default, parse_names
from mfa_tui.core.plan_models import GroupState, PolicyState, PolicyVersion, Selection
from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.resume import plan_header, resume_plan
from mfa_tui.core.run_result import RunRecord, StepResult
from mfa_tui.core.undo_plan import UndoState, build_undo
from mfa_tui.state.journal import Journal, latest_unfinished, list_runs, read_run

ACCOUNT = "123456789012"
ARN = f"arn:aws:iam::{ACCOUNT}:policy/EnforceMFAPolicy"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _user(name: str, *, console: bool | None = True, mfa: bool = False, keys: int = 0,
          key_days: int | None = None, via: str | None = None) -> UserRecord:
    return UserRecord(
        user=name, arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", console_access=console,
        mfa_active=mfa, enforcement_attached=via is not None, enforced_via=via,
        access_keys_active=keys,
        access_key_last_used=NOW - timedelta(days=key_days) if key_days is not None else None)


def sample_inventory(caller: str = "ops") -> Inventory:
    """A small account: every state the plan cares about."""
    users = (
        _user("ann"), _user("ben", keys=1, key_days=3), _user("cat", mfa=True),
        _user("dan", via="user"), _user("eve", via="Devs"), _user("bot", console=False, keys=1,
                                                                  key_days=0),
        _user("ops"), _user("root.glass", mfa=True), _user("new.hire", console=None),
    )
    return Inventory(account=ACCOUNT, caller=Caller(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/"
                                                             f"{caller}"),
                     generated_at=NOW, sources=Sources(), users=users)


def _state(doc: dict | None = None) -> PolicyState:
    template = load_template("enforce-mfa")
    return PolicyState(ARN, True, "v1", doc or template, (PolicyVersion("v1", True, NOW),))


def test_parse_names_sorts_dedupes_and_drops_blanks() -> None:
    assert parse_names(" bob, alice,,bob ") == ("alice", "bob")
    assert parse_names(None) == () and parse_names("") == ()


def test_default_selection_is_console_users_without_mfa_and_unknown_console() -> None:
    plan = build_plan(sample_inventory("nobody"), Selection(), _state(),
                      load_template("enforce-mfa"), now=NOW)
    assert plan.targets == ("ann", "ben", "new.hire", "ops")
    assert plan.row("new.hire").detail == "console access unknown, no MFA"  # type: ignore
    assert plan.row("dan").action == "already"  # type: ignore[union-attr]


def test_the_template_lints_clean_so_the_plan_has_no_lint_warning() -> None:
    plan = build_plan(sample_inventory(), Selection(), _state(), load_template("enforce-mfa"),
                      now=NOW)
    assert not [w for w in plan.warnings if w.code.startswith("lint:")]


def test_a_bad_document_to_apply_shows_its_lint_findings() -> None:
    bad = load_template("enforce-mfa")
    bad["Statement"][-1]["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    plan = build_plan(sample_inventory(), Selection(), _state(), bad, now=NOW)
    assert [w for w in plan.warnings if w.code.startswith("lint:")]


def test_oldest_non_default_falls_back_to_numbers_without_dates() -> None:
    versions = tuple(PolicyVersion(f"v{i}", i == 2, None) for i in (3, 2, 4, 1, 5))
    assert oldest_non_default(PolicyState(ARN, True, "v2", {}, versions)) == "v1"
    dated = (PolicyVersion("v7", False, NOW), PolicyVersion("v8", False, NOW - timedelta(1)),
             PolicyVersion("v9", True, NOW))
    assert oldest_non_default(PolicyState(ARN, True, "v9", {}, dated)) == "v8"


def test_via_group_blocks_when_the_caller_is_a_member_without_mfa() -> None:
    group = GroupState("Devs2", exists=True, has_policy=False, members=frozenset({"ops"}))
    plan = build_plan(sample_inventory("ops"), Selection(mode="users", users=("ann",),
                                                         via_group="Devs2"),
                      _state(), load_template("enforce-mfa"), now=NOW, group=group)
    assert any("would lock you out" in b for b in plan.blockers)


# ------------------------------------------------------------------- journal, resume, undo


def _apply_header(directory: Path) -> tuple[Journal, dict]:
    plan = build_plan(sample_inventory("nobody"), Selection(), _state(),
                      load_template("enforce-mfa"), now=NOW)
    header = plan_header(plan, run_id="20261130T080000Z-000001", started_at=NOW.isoformat())
    return Journal.create(header, directory), header


def test_journal_is_private_and_survives_a_line_cut_by_a_crash(tmp_path: Path) -> None:
    journal, _header = _apply_header(tmp_path)
    journal.append(journal.step(StepResult("attach", "ann", "done")))
    journal.close()
    assert (journal.path.stat().st_mode & 0o777) == 0o600
    with journal.path.open("a") as f:
        f.write('{"type":"step","op":"attach","tar')  # kill -9 in the middle of a write
    run = read_run(journal.path)
    assert run is not None and not run.is_finished
    assert run.settled() == {("attach", "ann")}
    again = Journal.reopen(run.run_id, tmp_path)  # the next line starts on a line of its own
    again.append(again.step(StepResult("attach", "ben", "done")))
    again.close()
    assert read_run(journal.path).settled() == {("attach", "ann"), ("attach", "ben")}  # type: ignore
    assert latest_unfinished(ACCOUNT, ARN, directory=tmp_path) is not None
    assert latest_unfinished(ACCOUNT, ARN + "X", directory=tmp_path) is None


def test_resume_credits_what_the_dead_run_did_and_keeps_the_rest(tmp_path: Path) -> None:
    journal, _header = _apply_header(tmp_path)
    journal.append(journal.step(StepResult("attach", "ann", "done")))
    journal.close()
    record = list_runs(tmp_path)[0]
    # ben was attached by the run, which died before journaling it; ops was not reached.
    inv = sample_inventory("nobody")
    inv = inv.with_user(_user("ann", via="user")).with_user(_user("ben", via="user"))
    plan = resume_plan(record, inv, _state(), load_template("enforce-mfa"))
    assert plan.resume_of == record.run_id
    assert [(s.op, s.target) for s in plan.credited] == [("attach", "ben")]
    assert plan.targets == ("new.hire", "ops")
    assert plan.row("ann").detail == "done earlier in this run"  # type: ignore[union-attr]


def test_undo_reverses_only_what_the_run_made_and_is_idempotent(tmp_path: Path) -> None:
    header = {"type": "plan", "run_id": "r1", "kind": "apply", "account": ACCOUNT,
              "policy_arn": ARN, "policy_name": "EnforceMFAPolicy", "mode": "user",
              "policy_action": "none", "targets": ["ann", "ben", "ops"]}
    steps = ({"type": "step", "op": "attach", "target": "ann", "outcome": "done"},
             {"type": "step", "op": "attach", "target": "ben", "outcome": "already"},
             {"type": "step", "op": "attach", "target": "ops", "outcome": "failed"})
    finished = RunRecord("r1", header, steps, finished={"type": "finished"})
    state = UndoState(attached_users=frozenset({"ann", "ben", "dan"}))
    undo = build_undo(finished, state)
    assert [(s.op, s.target) for s in undo.per_user] == [("detach", "ann")]  # not ben, not dan
    assert build_undo(finished, UndoState(attached_users=frozenset({"ben"}))).nothing_to_do
    # The same run interrupted: ops is attached now, so the run did it before dying.
    interrupted = RunRecord("r1", header, steps[:1])
    undo = build_undo(interrupted, UndoState(attached_users=frozenset({"ann", "ops", "dan"})))
    assert undo.users == ("ann", "ops")


# ------------------------------------------------------------------------- confirmation


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("users", "answer", "ok"), [
    (1, "y", True), (1, "n", False), (2, "y", False), (2, ACCOUNT, True), (40, "12345", False),
    (0, "y", True),
])
def test_confirmation_scales_with_the_blast_radius(users: int, answer: str, ok: bool) -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return answer

    refusal = confirm(users=users, account=ACCOUNT, what="enforce MFA", assume_yes=False,
                      stdin=_Tty(), ask=ask)
    assert (refusal is None) is ok
    assert ("Type the account id" in prompts[0]) is (users > 1)


def test_confirmation_refuses_a_pipe_without_yes() -> None:
    refusal = confirm(users=3, account=ACCOUNT, what="enforce MFA", assume_yes=False,
                      stdin=io.StringIO(ACCOUNT))
    assert refusal is not None and "--yes" in refusal
    assert confirm(users=3, account=ACCOUNT, what="x", assume_yes=True,
                   stdin=io.StringIO()) is None


# --------------------------------------------------------------------- document decoding


def test_policy_documents_are_read_decoded_encoded_or_as_text() -> None:
    doc = load_template("enforce-mfa")
    text = json.dumps(doc)
    assert decode_document(doc) == doc
    assert decode_document(text) == doc
    assert decode_document(quote(text)) == doc  # IAM's URL-encoded wire form


def test_plan_logic_is_pure_and_the_engine_never_loads_textual() -> None:
    import subprocess
    import sys

    def loaded(module: str) -> set[str]:
        out = subprocess.run(
            [sys.executable, "-c", f"import {module}, sys; print('\\n'.join(sys.modules))"],
            capture_output=True, text=True, check=True, timeout=60).stdout
        return {line.split(".")[0] for line in out.splitlines()}

    pure = loaded("mfa_tui.core.plan, mfa_tui.core.plan_text, mfa_tui.core.resume, "
                  "mfa_tui.core.undo_plan, mfa_tui.core.run_result")
    assert not pure & {"boto3", "botocore", "textual", "rich"}
    assert "textual" not in loaded("mfa_tui.engine.runs, mfa_tui.engine.plan_inputs, "
                                   "mfa_tui.commands.apply, mfa_tui.state.journal")
