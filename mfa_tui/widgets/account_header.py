"""The header: which account, as whom, how many users fail IAM.5, how old the data is."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ..core.models import Inventory
from ..core.text import age


class AccountHeader(Static):
    """Account id and alias, caller, counts and source ages."""

    inventory: reactive[Inventory | None] = reactive(None)
    status: reactive[str] = reactive("Connecting…")

    def render(self) -> Text:
        inv = self.inventory
        text = Text()
        if inv is None:
            text.append("mfa-tui ", style="bold")
            text.append(self.status)
            return text
        text.append(f"{inv.alias or 'account'} ", style="bold")
        text.append(f"{inv.account}  ")
        text.append(f"as {inv.caller.arn}\n", style="dim")
        text.append(f"{len(inv.users)} users · {inv.console_users} console · ")
        text.append(f"✗ {inv.non_compliant} non-compliant", style="bold")
        now = datetime.now(UTC)
        report = inv.sources.credential_report_generated_at
        devices = inv.sources.virtual_mfa_listed_at
        text.append(f" · report {age(report, now)} · devices {age(devices, now)}", style="dim")
        if self.status:
            text.append(f"  {self.status}", style="italic")
        return text
