"""Two 6-digit code fields, as authenticator apps show codes: digits only, six each.

Focus starts in the first field and moves to the second as soon as the first holds six
digits; Enter in either field submits both (the checks say what is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label

CODE_LENGTH = 6


class DigitInput(Input):
    """An Input that takes digits only and lets other printable keys reach key bindings
    (Textual drops every printable key from the bindings while an Input has focus).

    Digits typed into a full field go on into ``next_field``: a fast typist (or a terminal
    that delivers keys in a burst) is ahead of the focus move. A pasted "123 456" or
    "123456 234567" keeps its digits and fills the fields in order.
    """

    next_field: DigitInput | None = None

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isdigit()

    def take_digits(self, digits: str) -> None:
        """Fill this field from the cursor, then pass what is left to the next field."""
        room = (self.max_length or CODE_LENGTH) - len(self.value)
        if room > 0 and self.selection.is_empty:
            self.insert_text_at_cursor(digits[:room])
            digits = digits[room:]
        if digits and self.next_field is not None:
            self.next_field.take_digits(digits)
            self.screen.set_focus(self.next_field)  # now: the next key is already on its way

    # Textual calls the _on_ handlers of every class in the MRO until prevent_default():
    # these run before Input's, and stop it only when they handled the event.
    async def _on_key(self, event: events.Key) -> None:
        full = self.max_length and len(self.value) >= self.max_length
        if full and event.character and event.character.isdigit() and self.selection.is_empty:
            event.stop()
            event.prevent_default()
            self.take_digits(event.character)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        digits = "".join(ch for ch in event.text if ch.isdigit())
        if digits:
            self.take_digits(digits)


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
                yield DigitInput(
                    id=f"code{n}",
                    placeholder="······",
                    restrict=r"[0-9]*",
                    max_length=CODE_LENGTH,
                    compact=True,
                    select_on_focus=False,
                )

    def on_mount(self) -> None:
        self.field(1).next_field = self.field(2)

    def field(self, n: int) -> DigitInput:
        """Input ``n`` (1 or 2)."""
        return self.query_one(f"#code{n}", DigitInput)

    @property
    def codes(self) -> tuple[str, str]:
        """What is typed in the two fields."""
        return self.field(1).value, self.field(2).value

    def focus_code(self, n: int = 1) -> None:
        """Put the cursor in field ``n`` (at the end of what it holds)."""
        box = self.field(n)
        self.screen.set_focus(box)  # now, not on the next idle: keys may already be queued
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
