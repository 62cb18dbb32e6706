"""On-call benchmark: `mfa-tui check USER` against one `aws iam list-mfa-devices` call.

What an on-call engineer runs instead of the `aws` CLI: both are spawned as a user would
(a fresh process each time, output read to the end), alternating run by run so that the
load of this shared machine falls on both alike, against the same moto server (the demo
account, in a process of its own, on 127.0.0.1, dummy credentials: nothing leaves the
machine). Prints each side's median and spread and the ratio of the medians (target 0.6).

    .venv/bin/python benchmarks/check.py [--runs 15] [--user alice] [--users 60]

The `aws` CLI is found on PATH (a pyenv shim is resolved to the real script, so its shell
start-up is not counted against it). The first run of each is a warm-up and not counted
(mfa-tui writes its botocore model cache then; the page cache is warm for both). Both run
with compiled bytecode, as installed programs do: ``PYTHONDONTWRITEBYTECODE`` (set on some
of these machines) is dropped and ``PYTHONPYCACHEPREFIX`` points into the run's temporary
folder, so each side's modules are compiled once, in its warm-up, and nothing is written
into the source tree. The load average is printed before and after: on a shared machine
a ratio is only as good as the quiet it was taken in.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from inventory import demo_server  # benchmarks/ is on sys.path when run as a script

TARGET_RATIO = 0.6
VENV_BIN = Path(sys.executable).parent


def aws_cli() -> list[str]:
    """The `aws` command, without a pyenv shim in front (that would only slow it down)."""
    found = shutil.which("aws")
    if not found:
        raise SystemExit("the aws CLI is not on PATH")
    pyenv = shutil.which("pyenv")
    if pyenv and "shims" in found:
        real = subprocess.run([pyenv, "which", "aws"], capture_output=True, text=True)
        if real.returncode == 0 and real.stdout.strip():
            found = real.stdout.strip()
    return [found]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):  # check: 1 = not compliant, a valid answer
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-400:]!r}")
    return elapsed


def spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4) if len(values) >= 4 else [min(values), 0, max(values)]
    return (f"median {statistics.median(values):.3f} s, IQR {q[0]:.3f}-{q[2]:.3f} s, "
            f"min {min(values):.3f} s, max {max(values):.3f} s")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15, help="counted runs of each (15)")
    parser.add_argument("--user", default="alice", help="the user to check (alice)")
    parser.add_argument("--users", type=int, default=60, help="demo account size (60)")
    return parser.parse_args(list(argv) if argv is not None else None)


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    with demo_server(args.users, in_process=False) as url, \
            tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k not in ("PYTHONDONTWRITEBYTECODE",
                                                         "PYTHONPYCACHEPREFIX")}
        env.update({
            "AWS_ACCESS_KEY_ID": "testing",  # moto accepts anything; never real credentials
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.path.join(home, "config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "MFA_TUI_NO_PREFETCH": "1",
            "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache"),
        })
        ours = [str(VENV_BIN / "mfa-tui"), "--endpoint-url", url, "check", args.user]
        theirs = [*aws_cli(), "--endpoint-url", url, "iam", "list-mfa-devices",
                  "--user-name", args.user]
        print(f"moto demo account ({args.users} users) at {url}; {args.runs} runs each, "
              f"alternating, after one warm-up each; load average {load()}")
        print(f"  mfa-tui: {' '.join(ours[1:])}")
        print(f"  aws:     {' '.join(theirs)}")
        timed(ours, env)
        timed(theirs, env)
        mine: list[float] = []
        aws: list[float] = []
        for i in range(args.runs):
            pair = [(ours, mine), (theirs, aws)]
            for command, into in pair if i % 2 == 0 else reversed(pair):
                into.append(timed(command, env))
    print(f"load average now {load()}")
    ratio = statistics.median(mine) / statistics.median(aws)
    ratios = sorted(m / a for m, a in zip(mine, aws, strict=True))
    print(f"mfa-tui check:         {spread(mine)}")
    print(f"aws list-mfa-devices:  {spread(aws)}")
    print(f"ratio of the medians:  {ratio:.2f} (target <= {TARGET_RATIO}: "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}); per-pair ratios "
          f"{ratios[0]:.2f}-{ratios[-1]:.2f}, median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
