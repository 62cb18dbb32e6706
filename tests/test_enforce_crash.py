"""kill -9 in the middle of `mfa-tui apply`, then a re-run that finishes the job.

The installed command runs against the moto server with latency added to each attachment,
and is SIGKILLed once some attachments are journaled. Requests in flight at that moment
still land (the server sleeps, then acts), so the test waits for them before re-running:
the re-run must credit them from the live state, not attach them a second time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.demo.account import seed_account
from tests.fixtures.enforce_support import acted, attached_users, journal_lines, journals
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.terminal import installed_cli

pytestmark = pytest.mark.usefixtures("state_home")

LATENCY = 0.25


def _steps(path: Path) -> int:
    try:
        return path.read_text().count('"type":"step"')
    except OSError:
        return 0


def test_kill_9_mid_run_then_rerun_completes_without_duplicates(
        moto: MotoServer, iam: Any, state_home: Path) -> None:
    seed_account(60)
    moto.faults.clear_requests()
    moto.faults.add_latency(LATENCY, actions="AttachUserPolicy")
    args = [installed_cli(), "--endpoint-url", moto.url, "apply", "--yes", "--all-console",
            "--exclude", "admin.breakglass", "--workers", "2"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ), start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = journals(state_home)
            journaled = _steps(files[0]) if files else 0
            # Kill with an attachment in flight: it reached the server, was not journaled.
            if journaled >= 6 and moto.faults.count("AttachUserPolicy") > journaled:
                break
            assert proc.poll() is None, "apply finished before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    time.sleep(LATENCY * 3)  # let the calls in flight at the kill land in moto
    (journal,) = journals(state_home)
    header = journal_lines(journal)[0]
    targets = set(header["targets"])
    assert journal_lines(journal)[-1]["type"] != "finished"
    done_before = {x["target"] for x in journal_lines(journal) if x.get("outcome") == "done"}
    assert 6 <= len(done_before) < len(targets)

    moto.faults.reset_faults()
    rerun = subprocess.run([installed_cli(), "--endpoint-url", moto.url, "apply", "--resume",
                            "--yes"],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert rerun.returncode == 0, rerun.stderr
    assert f"Finishing run {header['run_id']}" in rerun.stdout

    counts = acted(moto, "AttachUserPolicy")
    assert {u: counts[u] for u in targets} == {u: 1 for u in targets}  # no duplicates
    assert set(counts) == targets
    assert attached_users(iam) == targets | {"heidi", "ivan"}
    lines = journal_lines(journal)
    assert journals(state_home) == [journal]  # the same run, finished
    assert lines[-1]["type"] == "finished" and lines[-1]["status"] == "done"
    done = {x["target"] for x in lines if x.get("type") == "step" and x["outcome"] == "done"}
    assert done == targets  # undo can now reverse every attachment of the run
    credited = {x["target"] for x in lines if x.get("verified")}
    assert credited and not credited & done_before  # the in-flight ones: found, not re-sent
