"""The first inventory read by a helper process while the TUI starts (mfa_tui/prefetch.py).

Real parts: the helper is the real ``python -m mfa_tui.prefetch`` child process, talking to
the moto server over HTTP with the dummy credentials the moto fixture puts in the
environment; the app runs under Pilot. The server's request log tells who read what.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mfa_tui import cli, prefetch
from mfa_tui.app import MfaTuiApp
from mfa_tui.connect import GlobalOptions, make_connector
from mfa_tui.demo.account import seed_account
from mfa_tui.screens.main import MainScreen
from mfa_tui.widgets.account_header import AccountHeader
from mfa_tui.widgets.users_table import UsersTable
from tests.fixtures.keyrings import KeyringEnv
from tests.fixtures.moto_server import MotoServer
from tests.pilot_support import loaded, until


def gone(pid: int) -> bool:
    """The process no longer exists (reaped) or is a zombie nobody waits for."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.fixture
def helper(moto: MotoServer) -> Iterator[prefetch.Prefetch]:
    started = prefetch.Prefetch.start(GlobalOptions(endpoint_url=moto.url))
    assert started is not None
    yield started
    started.stop()


def app_with(moto: MotoServer, started: prefetch.Prefetch | None) -> MfaTuiApp:
    opts = GlobalOptions(endpoint_url=moto.url)
    return MfaTuiApp(make_connector(opts), refresh_interval=0, options=opts, prefetch=started)


def test_wanted_only_where_nothing_can_need_a_prompt(
    file_keyring: KeyringEnv, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mfa_tui import profiles

    profiles.add(profiles.Profile("ops", "AKIAEXAMPLEEXAMPLE01"), profiles.Secrets("s" * 40))
    assert prefetch.wanted(GlobalOptions())
    assert prefetch.wanted(GlobalOptions(profile="an-aws-config-profile"))
    assert not prefetch.wanted(GlobalOptions(profile="ops"))  # its secret stays in the TUI
    assert not prefetch.wanted(GlobalOptions(demo=True))  # the demo server lives in the TUI
    monkeypatch.setenv("MFA_TUI_NO_PREFETCH", "1")
    assert not prefetch.wanted(GlobalOptions())


def test_only_a_plain_tui_launch_starts_a_helper(moto: MotoServer) -> None:
    for argv in (["report"], ["--help"], ["--demo"], ["--endpoint-url", moto.url, "check", "x"],
                 ["--demo-users", "0"], ["--no-such-flag"]):
        assert cli._start_prefetch(argv) is None, argv
    started = cli._start_prefetch(["--endpoint-url", moto.url])
    assert started is not None
    started.stop()
    assert gone(started.pid)


async def test_the_helper_reads_the_account_and_the_app_does_not_read_it_again(
    moto: MotoServer, helper: prefetch.Prefetch,
) -> None:
    seed_account(60)
    moto.faults.add_latency(1.5, actions="ListUsers")
    moto.faults.clear_requests()
    app = app_with(moto, helper)
    async with app.run_test(size=(100, 30)) as pilot:
        header = app.screen.query_one(AccountHeader)
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60)
        assert header.inventory is not None and header.inventory.provisional
        await until(pilot, lambda: loaded(app))
        assert "example-corp-prod" in str(header.render())
        assert moto.faults.count("ListUsers") == 1  # the helper's; the app did not repeat it
        assert moto.faults.count("GetCredentialReport") == 1
        await until(pilot, lambda: gone(helper.pid))
        await until(pilot, lambda: app._connection is not None)  # ready for the first detail
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.inventory is not None
        bob = screen.inventory.get("bob")
        assert bob is not None and not bob.compliant


async def test_an_aws_error_in_the_helper_is_the_same_one_sentence(
    moto: MotoServer, helper: prefetch.Prefetch,
) -> None:
    seed_account(60)
    moto.faults.access_denied(actions="ListUsers")
    app = app_with(moto, helper)
    async with app.run_test(size=(100, 30)) as pilot:
        header = app.screen.query_one(AccountHeader)
        await until(pilot, lambda: bool(header.error))
        assert "AWS denied ListUsers" in header.error
        assert "Traceback" not in header.error


async def test_a_helper_that_dies_means_the_app_reads_by_itself(
    moto: MotoServer, helper: prefetch.Prefetch,
) -> None:
    seed_account(60)
    os.kill(helper.pid, 9)
    moto.faults.clear_requests()
    app = app_with(moto, helper)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: loaded(app))
        assert len(app.screen.query_one(UsersTable).rows) == 60
    assert moto.faults.count("ListUsers") == 1  # the app's own read


async def test_leaving_the_app_stops_a_helper_still_reading(
    moto: MotoServer, helper: prefetch.Prefetch,
) -> None:
    seed_account(60)
    moto.faults.add_latency(10.0, actions="ListUsers")
    app = app_with(moto, helper)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60)  # the report's table
        assert not gone(helper.pid)  # still waiting for ListUsers
        await pilot.press("q")
    assert gone(helper.pid) and helper.stopped
