"""A run's results: the summary and the next step first, then every step (failures first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mfa_tui.tui.screens.enforce_preview import TONE_CLASSES, lines_text
from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from mfa_tui.core.plan_text import Line
    from mfa_tui.core.run_result import RunResult


def results_view(result: RunResult) -> list[Line]:
    """The results as the modal shows them (the CLI's lines, its summary moved up top)."""
    from mfa_tui.core.plan_text import Line, result_lines

    lines = result_lines(result)
    title, steps, summary = lines[0], lines[1:-1], lines[-1]
    if result.cancelled:
        step = ("Cancelled between users; the journal records where it stopped. Press a on "
                "the main screen to finish the run, or ctrl+z to undo what it did.")
    elif result.failed:
        step = ("Failed users stay marked: press a to retry them; ctrl+z undoes what this "
                "run did.")
    else:
        step = "ctrl+z on the main screen undoes this run."
    return [title, summary, Line("plain", step), Line("plain", ""), *steps]


class RunResultsScreen(ModalScreen[None]):
    """Results of an apply or undo; Esc (or Enter) closes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"preview--{t}" for t in TONE_CLASSES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "app.pop_screen", "Close", id="close"),
    ]

    def __init__(self, result: RunResult) -> None:
        super().__init__()
        self.result = result
        self.lines = results_view(result)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="results-scroll"):
            yield Static("", id="results-body")
        yield KeysFooter()

    def on_mount(self) -> None:
        body = lines_text(self.lines, self.get_component_rich_style)
        self.query_one("#results-body", Static).update(body)
