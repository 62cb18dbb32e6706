"""The embedded demo account: moto's server on loopback, seeded with a fictional account.

Only the command line knows about the demo: it starts the server and hands the rest of the
program an endpoint URL and dummy credentials, so every real code path runs unchanged.
"""

from mfa_tui.demo.server import DemoServer, start_demo

__all__ = ["DemoServer", "start_demo"]
