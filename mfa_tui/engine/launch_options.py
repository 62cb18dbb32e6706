"""The argv pre-parse of a plain TUI launch: stdlib only, so the console script stays cheap.

Shared by the console script (which starts the prefetch helper) and the helper itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

#: The global options a plain TUI launch may carry, and their GlobalOptions fields.
OPTIONS = {"--profile": "profile", "--region": "region", "--endpoint-url": "endpoint_url"}


def plain_tui_options(argv: Sequence[str]) -> dict[str, str | None] | None:
    """The options of a launch that opens the TUI on AWS, or None for anything else.

    Conservative: a command, ``--demo``, ``--help``, an abbreviation or a mistake gives None
    (the full parser then deals with it, and nothing is prefetched).
    """
    found: dict[str, str | None] = {"profile": os.environ.get("MFA_TUI_PROFILE") or None,
                                    "region": None, "endpoint_url": None}
    args = list(argv)
    while args:
        name, equals, value = args.pop(0).partition("=")
        if name not in OPTIONS:
            return None
        if not equals:
            if not args or args[0].startswith("-"):
                return None
            value = args.pop(0)
        found[OPTIONS[name]] = value or None
    return found
