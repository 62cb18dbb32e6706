"""QR codes as half-block text: geometry, a real decode, and the 80x24 budget."""

from __future__ import annotations

import math

import pyotp
import pytest

from mfa_tui.core.qr_text import (
    fit_half_block_lines,
    half_block_lines,
    qr_matrix,
    qr_size,
)
from tests.fixtures.qr_reader import Cell, cells_to_image, decode_image

BLACK = (0, 0, 0)
WHITE = (255, 255, 255)

# Rows an 80x24 screen must keep free besides the QR code with the default settings.
ROOM_AT_80X24 = 1


def aws_uri(seed: str, user: str = "alice", account: str = "123456789012") -> str:
    """An otpauth URI shaped like the one the enrollment screen builds from an AWS seed."""
    return f"otpauth://totp/AWS%3A{user}%40{account}?secret={seed}&issuer=AWS"


@pytest.fixture
def seed() -> str:
    # A real AWS virtual MFA seed (Base32StringSeed) is 64 base32 characters.
    return pyotp.random_base32(length=64)


def black_on_white(lines: list[str]) -> list[list[Cell]]:
    """The cells an app shows when it draws ``lines`` with fg #000000 on bg #ffffff."""
    return [[Cell(char, BLACK, WHITE) for char in line] for line in lines]


def test_matrix_is_square_with_quiet_zone() -> None:
    for border in (0, 1, 2, 4):
        matrix = qr_matrix("hello", border=border)
        side = len(matrix)
        assert all(len(row) == side for row in matrix)
        # version 1 for 5 characters: 21 modules plus the quiet zone on both sides
        assert side == 21 + 2 * border
        for i in range(border):
            assert not any(matrix[i]) and not any(matrix[-1 - i])
            assert not any(row[i] for row in matrix) and not any(row[-1 - i] for row in matrix)
        # the finder pattern's corner starts right after the quiet zone
        assert matrix[border][border] is True


def test_error_correction_level_changes_the_version(seed: str) -> None:
    sides = {
        level: len(qr_matrix(aws_uri(seed), border=0, error_correction=level)) for level in "LMQH"
    }
    assert sides["L"] < sides["M"] < sides["Q"] < sides["H"]
    assert qr_matrix("x", error_correction="m") == qr_matrix("x", error_correction="M")


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="error_correction"):
        qr_matrix("x", error_correction="X")
    with pytest.raises(ValueError, match="border"):
        qr_matrix("x", border=-1)
    with pytest.raises(ValueError, match="too long"):
        qr_matrix("x" * 5000)
    with pytest.raises(ValueError, match="same length"):
        half_block_lines([[True, False], [True]])


def test_half_block_glyphs_foreground_is_dark() -> None:
    t, f = True, False
    matrix = [
        [t, f, t, f],
        [t, t, f, f],
        [f, t, t, f],
    ]
    # rows 0+1, then row 2 padded with a light row
    assert half_block_lines(matrix) == ["█▄▀ ", " ▀▀ "]
    assert half_block_lines([]) == []


@pytest.mark.parametrize("border", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("level", ["L", "M"])
def test_half_block_geometry(seed: str, border: int, level: str) -> None:
    matrix = qr_matrix(aws_uri(seed), border=border, error_correction=level)
    lines = half_block_lines(matrix)
    assert len(lines) == math.ceil(len(matrix) / 2)
    assert {len(line) for line in lines} == {len(matrix[0])}
    assert qr_size(lines) == (len(matrix[0]), len(lines))
    assert set("".join(lines)) <= set("▀▄█ ")
    # QR sides are odd, so the last line is padded: its bottom halves are all light
    assert len(matrix) % 2 == 1
    assert not set(lines[-1]) & set("▄█")


@pytest.mark.parametrize("border", [1, 2, 4])
@pytest.mark.parametrize("level", ["L", "M"])
def test_half_block_text_decodes_to_the_exact_uri(seed: str, border: int, level: str) -> None:
    uri = aws_uri(seed)
    lines = half_block_lines(qr_matrix(uri, border=border, error_correction=level))
    # Paint as a dark-theme terminal would: black surroundings, the code black on white.
    image = cells_to_image(black_on_white(lines), scale=4, margin=2, margin_colour=BLACK)
    assert decode_image(image) == [uri]
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    assert totp.secret == seed


def test_without_a_quiet_zone_it_does_not_decode_on_black(seed: str) -> None:
    """The quiet zone is what makes black-on-white readable inside a dark terminal."""
    uri = aws_uri(seed)
    lines = half_block_lines(qr_matrix(uri, border=0))
    image = cells_to_image(black_on_white(lines), scale=4, margin=2, margin_colour=BLACK)
    assert decode_image(image) == []


def test_aws_seed_uri_fits_80x24_with_defaults(seed: str) -> None:
    uri = aws_uri(seed)
    assert len(uri) == 124
    matrix = qr_matrix(uri)  # defaults: EC level L, quiet zone of 2 modules
    assert len(matrix) == 41 + 2 * 2  # version 6
    cols, rows = qr_size(half_block_lines(matrix))
    assert (cols, rows) == (45, 23)
    assert cols <= 80
    assert rows <= 24 - ROOM_AT_80X24


def test_fit_falls_back_to_a_one_module_quiet_zone(seed: str) -> None:
    uri = aws_uri(seed)
    # 80x24 minus a header and a footer line: border 2 (23 lines) does not fit, border 1 does
    lines = fit_half_block_lines(uri, 80, 22)
    assert lines is not None
    assert qr_size(lines) == (43, 22)
    assert fit_half_block_lines(uri, 80, 23) == half_block_lines(qr_matrix(uri))
    assert fit_half_block_lines(uri, 80, 21) is None
    image = cells_to_image(black_on_white(lines), scale=4, margin=2, margin_colour=BLACK)
    assert decode_image(image) == [uri]
