"""What the users table shows: the view filter, the name filter and the sort order (pure).

Kept out of the widget so 5,000 rows filter in milliseconds and the rules are unit-tested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from typing import Any

from mfa_tui.core.models import UserRecord


class View(Enum):
    """The `f` cycle: all users → console users → non-compliant."""

    ALL = "all users"
    CONSOLE = "console users"
    NON_COMPLIANT = "non-compliant"

    def next(self) -> View:
        """The next view in the cycle."""
        order = list(View)
        return order[(order.index(self) + 1) % len(order)]


_EPOCH = datetime.min


def _sort_keys() -> dict[str, Callable[[UserRecord], Any]]:
    return {
        "user": lambda u: u.user.lower(),
        # Non-compliant first, then console users, so the problem rows lead.
        "state": lambda u: (u.compliant, not u.console_access, u.user.lower()),
        "console": lambda u: (not u.console_access, u.user.lower()),
        "mfa": lambda u: (u.mfa_active, len(u.mfa_devices), u.user.lower()),
        "enforced": lambda u: (not u.enforcement_attached, u.enforced_via or "", u.user.lower()),
        "last": lambda u: (
            u.password_last_used.replace(tzinfo=None) if u.password_last_used else _EPOCH
        ),
        "keys": lambda u: (u.access_keys_active, u.user.lower()),
    }


SORT_KEYS = tuple(_sort_keys())


def in_view(user: UserRecord, view: View) -> bool:
    """Whether the user belongs in the view."""
    if view is View.CONSOLE:
        return bool(user.console_access)
    if view is View.NON_COMPLIANT:
        return not user.compliant
    return True


def select_rows(
    users: Iterable[UserRecord],
    *,
    text: str = "",
    view: View = View.ALL,
    sort: str = "user",
    reverse: bool = False,
) -> list[UserRecord]:
    """The rows to show: in the view, whose name contains ``text`` (case-insensitive), sorted."""
    needle = text.strip().lower()
    rows = [u for u in users if in_view(u, view) and (not needle or needle in u.user.lower())]
    key = _sort_keys().get(sort, _sort_keys()["user"])
    rows.sort(key=key, reverse=reverse)
    return rows


def empty_text(filter_text: str, view: View) -> str:
    """Why the table shows no row (a filter without a match, or an empty view)."""
    if filter_text:
        return (f"No user matches “{filter_text}” here: Esc clears the filter, f changes the "
                "view.")
    return f"No user in this view ({view.value})."
