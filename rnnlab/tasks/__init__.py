"""The task registry. A task is one module in this package with one `@register`ed `Task` subclass; nothing else."""

from __future__ import annotations

from .base import Batch, Metric, ModelSpec, Option, Split, Task
from ..i18n import N_, _, ngettext
from ..registry import Registry

_REGISTRY: Registry[type[Task]] = Registry(__name__, __path__, skip=("base",))


def register(cls: type[Task]) -> type[Task]:
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(_("two tasks are named {name!r}").format(name=cls.name))
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    registry = _REGISTRY.loaded()
    return sorted(registry, key=lambda n: (registry[n].order, n))


def get(name: str) -> type[Task]:
    return _REGISTRY.loaded()[name]


def all_tasks() -> list[type[Task]]:
    return [get(n) for n in names()]


__all__ = ["Batch", "Metric", "ModelSpec", "Option", "Split", "Task", "register", "names", "get", "all_tasks"]
