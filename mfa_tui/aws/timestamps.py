"""A fast timestamp parser for botocore responses.

botocore parses every timestamp with dateutil; at 5,000 users that was two thirds of the
client's CPU in `load_inventory` (benchmarks/README.md). AWS sends ISO-8601, which
`datetime.fromisoformat` reads directly; anything else falls back to botocore's parser.
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value: str | int | float) -> datetime:
    """ISO-8601 via ``datetime.fromisoformat`` (UTC when naive); botocore's parser otherwise."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    from botocore.utils import parse_timestamp as slow_parse

    result: datetime = slow_parse(value)  # epoch seconds, RFC 822, ...
    return result
