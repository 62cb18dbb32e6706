"""The policy templates shipped in the package (JSON files in core/policies/)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

#: Template name → file. `enforce-mfa` is the identity policy attached to users or groups.
TEMPLATES = {
    "enforce-mfa": "enforce-mfa.json",
    "deny-credential-creation-without-mfa": "deny-credential-creation-without-mfa.json",
    "safe-scp": "safe-scp.json",  # `scp --scope all`: long-term access keys too
    "safe-scp-console": "safe-scp-console.json",  # `scp --scope console` (the default)
}

#: Lint findings a template carries on purpose, with the reason. `scp --scope console` denies
#: on ``Bool aws:MultiFactorAuthPresent false`` so that long-term access keys (no MFA key at
#: all) keep working across the organization: the linter's "long-term keys escape" is the point.
ACCEPTED_FINDINGS: dict[str, frozenset[str]] = {
    "safe-scp-console": frozenset({"mfa-bool-in-deny"}),
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
