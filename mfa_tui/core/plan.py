"""Build the enforcement plan (pure): who gets the policy, who is left out and why, what breaks.

Inputs are the inventory (models.Inventory), the managed policy's state and, with
``--via-group``, the group's state, all read by mfa_tui/aws/policy_state.py. Nothing here
calls AWS; ``now`` is passed in so that the plan is the same for the same inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from mfa_tui.core.lockout import CallerSession
from mfa_tui.core.models import Inventory, UserRecord
from mfa_tui.core.plan_audit import audit_warnings, detach_plan
from mfa_tui.core.plan_checks import with_lockout_check
from mfa_tui.core.plan_models import (
    ENFORCING,
    GroupState,
    Plan,
    PlanRow,
    PlanWarning,
    PolicyChange,
    PolicyMode,
    PolicyState,
    Selection,
)
from mfa_tui.core.policy_diff import diff_lines, is_same
from mfa_tui.core.policy_history import is_mfa_tui_template
from mfa_tui.core.policy_lint import lint

#: Access keys used this recently belong to something that is still running.
RECENT_KEY_USE = timedelta(days=90)
#: IAM keeps at most this many versions of a managed policy.
MAX_POLICY_VERSIONS = 5


def parse_names(text: str | None) -> tuple[str, ...]:
    """``"bob, alice,,bob"`` → ``("alice", "bob")``: sorted, unique, blanks dropped."""
    if not text:
        return ()
    return tuple(sorted({part.strip() for part in text.split(",") if part.strip()}))


def policy_change(state: PolicyState, template: dict[str, Any], *, name: str,
                  template_name: str = "enforce-mfa", mode: PolicyMode = "auto"
                  ) -> PolicyChange:
    """What happens to the managed policy: create it, leave it, or add a default version.

    A default version edited outside mfa-tui is marked ``edited``; with ``mode="keep"`` it
    is left as it is (``kept``), otherwise a new default version is planned (``apply`` needs
    ``--replace-policy`` for it: see :func:`build_plan`'s blockers).
    """
    if not state.exists:
        return PolicyChange("create", state.arn, name, template_name)
    if state.default_document is not None and is_same(state.default_document, template):
        return PolicyChange("none", state.arn, name, template_name,
                            current_version=state.default_version,
                            description=state.description, tags=state.tags)
    edited = not is_mfa_tui_template(state.default_document, template_name)
    diff = tuple(diff_lines(state.default_document, template))
    if mode == "keep":
        return PolicyChange("none", state.arn, name, template_name,
                            current_version=state.default_version, diff=diff, edited=edited,
                            kept=True, description=state.description, tags=state.tags)
    numbers = [v.number for v in state.versions]
    new_version = f"v{max(numbers, default=0) + 1}"
    delete_version = None
    if len(state.versions) >= MAX_POLICY_VERSIONS:
        delete_version = oldest_non_default(state)
    return PolicyChange("new-version", state.arn, name, template_name,
                        current_version=state.default_version, new_version=new_version,
                        delete_version=delete_version, diff=diff, edited=edited,
                        description=state.description, tags=state.tags)


def edited_blocker(change: PolicyChange, mode: PolicyMode, enforced: int) -> str | None:
    """The sentence that stops `apply` from replacing an edited policy without a flag."""
    if not change.edited or change.action != "new-version" or mode != "auto":
        return None
    return (f"{change.name}'s default version {change.current_version} was edited outside "
            f"mfa-tui (it is neither the template nor an earlier mfa-tui template) and binds "
            f"{enforced} user(s) now: pass --replace-policy (the template becomes version "
            f"{change.new_version}; `mfa-tui undo` sets {change.current_version} back) or "
            "--keep-policy (attach it as it is; its lint findings, if any, are listed above).")


def oldest_non_default(state: PolicyState) -> str | None:
    """The version to delete at the limit: the oldest non-default one (by date, then number)."""
    non_default = [v for v in state.versions if not v.is_default]
    if not non_default:
        return None
    if all(v.created is not None for v in non_default):
        return min(non_default, key=lambda v: (v.created, v.number)).version_id
    return min(non_default, key=lambda v: v.number).version_id


def _candidates(inv: Inventory, sel: Selection) -> tuple[list[UserRecord], list[str]]:
    """The selected users that exist, and the names given with --users that do not."""
    if sel.mode == "users":
        found = [u for name in sel.users if (u := inv.get(name)) is not None]
        return found, [name for name in sel.users if inv.get(name) is None]
    if sel.mode == "all-console":
        return [u for u in inv.users if u.console_access], []
    return [u for u in inv.users if not u.compliant], []


def _enforced_detail(u: UserRecord) -> str:
    return "directly" if u.enforced_via in (None, "user") else f"via group {u.enforced_via}"


def _why_selected(u: UserRecord) -> str:
    if u.console_access is None:
        return "console access unknown, no MFA"
    if u.console_access:
        return "console, MFA" if u.mfa_active else "console, no MFA"
    return "no console (access keys only)"


def build_plan(
    inv: Inventory,
    sel: Selection,
    policy: PolicyState,
    template: dict[str, Any],
    *,
    now: datetime,
    group: GroupState | None = None,
    template_name: str = "enforce-mfa",
    session: CallerSession | None = None,
    policy_mode: PolicyMode = "auto",
    detach_from: tuple[str, ...] = (),
) -> Plan:
    """The plan: one row a selected user, the policy change, warnings and blockers.

    ``policy_mode`` says what to do with a policy edited outside mfa-tui (``auto``: a
    blocker). ``detach_from`` makes a detach-only plan (``apply --detach-from``): the policy
    is left as it is and only removed from those users.

    ``session`` is the caller as the lock-out check sees them (default: the inventory's
    caller signing with long-term keys, so without MFA in the session).
    """
    name = policy.arn.rsplit("/", 1)[-1]
    change = policy_change(policy, template, name=name, template_name=template_name,
                           mode="keep" if detach_from else policy_mode)
    if detach_from:
        return detach_plan(inv, sel, policy, change, template, detach_from,
                           session=session or CallerSession.from_arn(
                               inv.caller.arn, account=inv.account, mfa=False))
    session = session or CallerSession.from_arn(inv.caller.arn, account=inv.account, mfa=False)
    caller_user = inv.caller.iam_user_name
    # What counts is the session: a device the caller has is no help to long-term keys.
    caller_has_mfa = session.satisfies_mfa
    excluded = set(sel.exclude)
    candidates, unknown = _candidates(inv, sel)
    in_group = group.members if group is not None else frozenset()
    group_gets_policy = group is not None and not group.has_policy

    rows: dict[str, PlanRow] = {}
    blockers: list[str] = []
    for u in candidates:
        if u.user in excluded:
            rows[u.user] = PlanRow(u.user, "excluded", "--exclude (break-glass)")
        elif u.enforcement_attached:
            rows[u.user] = PlanRow(u.user, "already", _enforced_detail(u))
        elif u.user == caller_user and not caller_has_mfa and sel.mode != "users":
            # Not named: left out. Named (--users): planned, and the lock-out check blocks.
            rows[u.user] = PlanRow(u.user, "excluded",
                                   "you (the caller) have no MFA in this session: it would "
                                   "lock you out")
        elif group is not None:
            if u.user in in_group:
                rows[u.user] = PlanRow(u.user, "group-member",
                                       f"member of {group.name}; {_why_selected(u)}")
            else:
                rows[u.user] = PlanRow(u.user, "add-to-group",
                                       f"join {group.name}; {_why_selected(u)}")
        else:
            rows[u.user] = PlanRow(u.user, "attach", _why_selected(u))

    if group is not None and group_gets_policy and any(
            r.action in ENFORCING for r in rows.values()):
        # Attaching the policy to the group enforces it on every member, selected or not.
        for member in sorted(group.members):
            found = inv.get(member)
            if found is None or (member in rows and rows[member].action != "excluded"):
                continue
            if found.enforcement_attached:
                rows.setdefault(member, PlanRow(member, "already", _enforced_detail(found)))
                continue
            if member in excluded:
                blockers.append(
                    f"{member} is excluded but is a member of {group.name}: attaching the "
                    f"policy to {group.name} would enforce it on them too. Remove them from "
                    "the group, or choose another group.")
            rows[member] = PlanRow(member, "group-member",
                                   f"member of {group.name}; {_why_selected(found)}")
    if unknown:
        names = ", ".join(f"'{n}'" for n in unknown)
        blockers.append(
            f"No IAM user named {names} in account {inv.account}: check the spelling "
            "(--users takes user names, not ARNs).")

    plan_rows = tuple(sorted(rows.values(), key=lambda r: r.user))
    enforced_now = sum(1 for u in inv.users if u.enforcement_attached)
    edited = edited_blocker(change, policy_mode, enforced_now)
    if edited:
        blockers.append(edited)
    warnings = (*_warnings(inv, sel, plan_rows, change, unknown, caller_user, now=now,
                           template=policy.default_document if change.kept and
                           policy.default_document is not None else template),
                *audit_warnings(inv, policy, change, session))
    plan = Plan(
        account=inv.account,
        caller_arn=inv.caller.arn,
        policy=change,
        selection=sel,
        rows=plan_rows,
        warnings=warnings,
        blockers=tuple(blockers),
        group=group,
        enforced_now=enforced_now,
        caller_user=caller_user,
    )
    return with_lockout_check(plan, inv, policy, template, session)


def _users(rows: Iterable[PlanRow]) -> tuple[str, ...]:
    return tuple(sorted(r.user for r in rows))


def _warnings(
    inv: Inventory,
    sel: Selection,
    rows: tuple[PlanRow, ...],
    change: PolicyChange,
    unknown: list[str],
    caller_user: str | None,
    *,
    now: datetime,
    template: dict[str, Any],
) -> tuple[PlanWarning, ...]:
    out: list[PlanWarning] = []
    enforcing = [r for r in rows if r.action in ENFORCING]
    records = {r.user: inv.get(r.user) for r in rows}

    caller_out = [r for r in rows if r.user == caller_user and r.action == "excluded"
                  and r.detail.startswith("you")]
    if caller_out:
        out.append(PlanWarning(
            "caller-lockout",
            "You are running this as an IAM user without MFA in this session: attaching the "
            "policy to yourself would lock you out, so you are left out of this plan. Enable "
            "MFA (`mfa-tui enroll`) and run it again with an MFA session to include yourself.",
            _users(caller_out)))
    caller_in = [r for r in enforcing if r.user == caller_user]
    if caller_in:
        out.append(PlanWarning(
            "caller-included",
            "You are in the plan (your session has MFA) and are attached last: afterwards your own "
            "access keys work only through an MFA session (`aws sts get-session-token`), "
            "`mfa-tui undo` included.",
            _users(caller_in)))
    recent = [r for r in enforcing if (u := records[r.user]) is not None
              and u.access_keys_active > 0 and u.access_key_last_used is not None
              and now - u.access_key_last_used <= RECENT_KEY_USE]
    if recent:
        out.append(PlanWarning(
            "active-keys",
            "Access keys used in the last 90 days: these users' scripts and tools lose "
            "programmatic access until they call AWS with an MFA session "
            "(`aws sts get-session-token --serial-number ... --token-code ...`).",
            _users(recent)))
    keys_only = [r for r in enforcing if (u := records[r.user]) is not None
                 and u.console_access is False]
    if keys_only:
        out.append(PlanWarning(
            "keys-only",
            "No console password (access keys only, usually automation): the policy denies "
            "their API calls without an MFA session. Is that intended? If not, leave them "
            "out with --exclude.",
            _users(keys_only)))
    glass = [u for n in sel.exclude if (u := inv.get(n)) is not None]
    if glass:
        still_open = [u for u in glass if not u.compliant]
        tail = (f" {len(still_open)} of them stay non-compliant for IAM.5: keep their "
                "credentials offline and review them." if still_open else "")
        out.append(PlanWarning(
            "break-glass", "Excluded with --exclude (break-glass users): not enforced." + tail,
            tuple(sorted(u.user for u in glass))))
    missing_excludes = [n for n in sel.exclude if inv.get(n) is None]
    if missing_excludes:
        out.append(PlanWarning(
            "unknown-exclude", "--exclude names users this account does not have.",
            tuple(missing_excludes)))
    if unknown:
        out.append(PlanWarning(
            "unknown-users",
            "--users names users this account does not have: nothing will be applied until "
            "the list is corrected.", tuple(unknown)))
    if change.delete_version:
        out.append(PlanWarning(
            "version-limit",
            f"{change.name} already has {MAX_POLICY_VERSIONS} versions (IAM's limit): version "
            f"{change.delete_version}, the oldest non-default one, will be deleted to make "
            "room."))
    out.extend(_lint_warnings(template))
    return tuple(out)


def _lint_warnings(template: dict[str, Any]) -> list[PlanWarning]:
    """The policy linter's findings on the document about to be applied."""
    return [PlanWarning(f"lint:{f.code}", f"Policy lint ({f.severity}): {f.message}")
            for f in lint(template, kind="identity")]
