"""The accounts table: one row an account, columns dropped by priority to fit the width."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from mfa_tui.core.org_models import AccountResult
from mfa_tui.core.org_view import AccountColumn, visible_columns


class AccountsTable(DataTable[Text]):
    """Rows of accounts; the screen owns the data, the view, the filter and the order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="open-account",
                tooltip="Open the account's users (marks, preview, attach act there only)"),
    ]

    @dataclass
    class Opened(Message):
        """Enter on an account row."""

        result: AccountResult

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cell_padding=1)
        self._rows: list[AccountResult] = []
        self._columns_shown: list[AccountColumn] = []
        self.sort_key = "name"
        self.sort_reverse = False

    @property
    def results(self) -> list[AccountResult]:
        """The rows shown, in order."""
        return self._rows

    @property
    def current(self) -> AccountResult | None:
        """The account under the cursor."""
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row]
        return None

    def show(self, rows: list[AccountResult]) -> None:
        """Show these rows; the cursor stays on the same account when it is still shown."""
        keep = self.current.account.id if self.current else None
        cols = visible_columns(self.size.width or 80)
        if [c.key for c in cols] != [c.key for c in self._columns_shown]:
            self.clear(columns=True)
            for c in cols:
                arrow = ("▼" if self.sort_reverse else "▲") if c.key == self.sort_key else ""
                self.add_column(f"{c.label}{arrow}", width=c.width, key=c.key)
            self._columns_shown = cols
        else:
            self.clear()
        self._rows = rows
        now = datetime.now(UTC)
        for r in rows:
            bad = r.status == "error" or bool(r.inventory and r.inventory.non_compliant)
            style = "bold" if bad else ""
            self.add_row(*(Text(c.cell(r, now), style=style, no_wrap=True,
                                overflow="ellipsis") for c in cols), key=r.account.id)
        if keep is not None:
            index = next((i for i, r in enumerate(rows) if r.account.id == keep), 0)
            self.move_cursor(row=index, animate=False)

    def relabel(self) -> None:
        """Redraw the headers (sort arrow) by rebuilding the columns."""
        self._columns_shown = []
        self.show(self._rows)

    def on_resize(self, _: events.Resize) -> None:
        if [c.key for c in visible_columns(self.size.width or 80)] != [
                c.key for c in self._columns_shown]:
            self.show(self._rows)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.current is not None:
            self.post_message(self.Opened(self.current))
