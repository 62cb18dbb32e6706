"""Compare policy documents the way a reviewer reads them: normalized JSON, unified diff.

Two documents IAM reads alike (a string versus a one-item list, reordered Action lists, key
order) normalize to the same text, so `plan` shows only real changes and says "same" when
there are none.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import unquote

Tone = Literal["add", "remove", "context", "header"]

#: Statement elements whose values are unordered sets of strings.
_SET_ELEMENTS = ("Action", "NotAction", "Resource", "NotResource")


def normalize(document: Mapping[str, Any] | str) -> str:
    """Stable text of a policy: sorted keys, 2-space indent, Action/Resource (and condition
    value) lists sorted and de-duplicated, a one-item list written as its single value.

    Also takes the JSON text, URL-encoded or not (IAM's GetPolicyVersion returns it encoded).
    """
    if isinstance(document, str):
        text = document.strip()
        document = json.loads(unquote(text) if text.startswith("%7B") else text)
    return json.dumps(_canonical(document), indent=2, sort_keys=True, ensure_ascii=False)


def is_same(current: Mapping[str, Any] | str | None, template: Mapping[str, Any] | str) -> bool:
    """Whether the two documents normalize to the same text (None: no current policy)."""
    return current is not None and normalize(current) == normalize(template)


def diff_lines(current: Mapping[str, Any] | str | None, template: Mapping[str, Any] | str, *,
               current_label: str = "current default version",
               template_label: str = "template") -> list[tuple[Tone, str]]:
    """A unified diff of the normalized documents as (tone, line) pairs.

    Lines keep their unified-diff prefix ("+", "-", " ", "---"/"+++"/"@@" headers), so they
    read right without colour. ``current`` None (no policy yet): every template line is an
    add, without headers. The same documents: an empty list.
    """
    new = normalize(template).splitlines()
    if current is None:
        return [("add", f"+{line}") for line in new]
    old = normalize(current).splitlines()
    out: list[tuple[Tone, str]] = []
    for line in difflib.unified_diff(old, new, fromfile=current_label, tofile=template_label,
                                     lineterm="", n=3):
        out.append((_tone(line), line))
    return out


def _tone(line: str) -> Tone:
    if line.startswith(("---", "+++", "@@")):
        return "header"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "remove"
    return "context"


def _canonical(value: Any, key: str | None = None, in_condition: bool = False) -> Any:
    if key == "Statement" and isinstance(value, Mapping | list):
        items = value if isinstance(value, list) else [value]
        return [_canonical(item) for item in items]
    if isinstance(value, Mapping):
        return {k: _canonical(v, k, in_condition or k == "Condition") for k, v in value.items()}
    if (key in _SET_ELEMENTS or in_condition) and isinstance(value, list | str | bool):
        values = sorted({_scalar(v) for v in (value if isinstance(value, list) else [value])})
        return values[0] if len(values) == 1 else values
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _scalar(value: Any) -> str:
    # IAM compares condition values as text: true and "true" are the same policy.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
