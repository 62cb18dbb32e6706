"""`mfa-tui plan`: the enforcement preview (changes nothing)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console

from ..aws.plan_inputs import load_plan
from ..core.plan_text import plan_lines
from .enforcement_cli import print_lines, selection_from_args

if TYPE_CHECKING:
    from ..connect import Connector


def main(args: argparse.Namespace, connect: Connector) -> int:
    """Print the plan; exit 0 (errors raise and become exit 2 in the CLI)."""
    plan = load_plan(connect(), selection_from_args(args), policy_name=args.policy_name)
    print_lines(plan_lines(plan), Console(highlight=False))
    return 0
