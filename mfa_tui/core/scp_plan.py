"""The organization-wide SCP: what `scp plan` shows and `scp apply` does (pure).

The seed article's SCP denies everything without MFA to every principal — roles, instance
profiles and access keys included — and its `Allow` grants nothing. Ours denies only IAM
users without MFA; the plan also says plainly what an SCP can never cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

DEFAULT_SCP_NAME = "DenyIAMUsersWithoutMFA"
#: The SCP's description when mfa-tui (or its Terraform output) creates it.
SCP_DESCRIPTION = "Deny IAM users without MFA (mfa-tui); roles and AWS services unaffected"

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

    @property
    def steps(self) -> tuple[str, ...]:
        """One sentence per change, in the order apply makes them."""
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
                   same_content: bool) -> ScpPlan:
    """Decide the steps from the live state; ``same_content`` compares normalized JSON."""
    blockers = []
    if state.caller_account != state.management_account:
        blockers.append(
            f"SCPs are managed from the management account {state.management_account}; "
            f"these credentials are for {state.caller_account}."
        )
    if not state.all_features:
        blockers.append("The organization uses consolidated billing only; SCPs need "
                        "all features enabled (Organizations console → Settings).")
    return ScpPlan(
        state=state,
        policy_name=policy_name,
        template=template,
        enable_scp=not state.scp_enabled,
        create_policy=state.policy_id is None,
        update_policy=state.policy_id is not None and not same_content,
        attach=not state.attached_to_target,
        blockers=tuple(blockers),
    )


_DIFF_TONES: dict[str, Tone] = {
    "add": "add", "remove": "remove", "context": "context", "header": "header",
}


def render_scp_plan(plan: ScpPlan, diff: Sequence[tuple[str, str]],
                    findings: Sequence[str]) -> list[tuple[Tone, str]]:
    """The plan as (tone, line) pairs: stable text, no timestamps."""
    s = plan.state
    lines: list[tuple[Tone, str]] = [
        ("header", f"Organization {s.organization_id} (management account "
                   f"{s.management_account})"),
        ("plain", f"Target: {s.target_name} ({s.target_id})"),
        ("plain", "SCPs on the root: " + ("enabled" if s.scp_enabled else
                                          "not enabled (apply enables them)")),
        ("header", f"Policy {plan.policy_name}:"),
    ]
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
