"""Run folders: saved atomically, opened back identically, and damaged ones give a clear RunError."""

import json

import numpy as np
import pytest
import torch

from rnnlab.errors import RunError
from rnnlab.runs.store import open_run, restore_trainer, save_run
from rnnlab.train.trainer import Trainer

from helpers import configured


@pytest.fixture(scope="module")
def trained():
    torch.set_num_threads(1)
    cfg = configured("adding", {"task.length": 12, "model.cell": "gru", "model.hidden_size": 8, "model.num_layers": 2,
                                "model.bidirectional": True}, steps=15, seed=1)
    trainer = Trainer(cfg)
    list(trainer.run())
    return trainer


def test_round_trip(trained, tmp_path):
    path = save_run(trained, tmp_path / "run")
    assert sorted(p.name for p in path.iterdir()) == ["config.toml", "first_probe.safetensors", "metrics.csv",
                                                     "probe.safetensors", "probes.safetensors", "summary.json",
                                                     "weights.safetensors"]
    run = open_run(path)
    assert run.config == trained.cfg
    assert run.summary["status"] == "finished" and run.summary["steps"] == 15
    for name in ("step", "train_loss", "val_loss", "grad_norm"):
        np.testing.assert_array_equal(run.history.column(name), trained.history.column(name))
    for k, v in trained.model.state_dict().items():
        assert torch.equal(run.weights[k], v)
    assert run.probe.step == trained.last_probe.step and run.probe.gate_names == ("r", "z", "n")
    for key, arr in trained.last_probe.gates.items():
        np.testing.assert_array_equal(run.probe.gates[key], arr)
    np.testing.assert_array_equal(run.probe.grad_norms[(1, 1)], trained.last_probe.grad_norms[(1, 1)])
    assert run.probe.labels == trained.last_probe.labels


def test_restored_trainer_predicts_like_the_original(trained, tmp_path):
    restored = restore_trainer(open_run(save_run(trained, tmp_path / "run")))
    assert restored.step == 15 and restored.status == "finished"
    val = restored.task.evaluate(restored.model, "val")
    assert val["mse"] == pytest.approx(trained.task.evaluate(trained.model, "val")["mse"], rel=1e-6)


def test_saving_over_a_run_replaces_it_whole(trained, tmp_path):
    path = save_run(trained, tmp_path / "run")
    save_run(trained, path)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temp or backup folders left
    open_run(path)


def test_refuses_to_overwrite_a_folder_that_is_not_a_run(trained, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.txt").write_text("precious")
    with pytest.raises(RunError, match="not an rnnlab run"):
        save_run(trained, tmp_path / "docs")
    assert (tmp_path / "docs" / "thesis.txt").read_text() == "precious"


@pytest.mark.parametrize("damage,message", [
    (lambda p: (p / "weights.safetensors").unlink(), "weights.safetensors missing"),
    (lambda p: (p / "summary.json").write_text("{not json"), "summary.json is damaged"),
    (lambda p: (p / "summary.json").write_text('{"format": "other"}'), "not written by rnnlab"),
    (lambda p: (p / "summary.json").write_text('{"format": "rnnlab-run", "format_version": 9}'),
     "format version 9"),
    (lambda p: (p / "weights.safetensors").write_bytes(b"\x00\x01garbage"), "weights.safetensors is damaged"),
    (lambda p: (p / "metrics.csv").write_text("a,b\n1,2\n"), "metrics.csv is damaged"),
    (lambda p: (p / "config.toml").write_text("[model]\ncell = 'transformer'\n"), "config.toml cannot be used"),
    (lambda p: (p / "probe.safetensors").write_bytes(b"junk"), "probe.safetensors is damaged"),
])
def test_damaged_runs_give_a_clear_error(trained, tmp_path, damage, message):
    path = save_run(trained, tmp_path / "run")
    damage(path)
    with pytest.raises(RunError, match=message):
        open_run(path)


def test_not_a_folder(tmp_path):
    with pytest.raises(RunError, match="not a folder"):
        open_run(tmp_path / "nothing")


def test_summary_has_no_nan(trained, tmp_path):
    path = save_run(trained, tmp_path / "run")
    json.loads((path / "summary.json").read_text(), parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_the_gradient_history_and_the_first_probe_come_back(trained, tmp_path):
    """Format 2 keeps every probe's ||dL/dh_t|| and the probe before training (issue 9, item 9)."""
    assert len(trained.grad_history) >= 2 and trained.first_probe.step == 0
    run = open_run(save_run(trained, tmp_path / "run"))
    assert run.summary["format_version"] == 2
    assert [s for s, _ in run.grad_history] == [s for s, _ in trained.grad_history]
    for (_, saved), (_, live) in zip(run.grad_history, trained.grad_history):
        assert saved.keys() == live.keys() == {(0, 0), (0, 1), (1, 0), (1, 1)}
        for key in live:
            np.testing.assert_array_equal(saved[key], live[key])
    assert run.first_probe.step == 0
    np.testing.assert_array_equal(run.first_probe.grad_norms[(1, 0)], trained.first_probe.grad_norms[(1, 0)])
    restored = restore_trainer(run)
    assert restored.first_probe.step == 0 and len(restored.grad_history) == len(trained.grad_history)
    assert restored.message == trained.message and "test MSE" in restored.message


def test_a_format_1_folder_still_opens(trained, tmp_path):
    path = save_run(trained, tmp_path / "old")
    (path / "probes.safetensors").unlink()
    (path / "first_probe.safetensors").unlink()
    summary = json.loads((path / "summary.json").read_text())
    summary["format_version"] = 1
    (path / "summary.json").write_text(json.dumps(summary))
    run = open_run(path)
    assert run.grad_history == [] and run.first_probe is None and run.probe is not None
    assert restore_trainer(run).step == trained.step
