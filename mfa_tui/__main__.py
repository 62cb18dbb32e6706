"""`python -m mfa_tui`: the same as the `mfa-tui` command."""

import sys

from mfa_tui.launch import main

sys.exit(main())
