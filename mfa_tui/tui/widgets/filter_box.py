"""The `/` filter of a table screen (users, accounts): one field, the same keys everywhere.

Hidden until `/`; then shown and focused at once, so keys typed right after `/` (a paste, a
fast typist over SSH) land in the filter instead of triggering the screen's keys. Enter
keeps a filter (an empty one hides the box again); the screen's Esc clears it.
"""

from __future__ import annotations

from textual.widgets import Input


class FilterBox(Input):
    """The filter field (its look: ``FilterBox`` in styles/app.tcss)."""

    def open(self) -> None:
        """Show the field and give it the focus now."""
        # Not on the next idle: a class applies with the next style update, and a hidden
        # field cannot take the focus.
        self.add_class("-shown")
        self.display = True
        self.screen.set_focus(self)

    def keep(self) -> None:
        """Enter: the filter stays; an empty one hides the field."""
        if not self.value:
            self._hide()

    def clear(self) -> None:
        """Esc: no filter, no field."""
        self.value = ""
        self._hide()

    @property
    def in_use(self) -> bool:
        """A filter is typed, or the field is open for one."""
        return bool(self.value) or self.has_class("-shown")

    def _hide(self) -> None:
        self.remove_class("-shown")
        self.display = False
