"""What the accounts screen shows: views, filter, sort, columns by priority, totals (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from mfa_tui.core.org_models import AccountResult
from mfa_tui.core.text import age_short


class AccountView(Enum):
    """The `f` cycle: all accounts → with non-compliant users → errors."""

    ALL = "all accounts"
    NON_COMPLIANT = "with non-compliant"
    ERRORS = "errors"

    def next(self) -> AccountView:
        """The next view in the cycle."""
        order = list(AccountView)
        return order[(order.index(self) + 1) % len(order)]


def _count(result: AccountResult, what: str) -> int:
    inv = result.inventory
    if inv is None:
        return -1
    if what == "users":
        return len(inv.users)
    if what == "console":
        return inv.console_users
    if what == "enforced":
        return sum(1 for u in inv.users if u.enforcement_attached)
    return inv.non_compliant


def _num(result: AccountResult, what: str) -> str:
    value = _count(result, what)
    return "-" if value < 0 else str(value)


def _root(result: AccountResult, _: datetime) -> str:
    if result.inventory is None:
        return "-"
    return {True: "yes", False: "no", None: "?"}[result.root_mfa_active]


def _report_age(result: AccountResult, now: datetime) -> str:
    inv = result.inventory
    if inv is None:
        return "-"
    return age_short(inv.sources.credential_report_generated_at, now)


def _status(result: AccountResult, _: datetime) -> str:
    if result.inventory is None:
        return "error" if result.error else "reading"
    return "cached" if result.cached else "ok"


@dataclass(frozen=True)
class AccountColumn:
    """A column: key, label, width, drop order (higher is dropped first when short)."""

    key: str
    label: str
    width: int
    drop_order: int
    cell: Callable[[AccountResult, datetime], str]


COLUMNS: tuple[AccountColumn, ...] = (
    AccountColumn("name", "name", 20, 0, lambda r, _: r.account.name),
    AccountColumn("id", "account", 12, 0, lambda r, _: r.account.id),
    AccountColumn("users", "users", 5, 3, lambda r, _: _num(r, "users")),
    AccountColumn("console", "console", 7, 4, lambda r, _: _num(r, "console")),
    AccountColumn("non_compliant", "no MFA", 6, 0, lambda r, _: _num(r, "non_compliant")),
    AccountColumn("root", "root MFA", 8, 2, _root),
    AccountColumn("report", "report", 8, 5, _report_age),
    AccountColumn("enforced", "enforced", 8, 1, lambda r, _: _num(r, "enforced")),
    AccountColumn("status", "status", 7, 0, _status),
)


def visible_columns(width: int, *, gap: int = 2) -> list[AccountColumn]:
    """The columns that fit ``width`` cells, the least important dropped first."""
    cols = list(COLUMNS)
    while sum(c.width + gap for c in cols) > width:
        droppable = [c for c in cols if c.drop_order > 0]
        if not droppable:
            break
        cols.remove(max(droppable, key=lambda c: c.drop_order))
    return cols


def _sort_keys() -> dict[str, Callable[[AccountResult], Any]]:
    def name(r: AccountResult) -> str:
        return r.account.name.lower()
    return {
        "name": lambda r: (name(r), r.account.id),
        "id": lambda r: r.account.id,
        "users": lambda r: (-_count(r, "users"), name(r)),
        "console": lambda r: (-_count(r, "console"), name(r)),
        # The worst accounts first: most non-compliant users, errors right after.
        "non_compliant": lambda r: (-_count(r, "non_compliant") if r.inventory else -0.5,
                                    name(r)),
        "root": lambda r: (r.root_mfa_active is not False, name(r)),
        "report": lambda r: (_report_age(r, datetime.min), name(r)),
        "enforced": lambda r: (_count(r, "enforced"), name(r)),
        "status": lambda r: (r.status != "error", name(r)),
    }


SORT_KEYS = _sort_keys()


def select_accounts(results: Iterable[AccountResult], *, text: str = "",
                    view: AccountView = AccountView.ALL, sort: str = "name",
                    reverse: bool = False) -> list[AccountResult]:
    """The rows to show: the view, then the name/id filter (case-insensitive), sorted."""
    needle = text.strip().lower()
    rows = [
        r for r in results
        if (view is AccountView.ALL
            or (view is AccountView.NON_COMPLIANT and r.inventory is not None
                and r.inventory.non_compliant > 0)
            or (view is AccountView.ERRORS and r.status == "error" and r.error))
        and (not needle or needle in r.account.name.lower() or needle in r.account.id)
    ]
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["name"]), reverse=reverse)
    return rows


@dataclass(frozen=True)
class OrgTotals:
    """The header's counts over every account read so far."""

    accounts: int
    read: int
    errors: int
    users: int
    console: int
    non_compliant: int
    cached: int


def totals(results: Sequence[AccountResult], expected: int) -> OrgTotals:
    """Counts for the header; ``expected``: how many accounts the organization has."""
    ok = [r.inventory for r in results if r.inventory is not None]
    return OrgTotals(
        accounts=expected,
        read=sum(1 for r in results if r.inventory is not None or r.error),
        errors=sum(1 for r in results if r.inventory is None and r.error),
        users=sum(len(i.users) for i in ok),
        console=sum(i.console_users for i in ok),
        non_compliant=sum(i.non_compliant for i in ok),
        cached=sum(1 for r in results if r.cached),
    )
