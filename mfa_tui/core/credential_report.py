"""Parse the IAM credential report (CSV) defensively.

One odd row never breaks the whole table: rows that cannot be read are returned as
problems, not raised. User names may hold any character IAM allows (``+=,.@-_``) and the
csv module takes care of quoting.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
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


def _split_rows(content: str) -> Iterator[list[str]]:
    """The CSV's rows: a plain split for the usual unquoted line, the csv module otherwise
    (a name with a comma, when the producer quotes it). No field holds a line break."""
    for line in content.splitlines():
        if not line:
            yield []  # a blank line, as the csv module gives it (skipped, not a problem)
        else:
            yield next(csv.reader([line])) if '"' in line else line.split(",")


def parse_credential_report(content: str | bytes) -> tuple[list[ReportRow], list[str]]:
    """Rows for every IAM user in the report, and a sentence for each row that was skipped."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    lines = _split_rows(content)
    header = next(lines, [])
    width = len(header)
    column = {name: i for i, name in enumerate(header)}
    required = ("user", "arn", "password_enabled", "mfa_active")
    if not all(name in column for name in required):
        return [], ["The credential report has no header row that IAM.5 can use."]
    # Index lookups, not a dict per row: 5,000 rows are on the way to the first paint.
    i_user, i_arn, i_pw, i_mfa = (column[name] for name in required)
    i_created = column.get("user_creation_time")
    i_last = column.get("password_last_used")
    keys = [(column.get(f"access_key_{n}_active"), column.get(f"access_key_{n}_last_used_date"))
            for n in (1, 2)]

    def field(fields: list[str], index: int | None) -> str | None:
        return fields[index] if index is not None else None

    rows: list[ReportRow] = []
    problems: list[str] = []
    for line_no, fields in enumerate(lines, start=2):
        if len(fields) > width:
            fields = _rejoin_name(fields, width)
        if not fields:
            continue
        name = fields[i_user].strip()
        if name == ROOT_ROW:
            continue
        if len(fields) != width or not name or not fields[i_arn].strip().startswith("arn:"):
            problems.append(f"Credential report line {line_no} could not be read; skipped.")
            continue
        last_used = [parse_timestamp(field(fields, used)) for _, used in keys]
        rows.append(
            ReportRow(
                user=name,
                arn=fields[i_arn].strip(),
                created=parse_timestamp(field(fields, i_created)),
                password_enabled=_flag(fields[i_pw]),
                password_last_used=parse_timestamp(field(fields, i_last)),
                mfa_active=_flag(fields[i_mfa]),
                access_keys_active=sum(_flag(field(fields, active)) for active, _ in keys),
                access_key_last_used=max((d for d in last_used if d), default=None),
            )
        )
    return rows, problems


def root_mfa(content: str | bytes) -> bool | None:
    """The ``<root_account>`` row's ``mfa_active`` (None: no such row, e.g. on moto)."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    if ROOT_ROW not in content:
        return None
    lines = _split_rows(content)
    header = next(lines, [])
    if "mfa_active" not in header or "user" not in header:
        return None
    i_user, i_mfa = header.index("user"), header.index("mfa_active")
    for fields in lines:
        if len(fields) == len(header) and fields[i_user].strip() == ROOT_ROW:
            return _flag(fields[i_mfa])
    return None
