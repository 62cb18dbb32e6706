"""The profile picker (`P`): keyring profiles and AWS config profiles; the active one marked.

Reading the AWS config's profile names needs botocore, so the list is filled by a worker.
Under ``--demo`` the demo account is listed first, and it is the active one. Choosing another
profile asks first (the marks clear and another account loads), then switches the app's
connection live (:func:`switch_to`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mfa_tui.tui.base import WorkerErrorPath
from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from mfa_tui.tui.base import MfaApp

Source = Literal["demo", "chain", "keyring", "aws"]
_SOURCE_TEXT = {"demo": "", "chain": "", "keyring": "keyring profile",
                "aws": "AWS config profile"}


@dataclass(frozen=True)
class ProfileChoice:
    """A profile to switch to; ``name`` None is the standard AWS credential chain."""

    name: str | None
    source: Source

    @property
    def label(self) -> str:
        return self.name or ""

    @property
    def text(self) -> str:
        """How the list names it."""
        if self.source == "demo":
            return "DEMO: the embedded demo account (nothing real)"
        return self.name or "standard AWS credential chain (env, AWS_PROFILE, ~/.aws)"

    def is_active(self, active: str, demo: bool) -> bool:
        """Whether this is what the app uses now (the demo, under --demo)."""
        if demo:
            return self.source == "demo"
        return self.source != "demo" and self.label == active


class ProfilePickerScreen(WorkerErrorPath, ModalScreen["ProfileChoice | None"]):
    """Lists every profile; Enter switches to the highlighted one (after a question), Esc
    keeps the current one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="cancel-profile",
                tooltip="Keep the current profile"),
    ]
    WORKER_DOING: ClassVar[dict[str, str]] = {"profiles": "listing profiles"}

    @dataclass
    class Listed(Message):
        """The profiles were read (in a worker)."""

        choices: list[ProfileChoice]

    def __init__(self, active: str, *, demo: bool = False) -> None:
        super().__init__()
        self.active = active
        self.demo = demo
        self.choices: list[ProfileChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-picker-dialog"):
            yield Static("Switch profile", id="profile-picker-title")
            yield OptionList(id="profile-list")
            yield Static("Reading profiles…", id="profile-picker-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.read_profiles()

    @work(thread=True, exclusive=True, exit_on_error=False, group="profiles")
    def read_profiles(self) -> None:
        from mfa_tui.engine.profile_sources import ProfileSources

        # Each name once, as --profile resolves it (a name in both places: the keyring one).
        choices = [ProfileChoice(None, "demo")] if self.demo else []
        choices += [ProfileChoice(None, "chain")]
        choices += [ProfileChoice(name, source) for name, source in ProfileSources().listing()]
        self.post_message(self.Listed(choices))

    @on(Listed)
    def show(self, message: Listed) -> None:
        self.choices = message.choices
        options = self.query_one(OptionList)
        options.clear_options()
        highlight = 0
        for index, choice in enumerate(self.choices):
            active = choice.is_active(self.active, self.demo)
            if active:
                highlight = index
            kind = _SOURCE_TEXT[choice.source]
            text = f"{'●' if active else ' '} {choice.text}" + (f"  ({kind})" if kind else "")
            text += "  (active)" if active else ""
            options.add_option(Option(text, id=f"profile-{index}"))
        options.highlighted = highlight
        self.query_one("#profile-picker-status", Static).update(
            "● is active · Enter switches (asks first: the table reloads, marks clear) · "
            "Esc keeps the current one")
        options.focus()

    def worker_failed(self, group: str, message: str) -> None:
        self.query_one("#profile-picker-status", Static).update(message)

    @on(OptionList.OptionSelected, "#profile-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        choice = self.choices[event.option_index]
        if choice.is_active(self.active, self.demo):
            self.notify(f"{choice.text} is already active.", title="Nothing to switch")
            return
        from mfa_tui.tui.screens.confirm import ConfirmScreen

        question = (f"Switch to {choice.text}? The table reloads from that account and every "
                    "mark clears.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(choice)

        self.app.push_screen(ConfirmScreen("Switch account", question, yes="switch"),
                             answered)

    def action_cancel(self) -> None:
        self.dismiss(None)


def switch_to(app: MfaApp, choice: ProfileChoice | None) -> None:
    """Connect the app to ``choice`` (None or the active profile: nothing to do)."""
    if choice is None or choice.is_active(app.profile_label, app.options.demo):
        return
    from mfa_tui.engine.connect import make_connector

    opts = replace(app.options, profile=choice.name, demo=False)
    connector = make_connector(opts, ask_code=app.ask_mfa_code)
    app.options = opts
    app.switch_connection(connector, choice.label, cache_key=opts.connection_key())
