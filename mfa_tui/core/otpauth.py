"""The ``otpauth://`` URI an authenticator app scans, built from an AWS virtual MFA seed.

Pure: no I/O. The URI is built from ``Base32StringSeed`` (never by decoding AWS's
``QRCodePNG``), in the Key Uri Format authenticator apps read::

    otpauth://totp/AWS:alice%40123456789012?secret=<SEED>&issuer=AWS

The label is ``AWS:USER@ACCOUNT`` (``AWS:USER@ALIAS`` when the account has an alias), each
part percent-encoded: IAM user names may hold ``+ = , . @ - _``, and a raw ``+`` or ``@`` is
read differently by different apps. The issuer stays ``AWS`` even with an alias: the alias then
appears once, not three times (label prefix, account part, ``issuer=``), which keeps the usual
URI at QR version 6 (45x23 cells, fits 80x24 beside the codes); measured with alias
``example-corp-prod`` and user ``bob``, alias-as-issuer needs version 7. When even that label
is too long for 80x24 (version 8 and up), :func:`enrollment_uri` falls back to the account id,
then to the user name alone.

The seed is a secret: nothing here logs it, and :class:`NewVirtualDevice` keeps it out of its
``repr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

__all__ = [
    "DEFAULT_ISSUER",
    "MAX_VERSION_AT_80X24",
    "NewVirtualDevice",
    "enrollment_uri",
    "group_secret",
    "normalise_seed",
    "otpauth_uri",
    "qr_version",
]

#: The issuer authenticator apps show.
DEFAULT_ISSUER = "AWS"
#: The largest QR version that fits an 80x24 terminal beside the codes: version 7 with a
#: 1-module quiet zone is 47x24 cells (the footer hides); version 6 is 45x23 with 2 modules.
MAX_VERSION_AT_80X24 = 7

_BASE32 = re.compile(r"[A-Z2-7]+")


@dataclass(frozen=True)
class NewVirtualDevice:
    """A virtual MFA device just created: its serial and its seed (a secret).

    ``skew`` is AWS's clock minus this machine's, in seconds, measured from the response's
    HTTP ``Date`` header (``None`` when it could not be measured).
    """

    serial: str
    seed: str = field(repr=False)
    skew: float | None = None

    def __repr__(self) -> str:  # the seed never reaches a log line or a traceback
        return f"NewVirtualDevice(serial={self.serial!r}, seed=<hidden>, skew={self.skew!r})"


def normalise_seed(seed: str | bytes) -> str:
    """The base32 seed as authenticator apps want it: upper case, no spaces, no ``=`` padding.

    Raises:
        ValueError: the seed is empty or not base32.
    """
    text = seed.decode("ascii", "replace") if isinstance(seed, bytes) else seed
    text = "".join(text.split()).rstrip("=").upper()
    if not text or _BASE32.fullmatch(text) is None:
        raise ValueError("the MFA seed is not a base32 string")
    return text


def otpauth_uri(
    seed: str | bytes,
    user: str,
    account: str,
    *,
    alias: str | None = None,
    issuer: str = DEFAULT_ISSUER,
) -> str:
    """The ``otpauth://totp/...`` URI for ``user`` in ``account`` (or its ``alias``).

    The label is ``ISSUER:USER@ALIAS_OR_ACCOUNT``: issuer and account name are each
    percent-encoded (RFC 3986 unreserved characters stay as they are) and joined by a literal
    colon, the separator every reader accepts (pyotp >= 2.10 reads ``%3A`` as part of the
    name, not as the separator).
    """
    if not user:
        raise ValueError("the user name is empty")
    where = alias or account
    name = f"{user}@{where}" if where else user
    return (
        f"otpauth://totp/{quote(issuer, safe='')}:{quote(name, safe='')}"
        f"?secret={normalise_seed(seed)}&issuer={quote(issuer, safe='')}"
    )


def qr_version(uri: str) -> int:
    """The QR version (1-40) the URI needs at error-correction level L."""
    from mfa_tui.core.qr_text import qr_matrix

    return (len(qr_matrix(uri, border=0)) - 17) // 4


def enrollment_uri(seed: str | bytes, user: str, account: str, alias: str | None = None) -> str:
    """The URI the enrollment screen shows: the fullest label whose QR code still fits 80x24
    (version 7 or less): ``user@alias``, else ``user@account``, else the user alone (a
    64-character user name); if none fits, ``user@account`` (the screen then says so)."""
    candidates = [otpauth_uri(seed, user, account, alias=alias)] if alias else []
    candidates += [otpauth_uri(seed, user, account), otpauth_uri(seed, user, "")]
    for uri in candidates:
        if qr_version(uri) <= MAX_VERSION_AT_80X24:
            return uri
    return otpauth_uri(seed, user, account)


def group_secret(seed: str | bytes, *, group: int = 4, per_line: int = 0) -> str:
    """The seed in groups of ``group`` characters for typing into a desktop authenticator.

    ``per_line`` > 0 puts that many groups on a line (lines joined with ``\\n``).
    """
    text = normalise_seed(seed)
    groups = [text[i : i + group] for i in range(0, len(text), group)]
    if per_line <= 0:
        return " ".join(groups)
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))
