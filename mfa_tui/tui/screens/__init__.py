"""Screens of the TUI: they draw models and dispatch; AWS work runs in workers."""
