"""Each shipped template does what the issue's property list says, checked by evaluating
requests against it (mfa_tui.core.policy_eval), not by matching its text.

``mfa_present`` None is a request signed with long-term access keys (the key is absent);
False is a console session without MFA; True is a session with MFA.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest

from mfa_tui.core.policy_eval import (
    Decision,
    Request,
    as_list,
    evaluate,
    scp_blocks,
    statements,
)
from mfa_tui.core.policy_lint import SCP_MAX_CHARS, lint, policy_size
from mfa_tui.core.policy_templates import (
    ACCEPTED_FINDINGS,
    MANAGED_POLICY_MAX_CHARS,
    TEMPLATES,
    compact,
    load_template,
    template_text,
)

ACCOUNT = "123456789012"
WITHOUT_MFA = (None, False)


def user_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"


def mfa_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:mfa/{name}"


def as_user(action: str, resource: str = "*", mfa: bool | None = None, name: str = "alice",
            **kw: Any) -> Request:
    return Request(action=action, resource=resource, username=name, mfa_present=mfa,
                   account=ACCOUNT, **kw)


# --------------------------------------------------------------------------- all templates


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_fits_the_size_limit(name: str) -> None:
    document = load_template(name)
    limit = SCP_MAX_CHARS if "scp" in name else MANAGED_POLICY_MAX_CHARS
    assert len(compact(document)) < limit
    assert policy_size(document) < limit
    assert json.loads(template_text(name)) == document


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_lints_clean(name: str) -> None:
    found = lint(load_template(name), "scp" if "scp" in name else "identity")
    # Only what the template does on purpose (ACCEPTED_FINDINGS says why), nothing else.
    assert [f for f in found if f.code not in ACCEPTED_FINDINGS.get(name, ())] == []


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_action_a_template_names_exists_in_the_aws_api(name: str) -> None:
    """A typo in an action name silently matches nothing; botocore's API models know them."""
    session = botocore.session.get_session()
    known = {service: {op.lower() for op in session.get_service_model(service).operation_names}
             for service in ("iam", "sts")}
    for statement in statements(load_template(name)):
        for action in as_list(statement.get("Action", [])) + as_list(
                statement.get("NotAction", [])):
            service, _, operation = action.partition(":")
            assert operation.lower() in known[service], action


# --------------------------------------------------------------------------- enforce-mfa

ENFORCE = load_template("enforce-mfa")


@pytest.mark.parametrize("mfa", WITHOUT_MFA)
@pytest.mark.parametrize(("action", "resource"), [
    ("iam:CreateVirtualMFADevice", mfa_arn("alice")),
    ("iam:CreateVirtualMFADevice", mfa_arn("alice-phone")),  # any device name, under mfa/*
    ("iam:EnableMFADevice", user_arn("alice")),
    ("iam:ResyncMFADevice", user_arn("alice")),
    ("iam:ListMFADevices", user_arn("alice")),
    ("iam:GetMFADevice", user_arn("alice")),
    ("iam:GetUser", user_arn("alice")),
    ("iam:ChangePassword", user_arn("alice")),
    ("iam:GetLoginProfile", user_arn("alice")),
    ("iam:GetAccountPasswordPolicy", "*"),
    ("iam:ListVirtualMFADevices", "*"),
])
def test_a_user_without_mfa_can_view_themselves_and_set_mfa_up(action: str, resource: str,
                                                                mfa: bool | None) -> None:
    assert evaluate(ENFORCE, as_user(action, resource, mfa)) is Decision.ALLOW


@pytest.mark.parametrize("mfa", WITHOUT_MFA)
def test_a_user_without_mfa_can_get_an_mfa_session(mfa: bool | None) -> None:
    assert evaluate(ENFORCE, as_user("sts:GetSessionToken", "*", mfa)) is not Decision.DENY


@pytest.mark.parametrize("mfa", (*WITHOUT_MFA, True))
@pytest.mark.parametrize("action", ["iam:EnableMFADevice", "iam:ResyncMFADevice",
                                    "iam:DeactivateMFADevice", "iam:ListMFADevices",
                                    "iam:ChangePassword", "iam:GetLoginProfile"])
def test_a_user_cannot_manage_another_users_mfa_or_password(action: str,
                                                           mfa: bool | None) -> None:
    # bob; a name alice is a prefix of; a user whose *path* holds "alice"
    for other in (user_arn("bob"), user_arn("alice2"), user_arn("bob", "/alice/")):
        assert evaluate(ENFORCE, as_user(action, other, mfa)) is not Decision.ALLOW, other


@pytest.mark.parametrize("mfa", (*WITHOUT_MFA, True))
def test_no_user_may_delete_virtual_devices_through_this_policy(mfa: bool | None) -> None:
    # AWS: "Do not add permission to delete an MFA device without MFA"; nor anyone else's.
    for device in (mfa_arn("alice"), mfa_arn("bob")):
        assert evaluate(ENFORCE, as_user("iam:DeleteVirtualMFADevice", device, mfa)) \
            is not Decision.ALLOW


def test_deactivating_your_own_device_needs_mfa() -> None:
    own = user_arn("alice")
    assert evaluate(ENFORCE, as_user("iam:DeactivateMFADevice", own, True)) is Decision.ALLOW
    for mfa in WITHOUT_MFA:
        assert evaluate(ENFORCE, as_user("iam:DeactivateMFADevice", own, mfa)) is Decision.DENY


@pytest.mark.parametrize(("action", "resource"), [
    ("s3:ListBucket", "arn:aws:s3:::reports"),
    ("ec2:RunInstances", "*"),
    ("iam:CreateAccessKey", user_arn("alice")),
    ("iam:DeleteVirtualMFADevice", mfa_arn("alice")),
    ("iam:ListUsers", "*"),
])
def test_everything_else_is_denied_without_mfa_and_left_to_other_policies_with_it(
        action: str, resource: str) -> None:
    for mfa in WITHOUT_MFA:  # BoolIfExists: long-term access keys are denied too
        assert evaluate(ENFORCE, as_user(action, resource, mfa)) is Decision.DENY
    assert evaluate(ENFORCE, as_user(action, resource, True)) is not Decision.DENY


def test_users_with_a_path_can_set_up_their_own_mfa_but_nobody_elses() -> None:
    carol = user_arn("carol", "/engineering/")
    assert evaluate(ENFORCE, as_user("iam:EnableMFADevice", carol, False, name="carol")) \
        is Decision.ALLOW
    assert evaluate(ENFORCE, as_user("iam:EnableMFADevice", carol, False, name="alice")) \
        is not Decision.ALLOW
    assert evaluate(ENFORCE, as_user("iam:EnableMFADevice", user_arn("carolyn", "/eng/"), False,
                                     name="carol")) is not Decision.ALLOW


# --------------------------------------------------------------------------- credential creation

CREATION = load_template("deny-credential-creation-without-mfa")
CREDENTIAL_ACTIONS = ["iam:CreateLoginProfile", "iam:CreateAccessKey", "iam:UpdateLoginProfile",
                      "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
                      "iam:UploadSSHPublicKey", "iam:UploadSigningCertificate",
                      # re-activating a deactivated key, SSH key, certificate or Git credential
                      # (IAM has no condition key for the status an Update* call sets)
                      "iam:UpdateAccessKey", "iam:UpdateSSHPublicKey",
                      "iam:UpdateSigningCertificate", "iam:UpdateServiceSpecificCredential"]


@pytest.mark.parametrize("action", CREDENTIAL_ACTIONS)
def test_creating_credentials_for_anyone_needs_mfa(action: str) -> None:
    for target in (user_arn("new-hire"), user_arn("alice")):
        for mfa in WITHOUT_MFA:
            assert evaluate(CREATION, as_user(action, target, mfa)) is Decision.DENY
        assert evaluate(CREATION, as_user(action, target, True)) is Decision.NO_MATCH


@pytest.mark.parametrize("action", ["iam:CreateUser", "iam:DeleteAccessKey",
                                    "iam:DeleteLoginProfile", "iam:ListUsers"])
def test_the_creation_guard_leaves_other_actions_alone(action: str) -> None:
    # Creating the user, or deleting a leaked key in an incident, must not need MFA here
    # (deactivating one does: the same UpdateAccessKey call re-activates a key).
    for mfa in (*WITHOUT_MFA, True):
        assert evaluate(CREATION, as_user(action, user_arn("new-hire"), mfa)) is Decision.NO_MATCH


def test_the_creation_guard_grants_nothing() -> None:
    assert all(s["Effect"] == "Deny" for s in statements(CREATION))


# --------------------------------------------------------------------------- the safe SCP

SCP = load_template("safe-scp")


@pytest.mark.parametrize("mfa", WITHOUT_MFA)
def test_scp_blocks_an_iam_user_without_mfa(mfa: bool | None) -> None:
    assert scp_blocks(SCP, as_user("ec2:RunInstances", "*", mfa))
    assert scp_blocks(SCP, as_user("s3:ListBucket", "arn:aws:s3:::reports", mfa))
    assert scp_blocks(SCP, as_user("iam:DeactivateMFADevice", user_arn("alice"), mfa))
    assert scp_blocks(SCP, as_user("iam:DeleteVirtualMFADevice", mfa_arn("alice"), mfa))


def test_scp_does_not_block_an_iam_user_with_mfa() -> None:
    assert not scp_blocks(SCP, as_user("ec2:RunInstances", "*", True))


@pytest.mark.parametrize("mfa", WITHOUT_MFA)
@pytest.mark.parametrize("principal_type", ["AssumedRole", "FederatedUser", "Account"])
def test_scp_does_not_block_roles_federation_or_root(principal_type: str,
                                                     mfa: bool | None) -> None:
    request = Request(action="ec2:RunInstances", principal_type=principal_type,
                      mfa_present=mfa, account=ACCOUNT)
    assert not scp_blocks(SCP, request)


@pytest.mark.parametrize("mfa", WITHOUT_MFA)
def test_scp_does_not_block_calls_aws_services_make_for_a_user(mfa: bool | None) -> None:
    assert not scp_blocks(SCP, as_user("kms:Decrypt", "*", mfa, via_aws_service=True))


@pytest.mark.parametrize("mfa", WITHOUT_MFA)
@pytest.mark.parametrize(("action", "resource"), [
    ("iam:CreateVirtualMFADevice", mfa_arn("alice")),
    ("iam:EnableMFADevice", user_arn("alice")),
    ("iam:ResyncMFADevice", user_arn("alice")),
    ("iam:ListMFADevices", user_arn("alice")),
    ("iam:ListVirtualMFADevices", "*"),
    ("iam:GetUser", user_arn("alice")),
    ("iam:ChangePassword", user_arn("alice")),
    ("iam:GetAccountPasswordPolicy", "*"),
    ("sts:GetSessionToken", "*"),
])
def test_scp_lets_a_user_without_mfa_set_it_up(action: str, resource: str,
                                               mfa: bool | None) -> None:
    assert not scp_blocks(SCP, as_user(action, resource, mfa))


def test_scp_carries_no_allow_statement() -> None:
    # An Allow in an SCP grants nothing and cannot exempt from a Deny: ours has none.
    assert [s for s in statements(SCP) if s["Effect"] == "Allow"] == []
    for mfa in (*WITHOUT_MFA, True):
        assert evaluate(SCP, as_user("iam:CreateVirtualMFADevice", mfa_arn("a"), mfa)) \
            is not Decision.ALLOW
