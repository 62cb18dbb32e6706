"""What a confirmation keeps in view beside its field: the counts and every warning (pure).

The preview scrolls (one row a user can be thousands of lines); these few lines stay fixed
above the field, so nobody confirms a change without seeing what it breaks.
"""

from __future__ import annotations

from mfa_tui.core.plan_models import ENFORCING, Plan
from mfa_tui.core.plan_text import Line
from mfa_tui.core.undo_plan import UndoPlan

_POLICY = {"create": "policy will be created", "new-version": "policy gets a new version",
           "none": "policy unchanged"}


def plan_summary(plan: Plan) -> list[Line]:
    """The plan's counts, then one line a warning and a blocker."""
    enforce = sum(1 for r in plan.rows if r.action in ENFORCING)
    already = sum(1 for r in plan.rows if r.action == "already")
    excluded = sum(1 for r in plan.rows if r.action == "excluded")
    out = [Line("header", f"{enforce} to enforce · {already} already enforced · "
                          f"{excluded} excluded · {_POLICY[plan.policy.action]}")]
    for w in plan.warnings:
        users = f" ({len(w.users)} user{'s' if len(w.users) != 1 else ''})" if w.users else ""
        out.append(Line("warn", f"! {w.message}{users}"))
    out.extend(Line("bad", f"✗ {b}") for b in plan.blockers)
    if not plan.warnings and not plan.blockers:
        out.append(Line("ok", "No warnings."))
    return out


def undo_summary(undo: UndoPlan) -> list[Line]:
    """What the undo reverses, in counts, then its notes."""
    users = len(undo.per_user)
    out = [Line("header", f"Undo run {undo.run_id}: {users} user step(s) to reverse, "
                          f"{len(undo.final)} clean-up step(s)")]
    out.extend(Line("warn", f"! {note}") for note in undo.notes)
    return out
