"""Read one IAM user live, concurrently, keeping whatever can be read (core/user_detail.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mfa_tui.aws.errors import explain
from mfa_tui.aws.session import AwsConnection
from mfa_tui.core.compliance import device_type_from_serial
from mfa_tui.core.errors import NoSuchUser
from mfa_tui.core.models import DEFAULT_POLICY_NAME, MfaDevice
from mfa_tui.core.user_detail import (
    AccessKey,
    Part,
    ReportView,
    UserDetail,
    enforcement_source,
    report_view,
)

log = logging.getLogger(__name__)


def _code(exc: BaseException | None) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def _paged(iam: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    return [item for page in iam.get_paginator(operation).paginate(**params) for item in page[key]]


def _login_profile(iam: Any, name: str) -> dict[str, Any] | None:
    """The login profile, or None when the user has no console password."""
    try:
        return dict(iam.get_login_profile(UserName=name)["LoginProfile"])
    except ClientError as exc:
        if _code(exc) == "NoSuchEntity":
            return None
        raise


def _report_view(iam: Any, name: str) -> ReportView | None:
    """What the current credential report (what Security Hub's IAM.5 reads) says of the user.

    ``GetCredentialReport`` only: it never asks AWS to generate one. None when there is no
    report or it cannot be read; that only leaves the Security Hub sentence out.
    """
    try:
        got = iam.get_credential_report()
    except (ClientError, BotoCoreError) as exc:
        log.info("no credential report for the Security Hub view of %s: %s", name, exc)
        return None
    content = got.get("Content", b"")
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    return report_view(str(content), name, got.get("GeneratedTime"))


def _last_used(iam: Any, key_id: str) -> dict[str, Any]:
    return dict(iam.get_access_key_last_used(AccessKeyId=key_id).get("AccessKeyLastUsed") or {})


# What each call is for (the problem sentence says "while ...") and what it leaves unread.
_TASKS: dict[str, tuple[str, Part]] = {
    "user": ("reading the user", "user"),
    "login": ("reading the console password", "console"),
    "devices": ("listing the MFA devices", "devices"),
    "groups": ("listing the groups", "groups"),
    "policies": ("listing the directly attached policies", "policies"),
    "keys": ("listing the access keys", "keys"),
}
_USER_SCOPED = ("devices", "groups", "policies", "keys")  # NoSuchEntity here: no such user


def load_user_detail(
    conn_or_iam: AwsConnection | Any,
    name: str,
    *,
    policy_name: str = DEFAULT_POLICY_NAME,
    workers: int = 8,
) -> UserDetail:
    """Everything about one user, now.

    Independent calls run together; a group's policies and a key's last use are asked as
    soon as the group list / key list arrives. A call that fails (AccessDenied, ...) becomes
    a sentence in ``problems`` and its part is marked unread; the rest is kept.
    Raises :class:`NoSuchUser`, or the first error when nothing at all could be read.
    """
    iam = conn_or_iam.client("iam") if isinstance(conn_or_iam, AwsConnection) else conn_or_iam
    results: dict[str, Any] = {}
    errors: dict[str, BaseException] = {}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future[Any], str] = {}

        def submit(task: str, fn: Callable[[], Any]) -> None:
            pending[pool.submit(fn)] = task

        submit("user", lambda: dict(iam.get_user(UserName=name)["User"]))
        submit("login", partial(_login_profile, iam, name))
        submit("devices", partial(_paged, iam, "list_mfa_devices", "MFADevices", UserName=name))
        submit("groups", partial(_paged, iam, "list_groups_for_user", "Groups", UserName=name))
        submit("policies", partial(
            _paged, iam, "list_attached_user_policies", "AttachedPolicies", UserName=name))
        submit("keys", partial(_paged, iam, "list_access_keys", "AccessKeyMetadata",
                               UserName=name))
        submit("report", partial(_report_view, iam, name))
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    results[task] = future.result()
                except (ClientError, BotoCoreError) as exc:
                    log.warning("%s of %s failed: %s", task, name, exc)
                    errors[task] = exc
                    continue
                if task == "groups":
                    for group in results[task]:
                        g = group["GroupName"]
                        submit(f"group:{g}", partial(
                            _paged, iam, "list_attached_group_policies", "AttachedPolicies",
                            GroupName=g))
                elif task == "keys":
                    for key in results[task]:
                        k = key["AccessKeyId"]
                        submit(f"key:{k}", partial(_last_used, iam, k))

    if "user" in errors:
        if _code(errors["user"]) == "NoSuchEntity" or any(
            _code(errors.get(t)) == "NoSuchEntity" for t in _USER_SCOPED
        ):
            raise NoSuchUser(name) from errors["user"]
        if not results.keys() - {"report"}:  # nothing at all: one clear error (no
            # credentials, unreachable...); the report view is never enough on its own
            raise errors["user"]
    return replace(_build(name, policy_name, results, errors), report=results.get("report"))


def _doing(task: str, name: str) -> tuple[str, Part | None]:
    if task in _TASKS:
        what, part = _TASKS[task]
        return f"{what} of {name}", part
    kind, _, ident = task.partition(":")
    if kind == "group":
        return f"listing the policies of group {ident}", "group_policies"
    return f"reading when access key …{ident[-4:]} was last used", None


def _build(
    name: str, policy_name: str, results: dict[str, Any], errors: dict[str, BaseException]
) -> UserDetail:
    unread: set[Part] = set()
    problems = []
    order = list(_TASKS)
    for task, exc in sorted(
        errors.items(), key=lambda item: (order.index(item[0]) if item[0] in order else 99, item[0])
    ):
        doing, part = _doing(task, name)
        problems.append(explain(exc, doing=doing))
        if part:
            unread.add(part)

    user = results.get("user") or {}
    login = results.get("login")
    console = None if "login" in errors else login is not None
    devices = sorted(
        (MfaDevice(d["SerialNumber"], device_type_from_serial(d["SerialNumber"]),
                   d.get("EnableDate")) for d in results.get("devices", [])),
        key=lambda d: d.serial,
    )
    groups = sorted(g["GroupName"] for g in results.get("groups", []))
    direct = results.get("policies", [])
    by_group = {
        g: [p["PolicyArn"] for p in results[f"group:{g}"]]
        for g in groups if f"group:{g}" in results
    }
    keys = []
    for meta in results.get("keys", []):
        kid = meta["AccessKeyId"]
        used = results.get(f"key:{kid}", {})
        service = used.get("ServiceName")
        keys.append(
            AccessKey(
                id=kid,
                status=meta.get("Status", ""),
                created=meta.get("CreateDate"),
                last_used=used.get("LastUsedDate"),
                last_used_service=None if service in (None, "N/A") else service,
                last_used_read=f"key:{kid}" not in errors,
            )
        )
    return UserDetail(
        user=user.get("UserName", name),
        arn=user.get("Arn", ""),
        created=user.get("CreateDate"),
        console_access=console,
        login_profile_created=(login or {}).get("CreateDate"),
        password_reset_required=bool((login or {}).get("PasswordResetRequired", False)),
        password_last_used=user.get("PasswordLastUsed"),
        devices=tuple(devices),
        groups=tuple(groups),
        attached_policies=tuple(sorted(p["PolicyName"] for p in direct)),
        enforcement=enforcement_source(
            (p["PolicyArn"] for p in direct), by_group, policy_name
        ),
        access_keys=tuple(keys),
        policy_name=policy_name,
        unread=frozenset(unread),
        problems=tuple(problems),
    )
