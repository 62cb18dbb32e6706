"""What `plan`, `apply` and `undo` share on the command line: arguments, output, confirmation.

No botocore here: cli.build_parser imports this module to add the three subcommands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from mfa_tui.core.plan_models import PolicyMode, Selection
    from mfa_tui.core.plan_text import Line

_STYLES = {
    "header": "bold", "add": "green", "remove": "red", "context": "", "ok": "green",
    "warn": "yellow", "bad": "bold red", "plain": "", "dim": "dim",
}


def _workers(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 32:
        raise argparse.ArgumentTypeError("must be between 1 and 32")
    return value


def _selector(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--users", metavar="A,B,C", help="exactly these users (comma-separated)")
    parser.add_argument("--user", action="append", metavar="NAME", default=None,
                        help="exactly this user, the name taken as it is (repeatable; for "
                        "names with a comma, which IAM allows); combines with --users")
    which.add_argument("--non-compliant", action="store_true",
                       help="console users without MFA (the default)")
    which.add_argument("--all-console", action="store_true", help="every console user")
    parser.add_argument("--exclude", metavar="A,B", default="",
                        help="leave these users out (break-glass users)")
    parser.add_argument("--exclude-user", action="append", metavar="NAME", default=None,
                        help="leave this user out, the name taken as it is (repeatable)")
    parser.add_argument("--via-group", metavar="GROUP",
                        help="attach the policy to GROUP (created if missing) and add the "
                        "users to it, instead of attaching per user")
    _policy_name(parser)
    edited = parser.add_mutually_exclusive_group()
    edited.add_argument("--replace-policy", action="store_true",
                        help="a policy edited outside mfa-tui: make the template its new "
                        "default version (undo sets the old one back)")
    edited.add_argument("--keep-policy", action="store_true",
                        help="a policy edited outside mfa-tui: attach it as it is")
    parser.add_argument("--detach-from", metavar="A,B", default="",
                        help="only detach the policy from these users (nothing attached, "
                        "the policy left as it is)")
    parser.add_argument("--detach-from-user", metavar="NAME", action="append", default=[],
                        help="like --detach-from, one name as it is (repeatable)")


def _policy_name(parser: argparse.ArgumentParser) -> None:
    from mfa_tui.core.models import DEFAULT_POLICY_NAME

    parser.add_argument("--policy-name", default=DEFAULT_POLICY_NAME, metavar="NAME",
                        help=f"the managed policy (default {DEFAULT_POLICY_NAME})")


def _run_options(parser: argparse.ArgumentParser) -> None:
    from mfa_tui.core.run_defaults import DEFAULT_RUN_WORKERS as DEFAULT_WORKERS

    parser.add_argument("--yes", action="store_true",
                        help="do not ask for confirmation (for scripts)")
    parser.add_argument("--workers", type=_workers, default=DEFAULT_WORKERS, metavar="N",
                        help=f"calls in flight at once (default {DEFAULT_WORKERS})")


def add_enforcement_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `plan`, `apply` and `undo` to the command line."""
    plan = sub.add_parser("plan", help="preview enforcement: policy diff, one row a user, "
                          "warnings (changes nothing)")
    _selector(plan)
    plan.add_argument("--format", choices=("text", "terraform"), default="text",
                      help="text: the preview (default); terraform: a configuration that "
                      "makes the same change, on stdout")
    apply = sub.add_parser("apply", help="do what `plan` shows, journaled (exit 0 all done, "
                           "1 some failed, 2 could not start)")
    _selector(apply)
    _run_options(apply)
    apply.add_argument("--resume", nargs="?", const="latest", metavar="RUN_ID",
                       help="finish an interrupted run (the latest unfinished one, or RUN_ID)")
    undo = sub.add_parser("undo", help="reverse the attachments an apply run made "
                          "(latest run by default)")
    undo.add_argument("run_id", nargs="?", metavar="RUN_ID",
                      help="the run to undo (see the journal in the state dir)")
    _policy_name(undo)
    _run_options(undo)


def selection_from_args(args: argparse.Namespace) -> Selection:
    """The SELECTOR options as a Selection (names are checked against the account later).

    ``--users`` splits on commas; ``--user`` takes one name as it is. Either naming nobody
    (``--users ",,,"``, ``--user ""``) is an error, never "nothing to do"."""
    from mfa_tui.core.errors import EmptySelection, Explained
    from mfa_tui.core.plan import parse_names
    from mfa_tui.core.plan_models import Selection

    named = args.users is not None or args.user is not None
    if named and (args.non_compliant or args.all_console):
        raise Explained("--user cannot be combined with --non-compliant or --all-console: "
                        "name the users, or choose them by state.")
    if args.users is not None and not parse_names(args.users):
        raise EmptySelection(args.users)
    for name in args.user or ():
        if not name:
            raise EmptySelection(name, "--user")
    for name in args.exclude_user or ():
        if not name:
            raise EmptySelection(name, "--exclude-user")
    users = tuple(sorted({*parse_names(args.users), *(args.user or ())}))
    return Selection(
        mode="users" if named else ("all-console" if args.all_console else "non-compliant"),
        users=users,
        exclude=tuple(sorted({*parse_names(args.exclude), *(args.exclude_user or ())})),
        via_group=(args.via_group or "").strip() or None,
    )


def policy_mode_from_args(args: argparse.Namespace) -> PolicyMode:
    """--replace-policy / --keep-policy (default: refuse to replace an edited policy)."""
    if getattr(args, "replace_policy", False):
        return "replace"
    return "keep" if getattr(args, "keep_policy", False) else "auto"


def detach_from_args(args: argparse.Namespace) -> tuple[str, ...]:
    """--detach-from a,b and every --detach-from-user NAME, sorted and unique."""
    from mfa_tui.core.plan import parse_names

    names = set(parse_names(getattr(args, "detach_from", "")))
    names.update(n for n in getattr(args, "detach_from_user", []) or [] if n)
    return tuple(sorted(names))


def print_lines(lines: Iterable[Line], console: Console) -> None:
    """Print lines coloured by tone (Text, not markup: names may hold brackets)."""
    from rich.text import Text

    for line in lines:
        console.print(Text(line.text, style=_STYLES.get(line.tone, "")), soft_wrap=True)


def confirm(
    *,
    users: int,
    account: str,
    what: str,
    assume_yes: bool,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
) -> str | None:
    """Ask in proportion to the blast radius. None: go ahead; else the refusal sentence.

    One user (or a policy change alone): type ``y``. More than one: type the account id.
    ``--yes`` skips; without it, a non-terminal stdin is refused.
    """
    if assume_yes:
        return None
    stream = stdin or sys.stdin
    if not stream.isatty():
        return (f"Refusing to {what} without confirmation: stdin is not a terminal. "
                "Run it in a terminal, or pass --yes in scripts.")
    prompt = input if ask is None else ask
    try:
        if users > 1:
            answer = prompt(f"This changes {users} users in account {account}. "
                            "Type the account id to go ahead: ")
            ok = answer.strip() == account
        else:
            answer = prompt(f"Go ahead and {what}? Type y to confirm: ")
            ok = answer.strip().lower() in ("y", "yes")
    except EOFError:
        ok = False
    return None if ok else "Not confirmed: nothing was changed."
