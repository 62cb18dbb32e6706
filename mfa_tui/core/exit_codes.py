"""Every exit code mfa-tui returns, in one table (README.md, "Commands").

In core/ rather than commands/: the TUI's enrollment outcome and a run's result map to these
too, and both sit below commands/ in the layers.
"""

from __future__ import annotations

OK = 0
#: check: the user is not compliant; report --exit-code: some user is not.
NOT_COMPLIANT = 1
#: apply/undo/scp apply: some steps failed (the journal has them); org report: some accounts
#: could not be read; lint: findings.
SOME_FAILED = 1
#: enroll: the user cancelled.
CANCELLED = 1
#: lint: findings.
FINDINGS = 1
#: a sentence on stderr: bad input, no such user or run, a blocker, AWS refused, unreachable.
ERROR = 2
