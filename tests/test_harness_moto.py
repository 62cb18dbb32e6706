"""The moto + fault-injection harness, exercised for real over loopback HTTP."""

from __future__ import annotations

import threading
import time
import urllib.request

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from tests.fixtures.faults import RecordedRequest
from tests.fixtures.moto_server import MotoServer, fast_retry_config

CONNECTION_ERRORS = (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError)


def one_shot(moto: MotoServer, service: str = "iam", **kwargs):
    """A client that does not retry: faults surface as exceptions.

    Careful: in a botocore Config, ``retries={"max_attempts": N}`` counts *retries* (N + 1
    requests); ``total_max_attempts`` counts requests. (AWS_MAX_ATTEMPTS and the config
    file's ``max_attempts`` count requests.)
    """
    config = fast_retry_config(retries={"total_max_attempts": 1, "mode": "standard"})
    return moto.client(service, config=config, **kwargs)


def user_names(iam) -> list[str]:
    return [u["UserName"] for u in iam.list_users()["Users"]]


# ------------------------------------------------------------------ server and reset


def test_server_is_on_loopback(moto: MotoServer) -> None:
    assert moto.url.startswith("http://127.0.0.1:")
    assert moto.port > 0


def test_reset_forgets_users(moto: MotoServer, iam) -> None:
    iam.create_user(UserName="alice")
    assert user_names(iam) == ["alice"]

    moto.reset()

    assert user_names(iam) == []


def test_reset_also_clears_faults_and_record(moto: MotoServer, iam) -> None:
    iam.list_users()
    moto.faults.throttle(actions="ListUsers")

    moto.reset()

    assert moto.faults.requests == []
    one_shot(moto).list_users()  # would raise Throttling if the rule had survived
    assert [r.fault for r in moto.faults.requests] == [None]


def test_fixture_environment_reaches_server_without_explicit_endpoint(moto: MotoServer) -> None:
    # Application code builds its own clients from the environment; that must hit moto too.
    client = boto3.session.Session().client("sts")
    identity = client.get_caller_identity()

    assert identity["Account"] == "123456789012"
    [recorded] = moto.faults.requests
    assert recorded.service == "sts"
    assert recorded.action == "GetCallerIdentity"
    assert recorded.access_key_id == "testing"


# ---------------------------------------------------------------------- recording


def test_recorder_sees_create_user_with_dummy_key(moto: MotoServer, iam) -> None:
    iam.create_user(UserName="bob", Path="/people/")
    iam.list_users()

    create, listing = moto.faults.requests
    assert isinstance(create, RecordedRequest)
    assert create.service == "iam"
    assert create.action == "CreateUser"
    assert create.access_key_id == "testing"
    assert create.method == "POST"
    assert create.path == "/"
    assert create.params["UserName"] == "bob"
    assert create.params["Path"] == "/people/"
    assert create.fault is None
    assert create.mutating and not listing.mutating
    assert moto.faults.count() == 2
    assert moto.faults.count("CreateUser") == 1
    assert moto.faults.count("ListUsers", service="iam") == 1
    assert moto.faults.mutating_count() == 1

    moto.faults.clear_requests()
    assert moto.faults.requests == []


def test_requests_are_a_copy(moto: MotoServer, iam) -> None:
    iam.list_users()
    snapshot = moto.faults.requests
    snapshot.clear()
    assert moto.faults.count("ListUsers") == 1


def test_key_created_in_moto_signs_as_its_user(moto: MotoServer, iam) -> None:
    iam.create_user(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    moto.faults.clear_requests()

    sts = moto.client(
        "sts",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    arn = sts.get_caller_identity()["Arn"]

    assert arn == "arn:aws:iam::123456789012:user/carol"
    [recorded] = moto.faults.requests
    assert recorded.access_key_id == key["AccessKeyId"] != "testing"
    assert recorded.action == "GetCallerIdentity"


def test_json_protocol_action_comes_from_x_amz_target(moto: MotoServer) -> None:
    org = moto.client("organizations")
    org.create_organization(FeatureSet="ALL")
    org.list_roots()

    create, roots = moto.faults.requests
    assert (create.service, create.action) == ("organizations", "CreateOrganization")
    assert create.params == {"FeatureSet": "ALL"}
    assert roots.action == "ListRoots"
    assert moto.faults.mutating_count() == 1


def test_concurrent_requests_are_all_recorded(moto: MotoServer, iam) -> None:
    errors: list[BaseException] = []

    def call() -> None:
        try:
            iam.list_users()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)

    assert errors == []
    assert moto.faults.count("ListUsers") == 8


# -------------------------------------------------------------------------- faults


def test_throttle_twice_then_standard_retries_succeed(moto: MotoServer, iam) -> None:
    iam.create_user(UserName="dave")
    moto.faults.throttle(actions="ListUsers", times=2)
    moto.faults.clear_requests()

    assert user_names(iam) == ["dave"]  # iam fixture: standard mode, max_attempts=6

    assert moto.faults.count("ListUsers") == 3
    assert [r.fault for r in moto.faults.requests] == ["throttle", "throttle", None]


def test_throttle_without_retries_is_a_throttling_client_error(moto: MotoServer) -> None:
    moto.faults.throttle(actions=["ListUsers"])

    with pytest.raises(ClientError) as caught:
        one_shot(moto).list_users()

    error = caught.value.response
    assert error["Error"]["Code"] == "Throttling"
    assert error["Error"]["Type"] == "Sender"
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ResponseMetadata"]["RequestId"]
    assert moto.faults.count("ListUsers") == 1


def test_config_max_attempts_one_still_retries_once(moto: MotoServer) -> None:
    moto.faults.throttle(actions="ListUsers")
    client = moto.client(
        "iam", config=fast_retry_config(retries={"max_attempts": 1, "mode": "standard"})
    )

    with pytest.raises(ClientError) as caught:
        client.list_users()

    assert caught.value.response["Error"]["Code"] == "Throttling"
    assert moto.faults.count("ListUsers") == 2  # one request plus one retry


def test_throttle_only_hits_the_named_actions(moto: MotoServer) -> None:
    moto.faults.throttle(actions="ListUsers")
    client = one_shot(moto)

    client.create_user(UserName="erin")  # not throttled
    with pytest.raises(ClientError):
        client.list_users()

    assert [(r.action, r.fault) for r in moto.faults.requests] == [
        ("CreateUser", None),
        ("ListUsers", "throttle"),
    ]


def test_json_protocol_throttle_is_parsed(moto: MotoServer) -> None:
    moto.faults.throttle(actions="ListRoots")
    org = one_shot(moto, "organizations")
    org.create_organization(FeatureSet="ALL")

    with pytest.raises(ClientError) as caught:
        org.list_roots()

    assert caught.value.response["Error"]["Code"] == "TooManyRequestsException"


def test_server_error_503_once_is_retried(moto: MotoServer, iam) -> None:
    moto.faults.server_error(503, actions="ListUsers", times=1)

    assert user_names(iam) == []

    assert [r.fault for r in moto.faults.requests] == ["server_error:503", None]


@pytest.mark.parametrize(
    ("status", "code"), [(500, "InternalFailure"), (503, "ServiceUnavailable")]
)
def test_server_error_without_retries_is_a_client_error(
    moto: MotoServer, status: int, code: str
) -> None:
    moto.faults.server_error(status, actions="CreateUser")

    with pytest.raises(ClientError) as caught:
        one_shot(moto).create_user(UserName="frank")

    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert caught.value.response["Error"]["Code"] == code
    moto.faults.reset_faults()
    assert user_names(one_shot(moto)) == []  # 5xx means AWS did not act


def test_latency_delays_matching_requests(moto: MotoServer, iam) -> None:
    moto.faults.add_latency(0.3, actions="ListUsers")

    started = time.monotonic()
    iam.list_users()
    elapsed = time.monotonic() - started

    assert elapsed >= 0.3


def test_drop_after_acting_loses_the_answer_but_not_the_effect(moto: MotoServer, iam) -> None:
    moto.faults.drop_after(actions="CreateUser")

    with pytest.raises(CONNECTION_ERRORS):
        one_shot(moto).create_user(UserName="grace")

    # The point: AWS acted, only the answer was lost.
    assert iam.get_user(UserName="grace")["User"]["UserName"] == "grace"
    assert [(r.action, r.fault) for r in moto.faults.requests] == [
        ("CreateUser", "drop"),
        ("GetUser", None),
    ]


def test_drop_after_with_retries_turns_into_already_exists(moto: MotoServer, iam) -> None:
    # botocore retries a lost answer (ConnectionClosedError is transient): the retry of a
    # non-idempotent call then meets its own first effect.
    moto.faults.drop_after(actions="CreateUser", times=1)

    with pytest.raises(ClientError) as caught:
        iam.create_user(UserName="heidi")

    assert caught.value.response["Error"]["Code"] == "EntityAlreadyExists"
    assert moto.faults.count("CreateUser") == 2


def test_access_denied_is_a_403_naming_the_action_and_resource(moto: MotoServer, iam) -> None:
    iam.create_user(UserName="bob")
    moto.faults.access_denied(actions="ListGroupsForUser", times=1)
    moto.faults.clear_requests()

    with pytest.raises(ClientError) as caught:
        iam.list_groups_for_user(UserName="bob")  # retrying client: AccessDenied is final

    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["Error"]["Type"] == "Sender"
    assert error["Error"]["Message"] == (
        "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: "
        "iam:ListGroupsForUser on resource: arn:aws:iam::123456789012:user/bob because no "
        "identity-based policy allows the iam:ListGroupsForUser action"
    )
    assert [(r.action, r.fault) for r in moto.faults.requests] == [
        ("ListGroupsForUser", "access_denied")
    ]
    # times=1: the next call goes through to moto; other actions were never denied.
    assert iam.list_groups_for_user(UserName="bob")["Groups"] == []
    assert user_names(iam) == ["bob"]


def test_access_denied_message_is_xml_escaped(moto: MotoServer) -> None:
    moto.faults.access_denied(actions="GetUser")

    with pytest.raises(ClientError) as caught:
        one_shot(moto).get_user(UserName="a&b<c>")

    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert "user/a&b<c> because" in caught.value.response["Error"]["Message"]


def test_json_protocol_access_denied_is_parsed(moto: MotoServer) -> None:
    org = one_shot(moto, "organizations")
    org.create_organization(FeatureSet="ALL")
    moto.faults.access_denied(actions="ListRoots")

    with pytest.raises(ClientError) as caught:
        org.list_roots()

    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "organizations:ListRoots" in caught.value.response["Error"]["Message"]


def test_reset_faults_clears_rules(moto: MotoServer) -> None:
    moto.faults.throttle()
    moto.faults.server_error(500)
    moto.faults.drop_after()
    moto.faults.access_denied()
    moto.faults.add_latency(5)

    moto.faults.reset_faults()

    started = time.monotonic()
    one_shot(moto).list_users()
    assert time.monotonic() - started < 4  # the 5 s latency rule is gone too
    assert [r.fault for r in moto.faults.requests] == [None]


def test_probability_is_reproducible_with_a_seed(moto: MotoServer) -> None:
    client = one_shot(moto)

    def pattern() -> list[bool]:
        moto.faults.reset_faults()
        moto.faults.throttle(actions="ListUsers", probability=0.5, seed=7)
        outcome = []
        for _ in range(12):
            try:
                client.list_users()
                outcome.append(True)
            except ClientError:
                outcome.append(False)
        return outcome

    first, second = pattern(), pattern()
    assert first == second
    assert True in first and False in first


def test_moto_api_paths_are_never_faulted_or_recorded(moto: MotoServer) -> None:
    moto.faults.throttle()
    moto.faults.server_error(500)

    request = urllib.request.Request(f"{moto.url}/moto-api/reset", data=b"", method="POST")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5) as response:
        assert response.status == 200

    assert moto.faults.requests == []


def test_hold_keeps_matching_requests_waiting_until_released(moto: MotoServer) -> None:
    gate = moto.faults.hold(actions="ListUsers")
    done = threading.Event()

    def call() -> None:
        one_shot(moto).list_users()
        done.set()

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 30
    while moto.faults.count("ListUsers") < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert moto.faults.count("ListUsers") == 1  # arrived and recorded...
    one_shot(moto).list_groups()  # ...other actions pass...
    assert not done.is_set()  # ...but it waits
    gate.set()
    assert done.wait(30)
    worker.join(5)
