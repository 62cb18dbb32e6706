"""The TUI's share of the first table: the report's CSV as the prefetch helper sends it,
read in a fresh process (cold, as at a first launch) up to the provisional inventory.

That work sits between the report's arrival and the filled table of a first launch
(``tui.py``), on the TUI's worker thread. Each run is its own ``python -c`` (no warm caches,
no specialised bytecode); the figures are the medians of the CPU time of the worker's steps:
the CSV's frame (its length, then its bytes), parsing the CSV, the provisional table. The
report comes from the demo account on moto in this process (127.0.0.1, dummy credentials):
nothing leaves the machine.

    .venv/bin/python benchmarks/report_table.py [--users 5000] [--runs 11]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

STEPS = """
import json, sys, time
from datetime import UTC, datetime
from mfa_tui.core.credential_report import parse_credential_report
from mfa_tui.core.inventory_codec import snapshot_from_dict
from mfa_tui.core.report_snapshot import provisional_inventory
from mfa_tui.engine.prefetch import read_csv_frame
pipe = open(sys.argv[1], "rb")  # what the helper wrote, read as the TUI reads its pipe
t0 = time.thread_time()
csv = read_csv_frame(pipe, json.loads(pipe.readline())["csv_bytes"])
t1 = time.thread_time()
small_line = pipe.readline()
parsed = parse_credential_report(csv)
t2 = time.thread_time()
snapshot = snapshot_from_dict(json.loads(small_line)["report"], csv).parsed_already(parsed)
inventory = provisional_inventory(snapshot, datetime.now(UTC))
t3 = time.thread_time()
assert inventory is not None and len(inventory.users) == int(sys.argv[2])
print(json.dumps([t1 - t0, t2 - t1, t3 - t2]))
"""


def lines(users: int) -> str:
    """What the helper sends for the demo account of ``users`` users (the CSV's frame and the
    small reads' line), in a file."""
    from mfa_tui.aws.inventory import load_inventory
    from mfa_tui.core.inventory_codec import snapshot_to_dict
    from mfa_tui.core.report_snapshot import ReportSnapshot
    from mfa_tui.engine.connect import GlobalOptions, make_connector
    from mfa_tui.engine.prefetch import write_csv_frame

    conn = make_connector(GlobalOptions(demo=True, demo_users=users))()  # as --demo connects
    texts: list[str] = []
    snapshots: list[ReportSnapshot] = []
    load_inventory(conn, on_report=snapshots.append, on_report_text=texts.append)
    if not snapshots:
        raise SystemExit("the read finished before the report table: nothing to measure")
    path = os.path.join(tempfile.mkdtemp(prefix="mfa-tui-bench-"), "helper-output")
    with open(path, "w", encoding="utf-8") as out:
        write_csv_frame(out, texts[0])
        out.write(json.dumps({"report": snapshot_to_dict(snapshots[0], content=False)},
                             separators=(",", ":")) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    path = lines(args.users)
    steps: list[list[float]] = []
    for _ in range(args.runs + 1):  # the first one compiles the bytecode: not counted
        done = subprocess.run([sys.executable, "-c", STEPS, path, str(args.users)],
                              capture_output=True, text=True, check=True)
        steps.append(json.loads(done.stdout))
    steps = steps[1:]
    size = os.path.getsize(path) / 1e6
    print(f"the provisional table of {args.users} users from the helper's output ({size:.1f} MB), "
          f"cold, {args.runs} fresh processes, CPU ms (median, min-max):")
    for i, name in enumerate(("CSV frame", "parse the CSV", "provisional table")):
        values = [1000 * s[i] for s in steps]
        print(f"  {name:18s} {statistics.median(values):6.1f}  "
              f"({min(values):.1f}-{max(values):.1f})")
    totals = [1000 * sum(s) for s in steps]
    print(f"  {'total':18s} {statistics.median(totals):6.1f}  "
          f"({min(totals):.1f}-{max(totals):.1f})")
    print(f"load average {os.getloadavg()[0]:.2f} (other work on the machine skews times)")


if __name__ == "__main__":
    main()
