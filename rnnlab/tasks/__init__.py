"""The task registry. A task is one module in this package with one `@register`ed `Task` subclass; nothing else."""

from __future__ import annotations

import importlib
import pkgutil

from .base import Batch, Metric, ModelSpec, Option, Split, Task
from ..i18n import N_, _, ngettext

_REGISTRY: dict[str, type[Task]] = {}
_loaded = False


def register(cls: type[Task]) -> type[Task]:
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(_("two tasks are named {name!r}").format(name=cls.name))
    _REGISTRY[cls.name] = cls
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def names() -> list[str]:
    _load_all()
    return sorted(_REGISTRY, key=lambda n: (_REGISTRY[n].order, n))


def get(name: str) -> type[Task]:
    _load_all()
    return _REGISTRY[name]


def all_tasks() -> list[type[Task]]:
    return [get(n) for n in names()]


__all__ = ["Batch", "Metric", "ModelSpec", "Option", "Split", "Task", "register", "names", "get", "all_tasks"]
