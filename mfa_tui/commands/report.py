"""`mfa-tui report`: the inventory, non-interactive."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from mfa_tui.aws.inventory import load_inventory
from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.exit_codes import NOT_COMPLIANT, OK
from mfa_tui.core.models import Inventory
from mfa_tui.core.report_shape import inventory_csv, inventory_json
from mfa_tui.core.root_user import root_text
from mfa_tui.core.text import age, mfa_text

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector


def render_table(inv: Inventory, *, non_compliant_only: bool, console: Console) -> None:
    """A rich table; symbols as well as colour so NO_COLOR output still reads."""
    now = datetime.now(UTC)
    title = f"{inv.alias or inv.account} ({inv.account}) — {len(inv.users)} users, " \
            f"{inv.console_users} with console, {inv.non_compliant} non-compliant"
    table = Table(title=title, title_justify="left", expand=False)
    for col in ("", "user", "console", "MFA", "enforced", "last sign-in", "keys"):
        table.add_column(col, no_wrap=col == "user")
    for u in inv.users:
        if non_compliant_only and u.compliant:
            continue
        mark = "[green]✓[/]" if u.compliant else "[bold red]✗[/]"
        table.add_row(
            mark,
            u.user,
            {True: "yes", False: "no", None: "?"}[u.console_access],
            mfa_text(u) if u.mfa_active or not u.console_access else "[red]none[/]",
            (u.enforced_via if u.enforced_via and u.enforced_via != "user" else "yes")
            if u.enforcement_attached else "-",
            age(u.password_last_used, now) if u.password_last_used else "-",
            str(u.access_keys_active),
        )
    console.print(table)
    root = root_text(inv.root)
    console.print(f"[bold red]{root}[/]" if inv.root and inv.root.compliant is False else root,
                  highlight=False)
    for problem in inv.problems:
        console.print(f"[yellow]! {problem}[/]")


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui report` (`--org`: every account of the organization)."""
    if getattr(args, "org", False):
        from mfa_tui.commands.org_report import run as run_org

        return run_org(connect(), args)
    return run(connect(), fmt=args.format, non_compliant_only=args.non_compliant,
               exact=args.exact, exit_code=args.exit_code)


def run(conn: AwsConnection, *, fmt: str, non_compliant_only: bool, exact: bool = False,
        exit_code: bool = False) -> int:
    """Print the report; exit 0, or with ``exit_code`` 1 when any user fails IAM.5 (errors
    raise and become exit 2 in the CLI)."""
    inv = load_inventory(conn, exact=exact)
    if fmt == "json":
        sys.stdout.write(json.dumps(inventory_json(inv, non_compliant_only=non_compliant_only),
                                    indent=2) + "\n")
    elif fmt == "csv":
        sys.stdout.write(inventory_csv(inv, non_compliant_only=non_compliant_only))
    else:
        render_table(inv, non_compliant_only=non_compliant_only, console=Console())
    for problem in inv.problems:
        if fmt != "table":
            print(f"mfa-tui: warning: {problem}", file=sys.stderr)
    if exit_code and inv.non_compliant:
        return NOT_COMPLIANT
    return OK
