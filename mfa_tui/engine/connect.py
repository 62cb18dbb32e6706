"""Turn the global options into a way to connect to AWS (run in a worker, not at start-up).

Nothing here imports botocore at module level: the TUI paints before botocore is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions
    from mfa_tui.core.mfa_code import AskCode


@dataclass(frozen=True)
class GlobalOptions:
    """The command line's global options."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    demo: bool = False
    demo_users: int = 60
    #: Organization mode (``--org``, ``MFA_TUI_ORG=1``): every ACTIVE account of the
    #: caller's organization, member accounts through ``org_role``.
    org: bool = False
    org_role: str = "OrganizationAccountAccessRole"
    accounts: tuple[str, ...] = ()
    org_workers: int = 8

    def connection_key(self, account: str | None = None) -> str:
        """Names the account this connects to, for the inventory cache (nothing secret);
        ``account``: one member account of the organization, in organization mode."""
        if self.demo:
            base = f"demo:{self.demo_users}" + (":org" if self.org else "")
        else:
            profile = self.profile or os.environ.get("AWS_PROFILE", "")
            endpoint = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL", "")
            base = f"profile={profile};endpoint={endpoint};region={self.region or ''}"
        return base if account is None else f"{base};account={account}"


Connector = Callable[[], "AwsConnection"]


def make_connector(opts: GlobalOptions, *, ask_code: AskCode | None = None) -> Connector:
    """A function that connects when first called (starting the demo server first with
    --demo) and returns the same connection after that.

    ``ask_code`` asks the admin for an MFA code when the profile needs one (the CLI's no-echo
    prompt, or the TUI's modal); without it such a profile fails with a sentence.
    """
    made: list[AwsConnection] = []

    def connect() -> AwsConnection:
        if not made:
            made.append(_connect())
        return made[0]

    def _connect() -> AwsConnection:
        from mfa_tui.aws.session import AwsConnection, ConnectionOptions

        if opts.demo:
            from mfa_tui.demo import start_demo
            from mfa_tui.demo.identity import (
                DEMO_ACCESS_KEY_ID,
                DEMO_REGION,
                DEMO_SECRET_ACCESS_KEY,
            )

            server = start_demo(opts.demo_users, org=opts.org)
            return AwsConnection(
                ConnectionOptions(
                    region=DEMO_REGION,
                    endpoint_url=server.url,
                    access_key_id=DEMO_ACCESS_KEY_ID,
                    secret_access_key=DEMO_SECRET_ACCESS_KEY,
                )
            )
        return AwsConnection(connection_options(opts), ask_code=ask_code)

    return connect


def connection_options(opts: GlobalOptions) -> ConnectionOptions:
    """Resolve ``--profile``: a keyring profile first, else an AWS config profile, else a
    sentence naming both sources. Without a profile: the standard AWS chain. Command-line
    ``--region``/``--endpoint-url`` win over the profile's, which win over the environment."""
    from mfa_tui.aws.session import ConnectionOptions

    env_endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
    if not opts.profile:
        return ConnectionOptions(region=opts.region,
                                 endpoint_url=opts.endpoint_url or env_endpoint)
    from mfa_tui.engine.profile_sources import ProfileSources
    from mfa_tui.state import profiles

    sources = ProfileSources()
    source = sources.source_of(opts.profile)
    if source == "keyring":
        stored = profiles.load_all()[opts.profile]
        secrets = profiles.secrets_for(stored)
        return ConnectionOptions(
            region=opts.region or stored.region,
            endpoint_url=opts.endpoint_url or stored.endpoint_url or env_endpoint,
            access_key_id=stored.access_key_id,
            secret_access_key=secrets.secret_access_key,
            session_token=secrets.session_token,
            mfa_serial=stored.mfa_serial,
            role_arn=stored.role_arn,
            label=stored.name,
        )
    if source == "aws":
        return ConnectionOptions(profile=opts.profile, region=opts.region,
                                 endpoint_url=opts.endpoint_url or env_endpoint, label=opts.profile)
    raise profiles.ProfileError(
        f"No profile named {opts.profile!r}: it is neither a keyring profile "
        f"({', '.join(sources.names('keyring')) or 'none'}; `mfa-tui profile list`) nor an "
        f"AWS config profile ({', '.join(sources.names('aws')) or 'none'}; ~/.aws/config)."
    )
