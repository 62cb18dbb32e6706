"""`mfa-tui check USER`: the on-call answer for one user, read live, in one screenful."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from mfa_tui.aws.session import AwsConnection
from mfa_tui.aws.user_detail import NoSuchUser, load_user_detail
from mfa_tui.core.user_detail import Tone, UserDetail, check_lines, detail_json

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import NOT_COMPLIANT as EXIT_NOT_COMPLIANT
from mfa_tui.core.exit_codes import OK as EXIT_COMPLIANT

_STYLES: dict[Tone, str] = {
    "ok": "bold green",
    "bad": "bold red",
    "unknown": "bold yellow",
    "warn": "yellow",
    "plain": "",
}


def print_detail(detail: UserDetail, console: Console, *, now: datetime | None = None) -> None:
    """The lines, coloured by tone; the ✓/✗/? symbols carry the verdict without colour."""
    for line in check_lines(detail, now or datetime.now(UTC)):
        # Text, not markup: AWS messages in problem lines may hold brackets. soft_wrap: no
        # hard line breaks, so piped output keeps one fact a line (greppable).
        console.print(Text(line.text, style=_STYLES[line.tone]), soft_wrap=True)


def exit_code(detail: UserDetail) -> int:
    """0 compliant, 1 not compliant, 2 when the verdict could not be told."""
    verdict = detail.compliant
    if verdict is None:
        return EXIT_ERROR
    return EXIT_COMPLIANT if verdict else EXIT_NOT_COMPLIANT


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui check USER`."""
    return run(connect(), args.user, fmt=args.format)


def run(conn: AwsConnection, user: str, *, fmt: str = "text") -> int:
    """Print the answer and return the exit code (other errors raise; the CLI explains them)."""
    try:
        detail = load_user_detail(conn, user)
    except NoSuchUser as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if fmt == "json":
        sys.stdout.write(json.dumps(detail_json(detail), indent=2) + "\n")
        for problem in detail.problems:
            print(f"mfa-tui: warning: {problem}", file=sys.stderr)
    else:
        print_detail(detail, Console(highlight=False))
    code = exit_code(detail)
    if code == EXIT_ERROR:
        print(f"mfa-tui: could not tell whether {user} is compliant: {detail.reason}.",
              file=sys.stderr)
    return code
