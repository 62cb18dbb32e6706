"""QR codes as terminal text: a module matrix drawn with half-block characters.

Pure functions: no Textual, no I/O.  Each text cell shows two vertically stacked QR modules, so a
cell (about twice as tall as it is wide) shows two square modules.

The glyphs only describe *where* the dark modules are: a glyph's **foreground** is the dark
(black) colour and its **background** is the light (white) colour.  Whoever draws the lines must
set both colours explicitly (Rich style ``"#000000 on #ffffff"``); drawn with the terminal's
default colours the code comes out inverted on a dark theme, and a phone camera will not read it.

Measured with qrcode 8.2 (it encodes the base32 seed in alphanumeric mode automatically) for
``otpauth://totp/AWS%3Aalice%40123456789012?secret=<64 base32 chars>&issuer=AWS`` (124 chars):
EC level L gives version 6 (41 modules); with the default quiet zone of 2 modules that is
45 columns x 23 lines, which fits an 80x24 terminal.  EC level M needs version 7 (45 modules,
49 x 25 with border 2: too tall), so L is the default.
"""

from __future__ import annotations

from collections.abc import Sequence

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

__all__ = [
    "BOTH_DARK",
    "BOTTOM_DARK",
    "NEITHER_DARK",
    "TOP_DARK",
    "fit_half_block_lines",
    "half_block_lines",
    "qr_matrix",
    "qr_size",
]

#: Upper half dark (foreground), lower half light (background).
TOP_DARK = "\u2580"  # ▀
#: Lower half dark, upper half light.
BOTTOM_DARK = "\u2584"  # ▄
#: Both halves dark.
BOTH_DARK = "\u2588"  # █
#: Both halves light: only the background shows.
NEITHER_DARK = " "

_ERROR_CORRECTION = {
    "L": ERROR_CORRECT_L,
    "M": ERROR_CORRECT_M,
    "Q": ERROR_CORRECT_Q,
    "H": ERROR_CORRECT_H,
}

_GLYPHS = {
    (False, False): NEITHER_DARK,
    (True, False): TOP_DARK,
    (False, True): BOTTOM_DARK,
    (True, True): BOTH_DARK,
}


def qr_matrix(data: str, *, border: int = 2, error_correction: str = "L") -> list[list[bool]]:
    """Encode ``data`` as a QR code and return its module matrix.

    The smallest version that holds ``data`` is chosen.  ``True`` is a dark module.  The matrix
    is square and includes a light quiet zone of ``border`` modules on every side, so its side
    is ``17 + 4 * version + 2 * border``.

    Args:
        data: the text to encode (e.g. an ``otpauth://`` URI).
        border: quiet-zone width in modules (0 or more).
        error_correction: ``"L"``, ``"M"``, ``"Q"`` or ``"H"`` (case-insensitive).

    Raises:
        ValueError: unknown error-correction level, negative border, or data too long for a
            QR code.
    """
    level = _ERROR_CORRECTION.get(error_correction.upper())
    if level is None:
        raise ValueError(f"error_correction must be one of L, M, Q, H; got {error_correction!r}")
    if border < 0:
        raise ValueError(f"border must be >= 0; got {border}")
    code = qrcode.QRCode(version=None, error_correction=level, border=border)
    code.add_data(data)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as exc:
        raise ValueError(f"data too long for a QR code ({len(data)} characters)") from exc
    return [[bool(module) for module in row] for row in code.get_matrix()]


def half_block_lines(matrix: Sequence[Sequence[bool]]) -> list[str]:
    """Draw a module matrix as text, two matrix rows per line.

    Each character covers one module column and two module rows: ``▀`` (top dark only),
    ``▄`` (bottom dark only), ``█`` (both dark) or a space (neither).  The glyph's
    foreground must be drawn dark and its background light.  An odd number of rows is
    padded with a light row at the bottom.

    Returns ``ceil(rows / 2)`` lines, all as wide as the matrix.

    Raises:
        ValueError: the matrix rows are not all the same length.
    """
    if not matrix:
        return []
    width = len(matrix[0])
    if any(len(row) != width for row in matrix):
        raise ValueError("matrix rows must all have the same length")
    light_row = [False] * width
    lines: list[str] = []
    for top_index in range(0, len(matrix), 2):
        top = matrix[top_index]
        bottom = matrix[top_index + 1] if top_index + 1 < len(matrix) else light_row
        lines.append("".join(_GLYPHS[bool(t), bool(b)] for t, b in zip(top, bottom, strict=True)))
    return lines


def qr_size(lines: Sequence[str]) -> tuple[int, int]:
    """Return ``(columns, rows)`` that ``lines`` occupy on screen (one cell per character)."""
    return (max((len(line) for line in lines), default=0), len(lines))


def fit_half_block_lines(
    data: str,
    max_cols: int,
    max_rows: int,
    *,
    choices: Sequence[tuple[str, int]] = (("L", 2), ("L", 1)),
) -> list[str] | None:
    """Return the half-block lines for the first ``(error_correction, border)`` that fits.

    ``choices`` are tried in order; the default prefers a 2-module quiet zone and falls back to
    1 module (which still decodes on dark and light terminals when drawn black on white).
    Returns ``None`` if none fits in ``max_cols`` x ``max_rows`` cells.
    """
    for error_correction, border in choices:
        lines = half_block_lines(qr_matrix(data, border=border, error_correction=error_correction))
        cols, rows = qr_size(lines)
        if cols <= max_cols and rows <= max_rows:
            return lines
    return None
