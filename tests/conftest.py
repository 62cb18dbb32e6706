"""Shared test harness: real parts (moto server, keyrings, tmux, a QR decoder)."""

pytest_plugins = [
    "tests.fixtures.moto_server",
    "tests.fixtures.keyrings",
    "tests.fixtures.terminal",
]
