"""Keys remapped in config.toml (``[keys]``: binding id = key), checked against the app's
bindings: a bad id or key is a sentence at start, never a crash, and is left out."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from difflib import get_close_matches

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import Keys, key_to_character

_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_NAMED = {k.value for k in Keys} | {f"f{n}" for n in range(1, 25)} | {"space", "enter"}
#: Where bindings are defined: the app and every module of these packages (imported only
#: to check a remapping's ids, so a new screen's keys can be remapped without a list here).
_BINDING_PACKAGES = ("mfa_tui.tui.screens", "mfa_tui.tui.widgets")


def _binding_modules() -> list[str]:
    names = ["mfa_tui.tui.app"]
    for package in _BINDING_PACKAGES:
        path = importlib.import_module(package).__path__
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(path)]
    return names


def is_key(text: str) -> bool:
    """Whether Textual can bind ``text``: one key (``v``, ``?``, ``f5``, ``ctrl+x``,
    ``question_mark``) or several separated by commas."""
    parts = [part.strip() for part in text.split(",")]
    return bool(parts) and all(_one_key(part) for part in parts)


def _one_key(key: str) -> bool:
    if len(key) == 1:
        return key.isprintable()
    *modifiers, base = key.split("+")
    if not base or any(m not in _MODIFIERS for m in modifiers):
        return False
    return len(base) == 1 or base in _NAMED or key_to_character(base) is not None


def binding_ids() -> dict[str, str]:
    """Every binding id of the app and its screens → the binding's description."""
    for name in _binding_modules():
        importlib.import_module(name)
    ids: dict[str, str] = {}
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("mfa_tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.setdefault(binding.id, binding.description)
    return ids


def check_keymap(keys: Mapping[str, str], known: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The entries that can be used, and a sentence for each that cannot."""
    known_ids = set(known)
    good: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, key in keys.items():
        if binding_id not in known_ids:
            near = get_close_matches(binding_id, sorted(known_ids), n=3)
            hint = (f"did you mean {' or '.join(repr(n) for n in near)}?" if near
                    else "the help (?) lists each screen's keys; README lists the ids")
            problems.append(f"config.toml [keys]: there is no key binding {binding_id!r} "
                            f"({hint}); ignored.")
        elif not is_key(key):
            problems.append(f"config.toml [keys]: {binding_id} = {key!r} is not a key "
                            '(e.g. "v", "ctrl+v", "f5"); ignored.')
        else:
            good[binding_id] = key
    return good, problems
