"""`--org check|plan|apply|undo --account ID`: act in one member account, through the role.

The command gets a connector to that account (the role session, or the caller's own
connection for the caller's own account) and nothing else: every read and every change of
the command happens there. An undo of a journaled run goes to the account the run was made in.
"""

from __future__ import annotations

from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.errors import AccountNeeded
from mfa_tui.engine.connect import Connector, GlobalOptions
from mfa_tui.engine.org import OrgOptions, OrgSession


def target_account(opts: GlobalOptions, command: str, account: str | None,
                   run_id: str | None = None) -> str | None:
    """The member account a command acts in: ``--account``, or for ``undo RUN_ID`` and
    ``apply --resume RUN_ID`` the run's own account; None outside organization mode (the
    caller's account). Raises a sentence when organization mode needs an account and none
    is named, or when ``--account`` is not the account the named run was made in."""
    if not opts.org:
        if account is not None:
            raise AccountNeeded(
                f"--account {account} names an account of the organization: add --org "
                f"(`mfa-tui --org {command} … --account {account}`).")
        return None
    if command in ("undo", "apply") and run_id and run_id != "latest":
        from mfa_tui.state.journal import find_run

        record = find_run(run_id)
        if record is not None and record.account:
            if account is not None and account != record.account:
                raise AccountNeeded(
                    f"Run {run_id} was made in account {record.account}, not {account}: "
                    f"it can only be finished or undone there (drop --account, or pass "
                    f"--account {record.account}).")
            return record.account
    if account is None:
        raise AccountNeeded(
            f"In organization mode `{command}` acts in one account: add --account ID "
            "(the ids are in `mfa-tui --org report`).")
    return account


def account_connector(connect: Connector, opts: GlobalOptions, account: str) -> Connector:
    """A connector to ``account`` through ``--org-role``, built on the caller's ``connect``
    (after its MFA session); the account must be an ACTIVE account of the organization."""
    made: list[OrgSession] = []

    def member() -> AwsConnection:
        if not made:
            made.append(OrgSession(connect(), OrgOptions(role=opts.org_role)))
        session = made[0]
        session.account(account)  # an ACTIVE account of this organization, or a sentence
        return session.connection(account)

    return member
