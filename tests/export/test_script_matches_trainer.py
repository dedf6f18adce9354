"""For every task: the exported script, run alone in a fresh Python, prints the losses rnnlab's own run recorded.

Each case trains a short run (30 steps) with rnnlab's trainer, saves it, exports the script for the same config,
runs the script in a subprocess (torch and numpy only) and compares its printed losses with the run's metrics.csv
and its final validation metric with the run's summary, to 1e-4 relative.
"""

from __future__ import annotations

import csv
import json
import py_compile
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab import config, tasks
from rnnlab.export import export_script
from rnnlab.runs.store import save_run
from rnnlab.train.trainer import Trainer

from helpers import configured

pytestmark = pytest.mark.slow  # every test here takes seconds

STEPS = 30
TOLERANCE = 1e-4

# Small versions of each task's suggested experiment: seconds per case on one CPU thread. A task not listed here
# (a new one) is still tested, with its defaults made SMALL: every registered task must export a reproducing script.
SMALL = {"model.hidden_size": 8, "training.batch_size": 8}
CASES = {
    "adding": {"model.cell": "lstm", "model.hidden_size": 16, "task.length": 20, "training.batch_size": 16,
               "model.recurrent_init": "orthogonal", "model.recurrent_scale": 0.9,
               "training.learning_rate": 0.01},
    "memory": {"model.cell": "gru", "model.hidden_size": 16, "model.embedding_size": 8, "task.gap": 6,
               "model.gate_init": "chrono", "training.learning_rate": 0.01},
    "forecast": {"model.cell": "lstm", "model.hidden_size": 16, "training.batch_size": 16,
                 "training.learning_rate": 0.005, "model.num_layers": 2, "model.dropout": 0.2},
    "sentiment": {"model.cell": "gru", "model.hidden_size": 16, "model.embedding_size": 16, "model.dropout": 0.5,
                  "training.batch_size": 32, "training.learning_rate": 0.004, "task.vocab_size": 2000},
    "tagging": {"model.cell": "lstm", "model.bidirectional": True, "model.hidden_size": 16,
                "model.embedding_size": 16, "model.dropout": 0.3, "training.batch_size": 16,
                "task.word_dropout": 0.1, "training.learning_rate": 0.005},
    "charlm": {"model.cell": "lstm", "model.hidden_size": 32, "model.embedding_size": 16, "training.tbptt": 32,
               "task.max_chars": 60_000, "training.batch_size": 16, "training.learning_rate": 0.004},
    "dates": {"model.cell": "gru", "model.hidden_size": 32, "model.embedding_size": 16, "task.eval_size": 200,
              "task.train_size": 2000, "training.batch_size": 32, "training.optimizer": "rmsprop",
              "training.momentum": 0.5, "training.learning_rate": 0.003, "model.bidirectional": True},
}


def make_config(task: str, changes: dict) -> config.RunConfig:
    return configured(task, changes, steps=STEPS, seed=3, device="cpu", eval_every=STEPS, probe_every=STEPS)


def printed(output: str, what: str) -> dict[int, float]:
    return {int(m[1]): float(m[2]) for m in re.finditer(rf"^step\s+(\d+)\s+{what} (\S+)$", output, re.M)}


def test_the_cases_are_registered_tasks():
    assert set(CASES) <= set(tasks.names())  # a renamed task must not leave its case behind, untested


@pytest.mark.slow  # a training run and a fresh Python importing torch: 9-19 s a case on the shared 2-core machine
@pytest.mark.parametrize("task", tasks.names())
def test_exported_script_prints_the_runs_losses(task, tmp_path):
    cfg = make_config(task, CASES.get(task, SMALL))
    trainer = Trainer(cfg)
    for _ in trainer.run():
        pass
    run = save_run(trainer, tmp_path / "run")
    with open(run / "metrics.csv", newline="") as fh:
        losses = {int(float(r["step"])): float(r["train_loss"]) for r in csv.DictReader(fh) if r["train_loss"]}
    summary = json.loads((run / "summary.json").read_text())

    script = export_script(cfg, tmp_path / "student" / f"train_{task}.py").script
    py_compile.compile(str(script), doraise=True)
    text = script.read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert not re.search(r"^\s*(import|from)\s+rnnlab", text, re.M)

    result = subprocess.run([sys.executable, "-I", script.name], cwd=script.parent, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    got = printed(out, "loss")
    assert STEPS in got and len(got) >= 10, out
    for step, value in got.items():
        assert value == pytest.approx(losses[step], rel=TOLERANCE), (step, out)
    metric = trainer.task.metric
    val = printed(out, f"validation {re.escape(metric.title)}")
    assert val[STEPS] == pytest.approx(summary["val"][metric.key], rel=TOLERANCE, abs=1e-9), out
    test_line = re.search(rf"^test {re.escape(metric.title)} (\S+)$", out, re.M)
    assert float(test_line[1]) == pytest.approx(summary["test"][metric.key], rel=TOLERANCE, abs=1e-9), out
    for name, scores in summary["baselines"].items():
        line = re.search(rf"^baseline \({re.escape(name)}\): test {re.escape(metric.title)} (\S+)$", out, re.M)
        assert line, (name, out)
        assert float(line[1]) == pytest.approx(scores[metric.key], rel=TOLERANCE), (name, out)
