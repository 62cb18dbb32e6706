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
from botocore.parsers import QueryParser

from mfa_tui.aws.fast_lists import FastListParser
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


def both(body: bytes, operation: str) -> tuple[Any, Any]:
    model = botocore.session.Session().get_service_model("iam")
    shape = model.operation_model(operation).output_shape
    response = {"body": body, "headers": {}, "status_code": 200}
    ours = FastListParser(timestamp_parser=parse_timestamp).parse(dict(response), shape)
    theirs = QueryParser(timestamp_parser=parse_timestamp).parse(dict(response), shape)
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
    shape = botocore.session.Session().get_service_model("iam").operation_model(
        operation).output_shape
    for variant in (body, namespaced(body)):
        ours, theirs = both(variant, operation)
        assert ours == theirs
        # ... and the fast path itself read it (no quiet fallback to botocore's parser):
        fast = FastListParser(timestamp_parser=parse_timestamp)._fast_parse(variant, shape)
        assert fast[operation[4:]] == theirs[operation[4:]]
    items = ours.get("Users") or ours.get("VirtualMFADevices")
    assert items  # the comparison was about something
    if "MaxItems=7" in query:
        assert ours["IsTruncated"] is True and ours["Marker"]


def test_one_parser_reads_answers_with_and_without_the_namespace(moto: MotoServer) -> None:
    seed_account(60)
    body = raw(moto, "Action=ListUsers&MaxItems=1000")
    shape = botocore.session.Session().get_service_model("iam").operation_model(
        "ListUsers").output_shape
    parser = FastListParser(timestamp_parser=parse_timestamp)
    first = parser._fast_parse(body, shape)
    second = parser._fast_parse(namespaced(body), shape)
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
