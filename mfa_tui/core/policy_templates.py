"""The policy templates shipped in the package (JSON files in core/policies/)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

#: Template name → file. `enforce-mfa` is the identity policy attached to users or groups.
TEMPLATES = {
    "enforce-mfa": "enforce-mfa.json",
    "deny-credential-creation-without-mfa": "deny-credential-creation-without-mfa.json",
    "safe-scp": "safe-scp.json",
}

#: IAM's limit for a customer-managed policy document (characters, whitespace excluded).
MANAGED_POLICY_MAX_CHARS = 6144


def template_text(name: str) -> str:
    """The template's JSON text as shipped."""
    path = resources.files("mfa_tui.core.policies").joinpath(TEMPLATES[name])
    return path.read_text(encoding="utf-8")


def load_template(name: str) -> dict[str, Any]:
    """The template as a policy document (dict)."""
    document: dict[str, Any] = json.loads(template_text(name))
    return document


def compact(document: dict[str, Any]) -> str:
    """The document as IAM counts it: JSON without insignificant whitespace."""
    return json.dumps(document, separators=(",", ":"), sort_keys=False)
