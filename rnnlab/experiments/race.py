"""A race: a sweep along one axis (by default the cell: vanilla RNN, LSTM, GRU) with one seed, so every runner sees
the same initial data order, run side by side while each streams its progress back.

    race = Race(base_config, "runs/race", values=("rnn_tanh", "lstm", "gru"))
    for event in race.events():        # plain dataclasses from .events, no torch: a GUI thread can take them as is
        if isinstance(event, PointProgress): ...   # steps + losses since the last one, validation, ||dL/dh_t||
    race.pause(); race.step(); race.resume(); race.stop()     # from any thread

By default every point gets its own worker process at once (a race is about watching them together), and progress
comes four times a second with validation and the probe's gradient through time.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Optional, Sequence

from .. import config as config_mod
from ..i18n import N_, _
from .local import LocalExecutor
from .runner import SweepRunner
from .sweep import Sweep, build, to_toml

DEFAULT_KEY = "model.cell"
DEFAULT_CELLS = ("rnn_tanh", "lstm", "gru")
RACE_PROGRESS_S = 0.25


def race_sweep(base: config_mod.RunConfig, key: str = DEFAULT_KEY, values: Sequence = DEFAULT_CELLS,
               name: Optional[str] = None) -> Sweep:
    """The sweep behind a race: one axis, the base config's seed; its sweep file is written out for the folder."""
    sweep = build(base, {key: list(values)}, [base.training.seed], name=name or f"race-{base.task.name}")
    return replace(sweep, source_text=to_toml(sweep))


class Race(SweepRunner):
    """A SweepRunner for a race: detailed progress, and (unless given an executor) one local worker per runner."""

    def __init__(self, base: config_mod.RunConfig, folder, key: str = DEFAULT_KEY, values: Sequence = DEFAULT_CELLS,
                 executor=None, progress_s: float = RACE_PROGRESS_S):
        sweep = race_sweep(base, key, values)
        self.key = key
        super().__init__(sweep, folder, executor or LocalExecutor(len(sweep.points)), detail=True,
                         progress_s=progress_s)


def label(key: str, value) -> str:
    """How a runner is named in sentences and legends: the wording of compared runs (runs.compare), so one."""
    from ..runs.compare import setting_label

    return setting_label(key, value)


def _num(row: dict, key: str) -> float:
    try:
        return float(row.get(key))
    except (TypeError, ValueError):
        return math.nan


def speed_sentence(rows: Sequence[dict], key: str, goal_text: Optional[str], workers: int, cores: int,
                   metric_title: str = "") -> str:
    """One honest sentence (or two) on speed: who was faster per step, and who reached the goal sooner in wall time.

    Steps per second are measured while the runners shared this computer, so the sentence says so when they did."""
    ran = [r for r in rows if r.get("status") in ("finished", "diverged", "stopped") and _num(r, "steps_per_s") > 0]
    if not ran:
        return _("No runner trained to the end, so there is nothing to compare.")

    def name(r: dict) -> str:
        return _(label(key, r[key]))

    by_speed = sorted(ran, key=lambda r: -_num(r, "steps_per_s"))
    fast = by_speed[0]
    facts = dict(fast=name(fast), speed=_num(fast, "steps_per_s"), workers=workers, cores=cores)
    shared = workers > 1 and workers >= cores
    if len(by_speed) > 1:
        facts["others"] = ", ".join(f"{name(r)} {_num(r, 'steps_per_s'):.0f}" for r in by_speed[1:])
        facts["ratio"] = _num(fast, "steps_per_s") / _num(by_speed[-1], "steps_per_s")
        sentence = (_("Per step, the {fast} was fastest here ({speed:.0f} steps/s; {others}: {ratio:.2f}x the "
                      "slowest), measured side by side: {workers} runners shared {cores} cores, so each ran slower "
                      "than alone.") if shared else
                    _("Per step, the {fast} was fastest here ({speed:.0f} steps/s; {others}: {ratio:.2f}x the "
                      "slowest).")).format(**facts)
    else:
        sentence = (_("Per step, the {fast} was fastest here ({speed:.0f} steps/s), measured side by side: {workers} "
                      "runners shared {cores} cores, so each ran slower than alone.") if shared else
                    _("Per step, the {fast} was fastest here ({speed:.0f} steps/s).")).format(**facts)
    if goal_text:
        solved = sorted((r for r in ran if not math.isnan(_num(r, "solved_at_s"))), key=lambda r: _num(r, "solved_at_s"))
        never = [name(r) for r in ran if math.isnan(_num(r, "solved_at_s"))]
        if solved:
            first = solved[0]
            goal = dict(first=name(first), goal=_(goal_text), seconds=_num(first, "solved_at_s"),
                        step=int(_num(first, "solved_at_step")),
                        then=", ".join(_("{name} after {seconds:.1f} s").format(name=name(r), seconds=_num(r, "solved_at_s"))
                                       for r in solved[1:]),
                        never=_(" and ").join(never))
            template = {(False, False): N_("The {first} reached the goal ({goal}) first in wall time, after "
                                           "{seconds:.1f} s (step {step})."),
                        (True, False): N_("The {first} reached the goal ({goal}) first in wall time, after "
                                          "{seconds:.1f} s (step {step}); then {then}."),
                        (False, True): N_("The {first} reached the goal ({goal}) first in wall time, after "
                                          "{seconds:.1f} s (step {step}); {never} never did."),
                        (True, True): N_("The {first} reached the goal ({goal}) first in wall time, after "
                                         "{seconds:.1f} s (step {step}); then {then}; {never} never did.")}
            sentence += " " + _(template[(len(solved) > 1, bool(never))]).format(**goal)
        else:
            sentence += " " + _("None reached the goal ({goal}) within its steps.").format(goal=_(goal_text))
    else:  # no goal for this task: say who ended best
        metric = ran[0].get("metric", "")
        higher = str(ran[0].get("higher_is_better", "")).lower() == "true"
        scored = [r for r in ran if not math.isnan(_num(r, f"test_{metric}"))]
        if metric and scored:
            best = (max if higher else min)(scored, key=lambda r: _num(r, f"test_{metric}"))
            sentence += " " + _("The best test {metric} was the {name}'s ({value:.4g}).").format(
                metric=metric_title or metric, name=name(best), value=_num(best, f"test_{metric}"))
    return sentence
