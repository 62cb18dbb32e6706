"""The accounts screen's header: the organization, its totals, the read's progress."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from mfa_tui.core.org_view import OrgTotals


class OrgHeader(Static):
    """Organization id, totals over the accounts read, progress, cached/error lines."""

    organization: reactive[str] = reactive("")
    caller: reactive[str] = reactive("")
    totals: reactive[OrgTotals | None] = reactive(None)
    busy: reactive[bool] = reactive(True)
    error: reactive[str] = reactive("")
    view_line: reactive[str] = reactive("")
    profile: reactive[str] = reactive("")
    #: Accounts the read under way has finished (not the cached or earlier rows).
    done: reactive[int] = reactive(0)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.profile:
            text.append(f"[{self.profile}] ", style="bold reverse")
        if not self.organization:
            text.append("mfa-tui ", style="bold")
            text.append(self.error or "Reading the organization…")
            return text
        text.append(f"organization {self.organization}", style="bold")
        if self.caller:
            text.append(f" as {self.caller}", style="dim")
        text.append("\n")
        t = self.totals
        if t is not None:
            text.append(f"✗ {t.non_compliant} non-compliant", style="bold")
            text.append(f" · {t.console} console · {t.users} users · {t.accounts} accounts")
            if t.errors:
                text.append(f" · {t.errors} unreadable", style="bold")
        text.append("\n")
        if t is not None and self.busy:
            text.append(f"reading {min(self.done, t.accounts)}/{t.accounts} accounts… · ",
                        style="italic")
        if t is not None and t.cached:
            text.append(f"{t.cached} cached · ", style="bold")
        if self.error:
            text.append(self.error, style="bold")
        else:
            text.append(self.view_line, style="dim")
        return text
