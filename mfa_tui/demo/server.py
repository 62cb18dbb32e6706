"""Start moto's server in-process on a free loopback port, quietly."""

from __future__ import annotations

import logging
import threading
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


def _serve() -> str:
    """moto's app behind the demo's refusals (demo/refusals.py) on 127.0.0.1, in a thread."""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from mfa_tui.demo.one_at_a_time import OneAtATime
    from mfa_tui.demo.org import UNASSUMABLE
    from mfa_tui.demo.refusals import RefuseAssumeRole

    moto = OneAtATime(DomainDispatcherApplication(create_backend_app))
    app = RefuseAssumeRole(moto, UNASSUMABLE)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="mfa-tui-demo", daemon=True).start()
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def start_demo(users: int = 60, *, org: bool = False) -> DemoServer:
    """Start moto on 127.0.0.1 (a free port), seed the fictional account, return its URL.

    The demo account always manages the small demo organization (demo/org.py); ``org``
    (``--demo --org``) reads all of it. A second call in the same process resets the running
    server and seeds it afresh.
    """
    global _running
    # Keep stdout and the terminal clean: moto's banner and werkzeug's request log would
    # corrupt `--demo report --format json` and the TUI.
    for name in ("werkzeug", "moto"):
        logging.getLogger(name).setLevel(logging.ERROR)

    if _running is None:
        url = _serve()
    else:
        url = _running.url
        request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass
    seed_account(users)
    _running = DemoServer(url=url, users=users)
    return _running
