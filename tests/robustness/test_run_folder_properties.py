"""Property test of the run-folder loader: 300 damaged or hostile copies of a real saved run.

Damage: a file deleted, truncated, bit-flipped or replaced by random bytes, a folder, a FIFO, a link to /dev/zero or
a huge sparse file; a summary.json field set to any JSON value; config.toml edited; a metrics.csv cell, header or
row broken; a probe's metadata or arrays changed; a weight of the wrong shape or type. Invariant: `open_run` +
`restore_trainer` give a usable run, or the project's own error in one line under 300 characters (the folder's
path left out) naming the file or the field; every case under a time limit."""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rnnlab.errors import RnnlabError
from rnnlab.runs.store import open_run, restore_trainer

from helpers import check_refusal, time_limit

pytestmark = pytest.mark.slow  # every test here takes seconds

CASE_SECONDS = 10.0
COMMON = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
FILES = ["config.toml", "weights.safetensors", "metrics.csv", "summary.json", "probe.safetensors"]
SUMMARY_FIELDS = ["status", "message", "steps", "total_steps", "epochs", "elapsed_s", "device", "task", "metric",
                  "metric_title", "higher_is_better", "val", "test", "baselines", "format", "format_version"]
FOLDER = Path(tempfile.mkdtemp(prefix="rnnlab-runs-"))

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
              st.sampled_from(["finished", "stopped", "diverged", "mse", 1, 0.5, -1, 10**30])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6)


def _flip(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))


def _replace_with(path: Path, kind: str) -> None:
    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    else:  # sparse, far beyond any cap
        with open(path, "wb") as fh:
            fh.truncate(5 * 2**30)


def _metrics(path: Path, rng: random.Random) -> None:
    rows = [line.split(",") for line in path.read_text().splitlines()]
    r = rng.randrange(len(rows))
    c = rng.randrange(len(rows[r]))
    how = rng.randrange(5)
    if how == 0:
        rows[r][c] = rng.choice(["nan", "x", "inf", "-1", "1e999", "²", "", '"', "1.5", "9" * 200])
    elif how == 1:
        rows[0][c] = rng.choice(rows[0])
    elif how == 2:
        del rows[r][c]
    elif how == 3:
        rng.shuffle(rows)
    else:
        rows.insert(rng.randrange(1, len(rows) + 1), rows[r])
    path.write_text("\n".join(",".join(row) for row in rows) + "\n")


def _probe(path: Path, rng: random.Random, value) -> None:
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    with safe_open(str(path), framework="numpy") as fh:
        meta = json.loads(fh.metadata()["probe"])
    arrays = load_file(str(path))
    if rng.random() < 0.5:
        meta[rng.choice(sorted(meta) + ["extra"])] = value
    else:
        key = rng.choice(sorted(arrays))
        shape = tuple(rng.randint(0, 5) for _ in range(rng.randint(0, 4)))
        arrays[rng.choice([key, "gates/9/9/i", "junk", "grad/x"])] = np.zeros(shape, np.float32)
    save_file(arrays, str(path), metadata={"format": "rnnlab-run", "probe": json.dumps(meta)})


def _weights(path: Path, rng: random.Random) -> None:
    from safetensors.torch import load_file, save_file
    import torch

    weights = load_file(str(path))
    key = rng.choice(sorted(weights))
    how = rng.randrange(3)
    if how == 0:
        weights[key] = torch.zeros(rng.randint(0, 9), rng.randint(1, 3))
    elif how == 1:
        weights[key] = weights[key].to(torch.int64)
    else:
        weights[key + "_extra"] = weights.pop(key)
    save_file(weights, str(path))


def damage(run: Path, kind: int, seed: int, value) -> str:
    rng = random.Random(seed)
    name = rng.choice(FILES)
    path = run / name
    if kind == 0:
        path.unlink()
    elif kind == 1:
        data = path.read_bytes()
        path.write_bytes(data[: rng.randrange(len(data) + 1)])
    elif kind == 2:
        _flip(path, rng)
    elif kind == 3:
        path.write_bytes(rng.randbytes(rng.randrange(2000)))
    elif kind == 4:
        _replace_with(path, rng.choice(["folder", "fifo", "zero", "sparse"]))
    elif kind in (5, 6):
        name = "summary.json"
        data = json.loads((run / name).read_text())
        data[rng.choice(SUMMARY_FIELDS)] = value
        (run / name).write_text(json.dumps(data) if kind == 5 else json.dumps(value))
    elif kind == 7:
        name = "config.toml"
        text = (run / name).read_text()
        at = rng.randrange(len(text))
        insert = rng.choice(["", "x", "= 5", "[model]", "\n", '"', "hidden_size = 1e9", "model = 5\n", "9" * 30])
        (run / name).write_text(text[:at] + insert + text[at + rng.randrange(0, 20):])
    elif kind == 8:
        name = "metrics.csv"
        _metrics(run / name, rng)
    elif kind == 9:
        name = "probe.safetensors"
        _probe(run / name, rng, value)
    else:
        name = "weights.safetensors"
        _weights(run / name, rng)
    return name


@settings(max_examples=300, **COMMON)
@given(st.integers(0, 10), st.integers(0, 2**32), json_values)
def test_damaged_copies_of_a_real_run(saved_run, kind, seed, value):
    run = FOLDER / "run"
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(saved_run, run)
    damage(run, kind, seed, value)
    with time_limit(CASE_SECONDS):
        try:
            opened = open_run(run)
            trainer = restore_trainer(opened)
        except RnnlabError as exc:
            text = check_refusal(exc, *FILES, str(run), " = ", folder=str(run))
            event("refused")
            return
    event("opened")
    history = opened.history
    assert all(len(history.column(c)) == len(history) for c in history.columns)
    assert isinstance(trainer.step, int) and isinstance(trainer.message, str)
    if opened.probe is not None:
        shapes = {a.shape[:2] for group in (opened.probe.gates, opened.probe.hidden) for a in group.values()}
        assert len(shapes) <= 1
