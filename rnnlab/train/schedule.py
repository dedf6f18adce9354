"""When runs that are compared (a race, a sweep) are validated: at the same steps, every 2 % of the run.

A run alone is validated on a cost-based cadence (train/trainer.py, `_Cadence`): a few percent of its working time,
so the gaps stretch when validation is slow and differ from run to run. For a single curve that is fine; for runs
side by side it is not: a race's vanilla RNN was validated at steps 0, 1, 1551 and 2000, so its curve was a long
diagonal when it had been flat since step 50, and "solved at step" depended on those gaps (issue 19, item 3).
Compared runs therefore get a fixed `training.eval_every`, written into each run's config, unless the sweep or race
config sets its own: a sweep file asks for another schedule with `training.eval_every = N` in its [training] table.
"""

from __future__ import annotations

import math

from ..config import RunConfig

COMPARED_VALIDATIONS = 50  # at least this many validations per run: at most 2 % of the run apart


def run_steps(cfg: RunConfig) -> int:
    """The optimizer steps a config trains for (with epochs, the task's training size decides: it is loaded)."""
    tc = cfg.training
    if tc.epochs <= 0:
        return tc.steps
    from .. import tasks  # late: with steps alone (the usual case) no data and no torch are loaded

    task = tasks.get(cfg.task.name)(cfg.task.options, seed=tc.seed, tbptt=tc.tbptt)
    return tc.epochs * max(1, math.ceil(task.train_size / tc.batch_size))


def compared_eval_every(total_steps: int) -> int:
    """Steps between two validations of compared runs: at most 2 % of the run."""
    return max(1, total_steps // COMPARED_VALIDATIONS)


def for_comparison(cfg: RunConfig) -> RunConfig:
    """`cfg` with the fixed validation schedule of compared runs, unless it sets its own (`training.eval_every`)."""
    if cfg.training.eval_every:
        return cfg
    return cfg.replace("training.eval_every", compared_eval_every(run_steps(cfg)))
