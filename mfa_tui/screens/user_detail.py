"""User detail: what the inventory knows at once, then the live answer (placeholder)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..core.models import UserRecord


class UserDetailScreen(Screen[None]):
    """One user's devices, groups, policies, last sign-in and keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="back"),
    ]

    def __init__(self, user: UserRecord) -> None:
        super().__init__()
        self.user = user

    def compose(self) -> ComposeResult:
        yield Static(self.user.user, id="detail-title")
        yield Static("Loading live detail…", id="detail-body")
        yield Footer()
