"""Enrollment against the moto server: the device lifecycle, and no debris on any path.

moto accepts any code and never refuses EnableMFADevice or ResyncMFADevice (it does not
implement the latter at all), so those refusals are injected with the fault wrapper's
``client_error`` / ``empty_result`` rules: real HTTP, AWS's error codes and statuses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from mfa_tui.aws import enroll as enroll_module
from mfa_tui.aws.enroll import DeviceNameTaken, Enrollment, discard_open_enrollments
from mfa_tui.aws.mfa_devices import (
    EnrollError,
    account_alias,
    caller_user_name,
    delete_orphans,
    find_orphans,
    list_user_devices,
    remove_device,
    resync_device,
)
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from mfa_tui.aws.user_detail import NoSuchUser
from mfa_tui.core.models import MfaDevice
from tests.fixtures.moto_server import MotoServer

ACCOUNT = "123456789012"


def unassigned(iam: Any) -> list[str]:
    return [d["SerialNumber"] for d in
            iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]]


def assigned(iam: Any, user: str) -> list[str]:
    return [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=user)["MFADevices"]]


@pytest.fixture(autouse=True)
def _no_enrollment_outlives_its_test(moto: MotoServer) -> Iterator[None]:
    yield
    discard_open_enrollments()  # while moto still answers (a failed test must not leak)


@pytest.fixture
def alice(iam: Any) -> Any:
    iam.create_user(UserName="alice")
    return iam


def test_create_enable_keep(alice: Any) -> None:
    enrollment = Enrollment(alice, "alice")
    assert enrollment.check_user() == ()
    device = enrollment.create()
    assert device.serial == f"arn:aws:iam::{ACCOUNT}:mfa/alice"
    assert len(device.seed) == 64 and pyotp.TOTP(device.seed).now().isdigit()
    assert device.skew is not None and abs(device.skew) < 3  # moto's Date is this clock
    assert enrollment in enroll_module.open_enrollments()
    totp = pyotp.TOTP(device.seed)
    assert enrollment.enable(totp.now(), totp.at(time.time() + 30)) == device.serial
    enrollment.keep()
    assert enrollment not in enroll_module.open_enrollments()
    assert enrollment.discard() is None  # kept: nothing to undo
    assert assigned(alice, "alice") == [device.serial] and unassigned(alice) == []


def test_an_exception_inside_the_with_block_leaves_no_device(alice: Any) -> None:
    with pytest.raises(RuntimeError), Enrollment(alice, "alice") as enrollment:
        enrollment.create()
        assert len(unassigned(alice)) == 1
        raise RuntimeError("the screen crashed")
    assert unassigned(alice) == [] and assigned(alice, "alice") == []


def test_enabled_but_not_kept_is_deactivated_then_deleted(alice: Any, moto: MotoServer) -> None:
    with Enrollment(alice, "alice") as enrollment:
        enrollment.create()
        enrollment.enable("123456", "234567")  # moto takes any code
        assert len(assigned(alice, "alice")) == 1
    assert moto.faults.actions()[-2:] == ["DeactivateMFADevice", "DeleteVirtualMFADevice"]
    assert assigned(alice, "alice") == [] and unassigned(alice) == []


def test_discard_before_create_and_twice_is_harmless(alice: Any, moto: MotoServer) -> None:
    moto.faults.clear_requests()
    enrollment = Enrollment(alice, "alice")
    assert enrollment.discard() is None
    with pytest.raises(EnrollError, match="cancelled"):
        enrollment.create()  # a cancel that arrived first wins: nothing is created
    assert unassigned(alice) == [] and moto.faults.mutating_count() == 0


def test_exit_hook_deletes_what_is_still_open(alice: Any) -> None:
    enrollment = Enrollment(alice, "alice")
    enrollment.create()
    assert discard_open_enrollments() == []
    assert unassigned(alice) == [] and enrollment not in enroll_module.open_enrollments()


def test_invalid_code_keeps_the_device_for_another_try(alice: Any, moto: MotoServer) -> None:
    moto.faults.client_error("EnableMFADevice", "InvalidAuthenticationCode", 403,
                             "Authentication code for device is not valid.", times=1)
    enrollment = Enrollment(alice, "alice")
    device = enrollment.create()
    with pytest.raises(EnrollError, match="did not accept the two codes") as info:
        enrollment.enable("123456", "234567")
    assert info.value.retry and info.value.code == "InvalidAuthenticationCode"
    assert unassigned(alice) == [device.serial]  # the phone already has it: same device
    assert enrollment.enable("345678", "456789") == device.serial
    enrollment.keep()
    assert assigned(alice, "alice") == [device.serial]


def test_temporarily_unmodifiable_asks_to_wait(alice: Any, moto: MotoServer) -> None:
    moto.faults.client_error("EnableMFADevice", "EntityTemporarilyUnmodifiable", 409,
                             "Cannot modify the user alice right now.", times=1)
    with Enrollment(alice, "alice") as enrollment:
        enrollment.create()
        with pytest.raises(EnrollError, match="wait a few seconds") as info:
            enrollment.enable("123456", "234567")
        assert info.value.retry
    assert unassigned(alice) == []


def test_limit_exceeded_deletes_the_new_device_at_once(alice: Any, moto: MotoServer) -> None:
    moto.faults.client_error("EnableMFADevice", "LimitExceeded", 409,
                             "Cannot exceed quota for MFADevicesPerUser: 8")
    enrollment = Enrollment(alice, "alice")
    enrollment.create()
    with pytest.raises(EnrollError, match="already has 8 MFA devices") as info:
        enrollment.enable("123456", "234567")
    assert not info.value.retry
    assert unassigned(alice) == [] and enrollment not in enroll_module.open_enrollments()


def test_eight_devices_are_refused_before_creating_anything(alice: Any, moto: MotoServer) -> None:
    for n in range(8):
        serial = alice.create_virtual_mfa_device(VirtualMFADeviceName=f"old{n}")[
            "VirtualMFADevice"]["SerialNumber"]
        alice.enable_mfa_device(UserName="alice", SerialNumber=serial,
                                AuthenticationCode1="123456", AuthenticationCode2="234567")
    moto.faults.clear_requests()
    with pytest.raises(EnrollError, match="already has 8 MFA devices"):
        Enrollment(alice, "alice").check_user()
    assert moto.faults.mutating_count() == 0


def test_no_such_user(iam: Any) -> None:
    with pytest.raises(NoSuchUser, match="no IAM user named 'ghost'"):
        Enrollment(iam, "ghost").check_user()


def test_orphans_of_the_same_name_are_offered_not_deleted(alice: Any) -> None:
    orphan = alice.create_virtual_mfa_device(VirtualMFADeviceName="alice")[
        "VirtualMFADevice"]["SerialNumber"]
    alice.create_virtual_mfa_device(VirtualMFADeviceName="alice", Path="/other/")
    enrollment = Enrollment(alice, "alice")
    with pytest.raises(DeviceNameTaken) as info:
        enrollment.create()
    assert info.value.orphans == (orphan,)  # the one in the way (same path), not /other/
    assert "not assigned to anyone" in str(info.value)
    assert len(unassigned(alice)) == 2  # nothing deleted without a confirmation
    assert find_orphans(alice, "bob") == ()
    assert find_orphans(alice, "alice", "/other/") == (f"arn:aws:iam::{ACCOUNT}:mfa/other/alice",)
    delete_orphans(alice, info.value.orphans)
    delete_orphans(alice, info.value.orphans)  # already gone: fine
    assert unassigned(alice) == [f"arn:aws:iam::{ACCOUNT}:mfa/other/alice"]
    with enrollment:
        assert enrollment.create().serial == orphan


def test_a_name_in_use_moves_on_to_the_next_free_name(alice: Any) -> None:
    with Enrollment(alice, "alice") as first:
        first.create()
        first.enable("123456", "234567")
        first.keep()
    with Enrollment(alice, "alice") as second:
        assert second.create().serial.endswith(":mfa/alice-2")
    with Enrollment(alice, "alice", device_name="alice") as explicit, \
            pytest.raises(EnrollError, match="--device-name"):
        explicit.create()
    assert unassigned(alice) == []


def test_devices_resync_and_removal(alice: Any, moto: MotoServer) -> None:
    """ResyncMFADevice is missing from moto: answered by the fault wrapper (empty_result)."""
    with Enrollment(alice, "alice") as enrollment:
        serial = enrollment.create().serial
        enrollment.enable("123456", "234567")
        enrollment.keep()
    (device,) = list_user_devices(alice, "alice")
    assert device.serial == serial and device.type == "virtual" and device.enable_date
    moto.faults.empty_result("ResyncMFADevice", times=1)
    moto.faults.client_error("ResyncMFADevice", "InvalidAuthenticationCode", 403, "bad code")
    resync_device(alice, "alice", serial, "123456", "234567")
    with pytest.raises(EnrollError, match="did not accept the two codes"):
        resync_device(alice, "alice", serial, "123456", "234567")
    assert "Deactivated and deleted" in remove_device(alice, "alice", device)
    assert list_user_devices(alice, "alice") == () and unassigned(alice) == []
    hardware = MfaDevice("GAHT12345678", "hardware")
    moto.faults.client_error("DeactivateMFADevice", "NoSuchEntity", 404, "not found", times=1)
    assert remove_device(alice, "alice", hardware) == (
        "Deactivated the hardware device GAHT12345678 of alice.")
    with pytest.raises(NoSuchUser):
        list_user_devices(alice, "ghost")


def test_self_service_caller_and_alias(moto: MotoServer, alice: Any) -> None:
    key = alice.create_access_key(UserName="alice")["AccessKey"]
    conn = AwsConnection(ConnectionOptions(
        endpoint_url=moto.url, region="us-east-1", access_key_id=key["AccessKeyId"],
        secret_access_key=key["SecretAccessKey"]))
    assert caller_user_name(conn) == "alice"
    assert account_alias(alice) is None
    alice.create_account_alias(AccountAlias="example-corp")
    assert account_alias(alice) == "example-corp"
    moto.faults.access_denied("ListAccountAliases")
    assert account_alias(alice) is None  # a self-service user may not list it: no alias


def test_a_role_has_no_own_user(moto: MotoServer, iam: Any) -> None:
    role = iam.create_role(RoleName="ops", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    creds = moto.client("sts").assume_role(RoleArn=role, RoleSessionName="oncall")["Credentials"]
    conn = AwsConnection(ConnectionOptions(
        endpoint_url=moto.url, region="us-east-1", access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"], session_token=creds["SessionToken"]))
    with pytest.raises(EnrollError, match=r"not as an IAM user.*mfa-tui enroll alice"):
        caller_user_name(conn)


@pytest.mark.parametrize("drops", [1, None])
def test_a_lost_answer_to_enable_is_settled_by_asking(
    alice: Any, moto: MotoServer, drops: int | None
) -> None:
    """moto enables, then the connection drops (once, or on every answer): the codes are
    sent once, never again blind (AWS may refuse reused codes); ListMFADevices shows the
    device is the user's, the flow says so, and nothing is undone."""
    moto.faults.drop_after("EnableMFADevice", times=drops)
    enrollment = Enrollment(alice, "alice")
    device = enrollment.create()
    try:
        serial = enrollment.enable("123456", "234567")
    except EnrollError:
        pytest.fail("a device that AWS enabled was reported as a failure")
    assert serial == device.serial
    assert moto.faults.count("EnableMFADevice") == 1
    assert moto.faults.actions()[-1] == "ListMFADevices"  # the state decided
    enrollment.keep()
    assert assigned(alice, "alice") == [device.serial]


def test_a_lost_answer_to_a_hardware_token_is_settled_by_asking(
    alice: Any, moto: MotoServer
) -> None:
    """moto enables the token, then the answer is lost: the codes are not sent again; the
    user's device list shows the token is theirs."""
    from mfa_tui.aws.mfa_devices import enable_hardware_token

    moto.faults.drop_after("EnableMFADevice", times=1)
    assert enable_hardware_token(alice, "alice", "GAHT12345678", "123456", "234567") == (
        "GAHT12345678")
    assert moto.faults.count("EnableMFADevice") == 1
    assert assigned(alice, "alice") == ["GAHT12345678"]
    assert unassigned(alice) == []
