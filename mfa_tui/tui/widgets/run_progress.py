"""The run bar under the users table: progress with counts while an apply or undo runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


class RunProgress(Horizontal):
    """Hidden until a run starts; shows done / already / failed and how to cancel."""

    def compose(self) -> ComposeResult:
        # A known total from the start: an indeterminate bar animates (and burns CPU) even
        # while hidden.
        yield ProgressBar(total=1, id="run-bar", show_eta=False)
        yield Static("", id="run-counts")

    def on_mount(self) -> None:
        self.display = False

    def start(self, title: str) -> None:
        """A run began."""
        self.display = True
        self.query_one(ProgressBar).update(total=1, progress=0)
        self.query_one("#run-counts", Static).update(f"{title}… Esc cancels")

    def step(self, completed: int, total: int, counts: dict[str, int]) -> None:
        """One more step finished."""
        self.query_one(ProgressBar).update(total=total, progress=completed)
        text = " · ".join(f"{n} {k}" for k, n in counts.items() if n)
        self.query_one("#run-counts", Static).update(f"{text} · Esc cancels")

    def finish(self, summary: str) -> None:
        """The run ended: keep the summary visible until the next run."""
        self.query_one("#run-counts", Static).update(summary)
