"""`mfa-tui lint FILE [--scp]`: check a policy document for MFA-enforcement pitfalls, offline.

Exit 0 when clean, 1 with findings (invalid JSON included), 2 when the input cannot be read
or is not UTF-8 text (from a file or from stdin alike).
No AWS connection is made.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from mfa_tui.core.policy_lint import (
    SCP_MAX_CHARS,
    Finding,
    Kind,
    lint_text,
    policy_size,
    scp_size,
)
from mfa_tui.core.policy_templates import MANAGED_POLICY_MAX_CHARS

if TYPE_CHECKING:
    from mfa_tui.engine.connect import Connector

from mfa_tui.core.exit_codes import ERROR as EXIT_UNREADABLE
from mfa_tui.core.exit_codes import FINDINGS as EXIT_FINDINGS
from mfa_tui.core.exit_codes import OK as EXIT_CLEAN

_STYLES = {"error": "bold red", "warning": "yellow"}


def main(args: argparse.Namespace, connect: Connector) -> int:
    """`mfa-tui lint FILE [--scp]` (``connect`` is unused: linting is offline)."""
    kind: Kind = "scp" if args.scp else "identity"
    name = "<stdin>" if args.file == "-" else args.file
    try:
        text = _read_stdin() if args.file == "-" else _read(args.file)
    except UnicodeDecodeError as exc:
        print(f"mfa-tui: cannot read {name}: it is not UTF-8 text (byte "
              f"{exc.object[exc.start]:#04x} at offset {exc.start}).", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"mfa-tui: cannot read {name}: {exc.strerror or exc}.", file=sys.stderr)
        return EXIT_UNREADABLE
    findings = lint_text(text, kind)
    print_findings(name, kind, text, findings, Console(highlight=False))
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _read_stdin() -> str:
    # The bytes, decoded strictly: sys.stdin's own decoding may be lenient (surrogateescape
    # under a C locale), which would lint garbage instead of saying the input is not text.
    return sys.stdin.buffer.read().decode("utf-8-sig")


def _read(path: str) -> str:
    with open(path, encoding="utf-8-sig") as handle:  # -sig: editors on Windows add a BOM
        return handle.read()


def print_findings(name: str, kind: Kind, text: str, findings: list[Finding],
                   console: Console) -> None:
    """One line a finding (severity, code, sentence), or one line saying it is clean."""
    what = "service control policy" if kind == "scp" else "identity policy"
    if not findings:
        document = json.loads(text)
        if kind == "scp":  # Organizations counts the text as saved, whitespace included
            size, limit, how = scp_size(document, text), SCP_MAX_CHARS, "characters as written"
        else:
            size, limit = policy_size(document), MANAGED_POLICY_MAX_CHARS
            how = "characters without whitespace"
        console.print(Text(f"{name}: no findings ({what}, {size:,} of {limit:,} {how})."),
                      soft_wrap=True)
        return
    errors = sum(f.severity == "error" for f in findings)
    console.print(Text(f"{name} ({what}): {errors} error(s), "
                       f"{len(findings) - errors} warning(s)"), soft_wrap=True)
    for finding in findings:
        line = Text(f"  {finding.severity:<7} ", style=_STYLES[finding.severity])
        line.append(f"{finding.code}: ", style="bold")
        line.append(finding.message)
        console.print(line, soft_wrap=True)
