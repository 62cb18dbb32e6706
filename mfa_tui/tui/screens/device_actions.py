"""Confirmations for the lost-device actions (on-call): remove a device, resync a device.

Each modal reads the user's devices live first and shows their type and enable date, so the
engineer sees what they are about to touch. Removing asks for the user's name to be typed;
resyncing asks for two consecutive codes from the device. AWS calls run in thread workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from mfa_tui.core.models import MfaDevice
from mfa_tui.core.text import age
from mfa_tui.core.totp_check import check_code_format
from mfa_tui.tui.base import WorkerErrorPath
from mfa_tui.tui.widgets.code_pair import CodePair
from mfa_tui.tui.widgets.keys_footer import KeysFooter


def device_line(device: MfaDevice, now: datetime | None = None) -> str:
    """``virtual   mfa/alice   enabled 2024-03-02 (3d ago)``."""
    now = now or datetime.now(UTC)
    name = device.serial.split(":", 5)[-1]
    when = (f"enabled {device.enable_date:%Y-%m-%d} ({age(device.enable_date, now)})"
            if device.enable_date else "enable date unknown")
    return f"{device.type:<8} {name}  {when}"


class ConfirmTypedScreen(ModalScreen[bool]):
    """Asks for ``expected`` to be typed before a destructive step; dismisses True or False."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back out; nothing is changed"),
    ]

    def __init__(self, *, title: str, body: str, expected: str, prompt: str) -> None:
        super().__init__()
        self.title_text, self.body, self.expected, self.prompt = title, body, expected, prompt

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.body)
            yield Static(f"{self.prompt}, then Enter (Esc backs out):")
            yield Input(id="confirm-name", placeholder=f"type {self.expected}")
            yield Static("", id="confirm-message", classes="dialog-message")
        yield KeysFooter()

    @on(Input.Submitted, "#confirm-name")
    def submitted(self, event: Input.Submitted) -> None:
        if event.value == self.expected:
            self.dismiss(True)
            return
        self.query_one("#confirm-message", Static).update(
            f"That is not {self.expected}: type it exactly, or press Esc to back out.")

    def action_back(self) -> None:
        self.dismiss(False)


def orphans_confirmation(name: str, serials: tuple[str, ...]) -> ConfirmTypedScreen:
    """Asks for ``name`` to be typed before deleting unassigned devices of that name."""
    listing = "\n".join(serials)
    return ConfirmTypedScreen(
        title="Delete unassigned MFA devices",
        body=f"These virtual devices are assigned to no one:\n{listing}",
        expected=name,
        prompt=f"Type {name} to delete them",
    )


class _DeviceModal(WorkerErrorPath, ModalScreen[bool]):
    """Lists the user's devices live; subclasses add the confirmation and the action.

    The field to type into keeps the focus; Up/Down choose the device meanwhile.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back out; nothing is changed"),
        Binding("up", "choose(-1)", "Device", key_display="↑↓", id="choose-device"),
        Binding("down", "choose(1)", "Next device", show=False),
    ]
    TITLE_TEXT = ""
    #: Device types the action applies to.
    TYPES: ClassVar[frozenset[str]] = frozenset({"virtual", "hardware", "fido"})

    @dataclass
    class Loaded(Message):
        devices: tuple[MfaDevice, ...]

    @dataclass
    class Done(Message):
        text: str

    def __init__(self, user: str) -> None:
        super().__init__()
        self.user = user
        self.devices: tuple[MfaDevice, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"{self.TITLE_TEXT} of {self.user}", classes="dialog-title")
            yield OptionList(id="device-list")
            yield from self.compose_confirmation()
            yield Static("Reading the devices…", id="device-message", classes="dialog-message")
        yield KeysFooter()

    def compose_confirmation(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.load_devices()

    @work(thread=True, exclusive=True, exit_on_error=False, group="device")
    def load_devices(self) -> None:
        from mfa_tui.aws.mfa_devices import list_user_devices

        iam = self.mfa_app.connection().client("iam")
        self.post_message(self.Loaded(list_user_devices(iam, self.user)))

    @on(Loaded)
    def show_devices(self, message: Loaded) -> None:
        self.devices = tuple(d for d in message.devices if d.type in self.TYPES)
        listing = self.query_one("#device-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(device_line(d), id=d.serial) for d in self.devices])
        if not self.devices:
            others = len(message.devices) - len(self.devices)
            self.say(f"{self.user} has no MFA device this applies to"
                     + (f" ({others} of another type)." if others else "."), error=True)
            return
        listing.highlighted = 0
        self.say(self.ready_text())
        self.focus_confirmation()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose":  # only when there is a choice
            return len(self.devices) > 1
        return True

    def action_choose(self, delta: int) -> None:
        listing = self.query_one("#device-list", OptionList)
        current = listing.highlighted or 0
        listing.highlighted = max(0, min(len(self.devices) - 1, current + delta))

    def ready_text(self) -> str:
        return ""

    def focus_confirmation(self) -> None:
        """Enable the confirmation and focus the field to type into."""

    @property
    def chosen(self) -> MfaDevice | None:
        index = self.query_one("#device-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.devices):
            return None
        return self.devices[index]

    def say(self, text: str, *, error: bool = False) -> None:
        box = self.query_one("#device-message", Static)
        box.update(text)
        box.set_class(error, "-error")

    @on(Done)
    def done(self, message: Done) -> None:
        self.app.notify(message.text, title=self.TITLE_TEXT)
        self.dismiss(True)

    def worker_failed(self, group: str, message: str) -> None:
        self.say(message, error=True)
        self.after_error()

    def after_error(self) -> None:
        """Let the engineer try again after a refusal."""

    def action_back(self) -> None:
        self.dismiss(False)


class RemoveDeviceScreen(_DeviceModal):
    """Deactivate a device and, if virtual, delete it; confirmed by typing the user's name."""

    TITLE_TEXT = "Remove an MFA device"
    WORKER_DOING: ClassVar[dict[str, str]] = {"device": "removing the MFA device"}

    def compose_confirmation(self) -> ComposeResult:
        yield Static(f"Type {self.user} to deactivate and delete the highlighted device, "
                     "then Enter:", id="remove-prompt")
        yield Input(id="remove-name", placeholder=f"type {self.user}", disabled=True)

    def ready_text(self) -> str:
        return ("The user can no longer sign in with it; with no device left, the console "
                "asks them to enroll a new one.")

    def focus_confirmation(self) -> None:
        box = self.query_one("#remove-name", Input)
        box.disabled = False
        box.focus()

    @on(OptionList.OptionSelected, "#device-list")
    def picked(self) -> None:
        self.query_one("#remove-name", Input).focus()

    @on(Input.Submitted, "#remove-name")
    def confirmed(self, event: Input.Submitted) -> None:
        device = self.chosen
        if device is None:
            return
        if event.value != self.user:
            self.say(f"That is not {self.user}: type the user's name exactly, or press Esc.",
                     error=True)
            return
        event.input.disabled = True
        self.say(f"Removing {device.serial}…")
        self.remove_chosen(device)

    @work(thread=True, exclusive=True, exit_on_error=False, group="device")
    def remove_chosen(self, device: MfaDevice) -> None:
        from mfa_tui.aws.mfa_devices import remove_device

        iam = self.mfa_app.connection().client("iam")
        self.post_message(self.Done(remove_device(iam, self.user, device)))

    def after_error(self) -> None:
        self.query_one("#remove-name", Input).disabled = False


class ResyncDeviceScreen(_DeviceModal):
    """Resynchronise a device whose clock drifted, with two consecutive codes from it."""

    TITLE_TEXT = "Resync an MFA device"
    WORKER_DOING: ClassVar[dict[str, str]] = {"device": "resyncing the MFA device"}
    TYPES = frozenset({"virtual", "hardware"})  # FIDO keys have no codes to resync

    def compose_confirmation(self) -> ComposeResult:
        yield Static("Type two consecutive codes from the highlighted device, then Enter:")
        yield CodePair(id="resync-codes", disabled=True)

    def focus_confirmation(self) -> None:
        codes = self.query_one(CodePair)
        codes.disabled = False
        codes.focus_code(1)

    @on(OptionList.OptionSelected, "#device-list")
    def picked(self) -> None:
        self.query_one(CodePair).focus_code(1)

    @on(CodePair.Submitted)
    def submitted(self, message: CodePair.Submitted) -> None:
        device = self.chosen
        if device is None:
            return
        problem = check_code_format(message.code1, message.code2)
        codes = self.query_one(CodePair)
        if problem is not None:
            self.say(problem.message, error=True)
            codes.focus_code(problem.field)
            return
        codes.disabled = True
        self.say(f"Resyncing {device.serial}…")
        self.resync(device, message.code1.strip(), message.code2.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="device")
    def resync(self, device: MfaDevice, code1: str, code2: str) -> None:
        from mfa_tui.aws.mfa_devices import resync_device

        iam = self.mfa_app.connection().client("iam")
        resync_device(iam, self.user, device.serial, code1, code2)
        self.post_message(self.Done(f"Resynced {device.serial} of {self.user}."))

    def after_error(self) -> None:
        codes = self.query_one(CodePair)
        codes.disabled = False
        codes.clear()
        codes.focus_code(1)
