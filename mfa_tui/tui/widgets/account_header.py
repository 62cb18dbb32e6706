"""The header: which account, as whom, how many users fail IAM.5, how old the data is."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from mfa_tui.core.models import Inventory
from mfa_tui.core.root_user import root_text
from mfa_tui.core.text import age_short


class AccountHeader(Static):
    """Account id and alias, caller, counts, source ages, and the view line."""

    inventory: reactive[Inventory | None] = reactive(None)
    busy: reactive[bool] = reactive(True)
    error: reactive[str] = reactive("")
    view_line: reactive[str] = reactive("")
    cached: reactive[bool] = reactive(False)
    #: What the app is connected to: "DEMO", the profile's name, or "AWS chain".
    profile: reactive[str] = reactive("")
    #: What the read in progress waits for ("" when nothing worth saying).
    waiting: reactive[str] = reactive("")

    def render(self) -> Text:
        inv = self.inventory
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.profile:
            text.append(f"[{self.profile}] ", style="bold reverse")
        if inv is None:
            text.append("mfa-tui ", style="bold")
            connecting = ("Starting the demo account…" if self.profile == "DEMO"
                          else "Connecting to AWS…")
            text.append(self.error or self.waiting or connecting)
            return text
        text.append(inv.alias or "account", style="bold")
        text.append(f" {inv.account} ")
        if inv.root is not None:  # read after the first paint; before the ARN, which may be cut
            text.append(root_text(inv.root), style="bold" if inv.root.compliant is False else "")
            text.append(" · ")
        text.append(f"as {inv.caller.arn}", style="dim")
        text.append("\n")
        text.append(f"✗ {inv.non_compliant} non-compliant", style="bold")
        text.append(f" · {inv.console_users} console · {len(inv.users)} users")
        now = datetime.now(UTC)
        report = inv.sources.credential_report_generated_at
        devices = inv.sources.virtual_mfa_listed_at
        text.append(f" · report {age_short(report, now)}", style="dim")
        if not inv.provisional:
            text.append(f" · devices {age_short(devices, now)}", style="dim")
        text.append("\n")
        # Line 3 leads with what the table rests on, so 80 columns never cut it off.
        if self.cached:
            text.append(f"cached {age_short(inv.generated_at, now)} · ", style="bold")
        if inv.provisional:
            text.append("from the credential report alone; reading users and devices… · ",
                        style="italic")
        elif self.busy:
            text.append("refreshing… · ", style="italic")
        if self.waiting:
            text.append(f"{self.waiting} · ", style="italic")
        if self.error:
            text.append(self.error, style="bold")
        elif inv.problems:
            text.append("! " + " ".join(inv.problems), style="bold")
        else:
            text.append(self.view_line, style="dim")
            # A provisional table says above that every verdict rests on the report.
            if inv.stale_users and not inv.provisional:
                text.append(f" · * {inv.stale_users} on the old report (enter confirms one)",
                            style="bold")
        return text
