"""How much rnnlab's trainer costs over a bare PyTorch loop, in the same process, alternating rounds.

    python bench/train_overhead.py [--steps 60] [--rounds 7] [--device cpu] [--threads N]

Both loops train the same model (fused nn.LSTM / nn.GRU + linear head, batch 64, T=100, hidden 128) on the adding
problem with Adam and gradient clipping. rnnlab runs with everything on at its defaults: per-group gradient norms,
validation passes and the gate probe on their adaptive schedules. The ratio is rnnlab's steps/s over the bare loop's
(target >= 0.90). No thresholds are asserted: this prints a table.
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
        "training": {"steps": steps + 2, "batch_size": BATCH, "learning_rate": 1e-3, "device": device,
                     "threads": threads}})
    trainer = Trainer(cfg)
    t_start = None
    for snap in trainer.run():
        if snap.step == 1 and snap.status == "running":
            t_start = time.perf_counter()  # from the end of step 1: steady state, like the bare loop's warm-up
        if snap.step == steps + 1 or snap.status != "running":
            t_end = time.perf_counter()
            break
    # steps 2..steps+1, including every validation pass and probe the trainer chose to run in between (the run is
    # two steps longer, so the end-of-run evaluation on validation and test is not counted)
    return steps / (t_end - t_start)


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
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=7)
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
