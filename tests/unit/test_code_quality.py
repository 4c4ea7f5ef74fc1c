"""Static checks run as part of the suite: ruff, mypy (strict on app/ and automation/), and
the import-linter contracts (app/ and automation/ never import Qt, qasync or ui/)."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_contracts_hold():
    proc = _run(str(BIN / "lint-imports"), "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_clean():
    proc = _run(str(BIN / "ruff"), "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean():
    proc = _run(sys.executable, "-m", "mypy", "app", "automation", "ui")
    assert proc.returncode == 0, proc.stdout + proc.stderr


SHOTS = ROOT / "docs" / "img" / "desktop"


def test_screenshot_drivers_are_typed():
    """make screenshots' drivers: mypy strict over the real ui/ types, and no ``Any`` named
    (an AST check: mypy's ``--disallow-any-explicit`` would also apply to every module they
    import, and its cache hid that until a cold run)."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict",
         *sorted(str(p.relative_to(ROOT)) for p in SHOTS.glob("*.py"))],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MYPYPATH": str(SHOTS)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    named_any = [f"{path.name}:{node.lineno}" for path in sorted(SHOTS.glob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if (isinstance(node, ast.Name) and node.id == "Any")
                 or (isinstance(node, ast.Attribute) and node.attr == "Any")]
    assert named_any == []


def test_screenshot_drivers_use_no_private_names():
    """They drive the window through its public API: no ``obj._private`` from outside."""
    found = []
    for path in sorted(SHOTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert found == []
