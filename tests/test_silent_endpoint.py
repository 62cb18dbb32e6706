"""An endpoint that never answers, or is not a URL, gets one sentence fast (issue 13).

A listening socket that accepts and never replies (tests/fixtures/silent_server.py) used to
take 214 s (8 attempts of 30 s) to produce its sentence. Nothing leaves the machine.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from botocore.exceptions import ReadTimeoutError

from mfa_tui.aws.call_budget import READ_TIMEOUT
from mfa_tui.aws.session import AwsConnection, ConnectionOptions
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.silent_server import connections, silent_endpoint
from tests.fixtures.terminal import installed_cli

#: The promise (DESIGN.md): any command answers a silent endpoint within this.
ANSWER_WITHIN = 15.0


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None
        ) -> tuple[subprocess.CompletedProcess[str], float]:
    full = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                XDG_STATE_HOME=str(tmp_path / "state"), **(env or {}))
    started = time.monotonic()
    result = subprocess.run([installed_cli(), "--region", "us-east-1", *args],
                            capture_output=True, text=True, timeout=120, env=full)
    return result, time.monotonic() - started


@pytest.mark.parametrize("command", [["report"], ["check", "alice"], ["plan", "--users", "bob"]])
def test_a_silent_endpoint_is_one_sentence_within_15_seconds(
        tmp_path: Path, command: list[str]) -> None:
    # What the process needs before its first call (imports: seconds on a loaded machine) is
    # measured by the same command failing before the network; the promise is about the rest.
    _, startup = cli(tmp_path, "--endpoint-url", "notaurl", *command)
    with silent_endpoint() as url:
        result, took = cli(tmp_path, "--endpoint-url", url, *command)
    assert took - startup < ANSWER_WITHIN, f"took {took:.1f} s (startup {startup:.1f} s)"
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "did not answer" in line and url in line


def test_a_silent_endpoint_gets_two_attempts_and_no_more() -> None:
    with silent_endpoint() as url:
        conn = AwsConnection(ConnectionOptions(region="us-east-1", endpoint_url=url,
                                               access_key_id="testing",
                                               secret_access_key="testing"))
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            conn.caller()
        took = time.monotonic() - started
        attempts = connections(url)
    # Two reads of READ_TIMEOUT and one backoff (at most a second): the socket timeouts are
    # wall clock, so load barely moves this.
    assert attempts == 2
    assert 2 * READ_TIMEOUT <= took < 2 * READ_TIMEOUT + 3


def test_a_slow_answer_within_the_budget_is_still_retried(moto: MotoServer) -> None:
    # One answer later than the read timeout: botocore tries again and the call succeeds.
    moto.faults.add_latency(5.0, actions="GetCallerIdentity", times=1)
    conn = AwsConnection(ConnectionOptions(region="us-east-1", endpoint_url=moto.url))
    assert conn.caller().account == "123456789012"
    assert moto.faults.count("GetCallerIdentity") == 2


def test_throttling_keeps_every_retry(moto: MotoServer) -> None:
    # Bulk apply relies on these: the budget bounds only calls that get no answer.
    moto.faults.throttle(actions="ListUsers", times=5)
    conn = AwsConnection(ConnectionOptions(region="us-east-1", endpoint_url=moto.url))
    conn.client("iam").list_users()
    assert moto.faults.count("ListUsers") == 6


@pytest.mark.parametrize("how", ["flag", "env"])
@pytest.mark.parametrize("url", ["notaurl", "127.0.0.1:5000", "ftp://host", "http://:99",
                                 "http://host:port"])
def test_an_endpoint_that_is_not_a_url_is_said_so(tmp_path: Path, how: str, url: str) -> None:
    args = ["--endpoint-url", url] if how == "flag" else []
    result, _ = cli(tmp_path, *args, "report", env={"AWS_ENDPOINT_URL": url} if how == "env"
                    else None)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert f"The endpoint URL '{url}' is not a URL" in line
