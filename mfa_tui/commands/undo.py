"""`mfa-tui undo [RUN_ID]`: reverse exactly what one apply run changed (latest by default)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rich.console import Console

from mfa_tui.commands.enforcement_cli import confirm, print_lines
from mfa_tui.commands.progress_bar import progress_bar
from mfa_tui.core.exit_codes import ERROR as EXIT_COULD_NOT_START
from mfa_tui.core.exit_codes import OK as EXIT_DONE
from mfa_tui.core.plan_text import result_lines, undo_lines
from mfa_tui.engine.plan_inputs import NoSuchRun, load_undo
from mfa_tui.engine.runs import undo_run

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector


def main(args: argparse.Namespace, connect: Connector) -> int:
    """Show what will be reversed, confirm, undo, print results (exit 0 / 1 / 2)."""
    conn = connect()
    try:
        record, undo = load_undo(conn, args.run_id, policy_name=args.policy_name)
    except NoSuchRun as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    out = Console(highlight=False)
    print_lines(undo_lines(undo, started_at=record.started_at), out)
    if undo.blockers:
        for blocker in undo.blockers:
            print(f"mfa-tui: {blocker}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    if undo.nothing_to_do:
        return EXIT_DONE
    refusal = confirm(users=len(undo.users), account=undo.account,
                      what=f"undo run {undo.run_id}", assume_yes=args.yes)
    if refusal:
        print(f"mfa-tui: {refusal}", file=sys.stderr)
        return EXIT_COULD_NOT_START
    with progress_bar("Undoing") as on_progress:
        result = undo_run(conn, undo, record, progress=on_progress, workers=args.workers)
    out.print()
    print_lines(result_lines(result), out)
    return result.exit_code
