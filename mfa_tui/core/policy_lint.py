"""Lint a policy for the pitfalls of MFA enforcement (the seed article's, and a few more).

Most checks *evaluate* requests with :mod:`policy_eval` rather than match spelling: "would an
IAM user without MFA still be able to call sts:GetSessionToken?", "does this SCP stop a role
session?". Each finding is one sentence a user can act on. The MFA checks (conditions,
exemptions, set-up allowed) live in :mod:`policy_lint_mfa`, the sample requests in
:mod:`policy_probe`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from mfa_tui.core.policy_eval import (
    VARIABLES_VERSION,
    PolicyError,
    UnsupportedPolicy,
    as_list,
    statement_applies,
    statements,
)
from mfa_tui.core.policy_lint_mfa import SETUP, escaped_variables, exemptions, mfa_conditions
from mfa_tui.core.policy_probe import (
    OTHER,
    ROLE_ARN,
    USER,
    Finding,
    Severity,
    arn,
    label,
    mfa_gated,
    request,
)
from mfa_tui.core.policy_templates import MANAGED_POLICY_MAX_CHARS

__all__ = ["CODES", "SCP_MAX_CHARS", "Finding", "Kind", "Severity", "lint", "lint_text",
           "policy_size", "scp_size"]

Kind = Literal["identity", "scp"]

#: AWS Organizations' limit for a service control policy, in characters. Unlike IAM's, it
#: counts whitespace in a policy saved through the API, the CLI or Terraform: only the console
#: strips it (AWS Organizations quotas, "Maximum size of a policy document").
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
    "mfa-null-only-deny": "a deny on a missing aws:MultiFactorAuthPresent (Null) alone, which "
                          "console sessions without MFA escape",
    "mfa-ifexists-in-allow": "an allow that long-term keys without MFA satisfy "
                             "(BoolIfExists instead of Bool)",
    "blocks-mfa-setup": "users without MFA cannot create or enable their MFA device",
    "mfa-setup-not-allowed": "a self-service policy that never allows a user to create or "
                             "enable their own MFA device",
    "escaped-policy-variable": "$${aws:username} (Terraform's escape) or a backslash left in "
                               "the JSON: the variable matches no user",
    "exempts-escalation": "a deny-unless-MFA that lets users without MFA change their own "
                          "permissions (iam:* exempted, for instance)",
    "exempts-mfa-removal": "a deny-unless-MFA that lets users without MFA deactivate or delete "
                           "MFA devices",
    "missing-session-token-exemption": "a deny-unless-MFA that does not exempt "
                                       "sts:GetSessionToken (harmless today: AWS does not "
                                       "apply policies to it)",
    "missing-change-password-exemption": "users without MFA cannot change their password",
    "missing-password-policy-exemption": "iam:GetAccountPasswordPolicy denied without MFA: the "
                                         "first sign-in's password change needs it",
    "unscoped-self-service": "a self-service action allowed on other users' resources",
    "incomplete-credential-deny": "a credential-creation deny that misses some actions "
                                  "(re-activating a key counts)",
    "scp-blocks-roles": "an SCP that stops role sessions (automation) without MFA",
    "scp-blocks-aws-services": "an SCP that stops calls AWS services make for a user",
    "scp-allow": "an Allow in an SCP (grants nothing, exempts from nothing)",
    "lost-policy-variable": "an ARN ending in user/ or mfa/: ${aws:username} went missing",
}

#: An IAM ARN whose ${aws:username} a shell expanded to nothing, in JSON text.
_EATEN_VARIABLE = re.compile(r':(?:user|mfa)/(?:\\\\)*\\?"')
_SHELL_HINT = ("; an ARN ends in user/ or mfa/ where ${aws:username} belongs, as when an unquoted "
               "shell heredoc (cat << EOF) expands it: quote the delimiter (cat << 'EOF')")

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

#: Actions that give a user a new way in, re-activating a deactivated credential included
#: (IAM has no condition key for the status an Update* call sets); the deny for the
#: user-creating group covers them all.
CREDENTIAL_CREATION_ACTIONS = (
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential", "iam:UpdateLoginProfile", "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate", "iam:UpdateAccessKey", "iam:UpdateSSHPublicKey",
    "iam:UpdateSigningCertificate", "iam:UpdateServiceSpecificCredential",
)


def policy_size(document: Mapping[str, Any]) -> int:
    """The size IAM checks against its limit: characters of the JSON, whitespace excluded."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return sum(1 for ch in text if not ch.isspace())


def scp_size(document: Mapping[str, Any], text: str | None = None) -> int:
    """The size Organizations checks against 5,120: the text exactly as it is saved through
    the API (whitespace counts), or, without ``text``, the compact JSON mfa-tui sends."""
    return len(text) if text is not None else len(json.dumps(document, separators=(",", ":")))


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
    return lint(document, kind, text=text)


def lint(document: Mapping[str, Any], kind: Kind, *, text: str | None = None) -> list[Finding]:
    """Findings for a parsed policy document: errors first, then warnings.

    ``text`` is the document as it will be saved, when known: an SCP's size counts it as is.
    """
    found = _version_and_size(document, kind, text)
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


def _version_and_size(document: Mapping[str, Any], kind: Kind,
                      text: str | None) -> list[Finding]:
    found = []
    uses_variables = "${" in json.dumps(document)
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
    if kind == "scp":
        size, compact = scp_size(document, text), scp_size(document)
        if size > SCP_MAX_CHARS:
            how = (f"as written, whitespace included, as Organizations counts a policy saved "
                   f"through the API, the CLI or Terraform (only the console strips it); "
                   f"minified it is {compact:,}" if text is not None and compact < size else
                   "as mfa-tui would save it (compact JSON)")
            fix = (": save it minified" if compact <= SCP_MAX_CHARS < size else
                   ": split it into two SCPs")
            found.append(Finding("too-large", "error",
                                 f"The policy is {size:,} characters {how}; the limit for a "
                                 f"service control policy is {SCP_MAX_CHARS:,}{fix}."))
        return found
    size = policy_size(document)
    if size > MANAGED_POLICY_MAX_CHARS:
        found.append(Finding("too-large", "error",
                             f"The policy is {size:,} characters without whitespace; the limit "
                             f"for a managed policy is {MANAGED_POLICY_MAX_CHARS:,}."))
    return found


def _behaviour(document: Mapping[str, Any], kind: Kind) -> list[Finding]:
    found = (_lost_variables(document) + escaped_variables(document)
             + mfa_conditions(document) + exemptions(document, kind))
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


def _self_service_scope(document: Mapping[str, Any]) -> list[Finding]:
    """In a self-service policy, an action on credentials must be limited to the caller's own."""
    if "${aws:username}" not in json.dumps(document) and not mfa_gated(
            document, "ec2:DescribeInstances", "*"):
        return []  # an administrator's policy, not a self-service one
    found = []
    version = document.get("Version")
    for index, statement in enumerate(statements(document)):
        if statement["Effect"] != "Allow":
            continue
        loose = [action for action, kind in SELF_SERVICE_ACTIONS.items()
                 if statement_applies(statement, request(action, arn(kind, OTHER), True),
                                      version=version)]
        if loose:
            resources = ", ".join(as_list(statement.get("Resource", statement.get(
                "NotResource", "*"))))
            found.append(Finding(
                "unscoped-self-service", "error",
                f"{label(statement, index)} allows {', '.join(loose)} on {resources}, so a "
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
            return statement_applies(statement, request(action, arn("user", OTHER), mfa),
                                     version=version)

        covered = [a for a in CREDENTIAL_CREATION_ACTIONS if denies(a, None) or denies(a, False)]
        gated = covered and not any(denies(a, True) for a in covered)
        if gated and len(covered) < len(CREDENTIAL_CREATION_ACTIONS):
            missing = [a for a in CREDENTIAL_CREATION_ACTIONS if a not in covered]
            found.append(Finding(
                "incomplete-credential-deny", "warning",
                f"{label(statement, index)} denies {', '.join(covered)} without MFA but not "
                f"{', '.join(missing)}, which create or re-activate credentials too."))
    return found


def _scp(document: Mapping[str, Any]) -> list[Finding]:
    found = []
    if mfa_gated(document, "ec2:RunInstances", "*", principal_type="AssumedRole",
                 username=None, principal_arn=ROLE_ARN):
        found.append(Finding(
            "scp-blocks-roles", "error",
            "The SCP denies role sessions without MFA too (instance profiles, Lambda, CI and "
            "cross-account roles) and stops automation across the organization: limit it with "
            "StringEquals aws:PrincipalType = User."))
    if mfa_gated(document, "kms:Decrypt", "*", via_aws_service=True):
        found.append(Finding(
            "scp-blocks-aws-services", "warning",
            "The SCP also denies calls AWS services make on a user's behalf: add Bool "
            "aws:ViaAWSService = false to the deny."))
    for index, statement in enumerate(statements(document)):
        if statement["Effect"] != "Allow" or _is_full_access(statement):
            continue
        named = [a for a in as_list(statement.get("Action", [])) if "*" not in a and "?" not in a]
        overridden = [a for a in named if mfa_gated(document, a, _sample_resource(a))]
        name = label(statement, index)
        if overridden:
            found.append(Finding(
                "scp-allow", "error",
                f"{name} tries to exempt {', '.join(overridden)} from the deny, but an Allow in "
                "an SCP grants nothing and never overrides a Deny: exempt them with NotAction "
                "in the deny instead."))
        else:
            found.append(Finding(
                "scp-allow", "warning",
                f"{name} is an Allow, and an SCP never grants permissions: beside "
                "FullAWSAccess it has no effect."))
    return found


def _is_full_access(statement: Mapping[str, Any]) -> bool:
    return (as_list(statement.get("Action")) == ["*"]
            and as_list(statement.get("Resource", "*")) == ["*"]
            and not statement.get("Condition"))


def _sample_resource(action: str) -> str:
    kind = SELF_SERVICE_ACTIONS.get(action) or dict(SETUP).get(action)
    return arn(kind, USER) if kind else "*"
