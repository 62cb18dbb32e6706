"""Enroll a virtual MFA device (botocore only), leaving no debris behind.

:class:`Enrollment` is one attempt to give a user a virtual MFA device. It remembers the
device it created and deletes it (deactivating it first if it may have been enabled) unless
the caller keeps it: on ``discard()``, at the end of a ``with`` block, and as a last resort
when the process exits. The seed goes to the caller once, in a :class:`NewVirtualDevice`;
nothing here stores or logs it.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mfa_tui.aws.errors import explain
from mfa_tui.aws.mfa_devices import (
    MAX_DEVICES_PER_USER,
    EnrollError,
    error_code,
    find_orphans,
    list_user_devices,
    refusal_error,
)
from mfa_tui.aws.step_ops import no_blind_resend
from mfa_tui.aws.user_detail import NoSuchUser
from mfa_tui.core.models import MfaDevice
from mfa_tui.core.otpauth import NewVirtualDevice, normalise_seed
from mfa_tui.core.totp_check import skew_from_http_date

log = logging.getLogger(__name__)

#: Other names tried when the default device name is taken by an assigned device.
_NAME_TRIES = 8


class DeviceNameTaken(EnrollError):
    """``EntityAlreadyExists``: unassigned devices of that name (orphans) are in the way."""

    def __init__(self, name: str, orphans: tuple[str, ...]) -> None:
        super().__init__(
            f"A virtual MFA device named {name} already exists and is not assigned to anyone "
            "(left by an earlier attempt or another tool).",
            code="EntityAlreadyExists",
        )
        self.name = name
        self.orphans = orphans


class Enrollment:
    """One attempt to enroll a virtual MFA device for ``user``; see the module docstring.

    Thread-safe: each step holds a lock, so a ``discard()`` that arrives while ``create()``
    or ``enable()`` is on the wire waits for it and then cleans up what it did.
    """

    def __init__(
        self,
        iam: Any,
        user: str,
        *,
        device_name: str | None = None,
        path: str = "/",
        clock: Callable[[], float] = time.time,
        self_service: bool = False,
    ) -> None:
        self.iam = iam
        self.user = user
        self.device_name = device_name or user
        self._explicit_name = device_name is not None
        self.path = path
        self.clock = clock
        #: The caller enrolls themselves: under the enforcement policy they may not delete a
        #: device without MFA (AWS's advice), so an orphan of theirs is passed over, not offered.
        self.self_service = self_service
        #: Unassigned devices passed over for the next free name (self-service only).
        self.passed_over: tuple[str, ...] = ()
        self.serial: str | None = None
        self._maybe_enabled = False
        self.kept = False
        self.closed = False
        self._lock = threading.RLock()
        # A lost answer to EnableMFADevice is settled by ListMFADevices, never by sending the
        # codes again (AWS may refuse reused codes while the device is in fact enabled).
        no_blind_resend(iam, ("EnableMFADevice",))

    def __repr__(self) -> str:
        return f"Enrollment(user={self.user!r}, serial={self.serial!r}, kept={self.kept})"

    def __enter__(self) -> Enrollment:
        return self

    def __exit__(self, *exc_info: object) -> None:
        problem = self.discard()
        if problem:
            log.warning("%s", problem)

    def check_user(self) -> tuple[MfaDevice, ...]:
        """The user exists and has room for another device; returns their devices."""
        try:
            self.iam.get_user(UserName=self.user)
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                raise NoSuchUser(self.user) from exc
            raise
        devices = list_user_devices(self.iam, self.user)
        if len(devices) >= MAX_DEVICES_PER_USER:
            raise EnrollError(
                f"{self.user} already has {len(devices)} MFA devices, the most AWS allows "
                "per user: remove one (user detail, key D) before adding another.",
                code="LimitExceeded")
        return devices

    def create(self) -> NewVirtualDevice:
        """Create the virtual device (the default name, or the next free ``NAME-N``)."""
        with self._lock:
            if self.closed:
                raise EnrollError("This enrollment was cancelled.")
            if self.serial is not None:
                raise EnrollError("This enrollment already created its device.")
            names = [self.device_name]
            if not self._explicit_name:
                names += [f"{self.device_name}-{n}" for n in range(2, _NAME_TRIES + 2)]
            for name in names:
                try:
                    response = self.iam.create_virtual_mfa_device(
                        VirtualMFADeviceName=name, Path=self.path)
                except ClientError as exc:
                    if error_code(exc) != "EntityAlreadyExists":
                        raise self._create_error(exc) from exc
                    orphans = find_orphans(self.iam, name, self.path)
                    if orphans and self.self_service and not self._explicit_name:
                        self.passed_over += orphans
                        continue
                    if orphans:
                        raise DeviceNameTaken(name, orphans) from exc
                    if self._explicit_name:
                        raise EnrollError(
                            f"A virtual MFA device named {name} already exists and is in use: "
                            "choose another name with --device-name.",
                            code="EntityAlreadyExists") from exc
                    continue
                received = self.clock()
                created = response["VirtualMFADevice"]
                self.serial = str(created["SerialNumber"])
                _register(self)
                log.info("created virtual MFA device %s for %s", self.serial, self.user)
                headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
                return NewVirtualDevice(
                    serial=self.serial,
                    seed=normalise_seed(created["Base32StringSeed"]),
                    skew=skew_from_http_date(headers.get("date"), received),
                )
            unassigned = (f" An administrator can delete the unassigned ones: "
                          f"{', '.join(self.passed_over)}." if self.passed_over else "")
            raise EnrollError(
                f"Every device name from {self.device_name} to {names[-1]} is taken: "
                f"choose another with --device-name.{unassigned}", code="EntityAlreadyExists")

    def passed_over_note(self) -> str:
        """The sentence on the orphans this attempt passed over ("" when none)."""
        if not self.passed_over:
            return ""
        names = ", ".join(serial.split(":", 5)[-1] for serial in self.passed_over)
        return (f"An unfinished device of an earlier attempt ({names}) is in the way and you "
                "may not delete it before you sign in with MFA, so this one has another name; "
                "an administrator can delete the old one.")

    def _create_error(self, exc: ClientError) -> EnrollError:
        if error_code(exc) == "LimitExceeded":
            return EnrollError(
                "AWS refused to create another virtual MFA device: the account's limit is "
                "reached. Delete unused (unassigned) virtual devices and try again.",
                code="LimitExceeded")
        return EnrollError(explain(exc, doing="creating the virtual MFA device"),
                           code=error_code(exc))

    def enable(self, code1: str, code2: str) -> str:
        """``EnableMFADevice`` with two consecutive codes; returns the serial.

        A refusal that new codes (or a moment's wait) can fix raises ``EnrollError`` with
        ``retry``; ``LimitExceeded`` deletes the device at once (it can never be enabled).
        A lost answer is settled by asking AWS whether the device is now the user's.
        """
        with self._lock:
            if self.closed or self.serial is None:
                raise EnrollError("This enrollment was cancelled.")
            serial = self.serial
            self._maybe_enabled = True
            try:
                self.iam.enable_mfa_device(UserName=self.user, SerialNumber=serial,
                                           AuthenticationCode1=code1, AuthenticationCode2=code2)
            except ClientError as exc:
                if error_code(exc) == "EntityAlreadyExists" and self._is_assigned(serial):
                    return self._enabled(serial)  # a retry after a lost answer: it is done
                self._maybe_enabled = False  # AWS answered: it did not enable it
                error = refusal_error(exc, self.user, doing="enabling the device")
                if not error.retry:
                    self.closed = True
                    problem = self._discard_locked()
                    if problem:
                        error = EnrollError(f"{error} {problem}", code=error.code)
                raise error from exc
            except BotoCoreError as exc:
                if self._is_assigned(serial):
                    return self._enabled(serial)
                raise EnrollError(explain(exc, doing="enabling the device"), retry=True) from exc
            return self._enabled(serial)

    def _enabled(self, serial: str) -> str:
        log.info("enabled virtual MFA device %s for %s", serial, self.user)
        return serial

    def _is_assigned(self, serial: str) -> bool:
        try:
            return any(d.serial == serial for d in list_user_devices(self.iam, self.user))
        except (ClientError, BotoCoreError, NoSuchUser):
            return False

    def keep(self) -> None:
        """The device is enabled and the user saw it: it stays (no cleanup from now on)."""
        with self._lock:
            self.kept = True
            self.closed = True
            _unregister(self)

    def discard(self) -> str | None:
        """Delete the device this attempt created (deactivate first if it may have been
        enabled), unless kept. Idempotent. Returns a sentence if something could not be undone.
        """
        with self._lock:
            self.closed = True
            return self._discard_locked()

    def _discard_locked(self) -> str | None:
        serial = self.serial
        if serial is None or self.kept:
            _unregister(self)
            return None
        if self._maybe_enabled:
            try:
                self.iam.deactivate_mfa_device(UserName=self.user, SerialNumber=serial)
                log.info("deactivated %s (the enrollment did not finish)", serial)
            except (ClientError, BotoCoreError) as exc:
                log.info("deactivating %s: %s", serial, exc)  # usually: it was never enabled
        try:
            self.iam.delete_virtual_mfa_device(SerialNumber=serial)
        except ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                return self._could_not_delete(serial, exc)
        except BotoCoreError as exc:
            return self._could_not_delete(serial, exc)
        log.info("deleted unfinished virtual MFA device %s", serial)
        self.serial = None
        self._maybe_enabled = False
        _unregister(self)
        return None

    def _could_not_delete(self, serial: str, exc: BaseException) -> str:
        log.warning("could not delete unfinished virtual MFA device %s: %s", serial, exc)
        if self.self_service and error_code(exc) in ("AccessDenied", "AccessDeniedException"):
            # Rightly so: without MFA a user may not delete MFA devices (AWS's policy).
            return (f"The unfinished device {serial} stays: your permissions do not let you "
                    "delete it before you sign in with MFA, as AWS recommends. It does no "
                    "harm; an administrator can delete it (mfa-tui lists unassigned devices), "
                    "and your next attempt takes another name.")
        return (f"Could not delete the unfinished device {serial} "
                f"({explain(exc, doing='deleting it')}) Ask an administrator to delete it.")


# -- the last resort: devices still open when the process exits are deleted --------------

_open: set[Enrollment] = set()
_open_lock = threading.Lock()


def _register(enrollment: Enrollment) -> None:
    with _open_lock:
        _open.add(enrollment)


def _unregister(enrollment: Enrollment) -> None:
    with _open_lock:
        _open.discard(enrollment)


def open_enrollments() -> list[Enrollment]:
    """Enrollments whose device still exists and is neither kept nor deleted."""
    with _open_lock:
        return list(_open)


@atexit.register
def discard_open_enrollments() -> list[str]:
    """Delete every unfinished device (also run at interpreter exit, e.g. after a crash).

    Returns the sentences of what could not be deleted.
    """
    problems = []
    for enrollment in open_enrollments():
        problem = enrollment.discard()
        if problem:
            log.warning("%s", problem)
            problems.append(problem)
    return problems
