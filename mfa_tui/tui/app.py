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
    from mfa_tui.engine.prefetch import Prefetch


class MfaTuiApp(App[int]):
    """mfa-tui. The first screen paints before botocore is imported; data arrives from workers."""

    TITLE = "mfa-tui"
    CSS_PATH = [styles_dir() / "app.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave mfa-tui"),
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
        self.cache_key = cache_key
        self._connection: AwsConnection | None = None
        self._connect_lock = threading.Lock()
        self.demo = demo
        #: The first inventory, read by a helper process while the app starts (prefetch.py).
        self._prefetch = prefetch
        self._prefetch_taken = False

    def connection(self) -> AwsConnection:
        """The AWS connection, made on first use. Call from a worker thread only."""
        with self._connect_lock:
            if self._connection is None:
                self._connection = self._connector()
            return self._connection

    def take_prefetch(self) -> Prefetch | None:
        """The helper reading the first inventory, once (later reads are in-process)."""
        if self._prefetch_taken:
            return None
        self._prefetch_taken = True
        return self._prefetch

    def stop_prefetch(self) -> None:
        """Stop the helper if it still reads (the app stops, or switches accounts)."""
        self._prefetch_taken = True
        if self._prefetch is not None:
            self._prefetch.stop()

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
        self.push_screen(self.start_screen() if self.start_screen else MainScreen())

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
