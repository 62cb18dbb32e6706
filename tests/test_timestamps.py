"""The fast timestamp parser reads what AWS sends exactly as botocore's own would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.utils import parse_timestamp as botocore_parse

from mfa_tui.aws.timestamps import parse_timestamp


@pytest.mark.parametrize("value", [
    "2026-11-30T09:27:51Z", "2026-11-30T09:27:51.123Z", "2026-11-30T09:27:51+00:00",
    "2015-02-02T20:02:02+09:00",
])
def test_iso_forms_match_botocore(value: str) -> None:
    ours = parse_timestamp(value)
    assert ours.tzinfo is not None
    assert ours == botocore_parse(value)


def test_a_naive_time_is_read_as_utc_so_every_date_compares() -> None:
    # botocore returns a naive datetime here; mixing naive and aware dates raises TypeError.
    assert parse_timestamp("2026-11-30T09:27:51") == datetime(2026, 11, 30, 9, 27, 51, tzinfo=UTC)


def test_other_forms_fall_back_to_botocore() -> None:
    assert parse_timestamp("Mon, 30 Nov 2026 09:27:51 GMT") == datetime(2026, 11, 30, 9, 27, 51,
                                                                          tzinfo=UTC)
    assert parse_timestamp(0) == datetime(1970, 1, 1, tzinfo=UTC)
