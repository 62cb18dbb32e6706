"""The enforcement runs of the main screen: preview, attach, undo, and the run itself.

:class:`EnforcementRunner` is a widget the main screen composes (it draws the run bar): it
opens the preview, runs the engine (engine/runs.py) in a thread worker, and posts what the
screen needs as messages — a row became enforced (:class:`EnforcementRunner.RecordChanged`),
the run ended (:class:`EnforcementRunner.Ended`) or failed (:class:`EnforcementRunner.Failed`).
A run can be cancelled between users (the journal records where it stopped; a later apply
finishes it); failed and skipped users stay marked for a retry.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.message import Message

from mfa_tui.tui.base import WorkerErrorPath, mfa_app
from mfa_tui.tui.widgets.run_progress import RunProgress

if TYPE_CHECKING:
    from mfa_tui.core.run_result import Progress, RunResult
    from mfa_tui.tui.base import MfaApp
    from mfa_tui.tui.screens.enforce_preview import Kind, RunRequest

#: Per-user steps and whether they leave the user enforced.
_ENFORCES = {"attach": True, "add-to-group": True, "detach": False, "remove-from-group": False}


@dataclass
class RunStep(Message, bubble=False):
    """One step of the running apply/undo finished (posted by the worker)."""

    progress: Progress


@dataclass
class RunFinished(Message, bubble=False):
    """The run ended: done, failed in part, or cancelled (posted by the worker)."""

    result: RunResult
    request: RunRequest


def run_request(app: MfaApp, request: RunRequest, post: Callable[[Message], Any],
                cancel: threading.Event) -> None:
    """The worker: run the engine and post each step and the result."""
    from mfa_tui.engine.runs import apply_plan, undo_run

    conn = app.connection()
    progress = lambda p: post(RunStep(p))  # noqa: E731 - called from the engine's pool
    if request.kind == "apply" and request.plan is not None:
        result = apply_plan(conn, request.plan, progress=progress, cancel=cancel)
    elif request.undo is not None and request.record is not None:
        result = undo_run(conn, request.undo, request.record, progress=progress, cancel=cancel)
    else:  # pragma: no cover - the preview never returns an empty request
        return
    post(RunFinished(result, request))


def result_summary(result: RunResult) -> str:
    """The run in one line that fits 80 columns, with the next step."""
    parts = [f"{result.count(o)} {o}" for o in ("done", "already", "failed", "skipped")
             if result.count(o)]
    counts = ", ".join(parts) or "nothing"
    if result.cancelled:
        return f"Cancelled: {counts} · a finishes · ctrl+z undoes"
    if result.failed:
        return f"{counts} · a retries the failed · ctrl+z undoes"
    return f"{counts} · ctrl+z undoes this run" if result.run_id else f"{counts}."

class EnforcementRunner(WorkerErrorPath):
    """Opens previews and runs what was confirmed; draws the run bar."""

    WORKER_DOING = {"apply": "running the enforcement"}

    @dataclass
    class RecordChanged(Message):
        """A user became enforced (or not) during the run: update the row in place."""

        user: str
        enforced: bool
        via_user: bool

    @dataclass
    class Ended(Message):
        """The run ended; ``left``: the users that failed or were skipped (kept marked)."""

        result: RunResult
        left: frozenset[str]

    @dataclass
    class Failed(Message):
        """The run could not start, or stopped on an error (the sentence)."""

        message: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cancel: threading.Event | None = None
        self._counts: dict[str, int] = {}
        #: Quit once the run has stopped (asked for while it ran).
        self.quit_after = False

    def compose(self) -> ComposeResult:
        yield RunProgress(id="run-progress")

    @property
    def running(self) -> bool:
        """A run is in flight (and not yet cancelled)."""
        return self._cancel is not None

    @property
    def cancel_requested(self) -> bool:
        """A run is in flight and was told to stop between users."""
        return self._cancel is not None and self._cancel.is_set()

    def open_preview(self, users: tuple[str, ...], *, kind: Kind = "apply",
                     confirm: bool = False) -> None:
        """The preview of an apply for ``users`` (or of the undo of the last run)."""
        if self.running:
            self.notify("A run is in progress: wait for it or press Esc to cancel it.",
                        severity="warning")
            return
        if kind == "apply" and not users:
            self.notify("No user to preview: mark users with space or N.", severity="warning")
            return
        from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen  # on first use

        screen = EnforcePreviewScreen(users=users, kind=kind, confirm=confirm)
        self.app.push_screen(screen, callback=self._start)

    def _start(self, request: RunRequest | None) -> None:
        if request is None:
            return  # backed out: nothing changed
        cancel = self._cancel = threading.Event()
        self._counts = {"done": 0, "already": 0, "failed": 0, "skipped": 0}
        self.query_one(RunProgress).start("Applying" if request.kind == "apply" else "Undoing")
        app = mfa_app(self)
        self.run_worker(lambda: run_request(app, request, self.post_message, cancel),
                        thread=True, group="apply", exclusive=True, exit_on_error=False)
        self.screen.refresh_bindings()  # what Esc does changed (it cancels the run now)

    def cancel(self) -> bool:
        """Stop between users (Esc, ctrl+c, a quit). True when a run was cancelled now."""
        if self._cancel is None or self._cancel.is_set():
            return False
        self._cancel.set()
        self.query_one(RunProgress).finish("Cancelling after the steps in flight…",
                                           final=False)
        return True

    def worker_failed(self, group: str, message: str) -> None:
        self._cancel = None
        self.screen.refresh_bindings()
        self.query_one(RunProgress).finish(f"✗ {message}")
        self.notify(message, title="Enforcement run failed", severity="error", timeout=10)
        self.post_message(self.Failed(message))

    def on_run_step(self, message: RunStep) -> None:
        p = message.progress
        outcome = p.step.outcome
        self._counts[outcome] = self._counts.get(outcome, 0) + 1
        self.query_one(RunProgress).step(p.completed, p.total, self._counts)
        enforced = _ENFORCES.get(p.step.op)
        if enforced is not None and outcome in ("done", "already"):
            self.post_message(self.RecordChanged(p.step.target, enforced,
                                                 p.step.op == "attach"))

    def on_run_finished(self, message: RunFinished) -> None:
        result = message.result
        self._cancel = None
        self.screen.refresh_bindings()
        left = frozenset(s.target for s in result.steps
                         if s.op in _ENFORCES and s.outcome in ("failed", "skipped"))
        self.query_one(RunProgress).finish(result_summary(result))
        self.post_message(self.Ended(result, left))
