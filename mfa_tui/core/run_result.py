"""What a run did (pure): step outcomes, progress events, and a run read back from its journal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mfa_tui.core.exit_codes import OK as EXIT_DONE
from mfa_tui.core.exit_codes import SOME_FAILED as EXIT_SOME_FAILED
from mfa_tui.core.plan_models import StepOp
from mfa_tui.core.run_defaults import DEFAULT_RUN_WORKERS

#: done: AWS made the change; already: it was in place; kept: left in place on purpose (undo
#: does not delete a group or policy others now use; the reason says why); failed: it was not
#: made (the reason says why); skipped: not tried (cancelled, or a set-up step failed).
Outcome = Literal["done", "already", "kept", "failed", "skipped"]
RunKind = Literal["apply", "undo"]

#: Calls in flight at once (terraform's default parallelism): enough to hide a 40-100 ms
#: round trip (benchmarks/apply.py: 1,000 users in ~6 s at 40 ms, vs ~55 s one by one),
#: few enough to stay polite to IAM's write rate limit; `--workers` changes it.
DEFAULT_WORKERS = DEFAULT_RUN_WORKERS


@dataclass(frozen=True)
class StepResult:
    """The outcome of one step."""

    op: StepOp
    target: str
    outcome: Outcome
    reason: str = ""
    #: The answer was lost (connection dropped after sending); the state was read back.
    verified: bool = False


@dataclass(frozen=True)
class Progress:
    """One step finished: the engine's progress callback receives these, in order."""

    completed: int
    total: int
    step: StepResult


@dataclass(frozen=True)
class RunResult:
    """Everything a run did."""

    run_id: str
    kind: RunKind
    steps: tuple[StepResult, ...]
    cancelled: bool = False

    @property
    def failed(self) -> tuple[StepResult, ...]:
        """Steps that did not happen because of an error."""
        return tuple(s for s in self.steps if s.outcome == "failed")

    @property
    def exit_code(self) -> int:
        """0 when every step is done (or was already), 1 otherwise."""
        if self.failed or self.cancelled or any(s.outcome == "skipped" for s in self.steps):
            return EXIT_SOME_FAILED
        return EXIT_DONE

    def count(self, outcome: Outcome) -> int:
        """How many steps ended with ``outcome``."""
        return sum(1 for s in self.steps if s.outcome == outcome)


@dataclass(frozen=True)
class RunRecord:
    """A run as its journal tells it: the plan line, the step lines, the finished line."""

    run_id: str
    header: Mapping[str, Any]
    steps: tuple[Mapping[str, Any], ...] = ()
    finished: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """"apply" or "undo"."""
        return str(self.header.get("kind", ""))

    @property
    def account(self) -> str:
        """The account the run acted on."""
        return str(self.header.get("account", ""))

    @property
    def policy_arn(self) -> str:
        """The managed policy the run was about."""
        return str(self.header.get("policy_arn", ""))

    @property
    def started_at(self) -> str:
        """When the run started (ISO 8601, UTC)."""
        return str(self.header.get("started_at", ""))

    @property
    def is_finished(self) -> bool:
        """True once the run wrote its "finished" line."""
        return self.finished is not None

    def final(self) -> dict[tuple[str, str], Mapping[str, Any]]:
        """(op, target) → the last journaled outcome of that step."""
        out: dict[tuple[str, str], Mapping[str, Any]] = {}
        for line in self.steps:
            out[(str(line.get("op")), str(line.get("target")))] = line
        return out

    def made(self) -> set[tuple[str, str]]:
        """(op, target) pairs this run changed in AWS (outcome done, verified or not)."""
        return {key for key, line in self.final().items() if line.get("outcome") == "done"}

    def settled(self) -> set[tuple[str, str]]:
        """(op, target) pairs that need nothing more: done, or found already in place."""
        return {key for key, line in self.final().items()
                if line.get("outcome") in ("done", "already")}
