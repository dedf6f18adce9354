"""How much rnnlab's trainer costs over a bare PyTorch loop, in the same process, in alternating chunks.

    python bench/train_overhead.py [--steps 5] [--rounds 240] [--device cpu] [--threads N]

Both loops train the same model (fused nn.LSTM / nn.GRU + linear head, batch 64, T=100, hidden 128) on the adding
problem with Adam and gradient clipping. rnnlab runs with everything on at its defaults: per-group gradient norms,
validation passes and the gate probe on their adaptive schedules (each budgeted at 1.5% of the trainer's working
time). One trainer per cell lives through the whole bench; after its warm-up, each round times `--steps` of the bare
loop and then `--steps` of rnnlab's, so that both see the same state of the machine. The headline ratio is rnnlab's
steps/s over the bare loop's across all rounds together (the extras fall in some rounds and not others, so all
rounds together is the fair figure); the median and range of single rounds show the noise. Target >= 0.95. No
thresholds are asserted: this prints a table. "extras" is the share of rnnlab's time spent in the probe and
validation (their budgets: 1.5% each); "the rest" is rnnlab's time without them against the bare loop's, the cost
of everything else (per-group gradient norms, snapshots, the history) plus noise.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from rnnlab import config
from rnnlab.tasks.adding import make_adding
from rnnlab.train.devices import cpu_threads
from rnnlab.train.trainer import Trainer

BATCH, LENGTH, HIDDEN = 64, 100, 128


class RnnlabLoop:
    """rnnlab's trainer at its defaults, advanced a chunk of steps at a time; counts the extras it ran."""

    def __init__(self, cell: str, device: str, threads: int):
        cfg = config.experiment("adding", {
            "task.length": LENGTH, "model.cell": cell, "model.hidden_size": HIDDEN, "training.steps": 1_000_000,
            "training.batch_size": BATCH, "training.learning_rate": 1e-3, "training.device": device,
            "training.threads": threads}, suggested=False)
        trainer = Trainer(cfg)
        self.extras_s = 0.0  # seconds inside the probe and validation, timed around them (this bench only)
        for name in ("_probe", "_evaluate"):
            setattr(trainer, name, self._timed(getattr(trainer, name)))
        self.snaps = trainer.run()
        self.probes = self.vals = 0
        seen_val = seen_probe = 0
        while min(seen_val, seen_probe) < 2:  # the first of each warms up, the second measures its cost
            snap = next(self.snaps)
            seen_val += snap.val is not None
            seen_probe += snap.probe is not None
        self.extras_s = 0.0

    def _timed(self, extra):
        def run(*args):
            t0 = time.perf_counter()
            try:
                return extra(*args)
            finally:
                self.extras_s += time.perf_counter() - t0
        return run

    def time(self, steps: int) -> float:
        t0 = time.perf_counter()
        for _ in range(steps):
            snap = next(self.snaps)
            self.vals += snap.val is not None
            self.probes += snap.probe is not None
        return time.perf_counter() - t0


class BareLoop:
    """The same model and data in plain PyTorch."""

    def __init__(self, cell: str, device: str):
        torch.manual_seed(0)
        self.device = device
        self.rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(2, HIDDEN, batch_first=True).to(device)
        self.head = nn.Linear(HIDDEN, 1).to(device)
        self.params = list(self.rnn.parameters()) + list(self.head.parameters())
        self.opt = torch.optim.Adam(self.params, lr=1e-3)
        self.gen = torch.Generator().manual_seed(0)
        self.step()  # warm-up

    def step(self) -> float:
        b = make_adding(BATCH, LENGTH, self.gen)
        x, y = b.x.to(self.device), b.y.to(self.device)
        self.opt.zero_grad(set_to_none=True)
        out, h = self.rnn(x)
        h = h[0] if isinstance(h, tuple) else h
        loss = nn.functional.mse_loss(self.head(h[-1]), y)
        loss.backward()
        nn.utils.clip_grad_norm_(self.params, 1.0)
        self.opt.step()
        return loss.item()

    def time(self, steps: int) -> float:
        t0 = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5,
                        help="steps of each loop per round (short, so both loops see the same moment of the machine)")
    parser.add_argument("--rounds", type=int, default=240, help="rounds per cell; all together should hold several "
                        "validations (a GRU's costs ~0.3 s here, so one is due every ~20 s of rnnlab's time)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads for both loops; 0 = rnnlab's auto")
    args = parser.parse_args()
    threads = cpu_threads(args.threads)
    torch.set_num_threads(threads)  # both loops run with the same threads
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}; "
          f"batch {BATCH}, T={LENGTH}, hidden {HIDDEN}, {args.rounds} rounds x {args.steps} steps of each loop")
    print(f"{'cell':<6}{'bare steps/s':>14}{'rnnlab steps/s':>16}{'ratio':>8}{'rounds: median':>16}"
          f"{'min-max':>13}{'probes':>8}{'vals':>6}{'extras':>8}{'the rest':>10}")
    for cell in ("lstm", "gru"):
        ours, bare = RnnlabLoop(cell, args.device, threads), BareLoop(cell, args.device)
        bare_s, ours_s = [], []
        for _ in range(args.rounds):
            bare_s.append(bare.time(args.steps))
            ours_s.append(ours.time(args.steps))
        ratios = [b / o for b, o in zip(bare_s, ours_s)]
        total = args.rounds * args.steps
        print(f"{cell:<6}{total / sum(bare_s):>14.1f}{total / sum(ours_s):>16.1f}{sum(bare_s) / sum(ours_s):>8.3f}"
              f"{statistics.median(ratios):>16.3f}{f'{min(ratios):.3f}-{max(ratios):.3f}':>13}"
              f"{ours.probes:>8}{ours.vals:>6}{ours.extras_s / sum(ours_s):>8.1%}"
              f"{(sum(ours_s) - ours.extras_s) / sum(bare_s) - 1:>+10.1%}")
        ours.snaps.close()


if __name__ == "__main__":
    main()
