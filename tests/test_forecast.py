"""The sliding-window forecast task: windows, chronological split, train-only normalisation, baselines."""

import numpy as np
import pytest
import torch

from rnnlab import config
from rnnlab.data.series import BUNDLED
from rnnlab.models.network import SequenceModel
from rnnlab.tasks.forecast import ForecastTask


def task(**options):
    return ForecastTask(options)


def test_windows_and_targets_follow_the_slides():
    t = task(window=5, horizon=3, transform="none", difference=False)
    split = t.splits["train"]
    assert split.x.shape[1:] == (5, 1) and split.y.shape[1] == 3
    v = t.series.values
    origin = int(split.extra["origins"][0])
    x_values = split.x[0, :, 0].numpy() * t.level_std + t.level_mean
    np.testing.assert_allclose(x_values, v[origin - 4: origin + 1], rtol=1e-5)
    np.testing.assert_allclose(t.truth(np.array([origin]))[0], v[origin + 1: origin + 4])


def test_split_is_chronological_and_targets_never_straddle():
    t = task(window=12, horizon=4)
    train, val, test = (t.splits[s].extra["origins"] for s in ("train", "val", "test"))
    assert train.max() + 4 < t.train_end <= val.min() + 1
    assert val.max() + 4 < t.val_end <= test.min() + 1
    assert test.max() + 4 <= len(t.series) - 1


def test_normalisation_uses_the_training_part_only():
    t = task(transform="none", difference=False)
    v = t.series.values
    assert t.level_mean == pytest.approx(v[: t.train_end].mean())
    assert t.level_mean != pytest.approx(v.mean())


def test_decode_inverts_encode():
    for opts in ({"transform": "log", "difference": True}, {"transform": "none", "difference": False}):
        t = task(horizon=2, **opts)
        origins = t.splits["test"].extra["origins"]
        decoded = t.decode(t.splits["test"].y.numpy().astype(np.float64), origins)
        np.testing.assert_allclose(decoded, t.truth(origins), rtol=1e-4)


def test_baselines_are_last_value_and_seasonal_naive():
    t = task(horizon=13)
    origins = t.splits["test"].extra["origins"]
    f = t.baseline_forecasts("test")
    v = t.series.values
    o = int(origins[0])
    assert f["last value"][0, 5] == v[o]
    assert f["seasonal naive"][0, 0] == v[o + 1 - 12]  # one season before the target
    assert f["seasonal naive"][0, 12] == v[o + 13 - 24]  # step 13 is two seasons back
    rmse = np.sqrt(np.mean((f["last value"] - t.truth(origins)) ** 2))
    assert t.baselines("test")["last value"]["rmse"] == pytest.approx(rmse)


@pytest.mark.parametrize("dataset", sorted(BUNDLED))
def test_every_bundled_series_trains_a_few_steps(dataset):
    from rnnlab.train.trainer import Trainer

    torch.set_num_threads(1)
    cfg = config.from_dict({"task": {"name": "forecast", "options": {"dataset": dataset, "horizon": 3}},
                            "model": {"hidden_size": 8}, "training": {"steps": 5}})
    final = list(Trainer(cfg).run())[-1]
    assert final.status == "finished" and np.isfinite(final.test["rmse"])
    view = Trainer(cfg).task.view(SequenceModel(cfg.model, Trainer(cfg).task.spec))
    assert view["test_forecast"].shape == (len(view["test_origins"]), 3)


def test_auto_transform_takes_logs_of_growing_positive_series_only():
    assert task().log
    assert not task(dataset="co2").log and not task(dataset="sunspots").log


def test_user_csv_end_to_end(tmp_path):
    path = tmp_path / "sales.csv"
    months = np.arange(120)
    values = 100 + months + 10 * np.sin(2 * np.pi * months / 12)
    path.write_text("month,sales\n" + "\n".join(f"m{i},{x:.3f}" for i, x in zip(months, values)))
    t = task(dataset="csv", csv_path=str(path), column="sales", period=12, window=12)
    assert t.period == 12 and len(t.series) == 120 and t.series.unit == "sales"
