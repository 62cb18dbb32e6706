"""SIGHUP (the SSH connection dropped) and SIGTERM, turned into a call on the event loop.

A screen that must clean up before the process ends (the enrollment screen deletes the device
it created) installs these while it is shown, and cancels as Esc does when one arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable, Iterator

_SIGNALS = ("SIGHUP", "SIGTERM")


def _signals() -> Iterator[tuple[str, int]]:
    """The hang-up signals this platform has, by name and number."""
    for name in _SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            yield name, number


def watch_hang_ups(handler: Callable[[str], None]) -> None:
    """Call ``handler("SIGHUP")`` / ``handler("SIGTERM")`` on the running loop when they come."""
    loop = asyncio.get_running_loop()
    for name, number in _signals():
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, handler, name)


def stop_watching_hang_ups() -> None:
    """Remove the handlers again (the screen closed)."""
    loop = asyncio.get_running_loop()
    for _name, number in _signals():
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(number)


def leave_now(code: int) -> None:
    """The terminal is gone (SIGHUP): Textual's shutdown would block writing to it (measured:
    the process hung after `tmux kill-server`). The caller has cleaned up; just go."""
    logging.shutdown()
    os._exit(code)
