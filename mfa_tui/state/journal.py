"""The run journal: append-only JSON lines, fsynced, one file a run, in the state dir.

``<state_dir>/journal/<run_id>.jsonl`` (directory 0700, file 0600). Line 1 is the plan (the
targets and the state before the run), then one line per step outcome, then a "finished"
line. Lines hold names, ARNs, outcomes and one-sentence reasons: never a secret key, session
token or MFA seed. A line cut short by a crash (kill -9 mid-write) is ignored when read.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mfa_tui.core.run_result import RunRecord, StepResult


def journal_dir() -> Path:
    """Where the journals live."""
    from mfa_tui.state.paths import state_dir

    return state_dir() / "journal"


def now_iso() -> str:
    """The current time, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def new_run_id(now: datetime | None = None) -> str:
    """Sortable (to the millisecond) and unique: ``20261130T095036.123Z-3f9a1c``."""
    moment = now or datetime.now(UTC)
    stamp = moment.strftime("%Y%m%dT%H%M%S") + f".{moment.microsecond // 1000:03d}Z"
    return f"{stamp}-{secrets.token_hex(3)}"


class Journal:
    """One run's journal, open for appending. Thread-safe; every write is fsynced."""

    def __init__(self, path: Path, run_id: str, fd: int) -> None:
        self.path = path
        self.run_id = run_id
        self._fd = fd
        self._lock = threading.Lock()

    @classmethod
    def create(cls, header: Mapping[str, Any], directory: Path | None = None) -> Journal:
        """Start a new journal whose first line is ``header`` (it must hold ``run_id``)."""
        folder = directory or journal_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        run_id = str(header["run_id"])
        path = folder / f"{run_id}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        journal = cls(path, run_id, fd)
        journal.append(header)
        _fsync_dir(folder)
        return journal

    @classmethod
    def reopen(cls, run_id: str, directory: Path | None = None) -> Journal:
        """Append to an existing (interrupted) run's journal."""
        path = (directory or journal_dir()) / f"{run_id}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        _repair_tail(fd, path)
        return cls(path, run_id, fd)

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one line and fsync it."""
        self.append_many([record])

    def append_many(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Write lines, then fsync once (a burst of finished steps costs one fsync)."""
        data = b"".join(
            json.dumps(dict(r), separators=(",", ":"), sort_keys=True).encode() + b"\n"
            for r in records)
        if not data:
            return
        with self._lock:
            os.write(self._fd, data)
            os.fsync(self._fd)

    def step(self, result: StepResult) -> dict[str, Any]:
        """The journal line of one step outcome."""
        line: dict[str, Any] = {"type": "step", "op": result.op, "target": result.target,
                                "outcome": result.outcome, "at": now_iso()}
        if result.reason:
            line["reason"] = result.reason
        if result.verified:
            line["verified"] = True
        return line

    def close(self) -> None:
        """Close the file (lines are already on disk)."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _repair_tail(fd: int, path: Path) -> None:
    """End a file cut mid-line with a newline, so the next line starts clean."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        os.write(fd, b"\n")
        os.fsync(fd)


def read_run(path: Path) -> RunRecord | None:
    """A journal file as a RunRecord; None when it has no readable plan line."""
    header: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = []
    finished: dict[str, Any] | None = None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for raw in text.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue  # a line cut short by a crash
        if not isinstance(line, dict):
            continue
        kind = line.get("type")
        if kind == "plan" and header is None:
            header = line
        elif kind == "step":
            steps.append(line)
        elif kind == "finished":
            finished = line
    if header is None:
        return None
    return RunRecord(run_id=str(header.get("run_id", path.stem)), header=header,
                     steps=tuple(steps), finished=finished)


def list_runs(directory: Path | None = None) -> list[RunRecord]:
    """Every readable run, oldest first (run ids sort by start time)."""
    folder = directory or journal_dir()
    if not folder.is_dir():
        return []
    runs = [read_run(p) for p in sorted(folder.glob("*.jsonl"))]
    return [r for r in runs if r is not None]


def latest_unfinished(account: str, policy_arn: str, *, kind: str = "apply",
                      directory: Path | None = None) -> RunRecord | None:
    """The newest run of ``kind`` for this account and policy that never finished."""
    for run in reversed(list_runs(directory)):
        if (run.kind == kind and run.account == account and run.policy_arn == policy_arn
                and not run.is_finished):
            return run
    return None


def find_run(run_id: str, directory: Path | None = None) -> RunRecord | None:
    """One run by id (a unique prefix of it is enough)."""
    matches = [r for r in list_runs(directory) if r.run_id.startswith(run_id)]
    exact = [r for r in matches if r.run_id == run_id]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


def latest_apply(account: str, policy_arn: str | None = None,
                 directory: Path | None = None) -> RunRecord | None:
    """The newest apply run for this account (and policy, if given)."""
    for run in reversed(list_runs(directory)):
        if run.kind == "apply" and run.account == account and (
                policy_arn is None or run.policy_arn == policy_arn):
            return run
    return None
