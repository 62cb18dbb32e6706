"""The linter flags the seed article's policies for exactly their pitfalls, and ours not at all.

tests/data/seed/ holds the article's policies as it published them: the identity policy (its
Terraform form), the credential-creation policy, the SCP, and its bash heredoc with the JSON that
heredoc really writes (the test re-runs bash to prove it).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mfa_tui.core.policy_lint import CODES, SCP_MAX_CHARS, Finding, lint, lint_text, policy_size
from mfa_tui.core.policy_templates import MANAGED_POLICY_MAX_CHARS, load_template

SEED = Path(__file__).parent / "data" / "seed"


def seed(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SEED / name).read_text(encoding="utf-8"))
    return document


def codes(findings: list[Finding]) -> dict[str, str]:
    return {f.code: f.severity for f in findings}


def test_seed_identity_policy() -> None:
    found = codes(lint(seed("enforce-mfa-policy.json"), "identity"))
    assert found == {
        # DeleteVirtualMFADevice on mfa/*: any user can delete anyone's (unassigned) device
        "unscoped-self-service": "error",
        # a user forced to reset the password at first sign-in cannot get to enrolment
        "missing-change-password-exemption": "warning",
    }


def test_seed_unscoped_finding_names_the_statement_action_and_resource() -> None:
    (finding,) = [f for f in lint(seed("enforce-mfa-policy.json"), "identity")
                  if f.code == "unscoped-self-service"]
    assert "AllowManageOwnVirtualMFADevice" in finding.message
    assert "iam:DeleteVirtualMFADevice" in finding.message
    assert "arn:aws:iam::*:mfa/*" in finding.message
    assert "iam:CreateVirtualMFADevice" not in finding.message  # mfa/* is right for creation


def test_seed_scp() -> None:
    found = codes(lint(seed("scp-enforce-mfa.json"), "scp"))
    assert found == {
        "scp-blocks-roles": "error",  # no aws:PrincipalType: automation stops org-wide
        "scp-allow": "error",  # its Allow was meant as the MFA-setup exemption; it is none
        "blocks-mfa-setup": "error",  # so users can never enrol
        "missing-session-token-exemption": "warning",
        "missing-change-password-exemption": "warning",
        "scp-blocks-aws-services": "warning",
    }


def test_seed_credential_creation_policy() -> None:
    (finding,) = lint(seed("enforce-mfa-on-creation.json"), "identity")
    assert finding.code == "incomplete-credential-deny" and finding.severity == "warning"
    assert "iam:UpdateLoginProfile" in finding.message


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_seed_bash_heredoc_writes_invalid_json_and_lint_says_why(tmp_path: Path) -> None:
    script = (SEED / "enforce-mfa-policy.heredoc.sh").read_text(encoding="utf-8")
    subprocess.run(["bash", "-c", script], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
                   check=True, timeout=30)
    written = (tmp_path / "enforce_mfa_policy.json").read_text(encoding="utf-8")
    assert written == (SEED / "enforce-mfa-policy.bash-output.json").read_text(encoding="utf-8")
    assert '"arn:aws:iam::*:user/\\"' in written  # ${aws:username} expanded to nothing
    (finding,) = lint_text(written, "identity")
    assert finding.code == "invalid-json" and finding.severity == "error"
    assert "line 21" in finding.message and "cat << 'EOF'" in finding.message


def test_a_shell_that_ate_the_variable_without_breaking_the_json_is_caught_too() -> None:
    text = (SEED / "enforce-mfa-policy.bash-output.json").read_text(encoding="utf-8")
    found = lint_text(text.replace('user/\\"', 'user/"'), "identity")
    (lost,) = [f for f in found if f.code == "lost-policy-variable"]
    assert lost.message.startswith("arn:aws:iam::*:user/ (in AllowManageOwnPasswords,")


def test_bool_instead_of_bool_if_exists_in_a_deny() -> None:
    doc = seed("enforce-mfa-policy.json")
    doc["Statement"][-1]["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
    found = lint(doc, "identity")
    (finding,) = [f for f in found if f.code == "mfa-bool-in-deny"]
    assert finding.severity == "error"
    assert "DenyAllExceptListedIfNoMFA" in finding.message and "BoolIfExists" in finding.message


def test_bool_if_exists_in_an_allow_lets_access_keys_through() -> None:
    doc = load_template("enforce-mfa")
    doc["Statement"][4]["Condition"] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
    assert codes(lint(doc, "identity")) == {"mfa-ifexists-in-allow": "warning"}


def test_a_deny_that_blocks_mfa_setup() -> None:
    doc = load_template("enforce-mfa")
    doc["Statement"][-1]["NotAction"].remove("iam:EnableMFADevice")
    (finding,) = lint(doc, "identity")
    assert finding.code == "blocks-mfa-setup" and "iam:EnableMFADevice" in finding.message


def test_seed_scp_as_an_identity_policy_gets_no_scp_findings() -> None:
    found = codes(lint(seed("scp-enforce-mfa.json"), "identity"))
    assert not any(code.startswith("scp-") for code in found)
    assert "blocks-mfa-setup" in found


def test_missing_version_is_an_error_when_the_policy_uses_variables() -> None:
    doc = load_template("enforce-mfa")
    del doc["Version"]
    (finding,) = [f for f in lint(doc, "identity") if f.code == "missing-version"]
    assert finding.severity == "error" and "2012-10-17" in finding.message
    creation = load_template("deny-credential-creation-without-mfa")
    del creation["Version"]
    assert codes(lint(creation, "identity")) == {"missing-version": "warning"}
    creation["Version"] = "2008-10-17"
    assert codes(lint(creation, "identity")) == {"old-version": "warning"}


def test_size_limits_differ_for_managed_policies_and_scps() -> None:
    doc = load_template("deny-credential-creation-without-mfa")
    filler = {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::x"}
    while policy_size(doc) <= SCP_MAX_CHARS:
        doc["Statement"].append(dict(filler, Sid=f"Filler{len(doc['Statement'])}"))
    assert SCP_MAX_CHARS < policy_size(doc) < MANAGED_POLICY_MAX_CHARS
    assert codes(lint(doc, "scp")) == {"too-large": "error"}
    assert codes(lint(doc, "identity")) == {}
    while policy_size(doc) <= MANAGED_POLICY_MAX_CHARS:
        doc["Statement"].append(dict(filler, Sid=f"Filler{len(doc['Statement'])}"))
    (finding,) = lint(doc, "identity")
    assert finding.code == "too-large" and "6,144" in finding.message


def test_size_excludes_whitespace_as_iam_does() -> None:
    doc = load_template("enforce-mfa")
    assert policy_size(doc) == len("".join(json.dumps(doc, indent=4).split()))


@pytest.mark.parametrize(("text", "code"), [
    ("{", "invalid-json"),
    ("", "invalid-json"),
    ("[]", "invalid-policy"),
    ('{"Version": "2012-10-17"}', "invalid-policy"),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "*"}]}',
     "invalid-policy"),
    ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", '
     '"Action": "s3:*", "Resource": "*"}}', "invalid-policy"),
])
def test_broken_documents_get_one_clear_sentence(text: str, code: str) -> None:
    (finding,) = lint_text(text, "identity")
    assert finding.code == code and finding.severity == "error"
    assert finding.message.endswith(".") and "\n" not in finding.message


def test_operators_it_cannot_evaluate_are_reported_not_guessed() -> None:
    doc = load_template("safe-scp")
    doc["Statement"][0]["Condition"]["NumericLessThan"] = {"aws:MultiFactorAuthAge": "3600"}
    (finding,) = lint(doc, "scp")
    assert finding.code == "unsupported" and "NumericLessThan" in finding.message


def test_errors_come_first_and_every_code_is_documented() -> None:
    for name in ("enforce-mfa-policy.json", "scp-enforce-mfa.json"):
        found = lint(seed(name), "scp" if "scp" in name else "identity")
        severities = [f.severity for f in found]
        assert severities == sorted(severities, key=lambda s: s != "error")
        assert all(f.code in CODES for f in found)


def test_lint_does_not_change_the_document() -> None:
    doc = seed("scp-enforce-mfa.json")
    before = copy.deepcopy(doc)
    lint(doc, "scp")
    assert doc == before
