"""The training loop: a plain generator of snapshots that the CLI, the GUI worker and the tests all iterate.

It knows nothing about Qt. Stop/pause/single-step requests come through a thread-safe `Control` and are honoured
between optimizer steps::

    trainer = Trainer(config)
    for snap in trainer.run():          # one Snapshot per optimizer step (plus a first one at step 0)
        ...                             # snap.status: running | finished | stopped | diverged

Costly extras (validation pass, gate probe) run every N steps, with N chosen from their measured cost so together
they take a few percent of the time, unless the config fixes N.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, replace
from typing import Iterator, Optional

import numpy as np
import torch

from .. import tasks
from ..config import RunConfig
from ..models import probe as probe_mod
from ..models.network import SequenceModel
from ..errors import ResourceError
from . import memory
from .control import Control, PauseHooks  # noqa: F401  (part of the trainer's API)
from .devices import cpu_threads, resolve
from .history import History, ProbeRecords, grad_col, val_col
from ..i18n import N_, _, ngettext
from .numbers import readable

PROBE_BUDGET = 0.015  # share of the trainer's working time the probe may take
EVAL_BUDGET = 0.015  # share of the trainer's working time validation may take: with the probe, 3 % by design
MIN_PROBE_SECONDS = 0.25  # never probe more often than this: the GUI shows ~4 probes/s at most
MIN_EVAL_SECONDS = 0.1


@dataclass
class ProbeSnapshot:
    """One probe of the fixed probe batch, as plain numpy (safe to hand to another thread)."""

    step: int
    kind: str  # "LSTM" | "GRU" | "RNN"
    gate_names: tuple[str, ...]
    num_layers: int
    num_directions: int
    gates: dict[tuple, np.ndarray]  # (layer, direction, gate) -> (samples, time, hidden) float32
    hidden: dict[tuple, np.ndarray]  # (layer, direction) -> (samples, time, hidden)
    cell: dict[tuple, np.ndarray]  # LSTM only
    grad_norms: dict[tuple, np.ndarray]  # (layer, direction) -> (time,) ||dL/dh_t||
    labels: list[Optional[list[str]]]  # time-axis labels per sample (words, characters), None = step numbers
    loss: float
    # The parts of each gate's equation, for the Cell tab (probe.Trace's fields of the same names; empty in runs
    # saved before they were kept): (layer, direction, gate) -> (samples, time, hidden), biases (hidden,)
    preact: dict[tuple, np.ndarray] = field(default_factory=dict)
    input_part: dict[tuple, np.ndarray] = field(default_factory=dict)
    hidden_part: dict[tuple, np.ndarray] = field(default_factory=dict)
    bias_input: dict[tuple, np.ndarray] = field(default_factory=dict)
    bias_hidden: dict[tuple, np.ndarray] = field(default_factory=dict)
    h_prev: dict[tuple, np.ndarray] = field(default_factory=dict)  # (layer, direction): the state each step read
    c_prev: dict[tuple, np.ndarray] = field(default_factory=dict)
    nonlinearity: str = ""  # the vanilla RNN's: "tanh" | "relu"
    clamped_gates: tuple = ()  # a probe of a clamped model (the Cell tab's interventions); never one of training
    lengths: tuple = ()  # each sample's real length when the batch is padded; () = all full length
    # ||d output / d x_t|| per sample and step, (samples, time) float32: taken with the probe in a race (many-to-one
    # tasks), where the window cannot ask a runner's model; None otherwise (the Cell tab asks for it on request)
    saliency: Optional[np.ndarray] = None


def probe_text(model, task, text: str, step: int, clamps=()) -> ProbeSnapshot:
    """The probe of one sequence from a task view (a typed sentence, a generated text) for the Cell tab: the task
    makes the batch of one (`Task.text_batch`), its words or characters label the time axis."""
    batch, labels = task.text_batch(text)
    return replace(probe_snapshot(model, task, batch, step, clamps), labels=[labels])


def probe_snapshot(model, task, batch, step: int, clamps=()) -> ProbeSnapshot:
    """The probe of `batch` as plain numpy, in eval mode; with `clamps` (probe.Clamp), what the clamped model does
    (the Cell tab's interventions: evaluation only, the model is put back in the mode it was in)."""
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        pb = batch.to(device)
        x = model.rnn_input(pb.x)
        tr = probe_mod.trace(model.rnn, x, lengths=pb.lengths, clamp=clamps,
                             loss_fn=lambda out, h_n: task.loss(model.head(out, h_n, pb), pb))
    finally:
        model.train(was_training)
    to_np = lambda d: {k: v.float().cpu().numpy() for k, v in d.items()}  # noqa: E731
    return ProbeSnapshot(
        step=step, kind=tr.kind, gate_names=tr.gate_names, num_layers=model.rnn.num_layers,
        num_directions=model.dirs, gates=to_np(tr.gates), hidden=to_np(tr.hidden), cell=to_np(tr.cell),
        grad_norms=to_np(tr.grad_norms), labels=[task.step_labels(batch, i) for i in range(len(batch))],
        loss=tr.loss if tr.loss is not None else math.nan,
        preact=to_np(tr.preact), input_part=to_np(tr.input_part), hidden_part=to_np(tr.hidden_part),
        bias_input=to_np(tr.bias_input), bias_hidden=to_np(tr.bias_hidden), h_prev=to_np(tr.h_prev),
        c_prev=to_np(tr.c_prev), nonlinearity=getattr(model.rnn, "nonlinearity", ""),
        clamped_gates=tuple(sorted({c.gate for c in tr.clamps})),
        lengths=tuple(int(n) for n in batch.lengths) if batch.lengths is not None else ())


@dataclass
class Snapshot:
    """Where training stands after one step. Plain data only."""

    step: int
    total_steps: int
    epoch: float
    train_loss: float
    grad_norm: float  # global, before clipping
    group_norms: dict[str, float]  # per parameter group, before clipping
    clipped: bool
    learning_rate: float
    steps_per_sec: float
    elapsed_s: float
    status: str = "running"  # running | finished | stopped | diverged
    message: str = ""
    val: Optional[dict[str, float]] = None  # validation metrics when evaluated at this step
    probe: Optional[ProbeSnapshot] = None  # when probed at this step
    test: Optional[dict[str, float]] = None  # at the end only
    baselines: Optional[dict[str, dict[str, float]]] = None  # at the end only, on the test split


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)


class Trainer:
    """Owns the task, the model and the optimizer for one run. `run()` trains; the attributes stay readable after."""

    def __init__(self, cfg: RunConfig, control: Optional[Control] = None):
        self.cfg = cfg
        self.control = control or Control()
        tc = cfg.training
        self.device = resolve(tc.device)
        torch.set_num_threads(cpu_threads(tc.threads))  # process-wide: torch has no per-loop thread setting
        seed_everything(tc.seed)
        self.task = tasks.get(cfg.task.name)(cfg.task.options, seed=tc.seed, tbptt=tc.tbptt)
        self._probe_batch = self.task.probe_batch()
        spec = self.task.spec
        steps = max(spec.sequence_length, int(self._probe_batch.x.shape[1]), tc.tbptt if self.task.stateful else 0)
        self.memory = memory.check(cfg, spec, steps, self.device)  # refuse sizes no machine here holds, up front
        try:
            self.model = SequenceModel(cfg.model, spec).to(self.device)
        except Exception as exc:
            if memory.is_out_of_memory(exc):
                raise self._out_of_memory(_("building the model")) from None
            raise
        self.optimizer = _make_optimizer(self.model, tc)
        self.groups = self.model.parameter_groups()
        self.params = [p for ps in self.groups.values() for p in ps]
        self.steps_per_epoch = max(1, math.ceil(self.task.train_size / tc.batch_size))
        self.total_steps = tc.epochs * self.steps_per_epoch if tc.epochs > 0 else tc.steps
        self.step = 0
        self.history = History()
        self.last_probe: Optional[ProbeSnapshot] = None
        self.probe_saliency = False  # a race on screen: each probe also takes the input saliency (run_point sets it)
        self.first_probe: Optional[ProbeSnapshot] = None  # the "before training" reference of the gradient plots
        self.grad_history = ProbeRecords()  # (step, ||dL/dh_t|| per layer) per probe, thinned on a long run
        self.status = "ready"
        self.message = ""
        self.elapsed_s = 0.0
        self._generator = torch.Generator().manual_seed(tc.seed)
        self._batches = self.task.train_batches(tc.batch_size, self._generator)
        self._hx = None  # carried hidden state for stateful (TBPTT) tasks
        self.final: dict = {}

    @property
    def probe_length(self) -> int:
        """Time steps of the probe sequences: the length of every gate and gradient-through-time plot."""
        return int(self._probe_batch.x.shape[1])

    # --- the loop -------------------------------------------------------------------------------------------------

    def run(self) -> Iterator[Snapshot]:
        """Train until total_steps, a stop request or divergence. Yields a snapshot per step.

        An allocation that fails all the same (the estimate is a low one; other programs use memory too) ends the
        run with a ResourceError that says so, instead of torch's allocator traceback."""
        try:
            yield from self._run()
        except Exception as exc:
            if memory.is_out_of_memory(exc):
                raise self._out_of_memory(_("training step {value}").format(value=self.step + 1)) from None
            raise

    def _out_of_memory(self, where: str) -> ResourceError:
        est = memory.estimate(self.cfg, self.task.spec, self.memory.steps if hasattr(self, "memory") else 1)
        return ResourceError(_("Out of memory while {where} on {device}: this config needs at least {gib} and the "
                               "device had less free: {describe}, or close other programs.").format(where=where, device=self.device, gib=memory.gib(est.total), describe=memory.describe(self.cfg, est)))

    def _run(self) -> Iterator[Snapshot]:
        tc = self.cfg.training
        self.status = "running"
        work = _WorkClock()
        evals = _Cadence(tc.eval_every, EVAL_BUDGET, MIN_EVAL_SECONDS, work=work)
        probes = _Cadence(tc.probe_every, PROBE_BUDGET, MIN_PROBE_SECONDS, work=work)
        explosion = _ExplosionWatch()
        rate_t0, rate_steps, rate = time.perf_counter(), 0, 0.0
        started = time.perf_counter() - self.elapsed_s
        if self.step == 0:
            first = self._snapshot(math.nan, math.nan, {}, False, rate, started)
            work.start()
            first.val = evals.run(self._evaluate)
            first.probe = probes.run(self._probe)
            work.stop()
            self._log(first)
            yield first

        while self.step < self.total_steps:
            waited = time.perf_counter()
            if not self.control.wait_for_step():
                self.status = "stopped"
                if self.control.abandoned:
                    self.elapsed_s = time.perf_counter() - started
                    return  # no final evaluation: whoever abandoned the run does not want it
                break
            single_step = self.control.paused  # a Step while paused: show its effect at once (probe + validation)
            work.start()
            t0 = time.perf_counter()
            rate_t0 += t0 - waited  # time spent paused does not count against steps/s
            loss, norm, group_norms, grads = self._gradients()
            # An exploding gradient is probed on the weights that produce it, before they are updated (the probe
            # leaves .grad alone): a run that then blows up has a last probe that shows the explosion, not the
            # vanishing curve of its last regular probe (issue 19, item 4).
            watched = self._probe() if explosion.rising(norm) else None
            clipped = self._update(grads, loss, norm)
            self.step += 1
            rate_steps += 1
            now = time.perf_counter()
            if now - rate_t0 >= 0.5:
                rate, rate_t0, rate_steps = rate_steps / (now - rate_t0), now, 0
            elif rate == 0.0 and rate_steps >= 3:
                rate = rate_steps / max(now - rate_t0, 1e-9)
            if not (math.isfinite(loss) and math.isfinite(norm)):
                self.status = "diverged"
                what = N_("loss") if not math.isfinite(loss) else N_("gradient norm")
                # English in summary.json (run files hold no translated text); shown with i18n.translate_text
                self.message = N_("Training diverged at step {step}: the {what} became {word}. The weights are kept "
                                  "as they were before this step. Try gradient clipping (max norm 1.0) or a lower "
                                  "learning rate (e.g. {rate:g}).").format(
                    step=self.step, what=what, word=_nonfinite_word(loss if what == "loss" else norm),
                    rate=tc.learning_rate / 10)
                snap = self._snapshot(loss, norm, group_norms, clipped, rate, started)
                snap.probe = self._diverged_probe(watched)
                self.message += _probe_note(self.last_probe, self.step)
                snap.message = self.message
                work.stop()
                self._log(snap)
                yield snap
                return
            snap = self._snapshot(loss, norm, group_norms, clipped, rate, started)
            last = self.step >= self.total_steps
            if last or single_step or evals.due(self.step):
                snap.val = evals.run(self._evaluate)
            if last or single_step or (watched is None and probes.due(self.step)):
                snap.probe = probes.run(self._probe)
            elif watched is not None:
                snap.probe = watched
            work.stop()
            self._log(snap)
            if last:
                break
            yield snap

        self.elapsed_s = time.perf_counter() - started
        if self.status != "stopped":
            self.status = "finished"
        final = self._snapshot(self.history.last("train_loss"), self.history.last("grad_norm"), {}, False, rate,
                               started)
        final.status = self.status
        final.val = self._evaluate()
        final.test = self._evaluate("test")
        final.baselines = self.task.baselines("test")
        final.probe = self.last_probe if self.last_probe and self.last_probe.step == self.step else self._probe()
        final.message = _final_message(self, final)
        self.message = final.message
        self.final = {"val": final.val, "test": final.test, "baselines": final.baselines}
        yield final

    def _gradients(self):
        """Forward and backward on the next batch: (loss, global norm, norms per group, the gradients)."""
        self.model.train()
        batch = next(self._batches).to(self.device)
        self.optimizer.zero_grad(set_to_none=True)
        output, h_n = self.model(batch, self._hx if self.task.stateful else None)
        loss = self.task.loss(output, batch)
        loss.backward()
        if self.task.stateful:
            self._hx = tuple(h.detach() for h in h_n) if isinstance(h_n, tuple) else h_n.detach()
        grads = [p.grad for p in self.params if p.grad is not None]
        group_sizes = [sum(1 for p in ps if p.grad is not None) for ps in self.groups.values()]
        squares = torch.stack(torch._foreach_norm(grads)).double().square()
        norms = torch.stack([*(c.sum() for c in torch.split(squares, group_sizes)), squares.sum()]).sqrt()
        values = torch.cat([norms, loss.detach().double().view(1)]).tolist()  # one sync for all numbers
        return values[-1], values[-2], dict(zip(self.groups, values[:-2])), grads

    def _update(self, grads, loss: float, norm: float) -> bool:
        """Clip and take the optimizer step, unless the loss or the norm is not finite (the weights stay as they
        are). True when the gradients were clipped."""
        tc = self.cfg.training
        clipped = False
        if math.isfinite(loss) and math.isfinite(norm):
            if tc.clip_grad and norm > tc.max_grad_norm:
                torch._foreach_mul_(grads, tc.max_grad_norm / (norm + 1e-6))
                clipped = True
            self.optimizer.step()
        return clipped

    def _diverged_probe(self, watched: Optional[ProbeSnapshot]) -> Optional[ProbeSnapshot]:
        """The probe a diverged run ends with: of its last weights (the update that failed is not applied) when
        their gradient through time is finite somewhere, else none (the weights are already so large that the
        replay overflows: the last probe, taken just before, stands and the message says which step it is of)."""
        if watched is not None:
            return watched
        last = self.last_probe
        probe = self._probe()
        if any(np.isfinite(v).any() for v in probe.grad_norms.values()):
            return probe
        self.last_probe = last  # the overflowing replay is not the run's last probe
        if self.grad_history and self.grad_history[-1][0] == probe.step:
            self.grad_history.pop()
        return None

    # --- extras -----------------------------------------------------------------------------------------------------

    def _evaluate(self, split: str = "val") -> dict[str, float]:
        """Metrics on a split with the model in eval mode (no dropout)."""
        self.model.eval()
        try:
            return self.task.evaluate(self.model, split)
        finally:
            self.model.train()

    def _probe(self) -> ProbeSnapshot:
        """Replay the recurrent layer on the probe batch: gates, states and ||dL/dh_t||."""
        snap = probe_snapshot(self.model, self.task, self._probe_batch, self.step)
        if self.probe_saliency and self.model.spec.head == "many_to_one":
            snap.saliency = self.model.input_saliency(self._probe_batch)["saliency"].astype(np.float32)
        self.last_probe = snap
        self._remember_probe(snap)
        return snap

    def _remember_probe(self, snap: ProbeSnapshot) -> None:
        """Keep every probe's gradient through time (a few KB each) and the first probe, so a saved run can draw
        the vanishing-gradient history the live run showed; a probe repeating the last step is not a new row."""
        if self.grad_history and snap.step <= self.grad_history[-1][0]:
            return
        if self.first_probe is None:
            self.first_probe = snap
        self.grad_history.append((snap.step, dict(snap.grad_norms)))  # already numpy (_probe's to_np), never mutated

    def _snapshot(self, loss, norm, group_norms, clipped, rate, started) -> Snapshot:
        now = time.perf_counter()
        return Snapshot(step=self.step, total_steps=self.total_steps, epoch=self.step / self.steps_per_epoch,
                        train_loss=loss, grad_norm=norm, group_norms=group_norms, clipped=clipped,
                        learning_rate=self.optimizer.param_groups[0]["lr"], steps_per_sec=rate,
                        elapsed_s=now - started, status=self.status, message=self.message)

    def _log(self, snap: Snapshot) -> None:
        row = {"step": snap.step, "epoch": snap.epoch, "train_loss": snap.train_loss, "grad_norm": snap.grad_norm,
               "clipped": float(snap.clipped), "learning_rate": snap.learning_rate, "time_s": snap.elapsed_s}
        if snap.val:
            row["val_loss"] = snap.val.get("loss")
            row.update({val_col(k): v for k, v in snap.val.items() if k != "loss"})
        row.update({grad_col(k): v for k, v in snap.group_norms.items()})
        self.history.append(row)

    def summary(self) -> dict:
        """What summary.json records about this run."""
        metric = self.task.metric
        return {"status": self.status, "message": self.message, "steps": self.step, "total_steps": self.total_steps,
                "epochs": self.step / self.steps_per_epoch, "elapsed_s": round(self.elapsed_s, 3),
                "device": str(self.device), "task": self.cfg.task.name, "metric": metric.key,
                "metric_title": metric.title, "higher_is_better": metric.higher_is_better, **self.final}


class _WorkClock:
    """Seconds the trainer spends on steps and extras, not waiting for the reader of its snapshots (a window that
    paints, a bench that alternates) or for a paused Control: the extras' budgets are shares of this time, so a
    slow reader does not make the probe run more often per step."""

    def __init__(self):
        self.total, self.since = 0.0, None

    def start(self) -> None:
        self.since = time.perf_counter()

    def stop(self) -> None:
        if self.since is not None:
            self.total += time.perf_counter() - self.since
            self.since = None

    def __call__(self) -> float:
        return self.total + (time.perf_counter() - self.since if self.since is not None else 0.0)


class _Cadence:
    """When to run a costly extra (validation, probe): every `every` steps if set, else so that it takes about
    `budget` of the trainer's working time (`work`) and runs at most every `min_seconds` of the wall clock (what a
    window can show). Time-based, so a slow first step or a pause cannot skew it: after an extra, the next one is
    due c / budget of working time later, where c is the lower median of its last few costs, the first (warm-up)
    run left out. One slow run (warming up, or waiting for the GIL while the window drew) never sets the pace: it
    would hold back the next ones for seconds, a validation curve with one point. (The least cost, used before,
    leaned cheap: the probe took 2.1 % on a 1.5 % budget.)"""

    RECENT = 5

    def __init__(self, every: int, budget: float, min_seconds: float, clock=time.perf_counter, work=None):
        self.every, self.budget, self.min_seconds = every, budget, min_seconds
        self.clock, self.work = clock, work or clock
        self.due_at = 0.0  # wall clock
        self.work_due_at = 0.0  # working time
        self.costs: list[float] = []
        self.warm = False

    def due(self, step: int) -> bool:
        if self.every:
            return step % self.every == 0
        return self.clock() >= self.due_at and self.work() >= self.work_due_at

    def run(self, extra):
        start = self.work()
        result = extra()
        end = self.work()
        if self.warm:
            self.costs = (self.costs + [end - start])[-self.RECENT:]
            self.work_due_at = end + statistics.median_low(self.costs) / self.budget
        else:  # the first run warms up (lazy initialisation, caches): no measure of the cost
            self.warm = True
            self.work_due_at = end
        self.due_at = self.clock() + self.min_seconds
        return result


class _ExplosionWatch:
    """Says when a step's gradient norm has jumped: more than FACTOR times its recent level (a moving average of
    the earlier steps' norms) and FACTOR times the norm of the last jump it reported. An explosion then gets a probe
    at each tenfold rise, a few in all, and ordinary training (a spike now and then) hardly any."""

    FACTOR = 10.0
    SMOOTHING = 0.1  # weight of a new norm in the moving average

    def __init__(self):
        self.level: Optional[float] = None
        self.reported = 0.0

    def rising(self, norm: float) -> bool:
        if not (math.isfinite(norm) and norm > 0):
            return False
        level = self.level
        self.level = norm if level is None else (1 - self.SMOOTHING) * level + self.SMOOTHING * norm
        if level is None or norm <= self.FACTOR * level or norm <= self.FACTOR * self.reported:
            return False
        self.reported = norm
        return True


def _probe_note(probe: Optional[ProbeSnapshot], step: int) -> str:
    """Which step the Gradients tab's last picture is of, when it is not the step the run diverged at."""
    if probe is None or probe.step >= step - 1:
        return ""
    return (f" The Gradients tab's last picture is of step {probe.step}, before the blow-up (the gradients at "
            f"step {step} were too large to replay).")


def _nonfinite_word(value: float) -> str:
    return N_("NaN (not a number)") if math.isnan(value) else N_("infinite")


def _final_message(trainer: Trainer, final: Snapshot) -> str:
    metric = trainer.task.metric
    value = final.test.get(metric.key, math.nan)
    baselines = ", ".join(f"{name} {readable(scores.get(metric.key, math.nan))}"
                          for name, scores in (final.baselines or {}).items())
    # English in summary.json (run files hold no translated text); shown with i18n.translate_text
    finished = trainer.status == "finished"
    if baselines:
        template = (N_("Finished at step {step}: test {metric} {value} (baselines: {baselines})") if finished
                    else N_("Stopped at step {step}: test {metric} {value} (baselines: {baselines})"))
    else:
        template = (N_("Finished at step {step}: test {metric} {value}") if finished
                    else N_("Stopped at step {step}: test {metric} {value}"))
    return template.format(step=trainer.step, metric=metric.title, value=readable(value), baselines=baselines)


def _make_optimizer(model: torch.nn.Module, tc) -> torch.optim.Optimizer:
    params = model.parameters()
    if tc.optimizer == "sgd":
        return torch.optim.SGD(params, lr=tc.learning_rate, momentum=tc.momentum, weight_decay=tc.weight_decay)
    if tc.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=tc.learning_rate, momentum=tc.momentum, weight_decay=tc.weight_decay)
    return torch.optim.Adam(params, lr=tc.learning_rate, weight_decay=tc.weight_decay)
