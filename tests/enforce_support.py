"""Helpers shared by the enforcement tests (plan/apply/undo against the moto server)."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.policy_templates import load_template
from tests.fixtures.moto_server import REGION, MotoServer
from tests.fixtures.terminal import installed_cli

ACCOUNT = "123456789012"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/EnforceMFAPolicy"
#: What actually reached moto: throttled and 5xx answers never did; dropped ones did.
ACTED = (None, "drop")


def connection(moto: MotoServer, **creds: str) -> AwsConnection:
    """An AwsConnection to the moto server (the environment's dummy keys unless given)."""
    return AwsConnection(ConnectionOptions(region=REGION, endpoint_url=moto.url, **creds))


def acted(moto: MotoServer, action: str, key: str = "UserName") -> Counter[str]:
    """How many ``action`` requests moto carried out, by ``key`` parameter."""
    return Counter(str(r.params.get(key)) for r in moto.faults.requests
                   if r.action == action and r.fault in ACTED)


def attached_users(iam: Any, arn: str = POLICY_ARN) -> set[str]:
    """Users the policy is attached to directly."""
    pages = iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn)
    return {u["UserName"] for page in pages for u in page["PolicyUsers"]}


def run_cli(moto: MotoServer, *args: str, stdin: str | None = None,
            env: dict[str, str] | None = None, timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    """The installed command against the moto server; stdin is a pipe (not a terminal)."""
    full = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full.update(env or {})
    return subprocess.run([installed_cli(), "--endpoint-url", moto.url, *args],
                          input=stdin or "", capture_output=True, text=True, timeout=timeout,
                          env=full)


def journals(state: Path) -> list[Path]:
    """The journal files under the state dir, oldest first."""
    return sorted((state / "mfa-tui" / "journal").glob("*.jsonl"))


def journal_lines(path: Path) -> list[dict[str, Any]]:
    """A journal file's lines."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def outdated_document() -> dict[str, Any]:
    """The seed's policy mistake: ``Bool`` instead of ``BoolIfExists``, no ChangePassword."""
    doc = load_template("enforce-mfa")
    statements = []
    for st in doc["Statement"]:
        st = dict(st)
        if st.get("Effect") == "Deny":
            st["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "false"}}
            st["NotAction"] = [a for a in st["NotAction"] if a != "iam:ChangePassword"]
        statements.append(st)
    return {**doc, "Statement": statements}
