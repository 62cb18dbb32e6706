"""Build botocore sessions and clients from the command line's connection options."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import NoCredentialsError
from botocore.hooks import HierarchicalEmitter

from mfa_tui.aws.call_budget import CONNECT_TIMEOUT, READ_TIMEOUT, bound_unanswered_calls
from mfa_tui.aws.config_roles import wire_config_role
from mfa_tui.aws.credentials import TemporarySession, install_credentials
from mfa_tui.aws.fast_lists import FastListParserFactory
from mfa_tui.aws.model_cache import cached_loader
from mfa_tui.aws.timestamps import parse_timestamp
from mfa_tui.core.errors import BadEndpointUrl
from mfa_tui.core.mfa_code import AskCode
from mfa_tui.core.models import Caller

#: Standard retry mode: measured faster than adaptive for bulk work on a shared client
#: (adaptive throttles the whole client on its side: README.md, "Performance";
#: benchmarks/apply.py measures both).
RETRY_MODE = "standard"
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class ConnectionOptions:
    """Where and as whom to talk to AWS. Secrets here are held in memory only."""

    profile: str | None = None  # an AWS config profile (keyring profiles: connect.py)
    region: str | None = None
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    #: A keyring profile's MFA device and role: temporary credentials from STS (see
    #: aws/credentials.py); ``label`` names the profile in the code prompt.
    mfa_serial: str | None = None
    role_arn: str | None = None
    label: str = ""

    def __repr__(self) -> str:  # never print secrets, even by accident
        return (
            f"ConnectionOptions(profile={self.profile!r}, region={self.region!r}, "
            f"endpoint_url={self.endpoint_url!r})"
        )


class AwsConnection:
    """One botocore session for one account, with clients created once and shared.

    botocore clients are thread-safe; sessions are not, so clients are built under a lock.
    """

    def __init__(
        self,
        options: ConnectionOptions,
        *,
        max_pool_connections: int = 32,
        ask_code: AskCode | None = None,
        credentials: Credentials | None = None,
        caller: Caller | None = None,
        share_from: AwsConnection | None = None,
    ) -> None:
        """``credentials`` (a member account's role session, organization mode) are the
        only ones this connection signs with; ``caller`` is who they are (no
        GetCallerIdentity call); ``share_from`` lends its loaded service models, so a
        hundred member connections do not each parse IAM's model again."""
        self.options = options
        if options.endpoint_url is not None:
            check_endpoint_url(options.endpoint_url)
        # With an MFA serial or a role, the long-term key only signs the STS call; clients
        # sign with the temporary credentials installed below.
        temporary = bool(options.mfa_serial or options.role_arn)
        if share_from is not None:
            # A member account: botocore's ~200 built-in handlers, registered once on the
            # caller's template and copied (registering them costs ~9 ms of CPU a session,
            # most of a member connection's set-up at a hundred accounts).
            botocore_session = botocore.session.Session(
                event_hooks=copy.copy(share_from.handler_template()),
                include_builtin_handlers=False)
        else:
            botocore_session = botocore.session.Session()
        # botocore's dateutil parsing was two thirds of the client's CPU at 5,000 users, and
        # its generic XML walk half of the rest: see fast_lists.py.
        parsers = FastListParserFactory()
        parsers.set_parser_defaults(timestamp_parser=parse_timestamp)
        botocore_session.register_component("response_parser_factory", parsers)
        if share_from is not None:  # a member account: the caller's loaded models
            botocore_session.register_component(
                "data_loader", share_from.botocore_session.get_component("data_loader"))
        else:  # parsed once, then read back as marshal: most of a client's creation
            botocore_session.register_component(
                "data_loader", cached_loader(botocore_session.get_config_variable("data_path")))
        # botocore directly: boto3's Session adds nothing used here and costs an import
        # (s3transfer) on the way to the first table.
        if options.profile:
            botocore_session.set_config_variable("profile", options.profile)
            botocore_session.get_scoped_config()  # ProfileNotFound now, not at the first call
        if options.region:
            botocore_session.set_config_variable("region", options.region)
        if not temporary and (options.access_key_id or options.secret_access_key):
            botocore_session.set_credentials(options.access_key_id, options.secret_access_key,
                                             options.session_token)
        self._session: botocore.session.Session = botocore_session
        self._config = Config(
            retries={"mode": RETRY_MODE, "total_max_attempts": MAX_ATTEMPTS},
            max_pool_connections=max_pool_connections,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            user_agent_extra="mfa-tui",
        )
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._handlers: HierarchicalEmitter | None = None
        self._caller: Caller | None = caller
        if credentials is not None:
            install_credentials(botocore_session, credentials)
        elif temporary:
            session = TemporarySession(self._long_term_sts, mfa_serial=options.mfa_serial,
                                       role_arn=options.role_arn, ask=ask_code,
                                       profile=options.label)
            install_credentials(botocore_session, session.credentials())
        elif options.access_key_id is None:  # a config role that needs a code: asked here
            wire_config_role(botocore_session, ask_code, options.profile or "",
                             {"region_name": self.region, "endpoint_url": options.endpoint_url,
                              "config": self._config})

    @property
    def botocore_session(self) -> botocore.session.Session:
        """The botocore session behind the clients (shared service models, organization mode)."""
        return self._session

    def handler_template(self) -> HierarchicalEmitter:
        """An event emitter holding botocore's built-in handlers and nothing else, built
        once: member connections (``share_from``) start from a copy of it."""
        with self._lock:
            if self._handlers is None:
                self._handlers = HierarchicalEmitter()
                botocore.session.Session(event_hooks=self._handlers)  # registers them there
            return self._handlers

    def _long_term_sts(self) -> Any:
        """An STS client signed with the profile's long-term key (for the MFA session)."""
        o = self.options
        return bound_unanswered_calls(botocore.session.Session().create_client(
            "sts", region_name=self.region, endpoint_url=o.endpoint_url, config=self._config,
            aws_access_key_id=o.access_key_id, aws_secret_access_key=o.secret_access_key,
            aws_session_token=o.session_token))

    @property
    def region(self) -> str:
        """The region clients use (IAM is global; STS and Organizations need one)."""
        return str(self._session.get_config_variable("region") or "us-east-1")

    @property
    def endpoint_url(self) -> str | None:
        """The endpoint override, if any (emulators)."""
        return self.options.endpoint_url

    def client(self, service: str) -> Any:
        """A shared client for ``service``."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = bound_unanswered_calls(self._session.create_client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.options.endpoint_url,
                    config=self._config,
                ))
            return self._clients[service]

    def credentials_ready(self) -> None:
        """Resolve the credentials now, in this thread: an MFA code is asked here, once,
        before several threads would each need to sign a request."""
        credentials = self._session.get_credentials()
        if credentials is None:
            raise NoCredentialsError()
        credentials.get_frozen_credentials()

    def session_mfa(self) -> bool | None:
        """Does this session carry MFA? True after an MFA code (the profile's MFA serial);
        False for long-term access keys; None for temporary credentials from elsewhere
        (``AWS_SESSION_TOKEN``, an SSO or role chain): their origin cannot be seen."""
        if self.options.mfa_serial:
            return True
        if self.options.role_arn:
            return False
        credentials = self._session.get_credentials()
        if credentials is None:
            return False
        return None if credentials.get_frozen_credentials().token else False

    def caller(self) -> Caller:
        """Who we are (``sts:GetCallerIdentity``), asked once per connection."""
        if self._caller is None:
            ident = self.client("sts").get_caller_identity()
            self._caller = Caller(
                account=ident["Account"], arn=ident["Arn"], user_id=ident.get("UserId", "")
            )
        return self._caller


def check_endpoint_url(url: str) -> None:
    """Raise :class:`BadEndpointUrl` unless ``url`` is an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise BadEndpointUrl(url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadEndpointUrl(url)
