"""What is in place (pure): the managed policy's lint, the users it binds who cannot satisfy it,
and the detach-only plan that frees them (`apply --detach-from`).

"Cannot satisfy it usefully" is decided by the evaluator, not guessed: an IAM user with
active access keys and no console password signs with long-term keys, which carry no MFA;
if the policy in place denies such a request, their keys are denied everything it covers.
"""

from __future__ import annotations

from typing import Any

from mfa_tui.core.lockout import CallerSession
from mfa_tui.core.models import Inventory, UserRecord
from mfa_tui.core.plan_checks import with_lockout_check
from mfa_tui.core.plan_models import (
    Plan,
    PlanRow,
    PlanWarning,
    PolicyChange,
    PolicyState,
    Selection,
)
from mfa_tui.core.policy_eval import Decision, PolicyError, Request, evaluate
from mfa_tui.core.policy_lint import lint

#: A request a script's access keys typically make: denied means the keys are broken.
_PROBE_ACTION = "s3:ListAllMyBuckets"


def _denied_without_mfa(document: dict[str, Any] | None, user: str, account: str,
                        mfa: bool | None = None) -> bool:
    if document is None:
        return False
    request = Request(action=_PROBE_ACTION, username=user, mfa_present=mfa, account=account)
    try:
        return evaluate(document, request) is Decision.DENY
    except PolicyError:
        return False  # the lint below says why it cannot be read


def keys_only_bound(inv: Inventory, policy: PolicyState) -> tuple[str, ...]:
    """Users the policy binds now whose long-term access keys it denies (no console)."""
    return tuple(sorted(
        u.user for u in inv.users
        if u.enforcement_attached and u.console_access is False and u.access_keys_active > 0
        and _denied_without_mfa(policy.default_document, u.user, inv.account)))


def caller_bound(inv: Inventory, policy: PolicyState, session: CallerSession) -> bool:
    """The policy in place binds the caller, and denies their session (no MFA in it)."""
    record = inv.get(session.user) if session.user else None
    if record is None or not record.enforcement_attached or session.satisfies_mfa:
        return False
    return _denied_without_mfa(policy.default_document, record.user, inv.account,
                               None if session.mfa is False else False)


def audit_warnings(inv: Inventory, policy: PolicyState, change: PolicyChange,
                   session: CallerSession) -> tuple[PlanWarning, ...]:
    """Warnings about the policy in place: its lint (unless it is the template) and whom it
    binds who cannot satisfy it."""
    if not policy.exists:
        return ()
    out: list[PlanWarning] = []
    document = policy.default_document
    if document is not None and (change.action != "none" or change.kept):
        out.extend(PlanWarning(f"in-place-lint:{f.code}",
                               f"Policy in place ({change.current_version}) lint "
                               f"({f.severity}): {f.message}")
                   for f in lint(document, kind="identity"))
    keys = keys_only_bound(inv, policy)
    if keys:
        out.append(PlanWarning(
            "bound-keys-only",
            f"{change.name} already binds these users, who have active access keys and no "
            "console password: their keys are denied everything without an MFA session "
            "(automation broken). Free them with `mfa-tui apply --detach-from USERS`.", keys))
    if caller_bound(inv, policy, session):
        out.append(PlanWarning(
            "bound-caller",
            f"{change.name} already binds you ({session.user}) and this session has no MFA: "
            "it denies you what it covers. Use an MFA session, or `mfa-tui apply "
            f"--detach-from-user {session.user}` from another administrator.",
            (str(session.user),)))
    return tuple(out)


def _detach_row(record: UserRecord | None, name: str) -> PlanRow:
    if record is None:
        return PlanRow(name, "excluded", "no such user")
    if not record.enforcement_attached:
        return PlanRow(name, "excluded", "the policy is not attached to them")
    if record.enforced_via not in (None, "user"):
        return PlanRow(name, "excluded", f"enforced via group {record.enforced_via}: remove "
                                         "them from the group instead")
    return PlanRow(name, "detach", "detach the policy (left as it is)")


def detach_plan(inv: Inventory, sel: Selection, policy: PolicyState, change: PolicyChange,
                template: dict[str, Any], names: tuple[str, ...], *,
                session: CallerSession) -> Plan:
    """Only detach the policy from ``names``: no attach step, the policy left as it is."""
    rows = tuple(_detach_row(inv.get(n), n) for n in sorted(set(names)))
    unknown = [r.user for r in rows if r.detail == "no such user"]
    blockers = []
    if sel.mode != "non-compliant" or sel.via_group or sel.exclude:
        blockers.append("--detach-from only detaches the policy: run it without a selector "
                        "(--users, --all-console, --exclude, --via-group), then enforce "
                        "separately.")
    if unknown:
        blockers.append(f"No IAM user named {', '.join(repr(n) for n in unknown)} in account "
                        f"{inv.account}: check the spelling (--detach-from takes user names).")
    keep = PolicyChange("none", change.arn, change.name, change.template,
                        current_version=change.current_version, kept=True)
    plan = Plan(
        account=inv.account, caller_arn=inv.caller.arn, policy=keep, selection=sel,
        rows=rows, warnings=audit_warnings(inv, policy, keep, session),
        blockers=tuple(blockers),
        enforced_now=sum(1 for u in inv.users if u.enforcement_attached),
        caller_user=inv.caller.iam_user_name,
        detach_from=tuple(r.user for r in rows if r.action == "detach"),
    )
    return with_lockout_check(plan, inv, policy, template, session)
