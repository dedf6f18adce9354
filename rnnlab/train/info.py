"""What a window needs to know about a run, as plain data: the panels are framed from it, and it crosses threads (and,
for races, processes) where a Trainer must not.

    info = RunInfo.of(trainer)      # on the thread that owns the trainer
    info = RunInfo.from_run(run)    # a run read by runs.store.open_run: no Trainer, no torch work
    panel.configure(info)           # on the GUI thread: no torch, no Trainer
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from .. import tasks
from ..config import RunConfig
from ..models.gatenames import GATE_NAMES


@dataclass(frozen=True)
class RunInfo:
    config: RunConfig  # the run's own config (not the form's: a fix button may have changed that)
    task_title: str
    metric_key: str  # key of the headline metric in the validation / test dicts, e.g. "mse"
    metric_title: str  # axis label, e.g. "MSE"
    higher_is_better: bool
    total_steps: int
    steps_per_epoch: int
    probe_length: int  # time steps of the gate and gradient-through-time plots
    device: str  # "cpu", "cuda:0"
    gate_names: tuple[str, ...] = ()  # the cell's gates as the probe names them, e.g. ("i", "f", "g", "o")
    goal_text: str = ""  # what "solved" means for the task ("" where it has no clear meaning)
    step: int = 0  # steps trained when this was taken
    status: str = "ready"  # ready | running | finished | stopped | diverged | failed
    message: str = ""  # the run's final sentence, once it has one
    final: dict = field(default_factory=dict)  # the final metrics (test, baselines), once it has them

    @property
    def task(self) -> str:
        return self.config.task.name

    @property
    def cell(self) -> str:
        return self.config.model.cell

    @property
    def hidden_size(self) -> int:
        return self.config.model.hidden_size

    @property
    def num_layers(self) -> int:
        return self.config.model.num_layers

    @property
    def directions(self) -> int:
        return 2 if self.config.model.bidirectional else 1

    @property
    def max_grad_norm(self) -> Optional[float]:
        """The clipping level, or None with clipping off."""
        t = self.config.training
        return t.max_grad_norm if t.clip_grad else None

    @classmethod
    def of(cls, trainer) -> "RunInfo":
        """Read off a Trainer (call it where the trainer lives: its values are copied, nothing refers back)."""
        task = trainer.task
        goal = getattr(task, "goal", None)
        gates = tuple(GATE_NAMES[_kind(trainer.cfg.model.cell)])
        return cls(config=trainer.cfg, task_title=task.title, metric_key=task.metric.key,
                   metric_title=task.metric.title, higher_is_better=task.metric.higher_is_better,
                   total_steps=int(trainer.total_steps), steps_per_epoch=int(trainer.steps_per_epoch),
                   probe_length=int(trainer.probe_length), device=str(trainer.device), gate_names=gates,
                   goal_text=goal.text if goal is not None else "", step=int(trainer.step),
                   status=str(trainer.status), message=str(trainer.message), final=_plain(trainer.final))

    @classmethod
    def from_run(cls, run) -> "RunInfo":
        """Read off a saved run (runs.store.Run: config, summary, probe): the task's metric from its class, the
        probe length from the recorded probe. Builds no Trainer and loads no data, so it is cheap enough anywhere."""
        cfg, summary = run.config, run.summary
        task = tasks.get(cfg.task.name)
        goal = task.goal
        steps = int(summary.get("steps", 0) or 0)
        epochs = float(summary.get("epochs") or 0.0)
        probe = run.probe
        length = 0
        if probe is not None and probe.grad_norms:
            length = max(len(v) for v in probe.grad_norms.values())
        final = {k: summary[k] for k in ("val", "test", "baselines", "val_baselines", "test_baselines")
                 if k in summary}
        return cls(config=cfg, task_title=task.title, metric_key=task.metric.key, metric_title=task.metric.title,
                   higher_is_better=task.metric.higher_is_better,
                   total_steps=int(summary.get("total_steps", steps) or steps),
                   steps_per_epoch=max(1, round(steps / epochs)) if epochs > 0 else 1, probe_length=int(length),
                   device=str(summary.get("device", "cpu")), gate_names=tuple(GATE_NAMES[_kind(cfg.model.cell)]),
                   goal_text=goal.text if goal is not None else "", step=steps,
                   status=str(summary.get("status", "finished")), message=str(summary.get("message", "")),
                   final=_plain(final))

    def now(self, step: int, status: str, message: str = "", final: Optional[dict] = None) -> "RunInfo":
        """The same run later on."""
        return replace(self, step=int(step), status=status, message=message or self.message,
                       final=_plain(final) if final is not None else self.final)


def _kind(cell: str) -> str:
    """The probe's name for a cell type ("rnn_tanh" -> "RNN")."""
    return {"lstm": "LSTM", "gru": "GRU"}.get(cell, "RNN")


def _plain(value):
    """A copy made of dicts, lists, strings and floats (the final metrics may hold numpy scalars)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, bool, int)) or value is None:
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
