"""MFA sessions and assumed roles: temporary credentials in memory, asked for again on expiry.

A profile with an MFA serial gets ``sts:GetSessionToken`` (or ``sts:AssumeRole`` with
``SerialNumber``/``TokenCode`` when it has a role ARN) before its first call. The temporary
credentials are botocore ``RefreshableCredentials`` whose refresh function asks the admin for a
new code through a callback (the CLI's no-echo prompt, or the TUI's modal), so an expired
session is renewed in place: every client keeps working and no screen loses its state.
Nothing here is written to disk. boto3 only; never imports Textual.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.credentials import (
    AssumeRoleProvider,
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
    """Refreshable credentials fetched on first use; renewal is mandatory, never advisory."""

    _advisory_refresh_timeout = RENEW_BEFORE_SECONDS
    _mandatory_refresh_timeout = RENEW_BEFORE_SECONDS


class _FixedProvider(CredentialProvider):
    """Puts our credentials at the head of a botocore session's provider chain."""

    METHOD = "mfa-tui-session"
    CANONICAL_NAME = "mfa-tui-session"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


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
    ) -> None:
        self._sts_factory = sts
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
        with self._lock:
            if self._sts is None:
                self._sts = self._sts_factory()
            return self._sts

    def _call(self, code: str | None) -> dict[str, Any]:
        sts = self._client()
        mfa: dict[str, str] = {}
        if self.mfa_serial and code:
            mfa = {"SerialNumber": self.mfa_serial, "TokenCode": code}
        if self.role_arn:
            answer = sts.assume_role(RoleArn=self.role_arn, RoleSessionName=self.session_name(),
                                     DurationSeconds=ROLE_SESSION_SECONDS, **mfa)
        else:
            answer = sts.get_session_token(DurationSeconds=SESSION_SECONDS, **mfa)
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
            return self._call(None)
        if self._ask is None:
            raise CannotAskForCode(self.mfa_serial)
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
                result = self._call(code)
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
        return MfaSessionCredentials(refresh_using=self.fetch, method=_FixedProvider.METHOD)


def install_credentials(botocore_session: Any, credentials: Credentials) -> None:
    """Make ``credentials`` the first (so the only) source of a botocore session."""
    resolver = botocore_session.get_component("credential_provider")
    resolver.insert_before("env", _FixedProvider(credentials))


def wire_assume_role_prompter(botocore_session: Any, ask: AskCode | None,
                              profile: str = "") -> None:
    """Let botocore's own assume-role provider (``role_arn`` + ``mfa_serial`` in
    ~/.aws/config) ask for its MFA code through ``ask`` instead of ``getpass``."""
    resolver = botocore_session.get_component("credential_provider")
    provider = resolver.get_provider("assume-role")
    if not isinstance(provider, AssumeRoleProvider):
        return
    attempts: dict[str, int] = {}

    def prompter(prompt: str) -> str:
        serial = prompt.removeprefix("Enter MFA code for ").removesuffix(": ").strip()
        if ask is None:
            raise CannotAskForCode(serial)
        attempts[serial] = attempts.get(serial, 0) + 1
        problem = "Type the current code (the last one was not accepted)." \
            if attempts[serial] > 1 else ""
        for _ in range(MAX_CODE_TRIES):
            typed = ask(CodeRequest(serial, problem, profile))
            if typed is None:
                raise MfaCancelled(serial)
            code = clean_code(typed)
            if code is not None:
                return code
            problem = "An MFA code is the 6 digits the device shows now."
        raise MfaRejected(serial, MAX_CODE_TRIES)

    # botocore takes the prompter only in the constructor; the resolver built it already.
    provider._prompter = prompter


def aws_config_profiles() -> list[str]:
    """Profile names in ~/.aws/config and ~/.aws/credentials, as boto3 lists them."""
    import botocore.session

    return sorted(botocore.session.Session().available_profiles)
