"""One module per task: the data section of the exported script (data, loss, metric, baselines) and its settings.

Each module's `build(task, cfg) -> Part` mirrors its task in `rnnlab/tasks/` step for step (the same generators,
the same order of draws), so the exported script's batches equal the trainer's; the export tests check it. The part
of a task is found by its name (`parts/<task name>.py`): a new task needs no line here, and one without a part is
refused with a message that names the file to write (tests/test_task_registry.py checks every task has one).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ...errors import RnnlabError
from ...i18n import _


class NoExportPart(RnnlabError):
    """A task that has no `parts/<name>.py` yet: it trains, but cannot be exported as a script."""


def module(name: str) -> ModuleType:
    """The export part of task `name`; NoExportPart when it has none."""
    qualified = f"{__name__}.{name}"
    try:
        found = importlib.import_module(qualified) if name.isidentifier() and not name.startswith("_") else None
    except ModuleNotFoundError as exc:
        if exc.name != qualified:  # a part that is there but imports something missing: a real bug, shown as one
            raise
        found = None
    if found is None or not callable(getattr(found, "build", None)):
        raise NoExportPart(_("The task {name!r} cannot be exported as a script yet: it has no export part "
                             "(rnnlab/export/parts/{name}.py with a build(task, cfg) function).").format(name=name))
    return found


def build(task, cfg):
    return module(task.name).build(task, cfg)
