"""Keyring profiles: what the timeout wrapper and the profile commands cost (prints figures).

Runs in a throwaway HOME with keyrings.alt's file backend (no Secret Service needed):

* one keyring read straight through ``keyring`` vs through ``keyring_access`` (a thread and a
  join with a timeout per call, plus the backend checks);
* wall time of the installed ``mfa-tui profile list`` / ``profile add`` (they must not load
  boto3 or Textual).

    .venv/bin/python benchmarks/keyring_profiles.py [--reads 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _isolated_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_STATE_HOME", "state"), ("XDG_CACHE_HOME", "cache")):
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(root / sub)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={root / 'no-bus'}"
    return env


def _cli() -> str:
    found = Path(sys.executable).with_name("mfa-tui")
    return str(found) if found.exists() else (shutil.which("mfa-tui") or "mfa-tui")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mfa-kr-bench-"))
    try:
        env = _isolated_env(root)
        os.environ.update(env)
        import keyring

        from mfa_tui.state import keyring_access

        keyring.set_password("mfa-tui", "bench", '{"aws_secret_access_key": "x"}')
        t0 = time.perf_counter()
        for _ in range(args.reads):
            keyring.get_password("mfa-tui", "bench")
        direct = (time.perf_counter() - t0) / args.reads
        t0 = time.perf_counter()
        for _ in range(args.reads):
            keyring_access.get_secret("bench")
        wrapped = (time.perf_counter() - t0) / args.reads
        print(f"keyring read, direct:              {direct * 1e3:7.3f} ms")
        print(f"keyring read, with timeout+checks: {wrapped * 1e3:7.3f} ms "
              f"(+{(wrapped - direct) * 1e3:.3f} ms a call)")

        secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzBENCHKEY\n"
        for label, argv, stdin in (
            ("profile add", ["profile", "add", "p", "--access-key-id", "AKIAIOSFODNN7EXAMPLE",
                             "--replace"], secret),
            ("profile list", ["profile", "list"], ""),
        ):
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                done = subprocess.run([_cli(), *argv], input=stdin, env=env, text=True,
                                      capture_output=True, check=False)
                times.append(time.perf_counter() - t0)
                if done.returncode != 0:
                    print(f"{label} failed: {done.stderr.strip()}")
                    break
            print(f"mfa-tui {label:<13} median {statistics.median(times):.3f} s "
                  f"(min {min(times):.3f}, {len(times)} runs)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
