"""Dates to ISO: an encoder-decoder reads a date written in one of 17 formats and writes it as YYYY-MM-DD.

    "Tue, 3 Mar 1998" -> encoder RNN -> final state -> decoder RNN -> 1 9 9 8 - 0 3 - 0 3
                                                     <s> 1 9 9 8 - 0 3 - 0   (decoder inputs while training)

Input and output have different lengths (many-to-many, not aligned). Training uses teacher forcing: the decoder is fed
the true previous character (`Batch.y_in`). Evaluation decodes greedily, feeding back the model's own choice, and
counts a date as right only if all ten characters are (exact match).

The calendar from 1950 to 2049 is split by date, not by example: validation and test dates never occur in training,
in any format, so exact match measures reading dates, not remembering them. See `rnnlab/data/dates.py` for the
formats and the two conventions that keep them unambiguous (US slashes, European dots).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..options import int_range
from ..data import dates as cal
from ..modes import no_grad
from . import register
from .base import Batch, Metric, ModelSpec, Option, Task
from ..i18n import N_, _, ngettext

PAD, START = 0, 1
IN_INDEX = {c: i + 1 for i, c in enumerate(cal.INPUT_CHARS)}
OUT_INDEX = {c: i + 2 for i, c in enumerate(cal.OUTPUT_CHARS)}
OUT_CHARS = {i: c for c, i in OUT_INDEX.items()}
HELD_OUT_FRACTION = 0.1  # of the calendar's days, each for validation and for test


def encode_inputs(texts: list[str]) -> tuple[Tensor, Tensor]:
    """Padded input ids (B, T_max) and lengths (B,)."""
    import torch

    lengths = torch.tensor([len(t) for t in texts], dtype=torch.long)
    x = torch.zeros(len(texts), int(lengths.max()) if len(texts) else 0, dtype=torch.long)
    for row, t in enumerate(texts):
        x[row, :len(t)] = torch.tensor([IN_INDEX[c] for c in t], dtype=torch.long)
    return x, lengths


def encode_targets(isos: list[str]) -> tuple[Tensor, Tensor]:
    """Targets (B, 10) and decoder inputs (B, 10): <s> followed by the first nine target characters."""
    import torch

    y = torch.tensor([[OUT_INDEX[c] for c in s] for s in isos], dtype=torch.long).view(len(isos), cal.ISO_LENGTH)
    y_in = torch.cat([torch.full((len(isos), 1), START, dtype=torch.long), y[:, :-1]], dim=1)
    return y, y_in


def decode_output(ids) -> str:
    return "".join(OUT_CHARS.get(int(i), "?") for i in ids)


def make_examples(days: Tensor, formats: Tensor) -> tuple[Batch, list[str], list[str]]:
    """A padded batch for calendar day indices and format indices, with the input and target strings."""
    dates = [cal.day(int(i)) for i in days]
    texts = [cal.write(d, int(f)) for d, f in zip(dates, formats)]
    isos = [cal.iso(d) for d in dates]
    x, lengths = encode_inputs(texts)
    y, y_in = encode_targets(isos)
    return Batch(x, y, lengths, y_in), texts, isos


@register
class DatesTask(Task):
    name = "dates"
    title = N_("Dates to ISO (sequence to sequence)")
    order = 50
    shape = N_("many-to-many (different lengths): encoder-decoder")
    token_inputs = True
    description = (N_("Read a date written any of 17 ways ('march 3rd 1998', '3/3/98', 'Tue, 3 Mar 1998', ...) and "
                   "write it as 1998-03-03. An encoder RNN reads the characters into one state; a decoder RNN writes "
                   "the answer one character at a time. Validation and test dates never occur in training."))
    metric = Metric("exact", N_("exact match"), higher_is_better=True)
    options = {
        "train_size": Option(50_000, int_range(100, 10_000_000), N_("Examples per epoch (fresh ones are drawn from "
                                                                 "the training dates)."),
                             label=N_("Train size"), unit=N_("examples")),
        "eval_size": Option(2000, int_range(10, 100_000), N_("Examples in each of the validation and test sets."),
                            label=N_("Evaluation size"), unit=N_("examples")),
    }
    suggested = {"model.cell": "gru", "model.hidden_size": 128, "model.embedding_size": 32,
                 "training.learning_rate": 0.003, "training.batch_size": 64, "training.steps": 2000}

    def __init__(self, options, seed: int = 0, tbptt: int = 0):
        import torch

        super().__init__(options, seed, tbptt)
        g = torch.Generator().manual_seed(20_000 + seed)
        order = torch.randperm(cal.NUM_DAYS, generator=g)
        k = int(cal.NUM_DAYS * HELD_OUT_FRACTION)
        self.days = {"val": order[:k], "test": order[k:2 * k], "train": order[2 * k:]}
        self.splits: dict[str, tuple[Batch, list[str], list[str], Tensor]] = {}
        n = self.opts["eval_size"]
        for split in ("val", "test"):
            days = self.days[split][torch.randint(0, k, (n,), generator=g)]
            formats = torch.randint(0, len(cal.FORMAT_NAMES), (n,), generator=g)
            batch, texts, isos = make_examples(days, formats)
            self.splits[split] = (batch, texts, isos, formats)
        # Baseline: the most common character at each of the ten positions over the training dates (a rule that
        # knows the shape of an ISO date but reads nothing).
        train_isos = [cal.iso(cal.day(int(i))) for i in self.days["train"]]
        self.baseline_answer = "".join(Counter(s[p] for s in train_isos).most_common(1)[0][0]
                                       for p in range(cal.ISO_LENGTH))

    # --- data ---------------------------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        size = len(cal.OUTPUT_CHARS) + 2
        return ModelSpec(head="seq2seq", output_size=size, vocab_size=len(cal.INPUT_CHARS) + 1,
                         target_vocab_size=size, start_token=START)

    @property
    def train_size(self) -> int:
        return self.opts["train_size"]

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        import torch

        days = self.days["train"]
        while True:
            picks = days[torch.randint(0, len(days), (batch_size,), generator=generator)]
            formats = torch.randint(0, len(cal.FORMAT_NAMES), (batch_size,), generator=generator)
            yield make_examples(picks, formats)[0]

    def eval_batches(self, split: str, batch_size: int = 500) -> Iterator[Batch]:
        b = self.splits[split][0]
        for s in range(0, len(b), batch_size):
            sl = slice(s, s + batch_size)
            lengths = b.lengths[sl]
            width = int(lengths.max())
            yield Batch(b.x[sl, :width], b.y[sl], lengths, b.y_in[sl])

    def probe_batch(self) -> Batch:
        """The first six validation examples of different formats, padded to the longest."""
        import torch

        _, texts, _, formats = self.splits["val"]
        chosen, seen = [], set()
        for i, f in enumerate(formats.tolist()):
            if f not in seen:
                seen.add(f)
                chosen.append(i)
            if len(chosen) == 6:
                break
        b = self.splits["val"][0]
        idx = torch.tensor(chosen)
        lengths = b.lengths[idx]
        return Batch(b.x[idx, :int(lengths.max())], b.y[idx], lengths, b.y_in[idx])

    def step_labels(self, batch: Batch, index: int) -> list[str]:
        """The input characters (space shown as ␣); padded steps get empty labels."""
        n = int(batch.lengths[index]) if batch.lengths is not None else batch.x.shape[1]
        chars = [cal.INPUT_CHARS[int(i) - 1] for i in batch.x[index, :n]]
        return [("␣" if c == " " else c) for c in chars] + [""] * (batch.x.shape[1] - n)

    # --- learning -----------------------------------------------------------------------------------------------

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        import torch

        return torch.nn.functional.cross_entropy(output.reshape(-1, output.shape[-1]), batch.y.reshape(-1),
                                                 ignore_index=PAD)

    @no_grad
    def predict(self, model, split: str) -> Tensor:
        """Greedy answers (N, 10) for every example of a split."""
        import torch

        device = next(model.parameters()).device
        outs = [model.decode_greedy(b.x.to(device), b.lengths, cal.ISO_LENGTH).cpu()
                for b in self.eval_batches(split)]
        return torch.cat(outs)

    @no_grad
    def evaluate(self, model, split: str) -> dict[str, float]:
        device = next(model.parameters()).device
        total, count = 0.0, 0
        for b in self.eval_batches(split):
            out, _ = model(b.to(device))
            total += float(self.loss(out, b.to(device))) * len(b)
            count += len(b)
        pred = self.predict(model, split)
        return {"loss": total / count, **_scores(pred, self.splits[split][0].y)}

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        y = self.splits[split][0].y
        answer = encode_targets([self.baseline_answer])[0].expand_as(y)
        # Its loss: a model that is sure of that string pays nothing where it is right and is undefined where it is
        # wrong; report the loss of uniform guessing over the 11 output characters instead.
        N_("most common character at each position ({answer})")  # an English key, translated where shown
        return {f"most common character at each position ({self.baseline_answer})":
                {"loss": float(np.log(len(cal.OUTPUT_CHARS))), **_scores(answer, y)}}

    # --- what the GUI shows -------------------------------------------------------------------------------------

    def convert(self, model, text_: str) -> str:
        """The model's ISO answer for a date typed by the user (characters outside the inputs' alphabet raise)."""
        from ..errors import ConfigError

        bad = sorted({c for c in text_ if c not in IN_INDEX})
        if bad or not text_:
            raise ConfigError("date", text_, _("type a date using letters, digits, spaces and , - . / ' only")
                              + (_(" (not {names})").format(names=', '.join(repr(c) for c in bad)) if bad else ""))
        x, lengths = encode_inputs([text_])
        device = next(model.parameters()).device
        return decode_output(model.decode_greedy(x.to(device), lengths, cal.ISO_LENGTH)[0])

    @no_grad
    def view(self, model) -> dict:
        """Validation examples: input, target, the model's greedy answer; and exact match per format."""
        _, texts, isos, formats = self.splits["val"]
        pred = self.predict(model, "val")
        answers = [decode_output(p) for p in pred]
        right = np.array([a == t for a, t in zip(answers, isos)])
        fmt = formats.numpy()
        per_format = {name: float(right[fmt == i].mean()) if (fmt == i).any() else float("nan")
                      for i, name in enumerate(cal.FORMAT_NAMES)}
        # Show the mistakes first (up to half the rows), then correct ones, so the table is worth reading.
        wrong = [i for i in range(len(texts)) if not right[i]]
        ok = [i for i in range(len(texts)) if right[i]]
        rows = wrong[:12] + ok[: 24 - len(wrong[:12])]
        return {"kind": "dates", "inputs": [texts[i] for i in rows], "targets": [isos[i] for i in rows],
                "outputs": [answers[i] for i in rows], "formats": [cal.FORMAT_NAMES[int(fmt[i])] for i in rows],
                "per_format": per_format, "exact": float(right.mean())}


def _scores(pred: Tensor, y: Tensor) -> dict[str, float]:
    same = pred == y
    return {"exact": float(same.all(dim=1).double().mean()), "token_accuracy": float(same.double().mean())}
