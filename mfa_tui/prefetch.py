"""Read the first inventory in a helper process while the TUI starts.

botocore's import, the clients and the credential report cost about twice a bare Textual
start, all of it CPU; in one Python process the two take turns on the GIL. A child process
(``python -m mfa_tui.prefetch``) does the AWS part on the other core and sends the
inventory back over a pipe, one JSON line each: the table from the credential report, then
the complete read (``mfa_tui.core.inventory_codec``: names, flags and dates; no secrets).

Only for connections that cannot need a prompt: not ``--demo`` (its server lives in the
TUI's process) and not a keyring profile (its secret and MFA code stay in the TUI's
process). An AWS config profile that turns out to need an MFA code makes the child step
aside, and the TUI reads the account itself, asking for the code in its modal.

Nothing here imports boto3 in the parent; the child is killed when the TUI stops with it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

from .connect import GlobalOptions
from .core.errors import Explained
from .core.models import Inventory

log = logging.getLogger(__name__)


def wanted(opts: GlobalOptions) -> bool:
    """Whether the first read may run in a helper process (no prompt can be needed)."""
    if opts.demo or os.environ.get("MFA_TUI_NO_PREFETCH"):
        return False
    if not opts.profile:
        return True
    from . import profiles

    try:
        return opts.profile not in profiles.load_all()
    except profiles.ProfileError:
        return False  # the TUI's own read says what is wrong with the file


class Prefetch:
    """A running helper process and the inventories it sends."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lock = threading.Lock()
        self.stopped = False  # stop() was called: its reader must not read in-process instead

    @classmethod
    def start(cls, opts: GlobalOptions) -> Prefetch | None:
        """Spawn the helper, or None when it cannot start (the TUI then reads by itself)."""
        argv = [sys.executable, "-m", "mfa_tui.prefetch", json.dumps({
            "profile": opts.profile, "region": opts.region, "endpoint_url": opts.endpoint_url,
        })]
        try:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, close_fds=True)
        except OSError as exc:
            log.warning("prefetch helper did not start: %s", exc)
            return None
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    def result(self, on_report: Callable[[Inventory], None]) -> Inventory | None:
        """Wait for the complete inventory (call from a worker thread).

        ``on_report`` gets the credential report's table first. None: the helper stepped
        aside or died; read the account in-process. An AWS error raises ``Explained``.
        """
        from .core.inventory_codec import inventory_from_dict

        stdout: IO[bytes] | None = self._process.stdout
        if stdout is None:
            return None
        try:
            for line in stdout:
                message = json.loads(line)
                if "error" in message:
                    raise Explained(str(message["error"]))
                inventory = inventory_from_dict(message.get("inventory") or {})
                if inventory is None:
                    break  # not ours or damaged: read in-process
                if not inventory.provisional:
                    return inventory
                on_report(inventory)
        except (OSError, ValueError) as exc:
            log.warning("prefetch helper: %s", exc)
        finally:
            self._reap()
        log.info("prefetch helper gave no inventory; reading in-process")
        return None

    def stop(self) -> None:
        """Stop the helper on purpose (the app stops, or reads another account)."""
        self.stopped = True
        self._reap()

    def _reap(self) -> None:
        """Kill the helper if it still runs, and wait for it."""
        with self._lock:
            if self._process.poll() is None:
                self._process.kill()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - the kernel reaps it
                log.warning("prefetch helper %s did not exit", self._process.pid)
            if self._process.stdout is not None:
                self._process.stdout.close()


# -- the helper process ----------------------------------------------------------------


def _send(out: IO[str], **message: Any) -> None:
    out.write(json.dumps(message, separators=(",", ":")) + "\n")
    out.flush()


def child_main(argv: Sequence[str]) -> int:
    """Read the inventory and write it to stdout as JSON lines (see the module docstring)."""
    from .config import setup_logging
    from .core.inventory_codec import inventory_to_dict

    setup_logging()
    options = json.loads(argv[0])
    opts = GlobalOptions(profile=options.get("profile"), region=options.get("region"),
                         endpoint_url=options.get("endpoint_url"))
    out = sys.stdout

    def on_report(inventory: Inventory) -> None:
        _send(out, inventory=inventory_to_dict(inventory))

    try:
        from .aws.inventory import load_inventory
        from .connect import make_connector

        inventory = load_inventory(make_connector(opts)(), on_report=on_report)
    except BrokenPipeError:
        return 0  # the TUI stopped meanwhile
    except Exception as exc:
        from .aws.errors import explain
        from .core.mfa_code import CannotAskForCode

        if isinstance(exc, CannotAskForCode):
            log.info("prefetch: the profile needs an MFA code; the TUI asks for it")
            return 0  # step aside: no line means "read in-process"
        log.warning("prefetch failed: %s", exc)
        _send(out, error=explain(exc))
        return 0
    _send(out, inventory=inventory_to_dict(inventory))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
