"""Hardware TOTP tokens and FIDO keys on the enrollment screen (Pilot, moto server).

moto takes any serial and any codes in EnableMFADevice (it validates neither, and lets two
users hold one serial), so AWS's refusals of a token (wrong codes, a serial in use, an unknown
serial) are injected with the fault wrapper's ``client_error`` rule: real HTTP answers with
AWS's codes and statuses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from textual.widgets import Input, Static

from mfa_tui.aws.enroll import discard_open_enrollments
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.enroll import EnrollOutcome, EnrollScreen
from mfa_tui.tui.screens.hardware_serial import HardwareSerialScreen
from mfa_tui.tui.widgets.code_pair import CodePair
from mfa_tui.tui.widgets.qr_code import QrCode
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import until
from tests.test_enroll_screen import Session, devices_of, unassigned

SERIAL = "GAHT12345678"


@pytest.fixture(autouse=True)
def _no_enrollment_outlives_its_test(moto: MotoServer) -> Iterator[None]:
    yield
    discard_open_enrollments()


@asynccontextmanager
async def enrolling(moto: MotoServer, *, hardware: str | None = SERIAL,
                    wait: str = "scan") -> AsyncIterator[Session]:
    moto.client("iam").create_user(UserName="alice")
    outcome = EnrollOutcome()
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)),
                    start_screen=lambda: EnrollScreen("alice", outcome=outcome,
                                                      hardware=hardware))
    async with app.run_test(size=(80, 24)) as pilot:
        session = Session(app, pilot, outcome)
        await until(pilot, lambda: session.screen.state == wait)
        yield session


def title(s: Session) -> str:
    return str(s.screen.query_one("#enroll-title", Static).render())


async def test_a_token_takes_its_serial_and_two_codes_and_nothing_else(
    moto: MotoServer
) -> None:
    async with enrolling(moto) as s:
        assert title(s) == f"Enable the hardware token {SERIAL} for alice"
        assert not s.screen.query_one("#enroll-qr-area").display  # no QR code
        assert s.app.focused is not None and s.app.focused.id == "code1"
        for typed, words in [
            (("12345", "234567"), "Code 1 must be 6 digits (it has 5): type the whole number "
                                  "the token shows"),
            (("123456", "123456"), "The two codes are the same: wait until the token shows"),
        ]:
            await s.enter_codes(*typed)
            assert words in s.message and s.screen.state == "scan"
        assert moto.faults.count("EnableMFADevice") == 0  # refused before asking AWS
        await s.enter_codes("123456", "234567")
        await until(s.pilot, lambda: s.outcome.code == 0)
    assert s.outcome.message == f"✓ alice is enrolled: {SERIAL}"
    assert devices_of(moto, "alice") == [SERIAL]
    assert moto.faults.count("CreateVirtualMFADevice") == 0 and unassigned(moto) == []
    (sent,) = [r for r in moto.faults.requests if r.action == "EnableMFADevice"]
    assert sent.params["SerialNumber"] == SERIAL
    assert (sent.params["AuthenticationCode1"], sent.params["AuthenticationCode2"]) == (
        "123456", "234567")


@pytest.mark.parametrize(("code", "status", "words", "retry"), [
    ("InvalidAuthenticationCode", 403, "AWS did not accept the two codes", True),
    ("EntityAlreadyExists", 409, f"The hardware token {SERIAL} is already in use by another",
     False),
    ("NoSuchEntity", 404, f"AWS does not know a hardware token with the serial {SERIAL}",
     False),
])
async def test_every_refusal_of_a_token_is_a_sentence(
    moto: MotoServer, code: str, status: int, words: str, retry: bool
) -> None:
    async with enrolling(moto) as s:
        moto.faults.client_error("EnableMFADevice", code, status, "refused", times=1)
        await s.enter_codes("123456", "234567")
        await until(s.pilot, lambda: words in s.message)
        assert s.screen.state == ("scan" if retry else "failed")
        if retry:  # type the next two codes: accepted
            await s.enter_codes("345678", "456789")
            await until(s.pilot, lambda: s.outcome.code == 0)
            assert devices_of(moto, "alice") == [SERIAL]
        else:
            await s.pilot.press("escape")
            await until(s.pilot, lambda: s.app._exit)
            assert s.outcome.code == 2 and words in s.outcome.message
            assert devices_of(moto, "alice") == []
    assert moto.faults.count("CreateVirtualMFADevice") == 0 and unassigned(moto) == []


async def test_h_switches_to_a_token_and_deletes_the_virtual_device(moto: MotoServer) -> None:
    async with enrolling(moto, hardware=None) as s:
        assert len(unassigned(moto)) == 1 and s.screen.query_one(QrCode).data
        await s.pilot.press("h")  # with the cursor in a code field
        await until(s.pilot, lambda: isinstance(s.app.screen, HardwareSerialScreen))
        await s.pilot.press(*"GAHT", "enter")
        problem = s.app.screen.query_one("#hardware-serial-problem", Static)
        assert "too short" in str(problem.render())  # checked before anything changes
        assert len(unassigned(moto)) == 1
        s.app.screen.query_one(Input).value = SERIAL
        await s.pilot.press("enter")
        await until(s.pilot, lambda: s.screen.state == "scan" and s.screen.hardware == SERIAL)
        assert unassigned(moto) == []  # the virtual device is gone
        assert s.screen.query_one(QrCode).data is None  # and its seed with it
        assert title(s) == f"Enable the hardware token {SERIAL} for alice"
        await s.enter_codes("123456", "234567")
        await until(s.pilot, lambda: s.outcome.code == 0)
    assert devices_of(moto, "alice") == [SERIAL] and unassigned(moto) == []


async def test_escape_on_a_token_leaves_nothing(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        await s.pilot.press(*"123")
        await s.pilot.press("escape")
        await until(s.pilot, lambda: s.app._exit)
    assert s.outcome.code == 1 and "Nothing was left behind" in s.outcome.message
    assert moto.faults.mutating_count() == 1  # CreateUser, by the test
    assert devices_of(moto, "alice") == []


async def test_f_says_where_a_security_key_is_registered(moto: MotoServer) -> None:
    async with enrolling(moto, hardware=None) as s:
        await s.pilot.press("f")
        assert "cannot be registered through the IAM API" in s.message
        url = ("https://console.aws.amazon.com/iam/home#/users/details/alice"
               "?section=security_credentials")
        assert url in s.message.replace("\n", "")
        assert s.screen.state == "scan" and len(unassigned(moto)) == 1  # still on offer
        await s.pilot.press("escape")
        await until(s.pilot, lambda: s.app._exit)
    assert s.outcome.code == 1 and unassigned(moto) == []


async def test_a_token_offers_neither_another_kind_nor_a_secret(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        assert not s.screen.check_action("hardware", ())  # already a token
        assert not s.screen.check_action("toggle_secret", ())  # a token has no secret
        pair = s.screen.query_one(CodePair)
        assert not pair.disabled
