"""One module per task: the data section of the exported script (data, loss, metric, baselines) and its settings.

Each module's `build(task, cfg) -> Part` mirrors its task in `rnnlab/tasks/` step for step (the same generators,
the same order of draws), so the exported script's batches equal the trainer's; the export tests check it.
"""

from __future__ import annotations

import importlib


def build(task, cfg):
    return importlib.import_module(f"{__name__}.{task.name}").build(task, cfg)
