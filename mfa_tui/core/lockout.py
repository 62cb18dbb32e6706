"""The lock-out check (pure): can the caller still make every later step, and every undo step?

A run is a sequence of steps. Some of them change what the managed policy binds the caller to
(attaching it to their user, adding them to a group that carries it, attaching it to such a
group, a new default version). After each step, this module asks the policy evaluator
(core/policy_eval.py) whether the caller's *session* — with MFA or not — could still make each
remaining step of the run and each step of its undo. The first step after which one of them
would be denied is a blocker: it names both steps and why.

The caller's other policies are taken to allow what they allow now (the caller got this far);
only the managed policy's deny is added, as it would stand after each step. A role session,
the root user or a federated user is never bound by a policy attached to IAM users and groups:
nothing blocks them, and :func:`session_notes` says plainly what the tool cannot see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from mfa_tui.core.plan_models import Step
from mfa_tui.core.policy_eval import Decision, PolicyError, Request, evaluate

CallerKind = Literal["user", "role", "root", "other"]
Phase = Literal["run", "undo"]

#: Each step as the IAM request it makes: (action, resource kind). The resource is built
#: from the step's target (or the policy) in :func:`request_of`.
STEP_ACTIONS: dict[str, tuple[str, str]] = {
    "create-policy": ("iam:CreatePolicy", "policy"),
    "delete-version": ("iam:DeletePolicyVersion", "policy"),
    "create-version": ("iam:CreatePolicyVersion", "policy"),
    "set-default-version": ("iam:SetDefaultPolicyVersion", "policy"),
    "create-group": ("iam:CreateGroup", "group"),
    "attach-group-policy": ("iam:AttachGroupPolicy", "group"),
    "attach": ("iam:AttachUserPolicy", "user"),
    "add-to-group": ("iam:AddUserToGroup", "group"),
    "detach": ("iam:DetachUserPolicy", "user"),
    "remove-from-group": ("iam:RemoveUserFromGroup", "group"),
    "detach-group-policy": ("iam:DetachGroupPolicy", "group"),
    "delete-group": ("iam:DeleteGroup", "group"),
    "delete-policy": ("iam:DeletePolicy", "policy"),
}

#: What reverses a step (the undo), and the order undo runs them in (users first).
_INVERSE: dict[str, str] = {
    "attach": "detach", "add-to-group": "remove-from-group", "detach": "attach",
    "remove-from-group": "add-to-group", "attach-group-policy": "detach-group-policy",
    "create-group": "delete-group", "create-policy": "delete-policy",
    "create-version": "set-default-version",
}
_UNDO_ORDER = ("detach", "remove-from-group", "attach", "add-to-group", "set-default-version",
               "detach-group-policy", "delete-group", "delete-policy")


@dataclass(frozen=True)
class CallerSession:
    """Who makes the calls, and whether their session carries MFA (None: cannot tell)."""

    kind: CallerKind
    arn: str
    account: str
    user: str | None = None  # the IAM user name (kind "user")
    mfa: bool | None = False  # long-term access keys: False
    session_name: str | None = None  # kind "role": the role session name

    @classmethod
    def from_arn(cls, arn: str, *, account: str, mfa: bool | None) -> CallerSession:
        """Classify ``sts:GetCallerIdentity``'s ARN."""
        resource = arn.split(":", 5)[-1]
        if resource.startswith("user/"):
            return cls("user", arn, account, user=resource.rsplit("/", 1)[-1], mfa=mfa)
        if resource.startswith("assumed-role/"):
            parts = resource.split("/")
            return cls("role", arn, account, mfa=mfa,
                       session_name=parts[-1] if len(parts) >= 3 else None)
        if resource == "root":
            return cls("root", arn, account, mfa=mfa)
        return cls("other", arn, account, mfa=mfa)

    @property
    def can_be_bound(self) -> bool:
        """Only IAM users are bound by a policy attached to users and groups."""
        return self.kind == "user" and self.user is not None

    @property
    def satisfies_mfa(self) -> bool:
        """The session carries MFA, so the deny-unless-MFA policy lets it through."""
        return self.mfa is True


@dataclass(frozen=True)
class Binding:
    """How the managed policy touches the caller (before the run, then after each step)."""

    policy_exists: bool = True
    direct: bool = False  # attached to the caller's user
    in_group: bool = False  # the caller is in the --via-group group
    group_has_policy: bool = False  # that group carries the policy
    other_groups: bool = False  # another group of the caller's carries it
    document: Mapping[str, Any] | None = None  # the policy's default version in effect
    previous: tuple[Mapping[str, Any] | None, ...] = ()  # earlier defaults (undo restores)

    @property
    def bound(self) -> bool:
        """The policy applies to the caller's requests."""
        return self.policy_exists and self.document is not None and (
            self.direct or self.other_groups or (self.in_group and self.group_has_policy))


@dataclass(frozen=True)
class Blocker:
    """A step that would cut the caller off, and the first step they could then not make."""

    cut: Step | None  # None: the policy in place already denies the caller
    denied: Step
    phase: Phase
    action: str
    message: str


def request_of(step: Step, session: CallerSession, *, policy_arn: str,
               group: str | None, mfa: bool | None) -> Request:
    """The request ``step`` makes, from the caller's session."""
    action, kind = STEP_ACTIONS[step.op]
    account = session.account
    if kind == "user":
        resource = f"arn:aws:iam::{account}:user/{step.target}"
    elif kind == "group":
        name = group if step.op in ("add-to-group", "remove-from-group") else step.target
        resource = f"arn:aws:iam::{account}:group/{name}"
    else:
        resource = policy_arn
    return Request(action=action, resource=resource, principal_type="User",
                   username=session.user, mfa_present=mfa, account=account,
                   principal_arn=f"arn:aws:iam::{account}:user/{session.user}")


def undo_steps(done: Sequence[Step], *, version_before: str | None = None) -> list[Step]:
    """The steps that reverse ``done``, in the order undo runs them."""
    out: list[Step] = []
    for step in done:
        op = _INVERSE.get(step.op)
        if op is None:
            continue  # a deleted old version cannot come back; a read changes nothing
        target = (version_before or "") if op == "set-default-version" else step.target
        out.append(Step(op, target))  # type: ignore[arg-type]
    return sorted(out, key=lambda s: (_UNDO_ORDER.index(s.op), s.target))


def transition(state: Binding, step: Step, *, caller: str | None, group: str | None,
               template: Mapping[str, Any]) -> Binding:
    """The binding after ``step``."""
    op, me = step.op, step.target == caller
    if op in ("create-policy", "create-version"):
        return replace(state, policy_exists=True, document=template,
                       previous=(*state.previous, state.document))
    if op == "set-default-version":
        doc = state.previous[-1] if state.previous else state.document
        return replace(state, document=doc, previous=state.previous[:-1])
    if op == "delete-policy":
        return replace(state, policy_exists=False, document=None)
    if op in ("attach", "detach") and me:
        return replace(state, direct=op == "attach")
    if op in ("add-to-group", "remove-from-group") and me:
        return replace(state, in_group=op == "add-to-group")
    if op in ("attach-group-policy", "detach-group-policy") and step.target == group:
        return replace(state, group_has_policy=op == "attach-group-policy")
    if op == "delete-group" and step.target == group:
        return replace(state, in_group=False, group_has_policy=False)
    return state


def _denied(state: Binding, step: Step, session: CallerSession, *, policy_arn: str,
            group: str | None) -> bool:
    if not state.bound or not session.can_be_bound or state.document is None:
        return False
    # A long-term key carries no MFA key at all; temporary credentials of unknown origin may
    # carry "false": try every context the session could have.
    contexts: tuple[bool | None, ...] = (
        (True,) if session.mfa is True else (None,) if session.mfa is False else (None, False))
    for mfa in contexts:
        req = request_of(step, session, policy_arn=policy_arn, group=group, mfa=mfa)
        try:
            if evaluate(state.document, req) is Decision.DENY:
                return True
        except PolicyError:
            return True  # a policy the evaluator cannot read: assume the worst (said so)
    return False


def _readable(document: Mapping[str, Any] | None) -> bool:
    try:
        if document is not None:
            evaluate(document, Request(action="iam:GetUser"))
    except PolicyError:
        return False
    return True


def check(
    steps: Sequence[Step],
    *,
    session: CallerSession,
    start: Binding,
    template: Mapping[str, Any],
    policy_arn: str,
    policy_name: str,
    group: str | None = None,
    version_before: str | None = None,
    include_undo: bool = True,
    run_label: str = "the rest of the run",
) -> tuple[Blocker, ...]:
    """After each step (and before the first), can the caller still make every later step of
    the run and every step of the undo of what is done by then? One blocker a cutting step."""
    if not session.can_be_bound:
        return ()
    found: list[Blocker] = []
    cuts: set[Step | None] = set()
    state = start
    cut: Step | None = None  # the step that made the policy apply to the caller (or None)
    for i in range(-1, len(steps)):
        if i >= 0:
            before = state
            state = transition(state, steps[i], caller=session.user, group=group,
                               template=template)
            if state.bound and (not before.bound or state.document != before.document):
                cut = steps[i]
        if not state.bound or cut in cuts:
            continue
        later = list(steps[i + 1:])
        back = undo_steps(steps[:i + 1], version_before=version_before) if include_undo else []
        for phase, sequence in (("run", later), ("undo", back)):
            problem = _first_denied(sequence, state, session, policy_arn=policy_arn,
                                    group=group, template=template)
            if problem is not None:
                found.append(_blocker(cut, problem, phase, session,  # type: ignore[arg-type]
                                      policy_name=policy_name, run_label=run_label,
                                      readable=_readable(state.document)))
                cuts.add(cut)
                break
    return tuple(found)


def _first_denied(sequence: Iterable[Step], state: Binding, session: CallerSession, *,
                  policy_arn: str, group: str | None, template: Mapping[str, Any]
                  ) -> Step | None:
    for step in sequence:
        if _denied(state, step, session, policy_arn=policy_arn, group=group):
            return step
        state = transition(state, step, caller=session.user, group=group, template=template)
    return None


STEP_TEXT = {
    "create-policy": "creating the policy", "delete-version": "deleting policy version {t}",
    "create-version": "adding the new default version",
    "set-default-version": "setting default version {t} back",
    "create-group": "creating group {t}", "attach-group-policy": "attaching the policy to "
    "group {t}", "attach": "attaching the policy to {t}", "add-to-group": "adding {t} to the "
    "group", "detach": "detaching the policy from {t}", "remove-from-group": "removing {t} "
    "from the group", "detach-group-policy": "detaching the policy from group {t}",
    "delete-group": "deleting group {t}", "delete-policy": "deleting the policy",
}


def describe(step: Step) -> str:
    """``attaching the policy to alice``."""
    return STEP_TEXT[step.op].format(t=step.target)


def _blocker(cut: Step | None, denied: Step, phase: Phase, session: CallerSession, *,
             policy_name: str, run_label: str, readable: bool = True) -> Blocker:
    action = STEP_ACTIONS[denied.op][0]
    why = ("your session has no MFA" if session.mfa is False else
           "mfa-tui cannot tell whether these temporary credentials carry MFA")
    where = "its undo" if phase == "undo" else run_label
    if cut is None:
        first = f"The policy {policy_name} in place already applies to you ({session.user})"
    else:
        text = describe(cut)
        first = (f"{text[:1].upper()}{text[1:]} would lock you out: {policy_name} would then "
                 f"apply to you ({session.user})")
    verb = "it would deny you" if readable else (
        "mfa-tui cannot evaluate that policy (an operator it does not read), so it assumes it "
        "would deny you")
    message = (f"{first}, and as {why} {verb} {action} ({describe(denied)}) in "
               f"{where}. Sign in with MFA (a profile with an MFA serial: "
               "`mfa-tui profile add ... --mfa-serial ARN`), or leave yourself out.")
    return Blocker(cut, denied, phase, action, message)


def session_notes(session: CallerSession, planned: Iterable[str]) -> tuple[
        tuple[str, ...], tuple[str, ...]]:
    """(notes, users whose names match a role session): what the check cannot see."""
    if session.kind == "role":
        name = session.session_name or ""
        note = (f"You are a role session ({session.arn}): a policy attached to IAM users "
                "never applies to a role, so this run cannot lock this session out. mfa-tui "
                "cannot see which IAM users reach this role without MFA (their sts:AssumeRole "
                "signed with long-term keys): enforcing MFA on such a user cuts that path.")
        matches = tuple(sorted(u for u in planned if name and u.lower() == name.lower()))
        return (note,), matches
    if session.kind == "root":
        return ("You are the root user: IAM policies never apply to root, so this run cannot "
                "lock you out; AWS advises against using root for this.",), ()
    if session.kind == "other":
        return (f"You are {session.arn}: not an IAM user, so an IAM user policy does not "
                "bind this session.",), ()
    return (), ()
