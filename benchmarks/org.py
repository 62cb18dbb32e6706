"""Organization-mode benchmark: an organization of 100 member accounts x 50 users on moto.

A moto server runs in a child process (so it does not share this process's GIL), behind the
tests' fault injector adding a round trip (default 40 ms) to every AWS call; dummy
credentials on 127.0.0.1: nothing leaves the machine. It prints:

* calls per member account, by operation (AssumeRole included; target <= 12);
* one member account's read (AssumeRole + inventory + root MFA) against the whole
  organization's read in the same run (target <= 2.5x), at --org-workers 8 (the default)
  and at each --workers value given;
* the time to the first 10 account rows on screen: `mfa-tui --org` in tmux (80x24);
* the peak RSS of `mfa-tui --org report --format json` and of the TUI (target < 300 MB);
* the floor: the CPU seconds this process and moto spent on the whole organization, and the
  least wall time they allow on this machine's cores (each side is one Python process, so
  one core at a time under its GIL), as a ratio to one account.

moto's server (werkzeug 3.x) answers every request with ``Connection: close``, whatever the
handler's protocol version, so each call is a new TCP connection where AWS would keep one
open. Serving the same app with keep-alive (waitress, HTTP/1.1, 16 threads) was measured
here and was not faster (100 accounts: client 5.9 s CPU vs 5.4-5.9 s, wall 9.3 s vs 8.5 s),
so the child keeps moto's own server: connections are not where the time goes.

    .venv/bin/python benchmarks/org.py [--accounts 100] [--users 50] [--rtt-ms 40]
                                       [--workers 8,32] [--skip-terminal]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_CALLS, TARGET_RATIO, TARGET_RSS_MB = 12, 2.5, 300.0
MANAGEMENT = "123456789012"

#: The child: moto behind the fault injector; seeds the organization, then answers
#: "counts" (requests by access key and action since the last "clear") on stdin.
SERVER = r"""
import json, sys
from collections import Counter
from tests.fixtures.moto_server import MotoServer
accounts, users, rtt = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
server = MotoServer().start()
from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends
orgs = organizations_backends["123456789012"]["aws"]
orgs.create_organization(region="us-east-1", FeatureSet="ALL")
ids = []
for n in range(accounts):
    orgs.create_account(AccountName=f"member-{n:03d}", Email=f"m{n}@example.com")
    ids.append(orgs.accounts[-1].id)
for account in ["123456789012", *ids]:
    b = iam_backends[account]["global"]
    for u in range(users):
        name = f"user-{u:03d}"
        b.create_user("us-east-1", name, path="/")
        if u % 3:
            b.create_login_profile(name, "Bench-Passw0rd!")
        if u % 3 == 1:
            d = b.create_virtual_mfa_device(name, "/")
            b.enable_mfa_device(name, d.serial_number, "123456", "654321")
        if u % 5 == 0:
            b.create_access_key(name)
server.faults.add_latency(rtt)
print(json.dumps({"url": server.url, "members": ids}), flush=True)
for line in sys.stdin:
    if line.strip() == "counts":
        got = Counter((r.access_key_id or "", r.action or "") for r in server.faults.requests)
        print(json.dumps([[k, a, n] for (k, a), n in got.items()]), flush=True)
    elif line.strip() == "clear":
        server.faults.clear_requests()
        print("[]", flush=True)
"""


class Server:
    """The moto child process."""

    def __init__(self, accounts: int, users: int, rtt_s: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(accounts), str(users), str(rtt_s)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        hello = json.loads(self.proc.stdout.readline())
        self.url: str = hello["url"]
        self.members: list[str] = hello["members"]

    def _ask(self, what: str) -> list[list[object]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return list(json.loads(self.proc.stdout.readline()))

    def counts(self) -> Counter[tuple[str, str]]:
        return Counter({(str(k), str(a)): int(str(n)) for k, a, n in self._ask("counts")})

    def clear(self) -> None:
        self._ask("clear")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def env_for(url: str, state: str) -> dict[str, str]:
    return {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": url,
            "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "XDG_STATE_HOME": state, "NO_PROXY": "127.0.0.1,localhost"}


def session(url: str, workers: int) -> object:
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions
    from mfa_tui.engine.org import OrgOptions, OrgSession

    conn = AwsConnection(ConnectionOptions(region="us-east-1", endpoint_url=url,
                                           access_key_id="testing",
                                           secret_access_key="testing"))
    return OrgSession(conn, OrgOptions(workers=workers))


def measure_reads(server: Server, workers: list[int], runs: int) -> None:
    from tmux_launch import cpu_seconds

    from mfa_tui.engine.org import OrgSession

    print(f"\n== reads ({len(server.members)} member accounts; median of {runs} runs) ==")
    # One member account, alone: a new role session, its inventory and its root MFA.
    singles, calls = [], Counter[str]()
    single_cpu, single_server = [], []
    for run in range(runs):
        org = session(server.url, 8)
        assert isinstance(org, OrgSession)
        account = org.account(server.members[run % len(server.members)])
        server.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        server_start = cpu_seconds(server.proc.pid) or 0.0
        result = org.read_account(account)
        singles.append(time.perf_counter() - start)
        single_cpu.append(time.process_time() - start_cpu)
        single_server.append((cpu_seconds(server.proc.pid) or 0.0) - server_start)
        assert result.inventory is not None, result.error
        if run == 0:
            calls = Counter({a: n for (_, a), n in server.counts().items()})
    one = statistics.median(singles)
    total_calls = sum(calls.values())
    print(f"one member account: {one:.2f} s, {total_calls} calls "
          f"({', '.join(f'{a} {n}' for a, n in calls.most_common())}); CPU: this process "
          f"{statistics.median(single_cpu) * 1000:.0f} ms, moto "
          f"{statistics.median(single_server) * 1000:.0f} ms")
    print(f"  calls per account: {total_calls} — target <= {TARGET_CALLS}: "
          f"{'met' if total_calls <= TARGET_CALLS else 'NOT met'}")
    floors: list[tuple[float, float]] = []
    for n in workers:
        times, cpu, server_cpu = [], [], []
        for _ in range(runs):
            org = session(server.url, n)
            assert isinstance(org, OrgSession)
            org.organization()
            server.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            server_start = cpu_seconds(server.proc.pid) or 0.0
            inv = org.read_all()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            server_cpu.append((cpu_seconds(server.proc.pid) or 0.0) - server_start)
            assert inv.errors == 0
        counts = server.counts()
        per_key = Counter(k for (k, a), c in counts.items() for _ in range(c)
                          if a != "AssumeRole")
        members = [c for k, c in per_key.items() if k != "testing"]
        assumes = sum(c for (_, a), c in counts.items() if a == "AssumeRole")
        worst = max(members) + 1 if members else 0
        whole = statistics.median(times)
        ratio = whole / one
        print(f"whole organization, --org-workers {n}: {whole:.2f} s = {ratio:.1f}x one "
              f"account — target <= {TARGET_RATIO}x: "
              f"{'met' if ratio <= TARGET_RATIO else 'NOT met'}")
        client_s, moto_s = statistics.median(cpu), statistics.median(server_cpu)
        print(f"  calls per member account (last run, AssumeRole included): max {worst}, "
              f"median {statistics.median(members) + 1:.0f}; AssumeRole {assumes}; "
              f"CPU: this process {client_s:.2f} s "
              f"({client_s / len(server.members) * 1000:.0f} ms an account), "
              f"moto {moto_s:.2f} s ({moto_s / len(server.members) * 1000:.0f} ms an account)")
        floors.append((client_s, moto_s))
    if floors:
        print_floor(one, *min(floors, key=sum))


def print_floor(one: float, client_s: float, moto_s: float) -> None:
    """The least time any schedule could take for the CPU this read used, as a ratio.

    Each side is one Python process, so each runs its CPU on one core at a time (the GIL);
    together they share this machine's cores. Waiting on the round trips comes on top.
    """
    cores = os.cpu_count() or 1
    floor = max(client_s, moto_s, (client_s + moto_s) / cores)
    print(f"floor: this process {client_s:.2f} s CPU, moto {moto_s:.2f} s CPU, on {cores} "
          f"cores -> the organization cannot be read in under {floor:.2f} s here = "
          f"{floor / one:.1f}x one account, before any round trip is waited on")


def measure_rss(server: Server) -> None:
    with tempfile.TemporaryDirectory() as state:
        start = time.perf_counter()
        proc = subprocess.run([str(Path(sys.executable).with_name("mfa-tui")), "--org",
                               "report", "--format", "json"], env=env_for(server.url, state),
                              capture_output=True, text=True, timeout=600)
        took = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1000  # KiB -> MB
    accounts = len(json.loads(proc.stdout)["accounts"]) if proc.returncode == 0 else 0
    print(f"\n`mfa-tui --org report --format json`: exit {proc.returncode}, {accounts} "
          f"accounts, {took:.2f} s, peak RSS {rss:.0f} MB — target < {TARGET_RSS_MB:.0f} MB: "
          f"{'met' if rss < TARGET_RSS_MB else 'NOT met'}")


def ten_rows(screen: str) -> bool:
    return sum(1 for line in screen.splitlines()
               if line.rstrip().endswith((" ok", " error"))) >= 10


def measure_terminal(server: Server, repeat: int) -> None:
    from tmux_launch import Tmux, launch

    print(f"\n== `mfa-tui --org` in tmux, 80x24 (median of {repeat}) ==")
    firsts, readies, rss = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as state:
            got = launch(Tmux((80, 24)), [str(Path(sys.executable).with_name("mfa-tui")),
                                          "--org"],
                         first_paint=lambda s: "organization" in s or "mfa-tui" in s,
                         ready=ten_rows, timeout=120, env=env_for(server.url, state))
        firsts.append(got.first_paint_s)
        readies.append(got.ready_s)
        rss.append(got.rss_mb)
    print(f"first paint {statistics.median(firsts):.2f} s; first 10 account rows read and "
          f"on screen {statistics.median(readies):.2f} s; peak RSS {max(rss):.0f} MB — target "
          f"< {TARGET_RSS_MB:.0f} MB: {'met' if max(rss) < TARGET_RSS_MB else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100, help="member accounts")
    parser.add_argument("--users", type=int, default=50, help="users per account")
    parser.add_argument("--rtt-ms", type=float, default=40.0, help="added to every call")
    parser.add_argument("--workers", default="8,32",
                        help="--org-workers values to time (comma-separated)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="tmux launches")
    parser.add_argument("--skip-terminal", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    server = Server(args.accounts, args.users, args.rtt_ms / 1000)
    print(f"organization: {args.accounts} member accounts x {args.users} users + the "
          f"management account, {args.rtt_ms:.0f} ms added to every call "
          f"(seeded in {time.perf_counter() - start:.1f} s)")
    try:
        measure_reads(server, [int(w) for w in args.workers.split(",")], args.runs)
        measure_rss(server)
        if not args.skip_terminal:
            measure_terminal(server, args.repeat)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
