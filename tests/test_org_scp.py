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


def test_scp_plan_scope_all_names_the_access_key_users_it_would_cut_off_in_each_account(
        moto: MotoServer, state_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = make_org(moto, ("dev", "prod", "sandbox"))
    dev, prod, sandbox = org.members["dev"], org.members["prod"], org.members["sandbox"]
    add_user(org.iam(moto, MANAGEMENT), "boss-ci", keys=1)  # no SCP applies there
    add_user(org.iam(moto, dev), "alice", console=True)
    add_user(org.iam(moto, dev), "deploy", keys=1)
    add_user(org.iam(moto, dev), "carol", console=True, mfa=True, keys=2)  # MFA: keys still cut
    add_user(org.iam(moto, prod), "bob", console=True, mfa=True)
    add_user(org.iam(moto, prod), "ci", keys=1)
    moto.faults.access_denied("AssumeRole", params={"RoleArn": f":{sandbox}:"})
    moto.faults.clear_requests()
    assert main(["--org", "scp", "plan", "--scope", "all"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    # The scope's warning points at the lists below instead of saying it cannot see them.
    assert "per member account, the IAM users with active access keys are listed below" in out
    assert "cannot see them" not in out
    denied = out.split("Who the SCP would deny")[1]
    assert (f"dev ({dev}): console users without MFA: 1 — alice "
            "users with active access keys: 2 — carol, deploy") in denied
    assert (f"prod ({prod}): console users without MFA: none "
            "users with active access keys: 1 — ci") in denied
    assert f"sandbox ({sandbox}): could not be read" in denied
    assert "boss-ci" not in denied
    assert ("1 console users would be denied; 3 IAM users with active access keys would have "
            "their keys cut off; 1 accounts could not be read.") in denied
    assert moto.faults.mutating_count() == 0  # a plan changes nothing


def test_scp_plan_default_scope_leaves_access_key_users_out(
        moto: MotoServer, state_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = make_org(moto, ("dev",))
    dev = org.members["dev"]
    add_user(org.iam(moto, dev), "deploy", keys=1)
    assert main(["--org", "scp", "plan"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert f"dev ({dev}): nobody" in out  # console scope: their keys keep working
    assert "deploy" not in out.split("Who the SCP would deny")[1]
    assert "0 console users would be denied." in out
