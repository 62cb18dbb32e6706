"""The main screen's enforcement actions: preview, attach, undo, and the run itself.

A mixin so the main screen stays small. The engine (aws/enforce.py) runs in a thread
worker and reports each step; rows update in place as users become enforced, the run can be
cancelled between users (the journal records where it stopped; a later apply finishes it),
and failed users stay marked for a retry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual.message import Message

from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen, RunRequest
from mfa_tui.tui.screens.run_results import RunResultsScreen
from mfa_tui.tui.widgets.run_progress import RunProgress

if TYPE_CHECKING:
    from mfa_tui.core.models import Inventory
    from mfa_tui.core.run_result import Progress, RunResult
    from mfa_tui.tui.app import MfaTuiApp

#: Per-user steps and whether they leave the user enforced.
_ENFORCES = {"attach": True, "add-to-group": True, "detach": False, "remove-from-group": False}


@dataclass
class RunStep(Message):
    """One step of the running apply/undo finished."""

    progress: Progress


@dataclass
class RunFinished(Message):
    """The run ended (done, failed in part, or cancelled)."""

    result: RunResult
    request: RunRequest


def run_request(app: MfaTuiApp, request: RunRequest, post: Any,
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


class EnforcementActions:
    """Mixed into MainScreen (which provides marks, inventory, the table and the header)."""

    _cancel: threading.Event | None = None
    _counts: dict[str, int]

    # provided by MainScreen
    marks: frozenset[str]
    inventory: Inventory | None

    def _targets(self) -> tuple[str, ...]:
        from mfa_tui.tui.widgets.users_table import UsersTable

        if self.marks:
            return tuple(sorted(self.marks))
        current = self.query_one(UsersTable).current  # type: ignore[attr-defined]
        return (current.user,) if current else ()

    def _open_preview(self, *, kind: str = "apply", confirm: bool = False) -> None:
        if self._cancel is not None:
            self.notify("A run is in progress: wait for it or press Esc to cancel it.",  # type: ignore[attr-defined]
                        severity="warning")
            return
        users = self._targets() if kind == "apply" else ()
        if kind == "apply" and not users:
            self.notify("No user to preview: mark users with space or N.",  # type: ignore[attr-defined]
                        severity="warning")
            return
        screen = EnforcePreviewScreen(users=users, kind=kind, confirm=confirm)  # type: ignore[arg-type]
        self.app.push_screen(screen, callback=self._start_run)  # type: ignore[attr-defined]

    def action_preview(self) -> None:
        """`p`: the enforcement preview for the marked users (cursor row if none)."""
        self._open_preview()

    def action_attach(self) -> None:
        """`a`: the preview with the confirmation field focused."""
        self._open_preview(confirm=True)

    def action_undo_last(self) -> None:
        """Undo the last enforcement run (confirmed)."""
        self._open_preview(kind="undo", confirm=True)

    def _start_run(self, request: RunRequest | None) -> None:
        if request is None:
            return  # backed out: nothing changed
        self._cancel = threading.Event()
        self._counts = {"done": 0, "already": 0, "failed": 0, "skipped": 0}
        title = "Applying" if request.kind == "apply" else "Undoing"
        self.query_one(RunProgress).start(title)  # type: ignore[attr-defined]
        cancel = self._cancel
        self.run_worker(  # type: ignore[attr-defined]
            lambda: run_request(self.app, request, self.post_message, cancel),  # type: ignore[attr-defined]
            thread=True, group="apply", exclusive=True, exit_on_error=False,
        )

    def action_cancel_run(self) -> bool:
        """Esc / ctrl+c during a run: stop between users. True when a run was cancelled."""
        if self._cancel is None or self._cancel.is_set():
            return False
        self._cancel.set()
        self.query_one(RunProgress).finish("Cancelling after the steps in flight…")  # type: ignore[attr-defined]
        return True

    def run_failed(self, error: BaseException | None) -> None:
        """The run could not start or stopped on an error: say why, in one sentence."""
        from mfa_tui.aws.errors import explain

        self._cancel = None
        message = explain(error) if error else "The run failed."  # an Explained passes unchanged
        self.query_one(RunProgress).finish(f"✗ {message}")  # type: ignore[attr-defined]
        self.notify(message, title="Enforcement run failed", severity="error",  # type: ignore[attr-defined]
                    timeout=10)
        self.action_refresh()  # type: ignore[attr-defined]

    def on_run_step(self, message: RunStep) -> None:
        p = message.progress
        outcome = p.step.outcome
        self._counts[outcome] = self._counts.get(outcome, 0) + 1
        self.query_one(RunProgress).step(p.completed, p.total, self._counts)  # type: ignore[attr-defined]
        enforced = _ENFORCES.get(p.step.op)
        if enforced is None or outcome not in ("done", "already") or self.inventory is None:
            return
        record = self.inventory.get(p.step.target)
        if record is not None:
            via = "user" if p.step.op == "attach" else None
            self._replace_record(replace(
                record, enforcement_attached=enforced,
                enforced_via=(via or record.enforced_via) if enforced else None))

    def _replace_record(self, record: Any) -> None:
        if self.inventory is not None:
            self.inventory = self.inventory.with_user(record)
            self._redraw()  # type: ignore[attr-defined]

    def on_run_finished(self, message: RunFinished) -> None:
        from mfa_tui.core.plan_text import result_lines

        result = message.result
        self._cancel = None
        left = {s.target for s in result.steps
                if s.op in _ENFORCES and s.outcome in ("failed", "skipped")}
        self.marks = frozenset(left)  # failed users stay marked for a retry
        summary = result_lines(result)[-1].text
        if result.cancelled:
            summary += " The journal records where it stopped: apply again to finish."
        self.query_one(RunProgress).finish(summary)  # type: ignore[attr-defined]
        self.app.push_screen(RunResultsScreen(result_lines(result)))  # type: ignore[attr-defined]
        self.action_refresh()  # type: ignore[attr-defined]
