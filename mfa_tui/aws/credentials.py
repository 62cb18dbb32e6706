"""MFA sessions and assumed roles: temporary credentials in memory, asked for again on expiry.

A profile with an MFA serial gets ``sts:GetSessionToken`` (or ``sts:AssumeRole`` with
``SerialNumber``/``TokenCode`` when it has a role ARN) before its first call. The temporary
credentials are botocore ``RefreshableCredentials`` whose refresh function asks the admin for a
new code through a callback (the CLI's no-echo prompt, or the TUI's modal), so an expired
session is renewed in place: every client keeps working and no screen loses its state.
Nothing here is written to disk. botocore only; never imports Textual.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.credentials import (
    CredentialProvider,
    Credentials,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import ClientError

from mfa_tui.core.mfa_code import (
    MAX_CODE_TRIES,
    AskCode,
    CannotAskForCode,
    CodeRequest,
    MfaCancelled,
    MfaRejected,
    clean_code,
    is_mfa_rejection,
    role_session_name,
    user_from_serial,
)

#: sts:GetSessionToken for an IAM user: 12 hours (AWS's default).
SESSION_SECONDS = 12 * 3600
#: sts:AssumeRole: one hour, the default MaxSessionDuration of a role.
ROLE_SESSION_SECONDS = 3600
#: Renew this long before expiry. botocore's default "advisory" window (15 minutes) would ask
#: early, and swallow a cancelled prompt only to ask again on the next call: one window only.
RENEW_BEFORE_SECONDS = 5 * 60

_log = logging.getLogger(__name__)


class MfaSessionCredentials(DeferredRefreshableCredentials):
    """Refreshable credentials fetched on first use; renewal is mandatory, never advisory.

    botocore asks ``refresh_needed`` with its advisory window (15 minutes), then its
    mandatory one (10): both are ``RENEW_BEFORE_SECONDS`` here, so a renewal is always
    mandatory. ``refresh_in=0`` is botocore's "expired now?" check and stays as it is.
    """

    def refresh_needed(self, refresh_in: int | None = None) -> bool:
        """botocore's check, with one renewal window (see the class docstring)."""
        result: bool = super().refresh_needed(RENEW_BEFORE_SECONDS if refresh_in != 0 else 0)
        return result


class FixedProvider(CredentialProvider):
    """Puts our credentials at the head of a botocore session's provider chain."""

    METHOD = "mfa-tui-session"
    CANONICAL_NAME = "mfa-tui-session"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.fixed = credentials

    def load(self) -> Credentials:
        """The credentials given (botocore's provider interface)."""
        return self.fixed


class TemporarySession:
    """Fetches temporary credentials from STS, asking for an MFA code when one is needed.

    ``sts`` makes an STS client signed with the profile's long-term key (never with the
    temporary credentials this produces). ``ask`` is called with a :class:`CodeRequest` and
    returns the typed code or None (cancelled).
    """

    def __init__(
        self,
        sts: Callable[[], Any],
        *,
        mfa_serial: str | None,
        role_arn: str | None,
        ask: AskCode | None,
        profile: str = "",
        max_tries: int = MAX_CODE_TRIES,
        role_session_name: str | None = None,
        external_id: str | None = None,
        role_seconds: int = ROLE_SESSION_SECONDS,
        reuse_client: bool = True,
    ) -> None:
        self._sts_factory = sts
        self.role_session_name = role_session_name
        self.external_id = external_id
        self.role_seconds = role_seconds
        self._reuse_client = reuse_client
        self._sts: Any = None
        self.mfa_serial = mfa_serial
        self.role_arn = role_arn
        self._ask = ask
        self.profile = profile
        self.max_tries = max_tries
        self._lock = threading.Lock()

    def session_name(self) -> str:
        """RoleSessionName: the tool and the user (the MFA device's user, else the login)."""
        user = user_from_serial(self.mfa_serial or "")
        if not user:
            try:
                user = getpass.getuser()
            except (OSError, KeyError):
                user = ""
        return role_session_name(user)

    def _client(self) -> Any:
        if not self._reuse_client:  # signed with source credentials that may be renewed
            return self._sts_factory()
        with self._lock:
            if self._sts is None:
                self._sts = self._sts_factory()
            return self._sts

    def _call(self, sts: Any, code: str | None) -> dict[str, Any]:
        extra: dict[str, str] = {}
        if self.mfa_serial and code:
            extra = {"SerialNumber": self.mfa_serial, "TokenCode": code}
        if self.role_arn:
            if self.external_id:
                extra["ExternalId"] = self.external_id
            answer = sts.assume_role(RoleArn=self.role_arn,
                                     RoleSessionName=self.role_session_name or self.session_name(),
                                     DurationSeconds=self.role_seconds, **extra)
        else:
            answer = sts.get_session_token(DurationSeconds=SESSION_SECONDS, **extra)
        creds = answer["Credentials"]
        expiry = creds["Expiration"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry),
        }

    def fetch(self) -> dict[str, Any]:
        """New temporary credentials (botocore's ``refresh_using``). Asks for a code first
        when the profile has an MFA serial; a rejected code is asked for again, up to
        ``max_tries`` codes in all."""
        if not self.mfa_serial:
            return self._call(self._client(), None)
        if self._ask is None:
            raise CannotAskForCode(self.mfa_serial)
        sts = self._client()  # first: a source role's code is asked before this one's
        problem = ""
        for _ in range(self.max_tries):
            typed = self._ask(CodeRequest(self.mfa_serial, problem, self.profile))
            if typed is None:
                raise MfaCancelled(self.mfa_serial)
            code = clean_code(typed)
            if code is None:
                problem = "An MFA code is the 6 digits the device shows now."
                continue
            try:
                result = self._call(sts, code)
            except ClientError as exc:
                error = exc.response.get("Error", {})
                if not is_mfa_rejection(error.get("Code", ""), error.get("Message", "")):
                    raise
                _log.info("STS rejected an MFA code for %s", self.mfa_serial)
                problem = "AWS rejected that code: wait for the next one and type it."
                continue
            _log.info("MFA session for %s until %s", self.mfa_serial, result["expiry_time"])
            return result
        raise MfaRejected(self.mfa_serial, self.max_tries)

    def credentials(self) -> MfaSessionCredentials:
        """Credentials that call :meth:`fetch` on first use and again before they expire."""
        return MfaSessionCredentials(refresh_using=self.fetch, method=FixedProvider.METHOD)


def install_credentials(botocore_session: Any, credentials: Credentials) -> None:
    """Make ``credentials`` the first (so the only) source of a botocore session."""
    resolver = botocore_session.get_component("credential_provider")
    resolver.insert_before(resolver.providers[0].METHOD, FixedProvider(credentials))


def aws_config_profiles() -> list[str]:
    """Profile names in ~/.aws/config and ~/.aws/credentials, as botocore lists them."""
    import botocore.session

    return sorted(botocore.session.Session().available_profiles)
