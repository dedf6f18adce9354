"""How much rnnlab's trainer costs over a bare PyTorch loop, in the same process, alternating rounds.

    python bench/train_overhead.py [--steps 150] [--rounds 5] [--device cpu] [--threads N]

Both loops train the same model (fused nn.LSTM / nn.GRU + linear head, batch 64, T=100, hidden 128) on the adding
problem with Adam and gradient clipping. rnnlab runs with everything on at its defaults: per-group gradient norms,
validation passes and the gate probe on their adaptive schedules (each budgeted at 2% of the time), timed in the
steady state after their first measured run. The ratio is rnnlab's steps/s over the bare loop's (target >= 0.95).
No thresholds are asserted: this prints a table. On a shared machine single rounds scatter; read the median.
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


def rnnlab_rate(cell: str, steps: int, device: str, threads: int) -> float:
    cfg = config.from_dict({
        "task": {"name": "adding", "options": {"length": LENGTH}},
        "model": {"cell": cell, "hidden_size": HIDDEN},
        "training": {"steps": 100_000, "batch_size": BATCH, "learning_rate": 1e-3, "device": device,
                     "threads": threads}})
    trainer = Trainer(cfg)
    seen = {"val": 0, "probe": 0}
    t_start = start_step = None
    for snap in trainer.run():
        seen["val"] += snap.val is not None
        seen["probe"] += snap.probe is not None
        if t_start is None and min(seen.values()) >= 2:
            # Steady state: the first validation and probe warm up (lazy set-up, caches) and the second follows a
            # moment later to measure their cost; from then on each is scheduled to take about EVAL_BUDGET /
            # PROBE_BUDGET of the time, so the window must be long enough to hold a few of each (--steps).
            t_start, start_step = time.perf_counter(), snap.step
        elif t_start is not None and snap.step >= start_step + steps:
            return steps / (time.perf_counter() - t_start)
    raise RuntimeError(f"the run ended at step {trainer.step} ({trainer.status})")


def bare_rate(cell: str, steps: int, device: str) -> float:
    torch.manual_seed(0)
    rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(2, HIDDEN, batch_first=True).to(device)
    head = nn.Linear(HIDDEN, 1).to(device)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    gen = torch.Generator().manual_seed(0)

    def step():
        b = make_adding(BATCH, LENGTH, gen)
        x, y = b.x.to(device), b.y.to(device)
        opt.zero_grad(set_to_none=True)
        out, h = rnn(x)
        h = h[0] if isinstance(h, tuple) else h
        loss = nn.functional.mse_loss(head(h[-1]), y)
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=150, help="timed steps per round (long enough that the "
                        "adaptive validation and probe schedules run at their budgets inside the window)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads for both loops; 0 = rnnlab's auto")
    args = parser.parse_args()
    threads = cpu_threads(args.threads)
    torch.set_num_threads(threads)  # both loops run with the same threads
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}; "
          f"batch {BATCH}, T={LENGTH}, hidden {HIDDEN}, {args.steps} steps x {args.rounds} rounds (alternating)")
    print(f"{'cell':<6}{'bare steps/s':>14}{'rnnlab steps/s':>16}{'ratio':>8}   per-round ratios")
    for cell in ("lstm", "gru"):
        bare, ours = [], []
        for _ in range(args.rounds):
            bare.append(bare_rate(cell, args.steps, args.device))
            ours.append(rnnlab_rate(cell, args.steps, args.device, threads))
        ratios = [o / b for o, b in zip(ours, bare)]
        print(f"{cell:<6}{statistics.median(bare):>14.1f}{statistics.median(ours):>16.1f}"
              f"{statistics.median(ratios):>8.3f}   " + " ".join(f"{r:.3f}" for r in ratios))


if __name__ == "__main__":
    main()
