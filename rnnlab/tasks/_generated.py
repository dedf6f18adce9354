"""What the generated long-range tasks (adding, memory) share: fresh training sequences from the run's generator,
held-out sets drawn once from a generator of their own, and plain slices of those for evaluation and the probe.

A subclass sets `SPLIT_SEED`, the sizes, and `make(n, generator)`; the held-out sets then depend only on the seed
and the options, never on how long training ran.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterator

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch

from .base import Batch, Option, Task
from ..options import int_range
from ..i18n import N_, _, ngettext

VAL_SIZE = 1000
TEST_SIZE = 1000
PROBE_ROWS = 8


def train_size_option() -> Option:
    return Option(100_000, int_range(100, 10_000_000), _("Sequences per epoch (fresh ones are drawn)."),
                  label=_("Train size"), unit=N_("sequences"))


class GeneratedTask(Task):
    """Base of tasks whose every sequence is drawn by `make`; `splits` holds the validation and test batches."""

    SPLIT_SEED: ClassVar[int]  # apart from the training data's generator, so that the held-out sets stay fixed

    def __init__(self, options, seed: int = 0, tbptt: int = 0):
        import torch

        super().__init__(options, seed, tbptt)
        g = torch.Generator().manual_seed(self.SPLIT_SEED + seed)
        self.splits = {"val": self.make(VAL_SIZE, g), "test": self.make(TEST_SIZE, g)}

    def make(self, n: int, generator: torch.Generator) -> Batch:
        raise NotImplementedError

    @property
    def train_size(self) -> int:
        return self.opts["train_size"]

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        while True:
            yield self.make(batch_size, generator)

    def eval_batches(self, split: str, batch_size: int = 500) -> Iterator[Batch]:
        data = self.splits[split]
        for start in range(0, len(data), batch_size):
            yield Batch(data.x[start:start + batch_size], data.y[start:start + batch_size])

    def probe_batch(self) -> Batch:
        data = self.splits["val"]
        return Batch(data.x[:PROBE_ROWS], data.y[:PROBE_ROWS])
