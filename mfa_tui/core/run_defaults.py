"""Defaults of an enforcement run that the argument parser shows, in a module of their own:
building the parser for `mfa-tui check` must not load the run models."""

from __future__ import annotations

#: Calls in flight at once during apply / undo.
DEFAULT_RUN_WORKERS = 10
