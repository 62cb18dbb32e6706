"""The enrollment screen: a QR code a phone can scan, two codes, and no debris left behind.

Layout (80x24): the QR code on the left (45x23 cells with its 2-module quiet zone: version 6,
EC level L, measured in core/qr_text.py) and the codes on the right (35 columns), so the phone
and the keyboard are used at once, with no view to switch. A longer label (version 7) hides
the footer for the 24th row; a narrow but tall terminal stacks them (core/enroll_layout.py);
one too small for a readable code says so, and ``s`` shows the secret to type in.

The seed and the URI live only in this screen's memory (never logged, never on disk) and are
dropped when it closes. The screen composes an :class:`EnrollFlow` (screens/enroll_flow.py)
that makes every AWS call in a thread worker and posts the results as messages; the device it
created is deleted on cancel or failure (aws/enroll.py: :class:`Enrollment`). SIGHUP and
SIGTERM cancel as Esc does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

from mfa_tui.core.enroll_layout import choose_layout
from mfa_tui.core.exit_codes import CANCELLED as EXIT_CANCELLED
from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.exit_codes import OK as EXIT_ENROLLED
from mfa_tui.core.mfa_kinds import fido_sentence
from mfa_tui.core.otpauth import NewVirtualDevice, group_secret
from mfa_tui.core.totp_check import check_code_format, check_codes
from mfa_tui.tui.screens.enroll_flow import EnrollFlow, EnrollOutcome
from mfa_tui.tui.screens.hang_up import leave_now, stop_watching_hang_ups, watch_hang_ups
from mfa_tui.tui.widgets.code_pair import CodePair
from mfa_tui.tui.widgets.keys_footer import KeysFooter
from mfa_tui.tui.widgets.qr_code import QrCode

__all__ = ["EnrollOutcome", "EnrollScreen"]


class EnrollScreen(Screen[str | None]):
    """Enroll a virtual MFA device (or, with ``hardware``, a hardware token of that serial) for
    ``user`` (None: the caller's own IAM user).

    Dismisses with the new device's serial, or None. With ``outcome`` (the `enroll`
    command) it exits the app instead, with 0 enrolled, 1 cancelled, 2 error.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel",
                tooltip="Stop, deleting the device this screen created"),
        # once enabled, Esc only goes back: the new device stays
        Binding("escape", "enrolled_back", "Back", id="enrolled-back",
                tooltip="Back: the new device stays enabled"),
        # priority: the code fields take digits only, "s" must still reach the screen
        Binding("s", "toggle_secret", "Secret", id="secret", priority=True,
                tooltip="Show or hide the secret, for a desktop authenticator"),
        Binding("d", "delete_orphans", "Delete orphans", id="delete-orphans",
                tooltip="Delete unassigned devices that block this name (asks first)"),
        # priority, as "s": the code fields have focus (check_action gates them)
        Binding("h", "hardware", "Hardware", id="hardware", priority=True,
                tooltip="Enroll a hardware TOTP token instead (its serial and two codes)"),
        Binding("f", "fido", "FIDO", id="fido", priority=True,
                tooltip="A FIDO security key or passkey: where to register it"),
    ]
    #: The app leaves "Screenshot" out of the palette here: the QR code holds the seed.
    HOLDS_SECRETS = True

    def __init__(
        self,
        user: str | None = None,
        *,
        device_name: str | None = None,
        clock: Callable[[], float] = time.time,
        outcome: EnrollOutcome | None = None,
        hardware: str | None = None,
    ) -> None:
        super().__init__()
        self.user = user
        self.clock = clock
        self.outcome = outcome
        #: A hardware TOTP token's serial: no device is created, no QR code shown.
        self.hardware = hardware
        self.state = "starting"  # scan, checking, orphans, done, failed, closing
        self.flow = EnrollFlow(user, device_name=device_name, clock=clock, id="enroll-flow")
        self._device: NewVirtualDevice | None = None
        self._uri: str | None = None
        self._orphans: tuple[str, ...] = ()
        self._orphan_name = ""
        self._failure: str | None = None
        self._signalled = ""  # the signal that ends the screen (SIGHUP, SIGTERM)

    def check_time(self) -> float:
        """The time codes are checked at: AWS's when the skew was measured, else the clock's."""
        skew = self._device.skew if self._device is not None else None
        return self.clock() + (skew or 0.0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # One Esc, labelled in the footer for what it does now.
        if action == "cancel":
            return self.state != "done"
        if action == "enrolled_back":
            return self.state == "done"
        if action == "delete_orphans":
            return self.state == "orphans"
        # The kind can be changed while the codes are awaited, before they are sent.
        if action in ("hardware", "fido"):
            return self.hardware is None and self.state in ("scan", "orphans")
        if action == "toggle_secret":
            return self.hardware is None  # a token has no secret to show
        return True

    def action_enrolled_back(self) -> None:
        self.action_cancel()

    @property
    def in_flight(self) -> bool:
        """An attempt is open: a device may exist that quitting must delete."""
        return self.state in ("starting", "scan", "checking", "orphans")

    def quit_after_cleanup(self) -> None:
        """The app quits: cancel like Esc (the device is deleted), then leave."""
        self._signalled = self._signalled or "quit"
        self.action_cancel()

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="enroll-body"):
            with Vertical(id="enroll-qr-area"):
                yield QrCode(id="enroll-qr",
                             too_small_hint="Or press s to show the secret and type it in.")
            with Vertical(id="enroll-panel"):
                yield Static(self._title(), id="enroll-title")
                yield Static(
                    "1. Scan the code with an authenticator app (s shows the secret to type "
                    "in instead).\n2. Type two codes in a row:", id="enroll-steps")
                yield Static("", id="enroll-secret")
                yield CodePair(id="enroll-codes")
                yield Static("Enter: enable · Esc: cancel", id="enroll-keys")
                yield Static("Creating a virtual MFA device…", id="enroll-message")
        yield self.flow
        yield KeysFooter()

    def _title(self) -> str:
        who = self.user or "your own IAM user"
        if self.hardware:
            return f"Enable the hardware token {self.hardware} for {who}"
        return f"Enroll an MFA device for {who}"

    def on_mount(self) -> None:
        self.query_one(CodePair).disabled = True
        self.query_one(CodePair).focus_code(1)
        watch_hang_ups(self._hang_up)
        if self.hardware:
            self._switch_to_hardware(self.hardware)
        else:
            self.flow.start()

    def _switch_to_hardware(self, serial: str) -> None:
        self.hardware = serial
        self.state = "starting"
        self._drop_secrets()
        self.add_class("-hardware")
        self.query_one(CodePair).disabled = True
        self.query_one("#enroll-title", Static).update(self._title())
        self._message("Checking that the user can take another MFA device…")
        self.refresh_bindings()
        self.flow.start_hardware()

    def on_resize(self, event: Resize) -> None:
        self._fit_layout()

    def _fit_layout(self) -> None:
        layout = choose_layout(self._uri, *self.size)
        self.set_class(layout.stacked, "-stacked")
        self.set_class(not layout.footer, "-no-footer")
        self.query_one(QrCode).room = layout.room

    def _message(self, text: str, tone: str = "") -> None:
        box = self.query_one("#enroll-message", Static)
        box.update(text)
        box.set_class(tone == "error", "-error")
        box.set_class(tone == "ok", "-ok")

    @on(EnrollFlow.OrphansDeleted)
    def _restart(self) -> None:
        if self.flow.cancelled:
            return
        self.state = "starting"
        self.refresh_bindings()
        self._message("Creating a virtual MFA device…")
        self.flow.start()

    # -- results ------------------------------------------------------------------------

    @on(EnrollFlow.Created)
    def show_code(self, message: EnrollFlow.Created) -> None:
        if self.flow.cancelled:
            return
        self.user = message.user
        self._device, self._uri = message.device, message.uri
        self.state = "scan"
        self.query_one("#enroll-title", Static).update(self._title())
        self.query_one(QrCode).data = message.uri
        self._fit_layout()
        name = message.device.serial.split(":", 5)[-1]
        if message.note:  # an earlier device of theirs could not be deleted: nor can this one
            self._message(f"Device {name} created. {message.note}")
        else:
            self._message(f"Device {name} created: it is deleted again if you cancel.")
        codes = self.query_one(CodePair)
        codes.disabled = False
        codes.focus_code(1)

    @on(EnrollFlow.HardwareReady)
    def show_hardware(self, message: EnrollFlow.HardwareReady) -> None:
        if self.flow.cancelled:
            return
        self.user = message.user
        self.state = "scan"
        self.query_one("#enroll-title", Static).update(self._title())
        self.query_one("#enroll-steps", Static).update(
            "1. Press the token's button and type the code it shows.\n2. Wait for the next "
            "code (press again) and type it:")
        self._message(f"Nothing is created until AWS accepts the codes. {message.note}".strip(),
                      "error" if message.note else "")
        codes = self.query_one(CodePair)
        codes.disabled = False
        codes.clear()
        codes.focus_code(1)

    @on(CodePair.Submitted)
    def submit(self, message: CodePair.Submitted) -> None:
        if self.state != "scan" or (self._device is None and not self.hardware):
            return
        codes = self.query_one(CodePair)
        if self._device is None:  # a hardware token: no seed to check the codes against
            problem = check_code_format(message.code1, message.code2, source="the token")
        else:
            problem = check_codes(self._device.seed, message.code1, message.code2,
                                  now=self.clock(), skew=self._device.skew)
        if problem is not None:
            self._message(problem.message, "error")
            if problem.retype_both:
                codes.clear()
            elif problem.kind != "format":
                codes.clear(problem.field)  # a new code goes there; a typo is left to fix
            codes.focus_code(1 if problem.retype_both else problem.field)
            return
        self.state = "checking"
        codes.disabled = True
        self._message("Asking AWS to enable the device…")
        if self.hardware:
            self.flow.enable_hardware(self.hardware, message.code1.strip(),
                                      message.code2.strip())
        else:
            self.flow.enable(message.code1.strip(), message.code2.strip())

    @on(EnrollFlow.Failed)
    def show_failure(self, message: EnrollFlow.Failed) -> None:
        if self.flow.cancelled:
            return
        codes = self.query_one(CodePair)
        if message.retry and (self._device is not None or self.hardware):
            self.state = "scan"
            codes.disabled = False
            codes.clear()
            codes.focus_code(1)
            self._message(message.message, "error")
            return
        if message.orphans:
            self.state = "orphans"
            self._orphans, self._orphan_name = message.orphans, message.name
            self._message(f"{message.message} Press d to delete it and start again (you will "
                          "confirm), or Esc to cancel.", "error")
            self.refresh_bindings()
            return
        self.state = "failed"
        self._failure = message.message
        self._drop_secrets()
        codes.disabled = True
        self._message(f"{message.message} Press Esc to close.", "error")

    @on(EnrollFlow.Enabled)
    def enrolled(self, message: EnrollFlow.Enabled) -> None:
        if self.flow.cancelled or (self.flow.serial is None and not self.hardware):
            return
        self.flow.keep()
        self.state = "done"
        self._drop_secrets()
        user = self.user or ""
        text = f"✓ {user} is enrolled: {message.serial}"
        if self.outcome is not None:
            self.outcome.code, self.outcome.message = EXIT_ENROLLED, text
            self.app.exit(EXIT_ENROLLED)
            return
        self._message(f"{text}. Esc goes back; the device stays.", "ok")
        self.refresh_bindings()
        self.flow.refresh_below(user)

    @on(EnrollFlow.Discarded)
    def closed(self, message: EnrollFlow.Discarded) -> None:
        if self.outcome is None:
            if message.problem:
                self.app.notify(message.problem, title="Cleanup failed", severity="error",
                                timeout=15)
            self.dismiss(None)
            if self._signalled:
                self._leave_after_signal(EXIT_CANCELLED)
            return
        failed = self._failure is not None or message.problem is not None
        text = self._failure or "Cancelled: no MFA device was enabled." + (
            "" if message.problem else " Nothing was left behind.")
        self.outcome.code = EXIT_ERROR if failed else EXIT_CANCELLED
        self.outcome.message = f"{text} {message.problem or ''}".strip()
        self._leave_after_signal(self.outcome.code)

    # -- keys -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.state == "closing":
            return
        if self.state == "done":
            if self.outcome is not None:
                self.app.exit(EXIT_ENROLLED)
            else:
                self.dismiss(self.flow.serial or self.hardware)
            return
        if self.state != "failed":
            self._message("Cancelling: deleting the device this screen created…")
        self.state = "closing"
        self._drop_secrets()
        self.query_one(CodePair).disabled = True
        self.flow.cancel()

    def action_toggle_secret(self) -> None:
        box = self.query_one("#enroll-secret", Static)
        show = self._device is not None and not box.has_class("-shown")
        box.update("Secret (TOTP, 6 digits, 30 s):\n" + group_secret(
            self._device.seed, per_line=4) if show and self._device else "")
        box.set_class(show, "-shown")
        self.set_class(show, "-secret-shown")  # the secret takes the place of the steps

    def action_hardware(self) -> None:
        from mfa_tui.tui.screens.hardware_serial import HardwareSerialScreen

        def chosen(serial: str | None) -> None:
            if serial and self.hardware is None and self.state in ("scan", "orphans"):
                self._switch_to_hardware(serial)

        self.app.push_screen(HardwareSerialScreen(), chosen)

    def action_fido(self) -> None:
        self._message(fido_sentence(self.user) + " Esc closes; or scan the code for a "
                      "virtual device.", "error")

    def action_delete_orphans(self) -> None:
        if self.state != "orphans" or not self._orphans:
            return
        from mfa_tui.tui.screens.device_actions import orphans_confirmation

        serials = self._orphans

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._message("Deleting the unassigned device…")
                self.flow.delete_orphans(serials)

        self.app.push_screen(orphans_confirmation(self._orphan_name, serials), confirmed)

    # -- secrets ----------------------------------------------------------------------------

    def _drop_secrets(self) -> None:
        """Forget the seed and the URI, and every widget that shows them."""
        self._device = None
        self._uri = None
        if self.is_mounted:
            self.query_one(QrCode).clear()
            secret = self.query_one("#enroll-secret", Static)
            secret.update("")
            secret.remove_class("-shown")
            self.remove_class("-secret-shown")

    # -- hang-ups ---------------------------------------------------------------------------

    def _hang_up(self, name: str) -> None:
        """SIGHUP (the SSH connection dropped) or SIGTERM: cancel as Esc does, then leave."""
        self._signalled = name
        if self.state == "done":
            self._leave_after_signal(EXIT_ENROLLED)
        elif self.state != "closing":
            self.action_cancel()

    def _leave_after_signal(self, code: int) -> None:
        if self._signalled == "SIGHUP":
            leave_now(code)
        self.app.exit(code)

    def on_unmount(self) -> None:
        self._device = None
        self._uri = None
        stop_watching_hang_ups()
