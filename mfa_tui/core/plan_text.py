"""The plan, an undo and a run's results as text lines with a tone (pure).

Stable to diff between runs: sorted, no timestamps, no counts of anything but the plan
itself. The CLI colours lines by tone; symbols (+ = - ! ✗) carry the meaning without colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mfa_tui.core.plan_models import ENFORCING, Plan, PlanRow, RowAction, Step
from mfa_tui.core.run_result import RunResult, StepResult
from mfa_tui.core.undo_plan import UndoPlan

Tone = Literal["header", "add", "remove", "context", "ok", "warn", "bad", "plain", "dim"]


@dataclass(frozen=True)
class Line:
    """One line of output."""

    tone: Tone
    text: str


_ROW_ORDER: dict[RowAction, int] = {
    "attach": 0, "add-to-group": 0, "detach": 0, "group-member": 1, "already": 2, "excluded": 3}
_ROW_LABEL: dict[RowAction, tuple[str, str, Tone]] = {
    "attach": ("+", "attach", "add"),
    "add-to-group": ("+", "add to group", "add"),
    "group-member": ("+", "via group", "add"),
    "already": ("=", "already enforced", "dim"),
    "excluded": ("-", "excluded", "warn"),
    "detach": ("-", "detach", "remove"),
}
_OP_TEXT = {
    "create-policy": "create policy", "delete-version": "delete version",
    "create-version": "add version", "create-group": "create group",
    "attach-group-policy": "attach to group", "attach": "attach", "add-to-group": "add to group",
    "detach": "detach", "remove-from-group": "remove from group",
    "detach-group-policy": "detach from group", "delete-group": "delete group",
    "delete-policy": "delete policy", "set-default-version": "restore version",
}


_PER_USER = frozenset({"attach", "add-to-group", "detach", "remove-from-group"})
_CLEAN_UP = frozenset({"detach-group-policy", "delete-group", "delete-policy",
                       "set-default-version"})


def _width(names: list[str]) -> int:
    return min(max((len(n) for n in names), default=4), 32)


def policy_lines(plan: Plan) -> list[Line]:
    """The managed policy: created, unchanged, or a new version (with the diff)."""
    p = plan.policy
    out = [Line("header", f"Policy {p.name}  {p.arn}")]
    if p.action == "create":
        out.append(Line("add", f"  will be created from the template {p.template}."))
    elif p.kept:
        what = "edited outside mfa-tui" if p.edited else "differs from the template"
        out.append(Line("warn", f"  kept as it is (--keep-policy): default version "
                                f"{p.current_version} {what}; it is attached unchanged."))
    elif p.action == "none":
        out.append(Line("ok", f"  up to date: default version {p.current_version} matches "
                              f"the template {p.template}."))
    else:
        extra = (f" (deleting version {p.delete_version}: the 5-version limit)"
                 if p.delete_version else "")
        if p.edited:
            out.append(Line("bad", f"  edited outside mfa-tui: default version "
                                   f"{p.current_version} is neither the template nor an "
                                   "earlier mfa-tui template."))
        out.append(Line("warn", f"  default version {p.current_version} differs from the "
                                f"template {p.template}: will add version {p.new_version} as "
                                f"the default{extra}."))
    if p.diff:
        tones: dict[str, Tone] = {"add": "add", "remove": "remove", "header": "header",
                                  "context": "context"}
        out.extend(Line(tones.get(tone, "plain"), f"    {text}") for tone, text in p.diff)
    return out


def _row_line(row: PlanRow, width: int) -> Line:
    symbol, label, tone = _ROW_LABEL[row.action]
    return Line(tone, f"  {symbol} {label:<17} {row.user:<{width}}  {row.detail}".rstrip())


def plan_lines(plan: Plan) -> list[Line]:
    """The whole preview, top to bottom."""
    out = [Line("header", f"Account {plan.account}  (caller {plan.caller_arn})")]
    out.extend(Line("warn", f"Note: {note}") for note in plan.notes)
    out.append(Line("plain", ""))
    out.extend(policy_lines(plan))
    if plan.group is not None:
        g = plan.group
        todo = []
        if not g.exists:
            todo.append("will be created")
        if not g.has_policy:
            todo.append("the policy will be attached to it")
        state = "; ".join(todo) if todo else "exists and carries the policy"
        if todo and not plan.targets:
            state = "unchanged (no user to enforce)"
        out.append(Line("plain", ""))
        out.append(Line("header", f"Group {g.name} (--via-group): {state}."))
    rows = sorted(plan.rows, key=lambda r: (_ROW_ORDER[r.action], r.user))
    enforce = sum(1 for r in rows if r.action in ENFORCING)
    already = sum(1 for r in rows if r.action == "already")
    excluded = sum(1 for r in rows if r.action == "excluded")
    sel = plan.selection
    out.append(Line("plain", ""))
    what = "Users" if sel.mode == "users" else f"Users ({sel.mode})"
    out.append(Line("header", f"{what}: {enforce} to enforce, {already} already "
                              f"enforced, {excluded} excluded"))
    width = _width([r.user for r in rows])
    out.extend(_row_line(r, width) for r in rows)
    if not rows:
        out.append(Line("dim", "  (no user matches the selection)"))
    if plan.warnings:
        out.append(Line("plain", ""))
        out.append(Line("header", "Warnings"))
        for w in plan.warnings:
            out.append(Line("warn", f"  ! {w.message}"))
            if w.users:
                out.append(Line("warn", f"      users ({len(w.users)}): {', '.join(w.users)}"))
    if plan.blockers:
        out.append(Line("plain", ""))
        out.append(Line("bad", "Blocked: apply will not run until this is fixed"))
        out.extend(Line("bad", f"  ✗ {b}") for b in plan.blockers)
    out.append(Line("plain", ""))
    if plan.blockers:
        return out
    if plan.nothing_to_do:
        out.append(Line("ok", "Nothing to do: every selected user is already enforced and the "
                              "policy matches the template."))
    else:
        detach = f", {len(plan.detach_from)} to detach from" if plan.detach_from else ""
        out.append(Line("plain", f"Apply: {len(plan.targets)} user(s) to enforce{detach}"
                                 + (", policy change" if plan.policy.action != "none" else "")
                                 + "."))
    return out


def _step_line(step: Step) -> Line:
    tone: Tone = "remove" if step.op in ("detach", "remove-from-group", "detach-group-policy",
                                         "delete-group", "delete-policy") else "add"
    return Line(tone, f"  - {_OP_TEXT[step.op]:<18} {step.target}")


def undo_lines(undo: UndoPlan, *, started_at: str = "") -> list[Line]:
    """What an undo will reverse."""
    when = f", started {started_at}" if started_at else ""
    out = [Line("header", f"Undo run {undo.run_id} (account {undo.account}{when})")]
    steps = [*undo.per_user, *undo.final]
    out.extend(_step_line(s) for s in steps)
    out.extend(Line("dim", f"  {note}") for note in undo.notes)
    if undo.blockers:
        out.append(Line("bad", "Blocked: undo will not run until this is fixed"))
        out.extend(Line("bad", f"  ✗ {b}") for b in undo.blockers)
    if undo.nothing_to_do:
        out.append(Line("ok", "Nothing to undo: nothing this run changed is still in place."))
    return out


_OUTCOME: dict[str, tuple[str, Tone]] = {
    "done": ("✓", "ok"), "already": ("=", "dim"), "kept": ("=", "dim"),
    "failed": ("✗", "bad"), "skipped": ("·", "warn"),
}


def result_lines(result: RunResult) -> list[Line]:
    """Per-step results (sorted: failures first), then a summary."""
    order = {"failed": 0, "skipped": 1, "done": 2, "already": 3, "kept": 4}
    ops = list(_OP_TEXT)  # set-up steps in the order they run, then users, then clean-up

    def phase(op: str) -> int:
        return 1 if op in _PER_USER else (2 if op in _CLEAN_UP else 0)

    steps = sorted(result.steps, key=lambda s: (
        order[s.outcome], phase(s.op), 0 if s.op in _PER_USER else ops.index(s.op), s.target))
    width = _width([s.target for s in steps])
    out = [Line("header", f"Results of run {result.run_id}")]
    out.extend(_result_line(s, width) for s in steps)
    parts = [f"{result.count(o)} {o}" for o in ("done", "already", "kept", "failed", "skipped")
             if result.count(o)]
    summary = ", ".join(parts) or "nothing"
    tone: Tone = "bad" if result.failed else ("warn" if result.exit_code else "ok")
    out.append(Line(tone, f"{summary}." + (" Cancelled." if result.cancelled else "")))
    return out


def _result_line(s: StepResult, width: int) -> Line:
    symbol, tone = _OUTCOME[s.outcome]
    reason = f"  {s.reason}" if s.reason else ""
    verified = " (verified)" if s.verified and not s.reason else ""
    return Line(tone, f"  {symbol} {s.outcome:<8} {_OP_TEXT[s.op]:<18} "
                      f"{s.target:<{width}}{verified}{reason}".rstrip())
