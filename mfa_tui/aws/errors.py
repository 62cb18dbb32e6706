"""Turn botocore exceptions into one clear sentence: what failed, why, what to do."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from mfa_tui.aws.call_budget import READ_TIMEOUT
from mfa_tui.core.errors import Explained
from mfa_tui.core.mfa_code import is_mfa_rejection

_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
_BAD_KEYS = {"InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_THROTTLED = {
    "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
}


def explain(exc: BaseException, *, doing: str = "") -> str:
    """One sentence for the user. ``doing`` names the task, e.g. "reading the user list"."""
    where = f" while {doing}" if doing else ""
    if isinstance(exc, Explained):  # already the sentence (keyring, profiles, MFA codes)
        return str(exc)
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "")
        op = exc.operation_name
        if is_mfa_rejection(code, message):
            return (
                f"AWS rejected the MFA code for {op}{where}: type the current 6-digit code of "
                "the profile's MFA device (check its serial and the device's clock)."
            )
        if code in _DENIED:
            return (
                f"AWS denied {op}{where}: the caller lacks permission for it ({message.strip()}). "
                f"Ask an administrator to allow that action, or use a profile that has it."
            )
        if code in _EXPIRED:
            return (
                f"The AWS credentials have expired{where}: refresh them "
                "(e.g. `aws sso login`, or a new MFA session) and try again."
            )
        if code in _BAD_KEYS:
            return (
                f"AWS does not recognise these credentials{where} ({code}): check the access key "
                "id and secret, or the profile in use."
            )
        if code in _THROTTLED:
            return (
                f"AWS is throttling {op}{where} and retries ran out: wait a minute and try again."
            )
        if code == "NoSuchEntity":
            return f"{message.strip() or 'No such entity'}{where}."
        return f"{op} failed{where}: {code}: {message.strip()}"
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return (
            "No AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "use --profile NAME, or try the embedded demo account with --demo."
        )
    if isinstance(exc, ProfileNotFound):
        return f"{exc}: check ~/.aws/config or `mfa-tui profile list`."
    if isinstance(exc, NoRegionError):
        return "No AWS region is set: pass --region or set AWS_REGION."
    if isinstance(exc, ReadTimeoutError):
        return (
            f"AWS did not answer{where} within {READ_TIMEOUT} seconds "
            f"({exc.kwargs.get('endpoint_url') or 'the endpoint'}): check the network, the "
            "proxy or --endpoint-url."
        )
    if isinstance(exc, EndpointConnectionError | ConnectionClosedError):
        return (
            f"Cannot reach AWS{where} ({exc}): check the network, the proxy or --endpoint-url."
        )
    if isinstance(exc, BotoCoreError):
        return f"AWS request failed{where}: {exc}"
    return f"Unexpected error{where}: {type(exc).__name__}: {exc}"
