"""The OS keyring, safely: a timeout on every call, no terminal prompts, one-sentence errors.

keyring has no timeout of its own: a locked Secret Service whose unlock prompt is taken by a
dialog nobody answers blocks ``get_password`` forever. Every call here runs in a daemon thread
that we wait for at most :func:`timeout_seconds`. Backends that would prompt on the terminal
(keyrings.cryptfile and keyrings.alt's EncryptedKeyring ask with ``getpass``, which wrecks a
Textual screen) and backends keyring picked only because nothing better exists (keyrings.alt's
PlaintextKeyring on a headless box) are refused with a sentence saying what to do.
Never imports Textual or botocore.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from mfa_tui.core.errors import Explained

SERVICE = "mfa-tui"
DEFAULT_TIMEOUT = 10.0
#: Seconds to wait for any keyring call (for slow machines, or for tests).
TIMEOUT_ENV = "MFA_TUI_KEYRING_TIMEOUT"

_FIX = (
    "install `secretstorage` and a Secret Service such as gnome-keyring (with a D-Bus session), "
    "or install `keyrings.alt` and choose it knowingly with "
    "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring (it stores secrets unencrypted)"
)
_log = logging.getLogger(__name__)
T = TypeVar("T")


class KeyringUnavailable(Explained):
    """The keyring cannot be used here; the message says why and what to do."""


def timeout_seconds() -> float:
    """How long one keyring call may take (``MFA_TUI_KEYRING_TIMEOUT``, default 10 s)."""
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def backend_name(backend: object) -> str:
    """``module.Class`` of a backend, as PYTHON_KEYRING_BACKEND spells it."""
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _explicitly_chosen() -> bool:
    """Did the user pick the backend (PYTHON_KEYRING_BACKEND or keyringrc.cfg)?"""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    from keyring.util import platform_

    rc = platform_.config_root() / "keyringrc.cfg"
    try:
        return "default-keyring" in rc.read_text(encoding="utf-8")
    except OSError:
        return False


def check_backend(backend: Any) -> None:
    """Refuse a backend that cannot keep mfa-tui's secrets safely, or would prompt.

    Raises :class:`KeyringUnavailable`.
    """
    from keyring.backends import fail, null
    from keyring.core import recommended

    name = backend_name(backend)
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise KeyringUnavailable(
            f"No usable OS keyring was found ({name}), so mfa-tui has nowhere safe to keep "
            f"a profile's secret key: {_FIX}, or set PYTHON_KEYRING_BACKEND to a backend you have."
        )
    # keyrings.cryptfile and keyrings.alt's EncryptedKeyring ask for their password with
    # getpass on first use unless it was given (KEYRING_PROPERTY_KEYRING_KEY).
    if hasattr(type(backend), "keyring_key") and getattr(backend, "_keyring_key", "") is None:
        raise KeyringUnavailable(
            f"The keyring backend {name} would ask for its password on the terminal, which "
            "mfa-tui does not allow (it would corrupt the screen): give it the password in "
            "KEYRING_PROPERTY_KEYRING_KEY, or use a Secret Service (install `secretstorage` and "
            "gnome-keyring), or set PYTHON_KEYRING_BACKEND to another backend."
        )
    if not recommended(backend) and not _explicitly_chosen():
        raise KeyringUnavailable(
            f"keyring fell back to {name}, which it does not recommend (on a headless machine "
            f"that means secrets stored unencrypted), so mfa-tui will not use it unless you "
            f"choose it: {_FIX.replace('keyrings.alt.file.PlaintextKeyring', name)}."
        )


def plaintext_warning(backend: Any) -> str:
    """A warning when the chosen backend is not a recommended one (e.g. an unencrypted file)."""
    from keyring.core import recommended

    if recommended(backend):
        return ""
    return (
        f"warning: the keyring backend {backend_name(backend)} was chosen explicitly but keyring "
        "does not recommend it: the secret may be stored unencrypted on disk."
    )


def explain_keyring_error(exc: BaseException, *, doing: str) -> str:
    """One sentence for any error a keyring backend raised while ``doing`` something."""
    from keyring.errors import InitError, KeyringError, KeyringLocked, NoKeyringError

    if isinstance(exc, KeyringUnavailable):
        return str(exc)
    if isinstance(exc, NoKeyringError):
        return f"No usable OS keyring was found while {doing}: {_FIX}."
    if isinstance(exc, KeyringLocked):
        return (
            f"The OS keyring is locked and could not be unlocked while {doing}: unlock it (log "
            "in to the desktop session, or unlock the login keyring with seahorse or "
            "`gnome-keyring-daemon --unlock`) and try again."
        )
    if isinstance(exc, InitError):
        return (
            f"The OS keyring could not be opened while {doing} ({exc}): start a Secret Service "
            f"in this session, or {_FIX}."
        )
    if isinstance(exc, ValueError) and "MAC check failed" in str(exc):
        return (
            f"The encrypted keyring file could not be decrypted while {doing} (MAC check failed):"
            " its password is wrong; give the right one in KEYRING_PROPERTY_KEYRING_KEY."
        )
    if isinstance(exc, KeyringError):
        return f"The OS keyring failed while {doing} ({type(exc).__name__}: {exc}): {_FIX}."
    return (
        f"The OS keyring backend failed while {doing} ({type(exc).__name__}: {exc}): "
        f"check PYTHON_KEYRING_BACKEND, or {_FIX}."
    )


def call(operation: Callable[[Any], T], *, doing: str) -> T:
    """Run ``operation(backend)`` on the checked keyring backend, within the timeout.

    Raises :class:`KeyringUnavailable` with one sentence on any failure. A call that does not
    finish in time is left blocked in its daemon thread (keyring cannot be interrupted).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            import keyring

            backend = keyring.get_keyring()
            check_backend(backend)
            box["value"] = operation(backend)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    limit = timeout_seconds()
    worker = threading.Thread(target=run, name="mfa-tui-keyring", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        _log.warning("keyring call (%s) did not answer within %.0f s", doing, limit)
        raise KeyringUnavailable(
            f"The OS keyring did not answer within {limit:g} s while {doing}: it is probably "
            "locked and waiting for an unlock prompt nobody can see; unlock it (e.g. log in to "
            "the desktop session) and try again, or set PYTHON_KEYRING_BACKEND to a backend "
            "that does not prompt."
        )
    if "error" in box:
        error = box["error"]
        _log.warning("keyring failed while %s: %s", doing, type(error).__name__)
        raise KeyringUnavailable(explain_keyring_error(error, doing=doing)) from None
    return box["value"]


def get_secret(username: str) -> str | None:
    """The stored value for ``username`` in mfa-tui's service, or None."""
    return call(lambda b: b.get_password(SERVICE, username),
                doing=f"reading profile {username!r} from the keyring")


def set_secret(username: str, value: str) -> str:
    """Store ``value``; returns a warning to show if the backend is not a recommended one."""

    def store(backend: Any) -> str:
        backend.set_password(SERVICE, username, value)
        return plaintext_warning(backend)

    return call(store, doing=f"storing profile {username!r} in the keyring")


def delete_secret(username: str) -> bool:
    """Delete the entry; False if there was none."""
    from keyring.errors import PasswordDeleteError

    def delete(backend: Any) -> bool:
        if backend.get_password(SERVICE, username) is None:
            return False
        try:
            backend.delete_password(SERVICE, username)
        except PasswordDeleteError:
            return False
        return True

    return call(delete, doing=f"deleting profile {username!r} from the keyring")


def existing(usernames: list[str]) -> dict[str, bool]:
    """Which of ``usernames`` have an entry (one timed call for all of them)."""
    return call(lambda b: {u: b.get_password(SERVICE, u) is not None for u in usernames},
                doing="listing profiles in the keyring")
