"""The main screen: who has console access without MFA, right now."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import get_current_worker

from mfa_tui.core.exit_codes import ERROR as EXIT_ERROR
from mfa_tui.core.inventory_merge import confirmed_record, replaces_shown
from mfa_tui.core.models import Inventory
from mfa_tui.core.report_snapshot import ReportSnapshot, provisional_inventory
from mfa_tui.core.table_view import View, empty_text, select_rows
from mfa_tui.core.text import enroll_note
from mfa_tui.tui.base import WorkerErrorPath
from mfa_tui.tui.messages import UserConfirmed
from mfa_tui.tui.screens.enforcement_run import EnforcementRunner, result_summary
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.filter_box import FilterBox
from mfa_tui.tui.widgets.keys_footer import KeysFooter
from mfa_tui.tui.widgets.users_table import UsersTable

log = logging.getLogger(__name__)


class MainScreen(WorkerErrorPath, Screen[None]):
    """The users table, its filter and marks; AWS reads run in an exclusive worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Organization mode: Esc goes back to the accounts screen (checked before "back",
        # which clears a filter or cancels a run first; check_action says when).
        Binding("escape", "back_to_accounts", "Back", id="back-accounts",
                tooltip="Back to the accounts screen"),
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
        Binding("O", "reverse_sort", "Reverse sort", show=False, id="sort-reverse",
                tooltip="Reverse the order of the sorted column"),
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
        Binding("q", "quit_top", "Quit", id="quit",
                tooltip="Leave mfa-tui (asks first while a run or an enrollment is in flight)"),
        Binding("ctrl+c", "cancel_run", "Cancel run", show=False, priority=True),
        Binding("escape", "back", "Clear filter", show=False),
    ]
    WORKER_DOING: ClassVar[dict[str, str]] = {"inventory": "reading the account"}

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
        #: Called once it is on screen (the prefetch helper holds its big lists until then).
        painted: Callable[[], None] | None = None

    def __init__(self) -> None:
        super().__init__()
        self.inventory: Inventory | None = None

    def compose(self) -> ComposeResult:
        yield AccountHeader(id="account-header")
        yield FilterBox(placeholder="filter users by name — Enter keeps it, Esc clears",
                        id="filter")
        yield UsersTable(id="users")
        yield EnforcementRunner(id="runner")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(UsersTable).focus()
        app = self.mfa_app
        self.query_one(AccountHeader).profile = app.connection_label()
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
        app = self.mfa_app
        worker = get_current_worker()
        prefetch = app.take_prefetch()

        def table_from_report(provisional: Inventory) -> None:
            painted = prefetch.painted if prefetch is not None else None
            if not worker.is_cancelled:
                self.post_message(self.InventoryLoaded(provisional, painted=painted))
            elif painted is not None:
                painted()

        def report_arrived(snapshot: ReportSnapshot) -> None:
            provisional = provisional_inventory(snapshot, datetime.now(UTC))
            if provisional is not None:
                table_from_report(provisional)

        def waiting(text: str) -> None:
            if not worker.is_cancelled:
                self.post_message(self.ReadWaiting(text))

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
        if message.painted is not None:
            self.call_after_refresh(message.painted)
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

    def worker_failed(self, group: str, message: str) -> None:
        if group != "inventory":  # pragma: no cover - every worker here reads the account
            super().worker_failed(group, message)
            return
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
        table.empty_text = "" if self.inventory is None else empty_text(self.filter_text,
                                                                        self.view)
        table.set_rows(rows, self.marks)
        self.query_one(AccountHeader).view_line = self._view_line(len(rows))

    def _view_line(self, shown: int) -> str:
        parts = [f"{self.view.value} ({shown})", self.query_one(UsersTable).sort_text]
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”" + ("" if shown else ": no match"))
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
        self.query_one(FilterBox).open()
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.query_one(FilterBox).keep()
        self.refresh_bindings()
        self.query_one(UsersTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `q` quits from the top screen only: bound to a member account, this screen sits on
        # the accounts screen (Esc goes back there; ctrl+q still quits from anywhere).
        if action == "quit_top":
            return self.mfa_app.bound_account is None
        if action == "back_to_accounts":
            return (self.mfa_app.bound_account is not None and not self.runner.running
                    and not self.query_one(FilterBox).in_use)
        return True

    def action_back_to_accounts(self) -> None:
        self.app.pop_screen()

    async def action_quit_top(self) -> None:
        await self.mfa_app.action_quit()

    def action_back(self) -> None:
        """Esc: cancel a run in flight first, else clear the filter. (Back to the accounts
        screen, in organization mode, is the back-accounts binding's: it is checked first.)"""
        if self.action_cancel_run():
            return
        self.query_one(FilterBox).clear()
        self.refresh_bindings()
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
        self.query_one(UsersTable).cycle_sort()
        self._redraw()

    def action_reverse_sort(self) -> None:
        self.query_one(UsersTable).sort_reverse ^= True
        self._redraw()

    @on(UsersTable.HeaderClicked)
    def sort_by_header(self, event: UsersTable.HeaderClicked) -> None:
        self.query_one(UsersTable).sort_by(event.column)
        self._redraw()

    @on(UserConfirmed)
    def user_confirmed(self, message: UserConfirmed) -> None:
        """A user read live replaces their row, in place (the cursor and marks stay)."""
        if self.inventory is None:
            return
        previous = self.inventory.get(message.detail.user)
        self.inventory = self.inventory.with_user(confirmed_record(message.detail, previous))
        self.query_one(AccountHeader).inventory = self.inventory
        self._redraw()

    def action_switch_profile(self) -> None:
        from mfa_tui.tui.screens.profile_picker import ProfilePickerScreen, switch_to

        app = self.mfa_app
        self.app.push_screen(ProfilePickerScreen(app.profile_label, demo=app.options.demo),
                             lambda choice: switch_to(app, choice))

    def connection_switched(self) -> None:
        """Another account is active: forget this one's rows and marks, then read it."""
        app = self.mfa_app
        self.inventory = None
        self.marks = frozenset()
        header = self.query_one(AccountHeader)
        header.inventory, header.error, header.cached = None, "", False
        header.profile = app.connection_label()
        self._redraw()
        if app.cache_key:
            self.load_cached(app.cache_key)
        self.action_refresh()

    @on(UsersTable.Selected)
    def open_detail(self, event: UsersTable.Selected) -> None:
        from mfa_tui.tui.screens.user_detail import UserDetailScreen  # not before first paint

        self.app.push_screen(UserDetailScreen(event.user))

    def action_enroll(self) -> None:
        """The enrollment screen for the cursor user; their row updates in place after."""
        from mfa_tui.tui.screens.enroll import EnrollScreen

        user = self.query_one(UsersTable).current
        if user is None:
            self.notify("No user under the cursor to enroll.", severity="warning")
            return
        note = enroll_note(user)
        if note:
            self.notify(note, title=f"Enrolling {user.user}", severity="warning")
        self.app.push_screen(EnrollScreen(user.user))

    # -- enforcement runs (the runner posts what happened) -------------------------------

    def _targets(self) -> tuple[str, ...]:
        if self.marks:
            return tuple(sorted(self.marks))
        current = self.query_one(UsersTable).current
        return (current.user,) if current else ()

    @property
    def runner(self) -> EnforcementRunner:
        return self.query_one(EnforcementRunner)

    def action_preview(self) -> None:
        """`p`: the enforcement preview for the marked users (cursor row if none)."""
        self.runner.open_preview(self._targets())

    def action_attach(self) -> None:
        """`a`: the preview with the confirmation field focused."""
        self.runner.open_preview(self._targets(), confirm=True)

    def action_undo_last(self) -> None:
        """ctrl+z: undo the last enforcement run (confirmed)."""
        self.runner.open_preview((), kind="undo", confirm=True)

    def action_cancel_run(self) -> bool:
        """Esc / ctrl+c during a run: stop between users. True when a run was cancelled."""
        return self.runner.cancel()

    @on(EnforcementRunner.RecordChanged)
    def record_changed(self, message: EnforcementRunner.RecordChanged) -> None:
        record = self.inventory.get(message.user) if self.inventory else None
        if self.inventory is None or record is None:
            return
        via = "user" if message.via_user else record.enforced_via
        self.inventory = self.inventory.with_user(replace(
            record, enforcement_attached=message.enforced,
            enforced_via=via if message.enforced else None))
        self._redraw()

    @on(EnforcementRunner.Ended)
    def run_ended(self, message: EnforcementRunner.Ended) -> None:
        self.marks = message.left  # failed users stay marked for a retry
        if self.runner.quit_after:
            self.app.exit(message.result.exit_code, message=result_summary(message.result))
            return
        from mfa_tui.tui.screens.run_results import RunResultsScreen

        self.app.push_screen(RunResultsScreen(message.result))
        self.action_refresh()

    @on(EnforcementRunner.Failed)
    def run_failed(self, message: EnforcementRunner.Failed) -> None:
        if self.runner.quit_after:
            self.app.exit(EXIT_ERROR, message=message.message)
            return
        self.action_refresh()

