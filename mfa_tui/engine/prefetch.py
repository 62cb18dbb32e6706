"""Read the first inventory in a helper process while the TUI starts.

botocore's import, the clients and the credential report cost about twice a bare Textual
start, all of it CPU; in one Python process the two take turns on the GIL. A child process
(a fork of the console script, or ``python -m mfa_tui.engine.prefetch``: launch.py) does the
AWS part on the other core and sends it back over a pipe, in three parts. First the
credential report's CSV as it came, the moment it arrives (the TUI parses it while the
helper waits for the caller, alias and attachments):
a JSON line with its length in bytes, then the bytes themselves (as a JSON string, 5,000
users' 1.4 MB took ~35 ms to encode, cross and decode on a busy machine). Then a JSON line
with those small reads (the TUI paints the provisional table from both: sent at once,
since the helper's read is what a loaded machine waits for); the helper then holds its big
lists until the TUI closes its stdin, the table painted (``Prefetch.painted``). Last
the complete inventory (names, flags, dates, the report's CSV; no secrets), pickled
(base64 in a JSON line): the TUI loads 5,000 users in 16 ms instead of 43 ms for the JSON
codec, on its own core while it paints.
Only this pipe carries it, from the child this process started (a fork of it, or its own
interpreter with the same package); nothing pickled is ever read from a file or the network.

The console script starts the child (launch.py) before anything heavy loads, for a plain
TUI launch only: not ``--demo`` (its server lives in the TUI's process). The child steps
aside (exits without a line) for a keyring profile (its secret and MFA code stay in the
TUI's process) and for an AWS config profile that needs an MFA code: the TUI then reads
the account itself, asking for the code in its modal. Nothing is logged by the child.

Nothing here imports botocore in the parent; the child is killed when the TUI stops.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any, Protocol, TextIO

from mfa_tui.core.errors import Explained
from mfa_tui.core.models import Inventory
from mfa_tui.engine.connect import GlobalOptions

if TYPE_CHECKING:
    from mfa_tui.core.credential_report import ReportRow
    from mfa_tui.core.report_snapshot import ReportSnapshot

log = logging.getLogger(__name__)


class HelperProcess(Protocol):
    """What ``Prefetch`` uses of the helper: a ``subprocess.Popen`` or ``launch.ForkedHelper``."""

    @property
    def pid(self) -> int: ...
    @property
    def stdin(self) -> IO[bytes] | None: ...
    @property
    def stdout(self) -> IO[bytes] | None: ...
    def poll(self) -> int | None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


class Prefetch:
    """A running helper process and the inventories it sends."""

    def __init__(self, process: HelperProcess) -> None:
        """Read the inventories of a child started by ``launch.spawn_helper``."""
        self._process = process
        self._lock = threading.Lock()
        self.stopped = False  # stop() was called: its reader must not read in-process instead

    @property
    def pid(self) -> int:
        return self._process.pid

    def result(self, on_report: Callable[[Inventory], None],
               on_status: Callable[[str], None] | None = None) -> Inventory | None:
        """Wait for the complete inventory (call from a worker thread).

        ``on_report`` gets the credential report's table first, ``on_status`` what the read
        waits for. None: the helper stepped aside or died; read the account in-process. An
        AWS error raises ``Explained``.
        """
        from mfa_tui.core.credential_report import parse_credential_report
        from mfa_tui.core.inventory_codec import snapshot_from_dict
        from mfa_tui.core.report_snapshot import provisional_inventory

        stdout: IO[bytes] | None = self._process.stdout
        if stdout is None:
            return None
        # The report's CSV, sent ahead of the small reads, and its rows parsed meanwhile.
        ahead: tuple[str, tuple[list[ReportRow], list[str]]] | None = None
        try:
            for line in iter(stdout.readline, b""):
                message = json.loads(line)
                if "error" in message:
                    raise Explained(str(message["error"]))
                if "status" in message:
                    if on_status is not None:
                        on_status(str(message["status"]))
                    continue
                if "csv_bytes" in message:  # parsed while the helper reads the small parts
                    csv = read_csv_frame(stdout, message["csv_bytes"])
                    if csv is None:
                        break  # cut short or damaged: read in-process
                    ahead = (csv, parse_credential_report(csv))
                    continue
                if "report" in message:  # the table is built here: the helper reads on
                    snapshot = snapshot_from_dict(message["report"], ahead[0] if ahead else None)
                    if snapshot is None:
                        break
                    if ahead is not None and snapshot.content is ahead[0]:
                        snapshot.parsed_already(ahead[1])
                    provisional = provisional_inventory(snapshot, datetime.now(UTC))
                    if provisional is not None:
                        on_report(provisional)  # the reader calls painted() once it shows
                    else:
                        self.painted()  # no table to paint: the helper need not wait
                    continue
                inventory = unpacked(message.get("inventory"))
                if inventory is None:
                    break  # not ours or damaged: read in-process
                return inventory
        except (OSError, ValueError) as exc:
            log.warning("prefetch helper: %s", exc)
        finally:
            self._reap()
        log.info("prefetch helper gave no inventory; reading in-process")
        return None

    @property
    def told_painted(self) -> bool:
        """Whether the helper has heard that the table is painted (or has stopped)."""
        stdin = self._process.stdin
        return stdin is None or stdin.closed

    def painted(self) -> None:
        """The report's table is on screen: the helper reads on (it holds its big lists
        until then, at most ``REPORT_HEAD_START_S``). Closing its stdin says so."""
        with self._lock:
            _close_quietly(self._process.stdin)

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
            _close_quietly(self._process.stdin)
            _close_quietly(self._process.stdout)


def _close_quietly(pipe: IO[bytes] | None) -> None:
    """Close one of the helper's pipes (an error means the helper is gone: nothing waits)."""
    if pipe is not None and not pipe.closed:
        with contextlib.suppress(OSError):
            pipe.close()


#: The largest credential report the pipe takes: IAM holds at most 5,000 users (~1.4 MB).
MAX_CSV_BYTES = 64 << 20


def read_csv_frame(stdout: IO[bytes], size: object) -> str | None:
    """The ``size`` raw bytes that follow a ``csv_bytes`` line, as text (None: a size that
    cannot be one, or fewer bytes than announced: the helper died on the way)."""
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_CSV_BYTES:
        log.warning("prefetch helper: a CSV of %r bytes announced", size)
        return None
    data = stdout.read(size)
    if len(data) != size:
        log.warning("prefetch helper: the CSV stopped after %d of %d bytes", len(data), size)
        return None
    return data.decode("utf-8", errors="replace")


def packed(inventory: Inventory) -> str:
    """An inventory for the pipe (see the module docstring)."""
    return base64.b64encode(pickle.dumps(inventory, protocol=pickle.HIGHEST_PROTOCOL)).decode()


def unpacked(text: object) -> Inventory | None:
    """The inventory :func:`packed` made, or None for anything else."""
    if not isinstance(text, str):
        return None
    try:
        inventory = pickle.loads(base64.b64decode(text, validate=True))
    except Exception as exc:  # damaged: the TUI reads the account itself
        log.warning("prefetch helper: unreadable inventory (%s)", type(exc).__name__)
        return None
    return inventory if isinstance(inventory, Inventory) else None


# -- the helper process ----------------------------------------------------------------


#: Reentrant: the CSV's frame sends its length line with _send inside its own hold.
_send_lock = threading.RLock()


def _send(out: IO[str], **message: Any) -> None:
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with _send_lock:  # the status comes from the report's thread
        out.write(line)
        out.flush()


def write_csv_frame(out: TextIO, text: str) -> None:
    """The report's CSV: its length in bytes on a line, then the bytes themselves."""
    data = text.encode("utf-8")
    with _send_lock:  # no status line may come between the length and the bytes
        _send(out, csv_bytes=len(data))
        out.buffer.write(data)
        out.buffer.flush()


def child_main(argv: Sequence[str]) -> int:
    """Read the inventory and write it to stdout as JSON lines (see the module docstring).

    ``argv``: the launch's global options. No line at all means "read in-process".
    """
    import gc

    # Until the report's table is sent, collecting would walk botocore's big heap again and
    # again (measured: the report's parse took 4x longer): collect after, minus that heap.
    gc.disable()
    from mfa_tui.engine.launch_options import plain_tui_options

    options = plain_tui_options(argv)
    if options is None:
        return 0
    opts = GlobalOptions(**options)  # type: ignore[arg-type]
    if opts.profile and _is_keyring_profile(opts.profile):
        return 0  # its secret and MFA code stay in the TUI's process
    out = sys.stdout

    def on_report(snapshot: ReportSnapshot) -> None:
        _send(out, report=snapshot_to_dict(snapshot, content=False))  # the CSV went ahead
        gc.freeze()
        gc.enable()

    from mfa_tui.core.inventory_codec import snapshot_to_dict

    try:
        from mfa_tui.aws.inventory import load_inventory
        from mfa_tui.engine.connect import make_connector

        inventory = load_inventory(make_connector(opts)(), on_report=on_report,
                                   on_status=lambda text: _send(out, status=text),
                                   on_report_text=lambda text: write_csv_frame(out, text),
                                   until_painted=_until_painted)
    except BrokenPipeError:
        return 0  # the TUI stopped meanwhile
    except Exception as exc:
        from mfa_tui.aws.errors import explain
        from mfa_tui.core.mfa_code import CannotAskForCode

        if isinstance(exc, CannotAskForCode):
            return 0  # the profile needs an MFA code: the TUI asks for it in its modal
        _send(out, error=explain(exc))
        return 0
    _send(out, inventory=packed(inventory))
    return 0


def _until_painted(timeout: float) -> None:
    """Wait until the TUI closes this helper's stdin (it has painted the report's table;
    it closes it too when it stops), at most ``timeout`` seconds."""
    import select

    with contextlib.suppress(OSError, ValueError):  # no stdin to wait on: read on
        select.select([sys.stdin], [], [], timeout)


def _is_keyring_profile(name: str) -> bool:
    from mfa_tui.engine.profile_sources import ProfileSources
    from mfa_tui.state.profiles import ProfileError

    try:
        return ProfileSources().source_of(name) == "keyring"
    except ProfileError:
        return True  # the TUI's own read says what is wrong with the file


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
