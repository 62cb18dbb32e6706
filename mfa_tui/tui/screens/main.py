"""The main screen: who has console access without MFA, right now."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState, get_current_worker

from mfa_tui.core.inventory_merge import confirmed_record, replaces_shown
from mfa_tui.core.models import Inventory
from mfa_tui.core.report_snapshot import ReportSnapshot, provisional_inventory
from mfa_tui.core.table_view import SORT_KEYS, View, select_rows
from mfa_tui.tui.screens.enforcement_run import EnforcementActions
from mfa_tui.tui.screens.user_detail import UserDetailScreen
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.run_progress import RunProgress
from mfa_tui.tui.widgets.users_table import UsersTable

if TYPE_CHECKING:
    from mfa_tui.tui.app import MfaTuiApp


log = logging.getLogger(__name__)


class MainScreen(EnforcementActions, Screen[None]):
    """The users table, its filter and marks; AWS reads run in an exclusive worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", key_display="/", id="filter",
                tooltip="Filter users by name"),
        Binding("f", "cycle_view", "View", id="view",
                tooltip="All users → console users → non-compliant"),
        Binding("space", "toggle_mark", "Mark", id="mark", tooltip="Mark or unmark the row"),
        Binding("N", "mark_non_compliant", "Mark non-compliant", show=False,
                id="mark-non-compliant", tooltip="Mark every visible non-compliant user"),
        Binding("U", "unmark_all", "Unmark all", show=False, id="unmark-all",
                tooltip="Clear every mark"),
        Binding("o", "cycle_sort", "Sort", show=False, id="sort",
                tooltip="Sort by the next column (click a header to sort by it)"),
        Binding("r", "refresh", "Refresh", show=False, id="refresh",
                tooltip="Read the account again now"),
        Binding("e", "enroll", "Enroll", id="enroll",
                tooltip="Enroll a virtual MFA device for the cursor user (QR code)"),
        Binding("P", "switch_profile", "Profile", show=False, id="switch-profile",
                tooltip="Switch to another keyring or AWS config profile"),
        Binding("p", "preview", "Preview", id="preview",
                tooltip="Enforcement preview for the marked users (cursor row if none)"),
        Binding("a", "attach", "Attach", id="attach",
                tooltip="Attach the enforcement policy to the marked users, after confirmation"),
        Binding("ctrl+z", "undo_last", "Undo last run", show=False, id="undo-last",
                tooltip="Reverse the attachments of the last enforcement run (confirmed)"),
        Binding("ctrl+c", "cancel_run", "Cancel run", show=False, priority=True),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    view: reactive[View] = reactive(View.ALL)
    filter_text: reactive[str] = reactive("")
    marks: reactive[frozenset[str]] = reactive(frozenset())

    @dataclass
    class ReadWaiting(Message):
        """What the read in progress waits for, in a sentence (AWS generating the report)."""

        text: str

    @dataclass
    class InventoryLoaded(Message):
        """An inventory arrived from a worker: fresh from AWS, or the local cache."""

        inventory: Inventory
        cached: bool = False

    def __init__(self) -> None:
        super().__init__()
        self.inventory: Inventory | None = None

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="account-header")
        yield Input(placeholder="filter users by name — Enter keeps it, Esc clears", id="filter")
        yield UsersTable(id="users")
        yield RunProgress(id="run-progress")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(UsersTable).focus()
        app: MfaTuiApp = self.app  # type: ignore[assignment]
        self.query_one(AccountHeader).profile = app.profile_label
        if app.cache_key:
            self.load_cached(app.cache_key)
        self.action_refresh()
        if app.refresh_interval > 0:
            self.set_interval(app.refresh_interval, self.action_refresh)
        self.set_interval(15, self.query_one(AccountHeader).refresh)  # ages tick on

    # -- data -------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.query_one(AccountHeader).busy = True
        self.load_inventory()

    @work(thread=True, exclusive=True, exit_on_error=False, group="inventory")
    def load_inventory(self) -> None:
        app: MfaTuiApp = self.app  # type: ignore[assignment]
        worker = get_current_worker()

        def table_from_report(provisional: Inventory) -> None:
            if not worker.is_cancelled:
                self.post_message(self.InventoryLoaded(provisional))

        def report_arrived(snapshot: ReportSnapshot) -> None:
            provisional = provisional_inventory(snapshot, datetime.now(UTC))
            if provisional is not None:
                table_from_report(provisional)

        def waiting(text: str) -> None:
            if not worker.is_cancelled:
                self.post_message(self.ReadWaiting(text))

        prefetch = app.take_prefetch()
        inventory = (prefetch.result(table_from_report, waiting) if prefetch is not None
                     else None)
        prefetched = inventory is not None
        if prefetch is not None and prefetch.stopped and not prefetched:
            return  # stopped on purpose: the app is leaving or reading another account
        if inventory is None:
            from mfa_tui.aws.inventory import load_inventory

            inventory = load_inventory(app.connection(), on_report=report_arrived,
                                       on_status=waiting)
        if worker.is_cancelled:
            return  # superseded (e.g. the profile was switched meanwhile)
        self.post_message(self.InventoryLoaded(inventory))
        if app.cache_key:
            from mfa_tui.state.inventory_cache import save_cached

            save_cached(app.cache_key, inventory)
        if prefetched:  # connect now, so the first detail or action does not wait for it
            try:
                app.connection()
            except Exception as exc:  # the next read in-process says what is wrong
                log.info("connecting after the prefetch failed: %s", exc)

    @work(thread=True, exclusive=True, exit_on_error=False, group="cache")
    def load_cached(self, key: str) -> None:
        from mfa_tui.state.inventory_cache import load_cached

        inventory = load_cached(key)
        if inventory is not None and not get_current_worker().is_cancelled:
            self.post_message(self.InventoryLoaded(inventory, cached=True))

    @on(ReadWaiting)
    def show_waiting(self, message: ReadWaiting) -> None:
        self.query_one(AccountHeader).waiting = message.text

    @on(InventoryLoaded)
    def show_inventory(self, message: InventoryLoaded) -> None:
        header = self.query_one(AccountHeader)
        if not message.cached:
            header.waiting = ""  # the read answered (the cache says nothing about it)
        if not replaces_shown(message.inventory, new_cached=message.cached,
                              shown=header.inventory, shown_cached=header.cached):
            return  # the table already shows newer data
        self.inventory = message.inventory
        existing = {u.user for u in message.inventory.users}
        self.marks = frozenset(m for m in self.marks if m in existing)
        header.inventory = message.inventory
        header.cached = message.cached
        header.busy = message.cached or message.inventory.provisional
        if not message.cached:
            header.error = ""
        self._redraw()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "apply":
            self.run_failed(event.worker.error)
            return
        if event.state != WorkerState.ERROR or event.worker.group != "inventory":
            return
        if event.worker.is_cancelled:
            return  # an answer for a connection that was switched away from
        from mfa_tui.aws.errors import explain

        error = event.worker.error
        message = explain(error) if error else "Reading the account failed."
        header = self.query_one(AccountHeader)
        header.busy = False
        header.waiting = ""
        if self.inventory:
            header.error = (f"Refresh failed at {datetime.now(UTC):%H:%M:%S} UTC: {message} "
                            "Showing the last good data.")
        else:
            header.error = f"Could not read the account: {message} Press r to try again."
        self.notify(message, title="Reading the account failed", severity="error", timeout=10)

    # -- view state -------------------------------------------------------------------

    def _redraw(self) -> None:
        table = self.query_one(UsersTable)
        users = self.inventory.users if self.inventory else ()
        rows = select_rows(users, text=self.filter_text, view=self.view,
                           sort=table.sort_key, reverse=table.sort_reverse)
        table.set_rows(rows, self.marks)
        self.query_one(AccountHeader).view_line = self._view_line(len(rows))

    def _view_line(self, shown: int) -> str:
        parts = [f"{self.view.value} ({shown})"]
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        if self.marks:
            parts.append(f"{len(self.marks)} marked")
        return " · ".join(parts)

    def watch_view(self) -> None:
        self._redraw()

    def watch_filter_text(self) -> None:
        self._redraw()

    def watch_marks(self, marks: frozenset[str]) -> None:
        self.query_one(UsersTable).set_marks(marks)
        shown = len(self.query_one(UsersTable).rows)
        self.query_one(AccountHeader).view_line = self._view_line(shown)

    # -- actions ----------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        # Focus now, not on the next idle: keys typed right after `/` (a paste, a fast
        # typist over SSH) must land in the filter, not trigger `e` or `f` on the table.
        self.set_focus(box)

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        box = self.query_one("#filter", Input)
        if not box.value:
            box.remove_class("-shown")
        self.query_one(UsersTable).focus()

    def action_clear_filter(self) -> None:
        if self.action_cancel_run():
            return  # Esc during a run cancels it first
        box = self.query_one("#filter", Input)
        app: MfaTuiApp = self.app  # type: ignore[assignment]
        if app.bound_account is not None and not box.value and not box.has_class("-shown"):
            self.app.pop_screen()  # organization mode: back to the accounts screen
            return
        box.value = ""
        box.remove_class("-shown")
        self.filter_text = ""
        self.query_one(UsersTable).focus()

    def action_cycle_view(self) -> None:
        self.view = self.view.next()

    def action_toggle_mark(self) -> None:
        table = self.query_one(UsersTable)
        user = table.current
        if user is None:
            return
        self.marks = self.marks ^ {user.user}
        table.action_cursor(1)

    def action_mark_non_compliant(self) -> None:
        rows = self.query_one(UsersTable).rows
        self.marks = self.marks | {u.user for u in rows if not u.compliant}

    def action_unmark_all(self) -> None:
        self.marks = frozenset()

    def action_cycle_sort(self) -> None:
        table = self.query_one(UsersTable)
        order = list(SORT_KEYS)
        table.sort_key = order[(order.index(table.sort_key) + 1) % len(order)]
        table.sort_reverse = False
        self._redraw()

    @on(UsersTable.HeaderClicked)
    def sort_by_header(self, event: UsersTable.HeaderClicked) -> None:
        table = self.query_one(UsersTable)
        if table.sort_key == event.column:
            table.sort_reverse = not table.sort_reverse
        else:
            table.sort_key, table.sort_reverse = event.column, False
        self._redraw()

    @on(UserDetailScreen.Confirmed)
    def user_confirmed(self, message: UserDetailScreen.Confirmed) -> None:
        """A user read live replaces their row, in place (the cursor and marks stay)."""
        if self.inventory is None:
            return
        previous = self.inventory.get(message.detail.user)
        self.inventory = self.inventory.with_user(confirmed_record(message.detail, previous))
        self.query_one(AccountHeader).inventory = self.inventory
        self._redraw()

    def action_switch_profile(self) -> None:
        from mfa_tui.tui.screens.profile_picker import ProfilePickerScreen, switch_to

        app: MfaTuiApp = self.app  # type: ignore[assignment]
        self.app.push_screen(ProfilePickerScreen(app.profile_label),
                             lambda choice: switch_to(app, choice))

    def connection_switched(self) -> None:
        """Another account is active: forget this one's rows and marks, then read it."""
        app: MfaTuiApp = self.app  # type: ignore[assignment]
        self.inventory = None
        self.marks = frozenset()
        header = self.query_one(AccountHeader)
        header.inventory, header.error, header.cached = None, "", False
        header.profile = app.profile_label
        self._redraw()
        if app.cache_key:
            self.load_cached(app.cache_key)
        self.action_refresh()

    @on(UsersTable.Selected)
    def open_detail(self, event: UsersTable.Selected) -> None:
        self.app.push_screen(UserDetailScreen(event.user))

    def action_enroll(self) -> None:
        """The enrollment screen for the cursor user; their row updates in place after."""
        from mfa_tui.tui.screens.enroll import EnrollScreen

        user = self.query_one(UsersTable).current
        if user is not None:
            self.app.push_screen(EnrollScreen(user.user))
