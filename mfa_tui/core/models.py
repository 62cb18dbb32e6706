"""Typed models the UI and the commands see. No botocore response dicts past the aws/ boundary."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

DeviceType = Literal["virtual", "hardware", "fido"]

_T = TypeVar("_T")


def built(cls: type[_T], **values: Any) -> _T:
    """``cls(**values)`` for a frozen dataclass, without its generated ``__init__``.

    That ``__init__`` sets each field through ``object.__setattr__``: three times slower than
    filling the instance's dict, and 5,000 report rows and users are built on the way to the
    first paint. Only for dataclasses without ``__post_init__`` or slots, and ``values`` must
    name every field (defaults are not filled in): tests/test_built_records.py checks that
    each caller gives what the constructor would.
    """
    made = object.__new__(cls)
    made.__dict__.update(values)
    return made


#: The customer-managed policy that enforces MFA (configurable; this is the default name).
DEFAULT_POLICY_NAME = "EnforceMFAPolicy"


@dataclass(frozen=True)
class MfaDevice:
    """One MFA device assigned to a user."""

    serial: str
    type: DeviceType
    enable_date: datetime | None = None


@dataclass(frozen=True)
class UserRecord:
    """Everything the inventory knows about one IAM user (IAM.5 view)."""

    user: str
    arn: str
    console_access: bool | None  # None: unknown (user newer than the credential report)
    mfa_active: bool
    mfa_devices: tuple[MfaDevice, ...] = ()
    enforcement_attached: bool = False
    enforced_via: str | None = None  # None, "user" or the name of the group
    password_last_used: datetime | None = None
    access_keys_active: int = 0
    access_key_last_used: datetime | None = None
    created: datetime | None = None
    devices_complete: bool = True  # False: MFA known from the credential report, devices not listed
    stale: bool = False  # the verdict rests on an old credential report (or none): confirm live

    @property
    def compliant(self) -> bool:
        """IAM.5: a user with a console password must have MFA.

        A user whose console access is unknown and who has no MFA counts as not compliant:
        they need a look, not a pass.
        """
        if self.console_access is None:
            return self.mfa_active
        return not self.console_access or self.mfa_active


@dataclass(frozen=True)
class Caller:
    """Who the tool is acting as."""

    account: str
    arn: str
    user_id: str = ""

    @property
    def iam_user_name(self) -> str | None:
        """The caller's IAM user name, or None when the caller is a role or root."""
        resource = self.arn.split(":", 5)[-1]
        if resource.startswith("user/"):
            return resource.rsplit("/", 1)[-1]
        return None


@dataclass(frozen=True)
class Sources:
    """When each data source was read; the UI shows their ages."""

    credential_report_generated_at: datetime | None = None
    virtual_mfa_listed_at: datetime | None = None
    users_listed_at: datetime | None = None


@dataclass(frozen=True)
class RootUser:
    """The account's root user (Security Hub IAM.9 / CIS): MFA, and whether it has credentials.

    ``mfa_active`` None: neither ``GetAccountSummary`` nor the credential report could say.
    ``has_credentials`` False: no password, access key, signing certificate or MFA device —
    a member account whose root credentials were removed (centralised root access), where
    there is nothing to sign in with and so nothing to protect with MFA.
    """

    mfa_active: bool | None = None
    has_credentials: bool | None = None
    source: str = ""  # "account summary" | "credential report" | ""

    @property
    def compliant(self) -> bool | None:
        """MFA on, or no root credentials at all; None when that cannot be told."""
        if self.mfa_active or self.has_credentials is False:
            return True
        return None if self.mfa_active is None else False


@dataclass(frozen=True)
class Inventory:
    """The account's users at one moment, plus what could not be read."""

    account: str
    caller: Caller
    generated_at: datetime
    sources: Sources
    users: tuple[UserRecord, ...]
    alias: str | None = None
    policy_name: str = DEFAULT_POLICY_NAME
    problems: tuple[str, ...] = field(default=())
    #: Painted from the credential report alone while the fresh lists are still being read.
    provisional: bool = False
    #: The root user; None until it has been read (a provisional table does not wait for it).
    root: RootUser | None = None

    @property
    def as_of(self) -> datetime:
        """When the data describes the account: the report's time for a provisional table."""
        if self.provisional and self.sources.credential_report_generated_at is not None:
            return self.sources.credential_report_generated_at
        return self.generated_at

    @property
    def console_users(self) -> int:
        """Users with a console password."""
        return sum(1 for u in self.users if u.console_access)

    @property
    def non_compliant(self) -> int:
        """Users failing IAM.5."""
        return sum(1 for u in self.users if not u.compliant)

    @property
    def stale_users(self) -> int:
        """Users whose verdict rests on an old credential report (opening one confirms it)."""
        return sum(1 for u in self.users if u.stale)

    def with_user(self, record: UserRecord) -> Inventory:
        """A copy with one user's record replaced (or added)."""
        users = [u for u in self.users if u.user != record.user]
        users.append(record)
        users.sort(key=lambda u: u.user)
        return replace(self, users=tuple(users))

    def get(self, name: str) -> UserRecord | None:
        """The record of one user by exact name."""
        for record in self.users:
            if record.user == name:
                return record
        return None
