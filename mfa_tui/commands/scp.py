"""`mfa-tui scp plan|apply`: the organization-wide SCP, safely (see core/scp_plan.py)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from mfa_tui.core.scp_plan import ScpPlan, Tone
    from mfa_tui.engine.connect import Connector

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import OK as EXIT_OK

_STYLES: dict[str, str] = {
    "header": "bold", "add": "green", "remove": "red", "context": "dim", "ok": "green",
    "warn": "yellow", "bad": "bold red", "plain": "",
}


def build(connect: Connector, args: argparse.Namespace) -> tuple[ScpPlan, list[tuple[Tone, str]]]:
    """Read the organization and build the plan and its rendering."""
    from mfa_tui.aws.org_scp import read_org_state
    from mfa_tui.core.policy_diff import diff_lines, is_same
    from mfa_tui.core.policy_lint import lint
    from mfa_tui.core.policy_templates import ACCEPTED_FINDINGS, load_template
    from mfa_tui.core.scp_plan import (
        DEFAULT_SCP_NAME,
        SCOPE_TEMPLATE,
        Scope,
        build_scp_plan,
        render_scp_plan,
    )

    name = args.policy_name or DEFAULT_SCP_NAME
    scope: Scope = "all" if getattr(args, "scope", "console") == "all" else "console"
    template_name = SCOPE_TEMPLATE[scope]
    template = load_template(template_name)
    state = read_org_state(connect(), target=args.target, policy_name=name)
    same = state.policy_content is not None and is_same(state.policy_content, template)
    plan = build_scp_plan(state, template, name, same, scope=scope,
                          detach_policy=getattr(args, "detach_policy", None))
    accepted = ACCEPTED_FINDINGS.get(template_name, frozenset())
    findings = [f.message for f in lint(template, "scp") if f.code not in accepted]
    return plan, render_scp_plan(plan, diff_lines(state.policy_content, template), findings,
                                 org_mode=bool(getattr(args, "org", False)))


def _print(lines: list[tuple[Tone, str]], console: Console) -> None:
    for tone, text in lines:
        console.print(Text(text, style=_STYLES.get(tone, "")), soft_wrap=True)


def _confirmed(plan: ScpPlan, args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        print("mfa-tui: refusing to change the organization without confirmation: run in a "
              "terminal, or pass --yes.", file=sys.stderr)
        return False
    org_id = plan.state.organization_id
    answer = input(f"This affects every account under {plan.state.target_name}. "
                   f"Type the organization id ({org_id}) to apply: ").strip()
    if answer != org_id:
        print("mfa-tui: not confirmed; nothing changed.", file=sys.stderr)
        return False
    return True


def _who_is_denied(connect: Connector, args: argparse.Namespace,
                   plan: ScpPlan) -> list[tuple[Tone, str]]:
    """Organization mode: read every account and name who the SCP would deny in each."""
    from mfa_tui.aws.organizations import accounts_under
    from mfa_tui.commands.org_report import org_options
    from mfa_tui.core.scp_org import denied_lines
    from mfa_tui.engine.org import OrgSession

    conn = connect()
    org = OrgSession(conn, org_options(args)).read_all()
    return denied_lines(org, accounts_under(conn, plan.state.target_id), plan.scope)


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui scp plan|apply`."""
    from mfa_tui.aws.org_scp import NotInOrganization, apply_scp_plan

    console = Console()
    terraform = getattr(args, "format", "text") == "terraform"
    if terraform and args.action != "plan":
        print("mfa-tui: --format terraform is for `scp plan`: apply the configuration with "
              "`terraform apply`.", file=sys.stderr)
        return EXIT_ERROR
    try:
        plan, lines = build(connect, args)
    except (NotInOrganization, ValueError) as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if terraform:
        from mfa_tui.commands.plan import print_blockers
        from mfa_tui.core.terraform import scp_configuration

        if plan.blockers:
            return print_blockers(plan.blockers)
        sys.stdout.write(scp_configuration(plan))
        return EXIT_OK
    _print(lines, console)
    if getattr(args, "org", False):
        _print(_who_is_denied(connect, args, plan), console)
    if args.action == "plan":
        return EXIT_OK
    if plan.blockers:
        print("mfa-tui: cannot apply: " + " ".join(plan.blockers), file=sys.stderr)
        return EXIT_ERROR
    if plan.up_to_date:
        console.print("Nothing to change.")
        return EXIT_OK
    if not _confirmed(plan, args):
        return EXIT_ERROR
    policy_id = apply_scp_plan(connect(), plan, report=lambda s: console.print(f"✓ {s}"))
    if plan.detach is not None:
        console.print(f"Done: {plan.detach.name} ({policy_id}) is detached from "
                      f"{plan.detach.where}.")
        return EXIT_OK
    console.print(f"Done: {plan.policy_name} ({policy_id}) is attached to {plan.state.target_id}.")
    return EXIT_OK
