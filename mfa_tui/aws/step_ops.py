"""One enforcement step = one IAM call, plus how to tell afterwards whether it took effect.

A mutating call whose answer is lost (the connection closed after the request left, or the
read timed out) may or may not have been carried out by AWS. botocore's retry handler would
send it again blindly; :func:`no_blind_resend` stops that for the calls below, and
:func:`run_step` reads the state back instead, sending the call again only when the state
shows it did not happen.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ReadTimeoutError,
)

from mfa_tui.aws.errors import explain
from mfa_tui.aws.policy_state import (
    error_code,
    group_has_policy,
    policy_entities,
    read_policy_state,
)
from mfa_tui.core.plan_models import POLICY_DESCRIPTION, Step, StepOp
from mfa_tui.core.policy_diff import is_same
from mfa_tui.core.run_result import StepResult

log = logging.getLogger(__name__)

#: The IAM operations the engine makes; none is ever re-sent after a lost answer.
MUTATING_OPERATIONS = (
    "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy",
    "AddUserToGroup", "RemoveUserFromGroup", "CreatePolicy", "CreatePolicyVersion",
    "DeletePolicyVersion", "DeletePolicy", "CreateGroup", "DeleteGroup",
    "SetDefaultPolicyVersion",
)
#: Errors botocore already retried (throttling, 5xx) that the engine tries again a little later.
_TRANSIENT = {"Throttling", "ThrottlingException", "RequestLimitExceeded",
              "TooManyRequestsException", "ServiceUnavailable", "InternalFailure",
              "InternalError", "RequestTimeout"}
ENGINE_RETRIES = 3
_LOST = (ConnectionClosedError, ReadTimeoutError)


def _refuse_blind_resend(caught_exception: BaseException | None = None, **_: Any) -> None:
    """``needs-retry`` hook: the request left and its answer was lost: do not send it again.

    botocore calls the most specific handler first, so this runs before the retry handler
    and its exception ends the call; the engine then reads the state back.
    """
    if isinstance(caught_exception, _LOST):
        raise caught_exception


def no_blind_resend(iam: Any, operations: Iterable[str] = MUTATING_OPERATIONS) -> None:
    """Install the hook on an IAM client for ``operations`` (default: the engine's);
    idempotent: one unique id per operation."""
    for op in operations:
        iam.meta.events.register(f"needs-retry.iam.{op}", _refuse_blind_resend,
                                 unique_id=f"mfa-tui-no-blind-resend-{op}")


@dataclass(frozen=True)
class StepContext:
    """What every step needs: the client, the policy, its template, the group."""

    iam: Any
    policy_arn: str
    policy_name: str
    document: dict[str, Any]
    group: str | None = None
    sleep: Callable[[float], None] = time.sleep


def _same(current: dict[str, Any] | None, template: dict[str, Any]) -> bool:
    return is_same(current, template)


def _user_has_policy(ctx: StepContext, user: str) -> bool:
    pages = ctx.iam.get_paginator("list_attached_user_policies").paginate(UserName=user)
    return any(p["PolicyArn"] == ctx.policy_arn for page in pages
               for p in page.get("AttachedPolicies", []))


def _user_in_group(ctx: StepContext, user: str) -> bool:
    pages = ctx.iam.get_paginator("list_groups_for_user").paginate(UserName=user)
    return any(g["GroupName"] == ctx.group for page in pages for g in page.get("Groups", []))


def _group_exists(ctx: StepContext, name: str) -> bool:
    try:
        ctx.iam.get_group(GroupName=name, MaxItems=1)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False
        raise
    return True


def _version_ids(ctx: StepContext) -> set[str]:
    return {v.version_id for v in read_policy_state(ctx.iam, ctx.policy_arn).versions}


def _policy_is_template(ctx: StepContext) -> bool:
    state = read_policy_state(ctx.iam, ctx.policy_arn)
    return state.exists and _same(state.default_document, ctx.document)


def _group(ctx: StepContext) -> str:
    if not ctx.group:
        raise ValueError("this step needs --via-group")
    return ctx.group


@dataclass(frozen=True)
class _Op:
    call: Callable[[StepContext, str], Any]
    reached: Callable[[StepContext, str], bool]  # is the step's end state in place?
    doing: str  # "attaching the policy to {t}"
    already: frozenset[str] = frozenset()  # error codes meaning "it was already so"


OPS: dict[StepOp, _Op] = {
    "create-policy": _Op(
        lambda c, t: c.iam.create_policy(PolicyName=c.policy_name, Description=POLICY_DESCRIPTION,
                                         PolicyDocument=json.dumps(c.document)),
        lambda c, t: _policy_is_template(c), "creating the policy {t}"),
    "delete-version": _Op(
        lambda c, t: c.iam.delete_policy_version(PolicyArn=c.policy_arn, VersionId=t),
        lambda c, t: t not in _version_ids(c), "deleting policy version {t}",
        frozenset({"NoSuchEntity"})),
    "create-version": _Op(
        lambda c, t: c.iam.create_policy_version(PolicyArn=c.policy_arn, SetAsDefault=True,
                                                 PolicyDocument=json.dumps(c.document)),
        lambda c, t: _policy_is_template(c), "adding a default version to the policy"),
    "create-group": _Op(
        lambda c, t: c.iam.create_group(GroupName=t),
        lambda c, t: _group_exists(c, t), "creating group {t}", frozenset({"EntityAlreadyExists"})),
    "attach-group-policy": _Op(
        lambda c, t: c.iam.attach_group_policy(GroupName=t, PolicyArn=c.policy_arn),
        lambda c, t: group_has_policy(c.iam, t, c.policy_arn),
        "attaching the policy to group {t}"),
    "attach": _Op(
        lambda c, t: c.iam.attach_user_policy(UserName=t, PolicyArn=c.policy_arn),
        _user_has_policy, "attaching the policy to {t}"),
    "add-to-group": _Op(
        lambda c, t: c.iam.add_user_to_group(GroupName=_group(c), UserName=t),
        _user_in_group, "adding {t} to the group"),
    "detach": _Op(
        lambda c, t: c.iam.detach_user_policy(UserName=t, PolicyArn=c.policy_arn),
        lambda c, t: not _user_has_policy(c, t), "detaching the policy from {t}",
        frozenset({"NoSuchEntity"})),
    "remove-from-group": _Op(
        lambda c, t: c.iam.remove_user_from_group(GroupName=_group(c), UserName=t),
        lambda c, t: not _user_in_group(c, t), "removing {t} from the group",
        frozenset({"NoSuchEntity"})),
    "detach-group-policy": _Op(
        lambda c, t: c.iam.detach_group_policy(GroupName=t, PolicyArn=c.policy_arn),
        lambda c, t: not group_has_policy(c.iam, t, c.policy_arn),
        "detaching the policy from group {t}", frozenset({"NoSuchEntity"})),
    "delete-group": _Op(
        lambda c, t: c.iam.delete_group(GroupName=t),
        lambda c, t: not _group_exists(c, t), "deleting group {t}", frozenset({"NoSuchEntity"})),
    "set-default-version": _Op(
        lambda c, t: c.iam.set_default_policy_version(PolicyArn=c.policy_arn, VersionId=t),
        lambda c, t: read_policy_state(c.iam, c.policy_arn).default_version == t,
        "setting the policy's default version back to {t}"),
    "delete-policy": _Op(
        lambda c, t: c.iam.delete_policy(PolicyArn=c.policy_arn),
        lambda c, t: policy_entities(c.iam, c.policy_arn) is None, "deleting the policy {t}",
        frozenset({"NoSuchEntity"})),
}


def _keep_reason(ctx: StepContext, step: Step) -> str | None:
    """Undo deletes a group or policy only when nothing else uses it (moto would not refuse)."""
    if step.op == "delete-group":
        members = ctx.iam.get_group(GroupName=step.target).get("Users", [])
        attached = ctx.iam.list_attached_group_policies(GroupName=step.target)
        if members or attached.get("AttachedPolicies"):
            return f"kept group {step.target}: it still has members or policies others added"
    if step.op == "delete-policy":
        entities = policy_entities(ctx.iam, ctx.policy_arn)
        if entities is not None and (entities[0] or entities[1] or entities[2]):
            return f"kept policy {step.target}: it is still attached elsewhere"
        state = read_policy_state(ctx.iam, ctx.policy_arn)
        if len(state.versions) > 1:
            return f"kept policy {step.target}: it has versions later runs added"
    return None


def run_step(ctx: StepContext, step: Step) -> StepResult:
    """Make one change; never raises (a failure is a StepResult with a one-sentence reason)."""
    op = OPS[step.op]
    doing = op.doing.format(t=step.target)
    try:
        keep = _keep_reason(ctx, step)
    except (ClientError, BotoCoreError) as exc:
        return StepResult(step.op, step.target, "failed", explain(exc, doing=doing))
    if keep:
        return StepResult(step.op, step.target, "kept", keep)
    verified = False
    for attempt in range(ENGINE_RETRIES + 1):
        try:
            answer = op.call(ctx, step.target)
            target = step.target
            if step.op == "create-version":
                target = str(answer["PolicyVersion"]["VersionId"])
            return StepResult(step.op, target, "done", verified=verified)
        except _LOST as exc:
            log.warning("%s: the answer was lost (%s); reading the state back", doing, exc)
            try:
                if op.reached(ctx, step.target):
                    return StepResult(step.op, step.target, "done",
                                      "the answer was lost; the change is confirmed in place",
                                      verified=True)
            except (ClientError, BotoCoreError) as read_exc:
                return StepResult(step.op, step.target, "failed",
                                  "its answer was lost and the state could not be read back: "
                                  + explain(read_exc, doing=doing))
            verified = True  # not in place: AWS did not act, so sending it again is safe
        except ClientError as exc:
            code = error_code(exc)
            if code in op.already:
                return StepResult(step.op, step.target, "already")
            if code == "EntityAlreadyExists" and step.op == "create-policy":
                return _policy_exists(ctx, step, exc)
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if (code in _TRANSIENT or status >= 500) and attempt < ENGINE_RETRIES:
                ctx.sleep(random.uniform(0.5, 1.0) * 2**attempt)  # botocore's retries ran out
                continue
            return StepResult(step.op, step.target, "failed", explain(exc, doing=doing))
        except BotoCoreError as exc:
            return StepResult(step.op, step.target, "failed", explain(exc, doing=doing))
        except Exception as exc:  # a bug must not leave the run without a journal line
            log.exception("%s failed", doing)
            return StepResult(step.op, step.target, "failed", explain(exc, doing=doing))
    return StepResult(step.op, step.target, "failed",
                      f"{doing} did not get through after {ENGINE_RETRIES + 1} tries")


def _policy_exists(ctx: StepContext, step: Step, exc: ClientError) -> StepResult:
    try:
        if _policy_is_template(ctx):
            return StepResult(step.op, step.target, "already")
    except (ClientError, BotoCoreError) as read_exc:
        return StepResult(step.op, step.target, "failed", explain(read_exc))
    return StepResult(step.op, step.target, "failed",
                      f"A policy named {step.target} appeared meanwhile with another document: "
                      "run `mfa-tui plan` again.")
