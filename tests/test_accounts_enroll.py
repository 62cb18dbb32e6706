"""Enrolling from an account opened on the accounts screen acts in that member account only
(through its role), on the demo organization seeded into the harness's moto server."""

from __future__ import annotations

import pytest

from mfa_tui.tui.screens.enroll import EnrollScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.widgets.accounts_table import AccountsTable
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.org_support import MotoOrg
from tests.fixtures.pilot_support import enroll_from_the_qr, until
from tests.test_accounts_screen import DEV, MANAGEMENT, ids, running

pytestmark = pytest.mark.usefixtures("state_home")


async def test_enroll_in_an_opened_account_creates_and_enables_the_device_there(
        moto: MotoServer) -> None:
    async with running(moto) as (app, pilot, screen):
        screen.query_one(AccountsTable).move_cursor(row=ids(screen).index(DEV))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen)
                    and app.screen.inventory is not None)
        await pilot.press("slash", *"kai.ito", "enter")
        moto.faults.clear_requests()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EnrollScreen)
                    and app.screen.state == "scan")
        enroll = app.screen
        assert isinstance(enroll, EnrollScreen)
        await enroll_from_the_qr(pilot, enroll)
    member = MotoOrg("").iam(moto, DEV)
    devices = member.list_mfa_devices(UserName="kai.ito")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [f"arn:aws:iam::{DEV}:mfa/kai.ito"]
    writes = [r for r in moto.faults.requests if r.mutating]
    assert {r.action for r in writes} == {"CreateVirtualMFADevice", "EnableMFADevice"}
    assert "testing" not in {r.access_key_id for r in writes}  # the member's role only
    # The management account (the caller's own) got no device of that name.
    listed = moto.client("iam").list_virtual_mfa_devices()["VirtualMFADevices"]
    assert f"arn:aws:iam::{MANAGEMENT}:mfa/kai.ito" not in {d["SerialNumber"] for d in listed}
