"""Check two authenticator codes locally, before asking AWS to enable a device.

Pure (pyotp only): the clock is an argument. ``EnableMFADevice`` wants two *consecutive*
codes; AWS's refusal says only "invalid", so the checks here say precisely what is wrong:

* a code that is not 6 digits;
* the same code twice;
* code 1 two or three steps old while code 2 is a later code up to now: the user was slow
  (the codes expired while they typed), not the phone's clock;
* code 1 not within one 30-second step of now otherwise (the phone's clock is off: the message
  says so, and how far off this computer's clock is from AWS's when that could be measured);
* code 2 not exactly the step after code 1 (type the next code, not a later one).

"Now" is AWS's time when the skew between this machine and AWS is known (AWS judges the
codes by its own clock), else this machine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pyotp

__all__ = [
    "STEP_SECONDS",
    "CodeProblem",
    "check_code_format",
    "check_codes",
    "describe_skew",
    "skew_from_http_date",
]

#: The TOTP time step AWS virtual MFA devices use.
STEP_SECONDS = 30
#: How far (in steps) to look for code 1 to tell the user how far off the phone's clock is.
_HINT_STEPS = 20
#: Code 1 this many steps old, with code 2 a later code: the user took a minute or so.
_SLOW_STEPS = (2, 3)
#: Below this a measured skew is noise (the HTTP Date header has 1-second resolution).
_SKEW_NOISE = 2.0


@dataclass(frozen=True)
class CodeProblem:
    """What is wrong with the codes: which field to fix (1 or 2) and a sentence to show."""

    field: int
    message: str
    retype_both: bool = False  # the codes are stale or mismatched: type two new ones
    #: "format" (fix what is typed), "same", "slow" (the codes expired while typed), "code1"
    #: (the phone's clock), "swapped" or "not-next" (type anew).
    kind: str = "format"


def _duration(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{round(seconds)} s"
    if seconds < 2 * 3600:
        return f"about {round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"about {round(seconds / 3600)} h"
    return f"about {round(seconds / 86400)} days"


def skew_from_http_date(date_header: str | None, local_time: float) -> float | None:
    """AWS's clock minus this machine's, from an HTTP ``Date`` header received at ``local_time``.

    The header has whole seconds, so half a second is added (the true time is within the
    second it names). Returns ``None`` when the header is missing or unreadable.
    """
    if not date_header:
        return None
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    return server.timestamp() + 0.5 - local_time


def describe_skew(skew: float | None) -> str:
    """One sentence on this computer's clock against AWS's ("" when not measured)."""
    if skew is None:
        return ""
    if abs(skew) < _SKEW_NOISE:
        return "This computer's clock agrees with AWS's (within 2 s)."
    direction = "behind" if skew > 0 else "ahead of"
    return (
        f"This computer's clock is {_duration(skew)} {direction} AWS's; "
        "the codes were checked against AWS's time."
    )


def _format_problem(code: str, n: int, source: str = "the app") -> CodeProblem | None:
    if len(code) == 6 and code.isascii() and code.isdigit():
        return None
    if not code:
        return CodeProblem(n, f"Code {n} is empty: type the 6-digit number {source} shows.")
    if not (code.isascii() and code.isdigit()):
        return CodeProblem(n, f"Code {n} must be 6 digits, nothing else: type the number "
                              f"{source} shows.")
    return CodeProblem(
        n, f"Code {n} must be 6 digits (it has {len(code)}): type the whole number {source} "
           "shows."
    )


def _phone_hint(totp: pyotp.TOTP, code1: str, step: int) -> str:
    """If code 1 is the code of a nearby step, how far off the phone's clock seems."""
    for distance in range(2, _HINT_STEPS + 1):
        for sign in (-1, 1):
            if totp.generate_otp(step + sign * distance) == code1:
                offset = sign * distance * STEP_SECONDS
                way = "slow" if offset < 0 else "fast"
                return f" The phone's clock looks {_duration(offset)} {way}."
    return ""


def _slow_problem(totp: pyotp.TOTP, code1: str, code2: str, at: float) -> CodeProblem | None:
    """Code 1 expired while the user typed: it is a minute or so old and code 2 came after it
    (up to the current code). A phone whose clock is off shows no such pair: its two codes
    sit together, away from now, and code 1 is usually much further off."""
    current = totp.timecode(at)
    for age in _SLOW_STEPS:
        step = current - age
        if totp.generate_otp(step) != code1:
            continue
        if any(totp.generate_otp(later) == code2 for later in range(step + 1, current + 1)):
            seconds = round(at - step * STEP_SECONDS)
            return CodeProblem(
                1, f"The codes expired while you typed: code 1 is from {seconds} s ago (the "
                   "app shows a new code every 30 s; AWS takes the current one and the one "
                   "after it). Type the code the app shows now, then the next one as soon as "
                   "it appears (if fresh codes fail the same way, the phone's clock is slow).",
                retype_both=True, kind="slow")
    return None


def check_code_format(code1: str, code2: str, *, source: str = "the app") -> CodeProblem | None:
    """The checks that need no seed (also for resync): 6 digits each, not the same code twice.
    ``source`` names what shows the codes in the sentences ("the token" for a hardware one)."""
    code1, code2 = code1.strip(), code2.strip()
    for code, n in ((code1, 1), (code2, 2)):
        problem = _format_problem(code, n, source)
        if problem:
            return problem
    if code1 == code2:
        return CodeProblem(
            2, f"The two codes are the same: wait until {source} shows a new code, then type "
               "that one as code 2.", kind="same")
    return None


def check_codes(
    seed: str,
    code1: str,
    code2: str,
    *,
    now: float | datetime,
    skew: float | None = None,
) -> CodeProblem | None:
    """``None`` when the two codes are consecutive codes of ``seed`` around ``now``.

    Args:
        seed: the device's base32 seed.
        code1, code2: what the user typed (surrounding spaces are ignored).
        now: this machine's clock (Unix seconds or an aware datetime): injectable for tests.
        skew: AWS's clock minus this machine's (see :func:`skew_from_http_date`), if known.
    """
    problem = check_code_format(code1, code2)
    if problem:
        return problem
    code1, code2 = code1.strip(), code2.strip()
    local = now.timestamp() if isinstance(now, datetime) else float(now)
    at = local + (skew or 0.0)
    totp = pyotp.TOTP(seed, interval=STEP_SECONDS)
    current = totp.timecode(at)
    steps = [step for step in (current - 1, current, current + 1)
             if totp.generate_otp(step) == code1]
    if not steps:
        slow = _slow_problem(totp, code1, code2, at)
        if slow is not None:
            return slow
        sentence = (
            "Code 1 is not this device's current code: check that the phone sets its clock "
            "automatically, then type two new codes."
            + _phone_hint(totp, code1, current)
        )
        clock = describe_skew(skew)
        return CodeProblem(1, f"{sentence} {clock}".strip(), retype_both=True, kind="code1")
    if any(totp.generate_otp(step + 1) == code2 for step in steps):
        return None
    if any(totp.generate_otp(step - 1) == code2 for step in steps):
        return CodeProblem(
            1, "The codes are swapped: type the earlier code as code 1 and the one after it "
               "as code 2.", retype_both=True, kind="swapped")
    return CodeProblem(
        2, "Code 2 is not the code that comes right after code 1: wait for the next code to "
           "appear, and type that one as code 2 (not a later one).", kind="not-next")
