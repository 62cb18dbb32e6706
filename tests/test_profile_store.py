"""The profile file's TOML writer and the pure MFA-code helpers (no keyring, no AWS)."""

from __future__ import annotations

import re
import tomllib

import pytest

from mfa_tui.core.mfa_code import (
    clean_code,
    is_mfa_rejection,
    role_session_name,
    user_from_serial,
)
from mfa_tui.state.profiles import Profile, ProfileError, Secrets, check_name, to_toml, validate


def test_toml_round_trips_every_allowed_name_and_odd_values() -> None:
    profiles = {
        "prod.eu-1_admin": Profile("prod.eu-1_admin", "AKIAZZZZZZZZZZEXAMPLE", region="eu-west-1",
                                   endpoint_url='http://127.0.0.1:5000/a"b\\c',
                                   mfa_serial="GAHT12345678"),
        "-": Profile("-", "AKIAZZZZZZZZZZEXAMPLE", role_arn="arn:aws:iam::123456789012:role/A"),
    }
    parsed = tomllib.loads(to_toml(profiles))["profiles"]
    assert parsed == {
        "prod.eu-1_admin": {"access_key_id": "AKIAZZZZZZZZZZEXAMPLE", "region": "eu-west-1",
                            "endpoint_url": 'http://127.0.0.1:5000/a"b\\c',
                            "mfa_serial": "GAHT12345678"},
        "-": {"access_key_id": "AKIAZZZZZZZZZZEXAMPLE",
              "role_arn": "arn:aws:iam::123456789012:role/A"},
    }


@pytest.mark.parametrize("name", ["", "a b", "a/b", "ü", "x" * 65, "[x]", 'a"b'])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ProfileError, match="not a valid profile name"):
        check_name(name)


@pytest.mark.parametrize(("field", "value"), [
    ("access_key_id", "short"), ("region", "Europe"), ("endpoint_url", "127.0.0.1:5000"),
    ("mfa_serial", "arn with spaces"), ("role_arn", "arn:aws:iam::1:role/A"),
])
def test_malformed_fields_are_one_sentence(field: str, value: str) -> None:
    fields = {"name": "p", "access_key_id": "AKIAZZZZZZZZZZEXAMPLE", field: value}
    with pytest.raises(ProfileError) as caught:
        validate(Profile(**fields))
    assert str(caught.value).startswith(repr(value) + " is not a valid")


def test_secrets_never_show_in_repr() -> None:
    secrets = Secrets("wJalrXUtnFEMI-K7MDENG-bPxRfiCYzSECRETKEY", "token-value")
    assert "wJalr" not in repr(secrets) and "token" not in repr(secrets)
    assert Secrets.from_json(secrets.to_json(), "p") == secrets
    with pytest.raises(ProfileError, match="not one mfa-tui wrote"):
        Secrets.from_json("plain password", "p")


def test_codes() -> None:
    assert clean_code(" 123 456 ") == "123456"
    assert clean_code("12345") is None and clean_code("1234567") is None
    assert clean_code("12345a") is None


def test_role_session_name_fits_sts_limits() -> None:
    assert role_session_name("alice") == "mfa-tui-alice"
    name = role_session_name("jane.doe+ops@example.com/" + "x" * 80)
    assert len(name) == 64 and re.fullmatch(r"[\w+=,.@-]+", name)
    assert role_session_name("") == "mfa-tui"
    assert user_from_serial("arn:aws:iam::123456789012:mfa/alice") == "alice"
    assert user_from_serial("GAHT12345678") == ""


def test_only_mfa_failures_count_as_a_wrong_code() -> None:
    assert is_mfa_rejection("AccessDenied",
                            "MultiFactorAuthentication failed with invalid MFA one time pass code.")
    assert not is_mfa_rejection("AccessDenied", "User: x is not authorized to perform: "
                                "sts:GetSessionToken")


@pytest.mark.parametrize(("module", "forbidden"), [
    ("mfa_tui.state.profiles", {"textual", "boto3", "botocore"}),
    ("mfa_tui.state.keyring_access", {"textual", "boto3", "botocore"}),
    ("mfa_tui.commands.profile", {"textual", "boto3", "botocore"}),
    ("mfa_tui.core.mfa_code", {"textual", "boto3", "botocore", "keyring"}),
    ("mfa_tui.aws.credentials", {"textual"}),
])
def test_layers(module: str, forbidden: set[str]) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(*sorted(sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert not forbidden & {name.split(".")[0] for name in out.split()}
