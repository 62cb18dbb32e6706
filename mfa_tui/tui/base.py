"""What every screen shares: a typed handle on the app, and one path for worker errors.

Screens see the app through :class:`MfaApp`, the part of ``tui/app.py``'s ``MfaTuiApp``
they use (its connection, options, organization binding...). The app module imports the
screens it opens, so the screens must not import it back: they depend on this interface,
the app implements it (``tui/app.py`` checks that for mypy), and ``tui/`` has no import
cycle (the acyclic contract in pyproject.toml covers it).

Textual posts ``Worker.StateChanged`` to the node that started the worker (it does not
bubble), so the one handler lives here and every screen and the run controller inherit it:
a failed worker becomes one sentence (``aws/errors.explain``; an ``Explained`` passes
unchanged), a log line, and a call to :meth:`WorkerErrorPath.worker_failed`, which a screen
overrides to show the sentence where it belongs (the default is an error toast).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual.dom import DOMNode
from textual.widget import Widget
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from mfa_tui.aws.session import AwsConnection
    from mfa_tui.core.mfa_code import CodeRequest
    from mfa_tui.engine.connect import Connector, GlobalOptions
    from mfa_tui.engine.org import OrgSession
    from mfa_tui.engine.prefetch import Prefetch

log = logging.getLogger(__name__)


class MfaApp(Protocol):
    """What screens and widgets use of the running mfa-tui app (beyond Textual's ``App``)."""

    options: GlobalOptions
    profile_label: str
    refresh_interval: float
    demo: bool

    @property
    def cache_key(self) -> str | None: ...

    @property
    def bound_account(self) -> str | None: ...

    def connection(self) -> AwsConnection: ...

    def org_session(self) -> OrgSession: ...

    def bind_account(self, account: str) -> None: ...

    def unbind_account(self) -> None: ...

    def take_prefetch(self) -> Prefetch | None: ...

    def connection_label(self) -> str: ...

    def ask_mfa_code(self, request: CodeRequest) -> str | None: ...

    def switch_connection(self, connector: Connector, label: str, *,
                          cache_key: str | None = None) -> None: ...

    async def action_quit(self) -> None: ...


def mfa_app(node: DOMNode) -> MfaApp:
    """The running mfa-tui app, typed (every screen and widget here runs inside it)."""
    return cast("MfaApp", node.app)


def sentence(error: BaseException | None, doing: str = "") -> str:
    """One sentence for a worker's error (botocore is imported only once something failed)."""
    from mfa_tui.aws.errors import explain

    return explain(error or RuntimeError("unknown error"), doing=doing)


class WorkerErrorPath(Widget):
    """The one ``Worker.StateChanged`` handler (see the module docstring)."""

    #: Worker group → what it does, for the sentence ("reading the plan").
    WORKER_DOING: ClassVar[dict[str, str]] = {}

    @property
    def mfa_app(self) -> MfaApp:
        """The app, typed."""
        return mfa_app(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.is_cancelled:
            return  # a cancelled worker answers for something the user left
        group = event.worker.group
        message = sentence(event.worker.error, self.WORKER_DOING.get(group, ""))
        log.warning("%s worker %r failed: %s", type(self).__name__, group, message)
        self.worker_failed(group, message)

    def worker_failed(self, group: str, message: str) -> None:
        """Show ``message`` (a worker of ``group`` failed); screens override this."""
        self.notify(message, severity="error", timeout=10)
