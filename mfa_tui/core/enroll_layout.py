"""Where the enrollment screen puts the QR code, for a terminal size (pure).

The codes panel needs ``PANEL_COLUMNS`` beside the code or ``PANEL_ROWS`` below it; the
footer takes one row and may hide when the code needs it. The first arrangement in which the
code fits (core/qr_text.py: EC level L, quiet zone 2 then 1 module) wins:

1. beside the panel, footer shown   (80x24: version 6 is 45x23 cells: fits)
2. beside the panel, footer hidden  (80x24: version 7 with a 1-module zone is 47x24: fits)
3. above the panel, footer shown    (narrow but tall terminals)
4. above the panel, footer hidden

When none fits, the widget says so instead of drawing a code no phone can read.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfa_tui.core.qr_text import fit_half_block_lines

#: Columns the codes panel needs beside the QR code; rows it needs below it when stacked.
PANEL_COLUMNS = 28
PANEL_ROWS = 12


@dataclass(frozen=True)
class QrLayout:
    """An arrangement: stacked or side by side, the footer shown or not, the code's room."""

    stacked: bool
    footer: bool
    room: tuple[int, int]
    fits: bool


def choose_layout(uri: str | None, width: int, height: int) -> QrLayout:
    """The first arrangement (see the module docstring) in which ``uri``'s code fits."""
    plans = [
        (False, True, (width - PANEL_COLUMNS, height - 1)),
        (False, False, (width - PANEL_COLUMNS, height)),
        (True, True, (width, height - 1 - PANEL_ROWS)),
        (True, False, (width, height - PANEL_ROWS)),
    ]
    for stacked, footer, (cols, rows) in plans:
        room = (max(cols, 0), max(rows, 0))
        if uri is not None and fit_half_block_lines(uri, *room) is not None:
            return QrLayout(stacked, footer, room, True)
    cols, rows = plans[0][2]
    return QrLayout(False, True, (max(cols, 0), max(rows, 0)), uri is None)
