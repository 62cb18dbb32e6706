"""Enrollment benchmark: what fits 80x24, and how fast `mfa-tui enroll` is in a real terminal.

1. Sizes (pure): for user names of 5 to 64 characters, with the account id or an alias of
   17 or 63 characters, the URI's length, its QR version at EC level L, the cells the code
   takes, and where the enrollment screen puts it at 80x24 (beside the codes with the footer,
   beside them with the footer hidden, or the alias dropped for the account id).
2. Terminal (tmux, 80x24, the installed `mfa-tui enroll USER` against a moto server in this
   process): seconds from spawn until the QR code on screen decodes (zxing-cpp, no
   inversion); from Enter with two good codes until the process exits 0; from Esc until it
   exits 1; from the terminal going away (tmux killed: SIGHUP) until the device is deleted.
   ``--repeat`` runs each; medians printed.

Needs the test extra (`pip install -e '.[test]'`: zxing-cpp, moto) and tmux. Nothing leaves
the machine: moto on 127.0.0.1, dummy credentials.

    .venv/bin/python benchmarks/enroll.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402

from mfa_tui.core.enroll_layout import choose_layout  # noqa: E402
from mfa_tui.core.otpauth import enrollment_uri, otpauth_uri, qr_version  # noqa: E402
from mfa_tui.core.qr_text import fit_half_block_lines, qr_size  # noqa: E402

ACCOUNT = "123456789012"


def sizes() -> None:
    seed = pyotp.random_base32(64)
    print("user  alias  uri  version  cells   at 80x24")
    for alias in (None, "example-corp-prod", "a" * 63):
        for length in (5, 20, 40, 64):
            user = "u" * length
            uri = enrollment_uri(seed, user, ACCOUNT, alias)
            layout = choose_layout(uri, 80, 24)
            lines = fit_half_block_lines(uri, *layout.room) if layout.fits else None
            cells = "x".join(map(str, qr_size(lines))) if lines else "-"
            where = ("does not fit" if not layout.fits else
                     "beside, footer" if layout.footer else "beside, no footer")
            if ACCOUNT not in uri and not (alias and alias in uri):
                where += " (label: the user alone)"
            elif alias and alias not in uri:
                where += " (alias dropped)"
            print(f"{length:>4}  {len(alias or ''):>5}  {len(uri):>3}  {qr_version(uri):>7}  "
                  f"{cells:>5}   {where}")
    with_alias = otpauth_uri(seed, "bob", ACCOUNT, alias="example-corp-prod",
                             issuer="example-corp-prod")
    print(f"alias as issuer too (not used): bob + example-corp-prod -> version "
          f"{qr_version(with_alias)}")


def terminal(repeat: int) -> None:
    from tests.fixtures.moto_server import MotoServer
    from tests.fixtures.qr_reader import decode_qr_from_ansi
    from tests.fixtures.terminal import Terminal, installed_cli

    server = MotoServer().start()
    iam = server.client("iam")
    env_base = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    figures: dict[str, list[float]] = {"to a decodable QR code": [], "Enter to exit 0": [],
                                       "Esc to exit 1": [], "SIGHUP to device deleted": []}

    def unassigned() -> int:
        return len(iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")[
            "VirtualMFADevices"])

    with tempfile.TemporaryDirectory() as tmp:
        for run in range(repeat):
            for ending in ("enter", "esc", "hangup"):
                user = f"bench-{run}-{ending}"
                iam.create_user(UserName=user)
                env = {**env_base, "XDG_STATE_HOME": os.path.join(tmp, user)}
                start = time.monotonic()
                term = Terminal([installed_cli(), "--endpoint-url", server.url, "enroll", user],
                                size=(80, 24), env=env)
                try:
                    uris: list[str] = []
                    while not uris:
                        uris = decode_qr_from_ansi(term.capture(colors=True), theme="dark")
                        if time.monotonic() - start > 60:
                            raise SystemExit("no QR code after 60 s")
                    figures["to a decodable QR code"].append(time.monotonic() - start)
                    totp = pyotp.parse_uri(uris[0])
                    t0 = time.monotonic()
                    if ending == "enter":
                        now = time.time()
                        term.type(totp.at(now) + totp.at(now + 30))
                        term.send_keys("Enter")
                        assert term.wait_exit(30) == 0
                        figures["Enter to exit 0"].append(time.monotonic() - t0)
                    elif ending == "esc":
                        term.send_keys("Escape")
                        assert term.wait_exit(30) == 1
                        figures["Esc to exit 1"].append(time.monotonic() - t0)
                    else:
                        term.kill()
                        while unassigned():
                            time.sleep(0.02)
                        figures["SIGHUP to device deleted"].append(time.monotonic() - t0)
                finally:
                    term.kill()
    server.stop()
    print(f"\nmfa-tui enroll at 80x24, {repeat} runs each (median, min-max):")
    for what, values in figures.items():
        print(f"  {what:<26} {statistics.median(values):6.2f} s  "
              f"({min(values):.2f}-{max(values):.2f})")
    print(f"  load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-terminal", action="store_true")
    args = parser.parse_args()
    sizes()
    if not args.skip_terminal:
        terminal(args.repeat)


if __name__ == "__main__":
    main()
