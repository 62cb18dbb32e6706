"""moto answers one request at a time (mfa_tui/demo/one_at_a_time.py): its server is not
thread-safe, and the demo's first read once failed in CI with moto's HTML 500 page."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

from mfa_tui.demo.one_at_a_time import OneAtATime


def _app(inside: list[int], peak: list[int], release: threading.Event) -> Any:
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body() -> Any:
            yield b"part one, "
            with lock:  # the body is still being built: the request is not over yet
                inside[0] -= 1
            yield b"part two"
        return body()
    return app


def test_a_second_request_waits_until_the_first_has_its_whole_answer() -> None:
    inside, peak, release = [0], [0], threading.Event()
    wrapped = OneAtATime(_app(inside, peak, release))
    answers: list[bytes] = []
    statuses: list[str] = []

    def call() -> None:
        answer = wrapped({}, lambda status, headers: statuses.append(status))
        answers.append(b"".join(answer))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    release.wait(0.3)  # the first request is inside; the others must be waiting
    assert inside[0] == 1
    release.set()
    for t in threads:
        t.join(5)
    assert peak[0] == 1
    assert answers == [b"part one, part two"] * 3
    assert statuses == ["200 OK"] * 3


def test_the_body_is_closed_as_wsgi_requires() -> None:
    closed: list[bool] = []

    class Answer(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [])
        return Answer([b"ok"])

    assert OneAtATime(app)({}, lambda *a: None) == [b"ok"]
    assert closed == [True]


_BURST = """
import json
from concurrent.futures import ThreadPoolExecutor
from mfa_tui.engine.connect import GlobalOptions, make_connector
iam = make_connector(GlobalOptions(demo=True, demo_users=20))().client("iam")  # as --demo does
calls = [iam.list_users, iam.get_account_summary, iam.list_account_aliases,
         iam.list_virtual_mfa_devices] * 6
with ThreadPoolExecutor(12) as pool:
    answers = list(pool.map(lambda call: call(), calls))
print(json.dumps([[a["ResponseMetadata"]["HTTPStatusCode"] for a in answers],
                  len(answers[0]["Users"])]))
"""


def test_the_demo_server_answers_a_burst_of_first_requests() -> None:
    """A fresh demo (its own process: the demo seeds moto's in-process backends) answers
    concurrent first requests of one service, the case moto's template race broke."""
    done = subprocess.run([sys.executable, "-c", _BURST], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    statuses, users = json.loads(done.stdout.strip().splitlines()[-1])
    assert statuses == [200] * 24
    assert users == 20
