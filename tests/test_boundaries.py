"""The core stays free of Qt: import-linter's contract covers every core package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def contract_sources() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    qt_contract = next(contract for contract in contracts if contract["type"] == "forbidden")
    assert {"PySide6", "designer.ui"} <= set(qt_contract["forbidden_modules"])
    return set(qt_contract["source_modules"])


def test_contract_covers_every_core_module():
    core = {"nodes"}
    for child in (ROOT / "designer").iterdir():
        if child.name.startswith(("_", ".")) or child.name == "ui":
            continue
        if child.is_dir() or child.suffix == ".py":
            core.add(f"designer.{child.stem}")
    assert core <= contract_sources()


def test_import_linter_contract_holds():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_core_imports_without_qt():
    code = (
        "import sys, designer.cli, designer.compiler, designer.project, nodes; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
