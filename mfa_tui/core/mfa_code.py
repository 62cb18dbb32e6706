"""The admin's MFA code: what is asked, how it is checked, how a session is named (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mfa_tui.core.errors import Explained

#: How many codes the admin may get wrong in a row before mfa-tui gives up.
MAX_CODE_TRIES = 3

_CODE = re.compile(r"\d{6}")
# STS RoleSessionName: 2-64 characters of [\w+=,.@-].
_SESSION_NAME_BAD = re.compile(r"[^\w+=,.@-]", re.ASCII)
SESSION_NAME_MAX = 64


@dataclass(frozen=True)
class CodeRequest:
    """What the code prompt shows: which device, and why it asks again (if it does)."""

    serial: str
    problem: str = ""
    profile: str = ""

    @property
    def device(self) -> str:
        """The device's short name (``alice`` for ``arn:aws:iam::123456789012:mfa/alice``)."""
        return self.serial.rpartition("/")[2] or self.serial


#: Asks the admin for a code; returns the text typed, or None when they cancel.
AskCode = Callable[[CodeRequest], "str | None"]


class MfaCancelled(Explained):
    """The admin gave no code (Esc, or end of input)."""

    def __init__(self, serial: str) -> None:
        super().__init__(
            f"No MFA code was given for {serial}: the profile needs an MFA session; "
            "run again and type the 6-digit code from the device."
        )


class MfaRejected(Explained):
    """AWS rejected every code the admin typed."""

    def __init__(self, serial: str, tries: int) -> None:
        super().__init__(
            f"AWS rejected {tries} MFA codes in a row for {serial}: check that the profile's "
            "MFA serial is the device you read the code from and that its clock is right, "
            "then try again."
        )


class CannotAskForCode(Explained):
    """An MFA session is needed but nothing can ask the admin for a code."""

    def __init__(self, serial: str) -> None:
        super().__init__(
            f"This profile needs an MFA code for {serial}, and there is no terminal or screen "
            "to ask for it: run mfa-tui interactively."
        )


def clean_code(text: str) -> str | None:
    """The 6-digit code in what was typed (spaces allowed: "123 456"), or None."""
    squeezed = re.sub(r"\s", "", text)
    return squeezed if _CODE.fullmatch(squeezed) else None


def role_session_name(user: str) -> str:
    """``mfa-tui-<user>``, cut to STS's charset and 64-character limit."""
    name = _SESSION_NAME_BAD.sub("-", f"mfa-tui-{user}" if user else "mfa-tui")
    return name[:SESSION_NAME_MAX]


def user_from_serial(serial: str) -> str:
    """The IAM user an MFA device ARN names (``arn:...:mfa/alice`` → ``alice``), else ''."""
    if serial.startswith("arn:") and ":mfa/" in serial:
        return serial.rpartition("/")[2]
    return ""


def is_mfa_rejection(code: str, message: str) -> bool:
    """True when an STS error means the MFA code was wrong (not a missing permission)."""
    return code == "AccessDenied" and "multifactorauthentication" in message.lower().replace(
        " ", ""
    )
