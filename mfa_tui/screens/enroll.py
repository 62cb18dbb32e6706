"""The enrollment screen: a QR code a phone can scan, two codes, and no debris left behind.

Layout (80x24): the QR code on the left (45x23 cells with its 2-module quiet zone: version 6,
EC level L, measured in core/qr_text.py) and the codes on the right (35 columns), so the phone
and the keyboard are used without switching views. A terminal too narrow for both but tall
enough stacks them; one too small for a readable code says so, and ``s`` shows the secret.

The seed and the URI live only in this screen's memory (never logged, never on disk) and are
dropped when it closes. Every AWS call runs in a thread worker; the device this screen created
is deleted on cancel or failure (aws/enroll.py: :class:`Enrollment`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from ..core.otpauth import NewVirtualDevice, group_secret, otpauth_uri
from ..core.qr_text import fit_half_block_lines
from ..core.totp_check import check_codes
from ..widgets.code_pair import CodePair
from ..widgets.qr_code import QrCode

if TYPE_CHECKING:
    from ..app import MfaTuiApp
    from ..aws.enroll import Enrollment

#: Columns the codes panel needs beside the QR code; rows it needs below it when stacked.
PANEL_COLUMNS = 32
PANEL_ROWS = 9
EXIT_ENROLLED, EXIT_CANCELLED, EXIT_ERROR = 0, 1, 2


@dataclass
class EnrollOutcome:
    """How `mfa-tui enroll` ended: its exit code and a sentence to print after the TUI."""

    code: int = EXIT_CANCELLED
    message: str = ""


class EnrollScreen(Screen[str | None]):
    """Enroll a virtual MFA device for ``user`` (None: the caller's own IAM user).

    Dismisses with the new device's serial, or None. With ``outcome`` (the `enroll`
    command) it exits the app instead, with 0 enrolled, 1 cancelled, 2 error.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel",
                tooltip="Stop, deleting the device this screen created"),
        # priority: the code fields take digits only, "s" must still reach the screen
        Binding("s", "toggle_secret", "Secret", id="secret", priority=True,
                tooltip="Show or hide the secret, for a desktop authenticator"),
        Binding("d", "delete_orphans", "Delete orphans", id="delete-orphans", show=False,
                tooltip="Delete unassigned devices that block this name (asks first)"),
    ]
    #: The app leaves "Screenshot" out of the palette here: the QR code holds the seed.
    HOLDS_SECRETS = True

    @dataclass
    class Created(Message):
        device: NewVirtualDevice
        user: str
        uri: str

    @dataclass
    class Failed(Message):
        message: str
        retry: bool = False
        orphans: tuple[str, ...] = ()
        name: str = ""

    @dataclass
    class Enabled(Message):
        serial: str

    @dataclass
    class Discarded(Message):
        problem: str | None

    def __init__(
        self,
        user: str | None = None,
        *,
        device_name: str | None = None,
        clock: Callable[[], float] = time.time,
        outcome: EnrollOutcome | None = None,
    ) -> None:
        super().__init__()
        self.user = user
        self.device_name = device_name
        self.clock = clock
        self.outcome = outcome
        self.state = "starting"  # scan, checking, orphans, done, failed, closing
        self._device: NewVirtualDevice | None = None
        self._uri: str | None = None
        self._enrollment: Enrollment | None = None
        self._orphans: tuple[str, ...] = ()
        self._orphan_name = ""
        self._failure: str | None = None
        self._lock = threading.Lock()
        self._closing = False

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
                yield CodePair(id="enroll-codes")
                yield Static("Enter: enable · Esc: cancel", id="enroll-keys")
                yield Static("Creating a virtual MFA device…", id="enroll-message")
                yield Static("", id="enroll-secret")
        yield Footer()

    def _title(self) -> str:
        return f"Enroll an MFA device for {self.user}" if self.user else \
            "Enroll an MFA device for your own IAM user"

    def on_mount(self) -> None:
        self.query_one(CodePair).disabled = True
        self.query_one(CodePair).focus_code(1)
        self.start()

    def on_resize(self, event: Resize) -> None:
        self._fit_layout()

    def _fit_layout(self) -> None:
        """Side by side when the code fits beside the panel; else stacked if that fits."""
        width, height = self.size
        rows = max(height - 1, 0)  # the footer
        stacked = False
        if self._uri is not None and fit_half_block_lines(
                self._uri, width - PANEL_COLUMNS, rows) is None:
            stacked = fit_half_block_lines(self._uri, width, rows - PANEL_ROWS) is not None
        self.set_class(stacked, "-stacked")
        room = (width, rows - PANEL_ROWS) if stacked else (width - PANEL_COLUMNS, rows)
        self.query_one(QrCode).room = (max(room[0], 0), max(room[1], 0))

    def _message(self, text: str, tone: str = "") -> None:
        box = self.query_one("#enroll-message", Static)
        box.update(text)
        box.set_class(tone == "error", "-error")
        box.set_class(tone == "ok", "-ok")

    # -- AWS work (threads) -------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def start(self) -> None:
        """Who, which account, room for a device; then create it and build the URI."""
        from ..aws.enroll import (
            DeviceNameTaken,
            EnrollError,
            Enrollment,
            account_alias,
            caller_user_name,
        )

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        conn = app.connection()
        iam = conn.client("iam")
        user = self.user or caller_user_name(conn)
        enrollment = Enrollment(iam, user, device_name=self.device_name, clock=self.clock)
        enrollment.check_user()
        account = conn.caller().account
        alias = account_alias(iam)
        with self._lock:
            if self._closing:
                return
            self._enrollment = enrollment
        try:
            device = enrollment.create()
        except DeviceNameTaken as exc:
            self.post_message(self.Failed(str(exc), orphans=exc.orphans, name=exc.name))
            return
        except EnrollError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Created(device, user, otpauth_uri(device.seed, user, account,
                                                                  alias=alias)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def enable(self, code1: str, code2: str) -> None:
        from ..aws.enroll import EnrollError

        assert self._enrollment is not None
        try:
            serial = self._enrollment.enable(code1, code2)
        except EnrollError as exc:
            self.post_message(self.Failed(str(exc), retry=exc.retry))
            return
        self.post_message(self.Enabled(serial))

    @work(thread=True, exclusive=True, exit_on_error=False, group="discard")
    def discard(self) -> None:
        with self._lock:
            enrollment = self._enrollment
        problem = enrollment.discard() if enrollment is not None else None
        self.post_message(self.Discarded(problem))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def delete_orphans_then_start(self, serials: tuple[str, ...]) -> None:
        from ..aws.enroll import delete_orphans

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        delete_orphans(app.connection().client("iam"), serials)
        self.app.call_from_thread(self._restart)

    def _restart(self) -> None:
        self.state = "starting"
        self._message("Creating a virtual MFA device…")
        self.start()

    @work(thread=True, exit_on_error=False, group="refresh")
    def refresh_below(self, user: str) -> None:
        """Read the user live so the screen below updates their row in place."""
        from ..aws.user_detail import load_user_detail
        from .user_detail import UserDetailScreen

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        detail = load_user_detail(app.connection(), user)
        stack = app.screen_stack
        below = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        target = below if below is not None else app.screen
        if target is not self:
            target.post_message(UserDetailScreen.Confirmed(detail))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.group not in ("enroll", "discard"):
            return
        from ..aws.enroll import EnrollError
        from ..aws.errors import explain
        from ..aws.user_detail import NoSuchUser

        error = event.worker.error
        if isinstance(error, NoSuchUser | EnrollError):
            message = str(error)
        else:
            message = explain(error or RuntimeError("unknown"), doing="enrolling the device")
        if event.worker.group == "discard":
            self.post_message(self.Discarded(message))
        else:
            self.post_message(self.Failed(message))

    # -- results ------------------------------------------------------------------------

    @on(Created)
    def show_code(self, message: Created) -> None:
        if self._closing:
            return
        self.user = message.user
        self._device, self._uri = message.device, message.uri
        self.state = "scan"
        self.query_one("#enroll-title", Static).update(self._title())
        self.query_one(QrCode).data = message.uri
        self._fit_layout()
        self._message(f"Device {message.device.serial.split(':', 5)[-1]} created: it is "
                      "deleted again if you cancel.")
        codes = self.query_one(CodePair)
        codes.disabled = False
        codes.focus_code(1)

    @on(CodePair.Submitted)
    def submit(self, message: CodePair.Submitted) -> None:
        if self.state != "scan" or self._device is None:
            return
        codes = self.query_one(CodePair)
        problem = check_codes(self._device.seed, message.code1, message.code2,
                              now=self.clock(), skew=self._device.skew)
        if problem is not None:
            self._message(problem.message, "error")
            if problem.retype_both:
                codes.clear()
            elif problem.field == 2 and message.code1.strip() == message.code2.strip():
                codes.clear(2)
            codes.focus_code(1 if problem.retype_both else problem.field)
            return
        self.state = "checking"
        codes.disabled = True
        self._message("Asking AWS to enable the device…")
        self.enable(message.code1.strip(), message.code2.strip())

    @on(Failed)
    def show_failure(self, message: Failed) -> None:
        if self._closing:
            return
        codes = self.query_one(CodePair)
        if message.retry and self._device is not None:
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
            return
        self.state = "failed"
        self._failure = message.message
        self._drop_secrets()
        codes.disabled = True
        self._message(f"{message.message} Press Esc to close.", "error")

    @on(Enabled)
    def enrolled(self, message: Enabled) -> None:
        if self._closing or self._enrollment is None:
            return
        self._enrollment.keep()
        self.state = "done"
        self._drop_secrets()
        user = self.user or ""
        text = f"✓ {user} is enrolled: {message.serial}"
        if self.outcome is not None:
            self.outcome.code, self.outcome.message = EXIT_ENROLLED, text
            self.app.exit(EXIT_ENROLLED)
            return
        self._message(f"{text}. Press Esc to go back.", "ok")
        self.refresh_below(user)

    @on(Discarded)
    def closed(self, message: Discarded) -> None:
        failed = self._failure is not None
        if self.outcome is not None:
            self.outcome.code = EXIT_ERROR if failed or message.problem else EXIT_CANCELLED
            if failed:
                text = self._failure or ""
            else:
                text = "Cancelled: no MFA device was enabled."
                if not message.problem:
                    text += " Nothing was left behind."
            self.outcome.message = f"{text} {message.problem or ''}".strip()
            self.app.exit(self.outcome.code)
            return
        if message.problem:
            self.app.notify(message.problem, title="Cleanup failed", severity="error", timeout=15)
        self.dismiss(None)

    # -- keys -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if self.state == "closing":
            return
        if self.state == "done":
            if self.outcome is not None:
                self.app.exit(EXIT_ENROLLED)
            else:
                self.dismiss(self._enrolled_serial())
            return
        if self.state != "failed":
            self._message("Cancelling: deleting the device this screen created…")
        self.state = "closing"
        with self._lock:
            self._closing = True
        self._drop_secrets()
        self.query_one(CodePair).disabled = True
        self.discard()

    def _enrolled_serial(self) -> str | None:
        return self._enrollment.serial if self._enrollment is not None else None

    def action_toggle_secret(self) -> None:
        box = self.query_one("#enroll-secret", Static)
        if self._device is None or box.has_class("-shown"):
            box.update("")
            box.remove_class("-shown")
            return
        box.update("Secret key (time-based, 6 digits, 30 s):\n"
                   + group_secret(self._device.seed, per_line=4))
        box.add_class("-shown")

    def action_delete_orphans(self) -> None:
        if self.state != "orphans" or not self._orphans:
            return
        from .device_actions import ConfirmTypedScreen

        serials = self._orphans
        body = "\n".join(serials)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._message("Deleting the unassigned device…")
                self.delete_orphans_then_start(serials)

        self.app.push_screen(
            ConfirmTypedScreen(
                title="Delete unassigned MFA devices",
                body=f"These virtual devices are assigned to no one:\n{body}",
                expected=self._orphan_name,
                prompt=f"Type {self._orphan_name} to delete them",
            ),
            confirmed,
        )

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

    def on_unmount(self) -> None:
        self._device = None
        self._uri = None
