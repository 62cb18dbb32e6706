"""aws/fast_lists.py gives exactly what botocore's own parser gives, on moto's real answers.

The answers come from the moto server over HTTP (raw bytes, with the demo account's users:
paths, every name character, sign-in dates, virtual devices across pages). Both parsers get
the same bytes; so do copies with the IAM XML namespace AWS itself puts on the root.
"""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape
from botocore.parsers import QueryParser

from mfa_tui.aws.fast_lists import FastListParser, FastListParserFactory, NotFast
from mfa_tui.aws.timestamps import parse_timestamp
from mfa_tui.demo.account import seed_account
from tests.fixtures.moto_server import MotoServer

SCOPE = "Credential=testing/20260101/us-east-1/iam/aws4_request"
IAM_NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'


def raw(moto: MotoServer, query: str) -> bytes:
    request = urllib.request.Request(
        moto.url + "/", data=f"Version=2010-05-08&{query}".encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                 "Authorization": f"AWS4-HMAC-SHA256 {SCOPE}, SignedHeaders=host, Signature=0"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return bytes(answer.read())


def fast_parser() -> FastListParser:
    """The IAM parser an AwsConnection's session gets (aws/session.py builds it so)."""
    factory = FastListParserFactory()
    factory.set_parser_defaults(timestamp_parser=parse_timestamp)
    parser = factory.create_parser("query")
    assert isinstance(parser, FastListParser)
    return parser


def output_shape(operation: str) -> Shape:
    model = botocore.session.Session().get_service_model("iam")
    shape = model.operation_model(operation).output_shape
    assert shape is not None
    return shape


def answer(body: bytes) -> dict[str, Any]:
    return {"body": body, "headers": {"x-amzn-requestid": "r"}, "status_code": 200}


def both(body: bytes, operation: str) -> tuple[Any, Any]:
    shape = output_shape(operation)
    ours = fast_parser().parse(answer(body), shape)
    theirs = QueryParser(timestamp_parser=parse_timestamp).parse(answer(body), shape)
    return ours, theirs


def namespaced(body: bytes) -> bytes:
    """The answer with the IAM namespace on its root (moto puts it on some answers only)."""
    if b"xmlns=" in body[:200]:
        return re.sub(rb'\sxmlns="[^"]*"', b"", body, count=1)  # and the other way round
    return re.sub(rb"^(<\?xml[^>]*\?>)?\s*<(\w+)", lambda m: (m.group(1) or b"") + b"<"
                  + m.group(2) + b" " + IAM_NS.encode(), body, count=1)


@pytest.mark.parametrize("query,operation", [
    ("Action=ListUsers&MaxItems=1000", "ListUsers"),
    ("Action=ListVirtualMFADevices&AssignmentStatus=Assigned&MaxItems=7",
     "ListVirtualMFADevices"),
    ("Action=ListVirtualMFADevices&AssignmentStatus=Any&MaxItems=1000",
     "ListVirtualMFADevices"),
])
def test_same_result_as_botocore_on_moto_answers(moto: MotoServer, query: str,
                                                 operation: str) -> None:
    seed_account(60)
    moto.client("iam").create_virtual_mfa_device(VirtualMFADeviceName="spare")  # unassigned
    body = raw(moto, query)
    shape = output_shape(operation)
    for variant in (body, namespaced(body)):
        ours, theirs = both(variant, operation)
        assert ours == theirs
        # ... and the fast path itself read it (no quiet fallback to botocore's parser):
        assert fast_parser().parse_fast(answer(variant), shape) == theirs
    items = ours.get("Users") or ours.get("VirtualMFADevices")
    assert items  # the comparison was about something
    if "MaxItems=7" in query:
        assert ours["IsTruncated"] is True and ours["Marker"]


def test_one_parser_reads_answers_with_and_without_the_namespace(moto: MotoServer) -> None:
    seed_account(60)
    body = raw(moto, "Action=ListUsers&MaxItems=1000")
    shape = output_shape("ListUsers")
    parser = fast_parser()
    first = parser.parse_fast(answer(body), shape)
    second = parser.parse_fast(answer(namespaced(body)), shape)
    assert first["Users"] == second["Users"] and len(first["Users"]) == 60


def test_anything_unexpected_goes_to_botocore() -> None:
    """A repeated member tag (botocore turns it into a list) is not guessed at."""
    body = (b"<ListUsersResponse><ListUsersResult><IsTruncated>false</IsTruncated>"
            b"<Marker>a</Marker><Marker>b</Marker><Users></Users></ListUsersResult>"
            b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
            b"</ListUsersResponse>")
    ours, theirs = both(body, "ListUsers")
    # botocore makes a list of XML elements of it; the fast path did not guess otherwise.
    assert [type(m) for m in ours["Marker"]] == [type(m) for m in theirs["Marker"]]


def test_an_unexpected_item_goes_to_botocore() -> None:
    """A repeated tag inside a user (botocore makes a list of elements of it) is not guessed
    at either."""
    body = (b"<ListUsersResponse><ListUsersResult><IsTruncated>false</IsTruncated>"
            b"<Users><member><UserName>a</UserName><UserName>b</UserName>"
            b"<Path>/</Path></member></Users></ListUsersResult>"
            b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
            b"</ListUsersResponse>")
    with pytest.raises(NotFast):
        fast_parser().parse_fast(answer(body), output_shape("ListUsers"))
    ours, theirs = both(body, "ListUsers")
    (user,), (botocores,) = ours["Users"], theirs["Users"]
    assert [type(m) for m in user["UserName"]] == [type(m) for m in botocores["UserName"]]
    assert len(user["UserName"]) == 2 and user["Path"] == botocores["Path"] == "/"


def test_other_answers_and_errors_are_botocores() -> None:
    error = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
             b"<Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>")
    response = {"body": error, "headers": {}, "status_code": 400}
    shape = output_shape("ListUsers")
    with pytest.raises(NotFast):
        fast_parser().parse_fast(dict(response), shape)
    parsed = fast_parser().parse(dict(response), shape)
    assert parsed["Error"]["Code"] == "Throttling"
    assert parsed == QueryParser(timestamp_parser=parse_timestamp).parse(dict(response), shape)
