"""The enrollment screen through Pilot, against the moto server: every message, no debris.

The app runs as `mfa-tui enroll USER` builds it (a start screen and an outcome). The "phone"
reads the URI the QR widget draws and computes codes with pyotp at the time the screen checks
them (``check_time()``: the injected clock plus the skew measured from AWS's Date header).

moto accepts any code and never refuses EnableMFADevice, so InvalidAuthenticationCode,
LimitExceeded and EntityTemporarilyUnmodifiable are injected with the fault wrapper's
``client_error`` rule (real HTTP answers with AWS's codes and statuses).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import pyotp
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from mfa_tui.aws.enroll import discard_open_enrollments
from mfa_tui.core.policy_eval import Decision, Request, evaluate
from mfa_tui.core.policy_templates import load_template
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.device_actions import ConfirmTypedScreen
from mfa_tui.tui.screens.enroll import EnrollOutcome, EnrollScreen
from mfa_tui.tui.widgets.code_pair import CodePair
from mfa_tui.tui.widgets.qr_code import QrCode
from tests.fixtures.faults import RecordedRequest
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import until


@pytest.fixture(autouse=True)
def _no_enrollment_outlives_its_test(moto: MotoServer) -> Iterator[None]:
    yield
    discard_open_enrollments()


def unassigned(moto: MotoServer) -> list[str]:
    devices = moto.client("iam").list_virtual_mfa_devices(AssignmentStatus="Unassigned")
    return [d["SerialNumber"] for d in devices["VirtualMFADevices"]]


def devices_of(moto: MotoServer, user: str) -> list[str]:
    listed = moto.client("iam").list_mfa_devices(UserName=user)["MFADevices"]
    return [d["SerialNumber"] for d in listed]


class Session:
    """One `mfa-tui enroll` run in Pilot."""

    def __init__(self, app: MfaTuiApp, pilot: Pilot[int], outcome: EnrollOutcome) -> None:
        self.app, self.pilot, self.outcome = app, pilot, outcome
        screen = app.screen
        assert isinstance(screen, EnrollScreen)
        self.screen = screen

    @property
    def message(self) -> str:
        return str(self.screen.query_one("#enroll-message", Static).render())

    def totp(self) -> pyotp.TOTP:
        uri = self.screen.query_one(QrCode).data
        assert uri is not None
        totp = pyotp.parse_uri(uri)
        assert isinstance(totp, pyotp.TOTP)
        return totp

    def codes(self, first: int = 0, second: int = 1) -> tuple[str, str]:
        """Codes ``first`` and ``second`` steps from the time the screen checks at."""
        totp, at = self.totp(), self.screen.check_time()
        return totp.at(at + 30 * first), totp.at(at + 30 * second)

    async def type_codes(self, code1: str, code2: str) -> None:
        """Key by key, as a person types (Pilot takes ~0.1 s a key: used where it matters)."""
        await self.pilot.press(*code1)
        if len(code1) < 6:
            await self.pilot.press("tab")
        await self.pilot.press(*code2, "enter")
        await self.pilot.pause()

    async def enter_codes(self, code1: str, code2: str) -> None:
        """Fill both fields, then press Enter in the second."""
        pair = self.screen.query_one(CodePair)
        pair.field(1).value, pair.field(2).value = code1, code2
        pair.focus_code(2)
        await self.pilot.press("enter")
        await self.pilot.pause()


@asynccontextmanager
async def enrolling(
    moto: MotoServer, user: str = "alice", *, clock: Callable[[], float] = time.time,
    size: tuple[int, int] = (80, 24), create_user: bool = True, wait: str = "scan",
) -> AsyncIterator[Session]:
    if create_user:
        moto.client("iam").create_user(UserName=user)
    outcome = EnrollOutcome()
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)),
                    start_screen=lambda: EnrollScreen(user, clock=clock, outcome=outcome))
    async with app.run_test(size=size) as pilot:
        session = Session(app, pilot, outcome)
        await until(pilot, lambda: session.screen.state == wait)
        yield session


async def test_focus_starts_in_code_1_and_moves_on_when_full(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        assert s.app.focused is not None and s.app.focused.id == "code1"
        await s.pilot.press(*"12345")
        assert s.app.focused.id == "code1"
        await s.pilot.press("6", "x", "7")  # letters are not taken
        assert s.app.focused is not None and s.app.focused.id == "code2"
        assert s.screen.query_one("#code1").value == "123456"  # type: ignore[attr-defined]
        assert s.screen.query_one("#code2").value == "7"  # type: ignore[attr-defined]


async def test_good_codes_enroll_and_exit_0(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        assert "created" in s.message
        assert unassigned(moto) == ["arn:aws:iam::123456789012:mfa/alice"]
        await s.type_codes(*s.codes())
        await until(s.pilot, lambda: s.outcome.code == 0)
    assert s.outcome.message == "✓ alice is enrolled: arn:aws:iam::123456789012:mfa/alice"
    assert devices_of(moto, "alice") == ["arn:aws:iam::123456789012:mfa/alice"]
    assert unassigned(moto) == []


@pytest.mark.parametrize(("which", "words", "focus", "kept"), [
    ("short", "Code 1 must be 6 digits (it has 4)", "code1", (True, True)),  # fix the typo
    ("same", "The two codes are the same", "code2", (True, False)),  # type the next code
    ("not-next", "Code 2 is not the code that comes right after code 1", "code2",
     (True, False)),
    ("clock", "check that the phone sets its clock automatically", "code1", (False, False)),
])
async def test_each_local_check_says_what_is_wrong(
    moto: MotoServer, which: str, words: str, focus: str, kept: tuple[bool, bool]
) -> None:
    async with enrolling(moto) as s:
        now_code, next_code = s.codes()
        typed = {
            "short": (now_code[:4], next_code),
            "same": (now_code, now_code),
            "not-next": s.codes(0, 2),
            "clock": s.codes(-10, -9),  # the phone is 5 minutes slow
        }[which]
        moto.faults.clear_requests()
        await s.enter_codes(*typed)
        assert words in s.message
        assert s.screen.state == "scan" and s.app.focused is not None
        assert s.app.focused.id == focus
        pair = s.screen.query_one(CodePair)
        assert tuple(bool(code) for code in pair.codes) == kept
        assert moto.faults.count("EnableMFADevice") == 0  # refused before asking AWS
        # the same device can still be enrolled with good codes
        await s.enter_codes(*s.codes())
        await until(s.pilot, lambda: s.outcome.code == 0)
    assert len(devices_of(moto, "alice")) == 1


async def test_a_wrong_clock_here_is_measured_and_corrected(moto: MotoServer) -> None:
    """This computer's clock (injected) is 10 minutes slow: AWS's Date header tells, the
    message says so, and codes from a correct phone are accepted."""
    async with enrolling(moto, clock=lambda: time.time() - 600) as s:
        phone = s.totp()
        wrong = phone.at(time.time() - 900), phone.at(time.time() - 870)
        await s.enter_codes(*wrong)
        assert "This computer's clock is about 10 min behind AWS's" in s.message
        await s.enter_codes(phone.now(), phone.at(time.time() + 30))
        await until(s.pilot, lambda: s.outcome.code == 0)


@pytest.mark.parametrize(("code", "status", "words"), [
    ("InvalidAuthenticationCode", 403, "AWS did not accept the two codes"),
    ("EntityTemporarilyUnmodifiable", 409, "wait a few seconds, then press Enter"),
])
async def test_aws_refusals_that_new_codes_can_fix(
    moto: MotoServer, code: str, status: int, words: str
) -> None:
    """Injected with client_error: moto never refuses EnableMFADevice."""
    async with enrolling(moto) as s:
        moto.faults.client_error("EnableMFADevice", code, status, "refused")
        await s.enter_codes(*s.codes())
        await until(s.pilot, lambda: words in s.message)
        assert s.screen.state == "scan" and s.app.focused is not None
        assert s.app.focused.id == "code1"
        assert s.screen.query_one(QrCode).data is not None  # same device: no rescan
        assert len(unassigned(moto)) == 1
        await s.pilot.press("escape")
        await until(s.pilot, lambda: s.app._exit)
    assert s.outcome.code == 1 and "Nothing was left behind" in s.outcome.message
    assert unassigned(moto) == [] and devices_of(moto, "alice") == []


async def test_limit_exceeded_ends_with_nothing_left(moto: MotoServer) -> None:
    """Injected with client_error: moto has no 8-devices limit on EnableMFADevice."""
    async with enrolling(moto) as s:
        moto.faults.client_error("EnableMFADevice", "LimitExceeded", 409,
                                 "Cannot exceed quota for MFADevicesPerUser: 8")
        await s.enter_codes(*s.codes())
        await until(s.pilot, lambda: s.screen.state == "failed")
        assert "alice already has 8 MFA devices" in s.message
        assert s.screen.query_one(QrCode).data is None  # dropped with the device
        assert unassigned(moto) == []  # deleted at once, before Esc
        await s.pilot.press("escape")
        await until(s.pilot, lambda: s.app._exit)
    assert s.outcome.code == 2 and "8 MFA devices" in s.outcome.message


async def test_escape_cancels_exit_1_and_deletes_the_device(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        assert len(unassigned(moto)) == 1
        await s.pilot.press(*"123")
        await s.pilot.press("escape")
        await until(s.pilot, lambda: s.app._exit)
    assert s.outcome.code == 1
    assert unassigned(moto) == [] and devices_of(moto, "alice") == []


async def test_secret_is_hidden_until_s(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        secret = s.screen.query_one("#enroll-secret", Static)
        seed = s.totp().secret
        assert not secret.display and seed[:4] not in str(secret.render())
        await s.pilot.press("s")  # works with the cursor in a code field
        assert secret.display
        shown = str(secret.render())
        assert " ".join(seed[i:i + 4] for i in range(0, 16, 4)) in shown
        assert shown.replace(" ", "").replace("\n", "").endswith(seed)
        await s.pilot.press("s")
        assert not secret.display and seed[:4] not in str(secret.render())


async def test_screenshot_is_not_offered_while_the_code_shows(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        titles = [c.title for c in s.app.get_system_commands(s.screen)]
        assert "Screenshot" not in titles and "Cancel" in titles


async def test_too_small_says_so_instead_of_a_broken_code(moto: MotoServer) -> None:
    async with enrolling(moto, size=(60, 20)) as s:
        qr = s.screen.query_one(QrCode)
        assert not qr.fits
        assert "too small for a QR code a phone can read" in str(qr.render())
        assert "▀" not in str(qr.render())
        await s.pilot.press("s")
        assert s.screen.query_one("#enroll-secret", Static).display


async def test_orphans_are_deleted_only_when_confirmed(moto: MotoServer) -> None:
    iam = moto.client("iam")
    orphan = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")[
        "VirtualMFADevice"]["SerialNumber"]
    async with enrolling(moto, wait="orphans") as s:
        assert "already exists and is not assigned to anyone" in s.message
        await s.pilot.press("d")
        await until(s.pilot, lambda: isinstance(s.app.screen, ConfirmTypedScreen))
        await s.pilot.press(*"alic", "enter")
        assert unassigned(moto) == [orphan]  # a wrong confirmation deletes nothing
        await s.pilot.press("e", "enter")
        await until(s.pilot, lambda: s.screen.state == "scan")
        assert unassigned(moto) == [orphan]  # same name: the new device of this screen
        await s.enter_codes(*s.codes())
        await until(s.pilot, lambda: s.outcome.code == 0)
    assert devices_of(moto, "alice") == [orphan] and unassigned(moto) == []


async def test_no_such_user_is_a_sentence_and_exit_2(moto: MotoServer) -> None:
    async with enrolling(moto, "ghost", create_user=False, wait="failed") as s:
        assert "There is no IAM user named 'ghost'" in s.message
        await s.pilot.press("escape")
        await until(s.pilot, lambda: s.app._exit)
    assert s.outcome.code == 2 and "'ghost'" in s.outcome.message
    assert moto.faults.count("CreateVirtualMFADevice") == 0


async def test_self_service_enrolls_the_callers_own_user(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No USER: the caller's own IAM user (signing with alice's own access key)."""
    iam = moto.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    outcome = EnrollOutcome()
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)),
                    start_screen=lambda: EnrollScreen(None, outcome=outcome))
    async with app.run_test(size=(80, 24)) as pilot:
        s = Session(app, pilot, outcome)
        assert "your own IAM user" in str(s.screen.query_one("#enroll-title", Static).render())
        await until(pilot, lambda: s.screen.state == "scan")
        assert "for alice" in str(s.screen.query_one("#enroll-title", Static).render())
        assert pyotp.parse_uri(s.screen.query_one(QrCode).data or "").name == (
            "alice@123456789012")
        await s.enter_codes(*s.codes())
        await until(pilot, lambda: outcome.code == 0)
    assert devices_of(moto, "alice") == ["arn:aws:iam::123456789012:mfa/alice"]
    assert {r.access_key_id for r in moto.faults.requests
            if r.action == "EnableMFADevice"} == {key["AccessKeyId"]}


async def test_pasting_both_codes_fills_both_fields(moto: MotoServer) -> None:
    async with enrolling(moto) as s:
        code1, code2 = s.codes()
        focused = s.app.focused
        assert focused is not None
        focused.post_message(events.Paste(f"{code1[:3]} {code1[3:]}  {code2}"))
        await s.pilot.pause()
        pair = s.screen.query_one(CodePair)
        assert pair.codes == (code1, code2) and s.app.focused is pair.field(2)
        await s.pilot.press("enter")
        await until(s.pilot, lambda: s.outcome.code == 0)


def judged_by_enforce_mfa(user: str, key_id: str) -> Callable[[RecordedRequest], bool]:
    """``user``'s own requests (key ``key_id``, no MFA session) as IAM would judge them with
    only the enforce-mfa template attached; everyone else's pass."""
    template = load_template("enforce-mfa")

    def allowed(r: RecordedRequest) -> bool:
        if r.access_key_id != key_id or r.service != "iam":
            return True  # the test's admin; sts:GetCallerIdentity needs no permission
        p = r.params
        if r.action == "CreateVirtualMFADevice":
            resource = f"arn:aws:iam::123456789012:mfa{p.get('Path', '/')}" + str(
                p["VirtualMFADeviceName"])
        elif r.action == "DeleteVirtualMFADevice":
            resource = str(p["SerialNumber"])
        elif "UserName" in p:
            resource = f"arn:aws:iam::123456789012:user/{p['UserName']}"
        else:
            resource = "*"
        return evaluate(template, Request(f"iam:{r.action}", resource, username=user)) \
            is Decision.ALLOW

    return allowed


async def test_self_service_under_the_enforcement_policy_can_try_again(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """alice enrolls herself with only EnforceMFAPolicy (every call of hers judged by the
    evaluator against the template): Esc leaves a device she may not delete without MFA
    (rightly); her next attempt takes the next free name and says an administrator can
    delete the old one, instead of asking for a permission AWS says never to grant."""
    iam = moto.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    moto.faults.deny_unless(judged_by_enforce_mfa("alice", key["AccessKeyId"]))
    first = "arn:aws:iam::123456789012:mfa/alice"

    outcome = EnrollOutcome()
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)),
                    start_screen=lambda: EnrollScreen(None, outcome=outcome))
    async with app.run_test(size=(80, 24)) as pilot:
        s = Session(app, pilot, outcome)
        await until(pilot, lambda: s.screen.state == "scan")
        await pilot.press("escape")
        await until(pilot, lambda: app._exit)
    assert unassigned(moto) == [first]  # the policy rightly refused the delete
    assert "an administrator can delete it" in outcome.message
    assert "your next attempt takes another name" in outcome.message
    assert "allow that action" not in outcome.message

    outcome = EnrollOutcome()
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)),
                    start_screen=lambda: EnrollScreen(None, outcome=outcome))
    async with app.run_test(size=(80, 24)) as pilot:
        s = Session(app, pilot, outcome)
        await until(pilot, lambda: s.screen.state == "scan")
        assert "Device mfa/alice-2 created" in s.message
        assert "(mfa/alice) is in the way" in s.message
        assert "an administrator can delete the old one" in s.message
        assert "allow that action" not in s.message
        await s.enter_codes(*s.codes())
        await until(pilot, lambda: outcome.code == 0)
    assert devices_of(moto, "alice") == [f"{first}-2"]
    assert unassigned(moto) == [first]  # for an administrator to delete
    denied = {r.action for r in moto.faults.requests if r.fault == "access_denied"}
    assert "DeleteVirtualMFADevice" in denied
    assert denied <= {"DeleteVirtualMFADevice", "ListAccountAliases"}
