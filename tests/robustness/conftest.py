"""Fixtures shared by the robustness tests: one real saved run and one real finished sweep folder (the refusal
invariant and the time limit they check with are plain functions in tests/helpers.py)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(scope="session")
def saved_run(tmp_path_factory):
    """A real run folder (a small bidirectional 2-layer GRU on the adding task), saved by rnnlab itself."""
    from rnnlab import config
    from rnnlab.runs.store import save_run
    from rnnlab.train.trainer import Trainer

    torch.set_num_threads(1)
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 10, "train_size": 100}},
                            "model": {"cell": "gru", "hidden_size": 4, "num_layers": 2, "bidirectional": True},
                            "training": {"steps": 6, "seed": 2}})
    trainer = Trainer(cfg)
    list(trainer.run())
    return save_run(trainer, tmp_path_factory.mktemp("saved") / "run")


@pytest.fixture(scope="session")
def finished_sweep(tmp_path_factory):
    """A real sweep folder: two points trained (in this process) and saved as the runner saves them. Read only:
    a test that damages it works on a copy (`copy_folder`)."""
    from helpers import run_inline, tiny_sweep

    torch.set_num_threads(1)
    sw = tiny_sweep()
    folder = tmp_path_factory.mktemp("sweeps") / "done"
    run_inline(sw, folder)
    return sw, folder
