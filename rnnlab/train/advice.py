"""Advice after a run that learned nothing on a long-range task, or a forecast that lost to its baseline: what went
wrong, and the change that fixes it (a button in the window where it is one setting).

This is the teaching core said at the moment a student meets it: a vanilla RNN loses the gradient over long spans,
and a gated cell holds memory only if its memory gate starts open (PyTorch starts it half closed: sigmoid(0) = 0.5,
so what it holds halves at every step). See docs/tasks-seq.md, "Gap sweep".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from ..i18n import N_, _

CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": N_("vanilla RNN (tanh)"), "rnn_relu": N_("vanilla RNN (ReLU)")}
MEMORY_GATE = {"lstm": N_("forget gate f"), "gru": N_("update gate z")}


@dataclass(frozen=True)
class Advice:
    text: str  # plain sentences
    fix: str  # the change in a few words, for a button ("Memory gate init: chrono"); "" = no one-click change
    changes: tuple[tuple[str, Any], ...]  # config keys and values that make the change
    cli: str  # the same change as `rnnlab train` options
    more: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()  # other changes worth a try: (button, changes)

    def fixes(self) -> list[tuple[str, tuple[tuple[str, Any], ...]]]:
        """Every one-click change, the first the likeliest: (button text, config changes)."""
        return ([(self.fix, self.changes)] if self.fix else []) + list(self.more)


def learned_nothing(higher_is_better: bool, value: float, baseline: float) -> bool:
    """At the baseline, give or take: for a score in [0, 1], less than a tenth of the way from the baseline to
    perfect; for an error, more than half the baseline's."""
    if not (math.isfinite(value) and math.isfinite(baseline)):
        return False
    if higher_is_better:
        return value < baseline + 0.1 * (1.0 - baseline)
    return value > 0.5 * baseline


def advise(cfg, task, final: dict, status: str) -> Optional[Advice]:
    """Advice for a run that trained to its end (`final`: the trainer's {"test": ..., "baselines": ...}), or None where
    it was stopped early (it may not have had the time), the task is not a long-range one, the model beat its
    baselines, or there is nothing simple to change."""
    if status != "finished" or not final:
        return None
    if getattr(task, "name", "") == "forecast":
        return forecast_advice(cfg, task, final)
    if not getattr(task, "long_range", False):
        return None
    metric = task.metric
    value = (final.get("test") or {}).get(metric.key, math.nan)
    scores = [(n, s.get(metric.key, math.nan)) for n, s in (final.get("baselines") or {}).items()]
    scores = [(n, v) for n, v in scores if math.isfinite(v)]
    if not scores:
        return None
    name, baseline = (max if metric.higher_is_better else min)(scores, key=lambda item: item[1])  # the best one
    if not learned_nothing(metric.higher_is_better, value, baseline):
        return None
    m = cfg.model
    length = task.spec.sequence_length
    facts = dict(cell=_(CELL_NAMES.get(m.cell, m.cell)), metric=metric.title, value=value, baseline=_(name),
                 baseline_value=baseline, length=length)
    if m.cell in MEMORY_GATE and m.gate_init == "default":
        return Advice(
            _("The {cell} learned nothing beyond the baseline: test {metric} {value:.3g}, {baseline} "
              "{baseline_value:.3g}. PyTorch starts its {gate} half open (sigmoid(0) = 0.5), so what the cell holds, "
              "and the gradient back to it, halves at every step: after {length} steps almost nothing is left to "
              "learn from. Start the {gate} open and train again.").format(gate=_(MEMORY_GATE[m.cell]), **facts),
            _("Memory gate init: chrono"), (("model.gate_init", "chrono"),), "--set model.gate_init=chrono")
    if m.cell.startswith("rnn_"):
        return Advice(
            _("The {cell} learned nothing beyond the baseline: test {metric} {value:.3g}, {baseline} "
              "{baseline_value:.3g}. Over {length} steps the gradient vanishes on its way back (‖∂L/∂hₜ‖ falls "
              "towards t = 0 in the Gradients tab), so what the first steps saw is never learned. Gates fix this: an "
              "LSTM with its forget gate started open carries the information across.").format(**facts),
            _("LSTM, memory gate open (chrono)"), (("model.cell", "lstm"), ("model.gate_init", "chrono")),
            "--cell lstm --set model.gate_init=chrono")
    return None


def forecast_advice(cfg, task, final: dict) -> Optional[Advice]:
    """A forecast whose test error is above a baseline's (seasonal naive, or the last value): it lost, and the likely
    reasons with their one-setting fixes: a window shorter than the season (the seasonal-naive forecast reads one
    season back, the model cannot), levels instead of differences, too few steps. None when it beat every
    baseline."""
    metric = task.metric
    value = (final.get("test") or {}).get(metric.key, math.nan)
    scores = [(n, s.get(metric.key, math.nan)) for n, s in (final.get("baselines") or {}).items()]
    scores = [(n, v) for n, v in scores if math.isfinite(v)]
    if not scores or not math.isfinite(value):
        return None
    name, baseline = min(scores, key=lambda item: item[1])
    if value <= baseline:
        return None
    from .numbers import readable

    opts, training = cfg.task.options, cfg.training
    # Whole sentences, each translatable on its own (a reason that does not apply is left out, never a fragment).
    sentences = [_("The model lost to the {baseline} forecast: test {metric} {value} against {score}.").format(
        baseline=name, metric=metric.title, value=readable(value), score=readable(baseline))]
    fixes: list[tuple[str, tuple, str]] = []  # (button, changes, CLI options)
    window, period = int(opts.get("window", 0)), int(getattr(task, "period", 1) or 1)
    if period > 1 and window < period:
        sentences.append(_("Its window ({window} steps) is shorter than the season ({period}): it never sees the "
                           "value one season back, which is all the seasonal-naive forecast uses.").format(
            window=window, period=period))
        if getattr(task, "window_fits", lambda _k: True)(period):
            fixes.append((_("Window {period}").format(period=period), (("task.window", period),),
                          f"--set task.window={period}"))
    if not opts.get("difference", True):
        sentences.append(_("It predicts the level itself; predicting the change from the last value makes 'no "
                           "change' its starting point."))
        fixes.append((_("Predict differences"), (("task.difference", True),), "--set task.difference=true"))
    suggested = int(getattr(task, "suggested", {}).get("training.steps", 0))
    if training.epochs == 0 and suggested and training.steps < suggested:
        sentences.append(_("{steps} steps are few: this task's suggested experiment trains {suggested}.").format(
            steps=training.steps, suggested=suggested))
        fixes.append((_("Train {steps} steps").format(steps=suggested), (("training.steps", suggested),),
                      f"--steps {suggested}"))
    if len(sentences) == 1:
        sentences.append(_("On a short or noisy series the baseline is hard to beat: try a longer window, more "
                           "steps, or fewer units (a smaller model overfits less)."))
    text = " ".join(sentences)
    if not fixes:
        return Advice(text, "", (), "")
    (fix, changes), rest = fixes[0][:2], fixes[1:]
    return Advice(text, fix, changes, " ".join(f[2] for f in fixes), tuple((f[0], f[1]) for f in rest))


BLOW_UP_FACTOR = 100.0  # a training loss this many times its first value (or, at the end, its best) has blown up


def blow_up(losses) -> Optional[str]:
    """Why a run whose loss stayed finite still blew up, or None: the loss rose far above where it started (a
    learning rate too high for Adam, no clipping), or ended far above its best and above where it started.

    Divergence to NaN/inf is the trainer's own check; this one catches the runs that "finish" worse than they began
    without a word (issue 9, item 5)."""
    values = [float(v) for v in losses if isinstance(v, (int, float)) and math.isfinite(v)]
    if len(values) < 2:
        return None
    first, best, peak = values[0], min(values), max(values)
    tail = sorted(values[-max(1, len(values) // 20):])
    last = tail[len(tail) // 2]  # the median of the last 5 %: one noisy step is not a blow-up
    if first > 0 and peak > BLOW_UP_FACTOR * first:
        return _("The training loss blew up: it rose to {peak:.3g}, {times:.0f} times its first value "
                 "({first:.3g}).").format(peak=peak, times=peak / first, first=first)
    if best > 0 and last > BLOW_UP_FACTOR * best and last > first:
        return _("The training loss blew up: it ended at {last:.3g}, {times:.0f} times its best ({best:.3g}) "
                 "and above where it started ({first:.3g}).").format(last=last, times=last / best, best=best, first=first)
    return None
