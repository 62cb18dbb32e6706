"""Apply benchmark: the enforcement engine on 1,000 users with 40 ms of server latency.

Everything runs on 127.0.0.1: a moto server wrapped in the test harness's FaultInjector
(tests/fixtures/moto_server.py), dummy credentials, nothing leaves the machine. Prints:

* the pool (``--workers``, default 10 as the CLI) against the same engine with 1 worker
  (sequential), in the same run: the pool should take at most 1/5 of the sequential time;
* the pool under 15% injected throttling (every action), with botocore's **standard** and
  **adaptive** retry modes on the one shared client; lost attachments (targets not attached,
  or attached twice) must be zero;
* the seed's shell loop as the baseline: one ``python -c 'import boto3; ...
  attach_user_policy(...)'`` process per user (and the ``aws`` CLI if installed), timed on
  a sample of users and extrapolated linearly (labelled as such); the pool should be 50x
  faster or more.

    .venv/bin/python benchmarks/apply.py [--users 1000] [--latency-ms 40] [--workers 10]
        [--throttle 0.15] [--sample 20] [--skip-sequential] [--skip-adaptive]
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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fixtures

from botocore.config import Config
from moto.iam.models import iam_backends

from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.plan_models import Plan, Selection
from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.run_result import DEFAULT_WORKERS, RunResult
from mfa_tui.engine.plan_inputs import load_plan
from mfa_tui.engine.runs import apply_plan
from tests.fixtures.moto_server import MotoServer

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iam::{ACCOUNT}:policy/EnforceMFAPolicy"
SPEEDUP_POOL, SPEEDUP_SHELL = 5.0, 50.0


def seed(server: MotoServer, users: int) -> list[str]:
    """A fresh account: ``users`` console users without MFA, no policy yet (moto backend)."""
    server.reset()
    backend = iam_backends[ACCOUNT]["global"]
    names = [f"user{i:05d}" for i in range(users)]
    for name in names:
        backend.create_user(REGION, name, path="/")
        backend.create_login_profile(name, "Bench-Password-1!")
    return names


def connect(url: str, mode: str = "standard") -> AwsConnection:
    """The connection the CLI would make, with the retry mode under test."""
    conn = AwsConnection(ConnectionOptions(region=REGION, endpoint_url=url,
                                           access_key_id="testing",
                                           secret_access_key="testing"))
    if mode != "standard":  # the benchmark's one reach inside: same config, other mode
        conn._config = conn._config.merge(Config(retries={"mode": mode,
                                                          "total_max_attempts": 8}))
    return conn


@dataclass
class Run:
    """One timed apply."""

    label: str
    plan_s: float
    apply_s: float
    result: RunResult
    attached: int
    duplicates: int
    throttled: int


def attached_now(names: list[str]) -> int:
    backend = iam_backends[ACCOUNT]["global"]
    policy = backend.managed_policies.get(ARN)
    if policy is None:
        return 0
    return sum(1 for n in names if ARN in backend.get_user(n).managed_policies)


def timed_apply(server: MotoServer, names: list[str], label: str, *, workers: int,
                latency: float, throttle: float = 0.0, mode: str = "standard") -> Run:
    seed(server, len(names))
    server.faults.reset_faults()
    server.faults.clear_requests()
    server.faults.add_latency(latency)
    if throttle:
        server.faults.throttle(probability=throttle, seed=2026)
    conn = connect(server.url, mode)
    with tempfile.TemporaryDirectory() as journal_dir:
        t0 = time.perf_counter()
        plan: Plan = load_plan(conn, Selection(), directory=Path(journal_dir))
        t1 = time.perf_counter()
        result = apply_plan(conn, plan, workers=workers,
                            directory=Path(journal_dir))
        t2 = time.perf_counter()
    acted = Counter(str(r.params.get("UserName")) for r in server.faults.requests
                    if r.action == "AttachUserPolicy" and r.fault in (None, "drop"))
    throttled = sum(1 for r in server.faults.requests if r.fault == "throttle")
    server.faults.reset_faults()
    return Run(label, t1 - t0, t2 - t1, result, attached_now(names),
               sum(c - 1 for c in acted.values() if c > 1), throttled)


def report(run: Run, users: int) -> None:
    lost = users - run.attached
    print(f"  {run.label:<34} apply {run.apply_s:7.2f} s  ({users / run.apply_s:6.1f} users/s)"
          f"  plan {run.plan_s:5.2f} s  failed {len(run.result.failed)}  lost {lost}"
          f"  duplicates {run.duplicates}  throttled answers {run.throttled}")


def shell_loop(server: MotoServer, names: list[str], sample: int, latency: float,
               command: Callable[[str], list[str]]) -> float:
    """Seconds per user of one process per user, on ``sample`` users (sequential)."""
    seed(server, len(names))
    backend = iam_backends[ACCOUNT]["global"]
    backend.create_policy("", "/", _template_text(), "EnforceMFAPolicy", [])
    server.faults.reset_faults()
    server.faults.add_latency(latency)
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": server.url,
           "NO_PROXY": "127.0.0.1,localhost"}
    times = []
    for name in names[:sample]:
        t0 = time.perf_counter()
        subprocess.run(command(name), env=env, check=True, capture_output=True, timeout=60)
        times.append(time.perf_counter() - t0)
    server.faults.reset_faults()
    return statistics.mean(times)


def _template_text() -> str:
    import json

    return json.dumps(load_template("enforce-mfa"))


def _python_c(name: str) -> list[str]:
    code = ("import boto3; boto3.client('iam').attach_user_policy("
            f"UserName={name!r}, PolicyArn={ARN!r})")
    return [sys.executable, "-c", code]


def _aws_cli(name: str) -> list[str]:
    return ["aws", "iam", "attach-user-policy", "--user-name", name, "--policy-arn", ARN]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--latency-ms", type=float, default=40.0)
    p.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    p.add_argument("--throttle", type=float, default=0.15)
    p.add_argument("--sample", type=int, default=20)
    p.add_argument("--skip-sequential", action="store_true")
    p.add_argument("--skip-adaptive", action="store_true")
    args = p.parse_args(argv)
    latency = args.latency_ms / 1000
    os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="mfa-tui-bench-"))
    server = MotoServer().start()
    try:
        names = seed(server, args.users)
        print(f"{args.users} users, {args.latency_ms:.0f} ms injected latency on every "
              f"request, moto on {server.url}\n")
        pool = timed_apply(server, names, f"pool ({args.workers} workers)",
                           workers=args.workers, latency=latency)
        report(pool, args.users)
        if not args.skip_sequential:
            seq = timed_apply(server, names, "sequential (1 worker)", workers=1,
                              latency=latency)
            report(seq, args.users)
            ratio = seq.apply_s / pool.apply_s
            verdict = "ok" if ratio >= SPEEDUP_POOL else "MISSED"
            print(f"  pool / sequential: 1/{ratio:.1f} of the time "
                  f"(target at most 1/{SPEEDUP_POOL:.0f}: {verdict})")
        print(f"\nunder {args.throttle:.0%} injected throttling (every action), "
              f"{args.workers} workers, one shared client:")
        std = timed_apply(server, names, "standard retries", workers=args.workers,
                          latency=latency, throttle=args.throttle)
        report(std, args.users)
        if not args.skip_adaptive:
            ada = timed_apply(server, names, "adaptive retries", workers=args.workers,
                              latency=latency, throttle=args.throttle, mode="adaptive")
            report(ada, args.users)
        print(f"\nbaseline: the seed's shell loop, one process per user, sequential "
              f"(timed on {args.sample} users, EXTRAPOLATED to {args.users}):")
        per_user = shell_loop(server, names, args.sample, latency, _python_c)
        total = per_user * args.users
        speedup = total / pool.apply_s
        verdict = "ok" if speedup >= SPEEDUP_SHELL else "MISSED"
        print(f"  python -c 'import boto3; ...'   {per_user * 1000:6.0f} ms/user → "
              f"~{total:7.0f} s for {args.users} (extrapolated); pool is {speedup:.0f}x faster "
              f"(target {SPEEDUP_SHELL:.0f}x: {verdict})")
        if shutil.which("aws"):
            per_user = shell_loop(server, names, args.sample, latency, _aws_cli)
            total = per_user * args.users
            print(f"  aws iam attach-user-policy       {per_user * 1000:6.0f} ms/user → "
                  f"~{total:7.0f} s for {args.users} (extrapolated); pool is "
                  f"{total / pool.apply_s:.0f}x faster")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
