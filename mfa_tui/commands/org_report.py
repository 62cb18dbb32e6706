"""`mfa-tui --org report`: every account of the organization, non-interactive."""

from __future__ import annotations

import argparse
import json
import sys

from rich import box
from rich.console import Console
from rich.table import Table

from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.org_models import OrgInventory
from mfa_tui.core.org_shape import org_csv, org_json
from mfa_tui.engine.org import OrgOptions, OrgSession


def org_options(args: argparse.Namespace) -> OrgOptions:
    """The organization-mode global options from the parsed command line."""
    return OrgOptions(role=args.org_role, accounts=tuple(args.accounts),
                      workers=args.org_workers)


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "[red]no[/]", None: "?"}[value]


def render_table(org: OrgInventory, *, console: Console) -> None:
    """One line an account, then the non-compliant users with their account."""
    ok = [a for a in org.accounts if a.inventory is not None]
    bad = sum(a.inventory.non_compliant for a in ok if a.inventory is not None)
    # A line of its own: as the table's title it would wrap to the table's width.
    console.print(f"[bold]Organization {org.organization}[/] — {len(org.accounts)} accounts, "
                  f"{org.errors} unreadable, {bad} non-compliant users", soft_wrap=True)
    table = Table(expand=False, box=None, padding=(0, 1), pad_edge=False,
                  header_style="bold underline")
    # 80 columns: the id whole, the name cut, short headers ("no MFA": non-compliant users).
    for col in ("account", "name", "users", "console", "no MFA", "root", "enforced", "status"):
        table.add_column(col, no_wrap=True, overflow="ellipsis",
                         max_width=16 if col == "name" else None,
                         min_width={"account": 12, "status": 7}.get(col))
    for a in org.accounts:
        inv = a.inventory
        if inv is None:
            table.add_row(a.account.id, a.account.name, "-", "-", "-", "-", "-",
                          "[bold red]! error[/]")
            continue
        enforced = sum(1 for u in inv.users if u.enforcement_attached)
        table.add_row(a.account.id, a.account.name, str(len(inv.users)),
                      str(inv.console_users), str(inv.non_compliant),
                      _yes_no(a.root_mfa_active), str(enforced),
                      "[green]✓ ok[/]" if inv.non_compliant == 0 else "[red]✗ ok[/]")
    console.print(table)
    users = Table(title="Non-compliant users", title_justify="left", expand=False,
                  box=box.SIMPLE_HEAD)
    for col in ("account", "user", "last sign-in", "keys"):
        users.add_column(col, no_wrap=True)
    for a in ok:
        assert a.inventory is not None
        for u in a.inventory.users:
            if not u.compliant:
                users.add_row(a.account.id, u.user,
                              u.password_last_used.date().isoformat()
                              if u.password_last_used else "-", str(u.access_keys_active))
    if users.row_count:
        console.print(users)
    for a in org.accounts:
        if a.error:
            console.print(f"[yellow]! {a.account.id} ({a.account.name}): {a.error}[/]")


def run(conn: AwsConnection, args: argparse.Namespace) -> int:
    """Read every account and print; exit 0 all read, 1 some not, 2 none."""
    session = OrgSession(conn, org_options(args))
    total = len(session.organization().accounts)
    done: list[str] = []
    progress = sys.stderr.isatty()

    def heard(result: object) -> None:
        done.append("")
        if progress:
            print(f"\rmfa-tui: read {len(done)}/{total} accounts", end="", file=sys.stderr,
                  flush=True)

    org = session.read_all(heard)
    if progress:
        print(file=sys.stderr)
    non_compliant = bool(getattr(args, "non_compliant", False))
    if args.format == "json":
        sys.stdout.write(json.dumps(org_json(org, non_compliant_only=non_compliant),
                                    indent=2) + "\n")
    elif args.format == "csv":
        sys.stdout.write(org_csv(org, non_compliant_only=non_compliant))
    else:
        render_table(org, console=Console())
    if args.format != "table":
        for a in org.accounts:
            if a.error:
                print(f"mfa-tui: {a.account.id} ({a.account.name}): {a.error}", file=sys.stderr)
            elif a.inventory is not None:
                for problem in a.inventory.problems:
                    print(f"mfa-tui: warning: {a.account.id}: {problem}", file=sys.stderr)
    return org.exit_code
