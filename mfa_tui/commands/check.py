"""`mfa-tui check USER`: the on-call answer for one user, read live, in one screenful."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from mfa_tui.aws.session import AwsConnection
from mfa_tui.aws.user_detail import NoSuchUser, load_user_detail
from mfa_tui.core.user_detail import Tone, UserDetail, check_lines, detail_json

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import NOT_COMPLIANT as EXIT_NOT_COMPLIANT
from mfa_tui.core.exit_codes import OK as EXIT_COMPLIANT

#: SGR colours by tone. Plain escape codes, not rich: `check` is what on-call runs in a hurry,
#: and rich's import was a tenth of its start-up.
_STYLES: dict[Tone, str] = {
    "ok": "1;32",
    "bad": "1;31",
    "unknown": "1;33",
    "warn": "33",
    "plain": "",
}


def use_colour(stream: TextIO) -> bool:
    """Colour on a terminal, unless ``NO_COLOR``; ``FORCE_COLOR`` forces it (as rich does)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def print_detail(detail: UserDetail, stream: TextIO | None = None, *,
                 now: datetime | None = None) -> None:
    """The lines, coloured by tone; the ✓/✗/? symbols carry the verdict without colour.
    One fact a line, never wrapped, so piped output stays greppable."""
    out = stream or sys.stdout
    colour = use_colour(out)
    for line in check_lines(detail, now or datetime.now(UTC)):
        style = _STYLES[line.tone] if colour else ""
        out.write(f"\x1b[{style}m{line.text}\x1b[0m\n" if style else line.text + "\n")


def exit_code(detail: UserDetail) -> int:
    """0 compliant, 1 not compliant, 2 when the verdict could not be told."""
    verdict = detail.compliant
    if verdict is None:
        return EXIT_ERROR
    return EXIT_COMPLIANT if verdict else EXIT_NOT_COMPLIANT


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui check USER`."""
    return run(connect(), args.user, fmt=args.format)


def _account_of(conn: AwsConnection) -> str | None:
    """The connection's account id, or None when even that cannot be read."""
    try:
        return conn.caller().account
    except Exception:  # the sentence then says "this account"
        return None


def run(conn: AwsConnection, user: str, *, fmt: str = "text") -> int:
    """Print the answer and return the exit code (other errors raise; the CLI explains them)."""
    try:
        detail = load_user_detail(conn, user)
    except NoSuchUser as exc:
        # Name the account (organization mode acts in a member account through its role).
        print(f"mfa-tui: {NoSuchUser(exc.name, _account_of(conn))}", file=sys.stderr)
        return EXIT_ERROR
    if fmt == "json":
        sys.stdout.write(json.dumps(detail_json(detail), indent=2) + "\n")
        for problem in detail.problems:
            print(f"mfa-tui: warning: {problem}", file=sys.stderr)
    else:
        print_detail(detail)
    code = exit_code(detail)
    if code == EXIT_ERROR:
        print(f"mfa-tui: could not tell whether {user} is compliant: {detail.reason}.",
              file=sys.stderr)
    return code
