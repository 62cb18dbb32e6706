"""The hardware token's serial, asked for when the enrollment screen switches to a token."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from mfa_tui.core.mfa_kinds import check_hardware_serial
from mfa_tui.tui.widgets.keys_footer import KeysFooter


class HardwareSerialScreen(ModalScreen[str | None]):
    """Dismisses with the serial (checked locally), or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="cancel-serial",
                tooltip="Keep the virtual device instead"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Enroll a hardware TOTP token", classes="dialog-title")
            yield Static("Type the serial number printed on the back of the token, then "
                         "Enter (the virtual device this screen created is deleted).")
            yield Input(placeholder="GAHT12345678", max_length=256, id="hardware-serial")
            yield Static("", id="hardware-serial-problem", classes="dialog-message")
        yield KeysFooter()

    @on(Input.Submitted, "#hardware-serial")
    def submit(self, event: Input.Submitted) -> None:
        problem = check_hardware_serial(event.value)
        if problem is not None:
            box = self.query_one("#hardware-serial-problem", Static)
            box.update(problem)
            box.add_class("-error")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
