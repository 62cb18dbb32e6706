"""A WSGI wrapper that lets moto answer one request at a time.

moto's server is not thread-safe, and werkzeug serves each request on its own thread:

* each response class builds its Jinja environment on first use without a lock
  (``moto.core.responses._TemplateEnvironmentMixin.environment``): two first requests of one
  service at once can each build one, and the one whose template went into the environment
  that lost gets ``TemplateNotFound`` -- HTTP 500, an HTML page (seen once in CI: the demo's
  first read failed with "Unexpected error ... 500 Internal Server Error");
* its backends are plain dicts: a write (attach, enable) beside a read of the same dict can
  fail with "dictionary changed size during iteration".

One lock around the app removes both. It costs nothing worth having: in the demo the server
shares the client's process and its GIL, so its requests never ran in parallel anyway. Latency
added in front of it (the tests' fault injector) still overlaps, as AWS's would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any


class OneAtATime:
    """``OneAtATime(app)``: ``app`` answers one request at a time, its body read in full."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self.lock:
            answer = self.app(environ, start_response)
            try:
                return list(answer)  # the body is built under the lock as well
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
