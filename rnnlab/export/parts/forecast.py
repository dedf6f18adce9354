"""The forecasting task's data section. The series is written beside the script as two columns, exactly as rnnlab
read it (CO2's weekly readings already averaged per month, gaps already filled), with its source line on top."""

from __future__ import annotations

import re

from ..script import DataFile, Part, Setting, data_file_name

CODE = '''\
# Forecasting with a sliding window: the last WINDOW values -> the next HORIZON values.
#     series   v_1 v_2 ... v_t | v_t+1 ... v_t+h
#     input    [v_t-k+1 .. v_t]   (k = WINDOW)
#     target                      [v_t+1 .. v_t+h]
# The split is by time: training, then validation, then test. The scaling is fitted on the training
# part only, so no information from the future leaks into the model.
INPUT_SIZE = 2 if DIFFERENCE else 1  # per step: the level (and its change from the step before)
OUTPUT_SIZE = HORIZON


def read_series(path):
    """The time labels and float values of a two-column CSV; lines starting with # are comments."""
    labels, values = [], []
    for line in path.read_text(encoding="utf-8").split("\\n")[1:]:
        if line and not line.startswith("#"):
            label, value = line.rsplit(",", 1)
            labels.append(label)
            values.append(float(value))
    return labels, np.array(values)


labels, values = read_series(Path(__file__).with_name(DATA_FILE))
n = len(values)
train_end = int(round(n * (1 - VAL_FRACTION - TEST_FRACTION)))
val_end = int(round(n * (1 - TEST_FRACTION)))
# Logs turn growing seasonal swings into constant ones: the model learns ratios, not differences.
u = np.log(values) if LOG else values.copy()
level_mean, level_std = float(u[:train_end].mean()), float(u[:train_end].std() or 1.0)
diff_std = float(np.diff(u[:train_end]).std() or 1.0)
level = (u - level_mean) / level_std
if DIFFERENCE:
    features = np.stack([level, np.concatenate([[0.0], np.diff(u)]) / diff_std], axis=1)
else:
    features = level[:, None]


def make_split(lo, hi):
    """Windows whose targets lie in [lo, hi); origin t = index of the last value the model sees."""
    origins = np.arange(max(lo - 1, WINDOW), hi - HORIZON)
    x = np.stack([features[t - WINDOW + 1: t + 1] for t in origins])
    if DIFFERENCE:  # predict the change from the last value: "no change" is where the model starts
        y = np.stack([(u[t + 1: t + 1 + HORIZON] - u[t]) / diff_std for t in origins])
    else:
        y = np.stack([(u[t + 1: t + 1 + HORIZON] - level_mean) / level_std for t in origins])
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32), origins


splits = {"train": make_split(0, train_end), "val": make_split(train_end, val_end),
          "test": make_split(val_end, n)}


def train_batches(generator):
    """Windows drawn at random (with replacement) from the training part."""
    x, y, _ = splits["train"]
    while True:
        idx = torch.randint(0, len(x), (BATCH_SIZE,), generator=generator)
        yield x[idx], y[idx]


def loss_fn(output, y):
    return F.mse_loss(output, y)


def decode(out, origins):
    """Model outputs (N, HORIZON) -> forecasts in the series' own units."""
    if DIFFERENCE:
        forecast = u[origins][:, None] + out * diff_std
    else:
        forecast = out * level_std + level_mean
    return np.exp(forecast) if LOG else forecast


def truth(origins):
    return np.stack([values[t + 1: t + 1 + HORIZON] for t in origins])


def rmse(forecast, origins):
    return float(np.sqrt(np.mean((forecast - truth(origins)) ** 2)))


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    x, y, origins = splits[split]
    outputs, loss = [], 0.0
    for s in range(0, len(x), 256):
        out = model(x[s:s + 256].to(DEVICE))[0]
        loss += float(F.mse_loss(out, y[s:s + 256].to(DEVICE))) * len(out)
        outputs.append(out.cpu().numpy())
    return {"loss": loss / len(x), "rmse": rmse(decode(np.concatenate(outputs), origins), origins)}


def baselines(split):
    """Forecasts a model has to beat: the value one season earlier, and the last value seen."""
    origins = splits[split][2]
    result = {}
    if PERIOD > 1:
        # the value at the same point of the last season before t
        back = [PERIOD * ((k - 1) // PERIOD + 1) for k in range(1, HORIZON + 1)]
        seasonal = np.stack([[values[t + k - b] for k, b in zip(range(1, HORIZON + 1), back)]
                             for t in origins])
        result["seasonal naive"] = rmse(seasonal, origins)
    result["last value"] = rmse(np.repeat(values[origins][:, None], HORIZON, axis=1), origins)
    return result
'''


def _cell(text: str) -> str:
    """A label or comment as one cell of the two-column file: printable, no comma (the script splits on both)."""
    return "".join(c if c.isprintable() else " " for c in text).replace(",", " ")


def build(task, cfg) -> Part:
    o, series = task.opts, task.series
    users = o["dataset"] == "csv"
    stem = o["dataset"] if not users else re.sub(r"[^\w.-]+", "_", series.name[4:]).rsplit(".", 1)[0]
    name = data_file_name(f"{stem}.csv") if users else f"{stem}.csv"
    what = f"{series.title}, {series.unit}"
    rows = [f"# {_cell(what)}", f"# {_cell(series.source)}"] if series.source else [f"# {_cell(what)}"]
    # a label that starts with # would read as a comment line and shift every value after it
    body = "\n".join(f"{_cell(label).lstrip('#') or ' '},{float(v)!r}"
                     for label, v in zip(series.labels, series.values))
    text = "time,value\n" + "\n".join(rows) + "\n" + body + "\n"
    settings = [Setting("DATA_FILE", name, "beside this script: time, value"),
                Setting("WINDOW", o["window"], "how many past values the model reads"),
                Setting("HORIZON", o["horizon"], "how many future values it predicts"),
                Setting("LOG", bool(task.log), "forecast the log of the series"),
                Setting("DIFFERENCE", o["difference"], "predict the change from the last value"),
                Setting("PERIOD", task.period, "season length, for the seasonal-naive baseline"),
                Setting("VAL_FRACTION", o["val_fraction"], "share of the series for validation"),
                Setting("TEST_FRACTION", o["test_fraction"], "share at the end for the test")]
    title = "your own series (a CSV file)" if users else series.title  # a user's name never enters the docstring
    licence = "your own data" if users else series.source or "your own data"
    return Part(title=f"forecasting {title}", settings=settings, code=CODE, length="WINDOW",
                files=[DataFile(name, licence, text=text, users=users)])
