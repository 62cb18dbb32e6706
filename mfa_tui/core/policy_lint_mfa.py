"""The linter's MFA checks: conditions that let requests without MFA through, exemptions that
open a way around the deny, and a self-service policy that never lets users set MFA up.

Each check asks :mod:`policy_eval` about sample requests (see :mod:`policy_probe`), so two
statements that together deny what one would (``Bool`` false beside ``Null`` true) are judged
as the pair they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mfa_tui.core.policy_eval import (
    Decision,
    action_matches,
    as_list,
    evaluate,
    statement_applies,
    statements,
)
from mfa_tui.core.policy_probe import (
    USER,
    WITHOUT_MFA,
    Finding,
    arn,
    denied,
    label,
    mfa_gated,
    request,
)

#: What a user without MFA must still be able to do to set MFA up.
SETUP = (("iam:CreateVirtualMFADevice", "mfa"), ("iam:EnableMFADevice", "user"))

#: Calls that would let a user without MFA make themselves an administrator (or drop the
#: enforcement): a deny-unless-MFA must never exempt them. Action → a sample resource.
ESCALATION: dict[str, str] = {
    "iam:AttachUserPolicy": arn("user", USER),
    "iam:PutUserPolicy": arn("user", USER),
    "iam:DetachUserPolicy": arn("user", USER),
    "iam:DeleteUserPolicy": arn("user", USER),
    "iam:AddUserToGroup": arn("group", "Administrators"),
    "iam:AttachGroupPolicy": arn("group", "Administrators"),
    "iam:PutGroupPolicy": arn("group", "Administrators"),
    "iam:CreatePolicyVersion": arn("policy", "EnforceMFAPolicy"),
    "iam:SetDefaultPolicyVersion": arn("policy", "EnforceMFAPolicy"),
    "iam:CreateAccessKey": arn("user", USER),
    "iam:CreateLoginProfile": arn("user", USER),
    "iam:UpdateLoginProfile": arn("user", USER),
    "iam:UpdateAssumeRolePolicy": arn("role", "Admin"),
    "iam:PassRole": arn("role", "Admin"),
}

#: Calls that take a second factor away; AWS's policy allows them only with MFA.
MFA_REMOVAL: dict[str, str] = {
    "iam:DeactivateMFADevice": arn("user", USER),
    "iam:DeleteVirtualMFADevice": arn("mfa", USER),
}

#: Requests a statement may deny, tried in turn to find one it does (the pair check).
_SAMPLES = (("ec2:RunInstances", "*"), ("s3:GetObject", "arn:aws:s3:::reports/q1.csv"),
            *ESCALATION.items())

_TERRAFORM_ESCAPE = re.compile(r"\$\$\{")
_BACKSLASH = re.compile(r"\\")


def mfa_conditions(document: Mapping[str, Any]) -> list[Finding]:
    """Deny/Allow statements whose MFA condition lets some requests without MFA through."""
    found = []
    version = document.get("Version")
    for index, statement in enumerate(statements(document)):
        if "Condition" not in statement:
            continue
        probe = {"Effect": statement["Effect"], "Action": "*", "Resource": "*",
                 "Condition": statement["Condition"]}

        def holds(mfa: bool | None, probe: Mapping[str, Any] = probe) -> bool:
            return statement_applies(probe, request("ec2:RunInstances", mfa=mfa),
                                     version=version)

        name = label(statement, index)
        if statement["Effect"] == "Deny" and not holds(True):
            if holds(False) and not holds(None) and not _paired(document, statement, False):
                how = ("with Bool, which is false" if _has_key(
                    statement, "Bool", "aws:MultiFactorAuthPresent")
                    else "with a condition false")
                found.append(Finding(
                    "mfa-bool-in-deny", "error",
                    f"{name} denies on aws:MultiFactorAuthPresent {how} when the key is absent, "
                    "so requests signed with long-term access keys escape the deny: use "
                    "BoolIfExists."))
            if holds(None) and not holds(False) and not _paired(document, statement, None):
                found.append(Finding(
                    "mfa-null-only-deny", "error",
                    f"{name} denies only requests that carry no aws:MultiFactorAuthPresent key "
                    "(Null), so console sessions and other temporary credentials without MFA, "
                    "where the key is false, pass: use BoolIfExists "
                    "aws:MultiFactorAuthPresent = false."))
        if statement["Effect"] == "Allow" and holds(None) and not holds(False):
            found.append(Finding(
                "mfa-ifexists-in-allow", "warning",
                f"{name} allows requests that carry no aws:MultiFactorAuthPresent key at all, "
                "so long-term access keys pass without MFA: use Bool with \"true\"."))
    return found


def _paired(document: Mapping[str, Any], statement: Mapping[str, Any],
            mfa: bool | None) -> bool:
    """Whether the rest of the document denies, in the other MFA state, what ``statement``
    denies in state ``mfa`` (``Bool`` false beside ``Null`` true is ``BoolIfExists``)."""
    version = document.get("Version")
    other = None if mfa is False else False
    for action, resource in _samples(statement):
        if statement_applies(statement, request(action, resource, mfa), version=version):
            return denied(document, action, resource, other)
    return False


def _samples(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    named = [re.sub(r"[*?]", "X", a) for a in as_list(statement.get("Action", []))]
    resources = [re.sub(r"[*?]", "x", r.replace("${aws:username}", USER))
                 for r in as_list(statement.get("Resource", []))]
    return [*_SAMPLES, *((a, r) for a in named for r in ["*", *resources])]


def _has_key(statement: Mapping[str, Any], operator: str, key: str) -> bool:
    block = statement.get("Condition", {}).get(operator, {})
    return any(k.lower() == key.lower() for k in block)


def exemptions(document: Mapping[str, Any], kind: str) -> list[Finding]:
    """A deny-unless-MFA must leave the way to MFA open, and nothing else."""
    found = []
    blocked = [action for action, what in SETUP if mfa_gated(document, action, arn(what, USER))]
    if blocked:
        found.append(Finding(
            "blocks-mfa-setup", "error",
            f"Users without MFA are denied {', '.join(blocked)} on their own user, so they can "
            "never set MFA up: exempt the MFA set-up actions (NotAction)."))
    if kind == "identity":
        found += _setup_not_allowed(document, blocked)
    if mfa_gated(document, "sts:GetSessionToken", "*"):
        found.append(Finding(
            "missing-session-token-exemption", "warning",
            "The deny-unless-MFA does not exempt sts:GetSessionToken; AWS does not apply "
            "policies to that call today, so access-key users still get their MFA session, but "
            "exempt it so the policy says how they are meant to."))
    password_policy = mfa_gated(document, "iam:GetAccountPasswordPolicy", "*")
    if mfa_gated(document, "iam:ChangePassword", arn("user", USER)):
        also = " and iam:GetAccountPasswordPolicy" if password_policy else ""
        found.append(Finding(
            "missing-change-password-exemption", "warning",
            "iam:ChangePassword is denied without MFA, so a user who must reset the password "
            f"at first sign-in never gets as far as enrolling a device: exempt it{also}."))
    elif password_policy:
        found.append(Finding(
            "missing-password-policy-exemption", "warning",
            "iam:GetAccountPasswordPolicy is denied without MFA while iam:ChangePassword is "
            "exempt, and AWS needs both for the password change at first sign-in: exempt "
            "iam:GetAccountPasswordPolicy too."))
    found += _exempted(document, ESCALATION, "exempts-escalation",
                       "so a user without MFA can give themselves administrator access or "
                       "shed the enforcement")
    found += _exempted(document, MFA_REMOVAL, "exempts-mfa-removal",
                       "so a stolen password or access key is enough to take the second "
                       "factor away (AWS's policy allows these only with MFA)")
    return found


def _exempted(document: Mapping[str, Any], actions: Mapping[str, str], code: str,
              consequence: str) -> list[Finding]:
    """Actions a deny-everything-unless-MFA (NotAction, or Action "*") lets through.

    A deny scoped to some services (``ec2:*``) exempts nothing: it never meant to cover IAM.
    """
    version = document.get("Version")
    broad = [(index, st) for index, st in enumerate(statements(document))
             if st["Effect"] == "Deny" and ("NotAction" in st or "*" in as_list(st["Action"]))]
    loose: list[str] = []
    names: list[str] = []
    for index, statement in broad:
        for mfa in WITHOUT_MFA:
            if not statement_applies(statement, request("ec2:RunInstances", mfa=mfa),
                                     version=version):
                continue
            found = [a for a, resource in actions.items()
                     if a not in loose and not denied(document, a, resource, mfa)]
            if found:
                loose += found
                names.append(label(statement, index))
    if not loose:
        return []
    return [Finding(code, "error",
                    f"{', '.join(dict.fromkeys(names))} exempts {', '.join(loose)} from the "
                    f"deny-unless-MFA, {consequence}: exempt only the MFA set-up actions and "
                    "what a first sign-in needs.")]


def _setup_not_allowed(document: Mapping[str, Any], blocked: list[str]) -> list[Finding]:
    """A self-service policy must *allow* set-up on the user's own user and device."""
    allows = [s for s in statements(document) if s["Effect"] == "Allow" and any(
        action_matches(pattern, action) for pattern in as_list(s.get("Action", []))
        for action, _ in SETUP)]
    if not allows:
        return []  # not a self-service policy: set-up is granted elsewhere
    missing = [f"{action} on {arn(what, USER)}" for action, what in SETUP
               if action not in blocked and evaluate(
                   document, request(action, arn(what, USER), False)) is not Decision.ALLOW]
    if not missing:
        return []
    text = " ".join(str(r) for s in allows for r in as_list(s.get("Resource", [])))
    hint = ("; ${aws:userid} is the user's unique id (AIDA…), never their name, so it "
            "matches no user or device ARN: use ${aws:username}"
            if "${aws:userid}" in text.lower() else "")
    return [Finding("mfa-setup-not-allowed", "error",
                    f"No statement allows {' or '.join(missing)} for a user without MFA, so "
                    f"users can never set MFA up{hint}.")]


def escaped_variables(document: Mapping[str, Any]) -> list[Finding]:
    """``$${aws:username}`` (Terraform's escape) or a backslash left in the JSON."""
    found = []
    for index, statement in enumerate(statements(document)):
        values = [v for element in ("Resource", "NotResource")
                  for v in as_list(statement.get(element, [])) if isinstance(v, str)]
        for block in statement.get("Condition", {}).values():
            values += [str(v) for vs in block.values() for v in as_list(vs)]
        for value in values:
            if _TERRAFORM_ESCAPE.search(value):
                found.append(Finding(
                    "escaped-policy-variable", "error",
                    f"{label(statement, index)} has {value}: $${{…}} is Terraform's escape "
                    "for a literal ${…}, and in JSON IAM reads a $ followed by the variable, "
                    "so it matches no user: write ${aws:username}."))
            elif _BACKSLASH.search(value) and "${" in value:
                found.append(Finding(
                    "escaped-policy-variable", "error",
                    f"{label(statement, index)} has {value}: the backslash (shell escaping "
                    "left in) is taken literally, so it matches no user: write "
                    "${aws:username} without it."))
    return found
