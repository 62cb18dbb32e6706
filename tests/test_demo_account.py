"""The demo account holds every state IAM.5 cares about, and the inventory classifies each right.

Runs the real inventory code against the harness's moto server; the demo seeds moto's
in-process backend, which that server (in this same process) serves.
"""

from __future__ import annotations

import pytest

from mfa_tui.aws.inventory import live_user, load_inventory
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.models import Inventory
from mfa_tui.demo.account import seed_account


@pytest.fixture
def demo_inventory(moto) -> Inventory:
    seed_account(60)
    return load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))


def test_every_state_is_present_and_classified(demo_inventory: Inventory) -> None:
    inv = demo_inventory
    get = inv.get
    assert len(inv.users) == 60 and inv.problems == ()
    alice, bob, carol, ci, dave = (get(n) for n in ("alice", "bob", "carol", "ci-deploy", "dave"))
    assert alice and alice.console_access and alice.mfa_active and alice.compliant
    assert [d.type for d in alice.mfa_devices] == ["virtual"]
    assert bob and bob.console_access and not bob.mfa_active and not bob.compliant
    assert carol and carol.console_access is False and carol.mfa_active and carol.compliant
    assert ci and ci.console_access is False and ci.access_keys_active == 1 and ci.compliant
    # dave's device was deactivated: he fails IAM.5 even though a device named for him exists.
    assert dave and not dave.mfa_active and not dave.compliant
    erin = get("erin")
    assert erin and erin.compliant and "virtual" in [d.type for d in erin.mfa_devices]
    # frank's hardware token is known from the credential report; its serial is not listed
    # without one call a user (see the exact test below), and the record says so.
    frank = get("frank")
    assert frank and frank.mfa_active and frank.compliant and not frank.devices_complete
    heidi = get("heidi")
    assert heidi and heidi.enforcement_attached and heidi.enforced_via == "user"
    assert bob.enforcement_attached and bob.enforced_via == "Developers"
    breakglass = get("admin.breakglass")
    assert breakglass and breakglass.compliant


def test_live_lookup_sees_every_device_of_a_two_device_user(moto) -> None:
    # The bulk sources only name virtual devices; a user's FIDO key beside a virtual device
    # shows when the user is confirmed live (detail view, `check`).
    seed_account(20)
    live = live_user(moto.client("iam"), "erin")
    assert live.console_access is True
    assert sorted(d.type for d in live.devices) == ["fido", "virtual"]


def test_exact_lists_hardware_devices_the_report_only_counts(moto) -> None:
    seed_account(20)
    moto.faults.clear_requests()
    inv = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)), exact=True)
    # One call per such user: console access is already in the report.
    assert moto.faults.count("GetLoginProfile") == 0
    non_virtual = [u for u in inv.users if u.mfa_devices and not any(
        d.type == "virtual" for d in u.mfa_devices)]
    assert moto.faults.count("ListMFADevices") == len(non_virtual) > 0
    frank = inv.get("frank")
    assert frank and [d.type for d in frank.mfa_devices] == ["hardware"]
    assert frank.devices_complete and frank.compliant
    assert all(u.devices_complete for u in inv.users)


def test_names_with_every_allowed_character_round_trip(demo_inventory: Inventory) -> None:
    names = {u.user for u in demo_inventory.users}
    assert {"jane.doe@example.com", "ops+oncall", "svc=report,eu", "x_y-z.test"} <= names
    svc = demo_inventory.get("svc=report,eu")
    assert svc and svc.access_keys_active == 1 and svc.console_access is False


def test_counts_match_the_rows(demo_inventory: Inventory) -> None:
    inv = demo_inventory
    assert inv.non_compliant == sum(1 for u in inv.users if u.console_access and not u.mfa_active)
    assert inv.alias == "example-corp-prod"
    assert inv.caller.account == "123456789012"


def test_same_account_every_run(moto) -> None:
    seed_account(80)
    first = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    moto.reset()
    seed_account(80)
    second = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    shape = [(u.user, u.console_access, u.mfa_active, u.enforcement_attached)
             for u in first.users]
    assert shape == [(u.user, u.console_access, u.mfa_active, u.enforcement_attached)
                     for u in second.users]


def test_scales_to_the_iam_user_quota(moto) -> None:
    seed_account(5000)
    iam = moto.client("iam")
    users = [u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
    assert len(users) == 5000


def test_verdicts_resting_on_an_old_report_are_marked_stale(demo_inventory: Inventory) -> None:
    # moto always dates its credential report 2015-02-02: older than AWS's 4-hour window.
    inv = demo_inventory
    report_time = inv.sources.credential_report_generated_at
    assert report_time is not None and report_time.year == 2015
    alice, bob, ci = inv.get("alice"), inv.get("bob"), inv.get("ci-deploy")
    assert alice and not alice.stale  # her virtual device was listed fresh
    assert bob and bob.stale  # "console, no MFA" comes from the old report only
    assert ci and ci.stale  # "no console" too: a password may have been added since
    assert inv.stale_users == sum(1 for u in inv.users if not any(
        d.type == "virtual" for d in u.mfa_devices))
