"""Running a lesson's experiment headless and measuring the numbers its checks read (one dict per run).

The runs train one after another in this process, with the ordinary Trainer: a lesson's runs are small, and
measuring them one at a time keeps their speeds comparable (a race side by side on a shared 2-core machine would
measure the sharing). Every number is a float; NaN means "not measured" (a diverged run has no test score).

    numbers = measure(lesson, changes=[("training.steps", 20)], on_event=print)
    numbers["lstm"]["test_mse"]
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..errors import ConfigError, RnnlabError
from ..i18n import _
from .lesson import Lesson, LessonError, points

# The numbers every run measures, with what they mean (docs/lessons.md prints this table).
NUMBERS = {
    "steps": "optimizer steps trained",
    "finished": "1 when the run trained to its last step, else 0",
    "diverged": "1 when the loss or the gradient became NaN or infinite, else 0",
    "diverged_at": "the step at which it diverged (NaN when it did not)",
    "wall_s": "seconds the run took, evaluation included",
    "steps_per_s": "optimizer steps per second",
    "solved": "1 when validation reached the task's goal, else 0",
    "solved_at_step": "the first validated step that reached the goal (NaN: never)",
    "solved_at_s": "seconds until then (NaN: never)",
    "first_loss": "the training loss of the first step",
    "final_loss": "the training loss of the last step",
    "max_grad_norm": "the largest gradient norm of any step, before clipping",
    "clipped_share": "the share of steps whose gradient was clipped",
    "grad_h0_before": "||dL/dh_0|| of the probe batch before training (first layer, forward direction)",
    "grad_hT_before": "||dL/dh_T|| before training: the last time step",
    "grad_ratio_before": "grad_h0_before / grad_hT_before: how much of the gradient reaches the first step",
    "grad_h0_after": "||dL/dh_0|| after training",
    "grad_hT_after": "||dL/dh_T|| after training",
    "grad_ratio_after": "grad_h0_after / grad_hT_after",
    "hidden_max_before": "the largest |h_t| over the probe batch before training",
    "hidden_max_after": "the largest |h_t| after training",
    "gate_<g>_mean": "the mean activation of gate g after training (LSTM: i, f, g, o; GRU: r, z, n)",
    "test_loss": "the loss on the test split", "val_loss": "the loss on the validation split",
    "test_<metric>": "the task's metric on the test split (test_mse, test_accuracy, test_rmse, test_nats, ...)",
    "val_<metric>": "the task's metric on the validation split",
    "baseline": "the best simple baseline's metric on the test split (always 1.0, majority class, last value, ...)",
    "baseline_<name>": "one baseline by name, spaces as _ (baseline_last_value, baseline_seasonal_naive)",
    "val_<metric>_<g>0": "the validation metric with the memory gate forced shut at every step and unit, on the "
                         "trained model (LSTM: f, GRU: z; evaluation only, as the Cell tab's clamp)",
}
MEMORY_GATE = {"lstm": "f", "gru": "z"}  # the gate whose clamp at 0 erases what the cell carries
GATES = {"i", "f", "g", "o", "r", "z", "n"}


def known_number(number: str, task_name: Optional[str]) -> str:
    """'' when `number` is something a run measures, else why not (one clause, for a LessonError)."""
    if number in NUMBERS:
        return ""
    m = re.fullmatch(r"gate_(\w)_mean", number)
    if m and m.group(1) in GATES:
        return ""
    if re.fullmatch(r"baseline_[a-z0-9_]+", number):
        return ""
    m = re.fullmatch(r"val_(\w+)_([fz])0", number)
    if m and task_name is not None:
        from .. import tasks

        if m.group(1) == tasks.get(task_name).metric.key:
            return ""
    m = re.fullmatch(r"(test|val)_(\w+)", number)
    if m and task_name is not None:
        from .. import tasks

        task = tasks.get(task_name)
        extra = {"solved"} if task_name == "adding" else set()
        if m.group(2) in {task.metric.key, *extra}:
            return ""
        return _("{task} measures {loss} and {metric}, not {number}").format(
            task=task_name, loss=f"{m.group(1)}_loss", metric=f"{m.group(1)}_{task.metric.key}", number=number)
    close = [n for n in NUMBERS if "<" not in n]
    import difflib

    hint = difflib.get_close_matches(number, close, n=1)
    if hint:
        return _("{number!r} is not a number a run measures; did you mean {hint!r}?").format(number=number,
                                                                                            hint=hint[0])
    return _("{number!r} is not a number a run measures; docs/lessons.md lists them").format(number=number)


@dataclass
class RunResult:
    """One run's measured numbers, and how it ended (status and the trainer's closing sentence)."""

    name: str
    numbers: dict[str, float] = field(default_factory=dict)
    status: str = ""
    message: str = ""
    path: str = ""  # its run folder, when measure() saved it


@dataclass(frozen=True)
class Event:
    """What `measure` reports while it works: plain data for a CLI line or a lesson panel's step list."""

    kind: str  # "started" | "progress" | "ended"
    run: str
    index: int
    total: int
    step: int = 0
    total_steps: int = 0
    result: Optional[RunResult] = None


def _probe_numbers(probe, when: str) -> dict[str, float]:
    out = {}
    if probe is None:
        return out
    g = probe.grad_norms.get((0, 0))
    if g is not None and len(g):
        g = np.asarray(g, dtype=np.float64)
        out[f"grad_h0_{when}"], out[f"grad_hT_{when}"] = float(g[0]), float(g[-1])
        out[f"grad_ratio_{when}"] = float(g[0] / g[-1]) if g[-1] > 0 else math.nan
    hidden = [np.abs(np.asarray(h, dtype=np.float64)) for h in probe.hidden.values()]
    if hidden:
        out[f"hidden_max_{when}"] = float(max(np.nanmax(h) for h in hidden))
    if when == "after":
        for (layer, direction, gate), a in probe.gates.items():
            if layer == 0 and direction == 0 and gate in GATES:
                out[f"gate_{gate}_mean"] = float(np.mean(a))
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def numbers_of(trainer) -> dict[str, float]:
    """Every number of NUMBERS a trained (or diverged) trainer can give."""
    from ..experiments.point import solved_at

    h = trainer.history
    loss = h.column("train_loss")[1:]  # row 0 is the step-0 snapshot, before any step
    norms = h.column("grad_norm")[1:]
    finite_norms = norms[np.isfinite(norms)]
    at_step, at_s = solved_at(h, trainer.task.goal)
    elapsed = trainer.elapsed_s or float(h.last("time_s") or 0.0)
    n = {"steps": float(trainer.step), "finished": float(trainer.status == "finished"),
         "diverged": float(trainer.status == "diverged"),
         "diverged_at": float(trainer.step) if trainer.status == "diverged" else math.nan,
         "wall_s": float(elapsed), "steps_per_s": trainer.step / elapsed if elapsed > 0 else math.nan,
         "solved": float(at_step is not None), "solved_at_step": math.nan if at_step is None else float(at_step),
         "solved_at_s": math.nan if at_s is None else float(at_s),
         "first_loss": float(loss[0]) if len(loss) else math.nan,
         "final_loss": float(loss[-1]) if len(loss) else math.nan,
         "max_grad_norm": float(np.max(norms)) if len(finite_norms) == len(norms) and len(norms) else
         (math.inf if len(norms) else math.nan),
         "clipped_share": float(np.mean(h.column("clipped")[1:])) if len(loss) else math.nan}
    n.update(_probe_numbers(trainer.first_probe, "before"))
    last = trainer.last_probe
    if trainer.status != "diverged":
        n.update(_probe_numbers(last, "after"))
    metric = trainer.task.metric.key
    for split in ("val", "test"):
        for key, value in (trainer.final.get(split) or {}).items():
            n[f"{split}_{key}"] = float(value)
    baselines = trainer.final.get("baselines") or {}
    scores = []
    for name, values in baselines.items():
        if metric in values:
            n[f"baseline_{_slug(name)}"] = float(values[metric])
            scores.append(float(values[metric]))
    if scores:
        n["baseline"] = max(scores) if trainer.task.metric.higher_is_better else min(scores)
    n.update(_clamped_numbers(trainer))
    return n


def _clamped_numbers(trainer) -> dict[str, float]:
    """The validation metric with the memory gate forced to 0 (lesson 5: the forget gate's clamp breaks the memory
    task). Evaluation only: `model.clamped` refuses train mode, so the clamp never reaches an optimizer step."""
    gate = MEMORY_GATE.get(trainer.cfg.model.cell)
    if gate is None or trainer.status == "diverged":
        return {}
    from ..modes import evaluating

    model, task = trainer.model, trainer.task
    with evaluating(model), model.clamped({gate: 0.0}):
        scores = task.evaluate(model, "val")
    key = task.metric.key
    return {f"val_{key}_{gate}0": float(scores[key])} if key in scores else {}


def measure(lesson: Lesson, changes: Sequence[tuple[str, object]] = (),
            on_event: Optional[Callable[[Event], None]] = None, progress_s: float = 1.0,
            stop: Optional[threading.Event] = None, save_to=None) -> dict[str, RunResult]:
    """Train every run of the lesson (with `changes` applied to each: a shortened test, a student's change) and
    return their numbers by run name. LessonError when a change is refused or `stop` is set (a window closing:
    the run in progress ends at its next step); training errors end that run only. With `save_to`, each run is
    saved as a run folder `save_to/<run name>` (the window overlays them when the lesson is over)."""
    from ..train.trainer import Trainer

    if not lesson.runnable:
        raise LessonError(_("{name} cannot run yet: it needs {needs}").format(name=lesson.name,
                                                                               needs=", ".join(lesson.missing)))
    runs = points(lesson.experiment)
    results: dict[str, RunResult] = {}
    emit = on_event or (lambda e: None)
    for index, (name, cfg) in enumerate(runs):
        try:
            cfg = cfg.with_changes(list(changes)) if changes else cfg
            trainer = Trainer(cfg)
        except ConfigError as exc:
            raise LessonError(_("a change to the lesson: {error}").format(error=exc)) from None
        emit(Event("started", name, index, len(runs), 0, trainer.total_steps))
        result = RunResult(name)
        last = 0.0
        try:
            for snap in trainer.run():
                if stop is not None and stop.is_set():
                    trainer.control.abandon()
                    raise LessonError(_("{lesson} was stopped during its run {name!r}").format(lesson=lesson.name, name=name))
                now = time.monotonic()
                if now - last >= progress_s:
                    last = now
                    emit(Event("progress", name, index, len(runs), snap.step, snap.total_steps))
        except RnnlabError as exc:  # out of memory mid-run: the run ends, its numbers are what it measured
            trainer.status, trainer.message = "failed", str(exc)
        result.numbers, result.status, result.message = numbers_of(trainer), trainer.status, trainer.message
        if save_to is not None and trainer.step > 0:
            from ..runs.store import save_run

            try:
                result.path = str(save_run(trainer, Path(save_to) / name))
            except (OSError, RnnlabError) as exc:  # the verdict does not depend on the folder: say it, go on
                result.message = _("{message} (not saved: {error})").format(message=result.message, error=exc)
        results[name] = result
        emit(Event("ended", name, index, len(runs), trainer.step, trainer.total_steps, result))
    return results
