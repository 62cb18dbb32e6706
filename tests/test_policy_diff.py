"""The policy diff `plan` prints: only real changes, stable between runs, readable uncoloured."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mfa_tui.core.policy_diff import diff_lines, is_same, normalize
from mfa_tui.core.policy_templates import load_template

SEED = Path(__file__).parent / "data" / "seed" / "enforce-mfa-policy.json"


def reordered(document: dict[str, Any]) -> dict[str, Any]:
    """The same policy as IAM reads it, spelled differently (as AWS may hand it back)."""
    other = copy.deepcopy(document)
    for statement in other["Statement"]:
        for key in ("Action", "NotAction", "Resource"):
            value = statement.get(key)
            if isinstance(value, list):
                statement[key] = list(reversed(value)) if len(value) > 1 else value[0]
            elif isinstance(value, str):
                statement[key] = [value]
    other["Statement"] = [dict(reversed(list(s.items()))) for s in other["Statement"]]
    return dict(reversed(list(other.items())))


def test_equivalent_spellings_normalize_alike() -> None:
    template = load_template("enforce-mfa")
    assert normalize(reordered(template)) == normalize(template)
    assert is_same(reordered(template), template)
    assert diff_lines(reordered(template), template) == []


def test_normalized_text_is_sorted_and_two_space_indented() -> None:
    text = normalize({"Version": "2012-10-17", "Statement": {
        "Effect": "Deny", "Action": ["s3:b", "s3:a", "s3:a"], "Resource": ["*"],
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": [False]}}}})
    assert json.loads(text) == {"Statement": [{
        "Action": ["s3:a", "s3:b"], "Condition": {"BoolIfExists": {
            "aws:MultiFactorAuthPresent": "false"}}, "Effect": "Deny", "Resource": "*"}],
        "Version": "2012-10-17"}
    assert text.splitlines()[1] == '  "Statement": ['
    assert normalize(text) == text  # idempotent, and takes text too


def test_statement_order_is_kept_because_it_is_how_people_read_a_policy() -> None:
    template = load_template("enforce-mfa")
    swapped = copy.deepcopy(template)
    swapped["Statement"].reverse()
    assert not is_same(swapped, template)


def test_url_encoded_documents_from_get_policy_version_are_read() -> None:
    template = load_template("enforce-mfa")
    assert is_same(quote(json.dumps(template)), template)


def test_no_current_policy_is_all_adds_without_headers() -> None:
    template = load_template("safe-scp")
    lines = diff_lines(None, template)
    assert {tone for tone, _ in lines} == {"add"}
    assert [line[1:] for _, line in lines] == normalize(template).splitlines()
    assert all(line.startswith("+") for _, line in lines)
    assert not is_same(None, template)


def test_an_outdated_policy_shows_a_unified_diff_with_tones() -> None:
    current = json.loads(SEED.read_text(encoding="utf-8"))
    template = load_template("enforce-mfa")
    lines = diff_lines(current, template)
    assert lines[0] == ("header", "--- current default version")
    assert lines[1] == ("header", "+++ template")
    assert lines[2][0] == "header" and lines[2][1].startswith("@@ ")
    for tone, line in lines:
        expected = {"+": "add", "-": "remove", " ": "context", "@": "header"}[line[0]]
        assert tone == expected or line.startswith(("---", "+++")), line
    removed = {line for tone, line in lines if tone == "remove"}
    added = {line for tone, line in lines if tone == "add"}
    assert '-        "iam:DeleteVirtualMFADevice"' in removed
    assert '+        "sts:GetSessionToken"' not in added  # both exempt it: not a change
    assert any('"iam:ChangePassword",' in line for line in added)  # the new exemption
    assert diff_lines(current, template) == lines  # stable between runs


def test_labels_can_name_the_versions() -> None:
    lines = diff_lines({"Version": "2012-10-17", "Statement": []}, load_template("safe-scp"),
                       current_label="EnforceMFAPolicy v3", template_label="template")
    assert lines[0] == ("header", "--- EnforceMFAPolicy v3")
