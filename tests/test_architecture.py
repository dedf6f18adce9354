"""House rule that must not rot: the engine never imports Qt (only rnnlab/app/ may)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "rnnlab"
QT = ("PySide6", "pyqtgraph", "PyQt5", "PyQt6", "shiboken6")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_engine_modules_do_not_import_qt():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "app" or rel.name == "selftest.py":
            continue
        offenders += [f"{rel}: {m}" for m in imported_modules(path) if m.split(".")[0] in QT]
    assert not offenders, offenders


@pytest.mark.slow
def test_engine_import_does_not_load_qt():
    import subprocess
    import sys

    code = ("import sys, rnnlab.train.trainer, rnnlab.runs.store, rnnlab.cli, rnnlab.tasks as t; t.names(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in %r))" % (QT,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_import_linter_contracts_hold():
    """The layers (errors < options < data < tasks < config < models < train < runs < app < cli) and the Qt ban, as
    written in pyproject.toml: a run of import-linter, so a new upward import fails the suite, not a later review."""
    import shutil
    import subprocess
    import sys

    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extra: pip install -e '.[test]'"
    result = subprocess.run([exe, "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    assert "0 broken" in result.stdout
