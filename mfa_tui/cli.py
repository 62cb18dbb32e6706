"""Command line: parse arguments, then run a command or the TUI.

Imports are lazy on purpose: `mfa-tui` must paint its first screen before botocore is loaded.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from mfa_tui import __version__
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.engine.launch_options import GLOBAL_OPTIONS, command_of

if TYPE_CHECKING:
    from mfa_tui.core.mfa_code import CodeRequest
    from mfa_tui.engine.prefetch import HelperProcess, Prefetch

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR

#: Commands that act in one account (``--account ID`` in organization mode).
ACCOUNT_COMMANDS = frozenset({"check", "plan", "apply", "undo", "enroll"})


def _positive(text: str) -> int:
    value = int(text)
    if value < 1 or value > 20000:
        raise argparse.ArgumentTypeError("must be between 1 and 20000")
    return value


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """The global options, from the one table (engine/launch_options.py)."""
    types: dict[str, Any] = {"count": _positive, "accounts": _account_ids,
                             "workers": _org_workers}
    defaults = {f.name: f.default for f in fields(GlobalOptions)}
    for option in GLOBAL_OPTIONS:
        kwargs: dict[str, Any] = {"dest": option.field, "help": option.help}
        if option.kind == "switch":
            kwargs["action"] = "store_true"
            kwargs["default"] = bool(option.env) and os.environ.get(option.env or "") == "1"
        else:
            env = os.environ.get(option.env) if option.env else None
            kwargs["default"] = env or defaults[option.field]
            if option.kind in types:
                kwargs["type"] = types[option.kind]
        if option.metavar:
            kwargs["metavar"] = option.metavar
        parser.add_argument(option.flag, **kwargs)


def _account_ids(text: str) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    bad = [i for i in ids if not (len(i) == 12 and i.isdigit())]
    if bad or not ids:
        raise argparse.ArgumentTypeError(
            f"account ids are 12 digits, comma-separated (not {', '.join(bad) or repr(text)})")
    return ids


def _account_id(text: str) -> str:
    text = text.strip()
    if not (len(text) == 12 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"one account id (12 digits), not {text!r}")
    return text


def _org_workers(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("must be between 1 and 64")
    return value


def _options(args: argparse.Namespace) -> GlobalOptions:
    return GlobalOptions(**{option.field: getattr(args, option.field)
                            for option in GLOBAL_OPTIONS})


def _add_report(sub: Any) -> None:
    report = sub.add_parser("report", help="inventory, non-interactive")
    report.add_argument("--format", choices=("table", "json", "csv"), default="table")
    report.add_argument("--non-compliant", action="store_true",
                        help="only users failing IAM.5")
    report.add_argument("--exact", action="store_true",
                        help="also list hardware/FIDO devices the credential report only counts "
                        "(one call per such user)")
    report.add_argument("--exit-code", action="store_true",
                        help="exit 1 when any user is non-compliant, 0 otherwise (cron, CI)")


def _add_check(sub: Any) -> None:
    check = sub.add_parser("check", help="one user, live: console, MFA devices, enforcement, "
                           "last sign-in, keys (exit 0 compliant, 1 not, 2 error)")
    check.add_argument("user", metavar="USER", help="the IAM user name")
    check.add_argument("--format", choices=("text", "json"), default="text")


def _add_enroll(sub: Any) -> None:
    from mfa_tui.commands.enroll import add_arguments as add_enroll_arguments

    add_enroll_arguments(sub.add_parser(
        "enroll", help="enroll a virtual MFA device in the terminal: a QR code to scan, two "
        "codes (USER omitted: your own IAM user; exit 0 enrolled, 1 cancelled, 2 error)"))


def _add_lint(sub: Any) -> None:
    lint = sub.add_parser("lint", help="check a policy file for MFA-enforcement pitfalls, "
                          "offline (exit 0 clean, 1 findings, 2 unreadable)")
    lint.add_argument("file", metavar="FILE", help="policy document (JSON); - reads stdin")
    lint.add_argument("--scp", action="store_true",
                      help="lint it as a service control policy (default: identity policy)")


def _add_scp(sub: Any) -> None:
    scp = sub.add_parser("scp", help="organization-wide enforcement by a service control "
                         "policy that denies only IAM users without MFA")
    scp.add_argument("action", choices=("plan", "apply"))
    scp.add_argument("--target", metavar="ROOT_OR_OU_ID",
                     help="where to attach it: the root (default), an OU (ou-…) or an account")
    scp.add_argument("--policy-name", help="name of the SCP (default DenyIAMUsersWithoutMFA)")
    scp.add_argument("--format", choices=("text", "terraform"), default="text",
                     help="scp plan only: text (default), or a Terraform configuration that "
                     "makes the same change, on stdout")
    scp.add_argument("--yes", action="store_true",
                     help="apply without asking (scripts); otherwise type the organization id")
    scp.add_argument("--scope", choices=("console", "all"), default="console",
                     help="console (default): deny IAM users' sessions without MFA, access "
                     "keys keep working; all: deny their long-term access keys too")
    scp.add_argument("--detach-policy", metavar="ID",
                     help="apply only detaches this SCP (p-…) from the target or above it")


def _add_enforcement(sub: Any) -> None:
    from mfa_tui.commands.enforcement_cli import add_enforcement_commands

    add_enforcement_commands(sub)  # plan, apply, undo


def _add_profile(sub: Any) -> None:
    from mfa_tui.commands.profile import add_arguments as add_profile_arguments

    add_profile_arguments(sub.add_parser(
        "profile", help="keyring profiles: add NAME --access-key-id ID, list, remove NAME"))


#: Each command's subparser, in the order --help lists them (plan, apply and undo together).
_COMMANDS: tuple[tuple[frozenset[str], Callable[[Any], None]], ...] = (
    (frozenset({"report"}), _add_report),
    (frozenset({"check"}), _add_check),
    (frozenset({"enroll"}), _add_enroll),
    (frozenset({"lint"}), _add_lint),
    (frozenset({"scp"}), _add_scp),
    (frozenset({"plan", "apply", "undo"}), _add_enforcement),
    (frozenset({"profile"}), _add_profile),
)
COMMANDS = frozenset().union(*(names for names, _ in _COMMANDS))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (global options, then an optional command).

    ``command`` (what :func:`~mfa_tui.engine.launch_options.command_of` read from argv): only
    that command's subparser is built, and only its module imported (`check` answers
    sooner); ``""`` (a TUI launch: global options only) builds none; None, or a name that
    is not a command, builds them all.
    """
    parser = argparse.ArgumentParser(
        prog="mfa-tui",
        description="Get an AWS account to IAM.5 (MFA for every console user) and keep it there.",
    )
    parser.add_argument("--version", action="version", version=f"mfa-tui {__version__}")
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    only = command if command in COMMANDS or command == "" else None
    for names, add in _COMMANDS:
        if only is None or only in names:
            add(sub)
    for name in ACCOUNT_COMMANDS & sub.choices.keys():
        sub.choices[name].add_argument(
            "--account", metavar="ID", type=_account_id,
            help="with --org: act in this account of the organization, through --org-role")
    return parser


def _run_tui(opts: GlobalOptions, prefetch: Prefetch | None) -> int:
    from mfa_tui.tui.app import MfaTuiApp

    app: MfaTuiApp | None = None

    def ask_code(request: CodeRequest) -> str | None:  # the app's modal, once it runs
        return app.ask_mfa_code(request) if app is not None else None

    app = MfaTuiApp(connector=make_connector(opts, ask_code=ask_code), demo=opts.demo,
                    cache_key=opts.connection_key(), options=opts, prefetch=prefetch)
    # Everything imported so far lives as long as the process: keep the collector from
    # walking it again each time the 5,000-user inventories allocate.
    _collect_from_here(always=True)
    return int(app.run() or 0)


#: One answer and out: the cyclic collector stays off (launch.py), nothing runs long enough
#: to need it.
_NO_COLLECTOR = frozenset({"check"})


def _collect_from_here(*, always: bool = False) -> None:
    """Freeze what is allocated so far (it lives as long as the process) and turn the cyclic
    collector on, if launch.py turned it off (``always``: freeze even if it is on)."""
    import gc

    if always or not gc.isenabled():
        gc.freeze()
        gc.enable()


def _run_command(args: argparse.Namespace, opts: GlobalOptions) -> int:
    """Run `mfa_tui.commands.<command>.main(args, connect)`; each module imports what it needs."""
    try:
        module = importlib.import_module(f".commands.{args.command.replace('-', '_')}",
                                         __package__)
        if args.command not in _NO_COLLECTOR:
            _collect_from_here()
        from mfa_tui.commands.terminal_prompt import ask_code_on_terminal

        connect = make_connector(opts, ask_code=ask_code_on_terminal)
        if args.command in ACCOUNT_COMMANDS and (opts.org or args.account is not None):
            from mfa_tui.engine.org_target import account_connector, target_account

            account = target_account(opts, args.command, args.account,
                                     getattr(args, "run_id", None)
                                     or getattr(args, "resume", None))
            if account is not None:
                connect = account_connector(connect, opts, account)
        return int(module.main(args, connect))
    except KeyboardInterrupt:
        print("mfa-tui: interrupted.", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # every failure becomes one sentence, never a traceback
        import logging

        from mfa_tui.aws.errors import explain

        logging.getLogger("mfa_tui").exception("%s failed", args.command)
        print(f"mfa-tui: {explain(exc)}", file=sys.stderr)
        return EXIT_ERROR


def main(argv: Sequence[str] | None = None, *,
         helper: HelperProcess | None = None) -> int:
    """Run the command line. ``helper``: the prefetch child launch.py started, if any."""
    from mfa_tui.state.paths import setup_logging

    prefetch = None
    if helper is not None:
        from mfa_tui.engine.prefetch import Prefetch

        prefetch = Prefetch(helper)
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(command_of(argv)).parse_args(argv)
        setup_logging()
        opts = _options(args)
        if args.command is None:
            return _run_tui(opts, prefetch)
        return _run_command(args, opts)
    finally:
        if prefetch is not None:
            prefetch.stop()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
