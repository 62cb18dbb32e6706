"""The preview's `t`: the plan written as Terraform to a file the user names (Pilot, moto).

What the file holds is what `mfa-tui plan --format terraform` prints for the same users.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from mfa_tui.demo.account import seed_account
from mfa_tui.engine.connect import GlobalOptions, make_connector
from mfa_tui.tui.app import MfaTuiApp
from mfa_tui.tui.screens.enforce_preview import EnforcePreviewScreen
from mfa_tui.tui.screens.terraform_export import TerraformFileModal
from tests.fixtures.enforce_support import run_cli
from tests.fixtures.moto_server import MotoServer
from tests.fixtures.pilot_support import until

pytestmark = pytest.mark.usefixtures("state_home")


async def _preview(app: MfaTuiApp, pilot: Any) -> EnforcePreviewScreen:
    await until(pilot, lambda: getattr(app.screen, "inventory", None) is not None)
    await pilot.press("N", "p")
    screen = app.screen
    assert isinstance(screen, EnforcePreviewScreen)
    await until(pilot, lambda: screen.request is not None)
    return screen


async def test_t_writes_the_default_file_in_the_current_folder_and_says_where(
        moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_account(60)
    monkeypatch.chdir(tmp_path)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(app, "notify", lambda message, **_: said.append(str(message)))
        screen = await _preview(app, pilot)
        moto.faults.clear_requests()
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TerraformFileModal))
        assert app.screen.query_one(Input).value == "mfa-enforcement.tf"
        await pilot.press("enter")
        await until(pilot, lambda: bool(said))
        assert app.screen is screen  # back on the preview
        assert moto.faults.mutating_count() == 0  # writing a file changes nothing in AWS
    written = tmp_path / "mfa-enforcement.tf"
    assert said == [f"Wrote the Terraform configuration (11 user(s) to enforce) to {written}."]
    plan = screen.request.plan if screen.request else None
    assert plan is not None
    cli = run_cli(moto, "plan", "--format", "terraform", "--users", ",".join(
        r.user for r in plan.rows))
    assert cli.returncode == 0, cli.stderr
    assert written.read_text() == cli.stdout


async def test_escape_in_the_file_dialog_writes_nothing(
        moto: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_account(60)
    monkeypatch.chdir(tmp_path)
    app = MfaTuiApp(make_connector(GlobalOptions(endpoint_url=moto.url)), refresh_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _preview(app, pilot)
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TerraformFileModal))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
    assert not (tmp_path / "mfa-enforcement.tf").exists()
