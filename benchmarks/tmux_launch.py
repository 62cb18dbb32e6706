"""Launching a command in a private tmux server and timing what its screen shows.

Used by tui.py: each launch gets a fresh tmux server (socket ``bench-<pid>-<n>``), the
screen is polled every 20 ms, and the peak RSS of the launched process and its children is
sampled at every poll.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

POLL_S = 0.02
FIRST_USER = "admin.breakglass"  # sorts first in the demo account
#: Every pane runs with compiled bytecode, as an installed program does: some machines set
#: PYTHONDONTWRITEBYTECODE, and an editable install then compiles mfa-tui's own modules
#: from source at every launch while the bare app's (in site-packages) come compiled. The
#: bytecode goes here, not into the source tree; a warm-up launch of each target fills it.
PYCACHE = tempfile.mkdtemp(prefix="mfa-tui-bench-pycache-")
atexit.register(shutil.rmtree, PYCACHE, True)

ScreenCheck = Callable[[str], bool]


@dataclass
class Launch:
    """One launch in tmux: seconds from spawn to first paint and to ready; the peak RSS of
    the launched process and its children (the prefetch helper) until the last check."""

    first_paint_s: float
    ready_s: float
    rss_mb: float
    idle_cpu_pct: float | None = None  # CPU use while lingering after ready
    confirmed_s: float | None = None  # mfa-tui: the complete live read replaced the stand-in


class Tmux:
    """A private tmux server (``-L bench-<pid>-<n>``) running one command.

    Each launch gets a fresh socket: a server being killed can still hold the old one for a
    moment, and a new client connecting to it fails with "server exited unexpectedly".
    """

    launched = 0

    def __init__(self, size: tuple[int, int]) -> None:
        found = shutil.which("tmux")
        if found is None:
            raise SystemExit("tmux is not installed")
        self.tmux = found
        Tmux.launched += 1
        self.socket = f"bench-{os.getpid()}-{Tmux.launched}"
        self.size = size
        # No AWS settings of this shell reach the panes: only the dummy ones a launch sets.
        env = {k: v for k, v in os.environ.items()
               if k not in ("TMUX", "TMUX_PANE") and not k.startswith("AWS_")}
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYCACHE
        env["TERM"] = "xterm-256color"
        if "utf" not in (env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or "").lower():
            env["LANG"] = "C.UTF-8"
            env.pop("LC_ALL", None)
            env.pop("LC_CTYPE", None)
        self.env = env

    def run(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(
            [self.tmux, "-u", "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env, capture_output=True, text=True, timeout=15, check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {proc.stderr.strip()}")
        return proc.stdout

    def spawn(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        """Start ``command`` (exec'd directly: the pane's pid is the command's) in a new
        session of exactly ``size``, status line off, all in one tmux call."""
        width, height = self.size
        pane_env = [f"-e{key}={value}" for key, value in {"COLORTERM": "truecolor", **env}.items()]
        self.run(
            "set-option", "-g", "status", "off", ";",
            "set-option", "-g", "default-terminal", "tmux-256color", ";",
            "new-session", "-d", "-s", "bench", "-x", str(width), "-y", str(height),
            *pane_env, *command,
        )

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "bench", check=False)

    def pane_pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", "bench", "#{pane_pid}").strip())

    def kill(self) -> None:
        """Stop this private server and the command in it, and remove its socket file."""
        socket_path = self.run("display-message", "-p", "#{socket_path}", check=False).strip()
        self.run("kill-server", check=False)
        if socket_path.endswith(self.socket):
            Path(socket_path).unlink(missing_ok=True)


def vm_rss_mb(pid: int) -> float:
    """VmRSS of a process, in MB (10^6 bytes; NaN when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6  # KiB -> MB
    return float("nan")


def tree_rss_mb(pid: int) -> float:
    """VmRSS of a process and all its descendants (mfa-tui and its prefetch helper), in MB."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        rss = vm_rss_mb(current)
        if rss == rss:  # not NaN: still there
            total += rss
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return total


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch(
    tmux: Tmux, command: Sequence[str], first_paint: ScreenCheck, ready: ScreenCheck,
    timeout: float, env: Mapping[str, str], linger_s: float = 0.0,
    confirmed: ScreenCheck | None = None,
) -> Launch:
    """Spawn ``command`` in tmux and poll the screen every 20 ms until ``ready`` (and then
    ``confirmed``, if given); leave it running ``linger_s`` more, then kill it."""
    painted: float | None = None
    result: Launch | None = None
    peak_mb = 0.0
    start = time.perf_counter()
    tmux.spawn(command, env)
    try:
        pane = tmux.pane_pid()
        while True:
            screen = tmux.screen()
            now = time.perf_counter() - start
            peak_mb = max(peak_mb, tree_rss_mb(pane))
            if painted is None and (first_paint(screen) or ready(screen)):
                painted = now
            if result is None and ready(screen):
                result = Launch(painted or now, now, peak_mb)
            if result is not None and confirmed is not None and confirmed(screen):
                result.confirmed_s = now
            if result is not None and (confirmed is None or result.confirmed_s is not None):
                pid = pane
                result.rss_mb = max(peak_mb, tree_rss_mb(pid))  # peak, every source read
                if linger_s:
                    time.sleep(1.0)  # let the post-fill work (cache write) finish
                    before = cpu_seconds(pid)
                    time.sleep(linger_s)
                    after = cpu_seconds(pid)
                    if before is not None and after is not None:
                        result.idle_cpu_pct = 100 * (after - before) / linger_s
                return result
            if now > timeout:
                raise RuntimeError(f"not ready after {timeout:.0f} s; screen:\n{screen}")
            time.sleep(POLL_S)
    finally:
        tmux.kill()


def mfa_tui_first_paint(screen: str) -> bool:
    return "mfa-tui" in screen or "Connecting" in screen or "non-compliant" in screen


def mfa_tui_ready(screen: str) -> bool:
    return "non-compliant" in screen and FIRST_USER in screen


def mfa_tui_confirmed(screen: str) -> bool:
    """The table rests on a complete live read: not the cache, not the report alone."""
    return (mfa_tui_ready(screen) and "from the cred" not in screen
            and "refreshing" not in screen and " cached " not in screen)


def bare_first_paint(screen: str) -> bool:
    return "row-" in screen


def bare_ready(screen: str) -> bool:
    return "row-19" in screen


@dataclass
class Target:
    """What to launch and how to tell it has painted and is ready."""

    label: str
    command: Sequence[str]
    first_paint: ScreenCheck
    ready: ScreenCheck
    confirmed: ScreenCheck | None = None


def launches(
    target: Target, size: tuple[int, int], repeat: int, timeout: float,
    state_home: Callable[[], str], extra_env: Mapping[str, str] | None = None,
) -> list[Launch]:
    """``repeat`` launches, each with ``XDG_STATE_HOME=state_home()``, after one warm-up
    launch that is not counted; prints a summary."""
    return alternating([(target, extra_env)], size, repeat, timeout, state_home)[0]


def alternating(
    targets: Sequence[tuple[Target, Mapping[str, str] | None]], size: tuple[int, int],
    repeat: int, timeout: float, state_home: Callable[[], str],
) -> list[list[Launch]]:
    """``repeat`` launches of each target (with its extra env), taking turns run by run and
    in reverse order every other round, so that the load of a shared machine falls on each
    alike; one uncounted warm-up launch of each first (bytecode, page cache). Prints each
    target's summary; returns the launches per target."""

    def one(target: Target, extra_env: Mapping[str, str] | None) -> Launch:
        env = {"XDG_STATE_HOME": state_home(), **(extra_env or {})}
        return launch(Tmux(size), target.command, target.first_paint, target.ready,
                      timeout, env, confirmed=target.confirmed)

    for target, extra_env in targets:
        one(target, extra_env)
    results: list[list[Launch]] = [[] for _ in targets]
    order = list(range(len(targets)))
    for round_ in range(repeat):
        for i in order if round_ % 2 == 0 else reversed(order):
            results[i].append(one(*targets[i]))
    for (target, _), runs in zip(targets, results, strict=True):
        summarise(target, runs)
    return results


def summarise(target: Target, results: list[Launch]) -> None:
    """Print one target's launch figures."""
    paints = " ".join(f"{r.first_paint_s:.2f}" for r in results)
    readies = " ".join(f"{r.ready_s:.2f}" for r in results)
    print(f"  {target.label}")
    print(f"    first paint: median {median(r.first_paint_s for r in results):5.2f} s  "
          f"(runs: {paints})")
    print(f"    table filled: median {median(r.ready_s for r in results):5.2f} s  "
          f"(runs: {readies})")
    confirmed = [r.confirmed_s for r in results if r.confirmed_s is not None]
    if confirmed:
        print(f"    confirmed:   median {median(confirmed):5.2f} s  (runs: "
              f"{' '.join(f'{c:.2f}' for c in confirmed)})  complete live read on screen")


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))
