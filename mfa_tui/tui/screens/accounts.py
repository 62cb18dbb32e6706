"""The accounts screen (`mfa-tui --org`): one row an account, filled in as accounts finish.

`enter` opens the users screen (MainScreen) bound to that account: everything done there
(marks, preview, attach, enroll) acts in that account only; `escape` comes back to this
screen as it was. Each account's last inventory is cached, so a second launch paints the
whole organization at once, marked cached, before the fresh read replaces each row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from mfa_tui.core.org_models import AccountResult, Organization
from mfa_tui.core.org_view import COLUMNS, SORT_KEYS, AccountView, select_accounts, totals
from mfa_tui.tui.base import WorkerErrorPath
from mfa_tui.tui.widgets.accounts_table import AccountsTable
from mfa_tui.tui.widgets.filter_box import FilterBox
from mfa_tui.tui.widgets.keys_footer import KeysFooter
from mfa_tui.tui.widgets.org_header import OrgHeader

log = logging.getLogger(__name__)


class AccountsScreen(WorkerErrorPath, Screen[None]):
    """Every account of the organization; the read runs in an exclusive worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", key_display="/", id="filter-accounts",
                tooltip="Filter accounts by name or id"),
        Binding("f", "cycle_view", "View", id="view-accounts",
                tooltip="All accounts → with non-compliant users → errors"),
        Binding("o", "cycle_sort", "Sort", id="sort-accounts",
                tooltip="Sort by the next column (click a header to sort by it)"),
        Binding("r", "refresh", "Refresh", id="refresh-accounts",
                tooltip="Read every account again now"),
        # The top screen in organization mode: `q` quits here (asking first while a run or an
        # enrollment is in flight), as on the single-account main screen.
        Binding("q", "app.quit", "Quit", id="quit",
                tooltip="Leave mfa-tui (asks first while a run or an enrollment is in flight)"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    WORKER_DOING: ClassVar[dict[str, str]] = {"org": "reading the organization",
                                              "org-cache": "reading the cached organization"}

    view: reactive[AccountView] = reactive(AccountView.ALL)
    filter_text: reactive[str] = reactive("")

    @dataclass
    class Listed(Message):
        """The organization's accounts (fresh, or from the cache)."""

        organization: Organization
        cached: bool = False

    @dataclass
    class AccountRead(Message):
        """One account finished (or its cached row)."""

        result: AccountResult

    @dataclass
    class ReadDone(Message):
        """Every account of the fresh read finished."""

    def __init__(self) -> None:
        super().__init__()
        self.organization: Organization | None = None
        self.results: dict[str, AccountResult] = {}
        self._read_now: set[str] = set()  # accounts the read under way has finished

    def compose(self) -> ComposeResult:
        yield OrgHeader(id="org-header")
        yield FilterBox(placeholder="filter accounts by name or id — Enter keeps it, Esc clears",
                        id="filter")
        yield AccountsTable(id="accounts")
        yield Static(id="account-note")  # the cursor account's error sentence, if it has one
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(AccountsTable).focus()
        app = self.mfa_app
        self.query_one(OrgHeader).profile = app.connection_label()
        self.load_cached()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        app = self.mfa_app
        app.unbind_account()  # back from an account's users screen
        self.query_one(AccountsTable).focus()

    # -- data -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="org-cache")
    def load_cached(self) -> None:
        from mfa_tui.state.inventory_cache import load_cached
        from mfa_tui.state.org_cache import load_org

        app = self.mfa_app
        org = load_org(app.options.connection_key())
        if org is None or get_current_worker().is_cancelled:
            return
        self.post_message(self.Listed(org, cached=True))
        for account in org.accounts:
            inventory = load_cached(app.options.connection_key(account.id))
            if inventory is not None:
                root = inventory.root.mfa_active if inventory.root is not None else None
                self.post_message(self.AccountRead(AccountResult(
                    account, inventory=inventory, root_mfa_active=root, cached=True)))

    def action_refresh(self) -> None:
        header = self.query_one(OrgHeader)
        header.busy = True
        self._read_now = set()
        header.done = 0
        self.read_org()

    @work(thread=True, exclusive=True, exit_on_error=False, group="org")
    def read_org(self) -> None:
        from mfa_tui.state.inventory_cache import save_cached
        from mfa_tui.state.org_cache import save_org

        app = self.mfa_app
        worker = get_current_worker()
        session = app.org_session()
        org = session.organization(fresh=True)
        if worker.is_cancelled:
            return
        self.post_message(self.Listed(org))
        save_org(app.options.connection_key(), org)

        def heard(result: AccountResult) -> None:
            if worker.is_cancelled:
                return
            self.post_message(self.AccountRead(result))
            if result.inventory is not None:
                save_cached(app.options.connection_key(result.account.id), result.inventory)

        session.read_all(heard)
        if not worker.is_cancelled:
            self.post_message(self.ReadDone())

    @on(Listed)
    def show_accounts(self, message: Listed) -> None:
        if message.cached and self.organization is not None:
            return  # the fresh list came first
        org = message.organization
        self.organization = org
        known = {a.id for a in org.accounts}
        self.results = {a.id: self.results.get(a.id) or AccountResult(a)
                        for a in org.accounts if a.id in known}
        header = self.query_one(OrgHeader)
        header.organization = org.id
        if not message.cached:
            header.error = ""
            header.caller = f"{org.caller_account}" + (
                " (management)" if org.caller_account == org.management_account
                else " (delegated admin)")
        self._redraw()

    @on(AccountRead)
    def show_account(self, message: AccountRead) -> None:
        result = message.result
        shown = self.results.get(result.account.id)
        if result.cached and shown is not None and (shown.inventory or shown.error) \
                and not shown.cached:
            return  # a fresh row is already there
        if self.organization is not None and result.account.id not in self.results:
            return  # no longer in the organization
        self.results[result.account.id] = result
        if not result.cached:
            self._read_now.add(result.account.id)
            self.query_one(OrgHeader).done = len(self._read_now)
        self._redraw()

    @on(ReadDone)
    def read_done(self) -> None:
        self.query_one(OrgHeader).busy = False
        self._redraw()

    def worker_failed(self, group: str, message: str) -> None:
        if group != "org":  # the cache is best effort: the fresh read follows
            return
        header = self.query_one(OrgHeader)
        header.busy = False
        header.error = f"Could not read the organization: {message} Press r to try again."
        self.notify(message, title="Reading the organization failed", severity="error",
                    timeout=10)

    def connection_switched(self) -> None:
        """Another caller (profile switch): forget every row, then read the organization."""
        app = self.mfa_app
        self.organization = None
        self.results = {}
        header = self.query_one(OrgHeader)
        header.organization, header.caller, header.error = "", "", ""
        header.profile = app.connection_label()
        self._redraw()
        self.load_cached()
        self.action_refresh()

    # -- view state -------------------------------------------------------------------

    def _redraw(self) -> None:
        table = self.query_one(AccountsTable)
        rows = select_accounts(self.results.values(), text=self.filter_text, view=self.view,
                               sort=table.sort_key, reverse=table.sort_reverse)
        table.show(rows)
        header = self.query_one(OrgHeader)
        header.totals = totals(list(self.results.values()), len(self.results))
        parts = [f"{self.view.value} ({len(rows)})"]
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        # Said here: the arrow on a narrow column's header does not always fit at 80 columns.
        label = next((c.label for c in COLUMNS if c.key == table.sort_key), table.sort_key)
        parts.append(f"sort {label} {'▼' if table.sort_reverse else '▲'}")  # as on users
        header.view_line = " · ".join(parts)
        self._show_note()

    def _show_note(self) -> None:
        current = self.query_one(AccountsTable).current
        error = current.error if current is not None and current.inventory is None else None
        note = self.query_one("#account-note", Static)
        note.update(f"{current.account.name}: {error}" if current and error else "")
        note.set_class(bool(error), "-shown")

    @on(DataTable.RowHighlighted, "#accounts")
    def row_highlighted(self) -> None:
        self._show_note()

    def watch_view(self) -> None:
        self._redraw()

    def watch_filter_text(self) -> None:
        self._redraw()

    # -- actions ----------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(FilterBox).open()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.query_one(FilterBox).keep()
        self.query_one(AccountsTable).focus()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).clear()
        self.filter_text = ""
        self.query_one(AccountsTable).focus()

    def action_cycle_view(self) -> None:
        self.view = self.view.next()

    def action_cycle_sort(self) -> None:
        table = self.query_one(AccountsTable)
        order = list(SORT_KEYS)
        table.sort_key = order[(order.index(table.sort_key) + 1) % len(order)]
        table.sort_reverse = False
        table.relabel()
        self._redraw()

    @on(AccountsTable.HeaderSelected)
    def sort_by_header(self, event: AccountsTable.HeaderSelected) -> None:
        table = self.query_one(AccountsTable)
        key = str(event.column_key.value)
        if table.sort_key == key:
            table.sort_reverse = not table.sort_reverse
        else:
            table.sort_key, table.sort_reverse = key, False
        table.relabel()
        self._redraw()

    @on(AccountsTable.Opened)
    def open_account(self, message: AccountsTable.Opened) -> None:
        """The users screen bound to this account (its own role session)."""
        result = self.results.get(message.result.account.id, message.result)
        if result.inventory is None:
            self.notify(result.error or "This account has not been read yet: wait a moment, "
                        "or press r.", title=f"Cannot open {result.account.name}",
                        severity="warning", timeout=8)
            return
        from mfa_tui.tui.screens.main import MainScreen

        app = self.mfa_app
        app.bind_account(result.account.id)
        self.app.push_screen(MainScreen())
