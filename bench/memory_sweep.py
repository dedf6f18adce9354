"""The gap-by-cell table of docs/tasks-seq.md, from a sweep: `examples/memory-gaps.toml` run by `rnnlab sweep`.

Runs (or resumes) the sweep with the real command, then prints the Markdown table of test accuracy per variant and
gap (mean over seeds, the range in brackets when the seeds differ) from the sweep folder's results.csv, and how long
the sweep took with how many workers. Every number can be reproduced on its own, e.g.::

    rnnlab train --task memory --cell rnn_tanh --set task.gap=50 --steps 800 --set model.hidden_size=64

Usage: python bench/memory_sweep.py [--file examples/memory-gaps.toml] [--out sweeps/memory-gaps] [--workers N]
                                    [--ray ADDRESS] [--table-only]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from rnnlab.cli import main as rnnlab
from rnnlab.experiments import read_results

ROOT = Path(__file__).resolve().parent.parent
NAMES = {"default": "{cell} (torch init)", "open": "{cell}, {gate}-gate bias 2", "chrono": "{cell}, chrono init"}


def variant_name(cell: str, gate_init: str) -> str:
    if cell.startswith("rnn_"):
        return f"{cell} (torch init)"
    return NAMES[gate_init].format(cell=cell, gate="forget" if cell == "lstm" else "update")


def markdown(rows: list[dict]) -> str:
    gaps = sorted({int(r["task.gap"]) for r in rows})
    accs: dict[tuple[str, int], list[float]] = defaultdict(list)
    order: list[str] = []
    for r in rows:
        name = variant_name(r["model.cell"], r["model.gate_init"])
        if name not in order:
            order.append(name)
        if r["status"] in ("finished", "diverged") and r.get("test_accuracy"):
            accs[(name, int(r["task.gap"]))].append(float(r["test_accuracy"]))
    lines = ["| cell | " + " | ".join(f"gap {g}" for g in gaps) + " |", "|---|" + "---:|" * len(gaps)]
    for name in order:
        cells = []
        for gap in gaps:
            a = accs.get((name, gap), [])
            if not a:
                cells.append("-")
                continue
            spread = f" ({min(a):.2f}-{max(a):.2f})" if max(a) - min(a) >= 0.005 else ""
            cells.append(f"{sum(a) / len(a):.2f}{spread}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default=str(ROOT / "examples" / "memory-gaps.toml"))
    parser.add_argument("--out", default="sweeps/memory-gaps")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--ray")
    parser.add_argument("--table-only", action="store_true", help="print the table of an existing sweep folder")
    args = parser.parse_args(argv)
    if not args.table_only:
        cmd = ["sweep", args.file, "--out", args.out, "--quiet"]
        cmd += ["--workers", str(args.workers)] if args.workers else []
        cmd += ["--ray", args.ray] if args.ray else []
        t0 = time.perf_counter()
        code = rnnlab(cmd)
        print(f"\nrnnlab sweep took {time.perf_counter() - t0:.0f} s (exit {code})\n", file=sys.stderr)
        if code not in (0, 1):
            return code
    rows = read_results(args.out)
    print(markdown(rows))
    done = [r for r in rows if r["status"] in ("finished", "diverged")]
    print(f"\n{len(done)} of {len(rows)} points done, {sum(float(r['wall_s']) for r in done):.0f} s of training in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
