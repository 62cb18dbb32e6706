"""The TUI's MFA-code dialog masks the code, as the terminal prompt does (no echo there).

A code shown in clear is a code for a shoulder, a screen share or a terminal recording; it is
valid for up to a minute. Everything drawn (the SVG of the whole screen) is searched.
"""

from __future__ import annotations

import html
import re
import threading

from textual.app import App

from mfa_tui.core.mfa_code import CodeRequest
from mfa_tui.tui.screens.mfa_code import MfaCodeScreen


def drawn_text(app: App[None]) -> str:
    svg = app.export_screenshot()
    return html.unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace(
        "\xa0", " ")


async def test_the_code_is_masked_while_typed_and_given_whole() -> None:
    answers: list[str | None] = []
    done = threading.Event()

    class Host(App[None]):
        def on_mount(self) -> None:
            def answered(code: str | None) -> None:
                answers.append(code)
                done.set()

            self.push_screen(MfaCodeScreen(CodeRequest(
                "arn:aws:iam::123456789012:mfa/admin", profile="prod")), answered)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MfaCodeScreen)
        await pilot.press(*"842913")
        shown = drawn_text(app)
        assert "MFA code for profile prod" in shown  # the dialog is drawn
        assert "842913" not in shown and "8429" not in shown
        assert "••••••" in shown
        await pilot.press("enter")
        await pilot.pause()
    assert done.is_set() and answers == ["842913"]
