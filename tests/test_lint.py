"""ruff (in the test extras) keeps the code base lint-clean; CI fails on a new warning.
The tests' own house rule is checked here too."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest

from tests._support import REPO


def test_ruff_check_passes():
    ruff = shutil.which("ruff", path=str(REPO / ".venv" / "bin")) or shutil.which(
        "ruff", path=str(sys.prefix) + "/bin")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    out = subprocess.run([ruff, "check", "src", "tests", "benchmarks"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-2000:]


def test_test_modules_import_no_test_module_nor_conftest():
    """Fixtures are shared through conftest.py and helpers through tests/_support.py: a
    test module importing another imports that module's tests and fixtures as well."""
    bad = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                names = [base, *(f"{base}.{a.name}" for a in node.names)]
            else:
                continue
            for name in names:
                if any(p.startswith("test_") or p == "conftest" for p in name.split(".")):
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno} imports {name}")
    assert bad == []
