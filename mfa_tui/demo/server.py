"""Start moto's server in-process on a free loopback port, quietly."""

from __future__ import annotations

import logging
import urllib.request
from dataclasses import dataclass

from mfa_tui.demo.account import seed_account
from mfa_tui.demo.identity import (  # noqa: F401 - re-exported: where they were before
    DEMO_ACCESS_KEY_ID,
    DEMO_ACCOUNT,
    DEMO_REGION,
    DEMO_SECRET_ACCESS_KEY,
)


@dataclass(frozen=True)
class DemoServer:
    """A running demo server."""

    url: str
    users: int


_running: DemoServer | None = None


def start_demo(users: int = 60) -> DemoServer:
    """Start moto on 127.0.0.1 (a free port), seed the fictional account, return its URL.

    A second call in the same process resets the running server and seeds it afresh.
    """
    global _running
    # Keep stdout and the terminal clean: moto's banner and werkzeug's request log would
    # corrupt `--demo report --format json` and the TUI.
    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    if _running is None:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
    else:
        url = _running.url
        request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass
    seed_account(users)
    _running = DemoServer(url=url, users=users)
    return _running
