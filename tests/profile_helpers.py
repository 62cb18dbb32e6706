"""Helpers shared by the keyring-profile tests: run the installed CLI, make moto users."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.keyrings import KeyringEnv
from tests.fixtures.terminal import installed_cli

#: Any request that is not to loopback goes to a dead proxy: a bug cannot reach real AWS.
DEAD_PROXY = "http://127.0.0.1:9"
RUN_TIMEOUT = 120


@dataclass(frozen=True)
class AccessKey:
    """An IAM user's access key created in moto (the secret stays in the test)."""

    user: str
    access_key_id: str
    secret_access_key: str


def cli_env(**overrides: str | None) -> dict[str, str]:
    """The test process's env (keyring + moto fixtures applied), never reaching real AWS.

    An override of None removes the variable.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    env.update({"HTTPS_PROXY": DEAD_PROXY, "HTTP_PROXY": DEAD_PROXY,
                "https_proxy": DEAD_PROXY, "http_proxy": DEAD_PROXY})
    env.setdefault("NO_PROXY", "127.0.0.1,localhost")
    env["no_proxy"] = env["NO_PROXY"]
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_cli(*args: str, stdin: str = "", env: dict[str, str] | None = None,
            timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run the installed ``mfa-tui`` with ``stdin`` piped in (so it is not a terminal)."""
    return subprocess.run(
        [installed_cli(), *args], input=stdin, capture_output=True, text=True,
        timeout=timeout, env=env if env is not None else cli_env(), check=False,
    )


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (no traceback), without the prefix."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mfa-tui: "), lines[0]
    return lines[0].removeprefix("mfa-tui: ")


def create_admin(iam: Any, user: str) -> AccessKey:
    """A moto IAM user with an access key (signs as that user at moto)."""
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return AccessKey(user, key["AccessKeyId"], key["SecretAccessKey"])


def add_profile(name: str, key: AccessKey, *extra: str, token: str | None = None,
                env: dict[str, str] | None = None) -> None:
    """``mfa-tui profile add`` with the secret (and token) on stdin; asserts success."""
    stdin = key.secret_access_key + "\n" + (token + "\n" if token else "")
    result = run_cli("profile", "add", name, "--access-key-id", key.access_key_id, *extra,
                     stdin=stdin, env=env)
    assert result.returncode == 0, result.stderr
    assert key.secret_access_key not in result.stdout + result.stderr


@pytest.fixture(params=["file_keyring",
                        pytest.param("secret_service", marks=pytest.mark.secretservice)])
def any_keyring(request: pytest.FixtureRequest) -> KeyringEnv:
    """Each test runs on the keyrings.alt file backend and on the real Secret Service."""
    env: KeyringEnv = request.getfixturevalue(request.param)
    return env


def leaks(kenv: KeyringEnv, *secrets: str) -> dict[str, list[str]]:
    """Files under the test's HOME/XDG dirs holding any secret, except the keyring's own file.

    keyrings.alt's PlaintextKeyring keeps the secret, base64-encoded, in
    ``$XDG_DATA_HOME/python_keyring/keyring_pass.cfg``: that file IS the keyring, so it is
    the one place the secret is expected (the Secret Service keeps it in its daemon's HOME,
    outside this tree). Everything else mfa-tui writes (profiles.toml, the log, the inventory
    cache) must hold none.
    """
    keyring_file = kenv.root / "xdg-data" / "python_keyring" / "keyring_pass.cfg"
    found: dict[str, list[str]] = {}
    for secret in secrets:
        hits = [str(p) for p in kenv.files_containing(secret) if p != keyring_file]
        if hits:
            found[secret[:4] + "…"] = hits
    return found
