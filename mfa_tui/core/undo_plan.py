"""What `undo` reverses (pure): exactly what one apply run changed, and is still in place.

A run's changes are the steps its journal says are done, plus, for a run that never
finished, the targets its plan listed that are enforced now (the run acted, then died before
it could write the line). Users who were enforced before the run are not in its plan, so they
are never touched. Planning from the live state makes undo idempotent: a second undo finds
nothing left to reverse and makes no call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mfa_tui.core.plan_models import GroupState, Step
from mfa_tui.core.run_result import RunRecord


@dataclass(frozen=True)
class UndoState:
    """What AWS has now, as far as the run's changes go."""

    attached_users: frozenset[str]  # users the policy is attached to directly
    policy_exists: bool = True
    group: GroupState | None = None
    default_version: str | None = None  # the policy's default version now


@dataclass(frozen=True)
class UndoPlan:
    """The steps that reverse one run."""

    run_id: str
    account: str
    policy_arn: str
    per_user: tuple[Step, ...] = ()
    final: tuple[Step, ...] = ()
    notes: tuple[str, ...] = field(default=())
    #: The lock-out check's sentences for the caller (undo refuses while one stands).
    blockers: tuple[str, ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        """True when nothing the run made is left in place."""
        return not self.per_user and not self.final

    @property
    def users(self) -> tuple[str, ...]:
        """The users whose enforcement this undo changes."""
        return tuple(s.target for s in self.per_user)

    def ordered_steps(self) -> tuple[Step, ...]:
        """Every step in the order the engine makes them."""
        return (*self.per_user, *self.final)


def undo_header(plan: UndoPlan, *, run_id: str, started_at: str, caller_arn: str
                ) -> dict[str, Any]:
    """The journal's first line for an undo run."""
    return {
        "type": "plan", "format": 1, "run_id": run_id, "kind": "undo", "undo_of": plan.run_id,
        "started_at": started_at, "account": plan.account, "caller_arn": caller_arn,
        "policy_arn": plan.policy_arn,
        "setup": [], "targets": [s.target for s in plan.per_user],
        "final": [[s.op, s.target] for s in plan.final],
    }


def _made_by(record: RunRecord, state: UndoState) -> set[tuple[str, str]]:
    made = record.made()
    if record.is_finished:
        return made
    # Interrupted: a planned target in its target state now was put there by this run.
    h = record.header
    settled = record.settled()
    group = state.group
    if h.get("mode") == "group":
        for user in h.get("targets", []):
            if ("add-to-group", user) not in settled and group is not None \
                    and user in group.members:
                made.add(("add-to-group", user))
        if group is not None:
            if not h.get("group_existed") and group.exists:
                made.add(("create-group", group.name))
            if not h.get("group_had_policy") and group.has_policy:
                made.add(("attach-group-policy", group.name))
    elif h.get("mode") == "detach":
        for user in h.get("targets", []):
            if ("detach", user) not in settled and user not in state.attached_users:
                made.add(("detach", user))
    else:
        for user in h.get("targets", []):
            if ("attach", user) not in settled and user in state.attached_users:
                made.add(("attach", user))
    wanted = h.get("new_version")
    if (h.get("policy_action") == "new-version" and wanted
            and state.default_version == wanted):
        made.add(("create-version", str(wanted)))
    if h.get("policy_action") == "create" and state.policy_exists:
        made.add(("create-policy", str(h.get("policy_name", ""))))
    return made


def build_undo(record: RunRecord, state: UndoState) -> UndoPlan:
    """The steps that reverse ``record`` (an apply run), for what is still in place."""
    made = _made_by(record, state)
    group = state.group
    per_user: list[Step] = []
    final: list[Step] = []
    for op, target in sorted(made):
        if op == "attach" and target in state.attached_users:
            per_user.append(Step("detach", target))
        elif op == "add-to-group" and group is not None and target in group.members:
            per_user.append(Step("remove-from-group", target))
        elif op == "detach" and target not in state.attached_users and state.policy_exists:
            per_user.append(Step("attach", target))
    before = record.header.get("policy_version_before")
    added = [t for op, t in made if op == "create-version"]
    notes = []
    if added and before and state.policy_exists:
        if state.default_version in added:
            final.append(Step("set-default-version", str(before)))
        else:
            notes.append(f"The policy's default version is {state.default_version} now, not "
                         f"the one this run added: it is left as it is.")
    if group is not None:
        if ("attach-group-policy", group.name) in made and group.has_policy:
            final.append(Step("detach-group-policy", group.name))
        if ("create-group", group.name) in made and group.exists:
            final.append(Step("delete-group", group.name))
    name = str(record.header.get("policy_name", ""))
    if ("create-policy", name) in made and state.policy_exists:
        final.append(Step("delete-policy", name))
    if any(op == "delete-version" for op, _ in made):
        notes.append("The old policy version this run deleted at the 5-version limit cannot "
                     "come back.")
    return UndoPlan(run_id=record.run_id, account=record.account, policy_arn=record.policy_arn,
                    per_user=tuple(per_user), final=tuple(final), notes=tuple(notes))
