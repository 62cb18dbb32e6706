"""The profile picker (`P`): keyring profiles and AWS config profiles; the active one marked.

Reading the AWS config's profile names needs botocore, so the list is filled by a worker.
Choosing a profile switches the app's connection live (:func:`switch_to`).
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
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from mfa_tui.tui.app import MfaTuiApp

Source = Literal["chain", "keyring", "aws"]
_SOURCE_TEXT = {"chain": "", "keyring": "keyring profile", "aws": "AWS config profile"}


@dataclass(frozen=True)
class ProfileChoice:
    """A profile to switch to; ``name`` None is the standard AWS credential chain."""

    name: str | None
    source: Source

    @property
    def label(self) -> str:
        return self.name or ""


class ProfilePickerScreen(ModalScreen["ProfileChoice | None"]):
    """Lists every profile; Enter switches to the highlighted one, Esc keeps the current."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel-profile",
                tooltip="Keep the current profile"),
    ]

    @dataclass
    class Listed(Message):
        """The profiles were read (in a worker)."""

        choices: list[ProfileChoice]

    def __init__(self, active: str) -> None:
        super().__init__()
        self.active = active
        self.choices: list[ProfileChoice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-picker-dialog"):
            yield Static("Switch profile", id="profile-picker-title")
            yield OptionList(id="profile-list")
            yield Static("Reading profiles…", id="profile-picker-status")

    def on_mount(self) -> None:
        self.read_profiles()

    @work(thread=True, exclusive=True, exit_on_error=False, group="profiles")
    def read_profiles(self) -> None:
        from mfa_tui.engine.profile_sources import ProfileSources

        # Each name once, as --profile resolves it (a name in both places: the keyring one).
        choices = [ProfileChoice(None, "chain")]
        choices += [ProfileChoice(name, source) for name, source in ProfileSources().listing()]
        self.post_message(self.Listed(choices))

    @on(Listed)
    def show(self, message: Listed) -> None:
        self.choices = message.choices
        options = self.query_one(OptionList)
        options.clear_options()
        highlight = 0
        for index, choice in enumerate(self.choices):
            active = choice.label == self.active
            if active:
                highlight = index
            name = choice.name or "standard AWS credential chain (env, AWS_PROFILE, ~/.aws)"
            kind = _SOURCE_TEXT[choice.source]
            text = f"{'●' if active else ' '} {name}" + (f"  ({kind})" if kind else "")
            options.add_option(Option(text, id=f"profile-{index}"))
        options.highlighted = highlight
        self.query_one("#profile-picker-status", Static).update(
            "Enter switches (the table reloads, marks clear) · Esc keeps the current one")
        options.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "profiles":
            from mfa_tui.aws.errors import explain

            error = event.worker.error or RuntimeError("unknown")
            self.query_one("#profile-picker-status", Static).update(
                explain(error, doing="listing profiles"))

    @on(OptionList.OptionSelected, "#profile-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def switch_to(app: MfaTuiApp, choice: ProfileChoice | None) -> None:
    """Connect the app to ``choice`` (None or the active profile: nothing to do)."""
    if choice is None or (choice.label == app.profile_label and not app.options.demo):
        return
    from mfa_tui.engine.connect import make_connector

    opts = replace(app.options, profile=choice.name, demo=False)
    connector = make_connector(opts, ask_code=app.ask_mfa_code)
    app.options = opts
    app.switch_connection(connector, choice.label, cache_key=opts.connection_key())
