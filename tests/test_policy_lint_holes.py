"""The linter catches the dangerous policies it used to miss (issue 13), each danger first
confirmed with the project's own evaluator, and stays quiet on the safe forms of the same idea.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mfa_tui.core.policy_eval import Decision, Request, evaluate, scp_blocks
from mfa_tui.core.policy_lint import SCP_MAX_CHARS, Finding, lint, lint_text, scp_size
from mfa_tui.core.policy_templates import load_template

ACCOUNT = "123456789012"
WITHOUT_MFA = (False, None)  # a console session without MFA; long-term access keys


def codes(findings: list[Finding]) -> dict[str, str]:
    return {f.code: f.severity for f in findings}


def alice(action: str, resource: str, mfa: bool | None) -> Request:
    return Request(action=action, resource=resource, username="alice", mfa_present=mfa,
                   account=ACCOUNT)


def own(kind: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/alice"


def enforce() -> dict[str, Any]:
    return load_template("enforce-mfa")


def deny_statement(doc: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = doc["Statement"][-1]
    assert statement["Effect"] == "Deny"
    return statement


def with_variable(spelling: str) -> dict[str, Any]:
    """The template with ${aws:username} written another way (a JSON-level replacement)."""
    text = json.dumps(enforce()).replace("${aws:username}", json.dumps(spelling)[1:-1])
    document: dict[str, Any] = json.loads(text)
    return document


@pytest.mark.parametrize("spelling", ["$${aws:username}", "\\${aws:username}"])
def test_an_escaped_self_service_variable_is_flagged(spelling: str) -> None:
    doc = with_variable(spelling)
    # The danger: a user without MFA can no longer enable a device on their own user.
    assert evaluate(doc, alice("iam:EnableMFADevice", own("user"), False)) is not Decision.ALLOW
    found = codes(lint(doc, "identity"))
    assert found["escaped-policy-variable"] == "error"
    assert found["mfa-setup-not-allowed"] == "error"
    escaped = [f for f in lint(doc, "identity") if f.code == "escaped-policy-variable"]
    assert escaped and all(spelling in f.message for f in escaped)


def test_self_service_scoped_to_userid_never_allows_set_up() -> None:
    doc = with_variable("${aws:userid}")
    # Nothing *denies* enabling a device (the deny exempts set-up), yet nothing allows it.
    for mfa in WITHOUT_MFA:
        assert evaluate(doc, alice("iam:EnableMFADevice", own("user"), mfa)) is Decision.NO_MATCH
    (finding,) = lint(doc, "identity")
    assert finding.code == "mfa-setup-not-allowed" and finding.severity == "error"
    assert "${aws:userid}" in finding.message and "iam:EnableMFADevice" in finding.message


def test_a_deny_on_null_alone_lets_console_sessions_without_mfa_through() -> None:
    doc = enforce()
    deny_statement(doc)["Condition"] = {"Null": {"aws:MultiFactorAuthPresent": "true"}}
    assert evaluate(doc, alice("ec2:RunInstances", "*", None)) is Decision.DENY
    assert evaluate(doc, alice("ec2:RunInstances", "*", False)) is not Decision.DENY
    (finding,) = lint(doc, "identity")
    assert finding.code == "mfa-null-only-deny" and finding.severity == "error"
    assert "DenyAllExceptMFASetupIfNoMFA" in finding.message


def test_bool_false_beside_null_true_is_the_safe_pair() -> None:
    doc = enforce()
    deny = deny_statement(doc)
    doc["Statement"][-1:] = [
        dict(deny, Sid="DenyWithoutMFA", Condition={"Bool": {"aws:MultiFactorAuthPresent":
                                                             "false"}}),
        dict(deny, Sid="DenyLongTermKeys", Condition={"Null": {"aws:MultiFactorAuthPresent":
                                                               "true"}}),
    ]
    for mfa in WITHOUT_MFA:  # together they deny what BoolIfExists false does
        assert evaluate(doc, alice("ec2:RunInstances", "*", mfa)) is Decision.DENY
    assert evaluate(doc, alice("ec2:RunInstances", "*", True)) is not Decision.DENY
    assert lint(doc, "identity") == []


def test_a_deny_exempting_iam_star_lets_a_user_without_mfa_make_themselves_admin() -> None:
    doc = enforce()
    deny_statement(doc)["NotAction"].append("iam:*")
    for mfa in WITHOUT_MFA:
        assert evaluate(doc, alice("iam:AttachUserPolicy", own("user"), mfa)) \
            is not Decision.DENY
    found = lint(doc, "identity")
    (finding,) = [f for f in found if f.code == "exempts-escalation"]
    assert finding.severity == "error" and "iam:AttachUserPolicy" in finding.message


def test_a_deny_scoped_to_some_services_exempts_nothing() -> None:
    doc = {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyEc2WithoutMFA", "Effect": "Deny", "Action": "ec2:*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
    found = codes(lint(doc, "identity"))
    assert "exempts-escalation" not in found and "exempts-mfa-removal" not in found


@pytest.mark.parametrize(("action", "kind"), [("iam:DeactivateMFADevice", "user"),
                                               ("iam:DeleteVirtualMFADevice", "mfa")])
def test_a_deny_exempting_mfa_removal_is_flagged(action: str, kind: str) -> None:
    doc = enforce()
    deny_statement(doc)["NotAction"].append(action)
    assert evaluate(doc, alice(action, own(kind), False)) is not Decision.DENY
    (finding,) = lint(doc, "identity")
    assert finding.code == "exempts-mfa-removal" and action in finding.message


def test_mfa_removal_exempted_in_an_scp_is_flagged_too() -> None:
    doc = load_template("safe-scp")
    deny_statement(doc)["NotAction"].append("iam:DeactivateMFADevice")
    assert not scp_blocks(doc, alice("iam:DeactivateMFADevice", own("user"), False))
    assert codes(lint(doc, "scp")) == {"exempts-mfa-removal": "error"}


def test_no_get_account_password_policy_exemption_is_flagged() -> None:
    doc = enforce()
    deny_statement(doc)["NotAction"].remove("iam:GetAccountPasswordPolicy")
    assert evaluate(doc, alice("iam:GetAccountPasswordPolicy", "*", False)) is Decision.DENY
    assert evaluate(doc, alice("iam:ChangePassword", own("user"), False)) is Decision.ALLOW
    (finding,) = lint(doc, "identity")
    assert finding.code == "missing-password-policy-exemption"
    assert finding.severity == "warning" and "first sign-in" in finding.message


def test_a_credential_deny_that_lets_keys_be_reactivated_is_flagged() -> None:
    doc = load_template("deny-credential-creation-without-mfa")
    statement = deny_statement(doc)
    statement["Action"] = [a for a in statement["Action"] if not a.startswith("iam:Update")
                           or a == "iam:UpdateLoginProfile"]
    # A deactivated (leaked) key comes back to life without MFA.
    target = f"arn:aws:iam::{ACCOUNT}:user/new-hire"
    assert evaluate(doc, alice("iam:UpdateAccessKey", target, False)) is Decision.NO_MATCH
    (finding,) = lint(doc, "identity")
    assert finding.code == "incomplete-credential-deny"
    assert "iam:UpdateAccessKey" in finding.message and "re-activate" in finding.message


def test_the_shipped_credential_deny_covers_reactivation() -> None:
    doc = load_template("deny-credential-creation-without-mfa")
    for action in ("iam:UpdateAccessKey", "iam:UpdateSSHPublicKey",
                   "iam:UpdateSigningCertificate", "iam:UpdateServiceSpecificCredential"):
        for mfa in WITHOUT_MFA:
            assert evaluate(doc, alice(action, own("user"), mfa)) is Decision.DENY
    assert lint(doc, "identity") == []


def test_an_scp_that_spares_roles_by_principal_arn_is_not_flagged() -> None:
    doc = load_template("safe-scp")
    condition = deny_statement(doc)["Condition"]
    del condition["StringEquals"]  # no aws:PrincipalType; roles spared by their ARN instead
    condition["ArnNotLike"] = {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}
    role = Request(action="ec2:RunInstances", principal_type="AssumedRole", mfa_present=False,
                   account=ACCOUNT, principal_arn=f"arn:aws:iam::{ACCOUNT}:role/ci-deploy")
    assert not scp_blocks(doc, role)
    assert scp_blocks(doc, alice("ec2:RunInstances", "*", False))
    assert lint(doc, "scp") == []


def test_an_scp_sparing_only_service_roles_still_blocks_automation() -> None:
    doc = load_template("safe-scp")
    condition = deny_statement(doc)["Condition"]
    del condition["StringEquals"]
    condition["ArnNotLike"] = {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-service-role/*"}
    assert "scp-blocks-roles" in codes(lint(doc, "scp"))


def test_scp_size_counts_whitespace_as_organizations_does_on_api_saves() -> None:
    doc = load_template("safe-scp")
    compact = scp_size(doc)
    indent = 1
    text = json.dumps(doc, indent=indent)
    while len(text) <= SCP_MAX_CHARS:  # pretty-printed past the limit, compact well under it
        indent *= 2
        text = json.dumps(doc, indent=indent)
    assert compact < SCP_MAX_CHARS < len(text)
    (finding,) = lint_text(text, "scp")
    assert finding.code == "too-large" and finding.severity == "error"
    assert f"{len(text):,} characters as written" in finding.message
    assert f"minified it is {compact:,}" in finding.message
    assert lint(json.loads(text), "scp") == []  # what mfa-tui itself sends is compact


def test_safe_forms_stay_clean_and_the_document_is_untouched() -> None:
    for name, kind in (("enforce-mfa", "identity"), ("safe-scp", "scp"),
                       ("deny-credential-creation-without-mfa", "identity")):
        doc = load_template(name)
        before = copy.deepcopy(doc)
        assert lint(doc, kind) == []  # type: ignore[arg-type]
        assert doc == before
