"""`mfa-tui apply`: do what `plan` shows, after a confirmation sized to the blast radius."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rich.console import Console

from mfa_tui.commands.enforcement_cli import (
    confirm,
    detach_from_args,
    policy_mode_from_args,
    print_lines,
    selection_from_args,
)
from mfa_tui.commands.progress_bar import progress_bar
from mfa_tui.core.errors import NoSuchRun
from mfa_tui.core.exit_codes import ERROR as EXIT_COULD_NOT_START
from mfa_tui.core.exit_codes import OK as EXIT_DONE
from mfa_tui.core.plan_text import plan_lines, result_lines
from mfa_tui.engine.plan_inputs import load_plan, load_template_document
from mfa_tui.engine.runs import apply_plan

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector


def main(args: argparse.Namespace, connect: Connector) -> int:
    """Show the plan, confirm, apply, print per-user results (exit 0 / 1 / 2)."""
    conn = connect()
    template = load_template_document()
    try:
        plan = load_plan(conn, selection_from_args(args), policy_name=args.policy_name,
                         template=template, resume_run=args.resume,
                         policy_mode=policy_mode_from_args(args),
                         detach_from=detach_from_args(args))
    except NoSuchRun as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    out = Console(highlight=False)
    print_lines(plan_lines(plan), out)
    if plan.blockers:
        for blocker in plan.blockers:
            print(f"mfa-tui: {blocker}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    if plan.nothing_to_do:
        return EXIT_DONE
    refusal = confirm(users=plan.affected_users, account=plan.account,
                      what="enforce MFA as shown", assume_yes=args.yes)
    if refusal:
        print(f"mfa-tui: {refusal}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    with progress_bar("Enforcing") as on_progress:
        result = apply_plan(conn, plan, template=template, progress=on_progress,
                            workers=args.workers)
    out.print()
    print_lines(result_lines(result), out)
    if result.failed:
        print(f"mfa-tui: {len(result.failed)} step(s) failed; run `mfa-tui apply` again to "
              "retry them (done steps are not repeated).", file=sys.stderr)
    return result.exit_code
