"""rnnlab.experiments sits between runs and app: it imports downward only, and never Qt or Ray at module level."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "rnnlab" / "experiments"


def test_experiments_import_only_downward():
    offenders = []
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2 and node.module:
                if node.module.split(".")[0] in ("app", "cli", "selftest"):
                    offenders.append(f"{path.name}: ..{node.module}")
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in ("PySide6", "pyqtgraph", "rnnlab"):
                    offenders.append(f"{path.name}: {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.split(".")[0] in
                              ("PySide6", "pyqtgraph")]
        # Ray only inside functions of cluster.py (imported when asked for)
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: top-level {n}" for n in names if n.split(".")[0] == "ray"]
    assert not offenders, offenders
