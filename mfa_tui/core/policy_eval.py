"""A small, honest IAM policy evaluator for the subset our templates and the seed use.

It answers "does this policy allow, deny, or say nothing about this request?" for one policy
document, so tests and the linter check what a policy *does*, not how it is spelled.

Covered: Effect; Action/NotAction and Resource/NotResource with ``*``/``?`` wildcards;
policy variables (``${aws:username}``, defaults, ``${*}``/``${?}``/``${$}``; only in Version
2012-10-17, as IAM does); condition operators Bool, String(Not)Equals, String(Not)Like,
Arn(Not)Equals, Arn(Not)Like, each with ...IfExists, and Null. A key missing from the request
makes a positive operator false, a negated one true, and an ...IfExists one true (IAM's rules).
Anything else (Numeric, Date, IpAddress, ForAnyValue:... operators) raises
:class:`UnsupportedPolicy` rather than guessing.

It reports what the document says. AWS itself never checks policies for authentication calls
such as sts:GetSessionToken, whatever a policy says about them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")


class PolicyError(ValueError):
    """The document is not a policy this evaluator can read (one sentence)."""


class UnsupportedPolicy(PolicyError):
    """The policy uses an element or operator outside the evaluated subset."""


class Decision(StrEnum):
    """What one policy says about one request."""

    ALLOW = "Allow"
    DENY = "Deny"  # an explicit deny: nothing else can override it
    NO_MATCH = "no-match"  # the policy says nothing (an implicit deny if nothing else allows)


@dataclass(frozen=True)
class Request:
    """The request context the evaluator sees.

    ``mfa_present`` None means the ``aws:MultiFactorAuthPresent`` key is absent, as for
    long-term access keys. ``username`` is only in the context for IAM users (principal type
    ``User``), as in IAM. ``principal_type`` is ``User``, ``AssumedRole``, ``FederatedUser``,
    ``Account`` (root) or ``Anonymous``.
    """

    action: str
    resource: str = "*"
    principal_type: str = "User"
    username: str | None = None
    mfa_present: bool | None = None
    via_aws_service: bool = False
    account: str = "123456789012"
    principal_arn: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # other context keys, e.g. (("aws:SourceIp", …),)

    def context(self) -> dict[str, str]:
        """Condition keys (lower-cased: IAM key names are case-insensitive) → values."""
        ctx = {"aws:principaltype": self.principal_type, "aws:principalaccount": self.account,
               "aws:viaawsservice": _bool_text(self.via_aws_service)}
        if self.mfa_present is not None:
            ctx["aws:multifactorauthpresent"] = _bool_text(self.mfa_present)
        if self.principal_type == "User" and self.username:
            ctx["aws:username"] = self.username
        arn = self.principal_arn or self._default_principal_arn()
        if arn:
            ctx["aws:principalarn"] = arn
        ctx.update((key.lower(), value) for key, value in self.extra)
        return ctx

    def _default_principal_arn(self) -> str | None:
        if self.principal_type == "User" and self.username:
            return f"arn:aws:iam::{self.account}:user/{self.username}"
        if self.principal_type == "Account":
            return f"arn:aws:iam::{self.account}:root"
        return None


def evaluate(document: Mapping[str, Any], request: Request) -> Decision:
    """The policy's verdict on the request: an explicit Deny wins, then any Allow."""
    version = document.get("Version")
    allowed = False
    for statement in statements(document):
        if statement_applies(statement, request, version=version):
            if statement["Effect"] == "Deny":
                return Decision.DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.NO_MATCH


def scp_blocks(document: Mapping[str, Any], request: Request) -> bool:
    """Whether a service control policy filters the request out (an explicit Deny).

    Assumes the usual FullAWSAccess SCP sits beside it, so only Deny statements matter: an
    Allow in an SCP never grants anything and cannot exempt from a Deny.
    """
    return evaluate(document, request) is Decision.DENY


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The document's statements as a list (IAM accepts one object or a list)."""
    if not isinstance(document, Mapping):
        raise PolicyError("The policy is not a JSON object.")
    raw = document.get("Statement")
    if raw is None:
        raise PolicyError("The policy has no Statement.")
    items = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or not all(isinstance(s, Mapping) for s in items):
        raise PolicyError("Statement must be an object or a list of objects.")
    for index, statement in enumerate(items):
        check_statement(statement, index)
    return items


def check_statement(statement: Mapping[str, Any], index: int = 0) -> None:
    """Raise PolicyError/UnsupportedPolicy when a statement cannot be evaluated."""
    label = f"Statement {statement.get('Sid') or index + 1}"
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise PolicyError(f"{label}: Effect must be \"Allow\" or \"Deny\".")
    if ("Action" in statement) == ("NotAction" in statement):
        raise PolicyError(f"{label}: exactly one of Action and NotAction is required.")
    if "Resource" in statement and "NotResource" in statement:
        raise PolicyError(f"{label}: Resource and NotResource cannot both be present.")
    for element in ("Principal", "NotPrincipal"):
        if element in statement:
            raise PolicyError(f"{label}: {element} belongs in resource policies; IAM "
                              "rejects it in identity policies and SCPs.")
    for element in ("Action", "NotAction", "Resource", "NotResource"):
        if element in statement:
            values = as_list(statement[element])
            if not values or not all(isinstance(v, str) for v in values):
                raise PolicyError(f"{label}: {element} must be a string or a list of strings.")
    condition = statement.get("Condition", {})
    if not isinstance(condition, Mapping) or not all(
            isinstance(block, Mapping) for block in condition.values()):
        raise PolicyError(f"{label}: Condition must map operators to {{key: values}} objects.")
    for operator in condition:
        _operator(operator)  # raises for operators outside the subset


def statement_applies(statement: Mapping[str, Any], request: Request, *,
                      version: Any = VARIABLES_VERSION) -> bool:
    """Whether the statement matches the request (action, resource and condition)."""
    context = request.context()
    substitute = version == VARIABLES_VERSION
    if "Action" in statement:
        if not _any_action(as_list(statement["Action"]), request.action):
            return False
    elif _any_action(as_list(statement["NotAction"]), request.action):
        return False
    if "NotResource" in statement:
        if _any_resource(as_list(statement["NotResource"]), request.resource, context, substitute):
            return False
    elif not _any_resource(as_list(statement.get("Resource", "*")), request.resource, context,
                           substitute):
        return False
    condition = statement.get("Condition", {})
    return all(
        _operator(operator)(context.get(key.lower()), as_list(values), context, substitute)
        for operator, block in condition.items()
        for key, values in block.items()
    )


def as_list(value: Any) -> list[Any]:
    """IAM treats a single value and a one-item list alike."""
    return list(value) if isinstance(value, list) else [value]


def action_matches(pattern: str, action: str) -> bool:
    """``iam:Enable*`` matches ``iam:EnableMFADevice`` (action names are case-insensitive)."""
    return _glob(pattern.lower()).fullmatch(action.lower()) is not None


# --------------------------------------------------------------------------- matching


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


def _any_action(patterns: Iterable[str], action: str) -> bool:
    return any(action_matches(p, action) for p in patterns)


def _any_resource(patterns: Iterable[str], resource: str, context: Mapping[str, str],
                  substitute: bool) -> bool:
    for pattern in patterns:
        regex = _pattern(pattern, context, substitute)
        if regex is not None and regex.fullmatch(resource):
            return True
    return False


@lru_cache(maxsize=2048)
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern), re.DOTALL)


def _pattern(pattern: str, context: Mapping[str, str], substitute: bool,
             *, wildcards: bool = True, ignore_case: bool = False) -> re.Pattern[str] | None:
    """The policy value as a regex; None when a policy variable cannot be resolved (IAM then
    treats the value as not matching)."""
    parts: list[str] = []
    position = 0
    for match in _VARIABLE.finditer(pattern) if substitute else ():
        parts.append(_literal_or_glob(pattern[position:match.start()], wildcards))
        value = _resolve(match.group(1), context)
        if value is None:
            return None
        parts.append(re.escape(value))
        position = match.end()
    parts.append(_literal_or_glob(pattern[position:], wildcards))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _literal_or_glob(text: str, wildcards: bool) -> str:
    if not wildcards:
        return re.escape(text)
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)


def _resolve(variable: str, context: Mapping[str, str]) -> str | None:
    if variable in ("*", "?", "$"):
        return variable
    default = _DEFAULT.match(variable)
    key = (default.group(1) if default else variable).strip().lower()
    if key in context:
        return context[key]
    return default.group(2) if default else None


# --------------------------------------------------------------------------- operators

# (context value or None, policy values, context, substitute variables) -> condition holds
_Check = Callable[[str | None, list[Any], Mapping[str, str], bool], bool]


def _operator(name: str) -> _Check:
    if not isinstance(name, str):
        raise PolicyError("Condition operators must be strings.")
    if ":" in name:
        raise UnsupportedPolicy(f"Condition operator {name} (set operators on multi-valued "
                                "keys) is not evaluated here.")
    if name == "Null":
        return _null
    base, if_exists = (name[:-8], True) if name.endswith("IfExists") else (name, False)
    match = _MATCHERS.get(base)
    if match is None:
        raise UnsupportedPolicy(f"Condition operator {name} is not evaluated here.")
    negated = "Not" in base

    def check(actual: str | None, values: list[Any], context: Mapping[str, str],
              substitute: bool) -> bool:
        if actual is None:
            return if_exists or negated
        hit = any(match(actual, _text(v), context, substitute) for v in values)
        return not hit if negated else hit

    return check


def _text(value: Any) -> str:
    """Policy values may be JSON booleans or numbers; IAM compares their text."""
    if isinstance(value, bool):
        return _bool_text(value)
    return str(value)


def _null(actual: str | None, values: list[Any], context: Mapping[str, str],
          substitute: bool) -> bool:
    # "Null": {"key": "true"} holds when the key is absent; "false" when it is present.
    return any((_text(v).lower() == "true") == (actual is None) for v in values)


def _string_equals(actual: str, value: str, context: Mapping[str, str], sub: bool) -> bool:
    regex = _pattern(value, context, sub, wildcards=False)
    return regex is not None and regex.fullmatch(actual) is not None


def _string_like(actual: str, value: str, context: Mapping[str, str], sub: bool) -> bool:
    regex = _pattern(value, context, sub)
    return regex is not None and regex.fullmatch(actual) is not None


def _bool(actual: str, value: str, context: Mapping[str, str], sub: bool) -> bool:
    return actual.lower() == value.lower()


def _arn_like(actual: str, value: str, context: Mapping[str, str], sub: bool) -> bool:
    # Each of the six colon-separated parts is matched on its own, wildcards within a part.
    got, want = actual.split(":", 5), value.split(":", 5)
    if len(got) != 6 or len(want) != 6:
        return False
    for part, pattern in zip(got, want, strict=True):
        regex = _pattern(pattern, context, sub)
        if regex is None or regex.fullmatch(part) is None:
            return False
    return True


_MATCHERS: dict[str, Callable[[str, str, Mapping[str, str], bool], bool]] = {
    "Bool": _bool,
    "StringEquals": _string_equals,
    "StringNotEquals": _string_equals,
    "StringLike": _string_like,
    "StringNotLike": _string_like,
    "ArnEquals": _arn_like,  # IAM documents ArnEquals and ArnLike as the same match
    "ArnNotEquals": _arn_like,
    "ArnLike": _arn_like,
    "ArnNotLike": _arn_like,
}
