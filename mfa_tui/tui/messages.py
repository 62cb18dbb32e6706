"""Messages more than one screen handles (kept apart so no screen imports another for them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from mfa_tui.core.user_detail import UserDetail


@dataclass
class UserConfirmed(Message):
    """A user was read live (the detail, an enrollment): the screens showing them update
    in place — the detail its body, the main screen the user's row."""

    detail: UserDetail
