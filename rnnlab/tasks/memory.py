"""Remember the first symbol: a long-range memory test whose difficulty is one knob, the gap.

"I grew up in France ... (many words) ... so I speak fluent ___": the answer depends on one early token and nothing
in between. Each sequence starts with one of K key symbols (A, B, C, ...), then `gap` distractors drawn from a
separate set (a, b, c, ...), then a query mark; the network must name the key::

    B  d a f f c a ... e b  ?    ->  B          (gap = number of distractors)

Guessing scores 1/K. A vanilla RNN must carry the key through `gap` multiplications by its recurrent matrix, and the
gradient back to it shrinks by the same product, so it fails as the gap grows; LSTM and GRU can hold the key in a
gated state (forget gate ~1, update gate ~1) and keep it. `bench/memory_sweep.py` draws that picture.
"""

from __future__ import annotations

import math
import string
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..options import int_range
from ..modes import no_grad
from . import register
from ._generated import GeneratedTask, train_size_option
from .base import Batch, Goal, Metric, ModelSpec, Option
from ..i18n import N_, _, ngettext



def make_memory(n: int, gap: int, keys: int, distractors: int, generator: torch.Generator) -> Batch:
    """n sequences of length gap + 2. Ids: 0 padding, 1..K keys, K+1..K+D distractors, K+D+1 the query mark.
    Targets are class indices 0..K-1 (the key's id minus one)."""
    import torch

    key = torch.randint(0, keys, (n,), generator=generator)
    noise = torch.randint(0, distractors, (n, gap), generator=generator) + keys + 1
    query = torch.full((n, 1), keys + distractors + 1, dtype=torch.long)
    x = torch.cat([(key + 1)[:, None], noise, query], dim=1)
    return Batch(x, key)


@register
class MemoryTask(GeneratedTask):
    SPLIT_SEED = 30_000
    name = "memory"
    title = N_("Remember the first symbol (long-range memory)")
    order = 45
    long_range = True  # the advice after a run that learned nothing applies (train/advice.py)
    shape = N_("many-to-one")
    token_inputs = True
    description = (N_("A sequence starts with one of a few key symbols, then `gap` random distractors, then a "
                   "question mark: name the key. Guessing scores 1/K. Raise the gap and watch a vanilla RNN fall to "
                   "chance; LSTM and GRU keep the key in their gated memory once that gate starts open (Memory gate "
                   "init: chrono)."))
    metric = Metric("accuracy", N_("accuracy"), higher_is_better=True)
    goal = Goal("accuracy", 0.99, True, N_("validation accuracy at least 0.99"))
    options = {
        "gap": Option(10, int_range(0, 5000), N_("Distractors between the key and the question: the distance the "
                                              "memory must bridge."), label=N_("Gap"), unit=N_("steps")),
        "keys": Option(4, int_range(2, 26), N_("Number of different key symbols K (guessing scores 1/K)."), label=N_("Keys")),
        "distractors": Option(8, int_range(1, 26), N_("Number of different distractor symbols."), label=N_("Distractors")),
        "train_size": train_size_option(),
    }
    suggested = {"model.cell": "lstm", "model.hidden_size": 64, "model.embedding_size": 16,
                 "training.learning_rate": 0.005, "training.batch_size": 64, "training.steps": 1000}

    def make(self, n: int, generator: torch.Generator) -> Batch:
        o = self.opts
        return make_memory(n, o["gap"], o["keys"], o["distractors"], generator)

    def symbol(self, token: int) -> str:
        """A token as the view and the time axis show it: keys A, B, ..., distractors a, b, ..., the query '?'."""
        k, d = self.opts["keys"], self.opts["distractors"]
        if 1 <= token <= k:
            return string.ascii_uppercase[token - 1]
        if k < token <= k + d:
            return string.ascii_lowercase[token - k - 1]
        return "?" if token == k + d + 1 else ""

    # --- data ---------------------------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        o = self.opts
        return ModelSpec(head="many_to_one", output_size=o["keys"], vocab_size=o["keys"] + o["distractors"] + 2,
                         sequence_length=o["gap"] + 2)

    def step_labels(self, batch: Batch, index: int) -> list[str]:
        return [self.symbol(int(t)) for t in batch.x[index]]

    # --- learning -----------------------------------------------------------------------------------------------

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        import torch

        return torch.nn.functional.cross_entropy(output, batch.y)

    @no_grad
    def predict(self, model, split: str) -> Tensor:
        """Class probabilities (N, K) for every sequence of a split."""
        import torch

        device = next(model.parameters()).device
        return torch.cat([torch.softmax(model(b.to(device))[0].float(), -1).cpu() for b in self.eval_batches(split)])

    @no_grad
    def evaluate(self, model, split: str) -> dict[str, float]:
        probs, y = self.predict(model, split), self.splits[split].y
        nll = float(-probs.clamp_min(1e-12).log().gather(1, y[:, None]).mean())
        return {"loss": nll, "accuracy": float((probs.argmax(1) == y).double().mean())}

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        """Chance: a guess that ignores the input. Every key is equally likely, so it is right 1/K of the time (in
        expectation), and the best such guess, uniform probabilities, costs ln K nats."""
        k = self.opts["keys"]
        N_("chance (guessing)")  # the key stays English (run files); translated where shown
        return {"chance (guessing)": {"loss": math.log(k), "accuracy": 1.0 / k}}

    @no_grad
    def view(self, model) -> dict:
        """A few validation sequences: the key, the distractors, the model's answer and its confidence."""
        data = self.splits["val"]
        n = 12
        all_probs = self.predict(model, "val")
        probs = all_probs[:n]
        x = data.x[:n]
        return {"kind": "memory", "gap": self.opts["gap"], "keys": self.opts["keys"],
                "sequences": ["".join(self.symbol(int(t)) for t in row) for row in x],
                "targets": [self.symbol(int(k) + 1) for k in data.y[:n]],
                "predictions": [self.symbol(int(k) + 1) for k in probs.argmax(1)],
                "confidence": probs.max(1).values.numpy(), "probabilities": probs.numpy(),
                "accuracy": float((all_probs.argmax(1) == data.y).double().mean()),
                "chance": 1.0 / self.opts["keys"]}
