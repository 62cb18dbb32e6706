"""The enrollment flow behind the screen: AWS work in thread workers, and how it ends.

:class:`EnrollFlow` holds the state of one attempt (the :class:`Enrollment` that owns the new
device, the device's seed while it is shown) and runs every AWS call in a thread worker; the
results come back as messages that :class:`~mfa_tui.tui.screens.enroll.EnrollScreen` draws. A
hang-up (SIGHUP: the SSH connection dropped) or SIGTERM cancels like Esc, so the device is
deleted instead of the process dying with it in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from mfa_tui.core.otpauth import NewVirtualDevice, enrollment_uri

if TYPE_CHECKING:
    from mfa_tui.aws.enroll import Enrollment
    from mfa_tui.tui.app import MfaTuiApp

from mfa_tui.core.exit_codes import CANCELLED as EXIT_CANCELLED
from mfa_tui.core.exit_codes import OK as EXIT_ENROLLED


@dataclass
class EnrollOutcome:
    """How `mfa-tui enroll` ended: its exit code and a sentence to print after the TUI."""

    code: int = EXIT_CANCELLED
    message: str = ""


class EnrollFlow(Screen[str | None]):
    """State and AWS workers of the enrollment screen (see the module docstring)."""

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
    class Discarded(Message):
        """The attempt is over and its device deleted (``problem``: what could not be)."""

        problem: str | None

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
        #: A hardware TOTP token's serial: no device is created, no QR code shown.
        self.hardware = hardware
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
        self._cancelled = False
        self._signalled = ""  # the signal that ends the screen (SIGHUP, SIGTERM)

    def action_cancel(self) -> None:
        """Cancel: drop the secrets and delete the device (the screen draws it)."""
        raise NotImplementedError

    def _restart(self) -> None:
        """Start again after the orphans were deleted (the screen draws it)."""
        raise NotImplementedError

    def check_time(self) -> float:
        """The time codes are checked at: AWS's when the skew was measured, else the clock's."""
        skew = self._device.skew if self._device is not None else None
        return self.clock() + (skew or 0.0)

    def _signals(self, *, install: bool) -> None:
        """SIGHUP (the SSH connection dropped) and SIGTERM cancel as Esc does, then leave:
        the device is deleted instead of the process dying with it in place."""
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                if number is None:
                    continue
                if install:
                    loop.add_signal_handler(number, self._hang_up, name)
                else:
                    loop.remove_signal_handler(number)

    def _hang_up(self, name: str) -> None:
        self._signalled = name
        if self.state == "done":
            self._leave_after_signal(EXIT_ENROLLED)
        elif self.state != "closing":
            self.action_cancel()

    def _leave_after_signal(self, code: int) -> None:
        if self._signalled == "SIGHUP":
            # The terminal is gone: Textual's shutdown would block writing to it (measured:
            # the process hung after `tmux kill-server`). The device is deleted; just go.
            logging.shutdown()
            os._exit(code)
        self.app.exit(code)

    # -- AWS work (threads) -------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def start(self) -> None:
        """Who, which account, room for a device; then create it and build the URI."""
        from mfa_tui.aws.enroll import DeviceNameTaken, Enrollment
        from mfa_tui.aws.mfa_devices import EnrollError, account_alias, caller_user_name

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        conn = app.connection()
        iam = conn.client("iam")
        user = self.user or caller_user_name(conn)
        caller = conn.caller()
        enrollment = Enrollment(iam, user, device_name=self.device_name, clock=self.clock,
                                self_service=caller.iam_user_name == user)
        enrollment.check_user()
        account = caller.account
        alias = account_alias(iam)
        with self._lock:
            if self._cancelled:
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
        self.post_message(self.Created(device, user,
                                       enrollment_uri(device.seed, user, account, alias),
                                       enrollment.passed_over_note()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def start_hardware(self) -> None:
        """Delete the virtual device of this screen, if any; then check the user has room."""
        from mfa_tui.aws.enroll import Enrollment
        from mfa_tui.aws.mfa_devices import caller_user_name

        with self._lock:
            enrollment, self._enrollment = self._enrollment, None
        problem = enrollment.discard() if enrollment is not None else None
        app: MfaTuiApp = self.app  # type: ignore[assignment]
        conn = app.connection()
        user = self.user or caller_user_name(conn)
        Enrollment(conn.client("iam"), user).check_user()
        self.post_message(self.HardwareReady(user, problem or ""))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def enable_hardware(self, serial: str, code1: str, code2: str) -> None:
        from mfa_tui.aws.mfa_devices import EnrollError, enable_hardware_token

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        user = self.user or ""
        try:
            enabled = enable_hardware_token(app.connection().client("iam"), user, serial,
                                            code1, code2)
        except EnrollError as exc:
            self.post_message(self.Failed(str(exc), retry=exc.retry))
            return
        self.post_message(self.Enabled(enabled))

    @work(thread=True, exclusive=True, exit_on_error=False, group="enroll")
    def enable(self, code1: str, code2: str) -> None:
        from mfa_tui.aws.mfa_devices import EnrollError

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
        from mfa_tui.aws.mfa_devices import delete_orphans

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        delete_orphans(app.connection().client("iam"), serials)
        self.app.call_from_thread(self._restart)

    @work(thread=True, exit_on_error=False, group="refresh")
    def refresh_below(self, user: str) -> None:
        """Read the user live so the screen below updates their row in place."""
        from mfa_tui.aws.user_detail import load_user_detail
        from mfa_tui.tui.screens.user_detail import UserDetailScreen

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
        from mfa_tui.aws.errors import explain
        from mfa_tui.aws.mfa_devices import EnrollError
        from mfa_tui.aws.user_detail import NoSuchUser

        error = event.worker.error
        if isinstance(error, NoSuchUser | EnrollError):
            message = str(error)
        else:
            message = explain(error or RuntimeError("unknown"), doing="enrolling the device")
        if event.worker.group == "discard":
            self.post_message(self.Discarded(message))
        else:
            self.post_message(self.Failed(message))
