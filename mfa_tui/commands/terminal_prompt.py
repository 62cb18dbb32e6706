"""Secrets and MFA codes from the command line: no echo on a terminal, lines from a pipe.

Prompts and problems go to stderr, so stdout stays clean for ``report --format json``.
"""

from __future__ import annotations

import getpass
import sys

from mfa_tui.core.mfa_code import CodeRequest


def read_line(prompt: str) -> str | None:
    """One line: from a no-echo prompt when stdin is a terminal, else from stdin (the line
    without its newline). None at end of input or Ctrl-D."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(prompt, stream=sys.stderr)
        except EOFError:
            return None
    if sys.stdin is None:
        return None
    line = sys.stdin.readline()
    if not line:
        return None
    return line.rstrip("\r\n")


def stdin_is_terminal() -> bool:
    """True when the user types at a terminal (then prompts are shown)."""
    return sys.stdin is not None and sys.stdin.isatty()


def ask_code_on_terminal(request: CodeRequest) -> str | None:
    """The CLI's MFA code prompt (see :data:`core.mfa_code.AskCode`)."""
    if request.problem:
        print(f"mfa-tui: {request.problem}", file=sys.stderr)
    who = f" (profile {request.profile})" if request.profile else ""
    return read_line(f"MFA code for {request.serial}{who}: ")
