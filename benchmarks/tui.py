"""TUI benchmark: launch time in a real terminal, memory, and filter latency of mfa-tui.

1. In tmux (a private server per launch, socket ``bench-<pid>-<n>``), time from spawn until
   the screen shows the first paint (mfa-tui's header), the filled users table (the header's
   "non-compliant" count and the first user row) and, for mfa-tui, the complete live read
   (no "cached", "from the credential report alone" or "refreshing" left), ``--repeat`` times
   each, for: a bare Textual app showing a 20-row DataTable (the yardstick); ``mfa-tui
   --endpoint-url`` against a moto server in this process (like a real user: no moto inside,
   the prefetch helper reading AWS while Textual starts) with no inventory cache, then with
   the cache a previous launch left; ``mfa-tui --demo --demo-users N`` and the default demo
   size (moto and the seeding inside mfa-tui). Also the AWS part alone in its own process.
   The bare app and the first launch take turns, launch by launch; every target gets one
   uncounted warm-up launch, and every pane runs with compiled bytecode as an installed
   program does (tmux_launch.PYCACHE). Prints medians, ratios to the bare app, the spread
   of the paired ratios, the peak RSS of mfa-tui plus its helper, and idle CPU afterwards.
   Every launch gets its own ``XDG_STATE_HOME``: the user's own cache is never read or
   written.
2. In-process with Textual's Pilot (``run_test``): how long the table takes to fill, how
   much the event loop stalls meanwhile (input would wait that long), and the latency of
   each keystroke of the filter (``/``, then "ali" one key at a time, Enter, then Esc).

Everything runs against moto on 127.0.0.1 with dummy credentials: nothing leaves the machine.

    .venv/bin/python benchmarks/tui.py [--users N] [--size 80x24] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tmux_launch import (  # benchmarks/ is on sys.path when run as a script
    POLL_S,
    PYCACHE,
    Launch,
    Target,
    Tmux,
    alternating,
    bare_first_paint,
    bare_ready,
    launch,
    launches,
    median,
    mfa_tui_confirmed,
    mfa_tui_first_paint,
    mfa_tui_ready,
)

VENV_BIN = Path(sys.executable).parent
TARGET_RATIO, AIM_RATIO = 2.5, 1.5
TARGET_RSS_MB = 200
TARGET_KEY_S, AIM_KEY_S = 1.0, 0.2

BARE_APP = '''\
"""A bare Textual app: one DataTable with 20 rows (the benchmark's yardstick)."""
from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("user", "console", "MFA", "last sign-in")
        for i in range(20):
            table.add_row(f"row-{i:02d}", "yes", "virtual", f"{i}d ago")


Bare().run()
'''



# -- in-process: Pilot ---------------------------------------------------------------------


class LoopLag:
    """Samples how late a 10 ms asyncio sleep wakes up: the event loop's stalls."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lags.append(time.perf_counter() - start - 0.01)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def summary(self) -> str:
        if not self.lags:
            return "no samples"
        lags = sorted(self.lags)
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
        return (f"worst {1000 * lags[-1]:.0f} ms, p99 {1000 * p99:.0f} ms, "
                f"median {1000 * statistics.median(lags):.1f} ms over {len(lags)} ticks")


def row_count(table: Any) -> int:
    """Rows shown by ``#users``: a DataTable's ``row_count`` or a virtual table's ``rows``."""
    count = getattr(table, "row_count", None)
    if isinstance(count, int):
        return count
    return len(table.rows)


def row_names(table: Any) -> list[str] | None:
    """User names of the rows shown, when the table lets us read them."""
    rows = getattr(table, "rows", None)
    if rows is None:
        return None
    names = []
    for row in rows:
        name = getattr(row, "user", None) or getattr(row, "value", None)
        if not isinstance(name, str):
            return None
        names.append(name)
    return names


async def wait_rows(
    table: Any, expected: int | None, start: float, timeout: float = 5.0, settle: float = 0.3
) -> tuple[float, int, bool]:
    """Seconds from ``start`` until ``#users`` shows ``expected`` rows (or, when that is
    unknown, until the count last changed before staying put for ``settle`` s).

    Returns (seconds, rows, matched). Polls every 1 ms, as a task beside the key press, so
    Pilot's own idle-waiting is not counted.
    """
    last = row_count(table)
    changed_at = 0.0
    while True:
        now = time.perf_counter() - start
        count = row_count(table)
        if count != last:
            last, changed_at = count, now
        if expected is not None and count == expected:
            return now, count, True
        if (expected is None and now - changed_at >= settle) or now > timeout:
            return changed_at, count, False
        await asyncio.sleep(0.001)


async def keystroke(
    pilot: Any, table: Any, key: str, expected: int | None
) -> tuple[float, int, bool]:
    """Press ``key``; return (seconds until the rows are right, rows, matched).

    The watcher is a task on the app's own event loop, so it sees the new rows once the loop
    is free again: the figure includes the work done right after (usually the repaint).
    """
    start = time.perf_counter()
    watcher = asyncio.create_task(wait_rows(table, expected, start))
    await pilot.press(key)
    return await watcher


async def pilot_run(
    users: int, size: tuple[int, int], text: str, rounds: int, timeout: float
) -> None:
    """Fill the table under Pilot, then time each keystroke of the filter."""
    from textual.css.query import NoMatches

    from mfa_tui.engine.connect import GlobalOptions, make_connector
    from mfa_tui.tui.app import MfaTuiApp

    opts = GlobalOptions(demo=True, demo_users=users)  # built as mfa_tui/cli.py does
    app = MfaTuiApp(connector=make_connector(opts), demo=opts.demo,
                    cache_key=opts.connection_key())
    lag = LoopLag()
    start = time.perf_counter()
    async with app.run_test(size=size) as pilot:
        lag.start()
        table = app.screen.query_one("#users")
        while row_count(table) < users:
            if time.perf_counter() - start > timeout:
                print(f"  the table did not fill in {timeout:.0f} s "
                      f"({row_count(table)} rows); giving up")
                return
            await asyncio.sleep(0.005)
        filled_s = time.perf_counter() - start
        await pilot.pause()
        await lag.stop()
        print(f"  table filled with {users} rows {filled_s:.2f} s after run_test started "
              "(demo server start and seeding included)")
        print(f"  event loop stalls while starting and loading: {lag.summary()}")

        try:
            box = app.screen.query_one("#filter")
        except NoMatches:
            print("  filter: not available yet (no #filter on the main screen)")
            return
        names = row_names(table)
        print("  keystroke latency = key sent until #users shows the right row count, as seen "
              f"from the app's event loop; {rounds} rounds of '/', {text!r}, Enter, Esc:")
        per_key: dict[str, list[float]] = {}
        counts: dict[str, int] = {}
        escapes: list[float] = []
        for _ in range(rounds):
            await pilot.press("slash")
            await pilot.pause()
            if app.focused is not box:
                print(f"  filter: not available yet ('/' focused {app.focused!r}, not #filter)")
                return
            typed = ""
            for key in text:
                typed += key
                expected = (sum(typed.lower() in n.lower() for n in names)
                            if names is not None else None)
                took, count, matched = await keystroke(pilot, table, key, expected)
                per_key.setdefault(typed, []).append(took)
                counts[typed] = count
                if not matched:
                    print(f"  filter {typed!r}: {count} rows, expected {expected}; timed until "
                          "the count settled")
            _, kept, _ = await keystroke(pilot, table, "enter", None)
            if kept != counts[typed] or app.focused is box:
                print(f"  Enter: {kept} rows, focus on {app.focused!r} (filter not kept?)")
            took, count, matched = await keystroke(pilot, table, "escape", users)
            escapes.append(took)
            if not matched:
                print(f"  Esc: {count} rows, not every row came back")
        for typed, times in per_key.items():
            runs = " ".join(f"{1000 * t:.0f}" for t in times)
            print(f"  filter {typed!r:7}: {counts[typed]:5d} rows  "
                  f"median {1000 * median(times):6.1f} ms, worst {1000 * max(times):6.1f} ms  "
                  f"(runs: {runs})")
        print(f"  Esc back to {users} rows:  median {1000 * median(escapes):6.1f} ms, "
              f"worst {1000 * max(escapes):6.1f} ms")
        worst = max(max(times) for times in per_key.values())
        verdict = "met" if worst <= TARGET_KEY_S else "NOT met"
        print(f"  worst keystroke {1000 * worst:.0f} ms  "
              f"[target <= {1000 * TARGET_KEY_S:.0f} ms, aim {1000 * AIM_KEY_S:.0f} ms: "
              f"{verdict}]")


# -- main ---------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=5000, help="demo account size (5000)")
    parser.add_argument("--size", type=parse_size, default=(80, 24),
                        help="terminal size WxH (80x24)")
    parser.add_argument("--pilot-size", type=parse_size, default=(120, 40),
                        help="size of the in-process Pilot run WxH (120x40)")
    parser.add_argument("--repeat", type=int, default=5, help="launches of each app (5)")
    parser.add_argument("--small-users", type=int, default=60,
                        help="also launch with this many demo users (60, the default "
                        "--demo-users; 0 skips)")
    parser.add_argument("--filter-text", default="ali", help="what to type in the filter (ali)")
    parser.add_argument("--no-endpoint", action="store_true",
                        help="skip the launch against a moto server outside mfa-tui")
    parser.add_argument("--filter-rounds", type=int, default=5,
                        help="times the filter sequence is typed (5)")
    parser.add_argument("--timeout", type=float, default=90.0, help="per launch (90 s)")
    parser.add_argument("--skip-terminal", action="store_true", help="only the Pilot part")
    parser.add_argument("--skip-pilot", action="store_true", help="only the terminal part")
    return parser.parse_args(None if argv is None else list(argv))


_endpoint_url: dict[int, str] = {}


def endpoint_env(users: int) -> dict[str, str]:
    """Dummy credentials and the loopback endpoint of a demo server in this process."""
    if users not in _endpoint_url:
        from mfa_tui.demo import start_demo

        _endpoint_url[users] = start_demo(users).url
    return {
        "AWS_ACCESS_KEY_ID": "testing",  # moto accepts anything; never real credentials
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": _endpoint_url[users],
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


def endpoint_target(cli: str, users: int, label: str) -> Target:
    """mfa-tui against the demo account served from this process (moto not in mfa-tui)."""
    url = endpoint_env(users)["AWS_ENDPOINT_URL"]
    return Target(f"mfa-tui --endpoint-url (moto with {users} users in the benchmark's "
                  f"process), {label}", [cli, "--endpoint-url", url, "--region", "us-east-1"],
                  mfa_tui_first_paint, mfa_tui_ready, mfa_tui_confirmed)


AWS_ALONE = """
from mfa_tui.aws.inventory import fetch_credential_report
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.inventory_merge import Attachments, report_users
conn = AwsConnection(ConnectionOptions())
conn.caller()
rows, when, _ = fetch_credential_report(conn.client("iam"))
assert len(report_users(rows, Attachments(), report_is_old=False)) > 0
"""


def aws_alone(users: int, repeat: int) -> float:
    """Seconds from spawn to the report's table built, in a Python with no Textual at all."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({**endpoint_env(users), "PYTHONPYCACHEPREFIX": PYCACHE})
    subprocess.run([sys.executable, "-c", AWS_ALONE], env=env, check=True)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", AWS_ALONE], env=env, check=True)
        times.append(time.perf_counter() - start)
    print(f"  the AWS part alone, no UI (python -c: import botocore, caller, credential "
          f"report, {users} rows built): median {median(times):.2f} s  "
          f"(runs: {' '.join(f'{t:.2f}' for t in times)})")
    return median(times)


def terminal_part(args: argparse.Namespace) -> None:
    width, height = args.size
    print(f"launch in tmux {width}x{height}, {args.repeat} runs each, screen polled every "
          f"{1000 * POLL_S:.0f} ms:")
    cli = str(VENV_BIN / "mfa-tui")
    if not Path(cli).exists():
        raise SystemExit(f"{cli} is missing: pip install -e . in the venv")

    def demo(users: int, label: str) -> Target:
        return Target(f"mfa-tui --demo --demo-users {users}, {label}",
                      [cli, "--demo", "--demo-users", str(users)],
                      mfa_tui_first_paint, mfa_tui_ready, mfa_tui_confirmed)

    rows: list[tuple[str, list[Launch]]] = []
    with tempfile.TemporaryDirectory(prefix="mfa-tui-bench-") as tmp:
        root = Path(tmp)
        bare_script = root / "bare_app.py"
        bare_script.write_text(BARE_APP)
        fresh_dirs = iter(range(10**6))

        def fresh_state() -> str:  # an empty state dir: no inventory cache
            path = root / f"state-{next(fresh_dirs)}"
            path.mkdir()
            return str(path)

        def warm_state() -> str:  # the same state dir every time: the cache of the last run
            return str(root / "state-warm")

        bare_target = Target("bare Textual app, 20-row DataTable",
                             [sys.executable, str(bare_script)], bare_first_paint, bare_ready)
        if args.no_endpoint:
            bare = launches(bare_target, args.size, args.repeat, args.timeout, fresh_state)
        else:  # the headline ratio: the two take turns, launch by launch
            env = endpoint_env(args.users)
            bare, first = alternating(
                [(bare_target, None), (endpoint_target(cli, args.users, "no cache"), env)],
                args.size, args.repeat, args.timeout, fresh_state)
            rows.append((f"{args.users} users, --endpoint-url, first launch (no cache)", first))
            (root / "state-warm").mkdir()
            launch(Tmux(args.size), endpoint_target(cli, args.users, "").command,
                   mfa_tui_first_paint, mfa_tui_ready, args.timeout,
                   {"XDG_STATE_HOME": warm_state(), **env}, linger_s=1.0,
                   confirmed=mfa_tui_confirmed)  # primes the cache
            cached = any((root / "state-warm").rglob("*.json"))
            rows.append((f"{args.users} users, --endpoint-url, second launch", launches(
                endpoint_target(cli, args.users, "second launch" + (
                    " (table from the inventory cache)" if cached else " (NO cache written)")),
                args.size, args.repeat, args.timeout, warm_state, env)))
        rows.append((f"{args.users} users, --demo (moto and seeding inside), no cache",
                     launches(demo(args.users, "no cache"), args.size, args.repeat,
                              args.timeout, fresh_state)))
        if args.small_users:
            rows.append((f"{args.small_users} users, --demo, no cache",
                         launches(demo(args.small_users, "no cache"), args.size,
                                  args.repeat, args.timeout, fresh_state)))
    alone = None if args.no_endpoint else aws_alone(args.users, args.repeat)

    bare_ready_s = median(r.ready_s for r in bare)
    print(f"  ratios to the bare app (ready {bare_ready_s:.2f} s); target <= {TARGET_RATIO}x, "
          f"aim {AIM_RATIO}x:")
    for label, runs in rows:
        filled = median(r.ready_s for r in runs) / bare_ready_s
        verdict = "met" if filled <= TARGET_RATIO else "NOT met"
        confirmed = [r.confirmed_s for r in runs if r.confirmed_s is not None]
        tail = (f"; complete live read {median(confirmed) / bare_ready_s:4.1f}x"
                if confirmed else "")
        print(f"    {label}: table filled {filled:4.1f}x [{verdict}]{tail}")
    if alone is not None:
        print(f"    the AWS part alone, no UI: {alone / bare_ready_s:4.1f}x (the floor of a "
              "first launch in one process, before any Textual work)")
    first = rows[0][1]
    paint_ratio = median(r.first_paint_s for r in first) / median(r.first_paint_s for r in bare)
    print(f"  ratio first paint / bare app's first paint: {paint_ratio:.1f}x")
    if not args.no_endpoint:  # launched in turns: each first launch beside its bare launch
        pairs = sorted(m.ready_s / b.ready_s for m, b in zip(first, bare, strict=True))
        print(f"  spread, first launch / the bare launch beside it: {pairs[0]:.1f}x-"
              f"{pairs[-1]:.1f}x, median {median(pairs):.1f}x over {len(pairs)} pairs")
    for label, runs in rows:
        rss = median(r.rss_mb for r in runs)
        verdict = "met" if rss < TARGET_RSS_MB else "NOT met"
        print(f"  peak RSS of mfa-tui + its prefetch helper, {label}: median {rss:.0f} MB  "
              f"[target < {TARGET_RSS_MB} MB: {verdict}]")
    print(f"  bare app RSS: median {median(r.rss_mb for r in bare):.0f} MB")
    with tempfile.TemporaryDirectory(prefix="mfa-tui-bench-idle-") as state:
        idle = launch(Tmux(args.size), demo(args.users, "").command, mfa_tui_first_paint,
                      mfa_tui_ready, args.timeout, {"XDG_STATE_HOME": state}, linger_s=5.0,
                      confirmed=mfa_tui_confirmed)
    if idle.idle_cpu_pct is not None:
        print(f"  mfa-tui idle CPU once filled ({args.users} users), over 5 s: "
              f"{idle.idle_cpu_pct:.1f}% of one core")


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"mfa-tui TUI benchmark, {args.users} users, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    if not args.skip_terminal:
        terminal_part(args)
        print()
    if not args.skip_pilot:
        width, height = args.pilot_size
        print(f"in-process (Pilot, run_test size {width}x{height}), {args.users} users:")
        with tempfile.TemporaryDirectory(prefix="mfa-tui-bench-state-") as state:
            os.environ["XDG_STATE_HOME"] = state  # no inventory cache: the table is live data
            asyncio.run(pilot_run(args.users, args.pilot_size, args.filter_text,
                                  args.filter_rounds, args.timeout))
        print()
    print(f"load average now {os.getloadavg()[0]:.2f} (other work on the machine skews times)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
