"""End to end: the installed `mfa-tui enroll USER` in tmux at 80x24 against the moto server.

A phone's view: the QR code is read off the coloured screen (``capture-pane -e``) with
zxing-cpp without inversion, on a dark and on a light terminal theme; pyotp computes the codes
from the decoded URI; the codes are typed like a person (or a paste) would. HOME and every XDG
directory point into the test's temp dir, so every file the tool wrote can be searched for the
seed afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.fixtures.moto_server import MotoServer
from tests.fixtures.qr_reader import decode_qr_from_ansi
from tests.fixtures.terminal import installed_cli

#: The top edge of a QR finder pattern in half blocks: the code is on screen.
FINDER = "█▀▀▀▀▀█"

USER = "ops+oncall"  # a name whose "+" must be percent-encoded in the label
SERIAL = "arn:aws:iam::123456789012:mfa/ops+oncall"


def isolated(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """HOME and the XDG dirs inside ``tmp_path/home`` (everything the tool may write)."""
    home = tmp_path / "home"
    env = {"HOME": str(home)}
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        env[f"XDG_{name}_HOME"] = str(home / name.lower())
    (home / "cwd").mkdir(parents=True)
    return env, home


def unassigned(iam: Any) -> list[str]:
    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    return [d["SerialNumber"] for d in listed]


def panel_says(words: str):
    """A screen predicate: the codes panel (right of the QR code) holds ``words``, however the
    panel wrapped them."""

    def holds(screen: str) -> bool:
        panel = " ".join(line[46:].strip() for line in screen.splitlines())
        return words in " ".join(panel.split())

    holds.__name__ = f"panel says {words!r}"
    return holds


def files_holding(root: Path, secrets: list[str]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {s[:6]}…" for s in secrets if s.encode() in data]
    return hits


@pytest.mark.tmux
def test_enroll_scans_on_dark_and_light_refuses_wrong_codes_and_enables(
    terminal: Any, moto: MotoServer, tmp_path: Path
) -> None:
    iam = moto.client("iam")
    iam.create_user(UserName=USER)
    env, home = isolated(tmp_path)
    term = terminal([installed_cli(), "--endpoint-url", moto.url, "enroll", USER],
                    size=(80, 24), env=env, cwd=home / "cwd")
    term.wait_for("created", timeout=30)
    term.wait_for(FINDER, timeout=10)  # the code may paint a frame after the message
    screen = term.capture(colors=True)
    pictures = tmp_path / "pictures"  # outside the scanned home: they show the code
    pictures.mkdir()
    dark = decode_qr_from_ansi(screen, theme="dark", save_to=pictures / "dark.png")
    light = decode_qr_from_ansi(screen, theme="light", save_to=pictures / "light.png")
    assert len(dark) == 1, f"no code on a dark theme: see {pictures / 'dark.png'}"
    assert light == dark, f"see {pictures / 'light.png'}"
    uri = dark[0]
    assert uri.startswith("otpauth://totp/AWS:ops%2Boncall%40123456789012?secret=")
    totp = pyotp.parse_uri(uri)
    assert isinstance(totp, pyotp.TOTP) and totp.issuer == "AWS"
    assert totp.name == f"{USER}@123456789012" and len(totp.secret) == 64
    assert unassigned(iam) == [SERIAL]

    # wrong codes: a phone 5 minutes slow; refused with the reason, and the tool keeps going
    now = time.time()
    term.type(totp.at(now - 300) + totp.at(now - 270))
    term.send_keys("Enter")
    term.wait_for(panel_says("check that the phone sets its clock automatically"), timeout=10)
    # the current code typed twice, in one go (the first field hands on to the second)
    now = time.time()
    term.type(totp.at(now) * 2)
    term.send_keys("Enter")
    term.wait_for(panel_says("The two codes are the same"), timeout=10)
    assert term.exit_status() is None
    assert iam.list_mfa_devices(UserName=USER)["MFADevices"] == []
    assert moto.faults.count("EnableMFADevice") == 0

    # code 1 stays, the cursor waits in code 2: the next code completes the pair
    term.type(totp.at(now + 30))
    term.send_keys("Enter")
    assert term.wait_exit(timeout=30) == 0
    assert f"✓ {USER} is enrolled: {SERIAL}" in term.text(scrollback=True).replace("\n", "")
    devices = iam.list_mfa_devices(UserName=USER)["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [SERIAL]
    assert unassigned(iam) == []

    # seed hygiene: the log was written, and no file the tool wrote holds the seed or URI
    log = home / "state" / "mfa-tui" / "mfa-tui.log"
    assert "enabled virtual MFA device" in log.read_text(encoding="utf-8")
    seed = totp.secret
    grouped = " ".join(seed[i:i + 4] for i in range(0, 16, 4))
    assert files_holding(home, [seed, seed[:16], seed[-16:], grouped, uri]) == []


@pytest.mark.tmux
def test_escape_exits_1_and_leaves_no_unassigned_device(
    terminal: Any, moto: MotoServer, tmp_path: Path
) -> None:
    iam = moto.client("iam")
    iam.create_user(UserName="bob")
    env, home = isolated(tmp_path)
    term = terminal([installed_cli(), "--endpoint-url", moto.url, "enroll", "bob"],
                    size=(80, 24), env=env, cwd=home / "cwd")
    term.wait_for("created", timeout=30)
    term.wait_for(FINDER, timeout=10)
    assert len(decode_qr_from_ansi(term.capture(colors=True), theme="dark")) == 1
    assert unassigned(iam) == ["arn:aws:iam::123456789012:mfa/bob"]
    term.send_keys("s")
    term.wait_for("Secret (TOTP", timeout=10)
    term.send_keys("Escape")
    assert term.wait_exit(timeout=30) == 1
    assert "Cancelled: no MFA device was enabled. Nothing was left behind." in term.text(
        scrollback=True).replace("\n", "")
    assert unassigned(iam) == [] and iam.list_mfa_devices(UserName="bob")["MFADevices"] == []


# -- before the TUI opens: one sentence, exit 2 (no terminal needed) ------------------------


def enroll(
    moto: MotoServer, tmp_path: Path, *args: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    env, _ = isolated(tmp_path)
    return subprocess.run(
        [installed_cli(), "--endpoint-url", moto.url, "enroll", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env, **extra},
        stdin=subprocess.DEVNULL,
    )


def test_no_such_user_exits_2_before_the_tui(moto: MotoServer, tmp_path: Path) -> None:
    result = enroll(moto, tmp_path, "ghost")
    assert result.returncode == 2
    assert "There is no IAM user named 'ghost'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert moto.faults.mutating_count() == 0


def test_a_role_caller_is_asked_to_name_the_user(moto: MotoServer, tmp_path: Path) -> None:
    iam = moto.client("iam")
    role = iam.create_role(RoleName="oncall", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    creds = moto.client("sts").assume_role(RoleArn=role, RoleSessionName="pager")["Credentials"]
    result = enroll(moto, tmp_path, AWS_ACCESS_KEY_ID=creds["AccessKeyId"],
                    AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
                    AWS_SESSION_TOKEN=creds["SessionToken"])
    assert result.returncode == 2
    assert "not as an IAM user" in result.stderr and "mfa-tui enroll alice" in result.stderr
    assert "Traceback" not in result.stderr


def wait_until(check: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.mark.tmux
def test_a_dropped_connection_deletes_the_device(
    terminal: Any, moto: MotoServer, tmp_path: Path
) -> None:
    """The SSH session dies (the terminal goes away, SIGHUP): the device goes with it, and the
    process does not hang on a terminal that is no longer there."""
    iam = moto.client("iam")
    iam.create_user(UserName="bob")
    env, home = isolated(tmp_path)
    term = terminal([installed_cli(), "--endpoint-url", moto.url, "enroll", "bob"],
                    size=(80, 24), env=env, cwd=home / "cwd")
    term.wait_for("created", timeout=30)
    pid = int(term.display("#{pane_pid}"))
    assert len(unassigned(iam)) == 1
    term.kill()  # the whole terminal (tmux server and pty) disappears

    def gone() -> bool:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().split()[2] == "Z"  # exited, waiting to be reaped
        except FileNotFoundError:
            return True

    assert wait_until(lambda: unassigned(iam) == []), "the device was left behind"
    assert wait_until(gone), "mfa-tui kept running after its terminal went away"
    assert iam.list_mfa_devices(UserName="bob")["MFADevices"] == []


@pytest.mark.tmux
def test_sigterm_cancels_like_escape(terminal: Any, moto: MotoServer, tmp_path: Path) -> None:
    iam = moto.client("iam")
    iam.create_user(UserName="bob")
    env, home = isolated(tmp_path)
    term = terminal([installed_cli(), "--endpoint-url", moto.url, "enroll", "bob"],
                    size=(80, 24), env=env, cwd=home / "cwd")
    term.wait_for("created", timeout=30)
    os.kill(int(term.display("#{pane_pid}")), signal.SIGTERM)
    assert term.wait_exit(timeout=30) == 1
    assert "Nothing was left behind" in term.text(scrollback=True).replace("\n", "")
    assert unassigned(iam) == []


def test_the_enroll_arguments_load_without_boto3() -> None:
    """`mfa-tui enroll` parses its arguments (the parser imports commands/enroll.py) before
    anything heavy: boto3 and Textual come when it runs."""
    from tests.test_boundaries import _imported_after

    mods = _imported_after("import mfa_tui.cli\nmfa_tui.cli.build_parser().parse_args(['enroll'])")
    assert "boto3" not in mods and "botocore" not in mods


#: Loaded by the crashing run (PYTHONPATH): a bug in the code check, with the seed a local.
_CRASHING_CHECK = '''
import mfa_tui.core.totp_check as totp_check


def check_codes(seed, code1, code2, *, now, skew=None):
    raise RuntimeError("a bug in the code check")


totp_check.check_codes = check_codes
'''


@pytest.mark.tmux
def test_a_crash_on_the_enrollment_screen_never_shows_the_seed(
    terminal: Any, moto: MotoServer, tmp_path: Path
) -> None:
    """An unhandled exception while the QR code shows: Textual's own handler prints the
    traceback with every frame's local variables (the seed among them). Everything the
    terminal received (recorded by ``script``, as session recorders do), its scrollback and
    every file the tool wrote are searched for the seed."""
    iam = moto.client("iam")
    iam.create_user(UserName="bob")
    env, home = isolated(tmp_path)
    crash = tmp_path / "crash"
    crash.mkdir()
    (crash / "sitecustomize.py").write_text(_CRASHING_CHECK, encoding="utf-8")
    recording = tmp_path / "typescript"  # outside the scanned home: it shows the QR code
    command = [installed_cli(), "--endpoint-url", moto.url, "enroll", "bob"]
    term = terminal(["script", "-q", "-e", "-c", " ".join(command), str(recording)],
                    size=(80, 24), env={**env, "PYTHONPATH": str(crash)}, cwd=home / "cwd")
    term.wait_for("created", timeout=30)
    term.wait_for(FINDER, timeout=10)
    uri = decode_qr_from_ansi(term.capture(colors=True), theme="dark")[0]
    seed = pyotp.parse_uri(uri).secret
    term.type("123456234567")
    term.send_keys("Enter")
    assert term.wait_exit(timeout=30) == 2
    shown = term.text(scrollback=True)
    assert "RuntimeError: a bug in the code check" in shown  # the crash did happen
    assert unassigned(iam) == []  # and its device went with it
    recorded = recording.read_bytes()
    for secret in (seed, seed[:16], seed[-16:]):
        assert secret not in shown.replace("\n", "")
        assert secret.encode() not in recorded
    assert files_holding(home, [seed, seed[:16], seed[-16:], uri]) == []


@pytest.mark.tmux
def test_enroll_a_hardware_token_at_80x24(
    terminal: Any, moto: MotoServer, tmp_path: Path
) -> None:
    """`mfa-tui enroll USER --hardware SERIAL`: no QR code, two codes typed; codes of the
    wrong form are refused on the spot (moto would take any), then the token is the user's."""
    iam = moto.client("iam")
    iam.create_user(UserName=USER)
    env, home = isolated(tmp_path)
    term = terminal([installed_cli(), "--endpoint-url", moto.url, "enroll", USER,
                     "--hardware", "GAHT12345678"], size=(80, 24), env=env, cwd=home / "cwd")
    term.wait_for("Nothing is created until AWS accepts the codes", timeout=30)
    screen = term.text()
    assert "Enable the hardware token GAHT12345678 for ops+oncall" in screen
    assert FINDER not in screen  # no QR code
    term.type("123456123456")
    term.send_keys("Enter")
    term.wait_for("The two codes are the same", timeout=10)
    assert moto.faults.count("EnableMFADevice") == 0
    assert "Code 2  ······" in term.text()  # code 2 emptied for the next code; code 1 kept
    term.type("654321")
    term.send_keys("Enter")
    assert term.wait_exit(timeout=30) == 0
    assert "✓ ops+oncall is enrolled: GAHT12345678" in term.text(scrollback=True).replace(
        "\n", "")
    devices = iam.list_mfa_devices(UserName=USER)["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == ["GAHT12345678"]
    assert moto.faults.count("EnableMFADevice") == 1
    assert moto.faults.count("CreateVirtualMFADevice") == 0 and unassigned(iam) == []


def test_enroll_fido_says_where_and_exits_1(moto: MotoServer, tmp_path: Path) -> None:
    result = enroll(moto, tmp_path, "ops+oncall", "--fido")
    assert result.returncode == 1
    assert "cannot be registered through the IAM API" in result.stderr
    assert ("https://console.aws.amazon.com/iam/home#/users/details/ops%2Boncall"
            "?section=security_credentials") in result.stderr
    assert moto.faults.requests == []  # nothing asked of AWS
    own = enroll(moto, tmp_path / "again", "--fido")
    assert own.returncode == 1
    assert "https://console.aws.amazon.com/iam/home#/security_credentials" in own.stderr


def test_enroll_hardware_checks_the_serial_before_anything(
    moto: MotoServer, tmp_path: Path
) -> None:
    result = enroll(moto, tmp_path, "bob", "--hardware", "GAHT")
    assert result.returncode == 2 and "too short" in result.stderr
    assert "Traceback" not in result.stderr and moto.faults.requests == []
    both = enroll(moto, tmp_path / "again", "bob", "--hardware", "GAHT12345678", "--fido")
    assert both.returncode == 2 and "not allowed with" in both.stderr


@pytest.mark.tmux
@pytest.mark.parametrize("how", ["ctrl+q", "palette"])
def test_quitting_the_app_from_the_enrollment_screen_deletes_the_device(
    terminal: Any, moto: MotoServer, tmp_path: Path, how: str
) -> None:
    """`e` on the main screen, then the whole app quits (ctrl+q, or the palette's Quit)
    while the QR code shows: it asks first (issue 17), and once confirmed the device the
    screen created goes too."""
    iam = moto.client("iam")
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Correct-Horse-1")
    env, home = isolated(tmp_path)
    term = terminal([installed_cli(), "--endpoint-url", moto.url], size=(80, 24), env=env,
                    cwd=home / "cwd")
    term.wait_for("bob", timeout=30)
    term.send_keys("e")
    term.wait_for("created", timeout=30)
    assert unassigned(iam) == ["arn:aws:iam::123456789012:mfa/bob"]
    if how == "ctrl+q":
        term.send_keys("C-q")
    else:
        term.send_keys("C-p")
        term.wait_for("Search for commands", timeout=10)
        term.type("Quit")
        term.wait_for("Quit the application", timeout=10)
        term.send_keys("Enter")
    term.wait_for("Quit mfa-tui?", timeout=10)
    assert unassigned(iam) == ["arn:aws:iam::123456789012:mfa/bob"]  # nothing yet: it asks
    term.send_keys("y")
    term.wait_exit(timeout=30)
    assert unassigned(iam) == [] and iam.list_mfa_devices(UserName="bob")["MFADevices"] == []
