"""Build boto3 sessions and clients from the command line's connection options."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from ..core.models import Caller

#: Standard retry mode: measured faster than adaptive for bulk work on a shared client
#: (adaptive throttles the whole client on its side; see DESIGN.md).
RETRY_MODE = "standard"
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class ConnectionOptions:
    """Where and as whom to talk to AWS. Secrets here are held in memory only."""

    profile: str | None = None  # an AWS config profile (keyring profiles come later)
    region: str | None = None
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None

    def __repr__(self) -> str:  # never print secrets, even by accident
        return (
            f"ConnectionOptions(profile={self.profile!r}, region={self.region!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )


class AwsConnection:
    """One boto3 session for one account, with clients created once and shared.

    boto3 clients are thread-safe; sessions are not, so clients are built under a lock.
    """

    def __init__(self, options: ConnectionOptions, *, max_pool_connections: int = 32) -> None:
        self.options = options
        self._session = boto3.Session(
            profile_name=options.profile,
            region_name=options.region,
            aws_access_key_id=options.access_key_id,
            aws_secret_access_key=options.secret_access_key,
            aws_session_token=options.session_token,
        )
        self._config = Config(
            retries={"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS},
            max_pool_connections=max_pool_connections,
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra="mfa-tui",
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._caller: Caller | None = None

    @property
    def region(self) -> str:
        """The region clients use (IAM is global; STS and Organizations need one)."""
        return self._session.region_name or "us-east-1"

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint override, if any (emulators)."""
        return self.options.endpoint_url

    def client(self, service: str) -> Any:
        """A shared client for ``service``."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.options.endpoint_url,
                    config=self._config,
                )
            return self._clients[service]

    def caller(self) -> Caller:
        """Who we are (``sts:GetCallerIdentity``), asked once per connection."""
        if self._caller is None:
            ident = self.client("sts").get_caller_identity()
            self._caller = Caller(
                account=ident["Account"], arn=ident["Arn"], user_id=ident.get("UserId", "")
            )
        return self._caller
