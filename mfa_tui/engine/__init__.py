"""Orchestration with no UI: connections, plan inputs, apply/undo runs and resume, prefetch."""
