"""A keyring backend that asks for its password with getpass, as keyrings.cryptfile does.

Used by tests/test_profile_commands.py through ``PYTHON_KEYRING_BACKEND`` in a subprocess.
keyrings.cryptfile itself is not installed in the test venv: its priority (2.5) would make
keyring's auto-detection pick it, so the headless-machine tests would no longer be headless.
This stand-in keeps what matters: a password from ``getpass`` unless one is given
(``KEYRING_PROPERTY_KEYRING_KEY``), entries encrypted with it in a file under
``$XDG_DATA_HOME``, and ``ValueError("MAC check failed")`` when the password is wrong (what
cryptfile's AES-GCM ``decrypt_and_verify`` raises).
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

_REFERENCE = ("keyring-setting", "password reference")


def _stream(key: str, salt: bytes, size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(key.encode() + salt + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:size]


class PromptingKeyring(KeyringBackend):
    """Encrypted file keyring whose password comes from the terminal unless preset."""

    priority = 2.5  # type: ignore[assignment]  # as keyrings.cryptfile's CryptFileKeyring

    def __init__(self) -> None:
        self._keyring_key: str | None = None
        super().__init__()  # applies KEYRING_PROPERTY_* (the password) from the environment

    @property
    def keyring_key(self) -> str:
        if self._keyring_key is None:
            self._keyring_key = getpass.getpass("Please enter password for encrypted keyring: ")
        return self._keyring_key

    @keyring_key.setter
    def keyring_key(self, value: str) -> None:
        self._keyring_key = value
        if self._path.exists():
            self._decrypt(self._load()[self._slot(*_REFERENCE)])  # checks the password
        else:
            self.set_password(*_REFERENCE, "password reference value")

    @property
    def _path(self) -> Path:
        return Path(os.environ["XDG_DATA_HOME"]) / "prompting_keyring.json"

    @staticmethod
    def _slot(service: str, username: str) -> str:
        return f"{service}\0{username}"

    def _load(self) -> dict[str, dict[str, str]]:
        return json.loads(self._path.read_text()) if self._path.exists() else {}

    def _encrypt(self, text: str) -> dict[str, str]:
        salt = os.urandom(16)
        plain = text.encode()
        pad = _stream(self.keyring_key, salt, len(plain))
        data = bytes(a ^ b for a, b in zip(plain, pad, strict=True))
        mac = hmac.new(self.keyring_key.encode(), salt + data, "sha256").digest()
        return {k: base64.b64encode(v).decode() for k, v in
                (("salt", salt), ("data", data), ("mac", mac))}

    def _decrypt(self, entry: dict[str, str]) -> str:
        salt, data, mac = (base64.b64decode(entry[k]) for k in ("salt", "data", "mac"))
        expected = hmac.new(self.keyring_key.encode(), salt + data, "sha256").digest()
        if not hmac.compare_digest(mac, expected):
            raise ValueError("MAC check failed")
        return bytes(a ^ b for a, b in zip(data, _stream(self.keyring_key, salt,
                                                         len(data)), strict=True)).decode()

    def get_password(self, service: str, username: str) -> str | None:
        entry = self._load().get(self._slot(service, username))
        return None if entry is None else self._decrypt(entry)

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[self._slot(service, username)] = self._encrypt(password)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        entries.pop(self._slot(service, username), None)
        self._path.write_text(json.dumps(entries))
