""""Why does Security Hub still fail it?": a user fixed after the credential report.

Security Hub's IAM.5 reads the credential report, which AWS makes at most every 4 hours;
moto rebuilds it on every request, so the fault injector's ``freeze`` repeats the report of
before the fix, as AWS would for up to 4 hours.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mfa_tui.core.models import MfaDevice
from mfa_tui.core.user_detail import (
    ReportView,
    UserDetail,
    check_lines,
    report_view,
    security_hub_lines,
)
from tests.fixtures.moto_server import MotoServer
from tests.test_check import check
from tests.test_inventory_sources import REPORT_HEADER, report_row
from tests.test_report_audit import console_user, give_virtual_mfa

pytestmark = pytest.mark.usefixtures("state_home")

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def report_before_the_fix(moto: MotoServer, iam: Any) -> None:
    """AWS's report from now on is the one made at this moment."""
    moto.faults.freeze("GetCredentialReport")
    iam.generate_credential_report()
    iam.get_credential_report()


def test_check_says_when_security_hub_can_see_the_fix(moto: MotoServer) -> None:
    iam = moto.client("iam")
    console_user(iam, "alice")
    report_before_the_fix(moto, iam)
    give_virtual_mfa(iam, "alice")

    result = check(moto, "alice")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("✓ COMPLIANT: alice")
    [line] = [ln for ln in result.stdout.splitlines() if "Security Hub" in ln]
    # moto's report is always dated 2015-02-02 20:02 UTC: long over 4 hours old.
    assert "the credential report of 2015-02-02 20:02 UTC still says not compliant" in line
    assert "as soon as a new credential report is made" in line

    data = json.loads(check(moto, "alice", "--format", "json").stdout)
    assert data["credential_report"] == {
        "generated_at": "2015-02-02T20:02:02+00:00", "compliant": False,
        "security_hub_sees_live_state_after": "2015-02-03T00:02:02+00:00"}


def test_no_sentence_when_the_report_agrees(moto: MotoServer) -> None:
    iam = moto.client("iam")
    console_user(iam, "alice")
    give_virtual_mfa(iam, "alice")
    report_before_the_fix(moto, iam)
    moto.faults.clear_requests()

    result = check(moto, "alice")
    assert result.returncode == 0
    assert "Security Hub" not in result.stdout
    assert moto.faults.count("GetCredentialReport") == 1
    assert moto.faults.count("GenerateCredentialReport") == 0  # check never makes one


def test_no_report_at_all_is_no_sentence_and_no_warning(moto: MotoServer) -> None:
    console_user(moto.client("iam"), "alice")
    moto.faults.client_error("GetCredentialReport", "ReportNotPresent", 410)
    result = check(moto, "alice")
    assert result.returncode == 1
    assert "Security Hub" not in result.stdout and "!" not in result.stdout


# ------------------------------------------------------------------------------- pure


def fixed_alice(report_at: datetime, report_says: bool | None) -> UserDetail:
    return UserDetail(user="alice", console_access=True,
                      devices=(MfaDevice("arn:aws:iam::123456789012:mfa/alice", "virtual"),),
                      report=ReportView(report_at, report_says))


def test_a_recent_report_names_the_earliest_time() -> None:
    detail = fixed_alice(NOW - timedelta(hours=1, minutes=30), False)
    [line] = security_hub_lines(detail, NOW)
    assert line.text == (
        "! Security Hub: the credential report of 2026-12-01 18:30 UTC (1h ago) still says "
        "not compliant; it can see the fix after AWS's next credential report, not before "
        "2026-12-01 22:30 UTC (in 2h 30m).")
    assert line in check_lines(detail, NOW)


def test_the_other_way_round_is_said_too() -> None:
    """A device removed since the report: Security Hub still passes the user."""
    detail = UserDetail(user="bob", console_access=True,
                        report=ReportView(NOW - timedelta(minutes=10), True))
    [line] = security_hub_lines(detail, NOW)
    assert "still says compliant; it can see the change after" in line.text


@pytest.mark.parametrize("report_says", [True, None])
def test_nothing_to_say(report_says: bool | None) -> None:
    """The report agrees, or the user is newer than the report (not in it)."""
    assert security_hub_lines(fixed_alice(NOW - timedelta(hours=1), report_says), NOW) == []


def test_the_users_row_is_found_among_names_that_contain_it() -> None:
    content = "\n".join([REPORT_HEADER, report_row("alice.admin", password=True, mfa=True),
                         report_row("alice", password=True, mfa=False)])
    assert report_view(content, "alice", NOW).compliant is False
    assert report_view(content, "alice.admin", NOW).compliant is True
    assert report_view(content, "nobody", NOW).compliant is None


async def test_the_user_detail_says_it_too(moto: MotoServer) -> None:
    """The same sentence in the TUI: the user's detail, read live on enter."""
    from textual.widgets import Static

    from mfa_tui.engine.connect import GlobalOptions, make_connector
    from mfa_tui.tui.app import MfaTuiApp
    from mfa_tui.tui.screens.user_detail import UserDetailScreen
    from tests.fixtures.pilot_support import loaded, until

    iam = moto.client("iam")
    console_user(iam, "alice")
    report_before_the_fix(moto, iam)
    give_virtual_mfa(iam, "alice")
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: loaded(app))
        await pilot.press("slash", *"alice", "enter", "enter")
        assert isinstance(app.screen, UserDetailScreen)
        body = app.screen.query_one("#detail-body", Static)
        await until(pilot, lambda: "COMPLIANT" in str(body.render()))
        text = str(body.render())
    assert text.startswith("✓ COMPLIANT: alice")
    assert "the credential report of 2015-02-02 20:02 UTC still says not compliant" in text
    assert "Security Hub" in text
