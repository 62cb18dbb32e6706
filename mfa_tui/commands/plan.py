"""`mfa-tui plan`: the enforcement preview (changes nothing)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console

from mfa_tui.commands.enforcement_cli import print_lines, selection_from_args
from mfa_tui.core.plan_text import plan_lines
from mfa_tui.engine.plan_inputs import load_plan

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector


def main(args: argparse.Namespace, connect: Connector) -> int:
    """Print the plan; exit 0 (errors raise and become exit 2 in the CLI)."""
    plan = load_plan(connect(), selection_from_args(args), policy_name=args.policy_name)
    print_lines(plan_lines(plan), Console(highlight=False))
    return 0
