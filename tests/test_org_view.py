"""The accounts screen's rules and the organization's exit code, as plain unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from mfa_tui.core.models import Caller, Inventory, Sources, UserRecord
from mfa_tui.core.org_models import AccountResult, OrgAccount, OrgInventory
from mfa_tui.core.org_view import AccountView, select_accounts, totals, visible_columns

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def account(id_: str, name: str, *, bad: int = 0, good: int = 1,
            error: str | None = None) -> AccountResult:
    acc = OrgAccount(id_, name)
    if error:
        return AccountResult(acc, error=error)
    users = tuple(UserRecord(f"bad{i}", "arn", True, False) for i in range(bad)) + tuple(
        UserRecord(f"ok{i}", "arn", True, True) for i in range(good))
    inv = Inventory(id_, Caller(id_, "arn"), NOW, Sources(), users)
    return AccountResult(acc, inventory=inv, root_mfa_active=False)


ROWS = [account("111111111111", "prod", bad=3), account("222222222222", "dev", good=4),
        account("333333333333", "sandbox", error="Cannot assume role"),
        account("444444444444", "data", bad=1, good=9)]


def test_views_filter_and_sort() -> None:
    names = [r.account.name for r in select_accounts(ROWS)]
    assert names == ["data", "dev", "prod", "sandbox"]
    assert [r.account.name for r in select_accounts(ROWS, view=AccountView.NON_COMPLIANT)] == [
        "data", "prod"]
    assert [r.account.name for r in select_accounts(ROWS, view=AccountView.ERRORS)] == [
        "sandbox"]
    assert [r.account.id for r in select_accounts(ROWS, text="3333")] == ["333333333333"]
    assert [r.account.name for r in select_accounts(ROWS, text="DE")] == ["dev"]
    worst = [r.account.name for r in select_accounts(ROWS, sort="non_compliant")]
    assert worst[:2] == ["prod", "data"] and worst[2] == "sandbox"  # errors before clean
    assert select_accounts(ROWS, sort="users")[0].account.name == "data"


def test_columns_drop_least_important_first() -> None:
    wide = [c.key for c in visible_columns(200)]
    assert len(wide) == 9
    narrow = [c.key for c in visible_columns(80)]
    assert "report" not in narrow and "console" not in narrow
    assert {"name", "id", "non_compliant", "status"} <= set(visible_columns(40)[i].key
                                                              for i in range(4))


def test_totals_and_exit_codes() -> None:
    t = totals(ROWS, 4)
    assert (t.accounts, t.read, t.errors, t.users, t.non_compliant) == (4, 4, 1, 18, 4)
    org = OrgInventory("o-x", "111111111111", NOW, tuple(ROWS))
    assert org.exit_code == 1
    assert OrgInventory("o-x", "1", NOW, tuple(ROWS[:2])).exit_code == 0
    assert OrgInventory("o-x", "1", NOW, (ROWS[2],)).exit_code == 2
    assert OrgInventory("o-x", "1", NOW, ()).exit_code == 2
