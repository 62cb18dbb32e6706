"""Lint a policy for the pitfalls of MFA enforcement (the seed article's, and a few more).

Most checks *evaluate* requests with :mod:`policy_eval` rather than match spelling: "would an
IAM user without MFA still be able to call sts:GetSessionToken?", "does this SCP stop a role
session?". Each finding is one sentence a user can act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mfa_tui.core.policy_eval import (
    VARIABLES_VERSION,
    Decision,
    PolicyError,
    Request,
    UnsupportedPolicy,
    as_list,
    evaluate,
    statement_applies,
    statements,
)
from mfa_tui.core.policy_templates import MANAGED_POLICY_MAX_CHARS

Kind = Literal["identity", "scp"]
Severity = Literal["error", "warning"]

#: AWS Organizations' limit for a service control policy (characters, whitespace excluded).
SCP_MAX_CHARS = 5120

#: Every code `lint` can return, and what it means.
CODES: dict[str, str] = {
    "invalid-json": "the text is not JSON",
    "invalid-policy": "the JSON is not a policy document IAM would accept",
    "unsupported": "an operator mfa-tui does not evaluate; behaviour checks skipped",
    "missing-version": "no Version: IAM reads 2008-10-17, without policy variables",
    "old-version": "a Version other than 2012-10-17",
    "too-large": "over IAM's 6,144 (policy) or Organizations' 5,120 (SCP) characters",
    "mfa-bool-in-deny": "a deny on aws:MultiFactorAuthPresent that long-term keys escape "
                        "(Bool instead of BoolIfExists)",
    "mfa-ifexists-in-allow": "an allow that long-term keys without MFA satisfy "
                             "(BoolIfExists instead of Bool)",
    "blocks-mfa-setup": "users without MFA cannot create or enable their MFA device",
    "missing-session-token-exemption": "a deny-unless-MFA that does not exempt "
                                       "sts:GetSessionToken (harmless today: AWS does not "
                                       "apply policies to it)",
    "missing-change-password-exemption": "users without MFA cannot change their password",
    "unscoped-self-service": "a self-service action allowed on other users' resources",
    "incomplete-credential-deny": "a credential-creation deny that misses some actions",
    "scp-blocks-roles": "an SCP that stops role sessions (automation) without MFA",
    "scp-blocks-aws-services": "an SCP that stops calls AWS services make for a user",
    "scp-allow": "an Allow in an SCP (grants nothing, exempts from nothing)",
    "lost-policy-variable": "an ARN ending in user/ or mfa/: ${aws:username} went missing",
}

#: An IAM ARN whose ${aws:username} a shell expanded to nothing, in JSON text.
_EATEN_VARIABLE = re.compile(r':(?:user|mfa)/(?:\\\\)*\\?"')
_SHELL_HINT = ("; an ARN ends in user/ or mfa/ where ${aws:username} belongs, as when an unquoted "
               "shell heredoc (cat << EOF) expands it: quote the delimiter (cat << 'EOF')")

ACCOUNT = "123456789012"
_USER, _OTHER = "alice", "bob"

#: What a user without MFA must still be able to do to set MFA up.
_SETUP = (("iam:CreateVirtualMFADevice", "mfa"), ("iam:EnableMFADevice", "user"))

#: Actions on one user's credentials; a self-service policy must limit them to the caller.
SELF_SERVICE_ACTIONS: dict[str, str] = {
    "iam:DeleteVirtualMFADevice": "mfa",
    **{f"iam:{verb}MFADevice": "user" for verb in ("Enable", "Deactivate", "Resync")},
    **{f"iam:{verb}AccessKey": "user" for verb in ("Create", "Delete", "Update")},
    **{f"iam:{verb}LoginProfile": "user" for verb in ("Create", "Update", "Delete")},
    **{f"iam:{verb}SSHPublicKey": "user" for verb in ("Upload", "Update", "Delete")},
    **{f"iam:{verb}SigningCertificate": "user" for verb in ("Upload", "Update", "Delete")},
    **{f"iam:{verb}ServiceSpecificCredential": "user"
       for verb in ("Create", "Reset", "Update", "Delete")},
}

#: Actions that give a user a new way in; the deny for the user-creating group covers them all.
CREDENTIAL_CREATION_ACTIONS = (
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential", "iam:UpdateLoginProfile", "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate",
)


@dataclass(frozen=True)
class Finding:
    """One problem: a stable code, its severity and one sentence for the user."""

    code: str
    severity: Severity
    message: str


def policy_size(document: Mapping[str, Any]) -> int:
    """The size IAM checks against its limit: characters of the JSON, whitespace excluded."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return sum(1 for ch in text if not ch.isspace())


def lint_text(text: str, kind: Kind) -> list[Finding]:
    """Lint JSON text (a file's content): invalid JSON is a finding, not an exception."""
    if not text.strip():
        return [Finding("invalid-json", "error", "The policy is empty.")]
    try:
        document = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line}, column {getattr(exc, 'colno', '?')})" if line else ""
        reason = str(getattr(exc, "msg", exc)).removesuffix(" at").lower()
        hint = _SHELL_HINT if _EATEN_VARIABLE.search(text) else ""
        return [Finding("invalid-json", "error",
                        f"The policy is not valid JSON{where}: {reason}{hint}.")]
    if not isinstance(document, dict):
        return [Finding("invalid-policy", "error", "The policy is not a JSON object.")]
    return lint(document, kind)


def lint(document: Mapping[str, Any], kind: Kind) -> list[Finding]:
    """Findings for a parsed policy document: errors first, then warnings."""
    found = _version_and_size(document, kind)
    try:
        statements(document)
        found += _behaviour(document, kind)
    except UnsupportedPolicy as exc:
        found.append(Finding("unsupported", "warning",
                             f"{str(exc).rstrip('.')}, so the behaviour checks were skipped: "
                             "review the policy by hand."))
    except PolicyError as exc:
        found.append(Finding("invalid-policy", "error", str(exc)))
    return sorted(found, key=lambda f: f.severity != "error")


# --------------------------------------------------------------------------- checks


def _version_and_size(document: Mapping[str, Any], kind: Kind) -> list[Finding]:
    found = []
    text = json.dumps(document)
    uses_variables = "${" in text
    severity: Severity = "error" if uses_variables else "warning"
    why = (", so ${aws:username} is taken literally and matches nothing" if uses_variables
           else "")
    version = document.get("Version")
    if version is None:
        found.append(Finding("missing-version", severity,
                             f"The policy has no Version, so IAM reads it as 2008-10-17{why}: "
                             f"add \"Version\": \"{VARIABLES_VERSION}\"."))
    elif version != VARIABLES_VERSION:
        found.append(Finding("old-version", severity,
                             f"The policy's Version is {version!r}{why}: use "
                             f"\"{VARIABLES_VERSION}\"."))
    limit = SCP_MAX_CHARS if kind == "scp" else MANAGED_POLICY_MAX_CHARS
    size = policy_size(document)
    if size > limit:
        what = "a service control policy" if kind == "scp" else "a managed policy"
        found.append(Finding("too-large", "error",
                             f"The policy is {size:,} characters without whitespace; the limit "
                             f"for {what} is {limit:,}."))
    return found


def _behaviour(document: Mapping[str, Any], kind: Kind) -> list[Finding]:
    found = _lost_variables(document) + _mfa_conditions(document) + _exemptions(document)
    if kind == "scp":
        found += _scp(document)
    else:
        found += _self_service_scope(document) + _credential_deny(document)
    return found


def _lost_variables(document: Mapping[str, Any]) -> list[Finding]:
    """ARNs that end where ${aws:username} should be (the seed's bash heredoc bug)."""
    where: dict[str, list[str]] = {}
    for index, statement in enumerate(statements(document)):
        for element in ("Resource", "NotResource"):
            for value in as_list(statement.get(element, [])):
                if value.endswith((":user/", ":mfa/")):
                    where.setdefault(value, []).append(statement.get("Sid") or f"#{index + 1}")
    return [Finding("lost-policy-variable", "error",
                    f"{value} (in {', '.join(sids)}) names no user or device: "
                    "${aws:username} went missing, as when an unquoted shell heredoc "
                    "(cat << EOF) expands it; quote the delimiter (cat << 'EOF').")
            for value, sids in where.items()]


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def _request(action: str, resource: str = "*", mfa: bool | None = None,
             **kw: Any) -> Request:
    return Request(action=action, resource=resource, username=kw.pop("username", _USER),
                   mfa_present=mfa, account=ACCOUNT, **kw)


def _label(statement: Mapping[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"Statement {sid}" if sid else f"Statement #{index + 1}"


def _mfa_gated(document: Mapping[str, Any], action: str, resource: str, **kw: Any) -> bool:
    """Denied without MFA (key false or absent) but not with it."""
    def denied(mfa: bool | None) -> bool:
        return evaluate(document, _request(action, resource, mfa, **kw)) is Decision.DENY

    return (denied(False) or denied(None)) and not denied(True)


def _mfa_conditions(document: Mapping[str, Any]) -> list[Finding]:
    """Deny/Allow statements whose MFA condition long-term access keys slip through."""
    found = []
    version = document.get("Version")
    for index, statement in enumerate(statements(document)):
        if "Condition" not in statement:
            continue
        probe = {"Effect": statement["Effect"], "Action": "*", "Resource": "*",
                 "Condition": statement["Condition"]}

        def holds(mfa: bool | None, probe: Mapping[str, Any] = probe) -> bool:
            return statement_applies(probe, _request("ec2:RunInstances", mfa=mfa),
                                     version=version)

        label = _label(statement, index)
        if statement["Effect"] == "Deny" and holds(False) and not holds(None):
            how = ("with Bool, which is false" if _has_key(
                statement, "Bool", "aws:MultiFactorAuthPresent") else "with a condition false")
            found.append(Finding(
                "mfa-bool-in-deny", "error",
                f"{label} denies on aws:MultiFactorAuthPresent {how} when the key is absent, so "
                "requests signed with long-term access keys escape the deny: use BoolIfExists."))
        if statement["Effect"] == "Allow" and holds(None) and not holds(False):
            found.append(Finding(
                "mfa-ifexists-in-allow", "warning",
                f"{label} allows requests that carry no aws:MultiFactorAuthPresent key at all, "
                "so long-term access keys pass without MFA: use Bool with \"true\"."))
    return found


def _has_key(statement: Mapping[str, Any], operator: str, key: str) -> bool:
    block = statement.get("Condition", {}).get(operator, {})
    return any(k.lower() == key.lower() for k in block)


def _exemptions(document: Mapping[str, Any]) -> list[Finding]:
    """A deny-unless-MFA must leave the way to MFA open."""
    found = []
    blocked = [action for action, kind in _SETUP
               if _mfa_gated(document, action, _arn(kind, _USER))]
    if blocked:
        found.append(Finding(
            "blocks-mfa-setup", "error",
            f"Users without MFA are denied {', '.join(blocked)} on their own user, so they can "
            "never set MFA up: exempt the MFA set-up actions (NotAction)."))
    if _mfa_gated(document, "sts:GetSessionToken", "*"):
        found.append(Finding(
            "missing-session-token-exemption", "warning",
            "The deny-unless-MFA does not exempt sts:GetSessionToken; AWS does not apply "
            "policies to that call today, so access-key users still get their MFA session, but "
            "exempt it so the policy says how they are meant to."))
    if _mfa_gated(document, "iam:ChangePassword", _arn("user", _USER)):
        found.append(Finding(
            "missing-change-password-exemption", "warning",
            "iam:ChangePassword is denied without MFA, so a user who must reset the password "
            "at first sign-in never gets as far as enrolling a device: exempt it."))
    return found


def _self_service_scope(document: Mapping[str, Any]) -> list[Finding]:
    """In a self-service policy, an action on credentials must be limited to the caller's own."""
    if "${aws:username}" not in json.dumps(document) and not _mfa_gated(
            document, "ec2:DescribeInstances", "*"):
        return []  # an administrator's policy, not a self-service one
    found = []
    version = document.get("Version")
    for index, statement in enumerate(statements(document)):
        if statement["Effect"] != "Allow":
            continue
        loose = [action for action, kind in SELF_SERVICE_ACTIONS.items()
                 if statement_applies(statement, _request(action, _arn(kind, _OTHER), True),
                                      version=version)]
        if loose:
            resources = ", ".join(as_list(statement.get("Resource", statement.get(
                "NotResource", "*"))))
            found.append(Finding(
                "unscoped-self-service", "error",
                f"{_label(statement, index)} allows {', '.join(loose)} on {resources}, so a "
                "user can do that to every other user, not only to themselves: scope the "
                "resource to ${aws:username}."))
    return found


def _credential_deny(document: Mapping[str, Any]) -> list[Finding]:
    found = []
    version = document.get("Version")
    for index, statement in enumerate(statements(document)):
        if statement["Effect"] != "Deny":
            continue

        def denies(action: str, mfa: bool | None, statement: Mapping[str, Any] = statement
                   ) -> bool:
            return statement_applies(statement, _request(action, _arn("user", _OTHER), mfa),
                                     version=version)

        covered = [a for a in CREDENTIAL_CREATION_ACTIONS if denies(a, None) or denies(a, False)]
        gated = covered and not any(denies(a, True) for a in covered)
        if gated and len(covered) < len(CREDENTIAL_CREATION_ACTIONS):
            missing = [a for a in CREDENTIAL_CREATION_ACTIONS if a not in covered]
            found.append(Finding(
                "incomplete-credential-deny", "warning",
                f"{_label(statement, index)} denies {', '.join(covered)} without MFA but not "
                f"{', '.join(missing)}, which create credentials too."))
    return found


def _scp(document: Mapping[str, Any]) -> list[Finding]:
    found = []
    if _mfa_gated(document, "ec2:RunInstances", "*", principal_type="AssumedRole",
                  username=None):
        found.append(Finding(
            "scp-blocks-roles", "error",
            "The SCP denies role sessions without MFA too (instance profiles, Lambda, CI and "
            "cross-account roles) and stops automation across the organization: limit it with "
            "StringEquals aws:PrincipalType = User."))
    if _mfa_gated(document, "kms:Decrypt", "*", via_aws_service=True):
        found.append(Finding(
            "scp-blocks-aws-services", "warning",
            "The SCP also denies calls AWS services make on a user's behalf: add Bool "
            "aws:ViaAWSService = false to the deny."))
    for index, statement in enumerate(statements(document)):
        if statement["Effect"] != "Allow" or _is_full_access(statement):
            continue
        named = [a for a in as_list(statement.get("Action", [])) if "*" not in a and "?" not in a]
        overridden = [a for a in named if _mfa_gated(document, a, _sample_resource(a))]
        label = _label(statement, index)
        if overridden:
            found.append(Finding(
                "scp-allow", "error",
                f"{label} tries to exempt {', '.join(overridden)} from the deny, but an Allow in "
                "an SCP grants nothing and never overrides a Deny: exempt them with NotAction "
                "in the deny instead."))
        else:
            found.append(Finding(
                "scp-allow", "warning",
                f"{label} is an Allow, and an SCP never grants permissions: beside "
                "FullAWSAccess it has no effect."))
    return found


def _is_full_access(statement: Mapping[str, Any]) -> bool:
    return (as_list(statement.get("Action")) == ["*"]
            and as_list(statement.get("Resource", "*")) == ["*"]
            and not statement.get("Condition"))


def _sample_resource(action: str) -> str:
    kind = SELF_SERVICE_ACTIONS.get(action) or dict(_SETUP).get(action)
    return _arn(kind, _USER) if kind else "*"
