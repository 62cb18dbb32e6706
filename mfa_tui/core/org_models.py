"""Organization mode's models (pure): the accounts, one result an account, the whole read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from mfa_tui.core.exit_codes import ERROR, OK, SOME_FAILED
from mfa_tui.core.models import Inventory

#: The role AWS Organizations creates in every account it creates.
DEFAULT_ORG_ROLE = "OrganizationAccountAccessRole"
DEFAULT_ORG_WORKERS = 8


@dataclass(frozen=True)
class OrgAccount:
    """One ACTIVE member account of the organization (``organizations:ListAccounts``)."""

    id: str
    name: str
    email: str = ""


@dataclass(frozen=True)
class Organization:
    """The organization the caller reads: its id, its management account, the caller's own
    account (the management account or a delegated administrator) and its ACTIVE accounts."""

    id: str
    management_account: str
    caller_account: str
    accounts: tuple[OrgAccount, ...]


@dataclass(frozen=True)
class AccountResult:
    """What was read in one account: its inventory, or the sentence saying why not."""

    account: OrgAccount
    inventory: Inventory | None = None
    root_mfa_active: bool | None = None
    error: str | None = None
    #: From the last run's cache: painted at once, replaced when the fresh read finishes.
    cached: bool = False

    @property
    def status(self) -> Literal["ok", "error"]:
        """``ok`` when the account was read, else ``error`` (``error`` says why)."""
        return "ok" if self.inventory is not None else "error"


@dataclass(frozen=True)
class OrgInventory:
    """Every account of the organization at one moment."""

    organization: str
    management_account: str
    generated_at: datetime
    accounts: tuple[AccountResult, ...]

    @property
    def errors(self) -> int:
        """Accounts that could not be read."""
        return sum(1 for a in self.accounts if a.status == "error")

    @property
    def exit_code(self) -> int:
        """0 every account read, 1 some could not be, 2 none could (DESIGN.md)."""
        if not self.accounts or self.errors == len(self.accounts):
            return ERROR
        return SOME_FAILED if self.errors else OK
