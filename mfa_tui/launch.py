"""The ``mfa-tui`` console script: start the prefetch helper first, then run the command line.

A plain TUI launch (global options only) reads AWS in a helper process (prefetch.py) while
this process loads the argument parser and Textual. Everything here is cheap on purpose:
the helper starts a few milliseconds after ``mfa-tui`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

#: The global options a plain TUI launch may carry, and their GlobalOptions fields.
OPTIONS = {"--profile": "profile", "--region": "region", "--endpoint-url": "endpoint_url"}


def plain_tui_options(argv: Sequence[str]) -> dict[str, str | None] | None:
    """The options of a launch that opens the TUI on AWS, or None for anything else.

    Conservative: a command, ``--demo``, ``--help``, an abbreviation or a mistake gives None
    (the full parser then deals with it, and nothing is prefetched).
    """
    found: dict[str, str | None] = {"profile": os.environ.get("MFA_TUI_PROFILE") or None,
                                    "region": None, "endpoint_url": None}
    args = list(argv)
    while args:
        name, equals, value = args.pop(0).partition("=")
        if name not in OPTIONS:
            return None
        if not equals:
            if not args or args[0].startswith("-"):
                return None
            value = args.pop(0)
        found[OPTIONS[name]] = value or None
    return found


def spawn_helper(argv: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """Start ``python -m mfa_tui.prefetch`` for a plain TUI launch (else None)."""
    options = plain_tui_options(argv)
    if options is None or os.environ.get("MFA_TUI_NO_PREFETCH"):
        return None
    flags = [f"--{field.replace('_', '-')}={value}"
             for field, value in options.items() if value is not None]
    try:
        return subprocess.Popen([sys.executable, "-m", "mfa_tui.prefetch", *flags],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, close_fds=True)
    except OSError:
        return None  # the TUI reads AWS itself


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mfa-tui`` console script."""
    args = sys.argv[1:] if argv is None else list(argv)
    process = spawn_helper(args)
    from .cli import main as cli_main

    return cli_main(args, helper=process)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
