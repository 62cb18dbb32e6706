"""The enforcement engine: apply a plan or undo a run, journaled, in a bounded thread pool.

Order: set-up steps one by one (policy, version, group), then the per-user steps in a pool of
``workers`` threads sharing one client, the caller's own user last. A set-up failure stops the
run before any user is touched. Cancelling (``cancel.set()``, or Ctrl-C in the thread that
called) lets the calls in flight finish and journals them; nothing else starts.

Retries: botocore's **standard** mode (AwsConnection: 8 attempts, exponential backoff with
jitter), plus up to 3 later tries in the engine when throttling outlasts them. Measured with
benchmarks/apply.py (1,000 users, 40 ms latency, 15% of every request throttled, 10 workers
on one shared client): standard ~25 s, adaptive ~280 s, neither losing an attachment.
Adaptive's client-side token bucket is shared by every thread of the client and each
throttle cuts the rate for all of them, so one throttled call slows the whole pool; standard
only makes the throttled call wait. Standard it is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from mfa_tui.aws.session import AwsConnection
from mfa_tui.aws.step_ops import StepContext, no_blind_resend, run_step
from mfa_tui.core.errors import PlanBlocked
from mfa_tui.core.plan_models import Plan, Step
from mfa_tui.core.policy_templates import load_template
from mfa_tui.core.resume import plan_header
from mfa_tui.core.run_result import (
    DEFAULT_WORKERS,
    Progress,
    RunKind,
    RunRecord,
    RunResult,
    StepResult,
)
from mfa_tui.core.undo_plan import UndoPlan, undo_header
from mfa_tui.state.journal import Journal, new_run_id, now_iso

ProgressCallback = Callable[[Progress], None]


class _Reporter:
    """Journals each finished step, counts it, and tells the progress callback (one thread)."""

    def __init__(self, journal: Journal, total: int, progress: ProgressCallback | None) -> None:
        self.journal = journal
        self.total = total
        self.progress = progress
        self.results: list[StepResult] = []

    def record(self, results: Iterable[StepResult], *, journal: bool = True) -> None:
        batch = list(results)
        if journal:
            self.journal.append_many(self.journal.step(r) for r in batch)
        for r in batch:
            self.results.append(r)
            if self.progress is not None:
                self.progress(Progress(len(self.results), self.total, r))


def _run_pool(ctx: StepContext, steps: list[Step], workers: int, cancel: threading.Event,
              reporter: _Reporter) -> None:
    """Run ``steps`` with at most ``workers`` in flight; journal each as it finishes."""
    queue: Iterator[Step] = iter(steps)
    pending: set[Future[StepResult]] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mfa-tui-apply") as pool:

        def fill() -> None:
            # Submit lazily: a cancel stops the queue at once, not after 1,000 queued calls.
            while len(pending) < workers and not cancel.is_set():
                step = next(queue, None)
                if step is None:
                    return
                pending.add(pool.submit(run_step, ctx, step))

        fill()
        while pending:
            try:
                done, rest = wait(pending, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                cancel.set()  # let the calls in flight finish and be journaled
                continue
            pending = set(rest)
            reporter.record(f.result() for f in done)
            fill()
    reporter.record((StepResult(s.op, s.target, "skipped", "cancelled") for s in queue),
                    journal=False)


def _finish(journal: Journal, kind: RunKind, results: list[StepResult], cancelled: bool
            ) -> RunResult:
    result = RunResult(journal.run_id, kind, tuple(results), cancelled=cancelled)
    status = "cancelled" if cancelled else ("failed" if result.failed else "done")
    counts = {o: result.count(o) for o in ("done", "already", "kept", "failed", "skipped")}
    journal.append({"type": "finished", "at": now_iso(), "status": status, "counts": counts})
    journal.close()
    return result


def _execute(
    journal: Journal,
    kind: RunKind,
    ctx: StepContext,
    *,
    credited: tuple[Step, ...],
    setup: list[Step],
    per_user: list[Step],
    last: list[Step],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    workers: int,
) -> RunResult:
    cancel = cancel or threading.Event()
    no_blind_resend(ctx.iam)
    total = len(credited) + len(setup) + len(per_user) + len(last)
    reporter = _Reporter(journal, total, progress)
    reporter.record(StepResult(s.op, s.target, "done",
                               "done by the interrupted run; found in place when resuming",
                               verified=True) for s in credited)
    stopped = False
    for i, step in enumerate(setup):
        if cancel.is_set():
            stopped = True
        else:
            result = run_step(ctx, step)
            reporter.record([result])
            stopped = result.outcome == "failed"
        if stopped:
            why = "cancelled" if cancel.is_set() else "a set-up step failed"
            reporter.record((StepResult(s.op, s.target, "skipped", why)
                             for s in [*setup[i + 1:], *per_user, *last]), journal=False)
            return _finish(journal, kind, reporter.results, cancel.is_set())
    _run_pool(ctx, per_user, max(1, workers), cancel, reporter)
    for step in last:  # the caller's own user; undo's group and policy clean-up
        if cancel.is_set():
            reporter.record([StepResult(step.op, step.target, "skipped", "cancelled")],
                            journal=False)
            continue
        reporter.record([run_step(ctx, step)])
    return _finish(journal, kind, reporter.results, cancel.is_set())


def apply_plan(
    conn: AwsConnection,
    plan: Plan,
    *,
    template: dict[str, Any] | None = None,
    journal: Journal | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    workers: int = DEFAULT_WORKERS,
    directory: Path | None = None,
) -> RunResult:
    """Do what ``plan`` shows. Raises PlanBlocked (before any call) when the plan is blocked.

    ``template`` is the policy document (default: the plan's template as shipped).
    ``journal`` defaults to a new one (or, for a plan that resumes a run, that run's journal
    reopened) under ``directory`` (default: the state dir's journal/).
    """
    if plan.blockers:
        raise PlanBlocked(plan.blockers[0])  # before any call: nothing to finish or undo
    if template is None:
        template = load_template(plan.policy.template)
    if journal is None:
        if plan.resume_of:
            journal = Journal.reopen(plan.resume_of, directory)
            journal.append({"type": "resumed", "at": now_iso()})
        else:
            run_id = new_run_id()
            journal = Journal.create(plan_header(plan, run_id=run_id, started_at=now_iso()),
                                     directory)
    ctx = StepContext(conn.client("iam"), plan.policy.arn, plan.policy.name, template,
                      plan.group.name if plan.group is not None else None)
    setup, per_user = plan.steps()
    # The caller's own user last, then the group's policy: nothing the run still has to do
    # comes after the step that could bind the caller (the lock-out check walks this order).
    caller_steps = [s for s in per_user if s.target == plan.caller_user]
    caller_steps.extend(plan.closing)
    others = [s for s in per_user if s.target != plan.caller_user]
    return _execute(journal, "apply", ctx, credited=plan.credited, setup=list(setup),
                    per_user=others, last=caller_steps, progress=progress, cancel=cancel,
                    workers=workers)


def undo_run(
    conn: AwsConnection,
    undo: UndoPlan,
    record: RunRecord,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    workers: int = DEFAULT_WORKERS,
    directory: Path | None = None,
) -> RunResult:
    """Reverse what ``record`` (an apply run) changed, as ``undo`` lists; journaled as a run.
    Raises PlanBlocked (before any call) when the lock-out check blocks the undo."""
    if undo.blockers:
        raise PlanBlocked(undo.blockers[0])
    caller = conn.caller()
    run_id = new_run_id()
    journal = Journal.create(undo_header(undo, run_id=run_id, started_at=now_iso(),
                                         caller_arn=caller.arn), directory)
    if not record.is_finished:
        # An interrupted run that is being undone must not be "finished" by the next apply.
        with Journal.reopen(record.run_id, directory) as old:
            old.append({"type": "finished", "at": now_iso(), "status": "abandoned",
                        "reason": f"undone by run {run_id}"})
    h = record.header
    ctx = StepContext(conn.client("iam"), record.policy_arn, str(h.get("policy_name", "")),
                      {}, h.get("group"))
    return _execute(journal, "undo", ctx, credited=(), setup=[], per_user=list(undo.per_user),
                    last=list(undo.final), progress=progress, cancel=cancel, workers=workers)
