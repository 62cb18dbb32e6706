"""The otpauth URI built from an AWS seed, the grouped secret, and where the QR code goes."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from mfa_tui.core.enroll_layout import PANEL_COLUMNS, choose_layout
from mfa_tui.core.otpauth import (
    NewVirtualDevice,
    enrollment_uri,
    group_secret,
    normalise_seed,
    otpauth_uri,
    qr_version,
)
from mfa_tui.core.qr_text import fit_half_block_lines, qr_size
from tests.fixtures.qr_reader import Cell, cells_to_image, decode_image

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 64 chars, test only
ACCOUNT = "123456789012"


def test_uri_matches_the_key_uri_format() -> None:
    uri = otpauth_uri(SEED, "alice", ACCOUNT)
    assert uri == f"otpauth://totp/AWS:alice%40{ACCOUNT}?secret={SEED}&issuer=AWS"
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP)
    assert totp.secret == SEED and totp.issuer == "AWS" and totp.name == f"alice@{ACCOUNT}"
    assert totp.interval == 30 and totp.digits == 6


@pytest.mark.parametrize("user", ["jane.doe@example.com", "svc=report,eu", "a+b_c-d", "x@y"])
def test_every_iam_name_character_is_percent_encoded(user: str) -> None:
    uri = otpauth_uri(SEED, user, ACCOUNT)
    issuer, name = urlsplit(uri).path[1:].split(":")  # one literal colon: the separator
    assert issuer == "AWS"
    assert not set(name) & set("+=,@:")  # only unreserved characters and %XX
    assert unquote(name) == f"{user}@{ACCOUNT}"
    totp = pyotp.parse_uri(uri)
    assert totp.name == f"{user}@{ACCOUNT}" and totp.secret == SEED


def test_alias_names_the_account_and_the_issuer_stays_aws() -> None:
    uri = otpauth_uri(SEED, "bob", ACCOUNT, alias="example-corp-prod")
    query = parse_qs(urlsplit(uri).query)
    assert query == {"secret": [SEED], "issuer": ["AWS"]}
    assert unquote(urlsplit(uri).path[1:]) == "AWS:bob@example-corp-prod"
    assert pyotp.parse_uri(
        otpauth_uri(SEED, "bob", ACCOUNT, alias="Acme Corp", issuer="Acme Corp")
    ).issuer == "Acme Corp"


def test_enrollment_uri_keeps_the_alias_while_the_code_fits_80x24() -> None:
    assert "example-corp-prod" in enrollment_uri(SEED, "bob", ACCOUNT, "example-corp-prod")
    assert qr_version(enrollment_uri(SEED, "bob", ACCOUNT, "example-corp-prod")) == 6
    long_alias, user = "a" * 63, "u" * 30
    assert qr_version(otpauth_uri(SEED, user, ACCOUNT, alias=long_alias)) > 7
    uri = enrollment_uri(SEED, user, ACCOUNT, long_alias)
    assert long_alias not in uri and ACCOUNT in uri and qr_version(uri) == 6
    assert enrollment_uri(SEED, "bob", ACCOUNT, None) == otpauth_uri(SEED, "bob", ACCOUNT)


def test_the_longest_iam_user_name_still_fits_80x24() -> None:
    """64 characters (IAM's limit): the label drops the account, then the code fits."""
    user = "u" * 64
    assert qr_version(otpauth_uri(SEED, user, ACCOUNT)) == 8
    uri = enrollment_uri(SEED, user, ACCOUNT, "example-corp-prod")
    assert uri.startswith(f"otpauth://totp/AWS:{user}?secret=") and qr_version(uri) == 7
    assert pyotp.parse_uri(uri).name == user
    assert choose_layout(uri, 80, 24).fits


def test_seed_is_normalised_and_checked() -> None:
    assert normalise_seed(b"jbsw y3dp ehpk 3pxp==") == "JBSWY3DPEHPK3PXP"
    for bad in ("", "not base32!", b"0189"):
        with pytest.raises(ValueError, match="base32"):
            normalise_seed(bad)
    with pytest.raises(ValueError, match="user"):
        otpauth_uri(SEED, "", ACCOUNT)


def test_group_secret_in_fours() -> None:
    assert group_secret(SEED[:10]) == "JBSW Y3DP EH"
    grouped = group_secret(SEED, per_line=4)
    lines = grouped.splitlines()
    assert len(lines) == 4 and all(len(line.split()) == 4 for line in lines)
    assert grouped.replace(" ", "").replace("\n", "") == SEED


def test_new_device_repr_hides_the_seed() -> None:
    device = NewVirtualDevice("arn:aws:iam::1:mfa/alice", SEED, skew=0.5)
    assert SEED not in repr(device) and SEED not in str(device)
    assert "<hidden>" in repr(device)


# -- where the code goes -------------------------------------------------------------------


def _uri(user: str = "alice", alias: str | None = None) -> str:
    return enrollment_uri(pyotp.random_base32(64), user, ACCOUNT, alias)


def test_usual_names_fit_beside_the_codes_at_80x24_with_the_footer() -> None:
    for user, alias in [("alice", None), ("jane.doe@example.com", None), ("bob", "example-corp")]:
        layout = choose_layout(_uri(user, alias), 80, 24)
        assert layout.fits and not layout.stacked and layout.footer
        assert layout.room == (80 - PANEL_COLUMNS, 23)
        lines = fit_half_block_lines(_uri(user, alias), *layout.room)
        assert lines is not None and qr_size(lines) in {(45, 23), (41, 21), (43, 22)}


def test_a_version_7_code_hides_the_footer_and_still_decodes() -> None:
    uri = _uri("u" * 45)
    assert qr_version(uri) == 7
    layout = choose_layout(uri, 80, 24)
    assert layout.fits and not layout.footer and layout.room == (80 - PANEL_COLUMNS, 24)
    lines = fit_half_block_lines(uri, *layout.room)
    assert lines is not None and qr_size(lines) == (47, 24)  # 1-module quiet zone
    cells = [[Cell(ch, (0, 0, 0), (255, 255, 255)) for ch in line] for line in lines]
    assert decode_image(cells_to_image(cells, scale=4, margin=2)) == [uri]


def test_narrow_tall_terminals_stack_and_tiny_ones_do_not_fit() -> None:
    uri = _uri()
    stacked = choose_layout(uri, 60, 40)
    assert stacked.fits and stacked.stacked and stacked.room[0] == 60
    assert not choose_layout(uri, 60, 20).fits
    too_big = otpauth_uri(SEED, "u" * 64, ACCOUNT, alias="a" * 40)
    assert qr_version(too_big) == 8 and not choose_layout(too_big, 80, 24).fits
    assert choose_layout(None, 80, 24).fits  # nothing to draw yet


def test_the_screens_message_does_not_print_the_seed() -> None:
    """Textual can log messages (TEXTUAL_LOG / devtools): the one carrying the URI hides it."""
    from mfa_tui.tui.screens.enroll_flow import EnrollFlow

    device = NewVirtualDevice("arn:aws:iam::1:mfa/alice", SEED)
    message = EnrollFlow.Created(device, "alice", otpauth_uri(SEED, "alice", ACCOUNT))
    assert SEED not in repr(message) and "alice" in repr(message)
