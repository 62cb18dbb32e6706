"""Architecture rules a user feels: the backend runs without Textual; first paint, no botocore."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


@pytest.mark.parametrize("module", [
    "mfa_tui.core.models", "mfa_tui.core.credential_report", "mfa_tui.core.inventory_merge",
    "mfa_tui.core.report_shape", "mfa_tui.core.qr_text", "mfa_tui.aws.inventory",
    "mfa_tui.aws.session", "mfa_tui.commands.report", "mfa_tui.core.user_detail",
    "mfa_tui.aws.user_detail", "mfa_tui.commands.check",
    "mfa_tui.core.otpauth", "mfa_tui.core.totp_check", "mfa_tui.core.enroll_layout",
    "mfa_tui.aws.enroll", "mfa_tui.aws.mfa_devices", "mfa_tui.commands.enroll",
])
def test_core_and_aws_never_import_textual(module: str) -> None:
    assert "textual" not in _imported_after(f"import {module}")


def test_the_app_module_loads_without_boto3() -> None:
    # The TUI must paint before botocore (~0.5 s) is imported; the app module may not pull it in.
    mods = _imported_after("import mfa_tui.cli, mfa_tui.tui.app")
    assert "textual" in mods
    assert "boto3" not in mods and "botocore" not in mods and "moto" not in mods


def test_the_console_script_starts_the_helper_before_anything_heavy_loads() -> None:
    """launch.py decides on the prefetch helper with what the interpreter has already loaded:
    dataclasses, typing or argparse there cost the helper ~15 ms of its head start."""
    loaded_anyway = _imported_after("")
    assert _imported_after("import mfa_tui.launch") - loaded_anyway <= {
        "mfa_tui", "gc", "__future__"}


def test_the_import_contracts_hold() -> None:
    # pyproject.toml's [tool.importlinter]: the layers and the forbidden imports, including
    # the imports inside functions that sys.modules cannot see until they run.
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=root, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout
    assert "No import cycles between sibling modules or packages" in result.stdout  # checked
