"""The MFA kinds beside a virtual device: hardware TOTP tokens and FIDO security keys.

Pure: the serial's local check (before ``EnableMFADevice`` is sent) and the sentences that
send a FIDO user to the console, the only place where AWS registers security keys and
passkeys (the browser's WebAuthn ceremony has no IAM API).
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["CONSOLE", "check_hardware_serial", "fido_console_url", "fido_sentence"]

#: The IAM console (global: it redirects to the account's sign-in).
CONSOLE = "https://console.aws.amazon.com/iam/home"
#: ``EnableMFADevice``'s SerialNumber: 9 to 256 of these characters (the API's constraint).
_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)


def check_hardware_serial(serial: str) -> str | None:
    """A sentence when ``serial`` cannot be a hardware token's serial, else None."""
    serial = serial.strip()
    if not serial:
        return "Type the serial number printed on the back of the token."
    if _SERIAL.fullmatch(serial):
        return None
    if len(serial) < 9:
        return (f"The serial {serial!r} is too short: a token's serial has at least 9 "
                "characters (e.g. GAHT12345678, printed on its back).")
    return (f"The serial {serial[:40]!r} has characters AWS does not take: letters, digits "
            "and +=/:,.@-_ only, as printed on the back of the token.")


def fido_console_url(user: str | None) -> str:
    """Where a FIDO security key or passkey is registered: the user's Security credentials
    tab (an administrator), or your own (``user`` None: self-service)."""
    if user is None:
        return f"{CONSOLE}#/security_credentials"
    return f"{CONSOLE}#/users/details/{quote(user, safe='')}?section=security_credentials"


def fido_sentence(user: str | None) -> str:
    """Why mfa-tui cannot register a FIDO device, and where to do it instead."""
    who = f"{user}'s" if user else "your own"
    return (
        "FIDO security keys and passkeys cannot be registered through the IAM API (the "
        "browser has to talk to the key): register it in the AWS console, on "
        f"{who} Security credentials tab, with \"Assign MFA device\": {fido_console_url(user)}"
    )
