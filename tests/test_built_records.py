"""The hot paths that build records without the dataclass constructor (models.built) give
exactly what the constructor gives: every field, the same values, equal and hashable."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from mfa_tui.core.credential_report import ReportRow, parse_credential_report
from mfa_tui.core.inventory_merge import Attachments, report_users
from mfa_tui.core.models import UserRecord
from tests.test_credential_report import HEADER


def _every_field(record: object) -> None:
    names = {f.name for f in dataclasses.fields(record)}  # type: ignore[arg-type]
    assert set(vars(record)) == names


def _line(*cells: str) -> str:
    return ",".join(cells)


def _cells(name: str, *, created: str, password: str, last: str, mfa: str,
           key1: str, used1: str, key2: str, used2: str) -> str:
    return _line(name, f"arn:aws:iam::123456789012:user/{name}", created, password, last,
                 "N/A", "N/A", mfa, key1, "N/A", used1, "N/A", "N/A",
                 key2, "N/A", used2, "N/A", "N/A", "false", "N/A", "false", "N/A")


def test_report_rows_are_what_the_constructor_gives() -> None:
    content = "\n".join([
        HEADER,
        _cells("two.keys", created="2026-01-01T00:00:00Z", password="true",
               last="2026-11-29T10:00:00+00:00", mfa="true", key1="true",
               used1="2026-11-20T00:00:00+00:00", key2="true", used2="2026-11-25T08:00:00Z"),
        _cells("odd.flags", created="2026-01-01T00:00:00+00:00", password=" TRUE ",
               last="no_information", mfa="False", key1="false", used1="N/A", key2="true",
               used2="not_supported"),
    ])
    rows, problems = parse_credential_report(content)
    assert problems == []
    when = datetime(2026, 11, 25, 8, tzinfo=UTC)
    expected = [
        ReportRow(user="two.keys", arn="arn:aws:iam::123456789012:user/two.keys",
                  created=datetime(2026, 1, 1, tzinfo=UTC), password_enabled=True,
                  password_last_used=datetime(2026, 11, 29, 10, tzinfo=UTC), mfa_active=True,
                  access_keys_active=2, access_key_last_used=when),
        ReportRow(user="odd.flags", arn="arn:aws:iam::123456789012:user/odd.flags",
                  created=datetime(2026, 1, 1, tzinfo=UTC), password_enabled=True,
                  password_last_used=None, mfa_active=False, access_keys_active=1,
                  access_key_last_used=None),
    ]
    assert rows == expected
    for got in rows:
        _every_field(got)
        assert type(got.access_keys_active) is int
        assert hash(got) == hash(expected[rows.index(got)])
        with pytest.raises(dataclasses.FrozenInstanceError):
            got.user = "changed"  # type: ignore[misc]


def test_a_header_without_the_optional_columns_still_reads() -> None:
    content = "user,arn,password_enabled,mfa_active\nbob,arn:aws:iam::1:user/bob,true,false\n"
    rows, problems = parse_credential_report(content)
    assert problems == []
    assert rows == [ReportRow(user="bob", arn="arn:aws:iam::1:user/bob", created=None,
                              password_enabled=True, password_last_used=None,
                              mfa_active=False, access_keys_active=0,
                              access_key_last_used=None)]
    _every_field(rows[0])


def test_a_short_row_is_a_problem_and_a_short_root_row_is_skipped() -> None:
    content = "\n".join([HEADER, "<root_account>,arn:aws:iam::1:root,N/A", "short,row"])
    rows, problems = parse_credential_report(content)
    assert rows == []
    assert problems == ["Credential report line 3 could not be read; skipped."]


def test_report_users_are_what_the_constructor_gives() -> None:
    rows, _ = parse_credential_report("\n".join([
        HEADER,
        _cells("zed", created="2026-01-01T00:00:00Z", password="true", last="N/A",
               mfa="false", key1="true", used1="2026-11-20T00:00:00Z", key2="false",
               used2="N/A"),
        _cells("amy", created="2026-02-01T00:00:00Z", password="false", last="N/A",
               mfa="true", key1="false", used1="N/A", key2="false", used2="N/A"),
    ]))
    attachments = Attachments(users=frozenset({"zed"}), groups={"Devs": frozenset({"amy"})})
    got = report_users(rows, attachments, report_is_old=True)
    by_row = {r.user: r for r in rows}
    expected = tuple(
        UserRecord(user=name, arn=by_row[name].arn, console_access=by_row[name].password_enabled,
                   mfa_active=by_row[name].mfa_active, enforcement_attached=True,
                   enforced_via=via, password_last_used=by_row[name].password_last_used,
                   access_keys_active=by_row[name].access_keys_active,
                   access_key_last_used=by_row[name].access_key_last_used,
                   created=by_row[name].created, devices_complete=not by_row[name].mfa_active,
                   stale=True)
        for name, via in (("amy", "Devs"), ("zed", "user")))
    assert got == expected
    for record in got:
        _every_field(record)
    assert {hash(r) for r in got} == {hash(r) for r in expected}
