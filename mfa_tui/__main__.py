"""`python -m mfa_tui`: the same as the `mfa-tui` command."""

import sys

from .launch import main

sys.exit(main())
