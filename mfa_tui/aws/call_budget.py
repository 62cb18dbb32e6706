"""A time budget for calls nobody answers, without giving up botocore's throttling retries.

botocore retries a read timeout like a throttle: with 8 attempts of 30 s, a silent endpoint
(a socket that accepts and never answers) took 214 s to produce its sentence. Here a call
whose request got no answer (timed out, refused, closed) is tried again only while another
attempt still fits in :data:`BUDGET_SECONDS`, and at most :data:`UNANSWERED_ATTEMPTS` times;
throttling and 5xx answers keep the client's full retry policy, which bulk apply needs.
Mutating calls the engine makes are never re-sent at all after a lost answer (step_ops).
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 4
#: Any call that gets no answer fails within this (plus one backoff of at most a second).
BUDGET_SECONDS = 10.0
UNANSWERED_ATTEMPTS = 2

# EndpointConnectionError covers ConnectTimeoutError and a refused connection.
_UNANSWERED = (ReadTimeoutError, EndpointConnectionError, ConnectionClosedError)
_STARTED = "mfa_tui_call_started"


def _start_clock(context: dict[str, Any] | None = None, **_: Any) -> None:
    """``before-call``: once per API call (not per attempt)."""
    if context is not None:
        context.setdefault(_STARTED, time.monotonic())


def _bound_unanswered(attempts: int = 1, caught_exception: BaseException | None = None,
                      request_dict: dict[str, Any] | None = None, **_: Any) -> None:
    """``needs-retry``: end the call when a request went unanswered and no further attempt
    fits in the budget; otherwise leave the decision to botocore's retry handler."""
    if not isinstance(caught_exception, _UNANSWERED):
        return
    started = ((request_dict or {}).get("context") or {}).get(_STARTED)
    elapsed = time.monotonic() - started if started is not None else 0.0
    if attempts >= UNANSWERED_ATTEMPTS or elapsed + READ_TIMEOUT + 1 > BUDGET_SECONDS:
        raise caught_exception


def bound_unanswered_calls(client: Any) -> Any:
    """Install the budget on a botocore client (idempotent) and return the client."""
    client.meta.events.register("before-call", _start_clock,
                                unique_id="mfa-tui-call-budget-clock")
    client.meta.events.register("needs-retry", _bound_unanswered,
                                unique_id="mfa-tui-call-budget")
    return client
