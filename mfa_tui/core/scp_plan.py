"""The organization-wide SCP: what `scp plan` shows and `scp apply` does (pure).

The seed article's SCP denies everything without MFA to every principal — roles, instance
profiles and access keys included — and its `Allow` grants nothing. Ours denies only IAM
users without MFA; the plan also says plainly what an SCP can never cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from mfa_tui.core.policy_lint import lint

DEFAULT_SCP_NAME = "DenyIAMUsersWithoutMFA"
#: The SCP's description when mfa-tui (or its Terraform output) creates it.
SCP_DESCRIPTION = "Deny IAM users without MFA (mfa-tui); roles and AWS services unaffected"

#: `--scope console` (default) denies sessions without MFA; `all` also long-term access keys.
Scope = Literal["console", "all"]
SCOPE_TEMPLATE: dict[str, str] = {"console": "safe-scp-console", "all": "safe-scp"}
SCOPE_LINE: dict[str, str] = {
    "console": "Scope console: denies IAM users' console sessions (and other session "
               "credentials) without MFA; their long-term access keys, roles, AWS services "
               "acting for them and the MFA set-up keep working.",
    "all": "Scope all: denies IAM users without MFA, console sessions and long-term access "
           "keys alike; roles, AWS services acting for them and the MFA set-up keep working.",
}
#: Lint codes that make an SCP already in place a danger to name (it breaks automation).
BREAKS_AUTOMATION = ("scp-blocks-roles", "scp-blocks-aws-services")


@dataclass(frozen=True)
class AttachedScp:
    """An SCP already attached to the target or above it."""

    policy_id: str
    name: str
    where: str  # the target id it is attached to (the target itself, an OU above, the root)
    content: dict[str, Any] | None
    aws_managed: bool = False

    def findings(self) -> list[tuple[str, str]]:
        """(code, sentence) of the linter's findings (none for AWS-managed policies)."""
        if self.aws_managed or self.content is None:
            return []
        return [(f.code, f.message) for f in lint(self.content, "scp")]

    @property
    def breaks_automation(self) -> bool:
        """It denies roles or calls AWS services make (the linter says so)."""
        return any(code in BREAKS_AUTOMATION for code, _ in self.findings())

Tone = Literal["header", "add", "remove", "context", "ok", "warn", "bad", "plain"]

#: What a service control policy never affects, whatever it says.
NOT_COVERED = (
    "the management account (SCPs never apply to it): enforce MFA there with the "
    "identity policy (`mfa-tui plan` / `apply`)",
    "service-linked roles (AWS services acting for you)",
    "principals of accounts outside this organization (cross-account access into it)",
    "IAM roles and federated sessions: this SCP deliberately only restricts IAM users",
)


@dataclass(frozen=True)
class OrgState:
    """The organization as read live: who manages it, the target, the existing policy."""

    organization_id: str
    management_account: str
    caller_account: str
    root_id: str
    scp_enabled: bool  # SERVICE_CONTROL_POLICY enabled on the root
    all_features: bool  # FeatureSet ALL (SCPs need it)
    target_id: str
    target_name: str
    policy_id: str | None = None
    policy_content: dict[str, Any] | None = None
    attached_to_target: bool = False
    #: Policy types enabled on the root (Terraform output must keep every one of them).
    enabled_policy_types: tuple[str, ...] = ()
    policy_description: str | None = None
    #: SCPs attached to the target and every parent up to the root (ours left out).
    in_place: tuple[AttachedScp, ...] = ()


@dataclass(frozen=True)
class ScpPlan:
    """Steps to take, in order; empty when everything is already in place."""

    state: OrgState
    policy_name: str
    template: dict[str, Any]
    enable_scp: bool
    create_policy: bool
    update_policy: bool
    attach: bool
    blockers: tuple[str, ...] = ()  # reasons apply must refuse
    scope: Scope = "console"
    #: `scp apply --detach-policy ID`: only detach that SCP, from where it is attached here.
    detach: AttachedScp | None = None

    @property
    def steps(self) -> tuple[str, ...]:
        """One sentence per change, in the order apply makes them."""
        if self.detach is not None:
            return (f"detach the SCP {self.detach.name} ({self.detach.policy_id}) from "
                    f"{self.detach.where}",)
        out = []
        if self.enable_scp:
            out.append(f"enable service control policies on root {self.state.root_id}")
        if self.create_policy:
            out.append(f"create the SCP {self.policy_name}")
        if self.update_policy:
            out.append(f"update the SCP {self.policy_name} ({self.state.policy_id}) "
                       "to the template")
        if self.attach:
            out.append(f"attach {self.policy_name} to {self.state.target_name} "
                       f"({self.state.target_id})")
        return tuple(out)

    @property
    def up_to_date(self) -> bool:
        """Nothing to change."""
        return not self.steps


def build_scp_plan(state: OrgState, template: dict[str, Any], policy_name: str,
                   same_content: bool, *, scope: Scope = "console",
                   detach_policy: str | None = None) -> ScpPlan:
    """Decide the steps from the live state; ``same_content`` compares normalized JSON.

    ``detach_policy``: a plan that only detaches that SCP (attached to the target or above).
    """
    blockers = []
    detach = None
    if detach_policy is not None:
        detach = next((p for p in state.in_place if p.policy_id == detach_policy), None)
        if detach is None:
            blockers.append(f"No SCP {detach_policy} is attached to {state.target_name} or "
                            "above it: `mfa-tui scp plan` lists the ones that are.")
        elif detach.aws_managed:
            blockers.append(f"{detach.name} is AWS-managed (FullAWSAccess): detaching it "
                            "denies everything not allowed by another SCP. Not done here.")
    if state.caller_account != state.management_account:
        blockers.append(
            f"SCPs are managed from the management account {state.management_account}; "
            f"these credentials are for {state.caller_account}."
        )
    if not state.all_features:
        blockers.append("The organization uses consolidated billing only; SCPs need "
                        "all features enabled (Organizations console → Settings).")
    only_detach = detach_policy is not None
    return ScpPlan(
        state=state,
        policy_name=policy_name,
        template=template,
        enable_scp=not state.scp_enabled and not only_detach,
        create_policy=state.policy_id is None and not only_detach,
        update_policy=state.policy_id is not None and not same_content and not only_detach,
        attach=not state.attached_to_target and not only_detach,
        blockers=tuple(blockers),
        scope=scope,
        detach=detach,
    )


def scope_warnings(plan: ScpPlan, *, org_mode: bool = False) -> list[str]:
    """What the scope breaks that a reader must know before applying it."""
    if plan.scope != "all" or plan.detach is not None:
        return []
    seen = ("per member account, the IAM users with active access keys are listed below"
            if org_mode else "mfa-tui cannot see them from here (the member accounts' users "
            "are read in organization mode, --org)")
    return ["--scope all: IAM users' long-term access keys stop working without MFA in every "
            "account under the target (CI users and scripts signing with access keys): "
            f"{seen}. The default --scope console leaves them working."]


def in_place_lines(plan: ScpPlan) -> list[tuple[Tone, str]]:
    """The SCPs already attached to the target and above, each with its lint findings."""
    lines: list[tuple[Tone, str]] = []
    if not plan.state.in_place:
        return lines
    lines.append(("header", "SCPs already in place (the target and above):"))
    for p in plan.state.in_place:
        tone: Tone = "bad" if p.breaks_automation else "plain"
        label = " (AWS-managed)" if p.aws_managed else ""
        lines.append((tone, f"  {p.name} ({p.policy_id}) on {p.where}{label}"))
        for code, message in p.findings():
            mark: Tone = "bad" if code in BREAKS_AUTOMATION else "warn"
            lines.append((mark, f"    ! {message}"))
        if p.breaks_automation:
            lines.append(("bad", f"    it denies roles or automation: detach it with "
                                 f"`mfa-tui scp apply --detach-policy {p.policy_id}`"))
    return lines


_DIFF_TONES: dict[str, Tone] = {
    "add": "add", "remove": "remove", "context": "context", "header": "header",
}


def render_scp_plan(plan: ScpPlan, diff: Sequence[tuple[str, str]],
                    findings: Sequence[str], *, org_mode: bool = False
                    ) -> list[tuple[Tone, str]]:
    """The plan as (tone, line) pairs: stable text, no timestamps. ``org_mode``: the member
    accounts' users are listed after it (``--org``), so the scope's warning points there."""
    s = plan.state
    lines: list[tuple[Tone, str]] = [
        ("header", f"Organization {s.organization_id} (management account "
                   f"{s.management_account})"),
        ("plain", f"Target: {s.target_name} ({s.target_id})"),
        ("plain", "SCPs on the root: " + ("enabled" if s.scp_enabled else
                                          "not enabled (apply enables them)")),
    ]
    if plan.detach is None:
        lines.append(("plain", SCOPE_LINE[plan.scope]))
        lines += [("warn", f"! {w}") for w in scope_warnings(plan, org_mode=org_mode)]
    lines += in_place_lines(plan)
    if plan.detach is not None:
        lines.append(("header", "Steps:"))
        lines.append(("remove", f"  1. {plan.steps[0]}"))
        lines += [("bad", f"✗ {b}") for b in plan.blockers]
        return lines
    lines.append(("header", f"Policy {plan.policy_name}:"))
    if plan.create_policy:
        lines.append(("add", "  will be created"))
    elif plan.update_policy:
        lines.append(("warn", f"  {s.policy_id} differs from the template:"))
    else:
        lines.append(("ok", f"  {s.policy_id} matches the template"))
    if plan.create_policy or plan.update_policy:
        for tone, text in diff:
            lines.append((_DIFF_TONES.get(tone, "plain"), "  " + text))
    lines.append(("header", "Steps:"))
    lines += [("add", f"  {i}. {step}") for i, step in enumerate(plan.steps, 1)] or [
        ("ok", "  nothing to do: the SCP is in place")]
    lines.append(("header", "Not covered by any SCP:"))
    lines += [("plain", f"  - {item}") for item in NOT_COVERED]
    if findings:
        lines.append(("header", "Policy lint:"))
        lines += [("warn", f"  ! {f}") for f in findings]
    for blocker in plan.blockers:
        lines.append(("bad", f"✗ {blocker}"))
    return lines
