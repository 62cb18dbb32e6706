"""Inventory benchmark: API calls, wall time and memory of load_inventory vs the naive scan.

Runs the embedded demo account (moto on 127.0.0.1, dummy credentials: nothing leaves the
machine), then prints, for N users (default 5,000):

* the calls ``load_inventory(conn)`` and ``load_inventory(conn, exact=True)`` make, by
  operation, and their wall time (cold first run, then the median of warm runs);
* the calls the same run would make on real AWS, where every IAM list returns 100 items a page
  unless asked for more (moto ignores paging for some lists, so it undercounts);
* the naive scan (``ListUsers``, then ``GetLoginProfile`` + ``ListMFADevices`` per user),
  sequential and with 8 threads, on a random sample of users, extrapolated linearly;
* the same comparison with a simulated network round trip (``--rtt-ms``), because loopback
  calls cost ~6 ms where real IAM calls cost 50 ms or more;
* ``load_inventory`` with botocore's default (dateutil) timestamp parser, for comparison;
* the process's resident memory (the moto server and its seeded account included).

    .venv/bin/python benchmarks/inventory.py [--users N] [--runs 3] [--sample 500] [--rtt-ms 50]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from mfa_tui.aws.inventory import load_inventory
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.models import Inventory
from mfa_tui.demo import start_demo

REGION = "us-east-1"
DUMMY_KEY = "testing"  # moto accepts anything; never real credentials
AWS_DEFAULT_PAGE = 100  # IAM's MaxItems when a request does not set it
AWS_MAX_PAGE = 1000  # the largest MaxItems IAM's list operations accept
#: Paged IAM operations and the response keys holding their items.
PAGED_ITEMS: dict[str, tuple[str, ...]] = {
    "ListUsers": ("Users",),
    "ListVirtualMFADevices": ("VirtualMFADevices",),
    "ListEntitiesForPolicy": ("PolicyUsers", "PolicyGroups", "PolicyRoles"),
    "GetGroup": ("Users",),
    "ListMFADevices": ("MFADevices",),
    "ListAccountAliases": ("AccountAliases",),
}
TARGET_CALLS, AIM_CALLS, TARGET_SPEEDUP = 20, 12, 100.0


@dataclass
class CallLog:
    """HTTP requests (retries included) and modelled real-AWS calls, by operation."""

    requests: Counter[str] = field(default_factory=Counter)
    modelled: Counter[str] = field(default_factory=Counter)
    modelled_max_page: Counter[str] = field(default_factory=Counter)

    def text(self) -> str:
        ops = sorted(self.requests, key=lambda op: (-self.requests[op], op))
        return ", ".join(f"{op} {self.requests[op]}" for op in ops)

    def modelled_text(self) -> str:
        ops = sorted(self.modelled, key=lambda op: (-self.modelled[op], op))
        return ", ".join(f"{op} {self.modelled[op]}" for op in ops)


class CountingConnection(AwsConnection):
    """An AwsConnection whose clients count every request and can add a simulated RTT.

    Clients are created lazily by ``client()``; each new one gets the event handlers once.
    ``before-send`` fires once per HTTP attempt; sleeping there releases the GIL like a real
    network wait. The page size a paginator asked for is read in ``provide-client-params`` and
    used in ``after-call`` to tell how many pages real AWS would have needed.
    """

    def __init__(
        self, options: ConnectionOptions, *, rtt_s: float = 0.0,
        timestamp_parser: Callable[[str], datetime] | None = None,
        botocore_lists: bool = False,
    ) -> None:
        super().__init__(options)
        self.rtt_s = rtt_s
        self.log = CallLog()
        self._log_lock = threading.Lock()
        self._hooked: set[int] = set()
        self._local = threading.local()
        if botocore_lists:  # comparison only: botocore's parser for the big lists too
            from botocore.parsers import ResponseParserFactory

            from mfa_tui.aws.timestamps import parse_timestamp

            plain = ResponseParserFactory()
            plain.set_parser_defaults(timestamp_parser=parse_timestamp)
            self._session.register_component("response_parser_factory", plain)
        if timestamp_parser is not None:  # comparison only: reaches into botocore's session
            factory = self._session.get_component("response_parser_factory")
            factory.set_parser_defaults(timestamp_parser=timestamp_parser)

    def client(self, service: str) -> Any:
        client = super().client(service)
        with self._log_lock:
            if id(client) not in self._hooked:
                self._hooked.add(id(client))
                events = client.meta.events
                events.register("provide-client-params", self._on_params)
                events.register("before-send", self._on_send)
                events.register("after-call", self._on_after_call)
        return client

    def reset(self) -> CallLog:
        """Return the calls counted so far and start counting afresh."""
        with self._log_lock:
            log, self.log = self.log, CallLog()
        return log

    def _on_params(self, params: dict[str, Any], **_: Any) -> None:
        self._local.page_size = params.get("MaxItems")

    def _on_send(self, event_name: str, **_: Any) -> None:
        with self._log_lock:
            self.log.requests[event_name.rsplit(".", 1)[-1]] += 1
        if self.rtt_s:
            time.sleep(self.rtt_s)
        # returning None lets botocore send the request

    def _on_after_call(self, event_name: str, parsed: dict[str, Any], **_: Any) -> None:
        op = event_name.rsplit(".", 1)[-1]
        pages = pages_at_max = 1
        if op in PAGED_ITEMS:
            items = sum(len(parsed.get(key) or ()) for key in PAGED_ITEMS[op])
            page = int(getattr(self._local, "page_size", None) or AWS_DEFAULT_PAGE)
            pages = max(1, math.ceil(items / page))
            pages_at_max = max(1, math.ceil(items / max(page, AWS_MAX_PAGE)))
        with self._log_lock:
            self.log.modelled[op] += pages
            self.log.modelled_max_page[op] += pages_at_max


def connect(url: str, **kwargs: Any) -> CountingConnection:
    """A connection to the demo server with dummy credentials."""
    options = ConnectionOptions(
        region=REGION, endpoint_url=url, access_key_id=DUMMY_KEY, secret_access_key=DUMMY_KEY
    )
    return CountingConnection(options, **kwargs)


def rss_mb() -> float:
    """Current resident set size of this process (VmRSS), in MB (10^6 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6  # KiB -> MB
    return float("nan")


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB -> MB


# -- ours ---------------------------------------------------------------------------------


@dataclass
class Timed:
    """Wall times of repeated runs and the calls of the last one."""

    cold_s: float
    warm_s: list[float]
    cold_calls: CallLog
    warm_calls: CallLog
    inventory: Inventory

    @property
    def median_s(self) -> float:
        return statistics.median(self.warm_s)


def time_inventory(conn: CountingConnection, runs: int, *, exact: bool = False) -> Timed:
    """One cold run (new connection: clients, caller, report generation), then warm runs."""
    conn.reset()
    start = time.perf_counter()
    inventory = load_inventory(conn, exact=exact)
    cold_s = time.perf_counter() - start
    cold_calls = conn.reset()
    warm_s: list[float] = []
    warm_calls = CallLog()
    for _ in range(runs):
        start = time.perf_counter()
        inventory = load_inventory(conn, exact=exact)
        warm_s.append(time.perf_counter() - start)
        warm_calls = conn.reset()
    return Timed(cold_s, warm_s, cold_calls, warm_calls, inventory)


def print_timed(label: str, timed: Timed, *, judge: bool = True) -> None:
    inv = timed.inventory
    total = sum(timed.cold_calls.requests.values())
    warm_total = sum(timed.warm_calls.requests.values())
    modelled = sum(timed.cold_calls.modelled.values())
    print(f"{label}: {len(inv.users)} users, {inv.non_compliant} non-compliant")
    print(f"  first run (new connection) {timed.cold_s:6.2f} s   {total} calls: "
          f"{timed.cold_calls.text()}")
    runs = " ".join(f"{s:.2f}" for s in timed.warm_s)
    print(f"  warm runs  median {timed.median_s:6.2f} s   {warm_total} calls: "
          f"{timed.warm_calls.text()}   (runs: {runs})")
    verdict = "met" if modelled <= TARGET_CALLS else "NOT met"
    target = (f"   [target <= {TARGET_CALLS}, aim {AIM_CALLS}: {verdict}]" if judge
              else "   (opt-in: one live lookup per user with a non-virtual device)")
    print(f"  on real AWS (100 items a page unless asked): {modelled} calls: "
          f"{timed.cold_calls.modelled_text()}{target}")
    at_max = sum(timed.cold_calls.modelled_max_page.values())
    if at_max < modelled:
        print(f"  on real AWS if every list asked for {AWS_MAX_PAGE} a page: {at_max} calls")


# -- the naive scan ------------------------------------------------------------------------


def naive_list_users(iam: Any) -> list[str]:
    """``ListUsers`` the way scripts usually do it: the paginator, default page size."""
    return [
        u["UserName"] for page in iam.get_paginator("list_users").paginate()
        for u in page["Users"]
    ]


def naive_user(iam: Any, name: str) -> bool:
    """IAM.5 for one user, live: ``GetLoginProfile`` + ``ListMFADevices``."""
    try:
        iam.get_login_profile(UserName=name)
        console = True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise
        console = False
    devices = [
        d for page in iam.get_paginator("list_mfa_devices").paginate(UserName=name)
        for d in page["MFADevices"]
    ]
    return not console or bool(devices)


@dataclass
class Naive:
    """A naive scan over a sample of users, extrapolated to all of them."""

    users: int
    sample: list[str]
    list_s: float
    list_calls: int  # modelled real-AWS ListUsers pages
    sequential_s: float
    parallel_s: float
    compliant: dict[str, bool]

    def extrapolate(self, sample_s: float) -> float:
        return self.list_s + sample_s * self.users / len(self.sample)

    @property
    def calls(self) -> int:
        return self.list_calls + 2 * self.users

    @property
    def extrapolated(self) -> bool:
        return len(self.sample) < self.users


def run_naive(conn: CountingConnection, sample_size: int, workers: int, seed: int) -> Naive:
    """Time the naive scan: ListUsers once in full, then per-user calls on a sample."""
    iam = conn.client("iam")
    conn.reset()
    start = time.perf_counter()
    names = naive_list_users(iam)
    list_s = time.perf_counter() - start
    list_calls = conn.reset().modelled["ListUsers"]
    sample = random.Random(seed).sample(names, min(sample_size, len(names)))

    start = time.perf_counter()
    compliant = {name: naive_user(iam, name) for name in sample}
    sequential_s = time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda name: naive_user(iam, name), sample))
    parallel_s = time.perf_counter() - start
    conn.reset()
    return Naive(len(names), sample, list_s, list_calls, sequential_s, parallel_s, compliant)


def print_naive(naive: Naive, ours_s: float, workers: int, what: str) -> None:
    label = (f"extrapolated from a random sample of {len(naive.sample)} users"
             if naive.extrapolated else "measured on every user")
    print(f"naive scan, {what} ({label}; ListUsers measured in full: {naive.list_s:.2f} s)")
    print(f"  calls on real AWS: {naive.calls} (ListUsers {naive.list_calls} + 2 x "
          f"{naive.users} users)")
    note = " (extrapolated)" if naive.extrapolated else ""
    for name, sample_s in (("sequential", naive.sequential_s),
                           (f"{workers} threads", naive.parallel_s)):
        total = naive.extrapolate(sample_s)
        per_user_ms = 1000 * sample_s / len(naive.sample)
        ratio = total / ours_s
        line = (f"  {name:<10} {total:8.1f} s{note}   {per_user_ms:5.1f} ms a user   "
                f"load_inventory is {ratio:6.1f}x faster")
        if name == "sequential":
            verdict = "met" if ratio >= TARGET_SPEEDUP else "NOT met"
            line += f"   [target >= {TARGET_SPEEDUP:.0f}x: {verdict}]"
        print(line)


def agreement(naive: Naive, inventory: Inventory) -> tuple[int, list[str]]:
    """How many sampled users the naive scan and the inventory agree on (IAM.5)."""
    by_name = {u.user: u.compliant for u in inventory.users}
    differ = [n for n, ok in naive.compliant.items() if by_name.get(n) != ok]
    return len(naive.compliant) - len(differ), differ


# -- main ---------------------------------------------------------------------------------


def bulk_reads_alone(url: str, runs: int) -> float:
    """Median seconds this server takes to answer the three bulk reads once, one after the
    other: the credential report, every ``ListUsers`` page and every assigned-virtual-device
    page, as raw HTTP with the bytes read and not parsed. No client library, no merge: any
    design that reads every user's state from these sources waits at least this long here.

    The requests are not signed (moto only reads the credential scope to route them) and go
    to the loopback server only.
    """
    import re

    scope = f"Credential={DUMMY_KEY}/20260101/{REGION}/iam/aws4_request"

    def call(query: str) -> bytes:
        request = urllib.request.Request(
            url + "/", data=f"Version=2010-05-08&{query}".encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                     "Authorization": f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host, "
                                      "Signature=0"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return bytes(response.read())

    def every_page(query: str) -> None:
        marker = ""
        while True:
            page = call(query + (f"&Marker={urllib.parse.quote(marker)}" if marker else ""))
            found = re.search(rb"<Marker>([^<]*)</Marker>", page)
            if b"<IsTruncated>true</IsTruncated>" not in page or found is None:
                return
            marker = found.group(1).decode()

    call("Action=GenerateCredentialReport")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call("Action=GetCredentialReport")
        every_page(f"Action=ListUsers&MaxItems={AWS_MAX_PAGE}")
        every_page(f"Action=ListVirtualMFADevices&AssignmentStatus=Assigned&MaxItems={AWS_MAX_PAGE}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


SERVER = """
import sys, time
from mfa_tui.demo import start_demo
print(start_demo(int(sys.argv[1])).url, flush=True)
while True:
    time.sleep(3600)
"""


@contextlib.contextmanager
def demo_server(users: int, *, in_process: bool) -> Iterator[str]:
    """The demo account's URL: moto in a process of its own (like AWS: the client and the
    server do not share a GIL), or in this one."""
    if in_process:
        yield start_demo(users).url
        return
    with subprocess.Popen([sys.executable, "-c", SERVER, str(users)], stdout=subprocess.PIPE,
                          text=True) as child:
        try:
            assert child.stdout is not None
            yield child.stdout.readline().strip()
        finally:
            child.kill()


def parse_args(argv: Iterable[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=5000, help="demo account size (5000)")
    parser.add_argument("--runs", type=int, default=3, help="warm runs for each median (3)")
    parser.add_argument("--sample", type=int, default=500,
                        help="users the naive scan visits; all when N is smaller (500)")
    parser.add_argument("--workers", type=int, default=8, help="threads of the parallel "
                        "naive scan (8, as load_inventory's live lookups)")
    parser.add_argument("--rtt-ms", type=float, default=50.0,
                        help="simulated round trip for the second comparison; 0 skips it (50)")
    parser.add_argument("--rtt-sample", type=int, default=50,
                        help="users the naive scan visits with the simulated round trip (50)")
    parser.add_argument("--no-what-if", action="store_true",
                        help="skip the timestamp-parser comparison")
    parser.add_argument("--seed", type=int, default=7, help="sample seed (7)")
    parser.add_argument("--moto-in-process", action="store_true",
                        help="run moto in this process (client and server then share a GIL)")
    return parser.parse_args(None if argv is None else list(argv))


def main(argv: Iterable[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"mfa-tui inventory benchmark, {args.users} users, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    start = time.perf_counter()
    with demo_server(args.users, in_process=args.moto_in_process) as url:
        where = "this process" if args.moto_in_process else "a process of its own"
        print(f"demo server {url} (moto {moto_version()}, in {where}) started and seeded in "
              f"{time.perf_counter() - start:.2f} s")
        print()
        run_all(args, url)
    print(f"load average now {os.getloadavg()[0]:.2f} (other work on the machine skews times)")
    print(f"memory: RSS now {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB "
          "(this process" + (": moto server + seeded account + client + inventories)"
                             if args.moto_in_process else ": client + inventories)"))
    return 0


def moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def run_all(args: argparse.Namespace, url: str) -> None:
    """Every measurement against the server at ``url``."""
    conn = connect(url)
    ours = time_inventory(conn, args.runs)
    print_timed("load_inventory(conn)", ours)
    exact = time_inventory(connect(url), args.runs, exact=True)
    print_timed("load_inventory(conn, exact=True)", exact, judge=False)
    print()

    naive = run_naive(connect(url), args.sample, args.workers, args.seed)
    print_naive(naive, ours.median_s, args.workers, "loopback")
    same, differ = agreement(naive, ours.inventory)
    print(f"  cross-check: naive and load_inventory agree on IAM.5 for {same}/"
          f"{len(naive.compliant)} sampled users" + (f"; differ: {differ[:5]}" if differ else ""))
    floor = bulk_reads_alone(url, args.runs)
    naive_s = naive.extrapolate(naive.sequential_s)
    print(f"  this server's floor: it answers the three bulk reads (report, ListUsers, virtual "
          f"devices; raw HTTP, not parsed) in {floor:.2f} s, so no design that reads every "
          f"user from them can be more than {naive_s / floor:.0f}x faster than the naive scan "
          f"on this server; load_inventory reaches {naive_s / ours.median_s:.0f}x")
    print()

    if args.rtt_ms > 0:
        rtt_s = args.rtt_ms / 1000
        print(f"with a simulated round trip of {args.rtt_ms:.0f} ms on every request:")
        rtt = time_inventory(connect(url, rtt_s=rtt_s), args.runs)
        print_timed("load_inventory(conn)", rtt)
        rtt_naive = run_naive(connect(url, rtt_s=rtt_s), args.rtt_sample, args.workers,
                              args.seed)
        print_naive(rtt_naive, rtt.median_s, args.workers, f"{args.rtt_ms:.0f} ms round trip")
        pages = rtt.cold_calls.modelled["ListUsers"]
        missing = pages - rtt.cold_calls.requests["ListUsers"]
        if missing > 0:
            extra = missing * rtt_s
            worst = rtt_naive.extrapolate(rtt_naive.sequential_s) / (rtt.median_s + extra)
            print(f"  not simulated: moto returns every user in one ListUsers page; real AWS "
                  f"needs {pages} sequential pages at the page size load_inventory asks for, "
                  f"up to {extra:.1f} s more at this round trip: the speed-up vs sequential "
                  f"would be about {worst:.0f}x")
        print()

    if not args.no_what_if:
        from botocore.utils import parse_timestamp as dateutil_parser

        slow = time_inventory(connect(url, timestamp_parser=dateutil_parser), args.runs)
        print(f"timestamp parser: botocore's default (dateutil) median {slow.median_s:.2f} s vs "
              f"mfa-tui's (datetime.fromisoformat) {ours.median_s:.2f} s "
              f"({100 * (1 - ours.median_s / slow.median_s):.0f}% less)")
        plain = time_inventory(connect(url, botocore_lists=True), args.runs)
        print(f"item lists: botocore's parser median {plain.median_s:.2f} s vs mfa-tui's "
              f"(aws/fast_lists.py) {ours.median_s:.2f} s "
              f"({100 * (1 - ours.median_s / plain.median_s):.0f}% less; "
              f"{naive_s / plain.median_s:.0f}x vs the sequential naive scan without it)")
        print()


if __name__ == "__main__":
    sys.exit(main())
