"""rnnlab.experiments never imports Ray at module level: `rnnlab sweep` without --ray works where Ray is absent."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "rnnlab" / "experiments"


def test_ray_is_imported_only_when_asked_for():
    """Ray is an optional extra, never in the installers: no module of the package imports it at module level.
    (The layers and the Qt ban are import-linter contracts in pyproject.toml, run by tests/test_architecture.py.)"""
    offenders = []
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: top-level {n}" for n in names if n.split(".")[0] == "ray"]
    assert not offenders, offenders
