"""The demo organization: the demo account manages a few member accounts in different states.

Fixed account ids and users (the same every run). ``example-corp-sandbox``'s role cannot be
assumed: the demo server refuses that AssumeRole (demo/refusals.py), as AWS does when the role
is missing or does not trust the management account. One more account is suspended (closed),
so it is not an ACTIVE account and organization mode leaves it out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mfa_tui.demo.identity import DEMO_ACCOUNT, DEMO_REGION

#: name -> fixed account id of each member account.
MEMBERS = {
    "example-corp-dev": "210987654321",
    "example-corp-staging": "345678901234",
    "example-corp-data": "456789012345",
    "example-corp-sandbox": "567890123456",
    "example-corp-legacy": "678901234567",
}
#: The member account whose role the demo server refuses to let anyone assume.
UNASSUMABLE = frozenset({MEMBERS["example-corp-sandbox"]})
#: Closed: SUSPENDED, not read by organization mode.
SUSPENDED = MEMBERS["example-corp-legacy"]

# (user, console, last sign-in days or None, devices, access keys, enforced)
_Cast = list[tuple[str, bool, int | None, tuple[str, ...], int, bool]]
_CASTS: dict[str, _Cast] = {
    "example-corp-dev": [
        ("dev.lead", True, 0, ("virtual",), 1, False),
        ("kai.ito", True, 2, (), 1, False),
        ("lena.berg", True, 15, (), 0, False),
        ("mateo.diaz", True, 1, ("virtual",), 0, False),
        ("nadia.sato", True, None, (), 0, False),
        ("build-agent", False, None, (), 1, False),
        ("omar.xu", True, 40, ("hardware",), 0, False),
    ],
    "example-corp-staging": [
        ("qa.priya", True, 3, ("virtual",), 0, True),
        ("qa.rosa", True, 9, ("virtual",), 0, True),
        ("release-bot", False, None, (), 1, False),
    ],
    "example-corp-data": [
        ("analyst.sven", True, 1, (), 0, False),
        ("analyst.uma", True, 6, ("virtual",), 0, False),
        ("etl-runner", False, None, (), 2, False),
        ("vera.lind", True, 120, (), 1, True),
    ],
    "example-corp-sandbox": [("tinker", True, 4, (), 0, False)],
}


def seed_organization(now: datetime, seeder: Any) -> None:
    """The organization (two OUs), its member accounts with fixed ids, and their users.

    ``seeder(backend, now, account)`` makes the account's user seeder (demo/account.py).
    SCPs are left disabled on the root, as on a new organization: `scp plan` enables them.
    """
    from moto.iam.models import iam_backends
    from moto.organizations.models import organizations_backends

    orgs = organizations_backends[DEMO_ACCOUNT]["aws"]
    orgs.create_organization(region=DEMO_REGION, FeatureSet="ALL")
    assert orgs.org is not None
    orgs.org.id = "o-exmpl2026ab"
    orgs.accounts[0].name = "example-corp-prod"  # the management account (moto: "master")
    root = orgs.list_roots()["Roots"][0]["Id"]
    for name in ("Workloads", "Sandbox"):
        orgs.create_organizational_unit(ParentId=root, Name=name)
    for name, account_id in MEMBERS.items():
        orgs.create_account(AccountName=name, Email=f"aws+{name}@example.com")
        orgs.accounts[-1].id = account_id  # fixed ids: the same organization every run
        if account_id == SUSPENDED:
            orgs.accounts[-1].status = "SUSPENDED"
    for name, cast in _CASTS.items():
        account_id = MEMBERS[name]
        backend = iam_backends[account_id]["global"]
        backend.create_account_alias(name)
        s = seeder(backend, now, account_id)
        if any(enforced for *_, enforced in cast):
            s.create_enforcement_policy()
        for user, console, login, devices, keys, enforced in cast:
            s.user(user, console=console, last_login_days=login, devices=devices, keys=keys,
                   key_used_days=1 if keys else None, enforced=enforced)
