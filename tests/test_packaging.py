"""The wheel a user installs holds the stylesheets and policy templates; the code is lint-clean."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_stylesheets_and_policy_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = tmp_path.glob("mfa_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    tcss = sorted(p.name for p in (ROOT / "styles").glob("*.tcss"))
    assert tcss, "no stylesheets in styles/"
    for name in tcss:
        assert f"mfa_tui/styles/{name}" in names
    assert "mfa_tui/core/policies/enforce-mfa.json" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mfa-tui = mfa_tui.launch:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_ruff_is_clean() -> None:
    paths = [p for p in ("mfa_tui", "tests", "benchmarks", "docs") if (ROOT / p).is_dir()]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *paths], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """The package and its tests (pyproject's [tool.mypy] files)."""
    result = subprocess.run([sys.executable, "-m", "mypy", "mfa_tui", "tests"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
