"""AWS config profiles whose role needs an MFA code (``role_arn`` + ``mfa_serial``).

botocore's own assume-role provider would ask for the code with ``getpass`` on the terminal
(under the TUI, that would draw over the screen), and takes another prompt only in its
constructor. So mfa-tui assumes such a role itself, as botocore would: the same profile
settings (``source_profile`` or ``credential_source``, ``role_session_name``,
``external_id``, ``duration_seconds``), the source credentials resolved by botocore (static
keys, SSO, a process, another role: a source role that needs a code is assumed the same
way), and the code asked through mfa-tui's prompt (:class:`TemporarySession`: a rejected
code is asked for again; the session is renewed before it expires). Roles without an MFA
serial, and web-identity profiles, stay botocore's. Public botocore API only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.credentials import Credentials

from mfa_tui.aws.call_budget import bound_unanswered_calls
from mfa_tui.aws.credentials import TemporarySession, install_credentials
from mfa_tui.core.mfa_code import AskCode

#: ``credential_source`` values and the botocore provider that reads each.
CREDENTIAL_SOURCES = {"Environment": "env", "Ec2InstanceMetadata": "iam-role",
                      "EcsContainer": "container-role"}


@dataclass(frozen=True)
class ConfigRole:
    """A config profile's role that needs an MFA code (nothing secret)."""

    profile: str
    role_arn: str
    mfa_serial: str
    source_profile: str | None = None
    credential_source: str | None = None
    role_session_name: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None


def config_role(config: Mapping[str, Any], profile: str) -> ConfigRole | None:
    """The MFA role of ``profile`` in botocore's ``full_config``, or None (botocore's own)."""
    settings = config.get("profiles", {}).get(profile, {})
    if not settings.get("role_arn") or not settings.get("mfa_serial") \
            or "web_identity_token_file" in settings:
        return None
    source, credential_source = settings.get("source_profile"), settings.get("credential_source")
    if bool(source) == bool(credential_source) or (
            credential_source and credential_source not in CREDENTIAL_SOURCES):
        return None  # botocore says what is wrong with it, before asking anything
    duration = settings.get("duration_seconds")
    return ConfigRole(profile=profile, role_arn=settings["role_arn"],
                      mfa_serial=settings["mfa_serial"], source_profile=source,
                      credential_source=credential_source,
                      role_session_name=settings.get("role_session_name"),
                      external_id=settings.get("external_id"),
                      duration_seconds=int(duration) if duration else None)


def wire_config_role(botocore_session: Any, ask: AskCode | None, label: str = "",
                     client_kwargs: Mapping[str, Any] | None = None,
                     seen: frozenset[str] = frozenset()) -> bool:
    """If the session's profile is an MFA role botocore would assume, assume it here
    (asking through ``ask``) and make it the session's credentials. True when wired.

    ``client_kwargs``: for the STS client (region, endpoint URL, botocore ``Config``);
    ``seen``: the profiles already on the way here (a loop of source profiles stops)."""
    resolver = botocore_session.get_component("credential_provider")
    for provider in resolver.providers:  # as botocore: env credentials come first, if used
        if provider.METHOD == "assume-role":
            break
        if provider.load() is not None:
            return False
    else:
        return False
    profile = botocore_session.get_config_variable("profile") or "default"
    role = config_role(botocore_session.full_config, profile)
    if role is None or profile in seen:
        return False  # a loop of source profiles: botocore names it
    source = _source_credentials(role, botocore_session, ask, seen | {profile})
    kwargs = dict(client_kwargs or {})

    def sts() -> Any:  # a new client each time, signed with the source's current keys
        frozen = source().get_frozen_credentials()
        return bound_unanswered_calls(botocore_session.create_client(
            "sts", aws_access_key_id=frozen.access_key, aws_secret_access_key=frozen.secret_key,
            aws_session_token=frozen.token, **kwargs))

    extra: dict[str, Any] = {}
    if role.duration_seconds:
        extra["role_seconds"] = role.duration_seconds
    temporary = TemporarySession(sts, mfa_serial=role.mfa_serial, role_arn=role.role_arn,
                                 ask=ask, profile=label or profile, reuse_client=False,
                                 role_session_name=role.role_session_name,
                                 external_id=role.external_id, **extra)
    install_credentials(botocore_session, temporary.credentials())
    return True


def _source_credentials(role: ConfigRole, main: Any, ask: AskCode | None,
                        seen: frozenset[str]) -> Any:
    """A function giving the credentials that sign the AssumeRole call (resolved when the
    code is asked for, not before)."""
    if role.credential_source:
        method = CREDENTIAL_SOURCES[role.credential_source]

        def from_source() -> Credentials:
            found = botocore.session.Session().get_component(
                "credential_provider").get_provider(method).load()
            if found is None:
                raise _no_credentials(f"its credential_source ({role.credential_source})", role)
            return found
        return from_source
    assert role.source_profile
    if role.source_profile == role.profile:  # its own static keys sign for it, as botocore
        settings = main.full_config["profiles"][role.profile]

        def own_keys() -> Credentials:
            if "aws_access_key_id" not in settings or "aws_secret_access_key" not in settings:
                raise _no_credentials("its own keys", role)
            return Credentials(settings["aws_access_key_id"], settings["aws_secret_access_key"],
                               settings.get("aws_session_token"))
        return own_keys
    source_session = botocore.session.Session(profile=role.source_profile)
    wire_config_role(source_session, ask, role.source_profile, seen=seen)  # MFA there too

    def from_profile() -> Credentials:
        found = source_session.get_credentials()
        if found is None:
            raise _no_credentials(f"its source profile ({role.source_profile})", role)
        return found
    return from_profile


def _no_credentials(where: str, role: ConfigRole) -> Exception:
    from botocore.exceptions import InvalidConfigError

    return InvalidConfigError(error_msg=f"The profile {role.profile!r} assumes {role.role_arn}, "
                              f"but {where} has no credentials.")
