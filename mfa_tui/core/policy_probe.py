"""Sample requests the policy linter asks the evaluator about, and the finding it returns.

The linter judges what a policy *does*: it builds requests for a sample IAM user (``alice``,
another user ``bob``, a role session) and asks :mod:`policy_eval` for the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mfa_tui.core.policy_eval import Decision, Request, evaluate

Severity = Literal["error", "warning"]

ACCOUNT = "123456789012"
USER, OTHER = "alice", "bob"
#: A role session's aws:PrincipalArn is its role's ARN (not the assumed-role session ARN).
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ci-deploy"

#: MFA states of a request without MFA: a console or other session (false), long-term keys
#: (the key absent).
WITHOUT_MFA: tuple[bool | None, ...] = (False, None)


@dataclass(frozen=True)
class Finding:
    """One problem: a stable code, its severity and one sentence for the user."""

    code: str
    severity: Severity
    message: str


def arn(kind: str, name: str) -> str:
    """An IAM ARN in the sample account (``user``, ``mfa``, ``group``, ``role``, ``policy``)."""
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def request(action: str, resource: str = "*", mfa: bool | None = None, **kw: Any) -> Request:
    """A request by the sample IAM user unless ``username``/``principal_type`` say otherwise."""
    return Request(action=action, resource=resource, username=kw.pop("username", USER),
                   mfa_present=mfa, account=ACCOUNT, **kw)


def denied(document: Mapping[str, Any], action: str, resource: str, mfa: bool | None,
           **kw: Any) -> bool:
    """The document explicitly denies the request."""
    return evaluate(document, request(action, resource, mfa, **kw)) is Decision.DENY


def mfa_gated(document: Mapping[str, Any], action: str, resource: str, **kw: Any) -> bool:
    """Denied without MFA (key false or absent) but not with it."""
    return (any(denied(document, action, resource, mfa, **kw) for mfa in WITHOUT_MFA)
            and not denied(document, action, resource, True, **kw))


def label(statement: Mapping[str, Any], index: int) -> str:
    """How a finding names a statement: its Sid, or its position."""
    sid = statement.get("Sid")
    return f"Statement {sid}" if sid else f"Statement #{index + 1}"
