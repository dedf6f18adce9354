"""A registry that its package's modules fill: each task module (rnnlab/tasks/) and each view module
(rnnlab/app/views/) registers itself when imported, and the registry imports them all the first time it is read, so
a new one is a new file and nothing else (a frozen app finds them in its archive the same way)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Iterable, TypeVar

T = TypeVar("T")


class Registry(dict[str, T]):
    """{name: what the module registered}. `register` code writes to it directly (`registry[name] = cls`); readers
    call `loaded()` first."""

    def __init__(self, package: str, path: Iterable[str], skip: tuple[str, ...] = ()):
        super().__init__()
        self._package, self._path, self._skip, self._loaded = package, list(path), skip, False

    def loaded(self) -> "Registry[T]":
        """Itself, after importing every public module of the package once (modules starting with _ are helpers)."""
        if not self._loaded:
            self._loaded = True
            for info in pkgutil.iter_modules(self._path):
                if info.name not in self._skip and not info.name.startswith("_"):
                    importlib.import_module(f"{self._package}.{info.name}")
        return self
