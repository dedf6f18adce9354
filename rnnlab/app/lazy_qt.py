"""pyqtgraph imported without creating every class of PySide6 at once (~0.1 s of the window's start, issue 24).

PySide6 (6.8 and later) creates a module's classes on first use. `import pyqtgraph` copies every name of QtCore,
QtGui and QtWidgets into its own mirror modules (pyqtgraph.Qt's `_copy_attrs`: `for o in dir(src): setattr(dst, o,
getattr(src, o))`), which creates all ~720 classes: 0.12-0.15 s, for the few dozen the window uses. `install()` puts
a finder on sys.meta_path that runs pyqtgraph.Qt's own code unchanged but for `dir`, which gives nothing for those
three PySide6 modules; each mirror then answers a name on first use from its PySide6 module (a module `__getattr__`,
PEP 562) and keeps it, so `pyqtgraph.Qt.QtCore.QObject is PySide6.QtCore.QObject` as before
(tests/gui/test_lazy_start.py). Best effort: a pyqtgraph that copies another way, or one imported before, is left as it
is; the finder goes once pyqtgraph.Qt is found.
"""

from __future__ import annotations

import builtins
import importlib.abc
import sys
import types

MIRRORED = ("QtCore", "QtGui", "QtWidgets")
_MODULE = "pyqtgraph.Qt"


def install() -> None:
    """Before pyqtgraph's first import (rnnlab.app's); nothing if it is imported already."""
    if _MODULE in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())


def _lazy_dir(*args):
    """pyqtgraph.Qt's `dir`: the three PySide6 modules list nothing (their mirrors look names up when asked)."""
    if len(args) == 1 and isinstance(args[0], types.ModuleType):
        parent, _dot, name = args[0].__name__.partition(".")
        mirror = sys.modules.get(f"{_MODULE}.{name}")
        if parent in ("PySide6",) and name in MIRRORED and mirror is not None:
            _forward(mirror, args[0])
            return []
    return builtins.dir(*args)


def _forward(mirror: types.ModuleType, source: types.ModuleType) -> None:
    def __getattr__(name: str):
        value = getattr(source, name)  # AttributeError as for any missing name
        setattr(mirror, name, value)  # found once
        return value

    mirror.__getattr__ = __getattr__


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != _MODULE:
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


class _Loader(importlib.abc.Loader):
    """pyqtgraph.Qt's own loader, its code run with `_lazy_dir` for `dir`."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def create_module(self, spec):
        return self.real.create_module(spec)

    def exec_module(self, module) -> None:
        module.__dict__["dir"] = _lazy_dir
        try:
            self.real.exec_module(module)
        finally:
            module.__dict__.pop("dir", None)
