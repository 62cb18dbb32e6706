"""The run bar under the users table: progress with counts while an apply or undo runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import ProgressBar, Static


class RunProgress(Horizontal):
    """Hidden until a run starts; shows done / already / failed and how to cancel."""

    def compose(self) -> ComposeResult:
        # A known total from the start: an indeterminate bar animates (and burns CPU) even
        # while hidden.
        yield ProgressBar(total=1, id="run-bar", show_eta=False)
        yield Static("", id="run-counts")

    #: How long the summary of a finished run stays under the table.
    SUMMARY_SECONDS = 60.0

    def on_mount(self) -> None:
        self.display = False
        self._hide: Timer | None = None

    def start(self, title: str) -> None:
        """A run began."""
        if self._hide is not None:
            self._hide.stop()
        self.display = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=1, progress=0)
        self.query_one("#run-counts", Static).update(f"{title}… Esc cancels")

    def step(self, completed: int, total: int, counts: dict[str, int]) -> None:
        """One more step finished."""
        self.query_one(ProgressBar).update(total=total, progress=completed)
        text = " · ".join(f"{n} {k}" for k, n in counts.items() if n)
        self.query_one("#run-counts", Static).update(f"{text} · Esc cancels")

    def finish(self, summary: str, *, final: bool = True) -> None:
        """The run is ending (``final``: it ended): the summary takes the whole line, and
        goes after a while (the results and the journal keep it)."""
        self.query_one(ProgressBar).display = False
        self.query_one("#run-counts", Static).update(summary)
        if final:
            self._hide = self.set_timer(self.SUMMARY_SECONDS, self._hide_now)

    def _hide_now(self) -> None:
        self.display = False
