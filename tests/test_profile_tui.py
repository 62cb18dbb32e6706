"""The TUI with keyring profiles (Pilot, moto): the `P` picker switches accounts live, and the
MFA modal asks for a code, at start and again when the session must be renewed."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from mfa_tui.core.mfa_code import CodeRequest
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.confirm import ConfirmScreen
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.screens.mfa_code import MfaCodeScreen
from mfa_tui.tui.screens.profile_picker import ProfilePickerScreen
from mfa_tui.tui.widgets.account_header import AccountHeader
from tests.fixtures.keyrings import KeyringEnv
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import until
from tests.fixtures.profile_helpers import add_profile, create_admin, leaks
from tests.test_profile_sessions import MOTO_SESSION_TOKEN_START, expire_session

ACCOUNT = "123456789012"
MOTO_SESSION_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"  # moto's, always


def make_app(profile: str) -> MfaTuiApp:
    """The app as `mfa-tui --profile NAME` builds it (the MFA prompt is the app's modal)."""
    opts = GlobalOptions(profile=profile)
    app: MfaTuiApp | None = None

    def ask(request: CodeRequest) -> str | None:
        return app.ask_mfa_code(request) if app is not None else None

    app = MfaTuiApp(make_connector(opts, ask_code=ask), refresh_interval=0,
                    cache_key=opts.connection_key(), options=opts)
    return app


def header(app: MfaTuiApp) -> AccountHeader:
    return app.screen_stack[1].query_one(AccountHeader)


def caller_arn(app: MfaTuiApp) -> str:
    inv = header(app).inventory
    return inv.caller.arn if inv is not None and not header(app).cached else ""


def main_screen(app: MfaTuiApp) -> MainScreen:
    screen = app.screen_stack[1]
    assert isinstance(screen, MainScreen)
    return screen


async def test_picker_switches_the_account_live(
    moto: MotoServer, any_keyring: KeyringEnv, iam: Any
) -> None:
    a, b = create_admin(iam, "admin-a"), create_admin(iam, "admin-b")
    add_profile("a", a, "--endpoint-url", moto.url)
    add_profile("b", b, "--endpoint-url", moto.url)
    app = make_app("a")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: caller_arn(app).endswith("user/admin-a"))
        assert str(header(app).render()).startswith("[a] ")
        await pilot.press("space")
        assert main_screen(app).marks

        await pilot.press("P")
        assert isinstance(app.screen, ProfilePickerScreen)
        options = app.screen.query_one(OptionList)
        await until(pilot, lambda: options.option_count == 3)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert labels[0].startswith("  standard AWS credential chain")
        assert labels[1:] == ["● a  (keyring profile)  (active)", "  b  (keyring profile)"]
        assert options.highlighted == 1  # the active one
        moto.faults.clear_requests()
        await pilot.press("down", "enter")
        assert isinstance(app.screen, ConfirmScreen)  # switching accounts is confirmed
        assert "b" in str(app.screen.query_one("#confirm-question", Static).render())
        assert main_screen(app).marks  # nothing changed yet
        await pilot.press("y")

        assert isinstance(app.screen, MainScreen)
        assert main_screen(app).marks == frozenset()  # marks belong to the old account
        await until(pilot, lambda: caller_arn(app).endswith("user/admin-b"))
        assert str(header(app).render()).startswith("[b] ")
        assert {r.access_key_id for r in moto.faults.requests} == {b.access_key_id}
    assert leaks(any_keyring, a.secret_access_key, b.secret_access_key) == {}


async def test_escape_keeps_the_current_profile(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    add_profile("a", create_admin(iam, "admin-a"), "--endpoint-url", moto.url)
    app = make_app("a")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: caller_arn(app).endswith("user/admin-a"))
        await pilot.press("space")
        marks = main_screen(app).marks
        await pilot.press("P")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert main_screen(app).marks == marks and app.profile_label == "a"


async def type_code(pilot: Pilot[int], app: MfaTuiApp, code: str) -> None:
    await until(pilot, lambda: isinstance(app.screen, MfaCodeScreen)
                and isinstance(app.focused, Input))
    assert app.focused is app.screen.query_one(Input)
    await pilot.press(*code, "enter")


async def test_mfa_modal_asks_once_and_again_on_renewal_keeping_the_screen(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    admin = create_admin(iam, "admin-a")
    iam.create_user(UserName="zed")
    add_profile("m", admin, "--endpoint-url", moto.url,
                "--mfa-serial", f"arn:aws:iam::{ACCOUNT}:mfa/admin-a")
    moto.faults.clear_requests()
    app = make_app("m")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_code(pilot, app, "12345")  # too short: the modal says so and stays
        problem = app.screen.query_one("#mfa-code-problem")
        assert "6 digits" in str(problem.render())
        await pilot.press("6", "enter")
        # (moto answers GetCallerIdentity for its fixed session key as user/moto)
        await until(pilot, lambda: caller_arn(app))
        requests = moto.faults.requests
        assert requests[0].action == "GetSessionToken"
        assert requests[0].params["TokenCode"] == "123456"

        # Some screen state: a filter and a mark.
        await pilot.press("slash", "z", "e", "d", "enter", "space")
        screen = main_screen(app)
        assert screen.marks == frozenset({"zed"}) and screen.filter_text == "zed"

        # The session expires: the next read asks again, once.
        expire_session(app.connection())
        await pilot.press("r")
        await type_code(pilot, app, "654321")
        await until(pilot, lambda: not header(app).busy)
        assert isinstance(app.screen, MainScreen)
        assert screen.marks == frozenset({"zed"}) and screen.filter_text == "zed"
        tokens = [r.params["TokenCode"] for r in moto.faults.requests
                  if r.action == "GetSessionToken"]
        assert tokens == ["123456", "654321"]
    # The session's secret and token stayed in memory: not in the log nor the inventory cache.
    assert leaks(file_keyring, admin.secret_access_key, MOTO_SESSION_SECRET,
                 MOTO_SESSION_TOKEN_START) == {}


async def test_cancelling_the_code_is_a_message_not_a_crash(
    moto: MotoServer, file_keyring: KeyringEnv, iam: Any
) -> None:
    add_profile("m", create_admin(iam, "admin-a"), "--endpoint-url", moto.url,
                "--mfa-serial", f"arn:aws:iam::{ACCOUNT}:mfa/admin-a")
    moto.faults.clear_requests()
    app = make_app("m")
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MfaCodeScreen))
        await pilot.press("escape")
        await until(pilot, lambda: header(app).error)
        assert header(app).error.startswith("Could not read the account: No MFA code was given")
        assert moto.faults.count() == 0


async def test_a_machine_without_keyring_gets_a_message_on_screen(
    moto: MotoServer, no_keyring: KeyringEnv
) -> None:
    """The profile is in profiles.toml but the keyring is gone: one sentence in the header."""
    from mfa_tui.state.profiles import Profile, profiles_file, to_toml

    profiles_file().parent.mkdir(parents=True)
    profiles_file().write_text(to_toml({"a": Profile("a", "AKIAZZZZZZZZZZEXAMPLE")}))
    app = make_app("a")
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: header(app).error)
        assert header(app).error.startswith(
            "Could not read the account: No usable OS keyring was found "
            "(keyring.backends.fail.Keyring)")
        assert isinstance(app.screen, MainScreen)
    assert moto.faults.count() == 0
