"""The ``mfa-tui`` console script: start the prefetch helper first, then run the command line.

A plain TUI launch (global options only) reads AWS in a helper process (prefetch.py) while
this process loads the argument parser and Textual. Everything here is cheap on purpose:
the helper starts a few milliseconds after ``mfa-tui`` does.
"""

from __future__ import annotations

import gc
import os
import sys

from mfa_tui.engine.launch_options import command_of, helper_argv, plain_tui_options

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing before the helper starts
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Sequence


def spawn_helper(argv: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """Start ``python -m mfa_tui.engine.prefetch`` for a plain TUI launch (else None)."""
    options = plain_tui_options(argv)
    if options is None or os.environ.get("MFA_TUI_NO_PREFETCH"):
        return None
    import subprocess  # only here: `mfa-tui check` must not pay for it

    try:
        process = subprocess.Popen([sys.executable, "-m", "mfa_tui.engine.prefetch",
                                    *helper_argv(options)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, close_fds=True,
                                   bufsize=PIPE_BYTES)
    except OSError:
        return None  # the TUI reads AWS itself
    _widen_pipe(process)
    return process


#: The credential report of 5,000 users crosses the pipe as one 1.4 MB line. With the
#: kernel's 64 kB pipe and an 8 kB read buffer it took ~170 reads, each waiting for the GIL
#: while the TUI paints (~40 ms); a 1 MB pipe and buffer take a handful.
PIPE_BYTES = 1 << 20


def _widen_pipe(process: subprocess.Popen[bytes]) -> None:
    """Make the helper's pipe hold ``PIPE_BYTES`` where the system allows (Linux); else
    it stays as it is, only slower."""
    try:
        import fcntl

        if process.stdout is not None:
            fcntl.fcntl(process.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or over pipe-max-size
        pass


#: Read-only commands that leave nothing to clean up at exit: once the answer is out, the
#: process ends at once. Tearing the interpreter down (botocore's modules and models) took
#: ~80 ms of `check`, about a fifth of it.
PROMPT_EXIT = frozenset({"check", "report"})


def exit_now(code: int) -> int:
    """End the process with ``code`` without the interpreter's teardown: the log and the
    output are flushed first. Returns ``code`` (a normal exit follows) when another thread
    still runs or the output cannot be flushed (a closed pipe: Python then says so itself)."""
    import logging
    import threading

    if threading.active_count() > 1:
        return code
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return code
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mfa-tui`` console script."""
    args = sys.argv[1:] if argv is None else list(argv)
    # Start-up only allocates what lives as long as the process (modules, botocore's models):
    # the cyclic collector would walk it again and again for nothing (~30 ms of `check`).
    # cli.py turns it back on, with that frozen, for everything but `check`.
    gc.disable()
    process = spawn_helper(args)
    from mfa_tui.cli import main as cli_main

    code = cli_main(args, helper=process)
    if argv is None and command_of(args) in PROMPT_EXIT:
        return exit_now(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
