"""Make the README's SVG screenshots from the real app on the demo account.

    .venv/bin/python docs/screenshots.py

Runs `mfa-tui --demo` headless (Textual's test driver), presses the keys a user would, and
saves each screen as SVG next to this script.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.widgets.account_header import AccountHeader

HERE = Path(__file__).resolve().parent

SHOTS: tuple[tuple[str, tuple[int, int], Sequence[str]], ...] = (
    ("main-screen.svg", (100, 30), ()),
    ("non-compliant-marked.svg", (80, 24), ("f", "f", "N")),
    ("enforcement-preview.svg", (100, 30), ("N", "p")),
)


async def shoot(name: str, size: tuple[int, int], keys: Sequence[str]) -> None:
    """Start the app on the demo account, wait for the table, press keys, save an SVG."""
    app = MfaTuiApp(make_connector(GlobalOptions(demo=True)), demo=True, refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        header = app.screen.query_one(AccountHeader)
        for _ in range(400):  # the complete read, not the report's provisional table
            if header.inventory is not None and not header.inventory.provisional \
                    and not header.busy:
                break
            await pilot.pause(0.05)
        await pilot.press(*keys)
        for _ in range(200):  # a preview reads the plan in a worker
            if getattr(app.screen, "request", True) is not None:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        app.save_screenshot(filename=name, path=str(HERE))
    print(f"wrote {HERE / name}")


async def shoot_org(name: str, size: tuple[int, int]) -> None:
    """`mfa-tui --demo --org`: the accounts screen once every account has answered."""
    from mfa_tui.tui.widgets.org_header import OrgHeader

    opts = GlobalOptions(demo=True, org=True)
    app = MfaTuiApp(make_connector(opts), demo=True, options=opts, refresh_interval=0)
    async with app.run_test(size=size) as pilot:
        for _ in range(400):
            header = app.screen.query(OrgHeader)
            totals = header.first().totals if header else None
            if totals is not None and totals.read == totals.accounts and not header.first().busy:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        app.save_screenshot(filename=name, path=str(HERE))
    print(f"wrote {HERE / name}")


async def main() -> None:
    """Every screenshot, one app each."""
    for name, size, keys in SHOTS:
        await shoot(name, size, keys)
    await shoot_org("accounts-screen.svg", (80, 24))


if __name__ == "__main__":
    asyncio.run(main())
