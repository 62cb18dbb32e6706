"""The checks every plan carries (pure): the lock-out check and what the caller's session is.

Shared by the plan builder (core/plan.py), the detach-only plan (core/plan_audit.py) and
the plan that finishes an interrupted run (core/resume.py): one mechanism for every path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mfa_tui.core.lockout import Binding, CallerSession, check, session_notes
from mfa_tui.core.models import Inventory
from mfa_tui.core.plan_models import GroupState, Plan, PlanWarning, PolicyState


def caller_binding(inv: Inventory, policy: PolicyState, group: GroupState | None,
                   user: str | None) -> Binding:
    """How the managed policy binds the caller now (from the inventory and the group)."""
    record = inv.get(user) if user else None
    via = record.enforced_via if record is not None and record.enforcement_attached else None
    gname = group.name if group is not None else None
    return Binding(
        policy_exists=policy.exists,
        direct=via == "user",
        in_group=group is not None and user in group.members,
        group_has_policy=group is not None and group.has_policy,
        other_groups=via not in (None, "user", gname),
        document=policy.default_document if policy.exists else None,
    )


def with_lockout_check(plan: Plan, inv: Inventory, policy: PolicyState,
                       template: dict[str, Any], session: CallerSession,
                       document: dict[str, Any] | None = None) -> Plan:
    """The plan with the lock-out check's blockers and the session's notes added.

    ``document`` is what the policy's default version will say (default: the template).
    """
    start = caller_binding(inv, policy, plan.group, session.user)
    found = check(plan.ordered_steps(), session=session, start=start,
                  template=document if document is not None else template,
                  policy_arn=plan.policy.arn, policy_name=plan.policy.name,
                  group=plan.group.name if plan.group is not None else None,
                  version_before=plan.policy.current_version)
    notes, matches = session_notes(session, plan.targets)
    warnings = tuple(plan.warnings)
    if matches:
        warnings = (*warnings, PlanWarning(
            "role-session-name",
            "Your role session is named like a planned user: if you reach this role from that "
            "user's access keys, you will need an MFA session to assume it again "
            "(`mfa-tui undo` included).", matches))
    return replace(plan, blockers=(*plan.blockers, *(b.message for b in found)),
                   lockout=(*plan.lockout, *found), notes=(*plan.notes, *notes),
                   warnings=warnings)
