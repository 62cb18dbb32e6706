"""``config.toml`` in the user config dir: settings that are not profiles. Today the ``[keys]``
table, which remaps the TUI's keys by binding id (``view = "v"``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mfa_tui.state.paths import config_dir


def config_file() -> Path:
    """``~/.config/mfa-tui/config.toml`` on Linux."""
    return config_dir() / "config.toml"


@dataclass(frozen=True)
class KeysConfig:
    """The ``[keys]`` table as read, and a sentence for each part that could not be used."""

    keys: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def load_keys(path: Path | None = None) -> KeysConfig:
    """Binding id → key(s) from ``[keys]``; no file is no remapping. Never raises: a file that
    cannot be read or parsed, or a value that is not a string, is a sentence instead."""
    path = path or config_file()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return KeysConfig()
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return KeysConfig(problems=(f"{path} could not be read ({exc}); keys are not "
                                    "remapped.",))
    table = data.get("keys", {})
    if not isinstance(table, dict):
        return KeysConfig(problems=(f"{path}: keys must be a table ([keys], then lines like "
                                    'view = "v"); keys are not remapped.',))
    keys: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in table.items():
        if isinstance(value, str) and value.strip():
            keys[str(binding_id)] = value.strip()
        else:
            problems.append(f'{path}: {binding_id} = {value!r} is not a key (write it as a '
                            'string, e.g. view = "v"); ignored.')
    return KeysConfig(keys, tuple(problems))
