"""The ``mfa-tui`` console script: start the prefetch helper first, then run the command line.

A plain TUI launch (global options only) reads AWS in a helper process (prefetch.py) while
this process loads the argument parser and Textual. Everything here is cheap on purpose:
the helper starts a few milliseconds after ``mfa-tui`` does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mfa_tui.engine.launch_options import helper_argv, plain_tui_options

if TYPE_CHECKING:
    import subprocess


def spawn_helper(argv: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """Start ``python -m mfa_tui.engine.prefetch`` for a plain TUI launch (else None)."""
    options = plain_tui_options(argv)
    if options is None or os.environ.get("MFA_TUI_NO_PREFETCH"):
        return None
    import subprocess  # only here: `mfa-tui check` must not pay for it

    try:
        return subprocess.Popen([sys.executable, "-m", "mfa_tui.engine.prefetch",
                                 *helper_argv(options)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, close_fds=True)
    except OSError:
        return None  # the TUI reads AWS itself


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mfa-tui`` console script."""
    args = sys.argv[1:] if argv is None else list(argv)
    process = spawn_helper(args)
    from mfa_tui.cli import main as cli_main

    return cli_main(args, helper=process)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
