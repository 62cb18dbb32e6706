"""The enforcement preview (`p`) and its confirmation (`a`); also the undo of the last run.

The screen reads the plan in a worker, shows it (policy diff, one row a user, warnings),
and — when asked to apply — asks for a confirmation proportionate to the blast radius:
`y` for one user, the 12-digit account id for more. It returns a :class:`RunRequest`;
the main screen runs it so the table stays live while the engine works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from mfa_tui.tui.base import WorkerErrorPath
from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from mfa_tui.core.plan_models import Plan
    from mfa_tui.core.plan_text import Line
    from mfa_tui.core.run_result import RunRecord
    from mfa_tui.core.undo_plan import UndoPlan

Kind = Literal["apply", "undo"]

#: Line tones → component classes styled with theme colours in app.tcss.
TONE_CLASSES = ("header", "add", "remove", "ok", "warn", "bad", "dim")


@dataclass(frozen=True)
class RunRequest:
    """What the user confirmed: an apply of ``plan``, or an undo of ``record``."""

    kind: Kind
    account: str
    plan: Plan | None = None
    undo: UndoPlan | None = None
    record: RunRecord | None = None


def confirmation_word(account: str, affected: int) -> str:
    """What must be typed: `y` for one user, the account id when more are affected."""
    return "y" if affected <= 1 else account


def confirms(typed: str, word: str) -> bool:
    """Whether ``typed`` is the confirmation: the account id exactly; y, Y or yes for `y`."""
    typed = typed.strip()
    return typed.lower() in ("y", "yes") if word == "y" else typed == word


def lines_text(lines: list[Line], style_of: Any) -> Text:
    """Lines with a tone → one Rich Text (symbols carry meaning without colour)."""
    text = Text()
    for line in lines:
        tone = line.tone if line.tone in TONE_CLASSES else ""
        text.append(line.text + "\n", style=style_of(f"preview--{tone}") if tone else "")
    return text


class EnforcePreviewScreen(WorkerErrorPath, Screen[RunRequest | None]):
    """Preview of an apply (for the marked users) or of an undo (of the last run).

    The plan's counts and warnings stay fixed above the confirmation field; the preview
    above them scrolls with PgUp/PgDn (and the arrows) while the field has the focus.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"preview--{t}" for t in TONE_CLASSES}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Back out: nothing changes"),
        Binding("a", "ask", "Apply…", id="apply", tooltip="Confirm and apply this preview"),
        Binding("t", "terraform", "Terraform…", id="terraform",
                tooltip="Write this plan as a Terraform configuration to a file"),
        # priority: the focused field (a ScrollView) would otherwise own them in the footer
        Binding("pageup", "scroll_preview(-1)", "Scroll", key_display="PgUp/PgDn",
                id="preview-page", priority=True),
        Binding("pagedown", "scroll_preview(1)", "Page down", show=False, priority=True),
        Binding("up", "scroll_preview(-0.1)", "Up", show=False),
        Binding("down", "scroll_preview(0.1)", "Down", show=False),
    ]
    WORKER_DOING: ClassVar[dict[str, str]] = {"preview": "reading the plan"}

    @dataclass
    class Ready(Message):
        """The plan (or undo) was read."""

        lines: list[Line]
        summary: list[Line]
        request: RunRequest
        affected: int
        blocked: bool
        nothing: bool

    def __init__(self, *, users: tuple[str, ...] = (), kind: Kind = "apply",
                 confirm: bool = False) -> None:
        super().__init__()
        self.users = users
        self.kind = kind
        self.confirm_now = confirm
        self.request: RunRequest | None = None
        self._word = ""
        self._blocked = True
        self._stopped_by_blocker = False  # a blocker (lock-out, edited policy...) stands
        self._asked = False

    def compose(self) -> ComposeResult:
        what = (f"Enforcement preview: {len(self.users)} user(s)" if self.kind == "apply"
                else "Undo the last enforcement run")
        yield Static(what, id="preview-title")
        with VerticalScroll(id="preview-scroll"):
            yield Static("Reading the account and the policy…", id="preview-body")
        yield Static("", id="preview-summary")
        yield Static("", id="confirm-label")
        yield Input(id="confirm", placeholder="type here, Enter applies, Esc backs out")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#confirm", Input).display = False
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def load(self) -> None:
        from mfa_tui.core.plan_summary import plan_summary, undo_summary
        from mfa_tui.core.plan_text import plan_lines, undo_lines

        conn = self.mfa_app.connection()
        if self.kind == "apply":
            from mfa_tui.core.plan_models import Selection
            from mfa_tui.engine.plan_inputs import load_plan

            plan = load_plan(conn, Selection(mode="users", users=self.users))
            request = RunRequest("apply", plan.account, plan=plan)
            ready = self.Ready(plan_lines(plan), plan_summary(plan), request,
                               plan.affected_users,
                               bool(plan.blockers), plan.nothing_to_do)
        else:
            from mfa_tui.engine.plan_inputs import load_undo

            record, undo = load_undo(conn, None)
            steps = len(undo.per_user) + len(undo.final)
            request = RunRequest("undo", record.account, undo=undo, record=record)
            ready = self.Ready(undo_lines(undo), undo_summary(undo), request, steps,
                               bool(undo.blockers),
                               undo.nothing_to_do)
        self.post_message(ready)

    @on(Ready)
    def show(self, message: Ready) -> None:
        self.request = message.request
        body = lines_text(message.lines, self.get_component_rich_style)
        self.query_one("#preview-body", Static).update(body)
        summary = lines_text(message.summary, self.get_component_rich_style)
        summary.rstrip()  # no blank line between the summary and the field
        self.query_one("#preview-summary", Static).update(summary)
        self._word = confirmation_word(message.request.account, message.affected)
        self._blocked = message.blocked or message.nothing
        self._stopped_by_blocker = message.blocked
        self.refresh_bindings()
        if self.confirm_now or self._blocked:
            self.action_ask()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "ask":  # only while there is something to confirm, and not yet asked
            return self.request is not None and not self._blocked and not self._asked
        return True

    def action_scroll_preview(self, pages: float) -> None:
        scroll = self.query_one("#preview-scroll", VerticalScroll)
        step = max(1, int(scroll.size.height * abs(pages)))
        scroll.scroll_relative(y=step if pages > 0 else -step, animate=False)

    def action_ask(self) -> None:
        label = self.query_one("#confirm-label", Static)
        if self.request is None:
            return
        if self._blocked:
            verb = "apply" if self.kind == "apply" else "undo"
            label.update("Blocked (see above): nothing runs while a blocker stands. Esc "
                         "goes back." if self._stopped_by_blocker else
                         f"Nothing to {verb} (see above). Esc goes back.")
            return
        verb = "apply" if self.kind == "apply" else "undo"
        if self._word == "y":
            label.update(f"Type y and Enter to {verb}; Esc backs out with nothing changed.")
        else:
            label.update(f"This changes more than one user: type the account id "
                         f"{self._word} and Enter to {verb}; Esc backs out.")
        box = self.query_one("#confirm", Input)
        box.display = True
        # Now, not on a later tick (Widget.focus defers): a key typed the moment the plan
        # shows lands in the field, not in the scroll view.
        self.set_focus(box)
        self._asked = True
        self.refresh_bindings()

    @on(Input.Submitted, "#confirm")
    def submitted(self, event: Input.Submitted) -> None:
        if confirms(event.value, self._word) and self.request is not None:
            self.dismiss(self.request)
            return
        expected = "y" if self._word == "y" else "the account id"
        self.query_one("#confirm-label", Static).update(
            f"That is not {expected}; nothing changed. Type {self._word} or press Esc.")
        event.input.value = ""

    def action_back(self) -> None:
        self.dismiss(None)

    def action_terraform(self) -> None:
        """Ask for a file and write the plan's Terraform configuration there."""
        from mfa_tui.tui.screens.terraform_export import TerraformFileModal, write_configuration

        plan = self.request.plan if self.request is not None else None
        if plan is None:
            why = ("an undo has no Terraform form" if self.kind == "undo"
                   else "the plan is still being read")
            self.notify(f"No Terraform configuration: {why}.", severity="warning")
            return
        if plan.blockers:
            self.notify(write_configuration(plan, ""), severity="error", timeout=10)
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                said = write_configuration(plan, name)
                bad = not said.startswith("Wrote")
                self.notify(said, severity="error" if bad else "information", timeout=10)

        self.app.push_screen(TerraformFileModal(), chosen)

    def worker_failed(self, group: str, message: str) -> None:
        self.query_one("#preview-body", Static).update(Text(message, style="bold"))
        self.query_one("#preview-summary", Static).update("")
        self._blocked = True
        self.refresh_bindings()
