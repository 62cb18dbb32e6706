"""Parse the IAM credential report (CSV) defensively.

One odd row never breaks the whole table: rows that cannot be read are returned as
problems, not raised. User names may hold any character IAM allows (``+=,.@-_``) and the
csv module takes care of quoting.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

ROOT_ROW = "<root_account>"


@dataclass(frozen=True)
class ReportRow:
    """The fields of one credential-report row that IAM.5 needs."""

    user: str
    arn: str
    created: datetime | None
    password_enabled: bool
    password_last_used: datetime | None
    mfa_active: bool
    access_keys_active: int
    access_key_last_used: datetime | None


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO-8601 report timestamp, or None for ``N/A``, ``no_information``, etc."""
    if not value or value in {"N/A", "no_information", "not_supported"}:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _rejoin_name(fields: list[str], width: int) -> list[str]:
    """Mend a row whose user name held an unquoted comma (IAM allows ``,`` in names).

    Some producers (moto among them) do not quote the name, so the name and the ARN (which
    ends with the name) spill into extra fields. Find the split where the ARN ends with
    ``/NAME`` and the remaining fields fit the header exactly.
    """
    if len(fields) <= width:
        return fields
    for i in range(1, len(fields)):
        name = ",".join(fields[:i])
        for j in range(i + 1, len(fields) + 1):
            arn = ",".join(fields[i:j])
            if arn.startswith("arn:") and arn.endswith("/" + name) and len(fields) - j == width - 2:
                return [name, arn, *fields[j:]]
    return fields


def parse_credential_report(content: str | bytes) -> tuple[list[ReportRow], list[str]]:
    """Rows for every IAM user in the report, and a sentence for each row that was skipped."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    lines = list(csv.reader(io.StringIO(content)))
    rows: list[ReportRow] = []
    problems: list[str] = []
    header = lines[0] if lines else []
    required = {"user", "arn", "password_enabled", "mfa_active"}
    if not required.issubset(header):
        return [], ["The credential report has no header row that IAM.5 can use."]
    for line_no, fields in enumerate(lines[1:], start=2):
        fields = _rejoin_name(fields, len(header))
        raw = dict(zip(header, fields, strict=False))
        name = (raw.get("user") or "").strip()
        if name == ROOT_ROW or not fields:
            continue
        arn = (raw.get("arn") or "").strip()
        if not name or not arn.startswith("arn:") or len(fields) != len(header):
            problems.append(f"Credential report line {line_no} could not be read; skipped.")
            continue
        last_used = [
            parse_timestamp(raw.get(f"access_key_{n}_last_used_date")) for n in (1, 2)
        ]
        rows.append(
            ReportRow(
                user=name,
                arn=arn,
                created=parse_timestamp(raw.get("user_creation_time")),
                password_enabled=_flag(raw.get("password_enabled")),
                password_last_used=parse_timestamp(raw.get("password_last_used")),
                mfa_active=_flag(raw.get("mfa_active")),
                access_keys_active=sum(
                    _flag(raw.get(f"access_key_{n}_active")) for n in (1, 2)
                ),
                access_key_last_used=max((d for d in last_used if d), default=None),
            )
        )
    return rows, problems
