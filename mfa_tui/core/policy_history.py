"""Every version of the enforcement template mfa-tui has shipped, by hash (pure).

A managed policy whose default version is one of these was written by mfa-tui: replacing it
with the current template is an upgrade. Anything else was edited outside mfa-tui (a
customer's exemptions, the source article's policy, a hand fix) and is never replaced
silently: `apply` needs --replace-policy or --keep-policy.

The hash is SHA-256 of :func:`core.policy_diff.normalize`'s text, so key order, whitespace,
one-item lists and reordered Action lists do not matter. When the template changes, add the
old hash here (``python -m mfa_tui.core.policy_history`` prints the current one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from mfa_tui.core.policy_diff import normalize
from mfa_tui.core.policy_templates import load_template

#: Hashes of earlier shipped versions of each template (the current one is computed).
EARLIER_TEMPLATES: dict[str, tuple[str, ...]] = {
    "enforce-mfa": (
        # 5257710 (first release): one resource ARN per statement, no path variants.
        "cc8b76369a6ef8ef0fed95aff03bf84d8e3acf480b48bea4bebe872d54ec65ca",
    ),
}


def document_hash(document: Mapping[str, Any]) -> str:
    """The normalized document's SHA-256 (hex)."""
    return hashlib.sha256(normalize(document).encode("utf-8")).hexdigest()


def known_hashes(template: str = "enforce-mfa") -> frozenset[str]:
    """The current template's hash and every earlier one."""
    return frozenset({document_hash(load_template(template)),
                      *EARLIER_TEMPLATES.get(template, ())})


def is_mfa_tui_template(document: Mapping[str, Any] | None, template: str = "enforce-mfa"
                        ) -> bool:
    """Was this document written by mfa-tui (this template or an earlier version of it)?"""
    if document is None:
        return False
    try:
        return document_hash(document) in known_hashes(template)
    except (TypeError, ValueError):
        return False


if __name__ == "__main__":  # pragma: no cover - a maintainer's helper
    print(document_hash(load_template("enforce-mfa")))
