"""The enrollment flow behind the screen: AWS work in thread workers, results as messages.

:class:`EnrollFlow` is a widget with nothing to draw that the enrollment screen composes. It
owns one attempt (the :class:`Enrollment` that owns the new device), runs every AWS call in a
thread worker, and posts what happened as messages (:class:`EnrollFlow.Created`, ``Failed``,
``HardwareReady``, ``Enabled``, ``OrphansDeleted``, ``Discarded``); they bubble up to
:class:`~mfa_tui.tui.screens.enroll.EnrollScreen`, which draws them. The flow never touches a
widget; the screen never makes an AWS call. Once :meth:`cancel` is called, whatever arrives
later is only cleaned up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.message import Message

from mfa_tui.core.exit_codes import CANCELLED as EXIT_CANCELLED
from mfa_tui.core.otpauth import NewVirtualDevice, enrollment_uri
from mfa_tui.tui.base import WorkerErrorPath

if TYPE_CHECKING:
    from mfa_tui.aws.enroll import Enrollment


@dataclass
class EnrollOutcome:
    """How `mfa-tui enroll` ended: its exit code and a sentence to print after the TUI."""

    code: int = EXIT_CANCELLED
    message: str = ""


class EnrollFlow(WorkerErrorPath):
    """One enrollment attempt's AWS work (see the module docstring)."""

    DEFAULT_CSS = """
    EnrollFlow {
        display: none;
    }
    """

    WORKER_DOING: ClassVar[dict[str, str]] = {"enroll": "enrolling the device",
                                              "discard": "deleting the new device"}

    @dataclass
    class Created(Message):
        """The device exists; ``uri`` is what the QR code shows."""

        device: NewVirtualDevice  # its repr hides the seed
        user: str
        uri: str = field(repr=False)  # holds the seed
        note: str = ""  # e.g. an earlier orphan passed over (self-service)

    @dataclass
    class Failed(Message):
        """A sentence; ``retry``: the same device can take new codes; ``orphans``: unassigned
        devices of that name are in the way."""

        message: str
        retry: bool = False
        orphans: tuple[str, ...] = ()
        name: str = ""

    @dataclass
    class HardwareReady(Message):
        """The user has room for the hardware token: its two codes can be typed."""

        user: str
        note: str = ""  # e.g. the virtual device switched from could not be deleted

    @dataclass
    class Enabled(Message):
        """AWS enabled the device."""

        serial: str

    @dataclass
    class OrphansDeleted(Message):
        """The unassigned devices in the way are gone: the attempt can start again."""

    @dataclass
    class Discarded(Message):
        """The attempt is over and its device deleted (``problem``: what could not be)."""

        problem: str | None

    def __init__(
        self,
        user: str | None = None,
        *,
        device_name: str | None = None,
        clock: Callable[[], float] = time.time,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        #: The user enrolled (None until the caller's own user is known: self-service).
        self.user = user
        self.device_name = device_name
        self.clock = clock
        self._enrollment: Enrollment | None = None
        self._lock = threading.Lock()
        self._cancelled = False

    @property
    def cancelled(self) -> bool:
        """``cancel()`` was called: later results are only cleaned up."""
        return self._cancelled

    @property
    def serial(self) -> str | None:
        """The serial of the virtual device this attempt created (None: none, or deleted)."""
        return self._enrollment.serial if self._enrollment is not None else None

    def keep(self) -> None:
        """The device is enabled and the user saw it: no cleanup from now on."""
        if self._enrollment is not None:
            self._enrollment.keep()

    def cancel(self) -> None:
        """Stop: delete the device this attempt created, then post ``Discarded``."""
        with self._lock:
            self._cancelled = True
        self.discard()

    # -- AWS work (threads) -------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def start(self) -> None:
        """Who, which account, room for a device; then create it and build the URI."""
        from mfa_tui.aws.enroll import DeviceNameTaken, Enrollment
        from mfa_tui.aws.mfa_devices import EnrollError, account_alias, caller_user_name

        conn = self.mfa_app.connection()
        iam = conn.client("iam")
        user = self.user or caller_user_name(conn)
        caller = conn.caller()
        enrollment = Enrollment(iam, user, device_name=self.device_name, clock=self.clock,
                                self_service=caller.iam_user_name == user)
        enrollment.check_user()
        alias = account_alias(iam)
        with self._lock:
            if self._cancelled:
                return
            self.user = user
            self._enrollment = enrollment
        try:
            device = enrollment.create()
        except DeviceNameTaken as exc:
            self.post_message(self.Failed(str(exc), orphans=exc.orphans, name=exc.name))
            return
        except EnrollError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Created(device, user,
                                       enrollment_uri(device.seed, user, caller.account, alias),
                                       enrollment.passed_over_note()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def start_hardware(self) -> None:
        """Delete the virtual device of this attempt, if any; then check the user has room."""
        from mfa_tui.aws.enroll import Enrollment
        from mfa_tui.aws.mfa_devices import caller_user_name

        with self._lock:
            enrollment, self._enrollment = self._enrollment, None
        problem = enrollment.discard() if enrollment is not None else None
        conn = self.mfa_app.connection()
        user = self.user or caller_user_name(conn)
        Enrollment(conn.client("iam"), user).check_user()
        self.user = user
        self.post_message(self.HardwareReady(user, problem or ""))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def enable(self, code1: str, code2: str) -> None:
        """``EnableMFADevice`` for the virtual device this attempt created."""
        from mfa_tui.aws.mfa_devices import EnrollError

        assert self._enrollment is not None
        try:
            serial = self._enrollment.enable(code1, code2)
        except EnrollError as exc:
            self.post_message(self.Failed(str(exc), retry=exc.retry))
            return
        self.post_message(self.Enabled(serial))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def enable_hardware(self, serial: str, code1: str, code2: str) -> None:
        """``EnableMFADevice`` for a hardware token (nothing to clean up on failure)."""
        from mfa_tui.aws.mfa_devices import EnrollError, enable_hardware_token

        iam = self.mfa_app.connection().client("iam")
        try:
            enabled = enable_hardware_token(iam, self.user or "", serial, code1, code2)
        except EnrollError as exc:
            self.post_message(self.Failed(str(exc), retry=exc.retry))
            return
        self.post_message(self.Enabled(enabled))

    @work(thread=True, exclusive=True, exit_on_error=False, group="discard")
    def discard(self) -> None:
        with self._lock:
            enrollment = self._enrollment
        problem = enrollment.discard() if enrollment is not None else None
        self.post_message(self.Discarded(problem))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def delete_orphans(self, serials: tuple[str, ...]) -> None:
        """Delete the unassigned devices in the way (the user confirmed)."""
        from mfa_tui.aws.mfa_devices import delete_orphans

        delete_orphans(self.mfa_app.connection().client("iam"), serials)
        self.post_message(self.OrphansDeleted())

    @work(thread=True, exit_on_error=False, group="refresh")
    def refresh_below(self, user: str) -> None:
        """Read the user live so the screen below the enrollment updates their row in place."""
        from mfa_tui.aws.user_detail import load_user_detail
        from mfa_tui.tui.messages import UserConfirmed

        detail = load_user_detail(self.mfa_app.connection(), user)
        app, own = self.app, self.screen
        stack = app.screen_stack
        below = stack[stack.index(own) - 1] if own in stack and stack.index(own) > 0 else None
        target = below if below is not None else app.screen
        if target is not own:
            target.post_message(UserConfirmed(detail))

    def worker_failed(self, group: str, message: str) -> None:
        if group == "discard":
            self.post_message(self.Discarded(message))
        elif group == "enroll":
            self.post_message(self.Failed(message))
        # "refresh" (the row below) is best effort: the next read of the table shows it
