"""The dates-to-ISO task's data section: generated from the calendar, so no data file."""

from __future__ import annotations

from ...data import dates as cal
from ...tasks import dates
from ..script import Part, Setting

CODE = r'''# Dates to ISO: an encoder reads a date written in one of 17 formats, a decoder writes YYYY-MM-DD:
#     "Tue, 3 Mar 1998" -> encoder RNN -> final state -> decoder RNN -> 1 9 9 8 - 0 3 - 0 3
#                                                      <s> 1 9 9 8 - 0 3 - 0  (decoder inputs)
# Training feeds the decoder the true previous character (teacher forcing); evaluation feeds back
# its own choice and counts a date as right only if all ten characters are (exact match).
# The calendar is split by date: validation and test dates never occur in training, in any format.
FIRST_DAY = dt.date(1950, 1, 1)
NUM_DAYS = (dt.date(2049, 12, 31) - FIRST_DAY).days + 1
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def ordinal(n):
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def month(d):
    return MONTHS[d.month - 1]


def wday(d):
    return WEEKDAYS[d.weekday()]


def yy(d):  # two-digit years: 50..99 are 19xx, 00..49 are 20xx
    return f"{d.year % 100:02d}"


# Slashes are American (month/day/year), dots European (day.month.year), so no input is ambiguous.
FORMATS = [
    lambda d: f"{month(d)} {ordinal(d.day)} {d.year}",  # march 3rd 1998
    lambda d: f"{month(d).title()} {d.day}, {d.year}",  # March 3, 1998
    lambda d: f"{d.day} {month(d).title()} {d.year}",  # 3 March 1998
    lambda d: f"{d.day} {month(d)[:3]} {d.year}",  # 3 mar 1998
    lambda d: f"{wday(d)[:3].title()}, {d.day} {month(d)[:3].title()} {d.year}",  # Tue, 3 Mar 1998
    lambda d: f"{wday(d)}, {month(d)} {d.day}, {d.year}",  # tuesday, march 3, 1998
    lambda d: f"{wday(d).title()} {ordinal(d.day)} {month(d).title()} {d.year}",  # Tuesday 3rd ...
    lambda d: f"the {ordinal(d.day)} of {month(d)} {d.year}",  # the 3rd of march 1998
    lambda d: f"{month(d)[:3].upper()} {d.day:02d} {d.year}",  # MAR 03 1998
    lambda d: f"{month(d)[:3]} {d.day} '{yy(d)}",  # mar 3 '98
    lambda d: f"{d.day}-{month(d)[:3].title()}-{yy(d)}",  # 3-Mar-98
    lambda d: f"{d.month}/{d.day}/{yy(d)}",  # 3/3/98
    lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",  # 03/03/1998
    lambda d: f"{d.day}.{d.month}.{d.year}",  # 3.3.1998
    lambda d: f"{d.day:02d}.{d.month:02d}.{yy(d)}",  # 03.03.98
    lambda d: d.isoformat(),  # 1998-03-03
    lambda d: d.strftime("%Y%m%d"),  # 19980303
]
INPUT_CHARS = " ',-./0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
OUTPUT_CHARS = "0123456789-"
PAD, START = 0, 1  # input ids are 1.. (0 = padding); output ids are 2.., after padding and <s>
IN_INDEX = {c: i + 1 for i, c in enumerate(INPUT_CHARS)}
OUT_INDEX = {c: i + 2 for i, c in enumerate(OUTPUT_CHARS)}
VOCAB_SIZE = len(INPUT_CHARS) + 1
TARGET_VOCAB_SIZE = len(OUTPUT_CHARS) + 2


def make_examples(days, formats):
    """A padded batch for day numbers and format numbers: inputs x (B, T_max), their lengths (B,),
    targets y (B, 10) and decoder inputs y_in (B, 10): <s>, then the first nine characters of y."""
    dates = [FIRST_DAY + dt.timedelta(days=int(i)) for i in days]
    texts = [FORMATS[int(f)](d) for d, f in zip(dates, formats)]
    lengths = torch.tensor([len(t) for t in texts], dtype=torch.long)
    x = torch.zeros(len(texts), int(lengths.max()), dtype=torch.long)
    for row, t in enumerate(texts):
        x[row, :len(t)] = torch.tensor([IN_INDEX[c] for c in t], dtype=torch.long)
    y = torch.tensor([[OUT_INDEX[c] for c in d.isoformat()] for d in dates], dtype=torch.long)
    y_in = torch.cat([torch.full((len(dates), 1), START, dtype=torch.long), y[:, :-1]], dim=1)
    return x, y, lengths, y_in


held_out = torch.Generator().manual_seed(20_000 + SEED)
order = torch.randperm(NUM_DAYS, generator=held_out)
k = int(NUM_DAYS * 0.1)  # a tenth of the days each for validation and test
days = {"val": order[:k], "test": order[k:2 * k], "train": order[2 * k:]}
splits = {}
for split in ("val", "test"):
    picks = days[split][torch.randint(0, k, (EVAL_SIZE,), generator=held_out)]
    formats = torch.randint(0, len(FORMATS), (EVAL_SIZE,), generator=held_out)
    splits[split] = make_examples(picks, formats)


def train_batches(generator):
    """Fresh examples for every step: a random training date in a random format."""
    while True:
        rows = torch.randint(0, len(days["train"]), (BATCH_SIZE,), generator=generator)
        formats = torch.randint(0, len(FORMATS), (BATCH_SIZE,), generator=generator)
        yield make_examples(days["train"][rows], formats)


def loss_fn(output, y):
    return F.cross_entropy(output.reshape(-1, output.shape[-1]), y.reshape(-1), ignore_index=PAD)


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    x, y, lengths, y_in = splits[split]
    loss, right = 0.0, 0
    for s in range(0, len(x), 500):
        rows = slice(s, s + 500)
        xb = x[rows, :int(lengths[rows].max())].to(DEVICE)  # no wider than its longest input
        output = model(xb, lengths[rows], y_in[rows].to(DEVICE))
        loss += float(loss_fn(output, y[rows].to(DEVICE))) * len(xb)
        answer = model.decode_greedy(xb, lengths[rows], 10).cpu()
        right += int((answer == y[rows]).all(dim=1).sum())
    return {"loss": loss / len(x), "exact": right / len(x)}


def baselines(split):
    """The most common character at each of the ten positions over the training dates: a rule that
    knows the shape of an ISO date but reads nothing."""
    isos = [(FIRST_DAY + dt.timedelta(days=int(i))).isoformat() for i in days["train"]]
    answer = "".join(Counter(s[p] for s in isos).most_common(1)[0][0] for p in range(10))
    y = splits[split][1]
    target = torch.tensor([OUT_INDEX[c] for c in answer])
    exact = float((y == target).all(dim=1).double().mean())
    return {f"most common character at each position ({answer})": exact}
'''


def build(task, cfg) -> Part:
    assert len(cal.FORMATS) == 17 and dates.HELD_OUT_FRACTION == 0.1 and cal.ISO_LENGTH == 10
    assert cal.INPUT_CHARS == " ',-./0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    settings = [Setting("EVAL_SIZE", task.opts["eval_size"], "examples in each of validation and test")]
    return Part(title="writing dates in ISO form (sequence to sequence)", settings=settings, code=CODE,
                tokens=True, lengths=True, imports=["import datetime as dt", "from collections import Counter"])
