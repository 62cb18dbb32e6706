"""Errors whose message is already the one sentence a user reads (pure: no I/O)."""

from __future__ import annotations


class Explained(Exception):
    """An error whose ``str()`` is the one sentence for the user: what failed and what to do.

    ``aws.errors.explain`` passes these through unchanged; nothing secret goes in the message.
    """
