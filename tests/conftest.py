"""Shared test harness: real parts (moto server, keyrings, tmux, a QR decoder)."""

pytest_plugins = [
    "tests.fixtures.moto_server",
    "tests.fixtures.keyrings",
    "tests.fixtures.terminal",
    "tests.profile_helpers",  # any_keyring: the file keyring and the Secret Service
]
