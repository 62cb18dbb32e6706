"""Parse the IAM credential report (CSV) defensively.

One odd row never breaks the whole table: rows that cannot be read are returned as
problems, not raised. User names may hold any character IAM allows (``+=,.@-_``) and the
csv module takes care of quoting.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any

from mfa_tui.core.models import built

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
    if not value or not value[0].isdigit():  # N/A, no_information, not_supported
        return None
    try:
        return datetime.fromisoformat(value)  # Python 3.11 reads a "Z" suffix too
    except ValueError:
        return None


def _flag(value: str | None) -> bool:
    if value == "true" or value == "false":  # as AWS writes them: no strip() and lower()
        return value == "true"
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


def _picker(column: dict[str, int], names: tuple[str, ...]) -> Callable[[list[str]], Any]:
    """A function giving a row's fields of ``names`` in that order (None for a column the
    header lacks), for a row as wide as the header."""
    indexes = [column.get(name) for name in names]
    get = itemgetter(*(i for i in indexes if i is not None))
    if None not in indexes:
        return get

    def pick(fields: list[str]) -> tuple[str | None, ...]:
        found = iter(get(fields))
        return tuple(None if i is None else next(found) for i in indexes)
    return pick


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
    # One itemgetter per row, not a dict: 5,000 rows are on the way to the first paint.
    i_user = column["user"]
    pick = _picker(column, (*required, "user_creation_time", "password_last_used",
                            "access_key_1_active", "access_key_1_last_used_date",
                            "access_key_2_active", "access_key_2_last_used_date"))
    rows: list[ReportRow] = []
    problems: list[str] = []
    for line_no, fields in enumerate(lines, start=2):
        if len(fields) > width:
            fields = _rejoin_name(fields, width)
        if not fields:
            continue
        if len(fields) != width:
            if (fields[i_user] if i_user < len(fields) else "").strip() != ROOT_ROW:
                problems.append(f"Credential report line {line_no} could not be read; skipped.")
            continue
        name, arn, password, mfa, created, last, key1, used1, key2, used2 = pick(fields)
        name, arn = name.strip(), arn.strip()
        if name == ROOT_ROW:
            continue
        if not name or not arn.startswith("arn:"):
            problems.append(f"Credential report line {line_no} could not be read; skipped.")
            continue
        key_used = [d for d in (parse_timestamp(used1), parse_timestamp(used2)) if d]
        rows.append(built(
            ReportRow,
            user=name,
            arn=arn,
            created=parse_timestamp(created),
            password_enabled=_flag(password),
            password_last_used=parse_timestamp(last),
            mfa_active=_flag(mfa),
            access_keys_active=_flag(key1) + _flag(key2),
            access_key_last_used=max(key_used) if key_used else None,
        ))
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
