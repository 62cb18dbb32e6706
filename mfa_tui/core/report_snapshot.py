"""The moment the credential report arrives: enough for a provisional table (pure).

The fresh lists (``ListUsers``, ``ListVirtualMFADevices``) take most of a first read on a big
account; the report alone says who has a console password and MFA. The snapshot keeps the
report as AWS sent it (CSV text) so it can cross a pipe cheaply; parsing happens once, where
the table is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from mfa_tui.core.credential_report import ReportRow, parse_credential_report
from mfa_tui.core.inventory_merge import Attachments, report_users
from mfa_tui.core.models import Caller, Inventory, Sources

#: AWS regenerates the credential report at most every 4 hours; older than that is stale.
REPORT_MAX_AGE = timedelta(hours=4)
#: What a first read waits for when the report is older than that: AWS makes a new one.
REPORT_BEING_GENERATED = ("AWS is generating the credential report (it makes a new one when "
                          "the last is over 4 hours old); the table follows…")


def report_is_old(generated_at: datetime | None, now: datetime) -> bool:
    """Whether the credential report is older than AWS's 4-hour regeneration window."""
    return generated_at is not None and (now - generated_at) > REPORT_MAX_AGE


@dataclass(frozen=True)
class ReportSnapshot:
    """The credential report and the small reads that arrive with it."""

    content: str  # the report's CSV, as AWS sent it
    generated_at: datetime | None
    caller: Caller
    alias: str | None
    attachments: Attachments
    policy_name: str
    problems: tuple[str, ...] = ()

    @cached_property
    def parsed(self) -> tuple[list[ReportRow], list[str]]:
        """The report's rows and a sentence for each row that was skipped (parsed once)."""
        return parse_credential_report(self.content)

    def parsed_already(self, parsed: tuple[list[ReportRow], list[str]]) -> ReportSnapshot:
        """This snapshot, its report parsed already (``parse_credential_report(content)``,
        done while the small reads were on their way)."""
        self.__dict__["parsed"] = parsed  # the cached property's own place
        return self


def provisional_inventory(snapshot: ReportSnapshot, now: datetime) -> Inventory | None:
    """The table the report alone gives (None when it has no user)."""
    rows, skipped = snapshot.parsed
    if not rows:
        return None
    return Inventory(
        account=snapshot.caller.account,
        caller=snapshot.caller,
        generated_at=now,
        sources=Sources(credential_report_generated_at=snapshot.generated_at),
        users=report_users(rows, snapshot.attachments,
                           report_is_old=report_is_old(snapshot.generated_at, now)),
        alias=snapshot.alias,
        policy_name=snapshot.policy_name,
        problems=(*snapshot.problems, *skipped),
        provisional=True,
    )
