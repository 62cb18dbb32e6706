"""The policy evaluator follows IAM's documented rules for the subset it covers.

The template and lint tests trust its answers, so each rule they rely on is pinned here:
wildcards, NotAction/NotResource, policy variables, missing keys and ...IfExists, Null.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from mfa_tui.core.policy_eval import (
    Decision,
    PolicyError,
    Request,
    UnsupportedPolicy,
    evaluate,
    scp_blocks,
    statement_applies,
)

ACCOUNT = "123456789012"


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    doc: dict[str, Any] = {"Statement": list(statements)}
    if version:
        doc["Version"] = version
    return doc


def req(action: str, resource: str = "*", **kw: Any) -> Request:
    kw.setdefault("username", "alice")
    return Request(action=action, resource=resource, account=ACCOUNT, **kw)


ALLOW_OWN = {"Effect": "Allow", "Action": "iam:EnableMFADevice",
             "Resource": "arn:aws:iam::*:user/${aws:username}"}


def test_action_wildcards_are_case_insensitive_and_resource_wildcards_are_not() -> None:
    doc = policy({"Effect": "Allow", "Action": "IAM:enable*", "Resource": "arn:aws:s3:::Bucket/*"})
    assert evaluate(doc, req("iam:EnableMFADevice", "arn:aws:s3:::Bucket/key")) is Decision.ALLOW
    assert evaluate(doc, req("iam:EnableMFADevice", "arn:aws:s3:::bucket/key")) \
        is Decision.NO_MATCH
    one_char = policy({"Effect": "Allow", "Action": "s3:Get?bject", "Resource": "*"})
    assert evaluate(one_char, req("s3:GetObject")) is Decision.ALLOW
    assert evaluate(one_char, req("s3:GetOObject")) is Decision.NO_MATCH


def test_an_explicit_deny_wins_over_any_allow() -> None:
    doc = policy({"Effect": "Allow", "Action": "*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    assert evaluate(doc, req("s3:DeleteBucket")) is Decision.DENY
    assert evaluate(doc, req("s3:ListBucket")) is Decision.ALLOW


def test_not_action_and_not_resource_match_everything_else() -> None:
    doc = policy({"Effect": "Deny", "NotAction": ["iam:*MFADevice", "sts:GetSessionToken"],
                  "NotResource": "arn:aws:s3:::public/*"})
    assert evaluate(doc, req("s3:GetObject", "arn:aws:s3:::secret/x")) is Decision.DENY
    assert evaluate(doc, req("s3:GetObject", "arn:aws:s3:::public/x")) is Decision.NO_MATCH
    assert evaluate(doc, req("iam:EnableMFADevice", "arn:aws:s3:::secret/x")) is Decision.NO_MATCH


def test_username_variable_scopes_a_statement_to_the_caller() -> None:
    doc = policy(ALLOW_OWN)
    assert evaluate(doc, req("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/alice")) \
        is Decision.ALLOW
    assert evaluate(doc, req("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/bob")) \
        is Decision.NO_MATCH
    # A prefix of another name is not a match: the whole ARN must match.
    assert evaluate(doc, req("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/alice2")) \
        is Decision.NO_MATCH


def test_variables_are_literal_text_without_the_2012_version() -> None:
    # IAM's default Version 2008-10-17 has no policy variables: the statement matches nothing.
    doc = policy(ALLOW_OWN, version=None)
    assert evaluate(doc, req("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/alice")) \
        is Decision.NO_MATCH
    assert evaluate(doc, req("iam:EnableMFADevice",
                             f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")) is Decision.ALLOW


def test_a_variable_the_request_lacks_matches_nothing_unless_it_has_a_default() -> None:
    role = req("iam:EnableMFADevice", f"arn:aws:iam::{ACCOUNT}:user/alice",
               principal_type="AssumedRole", username=None)
    assert evaluate(policy(ALLOW_OWN), role) is Decision.NO_MATCH  # roles have no aws:username
    with_default = dict(ALLOW_OWN, Resource="arn:aws:iam::*:user/${aws:username, 'alice'}")
    assert evaluate(policy(with_default), role) is Decision.ALLOW
    star = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}"}
    assert evaluate(policy(star), req("s3:GetObject", "arn:aws:s3:::b/*")) is Decision.ALLOW
    assert evaluate(policy(star), req("s3:GetObject", "arn:aws:s3:::b/x")) is Decision.NO_MATCH


MFA_DENY = {"Effect": "Deny", "Action": "*", "Resource": "*"}


@pytest.mark.parametrize(("operator", "absent", "false", "true"), [
    ("Bool", False, True, False),          # the key missing: the condition is false
    ("BoolIfExists", True, True, False),   # the key missing: the condition is true
])
def test_bool_and_bool_if_exists_on_mfa(operator: str, absent: bool, false: bool,
                                        true: bool) -> None:
    doc = policy(dict(MFA_DENY, Condition={operator: {"aws:MultiFactorAuthPresent": "false"}}))
    assert [scp_blocks(doc, req("s3:ListBucket", mfa_present=m)) for m in (None, False, True)] \
        == [absent, false, true]


def test_condition_keys_are_case_insensitive_and_values_may_be_json_booleans() -> None:
    doc = policy(dict(MFA_DENY, Condition={"BoolIfExists": {"AWS:multifactorauthpresent": False}}))
    assert scp_blocks(doc, req("s3:ListBucket", mfa_present=False))
    assert not scp_blocks(doc, req("s3:ListBucket", mfa_present=True))


def test_negated_operators_hold_when_the_key_is_missing() -> None:
    # IAM: a missing key makes StringNotEquals true, StringEquals false.
    not_equals = policy(dict(MFA_DENY, Condition={"StringNotEquals": {"aws:username": "bob"}}))
    equals = policy(dict(MFA_DENY, Condition={"StringEquals": {"aws:username": "bob"}}))
    role = req("s3:ListBucket", principal_type="AssumedRole", username=None)
    assert scp_blocks(not_equals, role) and not scp_blocks(equals, role)
    if_exists = policy(dict(MFA_DENY, Condition={"StringNotEqualsIfExists": {
        "aws:username": "bob"}}))
    assert scp_blocks(if_exists, role)
    assert not scp_blocks(if_exists, req("s3:ListBucket", username="bob"))


def test_values_of_one_key_are_ored_and_keys_and_operators_are_anded() -> None:
    doc = policy(dict(MFA_DENY, Condition={
        "StringEquals": {"aws:PrincipalType": ["User", "FederatedUser"]},
        "StringLike": {"aws:username": "temp-*"},
    }))
    assert scp_blocks(doc, req("s3:ListBucket", username="temp-42"))
    assert not scp_blocks(doc, req("s3:ListBucket", username="alice"))
    assert not scp_blocks(doc, req("s3:ListBucket", username="temp-42",
                                   principal_type="AssumedRole"))
    negated = policy(dict(MFA_DENY, Condition={"StringNotLike": {"aws:username": ["a*", "b*"]}}))
    assert not scp_blocks(negated, req("s3:ListBucket", username="bob"))  # NOR of the values
    assert scp_blocks(negated, req("s3:ListBucket", username="carol"))


def test_null_tests_whether_a_key_is_present() -> None:
    absent = policy(dict(MFA_DENY, Condition={"Null": {"aws:MultiFactorAuthPresent": "true"}}))
    assert scp_blocks(absent, req("s3:ListBucket", mfa_present=None))
    assert not scp_blocks(absent, req("s3:ListBucket", mfa_present=False))


def test_arn_like_matches_the_principal_arn_part_by_part() -> None:
    doc = policy(dict(MFA_DENY, Condition={"ArnNotLike": {
        "aws:PrincipalArn": "arn:aws:iam::*:user/break-glass-*"}}))
    assert not scp_blocks(doc, req("s3:ListBucket", username="break-glass-1"))
    assert scp_blocks(doc, req("s3:ListBucket", username="alice"))


def test_via_aws_service_and_principal_type_come_from_the_request() -> None:
    doc = policy(dict(MFA_DENY, Condition={"Bool": {"aws:ViaAWSService": "false"},
                                           "StringEquals": {"aws:PrincipalType": "User"}}))
    assert scp_blocks(doc, req("s3:ListBucket"))
    assert not scp_blocks(doc, req("s3:ListBucket", via_aws_service=True))
    assert not scp_blocks(doc, req("s3:ListBucket", principal_type="AssumedRole", username=None))


def test_a_single_statement_object_is_read_like_a_list() -> None:
    doc = {"Version": "2012-10-17", "Statement": MFA_DENY}
    assert evaluate(doc, req("s3:ListBucket")) is Decision.DENY


@pytest.mark.parametrize("condition", [
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "x*"}},
    {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
])
def test_operators_outside_the_subset_are_refused_not_guessed(condition: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPolicy):
        evaluate(policy(dict(MFA_DENY, Condition=condition)), req("s3:ListBucket"))


@pytest.mark.parametrize("statement", [
    {"Effect": "Permit", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Resource": "*"},
    {"Effect": "Deny", "Action": "*", "NotAction": "s3:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "*", "Resource": "*", "NotResource": "x"},
    {"Effect": "Deny", "Action": [1], "Resource": "*"},
])
def test_malformed_statements_raise_one_clear_error(statement: dict[str, Any]) -> None:
    with pytest.raises(PolicyError) as info:
        evaluate(policy(statement), req("s3:ListBucket"))
    assert "\n" not in str(info.value) and str(info.value).endswith(".")


def test_statement_applies_answers_for_one_statement() -> None:
    assert statement_applies(ALLOW_OWN, req("iam:EnableMFADevice",
                                            f"arn:aws:iam::{ACCOUNT}:user/alice"))
    assert not statement_applies(ALLOW_OWN, req("iam:EnableMFADevice",
                                                f"arn:aws:iam::{ACCOUNT}:user/alice"),
                                 version="2008-10-17")


def test_policy_modules_are_pure() -> None:
    # core/ holds no I/O layer: the linter and diff run without Textual or the AWS SDK.
    code = ("import sys, mfa_tui.core.policy_eval, mfa_tui.core.policy_lint, "
            "mfa_tui.core.policy_diff\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'textual', 'boto3', 'botocore', 'rich'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"
