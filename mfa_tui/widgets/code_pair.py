"""Two 6-digit code fields, as authenticator apps show codes: digits only, six each.

Focus starts in the first field and moves to the second as soon as the first holds six
digits; Enter in either field submits both (the checks say what is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label

CODE_LENGTH = 6


class CodePair(Widget):
    """``Code 1 [······]`` / ``Code 2 [······]``; posts :class:`CodePair.Submitted`."""

    DEFAULT_CSS = """
    CodePair {
        height: auto;
        width: auto;
    }
    CodePair > Horizontal {
        height: 1;
        width: auto;
        margin-bottom: 1;
    }
    CodePair Label {
        width: 8;
    }
    CodePair Input {
        width: 10;
    }
    """

    @dataclass
    class Submitted(Message):
        """Enter was pressed in either field."""

        pair: CodePair
        code1: str
        code2: str

        @property
        def control(self) -> CodePair:
            """The pair that was submitted."""
            return self.pair

    def compose(self) -> ComposeResult:
        for n in (1, 2):
            with Horizontal():
                yield Label(f"Code {n}")
                yield Input(
                    id=f"code{n}",
                    placeholder="······",
                    restrict=r"[0-9]*",
                    max_length=CODE_LENGTH,
                    compact=True,
                    select_on_focus=False,
                )

    def field(self, n: int) -> Input:
        """Input ``n`` (1 or 2)."""
        return self.query_one(f"#code{n}", Input)

    @property
    def codes(self) -> tuple[str, str]:
        """What is typed in the two fields."""
        return self.field(1).value, self.field(2).value

    def focus_code(self, n: int = 1) -> None:
        """Put the cursor in field ``n`` (at the end of what it holds)."""
        box = self.field(n)
        box.focus()
        box.cursor_position = len(box.value)

    def clear(self, *which: int) -> None:
        """Empty the given fields (both when none is given)."""
        for n in which or (1, 2):
            self.field(n).value = ""

    @on(Input.Changed, "#code1")
    def _advance(self, event: Input.Changed) -> None:
        if len(event.value) == CODE_LENGTH and self.field(1).has_focus:
            self.focus_code(2)

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        code1, code2 = self.codes
        self.post_message(self.Submitted(self, code1, code2))
