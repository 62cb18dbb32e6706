"""The footer every screen and modal shows: only the keys that work there, never cut.

Textual's footer clips what does not fit mid-word. This one drops whole keys from the end
instead (they stay in ``?`` and the command palette), and under 80 columns leaves the
palette's own key out (ctrl+p still opens it).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

#: Narrower than this, the palette's key is not shown.
PALETTE_MIN_WIDTH = 80


def _cells(key: Widget) -> int:
    """A compact footer key's width: its key, a space, its description, a space."""
    shown = f"{getattr(key, 'key_display', '')} {getattr(key, 'description', '')}".strip()
    return len(shown) + 1


class KeysFooter(Footer):
    """Textual's compact footer, fitted to the width (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: object = None  # what the keys on screen were composed from

    def _shows(self) -> object:
        """Everything :meth:`compose` reads: equal means the same keys."""
        app = self.app
        keys = tuple((binding.key, app.get_key_display(binding), binding.description,
                      binding.action, binding.group, enabled, tooltip)
                     for _, binding, enabled, tooltip in self.screen.active_bindings.values()
                     if binding.show)
        return (app.size.width, self.compact, self._bindings_ready, keys)

    async def recompose(self) -> None:
        """Compose again only when the keys to show changed: Textual asks after every
        bindings update (each focus change, each reactive a ``check_action`` reads), and a
        start-up asked ~17 times, each one new key widgets to style."""
        if self.is_attached and self._shows() == self._shown:
            return
        await super().recompose()

    def compose(self) -> ComposeResult:
        self._shown = self._shows()
        width = self.app.size.width
        self.show_command_palette = width >= PALETTE_MIN_WIDTH
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = [w for w in widgets if w not in palette]
        room = width - sum(_cells(w) + 1 for w in palette)
        used = 0
        for widget in keys:
            used += _cells(widget)
            if used - 1 > room:  # the last key needs no space after it
                break
            yield widget
        yield from palette

    def on_resize(self) -> None:
        self.call_after_refresh(self.recompose)
