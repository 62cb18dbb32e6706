"""`mfa-tui enroll [USER]`: the TUI straight on the enrollment screen.

USER omitted: the caller's own IAM user (self-service). Credentials, the MFA prompt of a
keyring profile, "no such user" and "a role has no own user" are settled on the terminal
before the TUI opens. Exit 0 enrolled, 1 cancelled, 2 error. Whatever happens, the device
the screen created is deleted unless it was enabled.

Imports are lazy: the argument parser imports this module, and must not load botocore.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import OK as EXIT_ENROLLED


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `enroll` subcommand's arguments."""
    parser.add_argument("user", metavar="USER", nargs="?",
                        help="the IAM user to enroll (default: your own IAM user)")
    parser.add_argument("--device-name", metavar="NAME",
                        help="name of the virtual MFA device (default: the user name)")


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui enroll [USER]`."""
    from mfa_tui.aws.enroll import Enrollment, discard_open_enrollments
    from mfa_tui.aws.mfa_devices import EnrollError, caller_user_name
    from mfa_tui.aws.user_detail import NoSuchUser
    from mfa_tui.tui.app import MfaTuiApp
    from mfa_tui.tui.screens.enroll import EnrollOutcome, EnrollScreen

    conn = connect()
    try:
        user = args.user or caller_user_name(conn)
        Enrollment(conn.client("iam"), user).check_user()
    except (EnrollError, NoSuchUser) as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR

    outcome = EnrollOutcome()
    device_name = getattr(args, "device_name", None)
    app = MfaTuiApp(
        connector=lambda: conn,
        demo=bool(getattr(args, "demo", False)),
        start_screen=lambda: EnrollScreen(user, device_name=device_name, outcome=outcome),
    )
    try:
        app.run()
    finally:
        problems = discard_open_enrollments()  # quit or crash mid-way: nothing left behind
    if app.return_code:  # the app itself failed (Textual has said why)
        return EXIT_ERROR
    if problems:
        outcome.code = EXIT_ERROR
        outcome.message = " ".join([outcome.message or "Cancelled.", *problems])
    if outcome.code == EXIT_ENROLLED:
        print(outcome.message)
    else:
        print(f"mfa-tui: {outcome.message or 'Cancelled: no MFA device was enabled.'}",
              file=sys.stderr)
    return outcome.code
