"""A run's per-step results, failures first (the same lines as the CLI prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from mfa_tui.tui.screens.enforce_preview import TONE_CLASSES, lines_text

if TYPE_CHECKING:
    from mfa_tui.core.plan_text import Line


class RunResultsScreen(ModalScreen[None]):
    """Results of an apply or undo; Esc closes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"preview--{t}" for t in TONE_CLASSES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "app.pop_screen", "Close", id="close"),
    ]

    def __init__(self, lines: list[Line]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="results-scroll"):
            yield Static("", id="results-body")
        yield Footer()

    def on_mount(self) -> None:
        body = lines_text(self.lines, self.get_component_rich_style)
        self.query_one("#results-body", Static).update(body)
