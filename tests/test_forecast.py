"""The sliding-window forecast task: windows, chronological split, train-only normalisation, baselines."""

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab import config
from rnnlab.data.series import BUNDLED
from rnnlab.models.network import SequenceModel
from rnnlab.tasks.forecast import ForecastTask, example_counts, fits, min_rows

from helpers import configured


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


# --- the slides' own example: a 17-row daily series (issue 19, item 6) ----------------------------------------------

SLIDE_CSV = Path(__file__).parent / "data" / "slide_daily_17.csv"


def slide_config(**options):
    return configured("forecast", {"task.dataset": "csv", "task.csv_path": str(SLIDE_CSV),
                                   **{f"task.{k}": v for k, v in options.items()}, "model.hidden_size": 8},
                      steps=30, batch_size=4)


def test_the_slides_17_row_csv_trains_with_a_window_of_3():
    cfg = slide_config(window=3)
    t = ForecastTask(cfg.task.options)
    assert len(t.series) == 17 and t.series.values[0] == 531974.19 and t.series.labels[0] == "9/6/2017"
    assert t.period == 7  # daily dates: a weekly season for the seasonal-naive baseline
    counts = [len(t.splits[s]) for s in ("train", "val", "test")]
    assert counts == list(example_counts(17, 3, 1, 0.15, 0.15)) and min(counts) >= 1 and counts[0] >= 5
    from rnnlab.train.trainer import Trainer

    torch.set_num_threads(1)
    final = list(Trainer(cfg).run())[-1]
    assert final.status == "finished" and np.isfinite(final.test["rmse"])
    assert "e+0" not in final.message  # RMSE in the series' own units, written readably (30,690, not 3.069e+04)
    assert re.search(r"test RMSE \d{1,3}(,\d{3})+ \(baselines: seasonal naive \d{1,3}(,\d{3})+, last value", final.message)


def test_a_window_too_long_for_the_series_says_which_setting_to_change_and_to_what():
    with pytest.raises(config.ConfigError) as err:
        slide_config()  # the default window of 24
    assert err.value.field == "task.window"
    assert str(err.value) == ("The series has 17 values; window 24 with horizon 1 needs at least 43. Set the window "
                              "(task.window) to at most 6.")
    slide_config(window=6)  # what it said fits
    with pytest.raises(config.ConfigError, match=r"Set the horizon \(task.horizon\) to at most 2"):
        slide_config(window=1, horizon=12)
    with pytest.raises(config.ConfigError, match=r"needs at least 33. Use a longer series, or smaller fractions"):
        slide_config(window=3, val_fraction=0.4, test_fraction=0.4)


@pytest.mark.parametrize("window, horizon", [(1, 1), (3, 1), (3, 4), (6, 1), (12, 2)])
def test_min_rows_is_exactly_what_the_splits_need(window, horizon):
    """The minimum the message gives is the real one: one value fewer leaves a part without examples; and the counts
    are those the task makes."""
    need = min_rows(window, horizon, 0.15, 0.15)
    assert fits(need, window, horizon, 0.15, 0.15) and not fits(need - 1, window, horizon, 0.15, 0.15)
    if fits(17, window, horizon, 0.15, 0.15):
        t = task(dataset="csv", csv_path=str(SLIDE_CSV), window=window, horizon=horizon)
        assert [len(t.splits[s]) for s in ("train", "val", "test")] == list(
            example_counts(17, window, horizon, 0.15, 0.15))


def test_readable_numbers():
    from rnnlab.train.numbers import readable

    assert [readable(x) for x in (30690.3, 531974.19, 999.54, 0.0012345, 1.2e-7, float("nan"))] == [
        "30,690", "531,974", "999.5", "0.001234", "1.2e-07", "nan"]
