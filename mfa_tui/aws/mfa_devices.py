"""MFA devices of one user (botocore only): list, resync, remove, and orphan clean-up.

Every refusal AWS can give becomes an :class:`EnrollError` with one sentence for the user.
Nothing here is done twice: deactivating an inactive device or deleting a deleted one is
not an error.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mfa_tui.aws.errors import explain
from mfa_tui.aws.session import AwsConnection
from mfa_tui.aws.step_ops import no_blind_resend
from mfa_tui.aws.user_detail import NoSuchUser
from mfa_tui.core.errors import EnrollError
from mfa_tui.core.inventory_merge import device as make_device
from mfa_tui.core.models import MfaDevice

log = logging.getLogger(__name__)

#: AWS allows this many MFA devices per IAM user.
MAX_DEVICES_PER_USER = 8


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError ("" for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def caller_user_name(conn: AwsConnection) -> str:
    """The caller's own IAM user name (self-service); a role or root caller gets a sentence."""
    caller = conn.caller()
    name = caller.iam_user_name
    if name is None:
        raise EnrollError(
            f"You are signed in as {caller.arn}, not as an IAM user, so there is no "
            "\"own user\" to enroll: name the user, e.g. `mfa-tui enroll alice`.")
    return name


def account_alias(iam: Any) -> str | None:
    """The account alias for the authenticator label, or None (none set, or not allowed: a
    self-service user under the enforcement policy may not list aliases before MFA)."""
    try:
        aliases = iam.list_account_aliases().get("AccountAliases", [])
    except ClientError as exc:
        log.info("no account alias: %s", exc)
        return None
    return str(aliases[0]) if aliases else None


def list_user_devices(iam: Any, user: str) -> tuple[MfaDevice, ...]:
    """The user's MFA devices (every type) with their enable dates, oldest first."""
    devices: list[MfaDevice] = []
    try:
        for page in iam.get_paginator("list_mfa_devices").paginate(UserName=user):
            devices += [make_device(d["SerialNumber"], d.get("EnableDate"))
                         for d in page["MFADevices"]]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            raise NoSuchUser(user) from exc
        raise
    return tuple(sorted(devices, key=lambda d: (d.enable_date is None, d.enable_date, d.serial)))


def find_orphans(iam: Any, name: str, path: str = "/") -> tuple[str, ...]:
    """Serials of *unassigned* virtual devices at ``path`` called ``name``: the ones that make
    ``CreateVirtualMFADevice`` answer ``EntityAlreadyExists``."""
    wanted = f"mfa{path}{name}"
    found = []
    paginator = iam.get_paginator("list_virtual_mfa_devices")
    for page in paginator.paginate(AssignmentStatus="Unassigned"):
        found += [d["SerialNumber"] for d in page["VirtualMFADevices"]
                  if d["SerialNumber"].split(":", 5)[-1] == wanted]
    return tuple(sorted(found))


def delete_orphans(iam: Any, serials: tuple[str, ...]) -> None:
    """Delete unassigned virtual devices (after the user confirmed). Already gone is fine."""
    for serial in serials:
        try:
            iam.delete_virtual_mfa_device(SerialNumber=serial)
        except ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                raise EnrollError(explain(exc, doing=f"deleting {serial}")) from exc
        log.info("deleted unassigned virtual MFA device %s", serial)


def remove_device(iam: Any, user: str, device: MfaDevice) -> str:
    """Deactivate ``device`` for ``user`` and, if it is virtual, delete it. Returns what was done.

    Deactivating an already inactive device and deleting an already deleted one are not
    errors (nothing done twice, nothing left half done).
    """
    try:
        iam.deactivate_mfa_device(UserName=user, SerialNumber=device.serial)
    except ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise EnrollError(explain(exc, doing=f"deactivating {device.serial}")) from exc
    log.info("deactivated MFA device %s of %s", device.serial, user)
    if device.type != "virtual":
        return f"Deactivated the {device.type} device {device.serial} of {user}."
    try:
        iam.delete_virtual_mfa_device(SerialNumber=device.serial)
    except ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise EnrollError(
                f"Deactivated {device.serial}, but could not delete it: "
                f"{explain(exc, doing='deleting it')}") from exc
    log.info("deleted virtual MFA device %s", device.serial)
    return f"Deactivated and deleted the virtual device {device.serial} of {user}."


def resync_device(iam: Any, user: str, serial: str, code1: str, code2: str) -> None:
    """``ResyncMFADevice`` with two consecutive codes; refusals become sentences."""
    try:
        iam.resync_mfa_device(UserName=user, SerialNumber=serial,
                              AuthenticationCode1=code1, AuthenticationCode2=code2)
    except ClientError as exc:
        raise refusal_error(exc, user, doing="resyncing the device") from exc
    log.info("resynced MFA device %s of %s", serial, user)


def enable_hardware_token(iam: Any, user: str, serial: str, code1: str, code2: str) -> str:
    """``EnableMFADevice`` for a hardware TOTP token (nothing is created first, so nothing
    can be left behind). Returns the serial; every refusal is an :class:`EnrollError`.

    A lost answer is settled by ``ListMFADevices``, never by sending the codes again.
    """
    no_blind_resend(iam, ("EnableMFADevice",))
    try:
        iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                              AuthenticationCode1=code1, AuthenticationCode2=code2)
    except ClientError as exc:
        code = error_code(exc)
        if code == "EntityAlreadyExists":
            if _holds(iam, user, serial):
                return serial  # a retry after a lost answer, or it was already so
            raise EnrollError(
                f"The hardware token {serial} is already in use by another IAM user (or "
                "another account): deactivate it there first, or use another token.",
                code=code) from exc
        if code == "NoSuchEntity" and _user_exists(iam, user):
            raise EnrollError(
                f"AWS does not know a hardware token with the serial {serial}: check the "
                "serial on the back of the token (AWS takes only tokens from its supported "
                "vendors).", code=code) from exc
        raise refusal_error(exc, user, doing="enabling the hardware token") from exc
    except BotoCoreError as exc:
        if _holds(iam, user, serial):
            return serial
        raise EnrollError(explain(exc, doing="enabling the hardware token"), retry=True) from exc
    log.info("enabled hardware MFA device %s for %s", serial, user)
    return serial


def _holds(iam: Any, user: str, serial: str) -> bool:
    try:
        return any(d.serial == serial for d in list_user_devices(iam, user))
    except (ClientError, BotoCoreError, NoSuchUser):
        return False


def _user_exists(iam: Any, user: str) -> bool:
    try:
        iam.get_user(UserName=user)
    except ClientError as exc:
        return error_code(exc) != "NoSuchEntity"
    except BotoCoreError:
        return True
    return True


def refusal_error(exc: ClientError, user: str, *, doing: str) -> EnrollError:
    """The sentence for AWS refusing EnableMFADevice / ResyncMFADevice."""
    code = error_code(exc)
    if code == "InvalidAuthenticationCode":
        return EnrollError(
            "AWS did not accept the two codes (they may have expired while you typed, or "
            "the phone's clock is off): type the next two codes the app shows.",
            code=code, retry=True)
    if code == "EntityTemporarilyUnmodifiable":
        return EnrollError(
            f"IAM cannot change {user} right now (the user was just created or is being "
            "changed): wait a few seconds, then press Enter to try again.",
            code=code, retry=True)
    if code == "LimitExceeded":
        return EnrollError(
            f"{user} already has {MAX_DEVICES_PER_USER} MFA devices, the most AWS allows per "
            "user: remove one (user detail, key D) and enroll again.", code=code)
    if code == "NoSuchEntity":
        return EnrollError(str(NoSuchUser(user)), code=code)
    return EnrollError(explain(exc, doing=doing), code=code)
