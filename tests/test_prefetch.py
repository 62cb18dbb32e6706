"""The first inventory read by a helper process while the TUI starts (mfa_tui/prefetch.py).

Real parts: the helper is the real ``python -m mfa_tui.engine.prefetch`` child process, talking to
the moto server over HTTP with the dummy credentials the moto fixture puts in the
environment; the app runs under Pilot. The server's request log tells who read what.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest

from mfa_tui import cli, launch
from mfa_tui.core.errors import Explained
from mfa_tui.core.models import Inventory
from mfa_tui.demo.account import seed_account
from mfa_tui.engine import prefetch
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.main import MainScreen
from mfa_tui.tui.widgets.account_header import AccountHeader
from mfa_tui.tui.widgets.users_table import UsersTable
from tests.fixtures.keyrings import KeyringEnv
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import loaded, until


def gone(pid: int) -> bool:
    """The process no longer exists (reaped) or is a zombie nobody waits for."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


#: This module's own dummy access key: requests a thread left by another test makes carry
#: the fixture's key, so counting by this one counts only this test's helper and app.
KEY = "dummy-prefetch-test"


def calls(moto: MotoServer, action: str) -> int:
    """Requests for ``action`` signed with this module's key."""
    return sum(1 for r in moto.faults.requests if r.action == action and r.access_key_id == KEY)


@pytest.fixture
def start_helper(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[], prefetch.Prefetch]]:
    """Starts the real helper once the test has set the account up (seeded, faults)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)  # the helper and the app's own reads
    started: list[prefetch.Prefetch] = []

    def start() -> prefetch.Prefetch:
        process = launch.spawn_helper(["--endpoint-url", moto.url])
        assert process is not None
        started.append(prefetch.Prefetch(process))
        return started[-1]

    yield start
    for helper in started:
        helper.stop()


def app_reading_through(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> tuple[MfaTuiApp, prefetch.Prefetch]:
    """The helper started on the account as the test set it up, and the app reading it."""
    helper = start_helper()
    return app_with(moto, helper), helper


def app_with(moto: MotoServer, started: prefetch.Prefetch | None) -> MfaTuiApp:
    opts = GlobalOptions(endpoint_url=moto.url)
    return MfaTuiApp(make_connector(opts), refresh_interval=0, options=opts, prefetch=started)


@pytest.mark.parametrize("argv", [
    [], ["--profile", "ops"], ["--profile=ops", "--region", "eu-west-1"],
    ["--endpoint-url", "http://127.0.0.1:9", "--region=us-east-1"],
])
def test_the_quick_scan_reads_plain_launches_as_the_full_parser_does(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(argv)
    assert args.command is None and not args.demo
    assert launch.plain_tui_options(argv) == {
        "profile": args.profile, "region": args.region, "endpoint_url": args.endpoint_url}


def test_one_table_of_global_options_for_the_parser_the_scan_and_the_helper() -> None:
    """The full parser's global options are the table's; what the scan reads, the helper's
    argv carries back to the same options."""
    from mfa_tui.engine.launch_options import GLOBAL_OPTIONS, helper_argv

    flags = {flag for action in cli.build_parser()._actions for flag in action.option_strings}
    assert flags - {"-h", "--help", "--version"} == {option.flag for option in GLOBAL_OPTIONS}
    argv = ["--region=eu-west-1", "--profile", "ops", "--endpoint-url", "http://127.0.0.1:9"]
    options = launch.plain_tui_options(argv)
    assert options is not None and launch.plain_tui_options(helper_argv(options)) == options


@pytest.mark.parametrize("argv", [
    ["report"], ["--help"], ["--version"], ["--demo"], ["--demo-users", "10"],
    ["--endpoint-url", "http://127.0.0.1:9", "check", "bob"], ["--prof", "ops"],
    ["--profile"], ["--profile", "--region", "x"], ["--no-such-flag"], ["enroll"],
])
def test_anything_but_a_plain_launch_starts_no_helper(argv: list[str]) -> None:
    assert launch.plain_tui_options(argv) is None
    assert launch.spawn_helper(argv) is None


def test_no_helper_when_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFA_TUI_NO_PREFETCH", "1")
    assert launch.spawn_helper([]) is None


def add_keyring_profile(moto: MotoServer) -> None:
    """A keyring profile "ops" on the moto server; its request log emptied."""
    from mfa_tui.state import profiles

    profiles.add(profiles.Profile("ops", "AKIAEXAMPLEEXAMPLE01", endpoint_url=moto.url),
                 profiles.Secrets("s" * 40))
    moto.faults.clear_requests()


def test_the_helper_steps_aside_for_a_keyring_profile(
    file_keyring: KeyringEnv, moto: MotoServer,
) -> None:
    """Its secret and MFA code stay in the TUI: the child exits without a line or a call."""
    add_keyring_profile(moto)
    process = launch.spawn_helper(["--profile", "ops"])
    assert isinstance(process, subprocess.Popen)  # a second thread here (the moto server's)
    out, _ = process.communicate(timeout=30)
    assert out == b"" and process.returncode == 0
    assert moto.faults.requests == []


def test_a_missing_aws_profile_is_one_sentence_from_the_helper(moto: MotoServer) -> None:
    process = launch.spawn_helper(["--profile", "no-such-profile"])
    assert process is not None
    with pytest.raises(Explained, match="No profile named 'no-such-profile'"):
        prefetch.Prefetch(process).result(lambda inventory: None)


async def test_the_helper_reads_the_account_and_the_app_does_not_read_it_again(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    seed_account(60)
    moto.faults.add_latency(1.5, actions="ListUsers")
    moto.faults.clear_requests()
    app, helper = app_reading_through(moto, start_helper)
    async with app.run_test(size=(100, 30)) as pilot:
        header = app.screen.query_one(AccountHeader)
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60)
        assert header.inventory is not None and header.inventory.provisional
        # Painted: the app tells the helper, whose ListUsers (1.5 s late here) then goes out.
        await until(pilot, lambda: helper.told_painted, timeout=1.0)
        assert header.inventory.provisional
        await until(pilot, lambda: loaded(app))
        assert "example-corp-prod" in str(header.render())
        assert calls(moto, "ListUsers") == 1  # the helper's; the app did not repeat it
        assert calls(moto, "GetCredentialReport") == 1
        await until(pilot, lambda: gone(helper.pid))
        await until(pilot, lambda: app._connection is not None)  # ready for the first detail
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.inventory is not None
        bob = screen.inventory.get("bob")
        assert bob is not None and not bob.compliant


async def test_an_aws_error_in_the_helper_is_the_same_one_sentence(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    seed_account(60)
    moto.faults.access_denied(actions="ListUsers")
    app, _ = app_reading_through(moto, start_helper)
    async with app.run_test(size=(100, 30)) as pilot:
        header = app.screen.query_one(AccountHeader)
        await until(pilot, lambda: bool(header.error))
        assert "AWS denied ListUsers" in header.error
        assert "Traceback" not in header.error


async def test_a_helper_that_dies_means_the_app_reads_by_itself(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    seed_account(60)
    helper = start_helper()
    os.kill(helper.pid, 9)
    moto.faults.clear_requests()
    app = app_with(moto, helper)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: loaded(app))
        assert len(app.screen.query_one(UsersTable).rows) == 60
    assert calls(moto, "ListUsers") == 1  # the app's own read


async def test_leaving_the_app_stops_a_helper_still_reading(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    seed_account(60)
    moto.faults.add_latency(10.0, actions="ListUsers")
    app, helper = app_reading_through(moto, start_helper)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60)  # the report's table
        assert not gone(helper.pid)  # still waiting for ListUsers
        await pilot.press("q")
    assert gone(helper.pid) and helper.stopped


@pytest.mark.parametrize("how", ["--profile", "AWS_PROFILE"])
def test_the_helper_steps_aside_for_an_aws_profile_that_needs_an_mfa_code(
    moto: MotoServer, file_keyring: KeyringEnv, monkeypatch: pytest.MonkeyPatch, how: str,
) -> None:
    """botocore's assume-role provider would ask for the code: the child cannot, so it sends
    nothing and makes no AssumeRole call; the TUI then asks in its modal (test_profile_tui)."""
    import boto3

    from tests.fixtures.profile_helpers import create_admin
    from tests.test_profile_sessions import TRUST, write_aws_config

    iam = boto3.client("iam", endpoint_url=moto.url, region_name="us-east-1")
    admin = create_admin(iam, "admin-a")
    role = iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)["Role"]
    write_aws_config(moto, admin, role["Arn"])
    moto.faults.clear_requests()
    if how == "AWS_PROFILE":
        monkeypatch.setenv("AWS_PROFILE", "ops")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(name, raising=False)
    process = launch.spawn_helper(["--profile", "ops"] if how == "--profile" else [])
    assert isinstance(process, subprocess.Popen)
    out, _ = process.communicate(timeout=30)
    assert out == b"" and process.returncode == 0
    assert moto.faults.count("AssumeRole") == 0


async def test_switching_accounts_stops_the_helper_and_never_shows_its_answer(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    """P (profile picker) mid-read: the old account's helper is killed and its answer dropped."""
    seed_account(60)
    moto.faults.add_latency(10.0, actions="ListUsers", times=1)  # only the helper's
    moto.faults.clear_requests()
    app, helper = app_reading_through(moto, start_helper)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(UsersTable)
        await until(pilot, lambda: len(table.rows) == 60)  # the helper's report table
        await until(pilot, lambda: calls(moto, "ListUsers") == 1)  # held at the server
        app.switch_connection(make_connector(GlobalOptions(endpoint_url=moto.url)), "other")
        assert helper.stopped
        await until(pilot, lambda: gone(helper.pid))
        await until(pilot, lambda: loaded(app))  # the new connection's own complete read
        header = app.screen.query_one(AccountHeader)
        assert header.profile == "other" and not header.error


async def test_the_helper_says_when_aws_is_generating_the_report(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    """As in test_inventory_provisional, through the helper's status line."""
    seed_account(60)
    moto.faults.add_latency(1.5, actions="GetCredentialReport")
    app, _ = app_reading_through(moto, start_helper)
    async with app.run_test(size=(100, 30)) as pilot:
        header = app.screen.query_one(AccountHeader)
        await until(pilot, lambda: "AWS is generating the credential report" in
                    str(header.render()))
        await until(pilot, lambda: loaded(app))
        assert "generating" not in str(header.render())


def _child_writing(data: bytes) -> prefetch.Prefetch:
    """A stand-in helper that writes ``data`` (bytes, as they are) on its stdout."""
    import subprocess
    import sys

    script = "import sys\nsys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))\n"
    return prefetch.Prefetch(subprocess.Popen([sys.executable, "-c", script, data.hex()],
                                              stdout=subprocess.PIPE))


_SMALL_READS: dict[str, object] = {
    "generated_at": None, "caller": {"account": "123456789012", "arn": "arn:x"},
    "alias": "ops", "attached_users": [], "attached_groups": {},
    "policy_name": "EnforceMFAPolicy", "problems": []}  # the helper's small reads, as sent


def _child_printing(*lines: str) -> prefetch.Prefetch:
    """A stand-in helper that writes ``lines`` on its stdout, as the real one would."""
    return _child_writing("".join(f"{line}\n" for line in lines).encode())


def test_the_helpers_inventories_arrive_whole(moto: MotoServer) -> None:
    """Both tables the real helper sends load as the inventories an in-process read makes."""
    from mfa_tui.aws.inventory import load_inventory
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions

    seed_account(60)
    child = subprocess.Popen([sys.executable, "-m", "mfa_tui.engine.prefetch",
                              f"--endpoint-url={moto.url}"], stdout=subprocess.PIPE)
    reports: list[object] = []
    got = prefetch.Prefetch(child).result(reports.append)
    here = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    assert got is not None and not got.provisional
    assert got.users == here.users  # every field of every user
    [report] = reports
    assert isinstance(report, Inventory) and report.provisional
    # The report's table, its CSV sent ahead of the small reads and parsed meanwhile: on
    # moto (whose report is made anew at each read) it agrees with the live read user by user.
    def verdicts(inventory: Inventory) -> list[tuple[object, ...]]:
        return [(u.user, u.console_access, u.mfa_active, u.enforced_via, u.access_keys_active,
                 u.password_last_used) for u in inventory.users]
    assert verdicts(report) == verdicts(here) and len(report.users) == 60
    assert report.alias == here.alias == "example-corp-prod"


def test_the_report_without_its_csv_means_the_app_reads_by_itself() -> None:
    """A report line whose CSV never came ahead is damaged: no table from it."""
    tables: list[Inventory] = []
    helper = _child_printing(json.dumps({"report": _SMALL_READS}))
    assert helper.result(tables.append) is None and tables == []


@pytest.mark.parametrize("payload", [
    "not base64 at all!", "", '{"users": []}',
    prefetch.base64.b64encode(prefetch.pickle.dumps({"users": []})).decode(),  # not one
])
def test_a_damaged_inventory_from_the_helper_means_the_app_reads_by_itself(payload: str) -> None:
    import json

    helper = _child_printing(json.dumps({"inventory": payload}))
    assert helper.result(lambda _: None) is None


_REPORT = ("user,arn,user_creation_time,password_enabled,password_last_used,mfa_active\n"
           "zoë,arn:aws:iam::123456789012:user/zoë,2026-01-01T00:00:00+00:00,true,N/A,false\n"
           "bob,arn:aws:iam::123456789012:user/bob,2026-01-01T00:00:00+00:00,true,N/A,true\n")


def test_the_reports_csv_crosses_as_bytes_and_is_read_whole() -> None:
    """The CSV follows its length in bytes: a character of two bytes does not cut it short,
    and the small reads after it are read as the next line."""
    import json

    csv = _REPORT.encode()
    tables: list[Inventory] = []
    helper = _child_writing(json.dumps({"csv_bytes": len(csv)}).encode() + b"\n" + csv
                            + json.dumps({"report": _SMALL_READS}).encode() + b"\n")
    assert helper.result(tables.append) is None  # no complete inventory followed
    [table] = tables
    assert [(u.user, u.mfa_active) for u in table.users] == [("bob", True), ("zoë", False)]
    assert table.alias == "ops"


@pytest.mark.parametrize("announced", [len(_REPORT.encode()) + 10, 0, -1, "12", True,
                                       prefetch.MAX_CSV_BYTES + 1])
def test_a_report_cut_short_or_oddly_announced_means_the_app_reads_by_itself(
        announced: object) -> None:
    import json

    tables: list[Inventory] = []
    helper = _child_writing(json.dumps({"csv_bytes": announced}).encode() + b"\n"
                            + _REPORT.encode())
    assert helper.result(tables.append) is None and tables == []


#: The console script's own start, in a fresh interpreter with one thread: the helper is a
#: fork of it (launch._forked_helper). Prints what the test checks, as JSON.
FORKED = textwrap.dedent("""
    import json, os, sys, time
    from mfa_tui import launch
    process = launch.spawn_helper(sys.argv[1:])
    from mfa_tui.engine.prefetch import Prefetch
    helper = Prefetch(process)
    began = time.monotonic()
    if os.environ.get("STOP_AFTER"):
        time.sleep(float(os.environ["STOP_AFTER"]))
        helper.stop()
        users, tables = None, 0
    else:
        reports = []
        inventory = helper.result(lambda table: (reports.append(table), helper.painted()))
        users = None if inventory is None else sorted(u.user for u in inventory.users)
        tables = len(reports)
    try:
        os.waitpid(process.pid, os.WNOHANG)
        reaped = False
    except ChildProcessError:
        reaped = True
    print(json.dumps({"kind": type(process).__name__, "users": users, "tables": tables,
                      "reaped": reaped, "seconds": time.monotonic() - began}))
""")


def run_forked(*argv: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """FORKED's answer for the launch ``argv``."""
    done = subprocess.run([sys.executable, "-c", FORKED, *argv], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})}, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_console_scripts_helper_is_a_fork_that_reads_the_whole_account(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The console script has one thread when it starts the helper: a fork of it, no second
    interpreter. It sends the report's table and the whole inventory, reads the account once,
    and is reaped when done."""
    from mfa_tui.aws.inventory import load_inventory
    from mfa_tui.aws.session import AwsConnection, ConnectionOptions

    seed_account(60)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    moto.faults.clear_requests()
    got = run_forked("--endpoint-url", moto.url)
    assert got["kind"] == "ForkedHelper"
    assert got["tables"] == 1 and got["reaped"] is True
    assert calls(moto, "ListUsers") == 1 and calls(moto, "GetCredentialReport") == 1
    here = load_inventory(AwsConnection(ConnectionOptions(endpoint_url=moto.url)))
    assert got["users"] == sorted(u.user for u in here.users) and len(here.users) == 60


def test_stopping_a_forked_helper_mid_read_kills_and_reaps_it(
    moto: MotoServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_account(60)
    moto.faults.add_latency(10.0, actions="GetCredentialReport", times=1)
    got = run_forked("--endpoint-url", moto.url, env={"STOP_AFTER": "0.5"})
    assert got["kind"] == "ForkedHelper" and got["reaped"] is True
    assert isinstance(got["seconds"], float) and got["seconds"] < 5  # not the 10 s read


def test_a_forked_helper_steps_aside_for_a_keyring_profile(
    file_keyring: KeyringEnv, moto: MotoServer,
) -> None:
    """No line from the fork either: the app reads the account itself (no inventory)."""
    add_keyring_profile(moto)
    got = run_forked("--profile", "ops")
    assert got == {**got, "kind": "ForkedHelper", "users": None, "tables": 0, "reaped": True}
    assert moto.faults.requests == []


def _first_list_and_report(moto: MotoServer) -> tuple[float, float]:
    """When this module's helper sent its first big list and its GenerateCredentialReport."""
    mine = [r for r in moto.faults.requests if r.access_key_id == KEY]
    first_list = min(r.at for r in mine if r.action in {"ListUsers", "ListVirtualMFADevices"})
    generate = min(r.at for r in mine if r.action == "GenerateCredentialReport")
    return first_list, generate


def test_the_helper_holds_its_big_lists_until_the_table_is_painted(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    """Their pages (botocore's parsing, the server's work on a local endpoint) would take the
    CPU from the table's paint: they wait until the TUI says it has painted the report's
    table, or until the head start (from the helper's start) is over."""
    import time

    from mfa_tui.aws.inventory import REPORT_HEAD_START_S

    seed_account(60)
    moto.faults.clear_requests()
    began = time.monotonic()
    helper = start_helper()
    told: list[float] = []

    def paint_slowly(table: Inventory) -> None:
        time.sleep(1.0)
        told.append(time.monotonic())
        helper.painted()

    got = helper.result(paint_slowly)
    assert got is not None and len(got.users) == 60 and len(told) == 1
    first_list, _ = _first_list_and_report(moto)
    assert first_list >= min(told[0], began + REPORT_HEAD_START_S)


def test_the_helper_reads_on_as_soon_as_the_table_is_painted(
    moto: MotoServer, start_helper: Callable[[], prefetch.Prefetch],
) -> None:
    """Painted at once: the lists do not wait for the head start to run out (they were
    submitted before GenerateCredentialReport went out)."""
    from mfa_tui.aws.inventory import REPORT_HEAD_START_S

    seed_account(60)
    moto.faults.clear_requests()
    helper = start_helper()
    got = helper.result(lambda table: helper.painted())
    assert got is not None and len(got.users) == 60
    first_list, generate = _first_list_and_report(moto)
    assert first_list < generate + REPORT_HEAD_START_S - 0.1
