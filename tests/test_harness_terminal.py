"""The terminal harness itself: tmux sizes, colours, keys, exit status, and an honest QR reader."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pyotp
import pytest
from PIL import Image

from mfa_tui.core.qr_text import half_block_lines, qr_matrix
from tests.fixtures.qr_reader import (
    decode_qr_from_ansi,
    parse_ansi,
    render_pixels,
    xterm_256,
)
from tests.fixtures.terminal import installed_cli

pytestmark = pytest.mark.tmux

REPO = Path(__file__).resolve().parents[1]
BLACK_ON_WHITE = "\x1b[38;2;0;0;0;48;2;255;255;255m"
RESET = "\x1b[0m"

# Prints the QR code of argv[1] (explicit black on white unless argv[2] == "plain"),
# then READY on the last line, then waits for Enter.
SHOW_QR = textwrap.dedent(
    """
    import sys
    from mfa_tui.core.qr_text import half_block_lines, qr_matrix
    uri, style = sys.argv[1], sys.argv[2]
    for line in half_block_lines(qr_matrix(uri)):
        if style == "plain":
            print(line)
        else:
            print("\\x1b[38;2;0;0;0;48;2;255;255;255m" + line + "\\x1b[0m")
    sys.stdout.write("READY")
    sys.stdout.flush()
    input()
    """
)


@pytest.fixture
def uri() -> str:
    seed = pyotp.random_base32(length=64)  # the length of a real AWS virtual MFA seed
    return f"otpauth://totp/AWS%3Aalice%40123456789012?secret={seed}&issuer=AWS"


def test_black_on_white_qr_decodes_on_dark_and_light_at_80x24(terminal, uri, tmp_path):
    term = terminal([sys.executable, "-c", SHOW_QR, uri, "colour"], size=(80, 24), cwd=REPO)
    term.wait_for("READY")
    screen = term.capture(colors=True)
    assert "38;2;0;0;0" in screen and "48;2;255;255;255" in screen
    assert len(screen.splitlines()) == 24
    # 23 QR lines + READY: nothing scrolled away
    assert screen.splitlines()[-1].endswith("READY")
    dark = decode_qr_from_ansi(screen, theme="dark", save_to=tmp_path / "dark.png")
    light = decode_qr_from_ansi(screen, theme="light", save_to=tmp_path / "light.png")
    assert dark == [uri], f"see {tmp_path / 'dark.png'}"
    assert light == [uri], f"see {tmp_path / 'light.png'}"
    assert isinstance(pyotp.parse_uri(dark[0]), pyotp.TOTP)
    term.send_keys("Enter")
    assert term.wait_exit(timeout=10) == 0


def test_qr_in_default_colours_only_scans_on_a_light_theme(terminal, uri, tmp_path):
    """Only glyphs, no colours: on a dark theme the code is light-on-dark (inverted) and a
    camera - and this reader - cannot scan it.  Proves the reader really looks at colours."""
    term = terminal([sys.executable, "-c", SHOW_QR, uri, "plain"], size=(80, 24), cwd=REPO)
    term.wait_for("READY")
    screen = term.capture(colors=True)
    assert "38;2" not in screen and "48;2" not in screen
    assert decode_qr_from_ansi(screen, theme="light") == [uri]
    assert decode_qr_from_ansi(screen, theme="dark", save_to=tmp_path / "dark.png") == []
    term.send_keys("Enter")
    assert term.wait_exit() == 0


def test_terminal_has_the_requested_size(terminal):
    script = (
        "import os, shutil; print('SIZE', *shutil.get_terminal_size(), os.environ['TERM']); input()"
    )
    # a copied environment (with a stale COLUMNS/LINES and the outer TERM) changes nothing
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": os.environ.get("TERM", "dumb")}
    term = terminal([sys.executable, "-c", script], size=(120, 40), env=env)
    term.wait_for("SIZE 120 40 tmux-256color")
    assert term.size() == (120, 40)
    term.type("bye")
    term.send_keys("Enter")
    assert term.wait_exit() == 0

    tput = terminal("tput cols; tput lines; echo TERM=$TERM; read x", size=(120, 40))
    assert tput.wait_for("TERM=").split()[:3] == ["120", "40", "TERM=tmux-256color"]
    tput.send_keys("Enter")
    assert tput.wait_exit() == 0


def test_resize_reaches_the_program(terminal):
    script = textwrap.dedent(
        """
        import shutil, signal, sys
        def report(*_):
            print("SIZE", *shutil.get_terminal_size(), flush=True)
        signal.signal(signal.SIGWINCH, report)
        report()
        sys.stdin.readline()
        """
    )
    term = terminal([sys.executable, "-c", script], size=(80, 24))
    term.wait_for("SIZE 80 24")
    term.resize(100, 30)
    term.wait_for("SIZE 100 30")
    assert term.size() == (100, 30)
    term.send_keys("Enter")
    assert term.wait_exit() == 0


def test_truecolour_reaches_the_program_and_the_capture(terminal):
    script = (
        "import os; from rich.console import Console; "
        "print('ENV', os.environ['TERM'], os.environ.get('COLORTERM'), Console().color_system); "
        "print('\\x1b[38;2;1;2;3;48;2;250;251;252mRGB\\x1b[0m', flush=True); input()"
    )
    term = terminal([sys.executable, "-c", script], env={"MFA_TUI_PROBE": "1"})
    screen = term.wait_for("RGB", colors=True)
    assert "ENV tmux-256color truecolor truecolor" in term.text()
    assert "\x1b[38;2;1;2;3m" in screen and "\x1b[48;2;250;251;252m" in screen
    cell = parse_ansi(screen)[1][0]
    assert (cell.char, cell.fg, cell.bg) == ("R", (1, 2, 3), (250, 251, 252))
    term.send_keys("Enter")
    assert term.wait_exit() == 0


def test_env_cwd_and_exit_status(terminal, tmp_path):
    term = terminal(
        'echo "$GREETING from $(pwd)"; exit 7',
        env={"GREETING": "hello"},
        cwd=tmp_path,
        size=(250, 24),  # wide enough that the tmp path does not wrap
    )
    assert term.wait_exit() == 7
    # On exit tmux 3.3 writes "Pane is dead" on the last line, scrolling the screen up by one
    # line: the first line of output is now in the scrollback.
    assert "Pane is dead (status 7" in term.text()
    assert f"hello from {tmp_path}" in term.text(scrollback=True)


def test_single_argument_list_is_not_split_by_the_shell(terminal, tmp_path):
    odd = tmp_path / "a dir"
    odd.mkdir()
    script = odd / "run me.sh"
    script.write_text("#!/bin/sh\necho RAN; read x\n")
    script.chmod(0o755)
    term = terminal([str(script)])
    term.wait_for("RAN")
    term.send_keys("Enter")
    assert term.wait_exit() == 0


def test_trailing_semicolons_survive_tmux_argument_parsing(terminal, tmp_path):
    # tmux reads an argument ending in ";" as a command separator unless it is escaped
    (tmp_path / "f").write_text("")
    term = terminal(
        [sys.executable, "-c", "print('GOT', repr(input()), flush=True); input();"],
        env={"TRAILING": "x;"},
    )
    term.type("a;b;")
    term.send_keys("Enter")
    term.wait_for("GOT 'a;b;'")
    term.send_keys("Enter")
    assert term.wait_exit() == 0
    shell = terminal(
        'printf "%s|" "$TRAILING"; find . -name f -exec echo FOUND {} \\;',
        env={"TRAILING": "x;"},
        cwd=tmp_path,
    )
    assert shell.wait_exit() == 0
    assert "x;|FOUND ./f" in shell.text(scrollback=True)


def test_literal_typing_and_key_names(terminal):
    term = terminal(
        [sys.executable, "-c", "print('GOT', repr(input()), repr(input()), flush=True); input()"]
    )
    term.type("-x; Enter $HOME")  # literal: no key names, no shell, a leading dash is fine
    term.send_keys("Enter")
    term.send_keys("a", "b", "Enter")
    term.wait_for("GOT '-x; Enter $HOME' 'ab'")
    term.send_keys("C-d")
    assert term.wait_exit() != 0  # EOFError from the last input()


def test_wait_for_reports_the_screen_on_timeout(terminal):
    term = terminal([sys.executable, "-c", "print('SOMETHING ELSE'); input()"])
    term.wait_for("SOMETHING")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*SOMETHING ELSE"):
        term.wait_for("NEVER", timeout=0.5)
    with pytest.raises(AssertionError, match=r"(?s)timed out.*SOMETHING ELSE"):
        term.wait_for(lambda screen: False, timeout=0.3)
    with pytest.raises(AssertionError, match="still running"):
        term.wait_exit(timeout=0.3)


def test_wait_for_fails_fast_when_the_program_exits(terminal):
    term = terminal("echo BYE; exit 3")
    with pytest.raises(AssertionError, match=r"exited \(status 3\)"):
        term.wait_for("NEVER", timeout=10)


def test_installed_cli_is_the_venv_console_script():
    cli = installed_cli()
    assert Path(cli).name == "mfa-tui"
    assert Path(cli).is_file()


# -- the reader, on hand-written captures -------------------------------------------------


def test_reader_keeps_sgr_state_across_lines_and_resolves_defaults():
    capture = "\x1b[31m\x1b[42mA\nB\x1b[39m\x1b[49mC\x1b[7mD\x1b[0m\x1b[38;5;196mE\n"
    dark = parse_ansi(capture, theme="dark")
    light = parse_ansi(capture, theme="light")
    assert [c.char for c in dark[1]] == ["B", "C", "D", "E"]
    assert dark[0][0].fg == (205, 0, 0) and dark[0][0].bg == (0, 205, 0)
    assert dark[1][0].fg == (205, 0, 0)  # state carried over the line end
    assert (dark[1][1].fg, dark[1][1].bg) == ((229, 229, 229), (0, 0, 0))
    assert (light[1][1].fg, light[1][1].bg) == ((0, 0, 0), (255, 255, 255))
    assert (dark[1][2].fg, dark[1][2].bg) == ((0, 0, 0), (229, 229, 229))  # reverse
    assert dark[1][3].fg == (255, 0, 0) == xterm_256(196)
    assert len(dark[0]) == len(dark[1]) == 4  # padded with default cells
    assert dark[0][1].bg == (0, 0, 0)


def test_reader_accepts_colon_and_256_colour_forms(uri):
    lines = half_block_lines(qr_matrix(uri))
    # Rich without truecolor emits 256-colour black (16) on white (231)
    c256 = "".join(f"\x1b[38;5;16;48;5;231m{line}\x1b[0m\n" for line in lines)
    colon = "".join(f"\x1b[38:2::0:0:0m\x1b[48:2::255:255:255m{line}\x1b[0m\n" for line in lines)
    for capture in (c256, colon):
        assert decode_qr_from_ansi(capture, theme="dark") == [uri]


def test_render_pixels_saves_a_png(uri, tmp_path):
    lines = half_block_lines(qr_matrix(uri))
    capture = "".join(f"{BLACK_ON_WHITE}{line}{RESET}\n" for line in lines)
    path = tmp_path / "qr.png"
    image = render_pixels(capture, theme="dark", scale=3, margin=1, path=path)
    cols, rows = len(lines[0]), len(lines)
    assert image.size == ((cols + 2) * 3, 2 * (rows + 2) * 3)
    with Image.open(path) as saved:
        assert saved.size == image.size
        assert saved.mode == "L"
        assert saved.getpixel((0, 0)) == 0  # dark-theme margin
        assert saved.getpixel((3, 6)) == 255  # white quiet zone
