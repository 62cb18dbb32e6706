"""The keyring fixtures use real backends, stay isolated, and behave as documented."""

from __future__ import annotations

import base64
import configparser
import os
import subprocess
import time
import uuid
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.errors import KeyringError, KeyringLocked, NoKeyringError, PasswordDeleteError
from keyrings.alt.escape import escape

from tests.fixtures.keyrings import SERVICE, KeyringEnv

PROBE = (
    "import keyring; "
    "print(type(keyring.get_keyring()).__name__, keyring.get_password('mfa-tui', 'x'))"
)


def secret() -> str:
    return f"s3cret-{uuid.uuid4().hex}"


# ------------------------------------------------------------------------------------ file


def test_file_keyring_round_trip_lands_in_tmp_xdg_data_home(file_keyring: KeyringEnv) -> None:
    backend = keyring.get_keyring()
    assert type(backend).__name__ == "PlaintextKeyring" == file_keyring.backend_class_name
    value = secret()

    keyring.set_password(SERVICE, "x", value)
    assert keyring.get_password(SERVICE, "x") == value

    data_home = Path(file_keyring.env["XDG_DATA_HOME"])
    store = data_home / "python_keyring" / "keyring_pass.cfg"
    assert Path(backend.file_path) == store  # type: ignore[attr-defined]
    assert file_keyring.files_written() == [store]
    assert file_keyring.files_containing(value) == [store]
    # What the backend really wrote: an INI file, section = escaped service ("mfa_2Dtui"),
    # value = base64 of the password.
    stored = configparser.RawConfigParser()
    stored.read(store, encoding="utf-8")
    assert base64.b64decode(stored.get(escape(SERVICE), "x")).decode() == value

    keyring.delete_password(SERVICE, "x")
    assert keyring.get_password(SERVICE, "x") is None
    assert file_keyring.files_containing(value) == []
    with pytest.raises(PasswordDeleteError):
        keyring.delete_password(SERVICE, "x")


def test_file_keyring_is_isolated_from_the_real_home(file_keyring: KeyringEnv) -> None:
    real_home = Path(os.path.expanduser("~" + os.environ.get("USER", "")))
    env = file_keyring.env
    assert Path.home() == file_keyring.home == Path(env["HOME"])
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        assert Path(env[var]).is_relative_to(file_keyring.root), var
    assert "DISPLAY" not in env
    assert env["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:path=")
    assert not Path(env["DBUS_SESSION_BUS_ADDRESS"].removeprefix("unix:path=")).exists()

    value = secret()
    keyring.set_password(SERVICE, "x", value)
    assert file_keyring.files_containing(value)
    real_store = real_home / ".local/share/python_keyring/keyring_pass.cfg"
    if real_home != file_keyring.home and real_store.exists():
        assert value not in real_store.read_text(errors="replace")


def test_file_keyring_subprocess_sees_same_backend_and_value(file_keyring: KeyringEnv) -> None:
    value = secret()
    keyring.set_password(SERVICE, "x", value)

    out = file_keyring.run_python(PROBE)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["PlaintextKeyring", value]

    # ...and the other way round.
    other = secret()
    out = file_keyring.run_python(
        f"import keyring; keyring.set_password('mfa-tui', 'y', {other!r})"
    )
    assert out.returncode == 0, out.stderr
    assert keyring.get_password(SERVICE, "y") == other


# ---------------------------------------------------------------------------- Secret Service


@pytest.mark.secretservice
def test_secret_service_daemon_is_private_and_ours(secret_service: KeyringEnv) -> None:
    from jeepney.bus_messages import message_bus

    daemon = secret_service.daemon
    assert daemon is not None
    assert secret_service.env["DBUS_SESSION_BUS_ADDRESS"] == daemon.address
    assert daemon.address.startswith(f"unix:path={daemon.runtime_dir}/")
    assert 0 < daemon.startup_seconds < 15
    with daemon.connection() as conn:
        reply = conn.send_and_get_reply(
            message_bus.GetConnectionUnixProcessID("org.freedesktop.secrets"), timeout=5
        )
    assert daemon.keyring_proc is not None
    assert reply.body[0] == daemon.keyring_proc.pid
    assert all(Path(f"/proc/{pid}").exists() for pid in daemon.pids)
    assert daemon.collection_path() == "/org/freedesktop/secrets/collection/login"
    assert not daemon.is_locked()
    # gnome-keyring keeps its files in the throwaway HOME of the session fixture.
    assert (daemon.data_home / "keyrings" / "login.keyring").is_file()


@pytest.mark.secretservice
def test_secret_service_round_trip_in_process(secret_service: KeyringEnv) -> None:
    import secretstorage

    assert type(keyring.get_keyring()).__name__ == "Keyring"
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    value = secret()

    keyring.set_password(SERVICE, "x", value)
    assert keyring.get_password(SERVICE, "x") == value

    # It is a real item in gnome-keyring's login collection.
    daemon = secret_service.daemon
    assert daemon is not None
    with daemon.connection() as conn:
        collection = secretstorage.Collection(conn, daemon.collection_path())
        (item,) = collection.search_items({"service": SERVICE, "username": "x"})
        assert item.get_secret().decode() == value
    assert secret_service.files_containing(value) == []  # nothing on disk in the test's HOME

    keyring.delete_password(SERVICE, "x")
    assert keyring.get_password(SERVICE, "x") is None
    with pytest.raises(PasswordDeleteError):
        keyring.delete_password(SERVICE, "x")


@pytest.mark.secretservice
def test_secret_service_subprocess_sees_same_backend_and_value(
    secret_service: KeyringEnv,
) -> None:
    value = secret()
    keyring.set_password(SERVICE, "x", value)

    out = secret_service.run_python(PROBE)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["Keyring", value]

    other = secret()
    out = secret_service.run_python(
        f"import keyring; keyring.set_password('mfa-tui', 'y', {other!r})"
    )
    assert out.returncode == 0, out.stderr
    assert keyring.get_password(SERVICE, "y") == other


@pytest.mark.secretservice
@pytest.mark.parametrize("attempt", [1, 2])
def test_secret_service_starts_each_test_clean(secret_service: KeyringEnv, attempt: int) -> None:
    daemon = secret_service.daemon
    assert daemon is not None
    assert not daemon.is_locked()
    assert [a for a in daemon.items().values() if a.get("service") == SERVICE] == []
    keyring.set_password(SERVICE, "left-behind", secret())
    daemon.lock()  # the fixture must unlock and clean up after us


# ------------------------------------------------------------------------------ no keyring


def test_no_keyring_raises_no_keyring_error(no_keyring: KeyringEnv) -> None:
    assert issubclass(NoKeyringError, KeyringError)
    with pytest.raises(NoKeyringError):
        keyring.set_password(SERVICE, "x", "v")
    with pytest.raises(NoKeyringError):
        keyring.get_password(SERVICE, "x")

    out = no_keyring.run_python(
        "import keyring, keyring.errors\n"
        "try:\n    keyring.set_password('mfa-tui', 'x', 'v')\n"
        "except keyring.errors.KeyringError as e:\n    print(type(e).__name__)\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "NoKeyringError"
    assert no_keyring.files_written() == []


def test_headless_detection_finds_no_recommended_backend(headless_keyring: KeyringEnv) -> None:
    assert "PYTHON_KEYRING_BACKEND" not in headless_keyring.env
    backend = keyring.get_keyring()  # fresh detection: the fixture cleared keyring's caches
    assert not keyring.core.recommended(backend), backend
    out = headless_keyring.run_python(
        "import keyring, keyring.core; b = keyring.get_keyring(); "
        "print(type(b).__module__ + '.' + type(b).__name__, keyring.core.recommended(b))"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [f"{type(backend).__module__}.{type(backend).__name__}", "False"]


# --------------------------------------------------------------------------------- locked


@pytest.mark.secretservice
def test_locked_keyring_raises_keyring_locked_at_once(locked_keyring: KeyringEnv) -> None:
    daemon = locked_keyring.daemon
    assert daemon is not None and daemon.is_locked()

    start = time.monotonic()
    with pytest.raises(KeyringLocked):
        keyring.get_password(SERVICE, "x")
    with pytest.raises(KeyringLocked):
        keyring.set_password(SERVICE, "x", "v")
    assert time.monotonic() - start < 5  # the prompt is dismissed, not waited for
    assert daemon.is_locked()

    out = locked_keyring.run_python(
        "import keyring, keyring.errors\n"
        "try:\n    keyring.get_password('mfa-tui', 'x')\n"
        "except keyring.errors.KeyringLocked as e:\n    print('locked:', e)\n",
        timeout=20,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "locked: Failed to unlock the collection!"


@pytest.mark.secretservice
def test_locking_hides_a_stored_secret_until_unlocked(secret_service: KeyringEnv) -> None:
    daemon = secret_service.daemon
    assert daemon is not None
    value = secret()
    keyring.set_password(SERVICE, "x", value)

    daemon.lock()
    with pytest.raises(KeyringLocked):
        keyring.get_password(SERVICE, "x")
    daemon.unlock()
    assert keyring.get_password(SERVICE, "x") == value


@pytest.mark.secretservice
def test_unanswered_unlock_prompt_blocks_keyring(
    locked_keyring_stuck_prompt: KeyringEnv,
) -> None:
    import secretstorage

    daemon = locked_keyring_stuck_prompt.daemon
    assert daemon is not None
    # keyring's SecretService backend waits for the prompt with no timeout.
    with pytest.raises(subprocess.TimeoutExpired):
        locked_keyring_stuck_prompt.run_python(PROBE, timeout=3)
    # secretstorage can bound the wait.
    with daemon.connection() as conn:
        collection = secretstorage.Collection(conn, daemon.collection_path())
        with pytest.raises(TimeoutError):
            collection.unlock(timeout=1)
        assert collection.is_locked()
    prompter = locked_keyring_stuck_prompt.extras["prompter"]
    assert prompter.poll() is None  # still holding the prompt


@pytest.mark.secretservice
def test_secret_service_recovers_after_a_stuck_prompt(secret_service: KeyringEnv) -> None:
    """After the prompter goes away the daemon still serves (run in any order)."""
    daemon = secret_service.daemon
    assert daemon is not None
    daemon.lock()
    with daemon.stuck_prompter(), pytest.raises(subprocess.TimeoutExpired):
        secret_service.run_python(PROBE, timeout=2)
    # Prompter gone: a new request is dismissed at once again, and unlock works.
    start = time.monotonic()
    with pytest.raises(KeyringLocked):
        keyring.get_password(SERVICE, "x")
    assert time.monotonic() - start < 5
    daemon.unlock()
    value = secret()
    keyring.set_password(SERVICE, "x", value)
    assert keyring.get_password(SERVICE, "x") == value
