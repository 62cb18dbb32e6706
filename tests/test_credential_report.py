"""The credential report parser: every IAM name character, odd rows, the root row."""

from __future__ import annotations

from mfa_tui.core.credential_report import parse_credential_report

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def row(name: str, *, quoted: bool = True, password: str = "true", mfa: str = "false",
        key1: str = "false", key1_used: str = "N/A", path: str = "/") -> str:
    arn = f"arn:aws:iam::123456789012:user{path}{name}"
    cells = [name, arn] if not quoted else [f'"{name}"', f'"{arn}"']
    return ",".join([
        *cells,
        "2026-01-01T00:00:00+00:00", password, "2026-11-29T10:00:00+00:00",
        "2026-01-01T00:00:00+00:00", "N/A", mfa, key1, "N/A", key1_used, "N/A", "N/A",
        "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A",
    ])


def test_every_character_iam_allows_in_names_survives() -> None:
    names = ["a+b=c,d.e@f-g_h", "plain", "x,y,z", "ops+oncall@example.com"]
    content = "\n".join([HEADER, *(row(n) for n in names)]) + "\n"
    rows, problems = parse_credential_report(content)
    assert problems == []
    assert [r.user for r in rows] == names


def test_unquoted_comma_in_name_and_path_is_mended_not_dropped() -> None:
    # moto writes names unquoted; the ARN (which ends with the name) then splits too.
    content = "\n".join([
        HEADER,
        row("svc=report,eu", quoted=False, path="/automation/", key1="true",
            key1_used="2026-11-20T00:00:00+00:00"),
        row("alice", quoted=False, mfa="true"),
    ])
    rows, problems = parse_credential_report(content)
    assert problems == []
    by_name = {r.user: r for r in rows}
    svc = by_name["svc=report,eu"]
    assert svc.arn == "arn:aws:iam::123456789012:user/automation/svc=report,eu"
    assert svc.access_keys_active == 1
    assert svc.access_key_last_used is not None
    assert by_name["alice"].mfa_active is True


def test_root_row_is_not_a_user_and_one_bad_row_does_not_break_the_rest() -> None:
    content = "\n".join([
        HEADER,
        row("<root_account>").replace('"arn:aws:iam::123456789012:user/<root_account>"',
                                      "arn:aws:iam::123456789012:root"),
        "garbage,without,enough,fields",
        row("bob", password="true", mfa="false"),
    ])
    rows, problems = parse_credential_report(content)
    assert [r.user for r in rows] == ["bob"]
    assert len(problems) == 1 and "line 3" in problems[0]
    assert rows[0].password_enabled is True and rows[0].mfa_active is False


def test_a_report_without_a_usable_header_says_so() -> None:
    rows, problems = parse_credential_report(b"not,a,report\n1,2,3\n")
    assert rows == [] and problems


def test_blank_lines_are_no_problem_and_crlf_is_read() -> None:
    content = "\r\n".join([HEADER, row("alice", mfa="true"), "", row("bob")]) + "\r\n"
    rows, problems = parse_credential_report(content)
    assert problems == []
    assert [(r.user, r.mfa_active) for r in rows] == [("alice", True), ("bob", False)]
