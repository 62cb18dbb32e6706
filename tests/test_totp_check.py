"""Local checks of the two codes, with a fixed clock: every message the user can get."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from mfa_tui.core.totp_check import (
    check_code_format,
    check_codes,
    describe_skew,
    skew_from_http_date,
)

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # 15 s into a 30-second step
TOTP = pyotp.TOTP(SEED)


def code(offset_steps: int, at: float = NOW) -> str:
    return TOTP.at(at + 30 * offset_steps)


@pytest.mark.parametrize("first", [-1, 0, 1])
def test_consecutive_codes_within_one_step_pass(first: int) -> None:
    assert check_codes(SEED, code(first), code(first + 1), now=NOW) is None
    # an aware datetime works as the clock too; spaces around the codes are ignored
    when = datetime.fromtimestamp(NOW, UTC)
    assert check_codes(SEED, f" {code(first)}", f"{code(first + 1)} ", now=when) is None


@pytest.mark.parametrize(("c1", "c2", "field", "words"), [
    ("", "123456", 1, "Code 1 is empty"),
    ("12345", "123456", 1, "must be 6 digits (it has 5)"),
    ("123456", "1234567", 2, "Code 2 must be 6 digits (it has 7)"),
    ("12a456", "123456", 1, "6 digits, nothing else"),
])
def test_not_six_digits(c1: str, c2: str, field: int, words: str) -> None:
    problem = check_codes(SEED, c1, c2, now=NOW)
    assert problem is not None and problem.field == field
    assert words in problem.message


def test_same_code_twice() -> None:
    problem = check_codes(SEED, code(0), code(0), now=NOW)
    assert problem is not None and problem.field == 2 and problem.kind == "same"
    assert "same" in problem.message and "wait" in problem.message


def test_code_one_off_by_the_phones_clock_says_how_far() -> None:
    problem = check_codes(SEED, code(-10), code(-9), now=NOW)
    assert problem is not None and problem.field == 1 and problem.retype_both
    assert problem.kind == "code1"
    assert "check that the phone sets its clock automatically" in problem.message
    assert "The phone's clock looks about 5 min slow." in problem.message
    ahead = check_codes(SEED, code(4), code(5), now=NOW)
    assert ahead is not None and "The phone's clock looks about 2 min fast." in ahead.message
    nowhere = check_codes(SEED, "000000" if code(0) != "000000" else "111111", code(1), now=NOW)
    assert nowhere is not None and "phone sets its clock" in nowhere.message
    assert "looks" not in nowhere.message  # no guess when no nearby code matches


def test_the_skew_is_shown_when_measured() -> None:
    problem = check_codes(SEED, code(-10), code(-9), now=NOW, skew=0.4)
    assert problem is not None and "agrees with AWS's (within 2 s)" in problem.message
    # this computer is 5 minutes slow: AWS's time is what counts, so today's codes pass...
    assert check_codes(SEED, code(0), code(1), now=NOW - 300, skew=300.0) is None
    # ...and a wrong code 1 names the skew
    skewed = check_codes(SEED, code(-10), code(-9), now=NOW - 300, skew=300.0)
    assert skewed is not None
    assert "This computer's clock is about 5 min behind AWS's" in skewed.message


def test_code_two_must_be_the_very_next_step() -> None:
    problem = check_codes(SEED, code(0), code(2), now=NOW)
    assert problem is not None and problem.field == 2 and problem.kind == "not-next"
    assert "right after code 1" in problem.message and "wait for the next code" in problem.message
    swapped = check_codes(SEED, code(1), code(0), now=NOW)
    assert swapped is not None and "swapped" in swapped.message


def test_format_checks_without_a_seed() -> None:
    assert check_code_format("123456", "654321") is None
    same = check_code_format("123456", "123456")
    assert same is not None and "same" in same.message
    short = check_code_format("123", "654321")
    assert short is not None and short.field == 1


def test_skew_from_the_http_date_header() -> None:
    local = datetime(2026, 11, 30, 9, 50, 37, tzinfo=UTC).timestamp()
    assert skew_from_http_date("Mon, 30 Nov 2026 09:50:37 GMT", local) == pytest.approx(0.5)
    assert skew_from_http_date("Mon, 30 Nov 2026 09:55:37 GMT", local) == pytest.approx(300.5)
    assert skew_from_http_date(None, local) is None
    assert skew_from_http_date("yesterday", local) is None


def test_describe_skew() -> None:
    assert describe_skew(None) == ""
    assert "agrees" in describe_skew(-1.2)
    assert describe_skew(37) == ("This computer's clock is 37 s behind AWS's; the codes were "
                                 "checked against AWS's time.")
    assert "about 2 h ahead of AWS's" in describe_skew(-7300)
    assert "about 3 days" in describe_skew(3 * 86400)


@pytest.mark.parametrize(("first", "second"), [(-2, -1), (-3, -2), (-2, 0), (-3, -1)])
def test_codes_that_expired_while_typing_blame_the_user_not_the_clock(
    first: int, second: int
) -> None:
    """Code 1 read a minute or so ago, code 2 a later code up to now: the user was slow."""
    problem = check_codes(SEED, code(first), code(second), now=NOW)
    assert problem is not None and problem.kind == "slow" and problem.retype_both
    assert problem.field == 1
    assert "expired while you typed" in problem.message
    assert f"code 1 is from {15 - 30 * first} s ago" in problem.message
    assert "check that the phone sets its clock" not in problem.message


@pytest.mark.parametrize(("first", "second"), [
    (-4, -3),  # two minutes old: the phone's clock, not a slow hand
    (-10, -9),
    (-2, 3),  # code 2 from the future: no one typed that after code 1
    (2, 3),
])
def test_codes_away_from_now_still_blame_the_phones_clock(first: int, second: int) -> None:
    problem = check_codes(SEED, code(first), code(second), now=NOW)
    assert problem is not None and problem.kind == "code1"
    assert "check that the phone sets its clock automatically" in problem.message
