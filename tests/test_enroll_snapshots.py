"""SVG snapshots of the enrollment screen at 80x24, with a fixed seed and a fixed clock.

The seed is fixed through moto's own ``/moto-api/seed`` (its random generator makes the
Base32StringSeed), so the picture is the same every run; the clock is injected. The secret
is hidden in the snapshot (``s`` not pressed): the SVG holds no seed text, only the code.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pyotp
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from mfa_tui.aws.enroll import discard_open_enrollments
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.enroll import EnrollOutcome, EnrollScreen
from mfa_tui.tui.widgets.qr_code import QrCode
from tests.fixtures.moto_server import MotoServer

FIXED_CLOCK = 1_800_000_015.0


@pytest.fixture(autouse=True)
def _no_enrollment_outlives_its_test(moto: MotoServer) -> Iterator[None]:
    yield
    discard_open_enrollments()


def _fixed_seed(moto: MotoServer, value: int = 7) -> None:
    request = urllib.request.Request(f"{moto.url}/moto-api/seed?a={value}", data=b"",
                                     method="POST")
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request) as answer:
        answer.read()


def _app(moto: MotoServer, user: str) -> MfaTuiApp:
    moto.client("iam").create_user(UserName=user)
    _fixed_seed(moto)
    return MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)),
                     start_screen=lambda: EnrollScreen(user, clock=lambda: FIXED_CLOCK,
                                                       outcome=EnrollOutcome()))


def test_enrollment_screen_80x24(snap_compare, moto: MotoServer) -> None:
    seen: list[str] = []

    async def scanned(pilot: Pilot[int]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, EnrollScreen)
        for _ in range(200):
            if screen.state == "scan":
                break
            await pilot.pause(0.05)
        uri = screen.query_one(QrCode).data
        assert uri is not None
        for box in screen.query(Input):  # a blinking cursor made the picture differ by run
            box.cursor_blink = False
        await pilot.pause()
        seen.extend([uri, pilot.app.export_screenshot()])

    assert snap_compare(_app(moto, "alice"), terminal_size=(80, 24), run_before=scanned)
    uri, svg = seen
    seed = pyotp.parse_uri(uri).secret
    assert uri.startswith("otpauth://totp/AWS:alice%40123456789012?secret=")
    for i in range(0, len(seed), 4):  # no piece of the secret as text, grouped or not
        assert seed[i : i + 8] not in svg.replace("&#160;", "").replace(" ", "")
    assert "Enroll an MFA device for alice" in svg.replace("&#160;", " ")
