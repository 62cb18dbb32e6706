"""User detail: the inventory's row at once, then the live answer (the same lines as `check`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from mfa_tui.core.models import UserRecord
from mfa_tui.core.text import enroll_note
from mfa_tui.core.user_detail import UserDetail, check_lines
from mfa_tui.tui.base import WorkerErrorPath
from mfa_tui.tui.messages import UserConfirmed
from mfa_tui.tui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from mfa_tui.core.models import MfaDevice

#: Tones of the check lines → component classes styled with theme colours in app.tcss.
_TONE_CLASS = {"ok": "ok", "bad": "bad", "warn": "warn", "unknown": "warn", "plain": ""}


class UserDetailScreen(WorkerErrorPath, Screen[None]):
    """One user's console access, devices, enforcement, groups, policies, sign-in and keys."""

    WORKER_DOING: ClassVar[dict[str, str]] = {"detail": "reading the user"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to the table"),
        Binding("r", "reload", "Reload", id="reload", tooltip="Read this user again now"),
        Binding("e", "enroll", "Enroll", id="detail-enroll",
                tooltip="Enroll a virtual MFA device for this user (QR code)"),
        Binding("R", "resync", "Resync", id="resync",
                tooltip="Resync an MFA device whose codes drifted (two codes from it)"),
        Binding("D", "remove_device", "Remove device", id="remove-device",
                tooltip="Lost device: deactivate and delete it (type the user's name)"),
    ]

    def __init__(self, user: UserRecord) -> None:
        super().__init__()
        self.user = user
        #: The live answer, once read (None until then: the actions read the devices live).
        self.detail: UserDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(f"{self.user.user}  {self.user.arn}", id="detail-title")
        with VerticalScroll(id="detail-scroll"):
            yield Static(self._from_inventory(), id="detail-body")
        yield KeysFooter()

    def _from_inventory(self) -> Text:
        u = self.user
        text = Text()
        text.append("✓ compliant" if u.compliant else "✗ not compliant", style="bold")
        text.append(" (from the inventory; reading live…)\n", style="dim")
        return text

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self.load_detail()

    def _reload_if(self, changed: object) -> None:
        if changed:
            self.action_reload()  # the row below updates too (UserConfirmed)

    def action_enroll(self) -> None:
        from mfa_tui.tui.screens.enroll import EnrollScreen

        note = enroll_note(self.user)
        if note:
            self.notify(note, title=f"Enrolling {self.user.user}", severity="warning")
        self.app.push_screen(EnrollScreen(self.user.user), self._reload_if)

    def _devices_say_no(self, kinds: frozenset[str], what: str) -> bool:
        """True (and a toast saying why) when the live answer shows no device to ``what``."""
        devices: tuple[MfaDevice, ...] = self.detail.devices if self.detail else ()
        if self.detail is None or any(d.type in kinds for d in devices):
            return False  # not read yet: the dialog reads the devices live and says so
        others = f" (only {', '.join(sorted({d.type for d in devices}))})" if devices else ""
        self.notify(f"{self.user.user} has no MFA device to {what}{others}.",
                    title="Nothing to do", severity="warning")
        return True

    def action_resync(self) -> None:
        from mfa_tui.tui.screens.device_actions import ResyncDeviceScreen

        if not self._devices_say_no(ResyncDeviceScreen.TYPES, "resync"):
            self.app.push_screen(ResyncDeviceScreen(self.user.user), self._reload_if)

    def action_remove_device(self) -> None:
        from mfa_tui.tui.screens.device_actions import RemoveDeviceScreen

        if not self._devices_say_no(RemoveDeviceScreen.TYPES, "remove"):
            self.app.push_screen(RemoveDeviceScreen(self.user.user), self._reload_if)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def load_detail(self) -> None:
        from mfa_tui.aws.user_detail import load_user_detail

        detail = load_user_detail(self.mfa_app.connection(), self.user.user)
        self.post_message(UserConfirmed(detail))

    @on(UserConfirmed)
    def show_detail(self, message: UserConfirmed) -> None:
        self.detail = message.detail
        text = Text()
        for line in check_lines(message.detail, datetime.now(UTC)):
            tone = _TONE_CLASS.get(line.tone, "")
            style = self.get_component_rich_style(f"detail--{tone}") if tone else ""
            text.append(line.text + "\n", style=style)
        self.query_one("#detail-body", Static).update(text)
        # Let the screen below update its row (the stack is ours: it is the main screen).
        for screen in self.app.screen_stack:
            if screen is not self:
                screen.post_message(UserConfirmed(message.detail))

    def worker_failed(self, group: str, message: str) -> None:
        self.query_one("#detail-body", Static).update(Text(message, style="bold"))

    COMPONENT_CLASSES: ClassVar[set[str]] = {"detail--ok", "detail--bad", "detail--warn"}
