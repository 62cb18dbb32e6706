"""The ``mfa-tui`` console script: start the prefetch helper first, then run the command line.

A plain TUI launch (global options only) reads AWS in a helper process (prefetch.py) while
this process loads the argument parser and Textual. Everything here is cheap on purpose:
the helper starts a few milliseconds after ``mfa-tui`` does. On Linux, while this process
has no second thread (the console script, before anything else has loaded), the helper is
a fork of it: no second interpreter to start (~25 ms sooner to its first request); else
it is ``python -m mfa_tui.engine.prefetch``.
"""

from __future__ import annotations

import gc
import os
import sys

from mfa_tui.engine.launch_options import command_of, helper_argv, plain_tui_options

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing before the helper starts
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import BinaryIO

    from mfa_tui.engine.prefetch import HelperProcess


def spawn_helper(argv: Sequence[str]) -> HelperProcess | None:
    """Start the prefetch helper for a plain TUI launch (else None): a fork of this process
    where that is safe (``_may_fork``), else ``python -m mfa_tui.engine.prefetch``."""
    options = plain_tui_options(argv)
    if options is None or os.environ.get("MFA_TUI_NO_PREFETCH"):
        return None
    if _may_fork():
        try:
            return _forked_helper(helper_argv(options))
        except OSError:
            return None  # the TUI reads AWS itself
    import subprocess  # only here: `mfa-tui check` must not pay for it

    try:
        process = subprocess.Popen([sys.executable, "-m", "mfa_tui.engine.prefetch",
                                    *helper_argv(options)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, close_fds=True,
                                   bufsize=PIPE_BYTES)
    except OSError:
        return None  # the TUI reads AWS itself
    if process.stdout is not None:
        _widen_pipe(process.stdout.fileno())
    return process


def _may_fork() -> bool:
    """Whether the helper can be a fork of this process: Linux (elsewhere a fork may not
    use the system's libraries as botocore does), and no other thread that a fork would
    leave holding a lock (a test's server; the console script has none this early)."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


class ForkedHelper:
    """The helper as a fork of this process: what ``Prefetch`` uses of a ``Popen``."""

    def __init__(self, pid: int, stdin: BinaryIO, stdout: BinaryIO) -> None:
        self.pid = pid
        self.stdin: BinaryIO | None = stdin
        self.stdout: BinaryIO | None = stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """Its exit code once it has ended (and is reaped), else None."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # pragma: no cover - reaped by someone else: it ended
                self.returncode = 0
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            import contextlib
            import signal

            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        """Wait until it ends (``subprocess.TimeoutExpired`` after ``timeout`` seconds)."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(f"prefetch helper {self.pid}", timeout or 0)
            time.sleep(0.005)
        assert self.returncode is not None
        return self.returncode


def _forked_helper(argv: Sequence[str]) -> ForkedHelper:
    """Fork the helper: its stdout a pipe to this process, its stdin a pipe from it (closed
    when the TUI has painted the report), stderr /dev/null; it runs
    ``prefetch.child_main(argv)`` and ends without returning here."""
    read_end, write_end = os.pipe()  # none of the four is inherited by what either runs
    told, tell = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; tests/test_prefetch.py runs it for real
        code = 1
        try:
            os.close(read_end)
            os.close(tell)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(told, 0)
            os.dup2(null, 2)
            os.dup2(write_end, 1)
            os.close(write_end)
            os.close(told)
            from mfa_tui.engine.prefetch import child_main

            code = child_main(argv)
            sys.stdout.flush()
        except BaseException:  # nothing of the child may go on into the parent's code
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    os.close(told)
    _widen_pipe(read_end)
    return ForkedHelper(pid, os.fdopen(tell, "wb", buffering=0),
                        os.fdopen(read_end, "rb", buffering=PIPE_BYTES))


#: The credential report of 5,000 users crosses the pipe as one 1.4 MB line. With the
#: kernel's 64 kB pipe and an 8 kB read buffer it took ~170 reads, each waiting for the GIL
#: while the TUI paints (~40 ms); a 1 MB pipe and buffer take a handful.
PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
    """Make the helper's pipe hold ``PIPE_BYTES`` where the system allows (Linux); else
    it stays as it is, only slower."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
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
