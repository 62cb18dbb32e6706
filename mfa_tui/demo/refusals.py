"""A WSGI wrapper around the demo's moto app: refuse AssumeRole into some accounts.

moto lets anyone assume any role; AWS refuses when the role is missing or does not trust the
caller. The demo organization has one such account (demo/org.py), answered here the way STS
answers: HTTP 403, ``AccessDenied``.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape


class RefuseAssumeRole:
    """``RefuseAssumeRole(app, accounts)``: AssumeRole into ``accounts`` is AccessDenied."""

    def __init__(self, app: Callable[..., Any], accounts: Iterable[str]) -> None:
        self.app = app
        self.accounts = frozenset(accounts)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        refused = self._refused_arn(environ)
        if refused is None:
            return self.app(environ, start_response)
        message = (f"User: arn:aws:iam::123456789012:user/moto is not authorized to perform: "
                   f"sts:AssumeRole on resource: {refused}")
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                f"<Message>{escape(message)}</Message></Error>"
                f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>").encode()
        start_response("403 Forbidden", [("Content-Type", "text/xml"),
                                         ("Content-Length", str(len(body)))])
        return [body]

    def _refused_arn(self, environ: dict[str, Any]) -> str | None:
        """The role ARN of an AssumeRole into a refused account, else None (body kept)."""
        if environ.get("REQUEST_METHOD") != "POST" or not self.accounts:
            return None
        if not (environ.get("CONTENT_TYPE") or "").startswith("application/x-www-form-urlencoded"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if b"AssumeRole" not in body:
            return None
        params = parse_qs(body.decode("utf-8", "replace"))
        if params.get("Action") != ["AssumeRole"]:
            return None
        arn = (params.get("RoleArn") or [""])[0]
        parts = arn.split(":")
        return arn if len(parts) > 4 and parts[4] in self.accounts else None
