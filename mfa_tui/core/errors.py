"""Errors whose message is already the one sentence a user reads (pure: no I/O).

Every user-facing failure is an ``Explained`` subclass: commands print it and exit 2, the TUI's
one worker-error handler shows it; a new failure is a new subclass here."""

from __future__ import annotations


class Explained(Exception):
    """An error whose ``str()`` is the one sentence for the user: what failed and what to do.

    ``aws.errors.explain`` passes these through unchanged; nothing secret goes in the message.
    """


class EnrollError(Explained):
    """A failure, as one sentence for the user. ``retry``: the same device may be tried again
    (new codes, or a few seconds later); otherwise the attempt is over."""

    def __init__(self, message: str, *, code: str = "", retry: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.retry = retry


class NoSuchUser(Explained):
    """The account has no IAM user of that name."""

    def __init__(self, name: str, account: str | None = None) -> None:
        self.name = name
        where = f"account {account}" if account else "this account"
        super().__init__(
            f"There is no IAM user named '{name}' in {where}: check the spelling "
            "(the user name, not the ARN), or list the users with `mfa-tui report`."
        )


class NotInOrganization(Explained):
    """The account is not a member of an organization."""

    def __init__(self) -> None:
        super().__init__(
            "This account is not in an AWS Organization: SCPs need one. Use the identity "
            "policy instead (`mfa-tui plan` / `apply`), or create an organization first."
        )


class NoSuchRun(Explained):
    """``undo RUN_ID`` names no journaled apply run."""


class PlanBlocked(Explained):
    """The plan has a blocker (e.g. the caller would lock themselves out): nothing was done."""


class BadEndpointUrl(Explained):
    """``--endpoint-url`` (or ``AWS_ENDPOINT_URL``, or a profile's) is not a URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"The endpoint URL {url!r} is not a URL: give one like http://127.0.0.1:5000 "
            "(--endpoint-url, AWS_ENDPOINT_URL or the profile's endpoint), or leave it out "
            "to reach AWS itself."
        )


class UnknownUsers(Explained):
    """A selector (``--users``, ``--user``, ``--exclude``) names users the account lacks."""

    def __init__(self, names: tuple[str, ...], account: str, *, option: str = "--users") -> None:
        self.names = names
        listed = ", ".join(f"'{n}'" for n in names)
        super().__init__(
            f"No IAM user named {listed} in account {account}: check the spelling "
            f"({option} takes user names, not ARNs)."
        )


class EmptySelection(Explained):
    """``--users`` (or ``--user``) was given but names nobody: never "nothing to do"."""

    def __init__(self, given: str, option: str = "--users") -> None:
        super().__init__(
            f"{option} {given!r} names no user: give user names separated by commas, or "
            "--user NAME (repeatable) for a name that holds a comma; for every console user "
            "without MFA, leave the selector out."
        )
class OrgModeUnavailable(Explained):
    """``--org`` needs the caller to see an organization's accounts."""


class NoSuchAccount(Explained):
    """``--accounts`` / ``--account`` names an account that is not an ACTIVE member."""

    def __init__(self, ids: list[str], organization: str) -> None:
        self.ids = ids
        super().__init__(
            f"{'Accounts' if len(ids) > 1 else 'Account'} {', '.join(ids)} "
            f"{'are' if len(ids) > 1 else 'is'} not an ACTIVE account of organization "
            f"{organization}: check the id (12 digits), or list the accounts with "
            "`mfa-tui --org report`."
        )


class AssumeRoleFailed(Explained):
    """Organization mode: the role could not be assumed in one member account."""


class AccountNeeded(Explained):
    """``--account`` without ``--org``, or organization mode and no account named."""
