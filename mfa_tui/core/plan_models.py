"""The enforcement plan's typed parts (pure): what `plan` shows and `apply` does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SelectMode = Literal["non-compliant", "all-console", "users"]

#: A plan row: attach directly, add to the --via-group group, enforced because already a
#: member of that group (when the policy is attached to it), already enforced, or left out.
RowAction = Literal["attach", "add-to-group", "group-member", "already", "excluded", "detach"]

#: How the plan changes the managed policy.
PolicyAction = Literal["create", "none", "new-version"]

#: What to do with a policy edited outside mfa-tui: refuse (auto), replace it, or keep it.
PolicyMode = Literal["auto", "replace", "keep"]

#: The engine's steps (each one AWS call, plus a read-back when its answer was lost).
StepOp = Literal[
    "create-policy", "delete-version", "create-version", "create-group", "attach-group-policy",
    "attach", "add-to-group",
    "detach", "remove-from-group", "detach-group-policy", "delete-group", "delete-policy",
    "set-default-version",
]

#: The managed policy's description when mfa-tui (or its Terraform output) creates it.
POLICY_DESCRIPTION = "Deny everything but MFA set-up until the user signs in with MFA (mfa-tui)"

#: Rows whose user becomes enforced by this plan.
ENFORCING: tuple[RowAction, ...] = ("attach", "add-to-group", "group-member")


@dataclass(frozen=True)
class Selection:
    """Which users the plan is about (the command line's SELECTOR)."""

    mode: SelectMode = "non-compliant"
    users: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    via_group: str | None = None


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the managed policy."""

    version_id: str
    is_default: bool
    created: datetime | None = None

    @property
    def number(self) -> int:
        """``v12`` → 12 (0 when the id has another form)."""
        digits = self.version_id.lstrip("vV")
        return int(digits) if digits.isdigit() else 0


@dataclass(frozen=True)
class PolicyState:
    """The managed policy as AWS has it now."""

    arn: str
    exists: bool
    default_version: str | None = None
    default_document: dict[str, Any] | None = None
    versions: tuple[PolicyVersion, ...] = ()
    #: Kept as they are by Terraform output that adopts the policy (a new description would
    #: replace the policy, detaching it from everyone).
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class GroupState:
    """The --via-group group as AWS has it now."""

    name: str
    exists: bool
    has_policy: bool = False
    members: frozenset[str] = frozenset()
    path: str = "/"


@dataclass(frozen=True)
class PolicyChange:
    """What happens to the managed policy."""

    action: PolicyAction
    arn: str
    name: str
    template: str
    current_version: str | None = None
    new_version: str | None = None  # the id AWS is expected to give the new default version
    delete_version: str | None = None  # the oldest non-default one, at the 5-version limit
    diff: tuple[tuple[str, str], ...] = ()  # (tone, line) from core.policy_diff
    description: str | None = None  # as the policy has it (None: not created yet)
    tags: tuple[tuple[str, str], ...] = ()
    #: The default version is neither the template nor an earlier mfa-tui template.
    edited: bool = False
    #: --keep-policy: the edited default version is attached as it is.
    kept: bool = False


@dataclass(frozen=True)
class PlanRow:
    """One user of the plan."""

    user: str
    action: RowAction
    detail: str = ""


@dataclass(frozen=True)
class PlanWarning:
    """Something the plan will break or leave open, with the users it concerns."""

    code: str
    message: str
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One change the engine makes."""

    op: StepOp
    target: str


@dataclass(frozen=True)
class Plan:
    """The whole preview: the policy change, one row a user, warnings, and what blocks it."""

    account: str
    caller_arn: str
    policy: PolicyChange
    selection: Selection
    rows: tuple[PlanRow, ...]
    warnings: tuple[PlanWarning, ...] = ()
    blockers: tuple[str, ...] = ()
    group: GroupState | None = None
    #: Users currently enforced by the policy (a new version changes what they may do).
    enforced_now: int = 0
    #: Set when this plan finishes an interrupted run (its run id).
    resume_of: str | None = None
    #: Resuming: steps that run made whose outcome was never journaled (found done now);
    #: the engine journals them as done without calling AWS again.
    credited: tuple[Step, ...] = ()
    #: The caller's own IAM user, attached last when they are in the plan.
    caller_user: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: The lock-out check's findings as data (their sentences are also in ``blockers``).
    lockout: tuple[Any, ...] = ()
    #: The run also detaches the policy from these users (``--detach-from``).
    detach_from: tuple[str, ...] = ()

    @property
    def targets(self) -> tuple[str, ...]:
        """Users this plan enforces (attach / add to group / member of the group), caller last."""
        names = [r.user for r in self.rows if r.action in ENFORCING]
        return tuple(sorted(names, key=lambda n: (n == self.caller_user, n)))

    def row(self, user: str) -> PlanRow | None:
        """The row of one user."""
        for r in self.rows:
            if r.user == user:
                return r
        return None

    @property
    def group_changes(self) -> tuple[StepOp, ...]:
        """Group set-up steps (--via-group): create it, attach the policy to it."""
        if self.group is None:
            return ()
        ops: list[StepOp] = []
        if not self.group.exists:
            ops.append("create-group")
        if not self.group.has_policy:
            ops.append("attach-group-policy")
        return tuple(ops)

    @property
    def nothing_to_do(self) -> bool:
        """True when applying would change nothing at all."""
        if self.resume_of is not None:
            return False  # finishing the interrupted run still has journal lines to write
        return self.policy.action == "none" and not self.targets and not self.detach_from

    @property
    def affected_users(self) -> int:
        """How many users' access changes: the blast radius the confirmation scales with."""
        changed = len(self.targets) + len(self.detach_from)
        if self.policy.action == "new-version":
            changed += self.enforced_now
        return changed

    def steps(self) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
        """(set-up steps, run one by one; per-user steps, run in the pool), in order.

        With --via-group the policy is attached to the group last (:attr:`closing`), after
        the members are in: the one step that enforces it on all of them at once.
        """
        setup: list[Step] = []
        p = self.policy
        if p.action == "create":
            setup.append(Step("create-policy", p.name))
        elif p.action == "new-version":
            if p.delete_version:
                setup.append(Step("delete-version", p.delete_version))
            setup.append(Step("create-version", p.new_version or ""))
        users = self.targets
        if self.group is not None and users and not self.group.exists:
            setup.append(Step("create-group", self.group.name))
        per_user: list[Step] = [Step("detach", name) for name in self.detach_from]
        for name in users:
            row = self.row(name)
            if row is None or row.action == "group-member":
                continue  # enforced by the group attachment: no call of its own
            kind: StepOp = "add-to-group" if row.action == "add-to-group" else "attach"
            per_user.append(Step(kind, name))
        return tuple(setup), tuple(per_user)

    @property
    def closing(self) -> tuple[Step, ...]:
        """Steps after every user's: attaching the policy to the --via-group group."""
        if self.group is None or self.group.has_policy:
            return ()
        if not self.targets and not (self.resume_of and self.group.exists):
            return ()
        return (Step("attach-group-policy", self.group.name),)

    def ordered_steps(self) -> tuple[Step, ...]:
        """Every step in the order the engine makes them (the caller's own user last among
        the users): what the lock-out check walks through."""
        setup, per_user = self.steps()
        mine = [s for s in per_user if s.target == self.caller_user]
        others = [s for s in per_user if s.target != self.caller_user]
        return (*setup, *others, *mine, *self.closing)
