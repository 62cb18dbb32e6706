"""The TUI on a real (moto) account, driven through Pilot."""

from __future__ import annotations

from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.users_table import UsersTable


async def wait_for_rows(pilot, table: UsersTable, tries: int = 100) -> None:
    for _ in range(tries):
        if table.rows:
            return
        await pilot.pause(0.05)
    raise AssertionError("the users table never filled")


async def test_main_screen_shows_the_account_and_fills_the_table(moto) -> None:
    seed_account(60)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(UsersTable)
        await wait_for_rows(pilot, table)
        assert len(table.rows) == 60
        header = app.screen.query_one(AccountHeader)
        rendered = str(header.render())
        assert "123456789012" in rendered and "example-corp-prod" in rendered
        assert "arn:aws:sts::123456789012:user/moto" in rendered
        assert "non-compliant" in rendered
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_a_failed_load_is_a_sentence_not_a_crash(moto) -> None:
    moto.faults.server_error(503, actions="GetCallerIdentity")
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)))
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one(AccountHeader)
        for _ in range(200):
            await pilot.pause(0.05)
            if header.error:
                break
        assert "GetCallerIdentity" in header.error
        assert app.is_running
