"""The MFA code modal: the admin types the 6-digit code of their own device (no echo).

Credentials are fetched and renewed in worker threads; :func:`ask_in_app` shows the modal
from such a thread and waits for the answer, while the screens below keep their state.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from mfa_tui.core.mfa_code import CodeRequest, clean_code
from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from textual.app import App

#: How often a waiting worker checks that the app is still running.
_POLL_SECONDS = 0.2


class MfaCodeScreen(ModalScreen[str | None]):
    """Asks for one code; dismisses with the 6 digits, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel-mfa",
                tooltip="Do not start an MFA session now"),
    ]

    def __init__(self, request: CodeRequest) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        req = self.request
        who = f"profile {req.profile} · " if req.profile else ""
        with Vertical(id="mfa-code-dialog"):
            yield Static(f"MFA code for {who}{req.serial}", id="mfa-code-title")
            yield Static(req.problem or "Type the 6-digit code your device shows, then Enter.",
                         id="mfa-code-problem", classes="-problem" if req.problem else "")
            yield Input(placeholder="123456", password=True, max_length=7, restrict=r"[\d ]*",
                        id="mfa-code")
        yield KeysFooter()

    @on(Input.Submitted, "#mfa-code")
    def submit(self, event: Input.Submitted) -> None:
        code = clean_code(event.value)
        if code is None:
            problem = self.query_one("#mfa-code-problem", Static)
            problem.update("An MFA code is the 6 digits the device shows now.")
            problem.add_class("-problem")
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_in_app(app: App[Any], request: CodeRequest) -> str | None:
    """Push :class:`MfaCodeScreen` from a worker thread and wait for the code (None when
    cancelled, or when the app stops meanwhile)."""
    answered = threading.Event()
    answer: list[str | None] = [None]

    def done(code: str | None) -> None:
        answer[0] = code
        answered.set()

    try:
        app.call_from_thread(app.push_screen, MfaCodeScreen(request), done)
    except RuntimeError:  # the app is not running (or this is its own thread)
        return None
    while not answered.wait(_POLL_SECONDS):
        if not app.is_running:
            return None
    return answer[0]
