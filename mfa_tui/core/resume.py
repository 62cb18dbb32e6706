"""A run's plan as its journal's first line, and finishing an interrupted run (pure).

The journal's first line records the targets *and the state before the run*: a target that
was not enforced then and is enforced now was enforced by that run, even when the process
died before it could journal the outcome (kill -9 between AWS acting and the fsync). That is
how a re-run finishes the job without repeating a call and how ``undo`` knows exactly what the
run attached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mfa_tui.core.lockout import CallerSession
from mfa_tui.core.models import Inventory
from mfa_tui.core.plan import policy_change
from mfa_tui.core.plan_checks import with_lockout_check
from mfa_tui.core.plan_models import (
    GroupState,
    Plan,
    PlanRow,
    PolicyState,
    RowAction,
    Selection,
    Step,
    StepOp,
)
from mfa_tui.core.run_result import RunRecord

JOURNAL_FORMAT = 1


def plan_header(plan: Plan, *, run_id: str, started_at: str) -> dict[str, Any]:
    """The journal's first line for an apply run: no secrets, only names and ARNs."""
    setup, per_user = plan.steps()
    group = plan.group
    return {
        "type": "plan",
        "format": JOURNAL_FORMAT,
        "run_id": run_id,
        "kind": "apply",
        "started_at": started_at,
        "account": plan.account,
        "caller_arn": plan.caller_arn,
        "policy_arn": plan.policy.arn,
        "policy_name": plan.policy.name,
        "template": plan.policy.template,
        "policy_action": plan.policy.action,
        "policy_version_before": plan.policy.current_version,
        "new_version": plan.policy.new_version,
        "delete_version": plan.policy.delete_version,
        "mode": "detach" if plan.detach_from else ("group" if group is not None else "user"),
        "policy_mode": "keep" if plan.policy.kept else "replace",
        "group": group.name if group is not None else None,
        "group_existed": group.exists if group is not None else None,
        "group_had_policy": group.has_policy if group is not None else None,
        "selection": {"mode": plan.selection.mode, "users": list(plan.selection.users),
                      "exclude": list(plan.selection.exclude)},
        "setup": [[s.op, s.target] for s in setup],
        "closing": [[s.op, s.target] for s in plan.closing],
        "targets": [s.target for s in per_user],
        "members": [r.user for r in plan.rows if r.action == "group-member"],
        "caller_user": plan.caller_user,
    }


def _enforced_by_run(header: Mapping[str, Any], user: str, inv: Inventory,
                     group: GroupState | None) -> bool:
    """Is ``user`` now in the state the run's step for them aims at?"""
    if header.get("mode") == "group":
        return group is not None and user in group.members
    record = inv.get(user)
    if header.get("mode") == "detach":
        return record is not None and record.enforced_via != "user"
    return record is not None and record.enforced_via == "user"


def resume_plan(
    record: RunRecord,
    inv: Inventory,
    policy: PolicyState,
    template: dict[str, Any],
    *,
    group: GroupState | None = None,
    session: CallerSession | None = None,
) -> Plan:
    """The plan that finishes ``record``: its remaining targets, and credit for what it did.

    The lock-out check runs for ``session`` (the *current* caller), like on any plan."""
    h = record.header
    settled = record.settled()
    name = str(h.get("policy_name") or policy.arn.rsplit("/", 1)[-1])
    # The run was confirmed with its policy decision (--replace-policy / --keep-policy).
    keep = h.get("policy_mode") == "keep" or h.get("mode") == "detach"
    change = policy_change(policy, template, name=name,
                           template_name=str(h.get("template") or "enforce-mfa"),
                           mode="keep" if keep else "replace")
    credited: list[Step] = []
    if (h.get("policy_action") == "create" and ("create-policy", name) not in settled
            and policy.exists):
        credited.append(Step("create-policy", name))
    if h.get("policy_action") == "new-version" and change.action == "none":
        wanted = str(h.get("new_version") or "")
        if ("create-version", wanted) not in settled:
            credited.append(Step("create-version", policy.default_version or wanted))
    gname = h.get("group")
    if gname and group is not None:
        if (not h.get("group_existed") and group.exists
                and ("create-group", gname) not in settled):
            credited.append(Step("create-group", gname))
        if (not h.get("group_had_policy") and group.has_policy
                and ("attach-group-policy", gname) not in settled):
            credited.append(Step("attach-group-policy", gname))

    group_mode = h.get("mode") == "group"
    detaching = h.get("mode") == "detach"
    op: StepOp = "add-to-group" if group_mode else ("detach" if detaching else "attach")
    action: RowAction = "add-to-group" if group_mode else ("detach" if detaching else "attach")
    rows: list[PlanRow] = []
    for user in h.get("targets", []):
        if (op, user) in settled:
            rows.append(PlanRow(user, "already", "done earlier in this run"))
        elif inv.get(user) is None:
            rows.append(PlanRow(user, "excluded", "no longer exists"))
        elif _enforced_by_run(h, user, inv, group):
            credited.append(Step(op, user))
            rows.append(PlanRow(user, "already", "done by the interrupted run"))
        else:
            rows.append(PlanRow(user, action, f"left by run {record.run_id}"))
    for user in h.get("members", []):
        if inv.get(user) is None:
            continue
        if group is not None and group.has_policy:
            rows.append(PlanRow(user, "already", f"via group {gname}"))
        else:
            rows.append(PlanRow(user, "group-member", f"member of {gname}"))
    sel = h.get("selection") or {}
    plan = Plan(
        account=inv.account,
        caller_arn=inv.caller.arn,
        policy=change,
        selection=Selection(mode=sel.get("mode", "non-compliant"),
                            users=tuple(sel.get("users", ())),
                            exclude=tuple(sel.get("exclude", ())), via_group=gname),
        rows=tuple(sorted(rows, key=lambda r: r.user)),
        group=group,
        enforced_now=sum(1 for u in inv.users if u.enforcement_attached),
        resume_of=record.run_id,
        detach_from=tuple(r.user for r in rows if r.action == "detach"),
        credited=tuple(credited),
        caller_user=h.get("caller_user"),
        notes=(f"Finishing run {record.run_id}, interrupted after it started at "
               f"{record.started_at}: {len(settled)} step(s) were journaled as done.",),
    )
    session = session or CallerSession.from_arn(inv.caller.arn, account=inv.account, mfa=False)
    return with_lockout_check(plan, inv, policy, template, session)
