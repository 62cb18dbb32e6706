"""Organization mode: every ACTIVE account read in parallel, each through a role session.

The caller's own account is read with the caller's credentials; every other account through
``--org-role``, assumed from them (after the MFA session, so one code serves the whole
organization). A bounded pool (``--org-workers``) reads accounts, each with the single-account
inventory (credential report once per account: IAM is global, never per region). An account
that cannot be assumed or read becomes an error row with its sentence; the others go on.
Member credentials live in memory only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from mfa_tui.aws.errors import explain
from mfa_tui.aws.inventory import load_inventory
from mfa_tui.aws.organizations import assume_into, read_organization
from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.errors import AssumeRoleFailed, NoSuchAccount
from mfa_tui.core.org_models import (
    DEFAULT_ORG_ROLE,
    DEFAULT_ORG_WORKERS,
    AccountResult,
    OrgAccount,
    Organization,
    OrgInventory,
)

log = logging.getLogger(__name__)

#: Inside one account the inventory's own small pool runs; fewer per-user lookups at once
#: than for a single account, since several accounts are read together.
_WORKERS_PER_ACCOUNT = 4


@dataclass(frozen=True)
class OrgOptions:
    """``--org-role``, ``--accounts``, ``--org-workers``."""

    role: str = DEFAULT_ORG_ROLE
    accounts: tuple[str, ...] = ()
    workers: int = DEFAULT_ORG_WORKERS


def _assume_sentence(exc: BaseException, account: str, role: str) -> str:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in {"AccessDenied", "AccessDeniedException"}:
            return (
                f"Cannot assume role {role} in account {account} (AccessDenied): the role is "
                "missing there or does not trust the caller. Pass --org-role NAME for another "
                "role, or fix the role's trust policy."
            )
    return explain(exc, doing=f"assuming role {role} in account {account}")


class OrgSession:
    """The caller's connection and one role session per member account, made on first use."""

    def __init__(self, conn: AwsConnection, options: OrgOptions | None = None) -> None:
        self.conn = conn
        self.options = options or OrgOptions()
        self._org: Organization | None = None
        self._members: dict[str, AwsConnection] = {}
        self._lock = threading.Lock()

    def organization(self, *, fresh: bool = False) -> Organization:
        """The organization and its ACTIVE accounts, limited by ``--accounts`` (read once;
        ``fresh`` lists them again: accounts joined or closed since)."""
        if self._org is None or fresh:
            self.conn.credentials_ready()  # an MFA code, if the profile needs one: once, here
            org = read_organization(self.conn)
            wanted = self.options.accounts
            if wanted:
                known = {a.id for a in org.accounts}
                unknown = [a for a in wanted if a not in known]
                if unknown:
                    raise NoSuchAccount(unknown, org.id)
                org = Organization(org.id, org.management_account, org.caller_account,
                                   tuple(a for a in org.accounts if a.id in set(wanted)))
            self._org = org
        return self._org

    def account(self, account_id: str) -> OrgAccount:
        """One ACTIVE account of the organization by id (NoSuchAccount otherwise)."""
        for account in self.organization().accounts:
            if account.id == account_id:
                return account
        raise NoSuchAccount([account_id], self.organization().id)

    def connection(self, account_id: str) -> AwsConnection:
        """The caller's own connection for its account; a role session for any other."""
        if account_id == self.conn.caller().account:
            return self.conn
        with self._lock:
            member = self._members.get(account_id)
        if member is not None:
            return member
        try:
            member = assume_into(self.conn, account_id, self.options.role)
        except (ClientError, BotoCoreError) as exc:
            raise AssumeRoleFailed(_assume_sentence(exc, account_id, self.options.role)) from exc
        with self._lock:
            return self._members.setdefault(account_id, member)

    def read_account(self, account: OrgAccount) -> AccountResult:
        """One account's inventory and root MFA, or an error row with its sentence."""
        try:
            conn = self.connection(account.id)
            inventory = load_inventory(conn, workers=_WORKERS_PER_ACCOUNT)
            # The inventory already read GetAccountSummary (falling back to the credential
            # report's <root_account> row): no second call for the root user.
            root = inventory.root.mfa_active if inventory.root is not None else None
            return AccountResult(account, inventory=inventory, root_mfa_active=root)
        except Exception as exc:  # one account's failure is its row, never the whole read
            log.warning("reading account %s failed: %s", account.id, exc)
            return AccountResult(account, error=explain(exc, doing=f"reading account {account.id}"))

    def read_all(self, on_result: Callable[[AccountResult], None] | None = None, *,
                 accounts: Iterable[OrgAccount] | None = None) -> OrgInventory:
        """Every account (or ``accounts``), ``--org-workers`` at a time; ``on_result`` hears
        each as it finishes (from a pool thread)."""
        org = self.organization()
        todo = list(org.accounts if accounts is None else accounts)
        results: dict[str, AccountResult] = {}

        def one(account: OrgAccount) -> None:
            result = self.read_account(account)
            results[account.id] = result
            if on_result is not None:
                on_result(result)

        with ThreadPoolExecutor(max_workers=max(1, self.options.workers),
                                thread_name_prefix="org") as pool:
            for future in [pool.submit(one, a) for a in todo]:
                future.result()
        return OrgInventory(
            organization=org.id, management_account=org.management_account,
            generated_at=datetime.now(UTC),
            accounts=tuple(results[a.id] for a in todo),
        )
