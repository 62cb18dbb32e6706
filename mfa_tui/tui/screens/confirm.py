"""A yes/no question in a modal: quitting during a run or an enrollment, switching accounts.

For steps that change nothing in AWS by themselves (the changes have their own typed
confirmations); ``y`` (or Enter) agrees, ``n`` or Esc backs out.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from mfa_tui.tui.widgets.keys_footer import KeysFooter


class ConfirmScreen(ModalScreen[bool]):
    """Asks ``question``; dismisses True for y/Enter, False for n/Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,Y,enter", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,N,escape", "answer(False)", "No / back", id="confirm-no"),
    ]

    def __init__(self, title: str, question: str, *, yes: str = "Yes") -> None:
        super().__init__()
        self.title_text, self.question, self.yes = title, question, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.question, id="confirm-question")
            yield Static(f"y: {self.yes} · n or Esc: back", classes="dialog-message")
        yield KeysFooter()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
