"""A rich progress bar on stderr for the engine's progress callback (stdout stays the report)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mfa_tui.core.run_result import Progress as StepProgress


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[StepProgress], None]]:
    """Yields the callback to hand to the engine; the bar goes away when the block ends."""
    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
                   console=console, transient=True,
                   disable=not console.is_terminal)  # a pipe or a log file gets no bar
    task = bar.add_task(label, total=None, failed=0)
    failed = 0

    def on_progress(p: StepProgress) -> None:
        nonlocal failed
        failed += p.step.outcome == "failed"
        bar.update(task, total=p.total, completed=p.completed, failed=failed)

    with bar:
        yield on_progress
