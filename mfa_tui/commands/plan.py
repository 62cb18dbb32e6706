"""`mfa-tui plan`: the enforcement preview (changes nothing), as text or as Terraform."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rich.console import Console

from mfa_tui.commands.enforcement_cli import (
    detach_from_args,
    policy_mode_from_args,
    print_lines,
    selection_from_args,
)
from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import OK as EXIT_OK
from mfa_tui.core.plan_text import plan_lines
from mfa_tui.engine.plan_inputs import load_plan, load_template_document

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector


def print_blockers(blockers: tuple[str, ...]) -> int:
    """A blocked plan has no Terraform configuration: its sentences on stderr, exit 2."""
    for blocker in blockers:
        print(f"mfa-tui: {blocker}", file=sys.stderr)
    print("mfa-tui: no Terraform configuration: it would apply what `apply` refuses.",
          file=sys.stderr)
    return EXIT_ERROR


def main(args: argparse.Namespace, connect: Connector) -> int:
    """Print the plan; exit 0 (errors raise and become exit 2 in the CLI)."""
    terraform = getattr(args, "format", "text") == "terraform"
    if terraform and (policy_mode_from_args(args) == "keep" or detach_from_args(args)):
        # The configuration manages the policy as the template, attached to planned users:
        # it cannot say "keep an edited policy" or "only detach".
        print("mfa-tui: --format terraform writes the template and its attachments: it has no "
              "form for --keep-policy or --detach-from; use `mfa-tui apply` for those.",
              file=sys.stderr)
        return EXIT_ERROR
    template = load_template_document()
    plan = load_plan(connect(), selection_from_args(args), policy_name=args.policy_name,
                     template=template, policy_mode=policy_mode_from_args(args),
                     detach_from=detach_from_args(args))
    if terraform:
        from mfa_tui.core.terraform import plan_configuration

        if plan.blockers:
            return print_blockers(plan.blockers)
        sys.stdout.write(plan_configuration(plan, template))
        return EXIT_OK
    print_lines(plan_lines(plan), Console(highlight=False))
    return EXIT_OK
