"""Sweep the gap of the remember-the-first-symbol task for vanilla RNN, LSTM and GRU at one fixed small budget.

Prints a Markdown table of test accuracy (mean over seeds) per cell and gap. Every plain run is the same
`rnnlab train` a user would start (the task's suggested settings, then the budget below), so each number can be
reproduced on its own::

    rnnlab train --task memory --cell rnn_tanh --set task.gap=50 --steps 800 --set model.hidden_size=64

A variant written `lstm:open` or `gru:open` (config `model.gate_init = "open"`) starts with the gate that keeps the memory open: bias 2 on the LSTM forget gate
(b_hf = 2, b_if = 0) or on the GRU update gate z (b_hz = 2, b_iz = 0), so at the start the state is kept with
sigmoid(2) = 0.88 per step instead of 0.5 (Gers et al. 2000; Jozefowicz et al. 2015). `lstm:chrono` / `gru:chrono`
use the chrono initialisation (Tallec & Ollivier 2018): per unit a bias log(u), u ~ U(1, T - 1), so the units start
with memories on every time scale up to the sequence length T. torch initialises these biases around 0, and at that
init the gradient back to the key shrinks like 0.5^gap: the gated cells then cannot learn long gaps within a small
budget. `lstm:chrono` is `--set model.gate_init=chrono` on the command line.

Usage: python bench/memory_sweep.py [--gaps 5 10 20 50 100] [--cells rnn_tanh lstm gru lstm:open gru:open lstm:chrono
                                    gru:chrono] [--steps 800] [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import torch

from rnnlab import config, tasks
from rnnlab.train.trainer import Trainer


def run_one(variant: str, gap: int, steps: int, seed: int, hidden: int) -> tuple[float, float]:
    """Test accuracy and wall seconds of one training run. `variant`: a cell name, optionally `:bias`."""
    cell, _, bias = variant.partition(":")
    cfg = config.RunConfig().replace("task.name", "memory")
    for key, value in tasks.get("memory").suggested.items():
        cfg = cfg.replace(key, value)
    for key, value in (("model.cell", cell), ("task.gap", gap), ("training.steps", steps),
                       ("training.seed", seed), ("model.hidden_size", hidden), ("training.eval_every", steps)):
        cfg = cfg.replace(key, value)
    t0 = time.perf_counter()
    if bias:
        cfg = cfg.replace("model.gate_init", "chrono" if bias == "chrono" else "open")
    trainer = Trainer(cfg)
    last = None
    for last in trainer.run():
        pass
    accuracy = last.test["accuracy"] if last is not None and last.test else math.nan
    return accuracy, time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gaps", type=int, nargs="+", default=[5, 10, 20, 50, 100])
    parser.add_argument("--cells", nargs="+",
                        default=["rnn_tanh", "lstm", "gru", "lstm:open", "gru:open", "lstm:chrono", "gru:chrono"],
                        help="cells; `lstm:open` = LSTM with forget-gate bias 2, `gru:open` = GRU with update-gate bias 2, "
                             "`lstm:chrono`, `gru:chrono` = chrono initialisation")
    parser.add_argument("--steps", type=int, default=800, help="optimizer steps per run (the fixed budget)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fairest on a shared CPU)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    keys = tasks.get("memory").options["keys"].default
    print(f"remember-the-first-symbol: {keys} keys (chance {1 / keys:.2f}), {args.steps} steps of batch "
          f"{tasks.get('memory').suggested['training.batch_size']}, hidden {args.hidden}, seeds {args.seeds}; "
          f"test accuracy (mean over seeds)\n", flush=True)
    results: dict[tuple[str, int], list[float]] = {}
    total = 0.0
    for gap in args.gaps:
        for cell in args.cells:
            for seed in args.seeds:
                acc, secs = run_one(cell, gap, args.steps, seed, args.hidden)
                total += secs
                results.setdefault((cell, gap), []).append(acc)
                print(f"  gap {gap:>4} {cell:<8} seed {seed}: accuracy {acc:.3f} ({secs:.0f} s)", file=sys.stderr,
                      flush=True)
    print("| cell | " + " | ".join(f"gap {g}" for g in args.gaps) + " |")
    print("|---|" + "---:|" * len(args.gaps))
    for cell in args.cells:
        cells = []
        for gap in args.gaps:
            accs = results[(cell, gap)]
            mean = sum(accs) / len(accs)
            spread = f" ({min(accs):.2f}-{max(accs):.2f})" if len(accs) > 1 else ""
            cells.append(f"{mean:.2f}{spread}")
        base, _, bias = cell.partition(":")
        gate = "forget" if base == "lstm" else "update"
        name = (f"{base}, chrono init" if bias == "chrono" else f"{base}, {gate}-gate bias 2 (open)") if bias else \
            f"{cell} (torch init)"
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\n{len(results) * len(args.seeds)} runs, {total:.0f} s of training in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
