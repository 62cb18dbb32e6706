"""Helpers shared by the Pilot tests."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot


async def until(pilot: Pilot[int], check: Callable[[], object], tries: int = 300) -> None:
    """Let the app run until ``check()`` holds (workers answer over HTTP), or fail."""
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition never held")


def loaded(app: App[int]) -> bool:
    """The main screen shows a complete live read (not the cache, not the report alone)."""
    from mfa_tui.tui.widgets.account_header import AccountHeader

    header = app.screen.query_one(AccountHeader)
    inventory = header.inventory
    return inventory is not None and not inventory.provisional and not header.busy
