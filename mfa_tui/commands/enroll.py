"""`mfa-tui enroll [USER] [--hardware SERIAL | --fido]`: the TUI straight on the enrollment
screen (a virtual device, or a hardware TOTP token's two codes).

USER omitted: the caller's own IAM user (self-service). ``--fido`` says where to register a
security key or passkey (only the AWS console can) and exits 1: nothing was enrolled.
Credentials, the MFA prompt of a keyring profile, "no such user" and "a role has no own
user" are settled on the terminal before the TUI opens. Exit 0 enrolled, 1 cancelled,
2 error. Whatever happens, the device the screen created is deleted unless it was enabled.

Imports are lazy: the argument parser imports this module, and must not load botocore.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector

from mfa_tui.core.exit_codes import CANCELLED as EXIT_NOT_ENROLLED
from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import OK as EXIT_ENROLLED


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `enroll` subcommand's arguments."""
    parser.add_argument("user", metavar="USER", nargs="?",
                        help="the IAM user to enroll (default: your own IAM user)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--device-name", metavar="NAME",
                      help="name of the virtual MFA device (default: the user name)")
    kind.add_argument("--hardware", metavar="SERIAL",
                      help="enable a hardware TOTP token with this serial instead (two codes, "
                           "no QR code)")
    kind.add_argument("--fido", action="store_true",
                      help="a FIDO security key or passkey: say where to register it (the AWS "
                           "console; the IAM API cannot)")


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui enroll [USER]`."""
    from mfa_tui.core.mfa_kinds import check_hardware_serial, fido_sentence

    if getattr(args, "fido", False):
        print(f"mfa-tui: {fido_sentence(args.user)}", file=sys.stderr)
        return EXIT_NOT_ENROLLED
    hardware = getattr(args, "hardware", None)
    if hardware is not None:
        problem = check_hardware_serial(hardware)
        if problem:
            print(f"mfa-tui: {problem}", file=sys.stderr)
            return EXIT_ERROR
        hardware = hardware.strip()

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
        start_screen=lambda: EnrollScreen(user, device_name=device_name, outcome=outcome,
                                          hardware=hardware),
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
