"""A QR code drawn in half-block characters, black on white whatever the theme.

The one place in mfa-tui with hex colours: a phone camera reads dark modules on a light
background, so the code is painted ``#000000 on #ffffff`` explicitly (a dark terminal theme
would otherwise show it inverted, and cameras do not read inverted codes). The quiet zone
(2 modules, or 1 when that is what fits) is part of the drawing.

The widget sizes itself to the code. When its region is too small for a code that decodes,
it says so in a sentence instead of drawing a clipped, unreadable code.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from mfa_tui.core.qr_text import fit_half_block_lines, half_block_lines, qr_matrix, qr_size

#: Dark modules on light: the glyphs' foreground is the dark module colour.
QR_STYLE = Style(color="#000000", bgcolor="#ffffff")


class QrCode(Widget):
    """Draws ``data`` (e.g. an ``otpauth://`` URI) as a QR code, or explains why it cannot."""

    DEFAULT_CSS = """
    QrCode {
        width: auto;
        height: auto;
    }
    """

    data: reactive[str | None] = reactive[str | None](None, layout=True, repaint=True)
    #: The most cells the code may take (columns, rows); None: the parent's content region.
    room: reactive[tuple[int, int] | None] = reactive[tuple[int, int] | None](
        None, layout=True, repaint=True)

    def __init__(
        self,
        data: str | None = None,
        *,
        too_small_hint: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.too_small_hint = too_small_hint
        self._cache: dict[tuple[str, int, int], list[str] | None] = {}
        self.set_reactive(QrCode.data, data)

    def clear(self) -> None:
        """Forget the data and every drawing of it (the seed is in there)."""
        self._cache.clear()
        self.data = None

    def watch_data(self) -> None:
        self._cache.clear()

    # -- sizing ---------------------------------------------------------------------------

    def _room(self) -> tuple[int, int]:
        """The cells this widget may use: ``room``, else its parent's content region."""
        if self.room is not None:
            return self.room
        parent = self.parent
        size = parent.size if isinstance(parent, Widget) else self.app.size
        return max(size.width, 0), max(size.height, 0)

    def _lines_for(self, width: int, height: int) -> list[str] | None:
        if self.data is None:
            return None
        key = (self.data, width, height)
        if key not in self._cache:
            self._cache[key] = fit_half_block_lines(self.data, width, height)
        return self._cache[key]

    @property
    def needed(self) -> tuple[int, int]:
        """Cells the code needs with its preferred 2-module quiet zone (0, 0 without data)."""
        if self.data is None:
            return (0, 0)
        return qr_size(half_block_lines(qr_matrix(self.data)))

    @property
    def fits(self) -> bool:
        """Whether the code is drawn (False: the sentence is shown instead)."""
        width, height = self._room()
        return self._lines_for(width, height) is not None

    def get_content_width(self, container: Size, viewport: Size) -> int:
        lines = self._lines_for(*self._room())
        if lines is not None:
            return qr_size(lines)[0]
        return max(self._room()[0], 1) if self.data is not None else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        lines = self._lines_for(*self._room())
        if lines is not None:
            return qr_size(lines)[1]
        return len(self._too_small_text().wrap(self.app.console, max(width, 1)))

    # -- drawing --------------------------------------------------------------------------

    def _too_small_text(self) -> Text:
        if self.data is None:
            return Text("")
        cols, rows = self.needed
        have_cols, have_rows = self._room()
        sentence = (
            f"The terminal is too small for a QR code a phone can read: it needs {cols}x{rows} "
            f"cells here and has {have_cols}x{have_rows}. Enlarge the window (or make the font "
            "smaller)."
        )
        if self.too_small_hint:
            sentence += f" {self.too_small_hint}"
        return Text(sentence)

    def render(self) -> Text:
        lines = self._lines_for(*self._room())
        if lines is None:
            return self._too_small_text()
        return Text("\n".join(lines), style=QR_STYLE, no_wrap=True, overflow="crop")
