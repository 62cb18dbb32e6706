"""The ``otpauth://`` URI an authenticator app scans, built from an AWS virtual MFA seed.

Pure: no I/O. The URI is built from ``Base32StringSeed`` (never by decoding AWS's
``QRCodePNG``), in the Key Uri Format authenticator apps read::

    otpauth://totp/AWS%3Aalice%40123456789012?secret=<SEED>&issuer=AWS

The label is ``ISSUER:USER@ACCOUNT`` (or ``ALIAS:USER@ALIAS`` when the account has an alias),
each part percent-encoded: IAM user names may hold ``+ = , . @ - _``, and a raw ``+`` or ``@``
is read differently by different apps. The seed is a secret: nothing here logs it, and
:class:`NewVirtualDevice` keeps it out of its ``repr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

__all__ = [
    "DEFAULT_ISSUER",
    "NewVirtualDevice",
    "group_secret",
    "normalise_seed",
    "otpauth_uri",
]

#: The issuer shown by authenticator apps when the account has no alias.
DEFAULT_ISSUER = "AWS"

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
) -> str:
    """The ``otpauth://totp/...`` URI for ``user`` in ``account`` (or its ``alias``).

    Issuer is ``AWS`` (or the alias); the label is ``ISSUER:USER@ACCOUNT_OR_ALIAS``. Every
    part is percent-encoded (RFC 3986 unreserved characters stay as they are), so the URI is
    plain ASCII and the colon between issuer and account name is ``%3A``.
    """
    if not user:
        raise ValueError("the user name is empty")
    issuer = alias or DEFAULT_ISSUER
    where = alias or account
    label = f"{issuer}:{user}@{where}" if where else f"{issuer}:{user}"
    return (
        f"otpauth://totp/{quote(label, safe='')}"
        f"?secret={normalise_seed(seed)}&issuer={quote(issuer, safe='')}"
    )


def group_secret(seed: str | bytes, *, group: int = 4, per_line: int = 0) -> str:
    """The seed in groups of ``group`` characters for typing into a desktop authenticator.

    ``per_line`` > 0 puts that many groups on a line (lines joined with ``\\n``).
    """
    text = normalise_seed(seed)
    groups = [text[i : i + group] for i in range(0, len(text), group)]
    if per_line <= 0:
        return " ".join(groups)
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))
