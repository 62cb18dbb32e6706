"""The Textual application: owns the AWS connection (made in a worker) and the screens."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from mfa_tui.engine.connect import GlobalOptions
from mfa_tui.state.paths import styles_dir
from mfa_tui.tui.screens.main import MainScreen

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from mfa_tui.aws.session import AwsConnection
    from mfa_tui.core.mfa_code import CodeRequest
    from mfa_tui.engine.connect import Connector
    from mfa_tui.engine.org import OrgSession
    from mfa_tui.engine.prefetch import Prefetch
    from mfa_tui.tui.base import MfaApp


class MfaTuiApp(App[int]):
    """mfa-tui. The first screen paints before botocore is imported; data arrives from workers."""

    TITLE = "mfa-tui"
    CSS_PATH = [styles_dir() / "app.tcss"]
    # `q` quits from the top screen only (MainScreen binds it); ctrl+q and the palette's Quit
    # reach action_quit from anywhere, and it asks first while something is in flight.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?", id="help",
                tooltip="Show every key"),
    ]

    def __init__(
        self,
        connector: Connector,
        *,
        demo: bool = False,
        refresh_interval: float = 60.0,
        cache_key: str | None = None,
        options: GlobalOptions | None = None,
        start_screen: Callable[[], Screen[Any]] | None = None,
        prefetch: Prefetch | None = None,
    ) -> None:
        super().__init__()
        #: Opens this screen instead of the main screen (`mfa-tui enroll`).
        self.start_screen = start_screen
        #: The command line's options (the profile picker keeps their region/endpoint).
        self.options = options or GlobalOptions(demo=demo)
        #: The active profile's name, shown in the header ("" for the standard AWS chain).
        self.profile_label = self.options.profile or ""
        self._connector = connector
        self.refresh_interval = refresh_interval
        #: Where the last inventory of this connection is cached (None: no cache).
        self._cache_key = cache_key
        self._connection: AwsConnection | None = None
        self._connect_lock = threading.Lock()
        #: Organization mode: the role sessions, and the account the users screen is bound to.
        self._org_session: OrgSession | None = None
        self._bound: _BoundAccount | None = None
        self.demo = demo
        #: The first inventory, read by a helper process while the app starts (prefetch.py).
        self._prefetch = prefetch
        self._prefetch_taken = False

    @property
    def cache_key(self) -> str | None:
        """Where the users screen's inventory is cached (the bound account's, if any)."""
        return self._bound.cache_key if self._bound is not None else self._cache_key

    @cache_key.setter
    def cache_key(self, value: str | None) -> None:
        self._cache_key = value

    def connection(self) -> AwsConnection:
        """The AWS connection, made on first use: in organization mode, the bound member
        account's while its users screen is open. Call from a worker thread only."""
        bound = self._bound
        if bound is not None:
            return bound.connection()
        return self.caller_connection()

    def caller_connection(self) -> AwsConnection:
        """The caller's own connection (never a member account's)."""
        with self._connect_lock:
            if self._connection is None:
                self._connection = self._connector()
            return self._connection

    def org_session(self) -> OrgSession:
        """The organization's role sessions (organization mode). Worker thread only."""
        from mfa_tui.engine.org import OrgOptions, OrgSession

        conn = self.caller_connection()
        with self._connect_lock:
            if self._org_session is None:
                o = self.options
                self._org_session = OrgSession(conn, OrgOptions(
                    role=o.org_role, accounts=o.accounts, workers=o.org_workers))
            return self._org_session

    def bind_account(self, account: str) -> None:
        """From now on the users screen and everything it opens act in ``account`` only."""
        self._bound = _BoundAccount(self, account, self.options.connection_key(account))

    def unbind_account(self) -> None:
        """Back on the accounts screen: no account is bound."""
        self._bound = None

    @property
    def bound_account(self) -> str | None:
        """The member account the users screen acts in (organization mode), else None."""
        return self._bound.account if self._bound is not None else None

    def take_prefetch(self) -> Prefetch | None:
        """The helper reading the first inventory, once (later reads are in-process)."""
        if self._prefetch_taken or self._bound is not None:
            return None
        self._prefetch_taken = True
        return self._prefetch

    def stop_prefetch(self) -> None:
        """Stop the helper if it still reads (the app stops, or switches accounts)."""
        self._prefetch_taken = True
        if self._prefetch is not None:
            self._prefetch.stop()

    def connection_label(self) -> str:
        """What the header says this app is connected to: DEMO, the profile, or the chain."""
        if self.options.demo:
            return "DEMO"
        return self.profile_label or "AWS chain"

    def in_flight(self) -> str:
        """What quitting now would interrupt, in a sentence ("" when nothing)."""
        from mfa_tui.tui.screens.enroll import EnrollScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen) and screen.runner.running:
                return ("An enforcement run is in progress. Quitting cancels it between "
                        "users (the journal records where it stopped) and prints a summary.")
            if isinstance(screen, EnrollScreen) and screen.in_flight:
                return ("An enrollment is in progress. Quitting deletes the device it "
                        "created; the user stays without it.")
        return ""

    async def action_quit(self) -> None:
        """Leave, after asking while a run or an enrollment is in flight."""
        from mfa_tui.tui.screens.confirm import ConfirmScreen

        interrupted = self.in_flight()
        if not interrupted or isinstance(self.screen, ConfirmScreen):
            await self._quit_now()
            return
        self.push_screen(ConfirmScreen("Quit mfa-tui?", interrupted, yes="quit"),
                         self._quit_answered)

    async def _quit_answered(self, yes: bool | None) -> None:
        if yes:
            await self._quit_now()

    async def _quit_now(self) -> None:
        from mfa_tui.tui.screens.enroll import EnrollScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen) and screen.runner.cancel():
                screen.runner.quit_after = True  # it exits with the summary once stopped
                return
            if isinstance(screen, EnrollScreen) and screen.in_flight:
                screen.quit_after_cleanup()  # deletes the device, then exits
                return
        self.exit()

    def on_unmount(self) -> None:
        self.stop_prefetch()

    def ask_mfa_code(self, request: CodeRequest) -> str | None:
        """Ask for an MFA code in a modal and wait for it. Call from a worker thread only."""
        from mfa_tui.tui.screens.mfa_code import ask_in_app

        return ask_in_app(self, request)

    def switch_connection(self, connector: Connector, label: str, *,
                          cache_key: str | None = None) -> None:
        """Use another account from now on: the main screen clears its marks and reloads."""
        self.stop_prefetch()  # it reads the account being left
        with self._connect_lock:
            self._connector = connector
            self._connection = None
        self.cache_key = cache_key
        self.profile_label = label
        if self.options.org:  # another caller: another organization, or other permissions
            from mfa_tui.tui.screens.accounts import AccountsScreen

            with self._connect_lock:
                self._org_session = None
            self._bound = None
            accounts = next((s for s in self.screen_stack if isinstance(s, AccountsScreen)),
                            None)
            if accounts is not None:
                while self.screen is not accounts and len(self.screen_stack) > 1:
                    self.pop_screen()
                accounts.connection_switched()
                return
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.connection_switched()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette offers every action of the current screen that has a key, by name."""
        for command in super().get_system_commands(screen):
            # A screen showing a secret (the enrollment QR code) must not be saved to disk.
            if command.title == "Screenshot" and getattr(screen, "HOLDS_SECRETS", False):
                continue
            yield command
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or not binding.tooltip:
                continue
            key = binding.key_display or binding.key.split(",")[0]
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip} (key: {key})",
                partial(screen.run_action, binding.action),
            )

    def on_mount(self) -> None:
        self.apply_key_config()
        if self.start_screen is not None:
            self.push_screen(self.start_screen())
        elif self.options.org:
            from mfa_tui.tui.screens.accounts import AccountsScreen

            self.push_screen(AccountsScreen())
        else:
            self.push_screen(MainScreen())

    def apply_key_config(self) -> None:
        """Keys remapped in config.toml (``[keys]``); what cannot be used is said, once."""
        from mfa_tui.state.app_config import load_keys

        config = load_keys()
        if not config.keys and not config.problems:
            return  # nothing remapped: nothing more is loaded
        from mfa_tui.tui.keymap import is_key

        self.set_keymap({i: k for i, k in config.keys.items() if is_key(k)})

        def check() -> None:  # after the first paint: it loads every screen's module
            from mfa_tui.tui.keymap import binding_ids, check_keymap

            good, problems = check_keymap(config.keys, binding_ids())
            self.set_keymap(good)
            for problem in (*config.problems, *problems):
                log.warning("%s", problem)
                self.notify(problem, title="config.toml", severity="error", timeout=15)

        self.call_after_refresh(check)

    def action_help(self) -> None:
        """`?`: open the help for the current screen, or close it when it is open."""
        from mfa_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    def _fatal_error(self) -> None:
        """An unhandled exception: show the traceback *without* local variables, then exit.

        Textual's own handler renders ``Traceback(show_locals=True)``, which printed the
        enrollment screen's TOTP seed onto the terminal (tmux scrollback, ``script`` and SSH
        session logs keep it). There is no public hook for this, so the override is guarded
        by an end-to-end test (tests/test_e2e_enroll.py) that crashes the screen and scans
        everything the terminal received for the seed.
        """
        import rich
        from rich.traceback import Traceback

        self.bell()
        self.panic(Traceback(show_locals=False, width=None, suppress=[rich]))


class _BoundAccount:
    """One member account's connection (its role session), made on first use."""

    def __init__(self, app: MfaTuiApp, account: str, cache_key: str) -> None:
        self.app, self.account, self.cache_key = app, account, cache_key
        self._conn: AwsConnection | None = None
        self._lock = threading.Lock()

    def connection(self) -> AwsConnection:
        with self._lock:
            if self._conn is None:
                self._conn = self.app.org_session().connection(self.account)
            return self._conn


def _implements_the_screens_interface(app: MfaTuiApp) -> MfaApp:
    """For mypy: the app is what screens see through ``tui/base.mfa_app`` (never called)."""
    return app
