"""`mfa-tui profile add|list|remove`: keyring profiles (secrets only in the OS keyring).

These commands never connect to AWS.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mfa_tui.commands.terminal_prompt import read_line, stdin_is_terminal
from mfa_tui.core.errors import Explained

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector
    from mfa_tui.state import profiles

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import OK as EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``profile`` subcommands (called from cli.build_parser)."""
    sub = parser.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="store a profile: the secret key is read from a no-echo "
                         "prompt, or from the first line of stdin (the session token, if any, "
                         "from the second)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--access-key-id", required=True, metavar="ID")
    add.add_argument("--region", dest="profile_region", metavar="R")
    add.add_argument("--endpoint-url", dest="profile_endpoint_url", metavar="U")
    add.add_argument("--mfa-serial", metavar="ARN",
                     help="your MFA device: mfa-tui asks for a code and uses an MFA session")
    add.add_argument("--role-arn", metavar="ARN", help="a role to assume (another account)")
    add.add_argument("--replace", action="store_true", help="overwrite an existing profile")
    sub.add_parser("list", help="names and non-secret fields only")
    remove = sub.add_parser("remove", help="delete from the config file and the keyring")
    remove.add_argument("name", metavar="NAME")


def main(args: argparse.Namespace, connect: Connector) -> int:
    """Run one profile action; every failure is one sentence on stderr and exit 2."""
    del connect  # profile commands never talk to AWS
    try:
        if args.profile_command == "add":
            return _add(args)
        if args.profile_command == "list":
            return _list()
        return _remove(args.name)
    except Explained as exc:
        print(f"mfa-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _read_secrets() -> profiles.Secrets:
    from mfa_tui.state import profiles

    if stdin_is_terminal():
        secret = read_line("AWS secret access key (not shown): ")
        token = read_line("Session token (not shown; Enter for none): ") if secret else None
    else:
        secret = read_line("")
        token = read_line("")
    if not secret or not secret.strip():
        raise profiles.ProfileError(
            "No secret access key was given: type it at the prompt, or pipe it as the first "
            "line of stdin; nothing was stored."
        )
    return profiles.Secrets(secret.strip(), (token or "").strip() or None)


def _add(args: argparse.Namespace) -> int:
    from mfa_tui.state import profiles

    profile = profiles.validate(profiles.Profile(
        name=profiles.check_name(args.name),
        access_key_id=args.access_key_id,
        region=args.profile_region,
        endpoint_url=args.profile_endpoint_url,
        mfa_serial=args.mfa_serial,
        role_arn=args.role_arn,
    ))
    warning = profiles.add(profile, _read_secrets(), replace=args.replace)
    if warning:
        print(f"mfa-tui: {warning}", file=sys.stderr)
    print(f"Stored profile {profile.name!r}: secret key in the OS keyring, the rest in "
          f"{profiles.profiles_file()}.")
    return EXIT_OK


def _list() -> int:
    from mfa_tui.state import keyring_access, profiles

    stored = profiles.load_all()
    if not stored:
        print("No keyring profiles. Add one with `mfa-tui profile add NAME --access-key-id ID`.")
        return EXIT_OK
    problem = ""
    try:
        present = keyring_access.existing(sorted(stored))
    except Explained as exc:
        present, problem = {}, str(exc)
    columns = ("name", "access key id", "region", "endpoint", "MFA serial", "role", "keyring")
    rows = [
        (
            p.name, p.access_key_id, p.region or "-", p.endpoint_url or "-",
            p.mfa_serial or "-", p.role_arn or "-",
            "?" if p.name not in present else ("yes" if present[p.name] else "MISSING"),
        )
        for p in (stored[name] for name in sorted(stored))
    ]
    widths = [max(len(r[i]) for r in (columns, *rows)) for i in range(len(columns))]
    for row in (columns, *rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if problem:
        print(f"mfa-tui: {problem}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _remove(name: str) -> int:
    from mfa_tui.state import profiles

    profiles.remove(name)
    print(f"Removed profile {name!r} from the keyring and {profiles.profiles_file()}.")
    return EXIT_OK
