"""`--org scp plan`: per member account, the console users without MFA the SCP would deny."""

from __future__ import annotations

from pathlib import Path

import pytest

from mfa_tui.cli import main
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.org_support import MANAGEMENT, add_user, make_org


def test_scp_plan_names_who_it_would_deny_in_each_member_account(
        moto: MotoServer, state_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = make_org(moto, ("dev", "prod"))
    dev, prod = org.members["dev"], org.members["prod"]
    add_user(org.iam(moto, MANAGEMENT), "boss", console=True)
    add_user(org.iam(moto, dev), "alice", console=True)
    add_user(org.iam(moto, dev), "deploy", keys=1)
    add_user(org.iam(moto, prod), "bob", console=True, mfa=True)
    moto.faults.clear_requests()
    assert main(["--org", "scp", "plan"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert f"dev ({dev}): 1 — alice" in out
    assert f"prod ({prod}): nobody" in out
    assert f"({MANAGEMENT}): the management account; SCPs never apply to it" in out
    assert "boss" not in out.split("Who the SCP would deny")[1]
    assert "1 console users would be denied." in out
    assert moto.faults.mutating_count() == 0  # a plan changes nothing
    assert main(["--org", "scp", "plan", "--target", prod]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"dev ({dev}): not under the target" in out and "0 console users" in out
