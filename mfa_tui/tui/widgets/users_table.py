"""The users table: a virtual list that draws only the rows on screen.

Textual's DataTable measures every cell of every row (about 1.5 s for 5,000 users); this
widget renders O(visible rows), so 5,000 users filter and scroll like 50.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mfa_tui.core.models import UserRecord
from mfa_tui.core.table_view import SORT_KEYS
from mfa_tui.core.text import age, mfa_text


@dataclass(frozen=True)
class Column:
    """A column: key, header label, width (None: fit the data), drop priority (high first)."""

    key: str
    label: str
    width: int | None
    drop_order: int  # columns with a higher number are dropped first when space is short
    cell: Callable[[UserRecord, datetime], str]


def _enforced(u: UserRecord, _: datetime) -> str:
    if not u.enforcement_attached:
        return "-"
    return "user" if u.enforced_via == "user" else f"via {u.enforced_via}"


def _console(u: UserRecord, _: datetime) -> str:
    return {True: "yes", False: "no", None: "?"}[u.console_access]


def _state(u: UserRecord, _: datetime) -> str:
    verdict = "✓" if u.compliant else ("?" if u.console_access is None else "✗")
    return verdict + ("*" if u.stale else "")  # * : the verdict rests on the old report


COLUMNS: tuple[Column, ...] = (
    Column("state", "", 2, 0, _state),
    Column("user", "user", None, 0, lambda u, _: u.user),
    Column("console", "console", 7, 1, _console),
    Column("mfa", "MFA", 12, 0, lambda u, _: mfa_text(u)),
    Column("enforced", "enforced", 13, 2, _enforced),
    Column("last", "last sign-in", 12, 3, lambda u, now: age(u.password_last_used, now)
           if u.password_last_used else "-"),
    Column("keys", "keys", 4, 4, lambda u, _: str(u.access_keys_active)),
)
MARK_WIDTH = 2  # "● " before each row
USER_MIN, USER_MAX = 12, 40


class UsersTable(ScrollView, can_focus=True):
    """Rows of users with a cursor and marks; the screen owns the data and the filter."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "users-table--header",
        "users-table--cursor",
        "users-table--bad",
        "users-table--marked",
        "users-table--sorted",
        "users-table--empty",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Detail", show=False, id="detail",
                tooltip="Open the user's detail"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)
    sort_key: reactive[str] = reactive("user")
    sort_reverse: reactive[bool] = reactive(False)

    @dataclass
    class Selected(Message):
        """Enter on a row."""

        user: UserRecord

    @dataclass
    class HeaderClicked(Message):
        """A click on a column header: sort by it."""

        column: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[UserRecord] = []
        self._marks: frozenset[str] = frozenset()
        self._user_width = USER_MIN
        self._now = datetime.now(UTC)
        #: Said in the first row when there is none (why the table is empty).
        self.empty_text = ""

    # -- data -------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[UserRecord]:
        """The rows shown, in order."""
        return self._rows

    @property
    def current(self) -> UserRecord | None:
        """The user under the cursor."""
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: list[UserRecord], marks: frozenset[str]) -> None:
        """Show these rows; the cursor stays on the same user when that user is still shown."""
        keep = self.current.user if self.current else None
        self._rows = rows
        self._marks = marks
        self._now = datetime.now(UTC)
        longest = max((len(u.user) for u in rows), default=USER_MIN)
        self._user_width = max(USER_MIN, min(USER_MAX, longest))
        index = 0
        if keep is not None:
            index = next((i for i, u in enumerate(rows) if u.user == keep), min(
                self.cursor, max(0, len(rows) - 1)))
        self.virtual_size = Size(self._line_width(), len(rows) + 1)
        self.cursor = index
        self.refresh()

    def set_marks(self, marks: frozenset[str]) -> None:
        """Redraw with new marks."""
        self._marks = marks
        self.refresh()

    # -- layout -----------------------------------------------------------------------

    def visible_columns(self) -> list[Column]:
        """Columns that fit the width, dropping the least important first."""
        width = self.size.width or 80
        cols = list(COLUMNS)
        while self._width_of(cols) > width:
            droppable = [c for c in cols if c.drop_order > 0]
            if not droppable:
                break
            cols.remove(max(droppable, key=lambda c: c.drop_order))
        return cols

    def _col_width(self, col: Column) -> int:
        return col.width if col.width is not None else self._user_width

    def _width_of(self, cols: Sequence[Column]) -> int:
        return MARK_WIDTH + sum(self._col_width(c) + 1 for c in cols)

    def _line_width(self) -> int:
        return self._width_of(self.visible_columns())

    def on_resize(self, _: events.Resize) -> None:
        self.virtual_size = Size(self._line_width(), len(self._rows) + 1)

    # -- drawing ----------------------------------------------------------------------

    def _cells(self, texts: Sequence[str], cols: Sequence[Column], style: Style,
               mark: str) -> list[Segment]:
        segments = [Segment(mark.ljust(MARK_WIDTH), style)]
        for text, col in zip(texts, cols, strict=True):
            width = self._col_width(col)
            if len(text) > width:
                text = text[: max(0, width - 1)] + "…"
            segments.append(Segment(text.ljust(width) + " ", style))
        return segments

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        cols = self.visible_columns()
        base = self.rich_style
        if y == 0:  # the header stays put while rows scroll
            style = base + self.get_component_rich_style("users-table--header")
            labels = []
            for c in cols:
                arrow = ("▼" if self.sort_reverse else "▲") if c.key == self.sort_key else ""
                label, room = c.label, self._col_width(c) - len(arrow)
                if len(label) > room:  # cut the label, never the arrow
                    label = label[: max(0, room - 1)] + "…"
                labels.append(f"{label}{arrow}")
            strip = Strip(self._cells(labels, cols, style, ""))
            return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style)
        index = scroll_y + y - 1
        if index == 0 and not self._rows and self.empty_text:
            muted = base + self.get_component_rich_style("users-table--empty")
            return Strip([Segment(f"  {self.empty_text}", muted)]).crop(0, width) \
                .extend_cell_length(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        user = self._rows[index]
        style = base
        if not user.compliant:
            style += self.get_component_rich_style("users-table--bad")
        marked = user.user in self._marks
        if marked:
            style += self.get_component_rich_style("users-table--marked")
        if index == self.cursor and self.has_focus:
            style += self.get_component_rich_style("users-table--cursor")
        elif index == self.cursor:
            style += Style(reverse=True)
        texts = [c.cell(user, self._now) for c in cols]
        strip = Strip(self._cells(texts, cols, style, "●" if marked else ""))
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style)

    # -- movement ---------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._rows:
            return
        clamped = max(0, min(new, len(self._rows) - 1))
        if clamped != new:
            self.cursor = clamped
            return
        visible = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False)
        self.refresh()

    def watch_sort_key(self) -> None:
        self.refresh()

    @property
    def sort_text(self) -> str:
        """The sort, for the status line (a narrow table may not show the column)."""
        label = next(c.label for c in COLUMNS if c.key == self.sort_key) or "verdict"
        return f"sort {label} {'▼' if self.sort_reverse else '▲'}"

    def cycle_sort(self) -> None:
        """Sort by the next column, ascending."""
        order = list(SORT_KEYS)
        self.sort_key = order[(order.index(self.sort_key) + 1) % len(order)]
        self.sort_reverse = False

    def sort_by(self, column: str) -> None:
        """Sort by ``column``; again on the same column reverses the order."""
        if self.sort_key == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = column, False

    def action_cursor(self, delta: int) -> None:
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        self.cursor = self.cursor + direction * max(1, self.size.height - 2)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self._rows) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + self.scroll_offset.x - MARK_WIDTH
            for col in self.visible_columns():
                x -= self._col_width(col) + 1
                if x < 0:
                    self.post_message(self.HeaderClicked(col.key))
                    return
            return
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain == 2:
                self.action_select()
            self.cursor = index

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
