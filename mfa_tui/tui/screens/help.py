"""The help: the keys of the screen below first, then those that work everywhere (k9s-like).

`?` opens it and `?` or Esc closes it (Textual's own key panel stayed open on both). The keys
are read from the screen's active bindings, so a key remapped in config.toml shows as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from typing import Any

#: Rows a column holds before the list goes to two columns (80x24: a border, a title and a
#: closing line leave 18 rows).
_ROWS = 17
_KEY_WIDTH = 9
_COLUMN_WIDTH = 37
#: Textual's own screen keys (tab moves the focus): every app has them; not worth a row.
_GENERIC = {b.action for b in Screen.BINDINGS if isinstance(b, Binding)} | {
    "app.focus_next", "app.focus_previous", "focus_next", "focus_previous"}
_NAMES = {"command_palette": "Command palette"}  # Textual's own words, said in full


def screen_keys(screen: Screen[Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the screen's own keys, the app's), as (keys as shown, description), one row an action."""
    rows: dict[tuple[str, str], tuple[list[str], str]] = {}  # (bucket, action) -> keys, text
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.action in _GENERIC:
            continue
        if active.node is screen:
            bucket = "own"
        elif active.node is screen.app:
            bucket = "app"
        else:
            continue  # a widget's own keys (cursor movement)
        text = _NAMES.get(binding.action, binding.description)
        keys, _ = rows.setdefault((bucket, binding.action), ([], text))
        shown = screen.app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    # In the order the screen declares them (its main keys first), not the binding map's.
    order = {b.action: i for i, b in enumerate(
        b for b in type(screen).BINDINGS if isinstance(b, Binding))}
    own = sorted(((action, keys, text) for (bucket, action), (keys, text) in rows.items()
                  if bucket == "own"), key=lambda row: order.get(row[0], len(order)))
    everywhere = [(" ".join(sorted(keys, key=len)), text)
                  for (bucket, _), (keys, text) in rows.items() if bucket == "app"]
    return [(" ".join(keys), text) for _, keys, text in own], everywhere


def help_text(title: str, own: list[tuple[str, str]],
              everywhere: list[tuple[str, str]], closer: str = "?") -> Text:
    """The list: a heading a group, ``key  description`` rows, two columns when long."""
    first: list[tuple[str, str, str]] = [("head", title, ""), *(("key", k, d) for k, d in own)]
    last: list[tuple[str, str, str]] = [("head", "Everywhere", ""),
                                        *(("key", k, d) for k, d in everywhere)]
    if len(first) + 1 + len(last) <= _ROWS:
        columns = [[*first, ("gap", "", ""), *last]]
    else:  # the screen's keys on the left, the rest on the right
        columns = [first[i:i + _ROWS] for i in range(0, len(first), _ROWS)]
        if len(columns[-1]) + 1 + len(last) <= _ROWS and len(columns) > 1:
            columns[-1] += [("gap", "", ""), *last]
        else:
            columns.append(last)
    text = Text(no_wrap=True, overflow="ellipsis")
    for line in range(max(len(c) for c in columns)):
        for n, column in enumerate(columns):
            width = _COLUMN_WIDTH if n < len(columns) - 1 else 0
            cell = Text()
            if line < len(column):
                kind, key, second = column[line]
                if kind == "head":
                    cell.append(key, style="bold underline")
                elif kind == "key":
                    cell.append(f"{key:>{_KEY_WIDTH}}", style="bold")
                    cell.append(f"  {second}")
            if width:
                cell.truncate(width - 1, overflow="ellipsis")
                cell.pad_right(width - cell.cell_len)
            text.append_text(cell)
        text.append("\n")
    text.append(f"\n{closer} or Esc closes this", style="dim")
    return text


class HelpScreen(ModalScreen[None]):
    """Every key that works on the screen below, its own first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help-close", tooltip="Close the help"),
        # The app's help id: remapping `help` in config.toml moves this key with it.
        Binding("question_mark", "close", "Close", key_display="?", id="help", show=False),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        super().__init__()
        self.title_text = _screen_title(below)
        self.own, self.everywhere = screen_keys(below)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            closer = next((k for k, d in self.everywhere if d == "Help"), "?")
            yield Static(help_text(self.title_text, self.own, self.everywhere, closer),
                         id="help-keys")
        yield KeysFooter()

    def action_close(self) -> None:
        self.dismiss(None)


def _screen_title(screen: Screen[Any]) -> str:
    name = type(screen).__name__.removesuffix("Screen")
    words = "".join(f" {c}" if c.isupper() else c for c in name).strip()
    return f"{words or 'This'} screen"
