"""Non-interactive commands: each takes a connection and returns an exit code."""
