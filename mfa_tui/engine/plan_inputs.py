"""Read what a plan or an undo is built from, then build it (the TUI and the CLI share this)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mfa_tui.aws.inventory import live_user, load_inventory, policy_arn
from mfa_tui.aws.policy_state import (
    read_group_state,
    read_policy_state,
    read_undo_state,
    user_groups_with_policy,
    version_document,
)
from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.errors import NoSuchRun, UnknownUsers
from mfa_tui.core.lockout import Binding, CallerSession, check
from mfa_tui.core.models import DEFAULT_POLICY_NAME, Inventory
from mfa_tui.core.plan import build_plan
from mfa_tui.core.plan_models import Plan, PolicyMode, Selection
from mfa_tui.core.resume import resume_plan
from mfa_tui.core.run_result import RunRecord
from mfa_tui.core.undo_plan import UndoPlan, UndoState, build_undo
from mfa_tui.state.journal import find_run, latest_apply, latest_unfinished

TEMPLATE = "enforce-mfa"


def load_template_document(name: str = TEMPLATE) -> dict[str, Any]:
    """The policy template the plan applies."""
    from mfa_tui.core.policy_templates import load_template

    return load_template(name)


def _confirm_caller(conn: AwsConnection, inv: Inventory) -> Inventory:
    """Read the caller's own MFA live: the lock-out check must not trust a 4-hour-old report."""
    name = inv.caller.iam_user_name
    record = inv.get(name) if name else None
    if record is None or name is None:
        return inv
    live = live_user(conn.client("iam"), name)
    return inv.with_user(replace(record, mfa_active=bool(live.devices),
                                 mfa_devices=live.devices,
                                 console_access=live.console_access))


def check_names(inv: Inventory, selection: Selection) -> None:
    """Raise :class:`UnknownUsers` when the selector names a user the account does not have
    (an excluded name too: a typo there would enforce the break-glass user it meant)."""
    if selection.mode == "users":
        missing = tuple(n for n in selection.users if inv.get(n) is None)
        if missing:
            raise UnknownUsers(missing, inv.account)
    missing = tuple(n for n in selection.exclude if inv.get(n) is None)
    if missing:
        raise UnknownUsers(missing, inv.account, option="--exclude")


def load_plan(
    conn: AwsConnection,
    selection: Selection,
    *,
    policy_name: str = DEFAULT_POLICY_NAME,
    template: dict[str, Any] | None = None,
    resume: bool = True,
    resume_run: str | None = None,
    directory: Path | None = None,
    now: datetime | None = None,
    policy_mode: PolicyMode = "auto",
    detach_from: tuple[str, ...] = (),
) -> Plan:
    """The plan for ``selection``; or the plan that finishes an interrupted apply run.

    An unfinished run on this account and policy is finished when ``resume_run`` asks for it
    (``"latest"`` or its id: ``apply --resume [RUN_ID]``) or when ``selection`` is the one it
    was started with. Any other selection gets a blocker naming the run and both ways on.
    ``resume=False`` ignores unfinished runs altogether.
    """
    document = template if template is not None else load_template_document()
    caller = conn.caller()
    arn = policy_arn(caller.account, policy_name)
    iam = conn.client("iam")
    pending = latest_unfinished(caller.account, arn, directory=directory) if resume else None
    if resume_run is not None:
        pending = _run_to_resume(resume_run, caller.account, pending, directory)
    inv = _confirm_caller(conn, load_inventory(conn, policy_name=policy_name))
    check_names(inv, selection)
    policy = read_policy_state(iam, arn)
    session = caller_session(conn)
    if pending is not None and (resume_run is not None or (
            not detach_from and same_selection(pending, selection))):
        gname = pending.header.get("group")
        group = read_group_state(iam, str(gname), arn) if gname else None
        return resume_plan(pending, inv, policy, document, group=group, session=session)
    group = (read_group_state(iam, selection.via_group, arn)
             if selection.via_group else None)
    plan = build_plan(inv, selection, policy, document, now=now or datetime.now(UTC),
                      group=group, session=session, policy_mode=policy_mode,
                      detach_from=detach_from)
    if pending is not None:
        plan = replace(plan, blockers=(unfinished_blocker(pending), *plan.blockers))
    return plan


def same_selection(record: RunRecord, selection: Selection) -> bool:
    """Was ``record`` started with this selector (users, exclusions, group)?"""
    sel = record.header.get("selection") or {}
    return (sel.get("mode") == selection.mode
            and tuple(sorted(sel.get("users", ()))) == tuple(sorted(selection.users))
            and tuple(sorted(sel.get("exclude", ()))) == tuple(sorted(selection.exclude))
            and (record.header.get("group") or None) == selection.via_group)


def unfinished_blocker(record: RunRecord) -> str:
    """The sentence for another selector while a run is unfinished."""
    return (f"Run {record.run_id} (started {record.started_at}) was interrupted before it "
            "finished, with another selection: finish it first with `mfa-tui apply --resume` "
            f"(or the same selection), or reverse it with `mfa-tui undo {record.run_id}`.")


def _run_to_resume(wanted: str, account: str, pending: RunRecord | None,
                   directory: Path | None) -> RunRecord:
    if wanted in ("", "latest"):
        if pending is None:
            raise NoSuchRun(f"There is no unfinished apply run in account {account}: nothing "
                            "to resume (`mfa-tui plan` shows what apply would do).")
        return pending
    record = find_run(wanted, directory)
    if record is None or record.kind != "apply":
        raise NoSuchRun(f"No apply run '{wanted}' in the journal: list them with "
                        f"`ls {_where(directory)}`.")
    if record.account != account:
        raise NoSuchRun(f"Run {record.run_id} was made in account {record.account}, not "
                        f"{account}: switch profile to resume it.")
    if record.is_finished:
        status = (record.finished or {}).get("status", "done")
        raise NoSuchRun(f"Run {record.run_id} already finished ({status}): there is "
                        "nothing to resume.")
    return record


def caller_session(conn: AwsConnection) -> CallerSession:
    """The caller as the lock-out check sees them: user or role session, MFA or not."""
    caller = conn.caller()
    return CallerSession.from_arn(caller.arn, account=caller.account, mfa=conn.session_mfa())


def load_undo(
    conn: AwsConnection,
    run_id: str | None,
    *,
    policy_name: str = DEFAULT_POLICY_NAME,
    directory: Path | None = None,
) -> tuple[RunRecord, UndoPlan]:
    """The run to undo (``run_id``, or the latest apply on this account) and its undo plan."""
    caller = conn.caller()
    if run_id:
        record = find_run(run_id, directory)
        if record is None or record.kind != "apply":
            raise NoSuchRun(f"No apply run '{run_id}' in the journal: list them with "
                            f"`ls {_where(directory)}`.")
        if record.account != caller.account:
            raise NoSuchRun(f"Run {record.run_id} was made in account {record.account}, "
                            f"not {caller.account}: switch profile to undo it.")
    else:
        record = latest_apply(caller.account, policy_arn(caller.account, policy_name),
                              directory)
        if record is None:
            raise NoSuchRun(f"No apply run for account {caller.account} in the journal: "
                            "there is nothing to undo.")
    gname = record.header.get("group")
    iam = conn.client("iam")
    state = read_undo_state(iam, record.policy_arn, str(gname) if gname else None)
    undo = build_undo(record, state)
    return record, undo_lockout_check(conn, record, undo, state)


def undo_lockout_check(conn: AwsConnection, record: RunRecord, undo: UndoPlan,
                       state: UndoState) -> UndoPlan:
    """The lock-out check on the undo: can the caller make every step of it, in order?"""
    session = caller_session(conn)
    if not session.can_be_bound or undo.nothing_to_do or not state.policy_exists:
        return undo
    iam = conn.client("iam")
    policy = read_policy_state(iam, record.policy_arn)
    direct, groups = user_groups_with_policy(iam, str(session.user), record.policy_arn)
    gname = record.header.get("group")
    before = record.header.get("policy_version_before")
    earlier = version_document(iam, record.policy_arn, str(before)) if before else None
    start = Binding(policy_exists=True, direct=direct,
                    in_group=state.group is not None and session.user in state.group.members,
                    group_has_policy=state.group is not None and state.group.has_policy,
                    other_groups=bool(groups - {gname}), document=policy.default_document,
                    previous=(earlier,) if earlier is not None else ())
    name = str(record.header.get("policy_name", ""))
    found = check(undo.ordered_steps(), session=session, start=start,
                  template=policy.default_document or {}, policy_arn=record.policy_arn,
                  policy_name=name, group=str(gname) if gname else None, include_undo=False,
                  run_label="this undo")
    return replace(undo, blockers=tuple(b.message for b in found))


def _where(directory: Path | None) -> str:
    from mfa_tui.state.journal import journal_dir

    return str(directory or journal_dir())
