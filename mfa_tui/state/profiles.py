"""Keyring profiles: non-secret fields in a TOML file, secrets only in the OS keyring.

``profiles.toml`` (mode 0600, in :func:`config.config_dir`) holds, per profile, the access key
id, region, endpoint URL, MFA serial and role ARN. The secret access key and the optional
session token live only in the keyring (service ``mfa-tui``, username = profile name, value =
a small JSON object). The file is written by a tiny TOML writer here (no extra dependency) and
read with ``tomllib``. Never imports Textual or botocore.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from mfa_tui.core.errors import Explained
from mfa_tui.state import keyring_access
from mfa_tui.state.paths import config_dir

FILE_NAME = "profiles.toml"
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ACCESS_KEY_ID = re.compile(r"\w{16,128}", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+-\d{1,2}")
_MFA_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)
_SECRET = re.compile(r"\S{16,}")
_HEADER = (
    "# mfa-tui keyring profiles: names and non-secret fields only.\n"
    "# Secret keys and session tokens live in the OS keyring (service \"mfa-tui\").\n"
)


class ProfileError(Explained):
    """A profile command cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class Profile:
    """A keyring profile's non-secret fields (what ``profiles.toml`` holds)."""

    name: str
    access_key_id: str
    region: str | None = None
    endpoint_url: str | None = None
    mfa_serial: str | None = None
    role_arn: str | None = None


@dataclass(frozen=True)
class Secrets:
    """What the keyring holds for a profile. Kept in memory only; never printed."""

    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:
        return "Secrets(<hidden>)"

    def to_json(self) -> str:
        """The keyring entry's value."""
        data = {"aws_secret_access_key": self.secret_access_key}
        if self.session_token:
            data["aws_session_token"] = self.session_token
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str, name: str) -> Secrets:
        """Parse a keyring entry written by :meth:`to_json`."""
        try:
            data = json.loads(text)
            secret = data["aws_secret_access_key"]
            token = data.get("aws_session_token")
            if not isinstance(secret, str) or not (token is None or isinstance(token, str)):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ProfileError(
                f"The keyring entry for profile {name!r} is not one mfa-tui wrote: remove the "
                f"profile (`mfa-tui profile remove {name}`) and add it again."
            ) from None
        return cls(secret, token or None)


# ----------------------------------------------------------------------------- validation


def check_name(name: str) -> str:
    """The name if valid (letters, digits, ``.``, ``_``, ``-``; up to 64), else ProfileError."""
    if not _NAME.fullmatch(name):
        raise ProfileError(
            f"{name!r} is not a valid profile name: use up to 64 letters, digits, '.', '_' "
            "or '-'."
        )
    return name


def validate(profile: Profile) -> Profile:
    """Raise ProfileError with one sentence on the first field that is malformed."""
    check_name(profile.name)
    checks = [
        (profile.access_key_id, _ACCESS_KEY_ID, "access key id",
         "16-128 letters and digits, e.g. AKIA…"),
        (profile.region, _REGION, "region", "a region name such as eu-west-1"),
        (profile.mfa_serial, _MFA_SERIAL, "MFA serial",
         "the device ARN, e.g. arn:aws:iam::123456789012:mfa/alice, or a hardware serial"),
        (profile.role_arn, _ROLE_ARN, "role ARN",
         "e.g. arn:aws:iam::123456789012:role/Admin"),
    ]
    for value, pattern, what, hint in checks:
        if value is not None and not pattern.fullmatch(value):
            raise ProfileError(f"{value!r} is not a valid {what}: expected {hint}.")
    url = profile.endpoint_url
    if url is not None and (not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url)):
        raise ProfileError(f"{url!r} is not a valid endpoint URL: expected http(s)://host[:port].")
    return profile


def check_secrets(secrets: Secrets) -> Secrets:
    """Raise ProfileError when the secret key or token cannot be right (never echoes them)."""
    if not _SECRET.fullmatch(secrets.secret_access_key):
        raise ProfileError(
            "The secret access key must be one word of at least 16 characters: nothing was "
            "stored."
        )
    if secrets.session_token is not None and not _SECRET.fullmatch(secrets.session_token):
        raise ProfileError("The session token must be one word without spaces: nothing was stored.")
    return secrets


# ------------------------------------------------------------------------------- the file


def profiles_file() -> Path:
    """Where the non-secret fields live."""
    return config_dir() / FILE_NAME


def _toml_string(value: str) -> str:
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml(profiles: Mapping[str, Profile]) -> str:
    """The file's text: one ``[profiles."NAME"]`` table per profile, strings only."""
    parts = [_HEADER]
    for name in sorted(profiles):
        parts.append(f"\n[profiles.{_toml_string(name)}]\n")
        for key, value in asdict(profiles[name]).items():
            if key != "name" and value is not None:
                parts.append(f"{key} = {_toml_string(value)}\n")
    return "".join(parts)


def load_all() -> dict[str, Profile]:
    """Every keyring profile's non-secret fields, by name (none if the file is missing)."""
    path = profiles_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"Cannot read {path} ({exc}): fix or remove that file.") from None
    known = {f.name for f in fields(Profile)} - {"name"}
    result: dict[str, Profile] = {}
    for name, table in dict(data.get("profiles", {})).items():
        if not isinstance(table, dict) or not isinstance(table.get("access_key_id"), str):
            raise ProfileError(f"Profile {name!r} in {path} has no access_key_id: fix that file.")
        values = {k: str(v) for k, v in table.items() if k in known}
        result[name] = Profile(name=name, **values)
    return result


def _save_all(profiles: Mapping[str, Profile]) -> None:
    """Replace the file atomically, mode 0600 (directory 0700)."""
    path = profiles_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".profiles-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(to_toml(profiles))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------- operations


def add(profile: Profile, secrets: Secrets, *, replace: bool = False) -> str:
    """Store a profile: the secrets in the keyring first, then the file.

    Returns a warning to show (empty if none). If writing the file fails, the keyring entry
    just written is removed again (nothing half-created is left behind).
    """
    validate(profile)
    check_secrets(secrets)
    profiles = load_all()
    if profile.name in profiles and not replace:
        raise ProfileError(
            f"Profile {profile.name!r} already exists: pass --replace to overwrite it, or "
            f"remove it first (`mfa-tui profile remove {profile.name}`)."
        )
    previous = keyring_access.get_secret(profile.name) if replace else None
    warning = keyring_access.set_secret(profile.name, secrets.to_json())
    try:
        _save_all({**profiles, profile.name: profile})
    except OSError as exc:
        with contextlib.suppress(Explained):
            if previous is None:
                keyring_access.delete_secret(profile.name)
            else:
                keyring_access.set_secret(profile.name, previous)
        raise ProfileError(
            f"Cannot write {profiles_file()} ({exc.strerror or exc}): nothing was stored."
        ) from None
    return warning


def remove(name: str) -> None:
    """Delete a profile from the keyring and the file; ProfileError if it is unknown."""
    check_name(name)
    profiles = load_all()
    had_secret = keyring_access.delete_secret(name)
    if name not in profiles:
        if had_secret:
            return  # only a stray keyring entry was left: it is gone now
        raise ProfileError(
            f"There is no keyring profile named {name!r}: `mfa-tui profile list` shows them."
        )
    del profiles[name]
    try:
        _save_all(profiles)
    except OSError as exc:
        raise ProfileError(
            f"Removed {name!r} from the keyring but cannot write {profiles_file()} "
            f"({exc.strerror or exc}): remove its [profiles.\"{name}\"] table by hand."
        ) from None


def secrets_for(profile: Profile) -> Secrets:
    """Read a profile's secrets from the keyring; ProfileError if they are missing."""
    stored = keyring_access.get_secret(profile.name)
    if stored is None:
        raise ProfileError(
            f"Profile {profile.name!r} has no secret key in the keyring (it was removed, or was "
            f"added under another keyring backend): add it again with `mfa-tui profile add "
            f"{profile.name} --access-key-id {profile.access_key_id} --replace`."
        )
    return Secrets.from_json(stored, profile.name)
