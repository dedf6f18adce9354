"""Time-series forecasting with a sliding window (many-to-one): the last `window` values -> the next `horizon` values.

As in the workshop slides::

    series   v_1 v_2 ... v_t | v_t+1 ... v_t+h
    input    [v_t-k+1 .. v_t]   (k = window)
    target                      [v_t+1 .. v_t+h]

The split is chronological by target (train, then validation, then test; a window may look back across a boundary,
a target never straddles one). Normalisation is fitted on the training part only. With `difference` on, the model
predicts the change from the last value, so "no change" (the last-value baseline) is its starting point.
Errors are reported in the series' own units beside the last-value and seasonal-naive baselines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..options import BOOL, choice, float_range, int_range, text
from ..data.series import BUNDLED, Series, load_series
from ..errors import ConfigError, DataError
from ..modes import no_grad
from . import register
from ..i18n import N_, _, ngettext
from .base import Batch, Metric, ModelSpec, Option, Split, Task

AUTO_LOG_RATIO = 4.0
MAX_ABS_VALUE = 1e100  # beyond this, squares (the spread, the loss) overflow float64 on the way
MAX_WINDOW_VALUES = 50_000_000  # inputs of all windows together (float32, and float64 while they are built)
MIN_TRAIN_EXAMPLES = 5  # windows to learn from at the least; validation and test need one each


@register
class ForecastTask(Task):
    name = "forecast"
    title = N_("Time-series forecasting")
    order = 10
    shape = N_("many-to-one")
    description = (N_("Predict the next value(s) of a series from a sliding window of past values. The split is "
                   "chronological and the errors are in the series' own units, beside the last-value and "
                   "seasonal-naive forecasts a model has to beat."))
    metric = Metric("rmse", "RMSE")
    options = {
        "dataset": Option("airline_passengers", choice(*BUNDLED, "csv"), N_("Which series: a bundled one or 'csv'."),
                          label=N_("Dataset")),
        "csv_path": Option("", text(), N_("Your CSV file, when dataset is 'csv'."),
                           label=N_("CSV file"), kind="path", files=N_("CSV files (*.csv *.tsv *.txt);;All files (*)")),
        "column": Option("", text(), N_("CSV column: header name or number from 1; empty = the last column."),
                         label=N_("Column")),
        "period": Option(0, int_range(0, 1000), N_("Seasonal period for the seasonal-naive baseline; 0 = the "
                                                   "series' own."),
                         label=N_("Seasonal period"), unit=N_("steps")),
        "window": Option(24, int_range(1, 2000), N_("How many past values the model reads (k)."),
                         label=N_("Window"), unit=N_("steps")),
        "horizon": Option(1, int_range(1, 200), N_("How many future values it predicts (h)."),
                          label=N_("Horizon"), unit=N_("steps")),
        "transform": Option("auto", choice("auto", "none", "log"),
                            N_("How the values are rescaled first: 'log' turns growing seasonal swings into constant "
                            "ones; 'auto' uses it for positive series that grow several-fold."), label=N_("Transform")),
        "difference": Option(True, BOOL, N_("Predict the change from the last value instead of the value itself."),
                             label=N_("Predict differences")),
        "val_fraction": Option(0.15, float_range(0.05, 0.4), N_("Share of the series (by time) used for validation."),
                               label=N_("Validation fraction")),
        "test_fraction": Option(0.15, float_range(0.05, 0.4), N_("Share of the series at the end kept for the test."),
                                label=N_("Test fraction")),
    }
    suggested = {"model.cell": "lstm", "model.hidden_size": 32, "training.learning_rate": 0.005,
                 "training.batch_size": 16, "training.steps": 600}

    @classmethod
    def check_options(cls, values) -> None:
        try:
            series = load_series(values["dataset"], values["csv_path"], values["column"], values["period"])
        except DataError as exc:
            if exc.option:
                raise ConfigError(f"task.{exc.option}", values[exc.option], str(exc)) from None
            if values["dataset"] == "csv":
                raise ConfigError("task.csv_path", values["csv_path"], str(exc)) from None
            raise ConfigError("task.dataset", values["dataset"], str(exc)) from None
        if values["transform"] == "log" and (series.values <= 0).any():
            raise ConfigError("task.transform", "log", _("needs positive values; {title} has zeros or negatives, "
                                                         "so use 'none'").format(title=series.title))
        train_end = int(round(len(series) * (1 - values["val_fraction"] - values["test_fraction"])))
        problem = scale_problem(series, train_end, use_log(values["transform"], series.values))
        if problem:
            field = "task.csv_path" if values["dataset"] == "csv" else "task.dataset"
            raise ConfigError(field, values["csv_path"] or values["dataset"], problem)
        features = 2 if values["difference"] else 1
        if len(series) * values["window"] * features > MAX_WINDOW_VALUES:
            raise ConfigError("task.window", values["window"],
                              _("{count:,} values with a window of {window} make {millions:,.0f} million inputs; "
                                "at most {limit:.0f} million fit: use a shorter window or series").format(
                                  count=len(series), window=values["window"],
                                  millions=len(series) * values["window"] * features / 1e6,
                                  limit=MAX_WINDOW_VALUES / 1e6))
        problem = split_problem(len(series), values["window"], values["horizon"], values["val_fraction"],
                                values["test_fraction"])
        if problem:
            field, value, text_ = problem
            raise ConfigError(field, value, text_, message=text_)

    @classmethod
    def quick_preview(cls, options) -> dict:
        """The series itself: read from its file, no torch (the window shows it while torch loads)."""
        o = cls.validate_options(options)
        series = load_series(o["dataset"], o["csv_path"], o["column"], o["period"])
        return {"kind": "series", "values": np.asarray(series.values, dtype=float), "title": series.title,
                "unit": getattr(series, "unit", "")}

    def __init__(self, options, seed: int = 0, tbptt: int = 0):
        super().__init__(options, seed, tbptt)
        o = self.opts
        self.series: Series = load_series(o["dataset"], o["csv_path"], o["column"], o["period"])
        if o["period"]:
            self.period = o["period"]
        else:
            self.period = self.series.period
        v = self.series.values
        n = len(v)
        self.train_end = int(round(n * (1 - o["val_fraction"] - o["test_fraction"])))
        self.val_end = int(round(n * (1 - o["test_fraction"])))
        self.log = use_log(o["transform"], v)
        self.u = np.log(v) if self.log else v.copy()
        u_train = self.u[: self.train_end]
        self.level_mean, self.level_std = float(u_train.mean()), float(u_train.std() or 1.0)
        diffs = np.diff(u_train)
        self.diff_std = float(diffs.std() or 1.0)
        self.splits = {name: self._make_split(lo, hi) for name, (lo, hi) in
                       {"train": (0, self.train_end), "val": (self.train_end, self.val_end),
                        "test": (self.val_end, n)}.items()}

    def window_fits(self, window: int) -> bool:
        """Whether this series, horizon and split leave examples for a window of that length (the advice's button)."""
        o = self.opts
        return fits(len(self.series), window, o["horizon"], o["val_fraction"], o["test_fraction"])

    # --- building examples --------------------------------------------------------------------------------------

    def _features(self) -> np.ndarray:
        """Per time step: normalised level, and (with difference) the normalised change from the step before."""
        level = (self.u - self.level_mean) / self.level_std
        if not self.opts["difference"]:
            return level[:, None]
        diff = np.concatenate([[0.0], np.diff(self.u)]) / self.diff_std
        return np.stack([level, diff], axis=1)

    def _make_split(self, lo: int, hi: int) -> Split:
        """Examples whose targets lie in [lo, hi). Origin t = index of the last observed value."""
        import torch

        k, h = self.opts["window"], self.opts["horizon"]
        feats = self._features()
        first = max(lo - 1, k)  # the first value has no change before it, so windows start at index 1
        origins = np.arange(first, hi - h)
        xs = np.stack([feats[t - k + 1: t + 1] for t in origins]) if len(origins) else np.zeros((0, k, feats.shape[1]))
        ys = np.stack([self._encode_target(t) for t in origins]) if len(origins) else np.zeros((0, h))
        return Split(torch.tensor(xs, dtype=torch.float32), torch.tensor(ys, dtype=torch.float32),
                     extra={"origins": origins})

    def _encode_target(self, t: int) -> np.ndarray:
        future = self.u[t + 1: t + 1 + self.opts["horizon"]]
        if self.opts["difference"]:
            return (future - self.u[t]) / self.diff_std
        return (future - self.level_mean) / self.level_std

    def decode(self, out: np.ndarray, origins: np.ndarray) -> np.ndarray:
        """Model outputs (N, h) -> forecasts in the series' own units."""
        if self.opts["difference"]:
            u = self.u[origins][:, None] + out * self.diff_std
        else:
            u = out * self.level_std + self.level_mean
        if not self.log:
            return u
        with np.errstate(over="ignore"):  # a diverging model may predict absurd logs: inf, not a warning
            return np.exp(u)

    def truth(self, origins: np.ndarray) -> np.ndarray:
        h = self.opts["horizon"]
        return np.stack([self.series.values[t + 1: t + 1 + h] for t in origins])

    # --- Task API -----------------------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(head="many_to_one", output_size=self.opts["horizon"],
                         input_size=2 if self.opts["difference"] else 1, sequence_length=self.opts["window"])

    @property
    def train_size(self) -> int:
        return len(self.splits["train"])

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        split = self.splits["train"]
        while True:
            yield split.sample(batch_size, generator)

    def eval_batches(self, split: str, batch_size: int = 256) -> Iterator[Batch]:
        return self.splits[split].batches(batch_size)

    def probe_batch(self) -> Batch:
        val = self.splits["val"]
        return Batch(val.x[:8], val.y[:8])

    def step_labels(self, batch: Batch, index: int):
        k = self.opts["window"]
        t = int(self.splits["val"].extra["origins"][index])
        return list(self.series.labels[t - k + 1: t + 1])

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        import torch

        return torch.nn.functional.mse_loss(output, batch.y)

    @no_grad
    def predict(self, model, split: str) -> np.ndarray:
        """Forecasts (N, h) in original units for every example of a split."""
        device = next(model.parameters()).device
        outs = [model(b.to(device))[0].cpu().numpy() for b in self.eval_batches(split)]
        out = np.concatenate(outs) if outs else np.zeros((0, self.opts["horizon"]))
        return self.decode(out, self.splits[split].extra["origins"])

    @no_grad
    def evaluate(self, model, split: str) -> dict[str, float]:
        s = self.splits[split]
        device = next(model.parameters()).device
        losses = [float(self.loss(model(b.to(device))[0], b.to(device))) * len(b) for b in s.batches(256)]
        forecast = self.predict(model, split)
        return {"loss": sum(losses) / max(1, len(s)), **_errors(forecast, self.truth(s.extra["origins"]))}

    def baseline_forecasts(self, split: str) -> dict[str, np.ndarray]:
        origins = self.splits[split].extra["origins"]
        h, p, v = self.opts["horizon"], self.period, self.series.values
        last = np.repeat(v[origins][:, None], h, axis=1)
        result = {"last value": last}  # keys stay English (run files); N_ marks them for where they are shown
        N_("last value"), N_("seasonal naive")
        if p > 1:
            seasonal = np.stack([[v[t + k - p * ((k - 1) // p + 1)] for k in range(1, h + 1)] for t in origins])
            result = {"seasonal naive": seasonal, **result}
        return result

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        truth = self.truth(self.splits[split].extra["origins"])
        return {name: _errors(f, truth) for name, f in self.baseline_forecasts(split).items()}

    def saliency_window(self, model) -> dict:
        """How much each month of the last test forecast's input window moved that forecast (||d out / d x_t||):
        {"index": the months' positions in the series, "saliency": one value per month}. The view draws it under the
        series; a model that learned the season leans on the month a year before the one it forecasts."""
        s = self.splits["test"]
        k = self.opts["window"]
        t = int(s.extra["origins"][-1])
        values = model.input_saliency(Batch(s.x[-1:], s.y[-1:]))["saliency"][0]
        return {"index": np.arange(t - k + 1, t + 1), "saliency": values}

    def view(self, model) -> dict:
        """The whole series, the model's forecasts over validation and test, and the baselines' forecasts."""
        result = {"kind": "forecast", "title": self.series.title, "unit": self.series.unit,
                  "labels": list(self.series.labels), "values": self.series.values.copy(),
                  "train_end": self.train_end, "val_end": self.val_end, "horizon": self.opts["horizon"]}
        for split in ("val", "test"):
            origins = self.splits[split].extra["origins"]
            result[f"{split}_origins"] = origins.copy()
            result[f"{split}_forecast"] = self.predict(model, split)
            result[f"{split}_baselines"] = self.baseline_forecasts(split)
        return result


def split_bounds(n: int, val_fraction: float, test_fraction: float) -> tuple[int, int]:
    """Where training ends and where validation ends, for a series of n values (chronological, by target)."""
    return int(round(n * (1 - val_fraction - test_fraction))), int(round(n * (1 - test_fraction)))


def example_counts(n: int, window: int, horizon: int, val_fraction: float, test_fraction: float) -> tuple[int, ...]:
    """How many (window -> horizon) examples the training, validation and test parts get: what `_make_split` makes
    (origin t needs `window` values up to t and `horizon` after it, inside its part; windows start at index 1)."""
    train_end, val_end = split_bounds(n, val_fraction, test_fraction)
    return (max(0, train_end - horizon - window),
            max(0, val_end - horizon - max(train_end - 1, window)),
            max(0, n - horizon - max(val_end - 1, window)))


def fits(n: int, window: int, horizon: int, val_fraction: float, test_fraction: float) -> bool:
    train, val, test = example_counts(n, window, horizon, val_fraction, test_fraction)
    return train >= MIN_TRAIN_EXAMPLES and val >= 1 and test >= 1


def min_rows(window: int, horizon: int, val_fraction: float, test_fraction: float) -> int:
    """The fewest values a series needs for this window, horizon and split (each part's examples grow with n)."""
    n = window + horizon + MIN_TRAIN_EXAMPLES
    while not fits(n, window, horizon, val_fraction, test_fraction):
        n += 1
    return n


def split_problem(n: int, window: int, horizon: int, val_fraction: float,
                  test_fraction: float) -> Optional[tuple[str, int, str]]:
    """(field, value, what to change) when a series of n values is too short for this window, horizon and split,
    else None. The minimum follows from the settings chosen, and the message names the one to change: the window
    (the usual one: a 17-row series trains with a window of 3), else the horizon, else the series itself. Short,
    so that the form shows it whole."""
    if fits(n, window, horizon, val_fraction, test_fraction):
        return None
    need = min_rows(window, horizon, val_fraction, test_fraction)
    best_window = max((k for k in range(window - 1, 0, -1) if fits(n, k, horizon, val_fraction, test_fraction)),
                      default=0)
    if best_window:
        return ("task.window", window, _(
            "The series has {n} values; window {window} with horizon {horizon} needs at least {need}. Set the window "
            "(task.window) to at most {best}.").format(n=n, window=window, horizon=horizon, need=need,
                                                       best=best_window))
    best_horizon = max((h for h in range(horizon - 1, 0, -1) if fits(n, 1, h, val_fraction, test_fraction)),
                       default=0)
    if best_horizon:
        return ("task.horizon", horizon, _(
            "The series has {n} values; window {window} with horizon {horizon} needs at least {need}. Set the horizon "
            "(task.horizon) to at most {best} and the window to 1.").format(n=n, window=window, horizon=horizon,
                                                                            need=need, best=best_horizon))
    least = min_rows(1, 1, val_fraction, test_fraction)
    return ("task.window", window, _("The series has {n} values; a forecast with these validation and test fractions "
                                     "needs at least {least}. Use a longer series, or smaller fractions "
                                     "(task.val_fraction, task.test_fraction).").format(n=n, least=least))


def scale_problem(series: Series, train_end: int, log: bool) -> str:
    """Why the values cannot be trained on, or "": numbers so large that their spread overflows, or a training part
    that never changes (nothing to learn, and dividing by its spread of 0 would blow the inputs up). Either makes a
    run "diverge" at any learning rate, so it is said up front, about the data."""
    u = np.log(series.values) if log else series.values
    train = u[:train_end]
    with np.errstate(over="ignore", invalid="ignore"):
        spread, change = float(np.std(train)), float(np.std(np.diff(train)))
    biggest = float(np.max(np.abs(series.values)))
    if not (np.isfinite(spread) and np.isfinite(change)) or biggest > MAX_ABS_VALUE:
        return _("its values reach {biggest}, too large to train on; divide the column by a power of ten "
                 "(the errors are shown in the same units)").format(biggest=f"{biggest:.3g}")
    if spread == 0 or change == 0:
        return _("its training part is constant ({value} throughout): there is nothing to learn; "
                 "choose a column whose values change").format(value=f"{series.values[0]:.6g}")
    return ""


def use_log(transform: str, values: np.ndarray) -> bool:
    """'auto' takes logs of positive series that grow more than AUTO_LOG_RATIO-fold (e.g. airline passengers)."""
    if transform == "auto":
        return bool(values.min() > 0 and values.max() / values.min() > AUTO_LOG_RATIO)
    return transform == "log"


def _errors(forecast: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    err = forecast - truth
    return {"rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err)))}
