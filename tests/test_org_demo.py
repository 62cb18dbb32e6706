"""`--demo --org`: the demo account manages a small organization, the same every run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mfa_tui.demo.org import MEMBERS, SUSPENDED, UNASSUMABLE
from tests.test_cli import run


def test_demo_org_report_is_the_same_small_organization_every_run(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    first = run("--demo", "--org", "report", "--format", "json", env=env)
    assert first.returncode == 1, first.stderr  # one account cannot be read: partial
    doc = json.loads(first.stdout)
    assert doc["organization"] == "o-exmpl2026ab"
    by_id = {a["account"]: a for a in doc["accounts"]}
    assert set(by_id) == {"123456789012", *MEMBERS.values()} - {SUSPENDED}
    assert by_id["123456789012"]["name"] == "example-corp-prod"
    assert len(by_id["123456789012"]["users"]) == 60
    (refused,) = UNASSUMABLE
    assert by_id[refused]["status"] == "error"
    assert "Cannot assume role OrganizationAccountAccessRole" in by_id[refused]["error"]
    states = {a["name"]: sum(not u["compliant"] for u in a["users"])
              for a in doc["accounts"] if a["status"] == "ok"}
    assert states["example-corp-staging"] == 0 and states["example-corp-dev"] > 0
    assert refused in first.stderr
    again = json.loads(run("--demo", "--org", "report", "--format", "json", env=env).stdout)
    assert shape(again) == shape(doc)  # fixed ids, users and states (dates are relative)


def shape(doc: dict[str, Any]) -> list[tuple[object, ...]]:
    return [(a["account"], a["name"], a["status"], a["error"],
             [(u["user"], u["console_access"], u["mfa_active"], u["compliant"])
              for u in a["users"]]) for a in doc["accounts"]]
