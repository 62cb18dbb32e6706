"""The root user's MFA from what AWS says about it (pure): the account summary, else the
credential report's ``<root_account>`` row."""

from __future__ import annotations

from collections.abc import Mapping

from mfa_tui.core.models import RootUser

#: GetAccountSummary keys that say the root user has some credential (1) or not (0).
_CREDENTIAL_KEYS = ("AccountPasswordPresent", "AccountAccessKeysPresent",
                    "AccountSigningCertificatesPresent", "AccountMFAEnabled")


def root_user(summary: Mapping[str, int] | None, report_mfa: bool | None) -> RootUser:
    """The root user from ``GetAccountSummary``'s ``SummaryMap`` (live; None when it could not
    be read) and the credential report's ``<root_account>`` ``mfa_active`` (None: no such row,
    as on moto, or no report)."""
    if summary is not None and "AccountMFAEnabled" in summary:
        mfa = bool(summary["AccountMFAEnabled"])
        credentials: bool | None = None
        if all(key in summary for key in _CREDENTIAL_KEYS):
            credentials = any(summary[key] for key in _CREDENTIAL_KEYS)
        return RootUser(mfa_active=mfa, has_credentials=credentials, source="account summary")
    if report_mfa is not None:
        return RootUser(mfa_active=report_mfa, source="credential report")
    return RootUser()


def root_text(root: RootUser | None) -> str:
    """A few words for the header and the table report: ``root MFA ✓`` and friends."""
    if root is None:
        return "root …"
    if root.mfa_active:
        return "root MFA ✓"
    if root.has_credentials is False:
        return "root: no credentials"
    if root.mfa_active is False:
        return "root MFA ✗"
    return "root MFA ?"
