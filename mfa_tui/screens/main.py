"""The main screen: the users table (filled when the inventory arrives)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer
from textual.worker import Worker, WorkerState

from ..core.models import Inventory
from ..core.text import age, mfa_text
from ..widgets.account_header import AccountHeader

if TYPE_CHECKING:
    from ..app import MfaTuiApp


class MainScreen(Screen[None]):
    """Who has console access without MFA, right now."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Read the account again now"),
    ]

    @dataclass
    class InventoryLoaded(Message):
        """A fresh inventory arrived from the worker."""

        inventory: Inventory

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="account-header")
        yield DataTable(id="users", cursor_type="row", zebra_stripes=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#users", DataTable)
        table.add_column(" ", key="state", width=1)
        table.add_column("user", key="user")
        table.add_column("console", key="console")
        table.add_column("MFA", key="mfa")
        table.add_column("enforced", key="enforced")
        table.add_column("last sign-in", key="last")
        table.add_column("keys", key="keys")
        self.action_refresh()

    def action_refresh(self) -> None:
        self.query_one(AccountHeader).status = "Loading…"
        self.load_inventory()

    @work(thread=True, exclusive=True, exit_on_error=False, group="inventory")
    def load_inventory(self) -> None:
        from ..aws.inventory import load_inventory

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        inventory = load_inventory(app.connection())
        self.post_message(self.InventoryLoaded(inventory))

    @on(InventoryLoaded)
    def show_inventory(self, message: InventoryLoaded) -> None:
        inv = message.inventory
        header = self.query_one(AccountHeader)
        header.inventory = inv
        header.status = " ".join(inv.problems)
        table = self.query_one("#users", DataTable)
        table.clear()
        now = datetime.now(UTC)
        for u in inv.users:
            table.add_row(
                "✓" if u.compliant else "✗",
                u.user,
                {True: "yes", False: "no", None: "?"}[u.console_access],
                mfa_text(u),
                (u.enforced_via or "") if u.enforcement_attached else "-",
                age(u.password_last_used, now) if u.password_last_used else "-",
                str(u.access_keys_active),
                key=u.user,
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "inventory":
            from ..aws.errors import explain

            error = event.worker.error
            message = explain(error) if error else "Loading failed."
            self.query_one(AccountHeader).status = message
            self.notify(message, severity="error", timeout=10)
