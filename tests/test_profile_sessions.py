"""`--profile NAME` against moto: which key signs each request, MFA sessions, assumed roles.

The server side records the access key id of every request (``moto.faults.requests``), so
these tests check what AWS would see, not what the client meant to send.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dateutil.tz import tzutc

from mfa_tui.aws.credentials import MfaSessionCredentials
from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.mfa_code import CodeRequest
from mfa_tui.engine.connect import GlobalOptions, make_connector
from tests.fixtures.keyrings import KeyringEnv
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.profile_helpers import (
    AccessKey,
    add_profile,
    cli_env,
    create_admin,
    leaks,
    one_sentence,
    run_cli,
)

ACCOUNT = "123456789012"
#: What moto's sts:GetSessionToken always answers.
MOTO_SESSION_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
MOTO_SESSION_TOKEN_START = "AQoEXAMPLEH4aoAH0gNCAPyJxz4BlCFFxWNE1OPTgk5TthT"
MFA_REJECTED = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "sts:AssumeRole"}]})


def serial(user: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:mfa/{user}"


def no_env_endpoint() -> dict[str, str]:
    """The CLI's env without AWS_ENDPOINT_URL: only the profile can point at moto."""
    return cli_env(AWS_ENDPOINT_URL=None)


def keys_after(moto: MotoServer, first: int = 0) -> set[str | None]:
    return {r.access_key_id for r in moto.faults.requests[first:]}


def test_every_request_is_signed_with_the_profiles_key_at_its_endpoint(
    moto: MotoServer, any_keyring: KeyringEnv, iam: Any
) -> None:
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url)
    moto.faults.clear_requests()

    # The env still holds the dummy "testing" key: the profile's key must win.
    result = run_cli("--profile", "a", "report", "--format", "json", env=no_env_endpoint())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["account"] == ACCOUNT
    assert "admin-a" in {u["user"] for u in json.loads(result.stdout)["users"]}
    assert moto.faults.count() > 3  # the report went to the profile's endpoint: moto
    assert keys_after(moto) == {admin.access_key_id}
    assert leaks(any_keyring, admin.secret_access_key) == {}


def test_mfa_profile_gets_one_session_token_before_any_iam_call(
    moto: MotoServer, any_keyring: KeyringEnv, iam: Any
) -> None:
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"))
    moto.faults.clear_requests()

    result = run_cli("--profile", "a", "report", "--format", "json", stdin="123456\n",
                     env=no_env_endpoint())
    assert result.returncode == 0, result.stderr
    first, *rest = moto.faults.requests
    assert (first.action, first.access_key_id) == ("GetSessionToken", admin.access_key_id)
    assert first.params["SerialNumber"] == serial("admin-a")
    assert first.params["TokenCode"] == "123456"
    assert moto.faults.count("GetSessionToken") == 1  # asked once, reused for every call
    assert rest and any(r.service == "iam" for r in rest)
    assert {r.access_key_id for r in rest} == {MOTO_SESSION_KEY_ID}  # the temporary key
    assert leaks(any_keyring, admin.secret_access_key, MOTO_SESSION_TOKEN_START) == {}


def test_a_rejected_code_is_asked_for_again(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """moto never checks codes: the fault injector answers GetSessionToken as STS does."""
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"))
    moto.faults.client_error("GetSessionToken", "AccessDenied", 403, MFA_REJECTED, times=1)
    moto.faults.clear_requests()

    result = run_cli("--profile", "a", "report", stdin="111111\n12345\n222222\n",
                     env=no_env_endpoint())
    assert result.returncode == 0, result.stderr
    assert "AWS rejected that code" in result.stderr
    assert "6 digits" in result.stderr  # "12345" was not sent to AWS at all
    tokens = [r.params["TokenCode"] for r in moto.faults.requests
              if r.action == "GetSessionToken"]
    assert tokens == ["111111", "222222"]


def test_three_rejected_codes_give_up_with_a_sentence(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"))
    moto.faults.client_error("GetSessionToken", "AccessDenied", 403, MFA_REJECTED)
    moto.faults.clear_requests()
    result = run_cli("--profile", "a", "report", stdin="111111\n222222\n333333\n444444\n",
                     env=no_env_endpoint())
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"mfa-tui: AWS rejected 3 MFA codes in a row for {serial('admin-a')}")
    assert moto.faults.count("GetSessionToken") == 3
    assert moto.faults.count() == 3  # no IAM call was made without a session
    assert "Traceback" not in result.stderr


def test_no_code_at_all_is_a_sentence(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"))
    moto.faults.clear_requests()
    result = run_cli("--profile", "a", "report", env=no_env_endpoint())  # stdin at EOF
    assert result.returncode == 2
    assert one_sentence(result).startswith(f"No MFA code was given for {serial('admin-a')}")
    assert moto.faults.count() == 0


def test_role_profile_assumes_the_role_with_mfa_and_a_named_session(
    moto: MotoServer, any_keyring: KeyringEnv, iam: Any
) -> None:
    admin = create_admin(iam, "admin-a")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    add_profile("cross", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"),
                "--role-arn", role["Arn"])
    moto.faults.clear_requests()

    result = run_cli("--profile", "cross", "check", "admin-a", stdin="654321\n",
                     env=no_env_endpoint())
    assert result.returncode in (0, 1), result.stderr
    first, *rest = moto.faults.requests
    assert (first.action, first.access_key_id) == ("AssumeRole", admin.access_key_id)
    assert first.params["RoleArn"] == role["Arn"]
    assert first.params["RoleSessionName"] == "mfa-tui-admin-a"
    assert (first.params["SerialNumber"], first.params["TokenCode"]) == (serial("admin-a"),
                                                                        "654321")
    assert moto.faults.count("AssumeRole") == 1
    (session_key,) = {r.access_key_id for r in rest}
    assert session_key and session_key != admin.access_key_id and rest


def test_role_session_is_the_caller_in_process(moto: MotoServer, file_keyring: KeyringEnv,
                                               iam: Any) -> None:
    admin = create_admin(iam, "admin-a")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    add_profile("cross", admin, "--endpoint-url", moto.url, "--role-arn", role["Arn"])
    conn = make_connector(GlobalOptions(profile="cross"))()  # no MFA serial: nothing asked
    assert conn.caller().arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/mfa-tui-")


def aws_config(text: str) -> None:
    """Write ~/.aws/config (AWS_CONFIG_FILE from the moto fixture)."""
    import os

    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_aws_config(moto: MotoServer, admin: AccessKey, role_arn: str) -> None:
    """~/.aws/config with a role profile needing MFA."""
    aws_config(
        f"[profile base]\naws_access_key_id = {admin.access_key_id}\n"
        f"aws_secret_access_key = {admin.secret_access_key}\n\n"
        f"[profile ops]\nrole_arn = {role_arn}\nsource_profile = base\n"
        f"mfa_serial = {serial('admin-a')}\nendpoint_url = {moto.url}\n"
    )


def test_aws_config_role_profile_asks_through_our_prompt(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """A role in ~/.aws/config (role_arn + mfa_serial) asks for its code through the same
    callback as keyring profiles, once (botocore's own provider would ask with getpass)."""
    admin = create_admin(iam, "admin-a")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    write_aws_config(moto, admin, role["Arn"])
    asked: list[CodeRequest] = []

    def ask(request: CodeRequest) -> str:
        asked.append(request)
        return "246810"

    moto.faults.clear_requests()
    conn = make_connector(GlobalOptions(profile="ops"), ask_code=ask)()
    assert conn.caller().arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/")
    conn.client("iam").list_users()
    assert [(r.serial, r.profile) for r in asked] == [(serial("admin-a"), "ops")]
    (assume,) = [r for r in moto.faults.requests if r.action == "AssumeRole"]
    assert (assume.access_key_id, assume.params["TokenCode"]) == (admin.access_key_id, "246810")


def test_aws_profile_env_var_and_the_cli_prompt(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """Without --profile: AWS_PROFILE and ~/.aws/config, exactly as botocore resolves them; the
    MFA code comes from the CLI's prompt (stdin here)."""
    admin = create_admin(iam, "admin-a")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    write_aws_config(moto, admin, role["Arn"])
    moto.faults.clear_requests()
    env = cli_env(AWS_ENDPOINT_URL=None, AWS_PROFILE="ops", AWS_ACCESS_KEY_ID=None,
                  AWS_SECRET_ACCESS_KEY=None)
    result = run_cli("report", "--format", "json", stdin="135790\n", env=env)
    assert result.returncode == 0, result.stderr
    assert moto.faults.requests[0].action == "AssumeRole"
    assert moto.faults.requests[0].params["TokenCode"] == "135790"


def test_unknown_profile_names_both_sources(moto: MotoServer, file_keyring: KeyringEnv,
                                            iam: Any) -> None:
    admin = create_admin(iam, "admin-a")
    add_profile("kr", admin, "--endpoint-url", moto.url)
    write_aws_config(moto, admin, f"arn:aws:iam::{ACCOUNT}:role/Admin")
    result = run_cli("--profile", "nope", "report")
    assert result.returncode == 2
    assert one_sentence(result) == (
        "No profile named 'nope': it is neither a keyring profile (kr; `mfa-tui profile list`) "
        "nor an AWS config profile (base, ops; ~/.aws/config).")


def test_expired_session_asks_again_and_keeps_working(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """Renewal: once the session has expired, the next call asks for a new code and gets a
    new session; the same clients keep working."""
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"))
    codes = iter(["111111", "222222"])
    conn = make_connector(GlobalOptions(profile="a"), ask_code=lambda request: next(codes))()
    client = conn.client("iam")
    client.list_users()
    assert moto.faults.count("GetSessionToken") == 1
    client.list_users()
    assert moto.faults.count("GetSessionToken") == 1  # still fresh: reused
    expire_session(conn)
    client.list_users()
    client.list_users()
    tokens = [r.params["TokenCode"] for r in moto.faults.requests
              if r.action == "GetSessionToken"]
    assert tokens == ["111111", "222222"]  # asked again once, then reused


def expire_session(conn: AwsConnection, left: timedelta = timedelta(0)) -> None:
    """Make the connection's MFA session expire ``left`` from now (as 12 hours later would)."""
    credentials = conn._session.get_credentials()
    assert isinstance(credentials, MfaSessionCredentials)
    credentials._expiry_time = datetime.now(tzutc()) + left


def test_a_session_is_renewed_five_minutes_before_it_expires_not_earlier(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """One renewal window (aws/credentials.py): botocore's advisory 15 minutes would ask for
    a code, then carry on with the old session if the admin cancelled; here a session with
    6 minutes left is used as it is, and one with 4 minutes left asks."""
    admin = create_admin(iam, "admin-a")
    add_profile("a", admin, "--endpoint-url", moto.url, "--mfa-serial", serial("admin-a"))
    codes = iter(["111111", "222222"])
    conn = make_connector(GlobalOptions(profile="a"), ask_code=lambda request: next(codes))()
    client = conn.client("iam")
    client.list_users()
    expire_session(conn, timedelta(minutes=6))
    client.list_users()
    assert moto.faults.count("GetSessionToken") == 1
    expire_session(conn, timedelta(minutes=4))
    client.list_users()
    assert moto.faults.count("GetSessionToken") == 2


def test_aws_config_role_settings_and_a_rejected_code(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """mfa-tui assumes a config profile's MFA role itself (botocore's provider would prompt
    with getpass): the profile's role_session_name, external_id and duration_seconds are
    sent as botocore sends them, and a code STS rejects is asked for again."""
    admin = create_admin(iam, "admin-a")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    aws_config(
        f"[profile base]\naws_access_key_id = {admin.access_key_id}\n"
        f"aws_secret_access_key = {admin.secret_access_key}\n\n"
        f"[profile ops]\nrole_arn = {role['Arn']}\nsource_profile = base\n"
        f"mfa_serial = {serial('admin-a')}\nendpoint_url = {moto.url}\n"
        "role_session_name = oncall\nexternal_id = ext-42\nduration_seconds = 1800\n")
    moto.faults.client_error("AssumeRole", "AccessDenied", 403, MFA_REJECTED, times=1)
    asked: list[CodeRequest] = []
    codes = iter(["111111", "222222"])

    def ask(request: CodeRequest) -> str:
        asked.append(request)
        return next(codes)

    moto.faults.clear_requests()
    conn = make_connector(GlobalOptions(profile="ops"), ask_code=ask)()
    assert conn.caller().arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/oncall"
    assert [r.problem for r in asked] == ["", "AWS rejected that code: wait for the next one "
                                          "and type it."]
    assumes = [r for r in moto.faults.requests if r.action == "AssumeRole"]
    assert [(r.access_key_id, r.params["TokenCode"]) for r in assumes] == [
        (admin.access_key_id, "111111"), (admin.access_key_id, "222222")]
    assert {(r.params["ExternalId"], r.params["DurationSeconds"], r.params["RoleSessionName"])
            for r in assumes} == {("ext-42", "1800", "oncall")}


def test_aws_config_role_chain_asks_for_the_source_roles_code(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """A role whose source profile is itself a role needing MFA: that code is asked through
    the same callback too (never getpass), and the chain is assumed in order."""
    admin = create_admin(iam, "admin-a")
    first = iam.create_role(RoleName="Hop", AssumeRolePolicyDocument=TRUST)["Role"]
    second = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    aws_config(
        f"[profile base]\naws_access_key_id = {admin.access_key_id}\n"
        f"aws_secret_access_key = {admin.secret_access_key}\nendpoint_url = {moto.url}\n\n"
        f"[profile hop]\nrole_arn = {first['Arn']}\nsource_profile = base\n"
        f"mfa_serial = {serial('admin-a')}\nendpoint_url = {moto.url}\n\n"
        f"[profile ops]\nrole_arn = {second['Arn']}\nsource_profile = hop\n"
        f"mfa_serial = {serial('admin-a')}\nendpoint_url = {moto.url}\n")
    asked: list[CodeRequest] = []
    codes = iter(["111111", "222222"])

    def ask(request: CodeRequest) -> str:
        asked.append(request)
        return next(codes)

    moto.faults.clear_requests()
    conn = make_connector(GlobalOptions(profile="ops"), ask_code=ask)()
    assert conn.caller().arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/")
    assumes = [r for r in moto.faults.requests if r.action == "AssumeRole"]
    assert [(r.params["RoleArn"], r.params["TokenCode"]) for r in assumes] == [
        (first["Arn"], "111111"), (second["Arn"], "222222")]
    assert assumes[0].access_key_id == admin.access_key_id
    assert assumes[1].access_key_id != admin.access_key_id  # signed by the first role
    assert [r.profile for r in asked] == ["hop", "ops"]  # each prompt names its profile


def test_a_name_in_both_places_is_the_keyring_profile_everywhere(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    """One rule (engine/profile_sources.py) for --profile, the prefetch helper and the
    picker: a keyring profile first, else the AWS config profile of that name."""
    from mfa_tui.engine.prefetch import _is_keyring_profile
    from mfa_tui.engine.profile_sources import ProfileSources

    admin, other = create_admin(iam, "admin-a"), create_admin(iam, "admin-b")
    write_aws_config(moto, admin, f"arn:aws:iam::{ACCOUNT}:role/Admin")  # base, ops
    add_profile("ops", other, "--endpoint-url", moto.url)
    assert ProfileSources().listing() == [("ops", "keyring"), ("base", "aws")]
    assert _is_keyring_profile("ops") and not _is_keyring_profile("base")
    moto.faults.clear_requests()
    conn = make_connector(GlobalOptions(profile="ops"), ask_code=lambda request: None)()
    assert conn.caller().arn == f"arn:aws:iam::{ACCOUNT}:user/admin-b"  # no role, no code
    assert keys_after(moto) == {other.access_key_id}
