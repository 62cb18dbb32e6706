"""The global options, once: the table the argument parser and the launch pre-parse are built from.

``os`` only (no argparse, dataclasses or typing: they cost the console script ~15 ms before
the helper starts): ``launch.py`` reads a plain TUI launch with :func:`plain_tui_options`
before anything heavy loads, to start the prefetch helper, which reads its own argv
(:func:`helper_argv`) the same way. ``cli.py`` builds its argparse global options from
:data:`GLOBAL_OPTIONS`; ``GlobalOptions`` (engine/connect.py) has one field each.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Literal

    OptionKind = Literal["text", "switch", "count", "accounts", "workers"]


class GlobalOption:
    """One global option of the command line (read-only once made)."""

    __slots__ = ("env", "field", "flag", "help", "kind", "metavar", "prefetch")

    flag: str
    field: str  # its GlobalOptions field (and argparse dest)
    help: str
    kind: OptionKind
    env: str | None  # read from this environment variable when not given ("1": a switch on)
    metavar: str | None
    #: A plain TUI launch may carry it: the prefetch helper reads AWS with it.
    prefetch: bool

    def __init__(self, flag: str, field: str, help: str, *, kind: OptionKind = "text",
                 env: str | None = None, metavar: str | None = None,
                 prefetch: bool = False) -> None:
        for name, value in (("flag", flag), ("field", field), ("help", help), ("kind", kind),
                            ("env", env), ("metavar", metavar), ("prefetch", prefetch)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"GlobalOption is read-only ({name})")

    def __repr__(self) -> str:
        return f"GlobalOption({self.flag!r}, {self.field!r}, kind={self.kind!r})"


GLOBAL_OPTIONS: tuple[GlobalOption, ...] = (
    GlobalOption("--profile", "profile", "profile to use (default: the standard AWS credential "
                 "chain)", env="MFA_TUI_PROFILE", prefetch=True),
    GlobalOption("--endpoint-url", "endpoint_url", "AWS endpoint override, for emulators "
                 "(AWS_ENDPOINT_URL is honoured too)", prefetch=True),
    GlobalOption("--region", "region", "AWS region (IAM is global; STS needs one)",
                 prefetch=True),
    GlobalOption("--demo", "demo", "run against an embedded emulated account on loopback; "
                 "nothing leaves this machine", kind="switch"),
    GlobalOption("--demo-users", "demo_users", "size of the demo account (default 60)",
                 kind="count", metavar="N"),
    GlobalOption("--org", "org", "every ACTIVE account of the caller's organization "
                 "(MFA_TUI_ORG=1)", kind="switch", env="MFA_TUI_ORG"),
    GlobalOption("--org-role", "org_role", "the role assumed in member accounts "
                 "(MFA_TUI_ORG_ROLE; default OrganizationAccountAccessRole)",
                 env="MFA_TUI_ORG_ROLE", metavar="NAME"),
    GlobalOption("--accounts", "accounts", "only these accounts of the organization",
                 kind="accounts", metavar="ID[,ID...]"),
    GlobalOption("--org-workers", "org_workers", "accounts read at once (default 8)",
                 kind="workers", metavar="N"),
)

_PREFETCHED = {option.flag: option for option in GLOBAL_OPTIONS if option.prefetch}
_BY_FLAG = {option.flag: option for option in GLOBAL_OPTIONS}


def command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the first word after the global options), ``""`` for a
    launch of the TUI (global options only, each complete), or None.

    None whenever it cannot be told for sure (``--help``, an abbreviated or unknown option,
    an option missing its value): the caller then builds the whole parser. Whether the word
    is really a command is for the parser to say.
    """
    args = list(argv)
    while args:
        word = args.pop(0)
        if not word.startswith("-"):
            return word
        name, equals, _ = word.partition("=")
        option = _BY_FLAG.get(name)
        if option is None:
            return None
        if option.kind == "switch":
            if equals:
                return None
        elif not equals:
            if not args or args[0].startswith("-"):
                return None
            args.pop(0)
    return ""


def plain_tui_options(argv: Sequence[str]) -> dict[str, str | None] | None:
    """The options of a launch that opens the TUI on AWS, or None for anything else.

    Keys are GlobalOptions fields. Conservative: a command, ``--demo``, ``--help``, an
    abbreviation or a mistake gives None (the full parser then deals with it, and nothing is
    prefetched).
    """
    if os.environ.get("MFA_TUI_ORG") == "1":
        return None  # organization mode opens on the accounts screen: nothing to prefetch
    found: dict[str, str | None] = {
        option.field: (os.environ.get(option.env) or None) if option.env else None
        for option in _PREFETCHED.values()}
    args = list(argv)
    while args:
        name, equals, value = args.pop(0).partition("=")
        option = _PREFETCHED.get(name)
        if option is None:
            return None
        if not equals:
            if not args or args[0].startswith("-"):
                return None
            value = args.pop(0)
        found[option.field] = value or None
    return found


def helper_argv(options: Mapping[str, str | None]) -> list[str]:
    """The argv that gives the prefetch helper ``options`` (from :func:`plain_tui_options`)."""
    return [f"{option.flag}={options[option.field]}" for option in _PREFETCHED.values()
            if options.get(option.field) is not None]
