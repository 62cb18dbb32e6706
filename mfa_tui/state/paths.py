"""Where mfa-tui keeps its files (XDG / platformdirs), in one place."""

from __future__ import annotations

import logging
import os
from pathlib import Path

APP_NAME = "mfa-tui"


def config_dir() -> Path:
    """Per-user config (profiles' non-secret fields)."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME)


def state_dir() -> Path:
    """Per-user state: the journal, the log, the inventory cache."""
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)


def log_file() -> Path:
    """The log file (no secrets are ever logged)."""
    return state_dir() / "mfa-tui.log"


def setup_logging(level: int = logging.INFO) -> None:
    """Log to the state dir's log file only: never to the terminal the TUI draws on."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        os.chmod(path, 0o600)
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # botocore logs request bodies and headers at DEBUG: keep it quiet whatever the level.
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "moto"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def styles_dir() -> Path:
    """The stylesheets: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "styles", package.parent / "styles"):
        if candidate.is_dir():
            return candidate
    return package / "styles"
