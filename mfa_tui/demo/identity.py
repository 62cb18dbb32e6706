"""Who the demo account is: its id, region and the dummy credentials that reach it.

Imported by the server (demo/server.py), the seeding (demo/account.py) and the connection
(engine/connect.py), so neither of the first two imports the other's module for them.
"""

from __future__ import annotations

DEMO_ACCOUNT = "123456789012"
DEMO_REGION = "us-east-1"
# Dummy credentials: moto accepts anything; these never leave the machine.
DEMO_ACCESS_KEY_ID = "testing"
DEMO_SECRET_ACCESS_KEY = "testing"
