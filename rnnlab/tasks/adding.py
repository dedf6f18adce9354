"""The adding problem (Hochreiter & Schmidhuber 1997): a long-range-dependency test where gates make the difference.

Each step carries two numbers: a value drawn from U(0, 1) and a marker that is 1 at exactly two steps (one in each
half of the sequence) and 0 elsewhere. The target is the sum of the two marked values, read out after the last step::

    value   0.31 0.88 0.12 ... 0.57 0.04 ...
    marker   0    1    0   ...  1    0   ...      -> target 0.88 + 0.57 = 1.45

Always answering 1.0 gives an MSE of 1/6 ~ 0.167, the baseline. To beat it the network must keep the first marked
value across up to T steps: vanilla RNNs lose it as the gradient vanishes, LSTM and GRU keep it.
"""

from __future__ import annotations

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

SOLVED_TOLERANCE = 0.04  # the paper counts an answer as right when it is within 0.04 of the target


def make_adding(n: int, length: int, generator: torch.Generator) -> Batch:
    """n sequences of the adding problem of the given length."""
    import torch

    values = torch.rand(n, length, generator=generator)
    half = length // 2
    first = torch.randint(0, half, (n,), generator=generator)
    second = torch.randint(half, length, (n,), generator=generator)
    markers = torch.zeros(n, length)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = torch.stack([values, markers], dim=2)
    y = (values[rows, first] + values[rows, second]).unsqueeze(1)
    return Batch(x, y)


@register
class AddingTask(GeneratedTask):
    SPLIT_SEED = 10_000
    name = "adding"
    title = N_("Adding problem (long-range memory)")
    order = 40
    long_range = True  # the advice after a run that learned nothing applies (train/advice.py)
    shape = N_("many-to-one")
    description = (N_("Two of T random numbers are marked; answer their sum after the last step. A vanilla RNN must carry "
                   "the first number across up to T steps and usually cannot (the vanishing gradient); LSTM and GRU "
                   "can. Always answering 1.0 scores an MSE of 0.167."))
    metric = Metric("mse", "MSE")
    goal = Goal("mse", 0.01, False, N_("validation MSE at most 0.01"))  # always answering 1.0 scores 0.167
    options = {
        "length": Option(50, int_range(2, 2000), N_("Sequence length T: the distance the memory must bridge."),
                         label=N_("Length"), unit=N_("steps")),
        "train_size": train_size_option(),
    }
    suggested = {"model.cell": "lstm", "model.hidden_size": 64, "training.learning_rate": 0.005,
                 "training.batch_size": 64, "training.steps": 2000}

    def make(self, n: int, generator: torch.Generator) -> Batch:
        return make_adding(n, self.opts["length"], generator)

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(head="many_to_one", output_size=1, input_size=2, sequence_length=self.opts["length"])

    def step_labels(self, batch: Batch, index: int):
        markers = batch.x[index, :, 1]
        return [f"{t}*" if markers[t] > 0 else str(t) for t in range(batch.x.shape[1])]

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        import torch

        return torch.nn.functional.mse_loss(output, batch.y)

    @no_grad
    def evaluate(self, model, split: str) -> dict[str, float]:
        import torch

        device = next(model.parameters()).device
        preds, targets = [], []
        for b in self.eval_batches(split):
            preds.append(model(b.to(device))[0].cpu())
            targets.append(b.y)
        p, y = torch.cat(preds), torch.cat(targets)
        mse = float(torch.mean((p - y) ** 2))
        return {"loss": mse, "mse": mse, "solved": float(((p - y).abs() < SOLVED_TOLERANCE).float().mean())}

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        import torch

        y = self.splits[split].y
        mse = float(torch.mean((y - 1.0) ** 2))
        N_("always 1.0")  # the key stays English (run files); translated where shown
        return {"always 1.0": {"loss": mse, "mse": mse,
                               "solved": float(((y - 1.0).abs() < SOLVED_TOLERANCE).float().mean())}}

    def view_batch(self) -> Batch:
        """The validation sequences the view shows (its saliency request replays the same ones)."""
        data = self.splits["val"]
        return Batch(data.x[:12], data.y[:12])

    @no_grad
    def view(self, model) -> dict:
        """A few validation sequences: where the markers are, the target and the model's answer."""
        device = next(model.parameters()).device
        b = self.view_batch()
        pred = model(b.to(device))[0].cpu()
        return {"kind": "adding", "length": self.opts["length"], "values": b.x[:, :, 0].numpy(),
                "markers": b.x[:, :, 1].numpy(), "target": b.y[:, 0].numpy(), "prediction": pred[:, 0].numpy()}
