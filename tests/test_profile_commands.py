"""`mfa-tui profile add|list|remove` through the installed command, on real keyrings.

Every test that stores a profile runs twice: on keyrings.alt's file backend and on the real
Secret Service (gnome-keyring on a private D-Bus). Machines without a usable keyring get one
sentence and exit 2, and nothing hangs.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import keyring
import pytest

from mfa_tui.state.paths import config_dir
from tests.fixtures.keyrings import SERVICE, KeyringEnv
from tests.fixtures.profile_helpers import cli_env, one_sentence, run_cli

SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzSECRETKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token-never-on-disk"
KEY_ID = "AKIAZZZZZZZZZZEXAMPLE"
ROOT = Path(__file__).resolve().parent.parent


def profiles_toml() -> Path:
    return config_dir() / "profiles.toml"


def test_add_list_remove_round_trip(any_keyring: KeyringEnv) -> None:
    added = run_cli("profile", "add", "prod-admin", "--access-key-id", KEY_ID,
                    "--region", "eu-west-1", "--endpoint-url", "http://127.0.0.1:4566",
                    "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice",
                    "--role-arn", "arn:aws:iam::210987654321:role/Admin",
                    stdin=f"{SECRET}\n{TOKEN}\n")
    assert added.returncode == 0, added.stderr
    assert "Stored profile 'prod-admin'" in added.stdout

    # The secrets are in the keyring, as one JSON entry under service "mfa-tui".
    import json

    stored = json.loads(keyring.get_password(SERVICE, "prod-admin") or "{}")
    assert stored == {"aws_secret_access_key": SECRET, "aws_session_token": TOKEN}
    # The file holds the non-secret fields only, mode 0600.
    path = profiles_toml()
    assert path.stat().st_mode & 0o777 == 0o600
    assert tomllib.loads(path.read_text())["profiles"]["prod-admin"] == {
        "access_key_id": KEY_ID, "region": "eu-west-1", "endpoint_url": "http://127.0.0.1:4566",
        "mfa_serial": "arn:aws:iam::123456789012:mfa/alice",
        "role_arn": "arn:aws:iam::210987654321:role/Admin",
    }

    listed = run_cli("profile", "list")
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    assert header.split()[:3] == ["name", "access", "key"]
    assert row.split() == ["prod-admin", KEY_ID, "eu-west-1", "http://127.0.0.1:4566",
                           "arn:aws:iam::123456789012:mfa/alice",
                           "arn:aws:iam::210987654321:role/Admin", "yes"]
    assert SECRET not in listed.stdout and TOKEN not in listed.stdout

    removed = run_cli("profile", "remove", "prod-admin")
    assert removed.returncode == 0, removed.stderr
    assert keyring.get_password(SERVICE, "prod-admin") is None
    assert "prod-admin" not in path.read_text()
    assert run_cli("profile", "list").stdout.startswith("No keyring profiles.")
    # Nothing secret anywhere the tool wrote (the Secret Service keeps it in its daemon).
    files = any_keyring.files_containing(SECRET) + any_keyring.files_containing(TOKEN)
    assert files == []


def test_list_marks_a_profile_whose_secret_is_missing(any_keyring: KeyringEnv) -> None:
    assert run_cli("profile", "add", "a", "--access-key-id", KEY_ID, stdin=SECRET).returncode == 0
    assert run_cli("profile", "add", "b", "--access-key-id", KEY_ID, stdin=SECRET).returncode == 0
    keyring.delete_password(SERVICE, "b")  # e.g. deleted with seahorse
    rows = {line.split()[0]: line.split()[-1] for line in run_cli("profile", "list")
            .stdout.splitlines()[1:]}
    assert rows == {"a": "yes", "b": "MISSING"}


def test_unknown_name_and_bad_input_are_one_sentence(any_keyring: KeyringEnv) -> None:
    result = run_cli("profile", "remove", "ghost")
    assert result.returncode == 2
    assert one_sentence(result) == (
        "There is no keyring profile named 'ghost': `mfa-tui profile list` shows them.")

    result = run_cli("profile", "add", "no/slash", "--access-key-id", KEY_ID, stdin=SECRET)
    assert result.returncode == 2
    assert "is not a valid profile name" in one_sentence(result)

    result = run_cli("profile", "add", "x", "--access-key-id", KEY_ID)  # empty stdin
    assert result.returncode == 2
    assert one_sentence(result).startswith("No secret access key was given")

    result = run_cli("profile", "add", "x", "--access-key-id", KEY_ID,
                     "--role-arn", "Admin", stdin=SECRET)
    assert result.returncode == 2
    assert one_sentence(result).startswith("'Admin' is not a valid role ARN")
    assert not profiles_toml().exists()
    assert keyring.get_password(SERVICE, "x") is None


def test_adding_twice_needs_replace(any_keyring: KeyringEnv) -> None:
    assert run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET).returncode == 0
    again = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET + "2")
    assert again.returncode == 2
    assert "already exists: pass --replace" in one_sentence(again)
    import json

    assert json.loads(keyring.get_password(SERVICE, "p") or "")["aws_secret_access_key"] == SECRET
    replaced = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, "--replace",
                       stdin=SECRET + "2")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(keyring.get_password(SERVICE, "p") or "")["aws_secret_access_key"] \
        == SECRET + "2"


def test_a_failed_file_write_takes_the_keyring_entry_back(
    file_keyring: KeyringEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing half-created: the secret is stored first and removed if the file cannot be
    written. The disk-full error is simulated in-process (os.replace raising ENOSPC): as root,
    as CI runs, a read-only directory would not stop the write."""
    import errno

    from mfa_tui.state import profiles

    def full_disk(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(profiles.os, "replace", full_disk)
    with pytest.raises(profiles.ProfileError, match=r"No space left on device.*nothing was stored"):
        profiles.add(profiles.Profile("p", KEY_ID), profiles.Secrets(SECRET))
    assert keyring.get_password(SERVICE, "p") is None
    assert list(config_dir().iterdir()) == []  # no temp file left either


# ------------------------------------------------------------------ machines without a keyring


def test_no_keyring_is_one_sentence_and_exit_2(no_keyring: KeyringEnv) -> None:
    result = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET)
    assert result.returncode == 2
    sentence = one_sentence(result)
    assert sentence.startswith("No usable OS keyring was found (keyring.backends.fail.Keyring)")
    assert "secretstorage" in sentence and "PYTHON_KEYRING_BACKEND" in sentence
    assert not profiles_toml().exists()  # nothing half-created


def test_headless_fallback_to_plaintext_is_refused(headless_keyring: KeyringEnv) -> None:
    """keyring silently picks keyrings.alt's PlaintextKeyring here (not "recommended")."""
    result = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET)
    assert result.returncode == 2
    sentence = one_sentence(result)
    assert sentence.startswith("keyring fell back to keyrings.alt.file.PlaintextKeyring")
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring" in sentence
    assert headless_keyring.files_containing(SECRET) == []


def test_explicitly_chosen_plaintext_works_with_a_warning(file_keyring: KeyringEnv) -> None:
    result = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET)
    assert result.returncode == 0
    assert "may be stored unencrypted" in result.stderr


def write_profile_file(name: str) -> None:
    """A profile in profiles.toml, as if added before the keyring got locked."""
    from mfa_tui.state.profiles import Profile, to_toml

    path = profiles_toml()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml({name: Profile(name, KEY_ID)}))


@pytest.mark.secretservice
def test_locked_keyring_is_one_sentence_and_exit_2(locked_keyring: KeyringEnv) -> None:
    result = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET)
    assert result.returncode == 2
    assert one_sentence(result).startswith(
        "The OS keyring is locked and could not be unlocked while storing profile 'p'")
    assert not profiles_toml().exists()  # nothing half-created

    write_profile_file("p")
    for args in (("profile", "list"), ("--profile", "p", "report"), ("profile", "remove", "p")):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert one_sentence(result).startswith("The OS keyring is locked"), args
    assert "[profiles.\"p\"]" in profiles_toml().read_text()  # remove changed nothing


@pytest.mark.secretservice
def test_a_stuck_unlock_prompt_times_out_with_a_sentence(
    locked_keyring_stuck_prompt: KeyringEnv,
) -> None:
    """keyring would wait forever for an unlock dialog nobody answers; mfa-tui gives up after
    MFA_TUI_KEYRING_TIMEOUT (2 s here) with a sentence, for add and for --profile."""
    env = cli_env(MFA_TUI_KEYRING_TIMEOUT="2")
    result = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET, env=env,
                     timeout=60)
    assert result.returncode == 2
    assert one_sentence(result).startswith(
        "The OS keyring did not answer within 2 s while storing profile 'p' in the keyring")
    assert not profiles_toml().exists()

    write_profile_file("p")
    result = run_cli("--profile", "p", "report", env=env, timeout=60)
    assert result.returncode == 2
    assert one_sentence(result).startswith(
        "The OS keyring did not answer within 2 s while reading profile 'p' from the keyring")


def test_a_backend_that_would_prompt_on_the_terminal_is_refused(file_keyring: KeyringEnv) -> None:
    """A backend that asks for its password with getpass (as keyrings.cryptfile does) is refused
    before it can prompt; a wrong password ("MAC check failed") is a sentence.

    keyrings.cryptfile itself is not installed in the test venv: with priority 2.5 it would
    win keyring's auto-detection and change what every other keyring test sees. The stand-in
    (tests/fixtures/prompting_keyring.py) is a real file backend with cryptfile's password handling.
    """
    env = cli_env(PYTHON_KEYRING_BACKEND="tests.fixtures.prompting_keyring.PromptingKeyring",
                  PYTHONPATH=str(ROOT))
    result = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET, env=env)
    assert result.returncode == 2
    sentence = one_sentence(result)
    assert sentence.startswith("The keyring backend "
                               "tests.fixtures.prompting_keyring.PromptingKeyring "
                               "would ask for its password on the terminal"), sentence
    assert "KEYRING_PROPERTY_KEYRING_KEY" in sentence
    assert not profiles_toml().exists()

    # Given its password, it works...
    env["KEYRING_PROPERTY_KEYRING_KEY"] = "right password"
    ok = run_cli("profile", "add", "p", "--access-key-id", KEY_ID, stdin=SECRET, env=env)
    assert ok.returncode == 0, ok.stderr
    # ...and a wrong one is one sentence.
    env["KEYRING_PROPERTY_KEYRING_KEY"] = "wrong password"
    bad = run_cli("--profile", "p", "report", env=env)
    assert bad.returncode == 2
    assert one_sentence(bad).startswith(
        "The encrypted keyring file could not be decrypted while reading profile 'p' from the "
        "keyring (MAC check failed)")


def test_profile_commands_do_not_import_boto3(no_keyring: KeyringEnv) -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from mfa_tui.cli import main; "
         "main(['profile', 'list']); print('boto3' in sys.modules, 'textual' in sys.modules)"],
        capture_output=True, text=True, timeout=60, env=cli_env(),
    )
    assert out.stdout.splitlines()[-1] == "False False"
