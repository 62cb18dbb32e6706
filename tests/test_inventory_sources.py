"""aws/inventory.py at the edges of its sources: paging, a report still being generated or
missing, a denied source, users newer than the report.

moto ignores paging on ListUsers/ListMFADevices and never answers STARTED/INPROGRESS for the
credential report, so those cases use botocore's Stubber (offline: a stubbed client never
sends a request, and its endpoint is a dead loopback port anyway). A denied source runs
against the real moto server with the fault injector's ``access_denied`` rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from mfa_tui.aws.inventory import (
    fetch_credential_report,
    list_assigned_virtual_devices,
    list_policy_attachments,
    list_users,
    load_inventory,
    policy_arn,
    read_credential_report,
)
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.core.models import Caller
from mfa_tui.demo.account import seed_account
from tests.fixtures.moto_server import MotoServer

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
POLICY = policy_arn(ACCOUNT)


def stubbed_iam() -> tuple[Any, Stubber]:
    """An IAM client whose answers come from a Stubber; nothing is ever sent."""
    session = botocore.session.Session()
    session.set_config_variable("config_file", "/nonexistent/mfa-tui-test-config")
    session.set_config_variable("credentials_file", "/nonexistent/mfa-tui-test-credentials")
    client = session.create_client(
        "iam", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def iam_user(name: str, *, days: int = 100) -> dict[str, Any]:
    return {
        "Path": "/", "UserName": name, "UserId": f"AIDA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "CreateDate": NOW - timedelta(days=days),
    }


def iam_group(name: str) -> dict[str, Any]:
    return {
        "Path": "/", "GroupName": name, "GroupId": f"AGPA{name.upper():0<16}"[:20],
        "Arn": f"arn:aws:iam::{ACCOUNT}:group/{name}", "CreateDate": NOW,
    }


def virtual(name: str, device: str | None = None) -> dict[str, Any]:
    return {
        "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/{device or name}",
        "User": iam_user(name), "EnableDate": NOW - timedelta(days=3),
    }


REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def report_row(name: str, *, password: bool, mfa: bool, days: int = 100) -> str:
    """A report row; ``days`` ago is the creation time, as ``iam_user`` has it."""
    created = (NOW - timedelta(days=days)).isoformat()
    stamp = "2026-08-01T10:00:00+00:00"
    arn = "arn:aws:iam::123456789012:root" if name == "<root_account>" else \
        f"arn:aws:iam::{ACCOUNT}:user/{name}"
    return ",".join([
        name, arn, created, str(password).lower(), stamp if password else "N/A", stamp, "N/A",
        str(mfa).lower(), "false", "N/A", "N/A", "N/A", "N/A",
        "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A",
    ])


def report(*rows: str) -> bytes:
    return "\n".join([REPORT_HEADER, report_row("<root_account>", password=False, mfa=True),
                      *rows]).encode()


# ------------------------------------------------------------------------------ paging


def test_list_users_follows_every_page() -> None:
    """moto ignores paging on ListUsers (one page whatever MaxItems says): Stubber."""
    iam, stub = stubbed_iam()
    stub.add_response("list_users", {"Users": [iam_user("alice"), iam_user("bob")],
                                     "IsTruncated": True, "Marker": "page-2"},
                      {"MaxItems": 1000})  # full pages: 5 calls for 5,000 users, not 50
    stub.add_response("list_users", {"Users": [iam_user("carol")], "IsTruncated": False},
                      {"MaxItems": 1000, "Marker": "page-2"})

    users = list_users(iam)

    stub.assert_no_pending_responses()
    assert [u.name for u in users] == ["alice", "bob", "carol"]
    assert users[2].arn == f"arn:aws:iam::{ACCOUNT}:user/carol"


def test_virtual_devices_from_every_page_are_merged_per_user() -> None:
    """moto answers ListVirtualMFADevices in one page: Stubber, with a user on both pages."""
    iam, stub = stubbed_iam()
    first = {"AssignmentStatus": "Assigned", "MaxItems": 1000}
    stub.add_response("list_virtual_mfa_devices", {
        "VirtualMFADevices": [virtual("alice"), virtual("bob")],
        "IsTruncated": True, "Marker": "page-2"}, first)
    stub.add_response("list_virtual_mfa_devices", {
        "VirtualMFADevices": [virtual("alice", "alice-spare"), virtual("erin")],
        "IsTruncated": False}, {**first, "Marker": "page-2"})

    by_user = list_assigned_virtual_devices(iam)

    stub.assert_no_pending_responses()
    assert sorted(by_user) == ["alice", "bob", "erin"]
    assert [d.serial.rsplit("/", 1)[1] for d in by_user["alice"]] == ["alice", "alice-spare"]
    assert {d.type for devices in by_user.values() for d in devices} == {"virtual"}


def test_policy_attachments_from_every_page_with_group_members() -> None:
    """moto answers ListEntitiesForPolicy/GetGroup in one page: Stubber, two pages each."""
    iam, stub = stubbed_iam()
    stub.add_response("list_entities_for_policy", {
        "PolicyUsers": [{"UserName": "heidi", "UserId": "AIDAHEIDI00000000000"}],
        "PolicyGroups": [{"GroupName": "Developers", "GroupId": "AGPADEVELOPERS000000"}],
        "PolicyRoles": [], "IsTruncated": True, "Marker": "page-2"},
        {"PolicyArn": POLICY, "MaxItems": 1000})
    stub.add_response("list_entities_for_policy", {
        "PolicyUsers": [{"UserName": "ivan", "UserId": "AIDAIVAN000000000000"}],
        "PolicyGroups": [{"GroupName": "Ops", "GroupId": "AGPAOPS0000000000000"}],
        "PolicyRoles": [], "IsTruncated": False},
        {"PolicyArn": POLICY, "MaxItems": 1000, "Marker": "page-2"})
    stub.add_response("get_group", {"Group": iam_group("Developers"), "Users": [
        iam_user("bob")], "IsTruncated": True, "Marker": "g2"},
        {"GroupName": "Developers", "MaxItems": 1000})
    stub.add_response("get_group", {"Group": iam_group("Developers"), "Users": [
        iam_user("grace")], "IsTruncated": False},
        {"GroupName": "Developers", "MaxItems": 1000, "Marker": "g2"})
    stub.add_response("get_group", {"Group": iam_group("Ops"), "Users": [iam_user("zoe")],
                                    "IsTruncated": False}, {"GroupName": "Ops", "MaxItems": 1000})

    attached = list_policy_attachments(iam, POLICY)

    stub.assert_no_pending_responses()
    assert attached.users == {"heidi", "ivan"}
    assert attached.groups == {"Developers": {"bob", "grace"}, "Ops": {"zoe"}}
    assert [attached.via(u) for u in ("heidi", "grace", "zoe", "alice")] == [
        "user", "Developers", "Ops", None]


def test_a_policy_that_does_not_exist_yet_enforces_nothing() -> None:
    """Stubber: the NoSuchEntity answer for a policy never created (moto agrees; kept cheap)."""
    iam, stub = stubbed_iam()
    stub.add_client_error("list_entities_for_policy", "NoSuchEntity", http_status_code=404)

    attached = list_policy_attachments(iam, POLICY)

    assert attached.users == frozenset() and dict(attached.groups) == {}


# ------------------------------------------------------------------- credential report


def test_report_being_generated_is_polled_with_growing_pauses() -> None:
    """moto's report is COMPLETE at once (never STARTED/INPROGRESS): Stubber."""
    iam, stub = stubbed_iam()
    for state in ("STARTED", "INPROGRESS", "INPROGRESS", "COMPLETE"):
        stub.add_response("generate_credential_report", {"State": state}, {})
    generated = NOW - timedelta(minutes=1)
    stub.add_response("get_credential_report", {
        "Content": report(report_row("alice", password=True, mfa=True)),
        "ReportFormat": "text/csv", "GeneratedTime": generated}, {})
    pauses: list[float] = []

    rows, when, problems = fetch_credential_report(iam, sleep=pauses.append)

    stub.assert_no_pending_responses()
    assert [r.user for r in rows] == ["alice"] and when == generated and problems == []
    assert len(pauses) == 3  # one pause before each new ask: no hot loop
    assert all(b > a > 0 for a, b in pairwise(pauses))


def test_a_report_being_generated_is_said_once_while_waiting() -> None:
    """Stubber, as above: the waiting is announced at the first STARTED, not at every poll."""
    iam, stub = stubbed_iam()
    for state in ("STARTED", "INPROGRESS", "COMPLETE"):
        stub.add_response("generate_credential_report", {"State": state}, {})
    stub.add_response("get_credential_report", {
        "Content": report(report_row("alice", password=True, mfa=True)),
        "ReportFormat": "text/csv", "GeneratedTime": NOW}, {})
    told: list[float] = []
    pauses: list[float] = []

    content, _, _ = read_credential_report(iam, sleep=pauses.append,
                                           on_wait=lambda: told.append(len(pauses)))

    assert told == [0]  # once, before the first pause
    assert "alice" in content and len(pauses) == 2


class CountingReportCalls:
    """Counts GenerateCredentialReport calls on their way to the stubbed client."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self.asks = 0

    def generate_credential_report(self) -> Any:
        self.asks += 1
        return self.iam.generate_credential_report()


def test_report_that_never_finishes_gives_up_with_a_sentence() -> None:
    """moto never answers INPROGRESS: Stubber; a fake sleep stands in for the wait."""
    iam, stub = stubbed_iam()
    for _ in range(40):  # more than it may ask
        stub.add_response("generate_credential_report", {"State": "INPROGRESS"}, {})
    counting = CountingReportCalls(iam)
    pauses: list[float] = []

    rows, when, problems = fetch_credential_report(counting, sleep=pauses.append, timeout=10.0)

    assert rows == [] and when is None
    assert problems == ["The credential report is still being generated; try again soon."]
    assert counting.asks == len(pauses) + 1 < 15  # paced, bounded: not a hot loop
    assert pauses == sorted(pauses) and pauses[0] < pauses[-1] <= 2.0
    assert 10.0 <= sum(pauses) <= 12.0  # waited the timeout, and not much more


@pytest.mark.parametrize(("code", "status"), [
    ("ReportNotPresent", 410), ("ReportExpired", 410), ("ReportInProgress", 404)])
def test_report_not_present_or_expired_is_a_sentence(code: str, status: int) -> None:
    """moto always has a report to give: Stubber for GetCredentialReport's error codes."""
    iam, stub = stubbed_iam()
    stub.add_response("generate_credential_report", {"State": "COMPLETE"}, {})
    stub.add_client_error("get_credential_report", code, http_status_code=status)

    rows, when, problems = fetch_credential_report(iam, sleep=lambda s: None)

    assert rows == [] and when is None
    [problem] = problems
    assert code in problem and "try again" in problem


# -------------------------------------------------------------- whole inventory, stubbed


class PerOperation:
    """An IAM client made of one stubbed client per operation.

    load_inventory calls its sources from several threads at once, and a Stubber answers in
    the order responses were queued; one Stubber per operation keeps each queue in order.
    """

    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}
        self._stubs: dict[str, Stubber] = {}

    def stub(self, operation: str) -> Stubber:
        if operation not in self._stubs:
            self._clients[operation], self._stubs[operation] = stubbed_iam()
        return self._stubs[operation]

    def get_paginator(self, operation: str) -> Any:
        return self._clients[operation].get_paginator(operation)

    def __getattr__(self, operation: str) -> Any:
        if operation.startswith("_") or operation not in self._clients:
            raise AttributeError(f"unexpected IAM call {operation}")
        return getattr(self._clients[operation], operation)

    def assert_no_pending_responses(self) -> None:
        for stub in self._stubs.values():
            stub.assert_no_pending_responses()


class StubConnection:
    """The two things load_inventory asks of an AwsConnection."""

    def __init__(self, iam: PerOperation) -> None:
        self.iam = iam

    def credentials_ready(self) -> None:
        pass  # dummy credentials: nothing to resolve

    def caller(self) -> Caller:
        return Caller(account=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:user/admin")

    def client(self, service: str) -> Any:
        assert service == "iam"
        return self.iam


def account_with_a_user_newer_than_the_report() -> PerOperation:
    iam = PerOperation()
    iam.stub("generate_credential_report").add_response(
        "generate_credential_report", {"State": "COMPLETE"}, {})
    iam.stub("get_credential_report").add_response("get_credential_report", {
        "Content": report(report_row("alice", password=True, mfa=True)),
        "ReportFormat": "text/csv", "GeneratedTime": NOW - timedelta(hours=3)}, {})
    iam.stub("list_users").add_response("list_users", {
        "Users": [iam_user("alice"), iam_user("newbie", days=0)], "IsTruncated": False},
        {"MaxItems": 1000})
    iam.stub("list_virtual_mfa_devices").add_response("list_virtual_mfa_devices", {
        "VirtualMFADevices": [virtual("alice")], "IsTruncated": False},
        {"AssignmentStatus": "Assigned", "MaxItems": 1000})
    iam.stub("list_entities_for_policy").add_response("list_entities_for_policy", {
        "PolicyUsers": [{"UserName": "newbie", "UserId": "AIDANEWBIE0000000000"}],
        "PolicyGroups": [], "PolicyRoles": [], "IsTruncated": False},
        {"PolicyArn": POLICY, "MaxItems": 1000})
    iam.stub("list_account_aliases").add_response("list_account_aliases", {
        "AccountAliases": ["example"], "IsTruncated": False}, {})
    iam.stub("get_account_summary").add_response("get_account_summary", {
        "SummaryMap": CENTRALISED_ROOT}, {})
    return iam


def newbie_has_a_password_and_no_device(iam: PerOperation) -> None:
    """The live lookup's answers for the user newer than the report."""
    iam.stub("get_login_profile").add_response("get_login_profile", {"LoginProfile": {
        "UserName": "newbie", "CreateDate": NOW, "PasswordResetRequired": True}},
        {"UserName": "newbie"})
    iam.stub("list_mfa_devices").add_response("list_mfa_devices", {
        "MFADevices": [], "IsTruncated": False}, {"UserName": "newbie"})


#: GetAccountSummary of a member account whose root credentials were removed (centralised
#: root access): no password, key, certificate or MFA device.
CENTRALISED_ROOT = {"AccountMFAEnabled": 0, "AccountPasswordPresent": 0,
                    "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0,
                    "Users": 2}


def test_a_user_created_after_the_report_is_looked_up_live() -> None:
    """Stubber: moto rebuilds its report on every get, so it never lags behind ListUsers."""
    iam = account_with_a_user_newer_than_the_report()
    newbie_has_a_password_and_no_device(iam)

    inv = load_inventory(StubConnection(iam))  # type: ignore[arg-type]

    iam.assert_no_pending_responses()  # one live lookup, for newbie only
    assert inv.problems == () and [u.user for u in inv.users] == ["alice", "newbie"]
    newbie = inv.get("newbie")
    assert newbie and newbie.console_access is True and not newbie.mfa_active
    assert not newbie.compliant and not newbie.stale and newbie.devices_complete
    assert newbie.enforced_via == "user"
    alice = inv.get("alice")
    assert alice and alice.compliant and [d.type for d in alice.mfa_devices] == ["virtual"]
    # A member account without root credentials reads as such, and passes IAM.9.
    assert inv.root is not None and inv.root.has_credentials is False
    assert inv.root.mfa_active is False and inv.root.compliant is True


def test_a_user_recreated_under_the_same_name_is_not_judged_by_the_old_row() -> None:
    """Stubber: moto's report is always rebuilt, so it never describes a deleted user.

    bob had MFA; he was deleted and created again (same name) after the report, with a
    password and no device. The old row must not make the new bob look compliant.
    """
    iam = PerOperation()
    iam.stub("generate_credential_report").add_response(
        "generate_credential_report", {"State": "COMPLETE"}, {})
    iam.stub("get_credential_report").add_response("get_credential_report", {
        "Content": report(report_row("bob", password=True, mfa=True, days=100)),
        "ReportFormat": "text/csv", "GeneratedTime": NOW - timedelta(hours=3)}, {})
    iam.stub("list_users").add_response("list_users", {
        "Users": [iam_user("bob", days=0)], "IsTruncated": False}, {"MaxItems": 1000})
    iam.stub("list_virtual_mfa_devices").add_response("list_virtual_mfa_devices", {
        "VirtualMFADevices": [], "IsTruncated": False},
        {"AssignmentStatus": "Assigned", "MaxItems": 1000})
    iam.stub("list_entities_for_policy").add_client_error(
        "list_entities_for_policy", "NoSuchEntity", http_status_code=404)
    iam.stub("list_account_aliases").add_response("list_account_aliases", {
        "AccountAliases": [], "IsTruncated": False}, {})
    iam.stub("get_account_summary").add_client_error(
        "get_account_summary", "AccessDenied", "not authorized", http_status_code=403)
    iam.stub("get_login_profile").add_response("get_login_profile", {"LoginProfile": {
        "UserName": "bob", "CreateDate": NOW}}, {"UserName": "bob"})
    iam.stub("list_mfa_devices").add_response("list_mfa_devices", {
        "MFADevices": [], "IsTruncated": False}, {"UserName": "bob"})

    inv = load_inventory(StubConnection(iam))  # type: ignore[arg-type]

    iam.assert_no_pending_responses()
    bob = inv.get("bob")
    assert bob and bob.console_access and not bob.mfa_active and not bob.compliant
    # GetAccountSummary was denied: the root user's MFA comes from the report's root row.
    assert inv.root is not None and inv.root.mfa_active is True
    assert inv.root.source == "credential report"
    assert any("GetAccountSummary" in p for p in inv.problems)


def test_a_new_user_that_cannot_be_confirmed_is_kept_and_marked_stale() -> None:
    """Stubber, as above; the live lookup is denied."""
    iam = account_with_a_user_newer_than_the_report()
    iam.stub("get_login_profile").add_client_error(
        "get_login_profile", "AccessDenied", "not authorized", http_status_code=403)

    inv = load_inventory(StubConnection(iam))  # type: ignore[arg-type]

    newbie = inv.get("newbie")
    assert newbie and newbie.stale and newbie.console_access is None
    [problem] = inv.problems
    assert "GetLoginProfile" in problem and "newbie" in problem


# -------------------------------------------------------------- a denied source, on moto


def test_denied_virtual_device_listing_keeps_every_user(moto: MotoServer) -> None:
    """Against moto: ListVirtualMFADevices answers 403 AccessDenied (fault injector)."""
    seed_account(60)
    conn = AwsConnection(ConnectionOptions(endpoint_url=moto.url))
    baseline = load_inventory(conn)
    moto.faults.access_denied(actions="ListVirtualMFADevices")

    inv = load_inventory(conn)

    assert len(inv.users) == 60
    [problem] = inv.problems
    assert "ListVirtualMFADevices" in problem and "not authorized" in problem
    # The credential report still says who has MFA: every verdict is unchanged.
    assert [(u.user, u.compliant) for u in inv.users] == [
        (u.user, u.compliant) for u in baseline.users]
    alice = inv.get("alice")
    assert alice and alice.mfa_active and not alice.devices_complete


def test_denied_group_read_keeps_direct_attachments(moto: MotoServer) -> None:
    """Against moto: GetGroup answers 403 AccessDenied (fault injector)."""
    seed_account(60)
    moto.faults.access_denied(actions="GetGroup")
    inv = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    heidi = inv.get("heidi")
    assert heidi and heidi.enforced_via == "user"  # attached directly: still known
    assert any("GetGroup" in p and "Developers" in p for p in inv.problems)


def test_unreadable_report_on_a_big_account_says_unknown_instead_of_10000_calls(
    moto: MotoServer,
) -> None:
    """Against moto: GetCredentialReport denied; 300 users would cost 600 one-by-one calls."""
    seed_account(300)
    moto.faults.access_denied(actions="GetCredentialReport")
    moto.faults.clear_requests()
    inv = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    assert len(inv.users) == 300
    assert moto.faults.count("GetLoginProfile") == 0
    assert any("console access is shown as unknown" in p for p in inv.problems)
    bob = inv.get("bob")
    assert bob and bob.console_access is None and not bob.compliant  # needs a look
    carol = inv.get("carol")  # no console, but MFA from the fresh device list: fine either way
    assert carol and carol.compliant
