"""Turn the global options into a way to connect to AWS (run in a worker, not at start-up).

Nothing here imports boto3 at module level: the TUI paints before boto3 is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .aws.session import AwsConnection


@dataclass(frozen=True)
class GlobalOptions:
    """The command line's global options."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    demo: bool = False
    demo_users: int = 60

    def connection_key(self) -> str:
        """Names the account this connects to, for the inventory cache (nothing secret)."""
        if self.demo:
            return f"demo:{self.demo_users}"
        profile = self.profile or os.environ.get("AWS_PROFILE", "")
        endpoint = self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL", "")
        return f"profile={profile};endpoint={endpoint};region={self.region or ''}"


Connector = Callable[[], "AwsConnection"]


def make_connector(opts: GlobalOptions) -> Connector:
    """A function that connects when called (starting the demo server first with --demo)."""

    def connect() -> AwsConnection:
        from .aws.session import AwsConnection, ConnectionOptions

        if opts.demo:
            from .demo import start_demo
            from .demo.server import (
                DEMO_ACCESS_KEY_ID,
                DEMO_REGION,
                DEMO_SECRET_ACCESS_KEY,
            )

            server = start_demo(opts.demo_users)
            return AwsConnection(
                ConnectionOptions(
                    region=DEMO_REGION,
                    endpoint_url=server.url,
                    access_key_id=DEMO_ACCESS_KEY_ID,
                    secret_access_key=DEMO_SECRET_ACCESS_KEY,
                )
            )
        return AwsConnection(
            ConnectionOptions(
                profile=opts.profile,
                region=opts.region,
                endpoint_url=opts.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None,
            )
        )

    return connect
