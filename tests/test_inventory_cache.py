"""The cached inventory paints the table before AWS answers, and says it is cached."""

from __future__ import annotations

import asyncio
import stat

from mfa_tui.core.inventory_codec import inventory_from_dict, inventory_to_dict
from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.state.inventory_cache import cache_path, load_cached
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.pilot_support import loaded, until


async def test_second_start_paints_the_cache_then_says_the_refresh_failed(
    moto, state_home
) -> None:
    seed_account(60)
    opts = GlobalOptions(endpoint_url=moto.url)
    key = opts.connection_key()
    first = MfaTuiApp(make_connector(opts), refresh_interval=0, cache_key=key)
    async with first.run_test(size=(80, 24)) as pilot:
        table = first.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60 and loaded(first))
    path = cache_path(key)
    for _ in range(100):  # the worker writes the cache right after posting the rows
        if path.exists():
            break
        await asyncio.sleep(0.05)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    moto.faults.server_error(503, actions="ListUsers")  # AWS is down on the second start
    second = MfaTuiApp(make_connector(opts), refresh_interval=0, cache_key=key)
    async with second.run_test(size=(80, 24)) as pilot:
        table = second.screen.query_one(UsersTable)
        header = second.screen.query_one(AccountHeader)
        await until(pilot, lambda: len(table.rows) == 60)
        assert "cached" in str(header.render())
        await until(pilot, lambda: bool(header.error))
        assert len(table.rows) == 60  # the failed refresh kept what was shown


def test_codec_round_trips_every_field(moto) -> None:
    from mfa_tui.aws.inventory import load_inventory
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions

    seed_account(60)
    inv = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    back = inventory_from_dict(inventory_to_dict(inv))
    assert back is not None
    assert back.users == inv.users
    assert (back.account, back.alias, back.caller.arn) == (inv.account, inv.alias, inv.caller.arn)


def test_damaged_cache_is_ignored(state_home) -> None:
    path = cache_path("k")
    path.parent.mkdir(parents=True)
    path.write_text('{"format": 2, "users": [["half"')
    assert load_cached("k") is None
    path.write_text('{"format": 99}')
    assert load_cached("k") is None
