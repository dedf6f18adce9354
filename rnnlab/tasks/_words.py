"""What the word-level tasks (sentiment, tagging) share: padded batches with lengths, eval batches, word labels.

Every batch carries `lengths`, so the model packs its sequences (`SequenceModel.run_rnn`) and the probe stops each
sentence at its last word: padding never changes a prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator, Optional, Sequence

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch

from ..data.text import PAD, UNK, pad_batch
from ..i18n import _
from .base import Batch, Task

IGNORE = -100  # target of a padded position: cross_entropy(ignore_index=IGNORE) leaves it out of loss and metric


@dataclass
class WordSplit:
    """Sentences as id lists with one target per sentence (`per_token` False) or per word (True)."""

    ids: list[list[int]]
    targets: list  # int per sentence, or list[int] per word
    words: list[list[str]]  # the original words, for labels and views
    per_token: bool

    def __len__(self) -> int:
        return len(self.ids)

    def batch(self, index: Sequence[int]) -> Batch:
        import torch

        x, lengths = pad_batch([self.ids[i] for i in index])
        if self.per_token:
            y, _ = pad_batch([self.targets[i] for i in index], pad_value=IGNORE)
        else:
            y = torch.tensor([self.targets[i] for i in index], dtype=torch.long)
        return Batch(x, y, lengths)

    def batches(self, batch_size: int) -> Iterator[Batch]:
        for start in range(0, len(self), batch_size):
            yield self.batch(range(start, min(start + batch_size, len(self))))

    def epochs(self, batch_size: int, generator: torch.Generator, word_dropout: float = 0.0,
               unknown_id: Optional[Callable[[str], int]] = None) -> Iterator[Batch]:
        """Endless shuffled passes: every sentence once per epoch, order drawn with `generator`.

        With `word_dropout` p, each word is replaced, with probability p, by the id an unknown word gets
        (`unknown_id(word)`: <unk>, or its shape class): the model cannot lean on single words and learns what to do
        with words it has never seen (Iyyer et al. 2015, "Deep unordered composition rivals syntactic methods")."""
        import torch

        unk = None
        if word_dropout > 0:
            unk = [[unknown_id(w) if unknown_id else UNK for w in words] for words in self.words]
        while True:
            order = torch.randperm(len(self), generator=generator).tolist()
            if len(order) <= batch_size:
                chunks = [order]
            else:  # the last partial batch is left out
                chunks = [order[s:s + batch_size] for s in range(0, len(order) - batch_size + 1, batch_size)]
            for chunk in chunks:
                batch = self.batch(chunk)
                if unk is not None:
                    unk_x, _ = pad_batch([unk[i] for i in chunk])
                    drop = (torch.rand(batch.x.shape, generator=generator) < word_dropout) & (batch.x != PAD)
                    batch.x = torch.where(drop, unk_x, batch.x)
                yield batch


def pad_labels(words: Sequence[str], steps: int) -> list[str]:
    """Time-axis labels for a padded row: the words, then empty labels for the padding."""
    return list(words) + [""] * (steps - len(words))


def softmax_np(logits: torch.Tensor) -> np.ndarray:
    import torch

    return torch.softmax(logits.float(), dim=-1).cpu().numpy()


def confusion(true: np.ndarray, pred: np.ndarray, classes: int) -> np.ndarray:
    """Counts (classes, classes): row = true class, column = predicted class."""
    return np.bincount(true * classes + pred, minlength=classes * classes).reshape(classes, classes)


def empty_sentence_message(what: str) -> str:
    return _("Type a sentence with at least one word to {what}.").format(what=what)


def unknown_flags(vocab, words: Sequence[str]) -> list[bool]:
    return [vocab.is_unknown(w) for w in words]



class WordTask(Task):
    """What the word-level tasks share: `splits` of WordSplit, a `vocab`, and a fixed probe batch of validation
    sentences (`_probe`, built from `_probe_rows`) whose words label the time axis."""

    splits: dict
    vocab: "object"
    _probe: Batch
    _probe_rows: list[int]

    def eval_batches(self, split: str, batch_size: int = 256) -> Iterator[Batch]:
        return self.splits[split].batches(batch_size)

    def probe_batch(self) -> Batch:
        return self._probe

    def step_labels(self, batch: Batch, index: int):
        steps = batch.x.shape[1]
        if batch is self._probe:
            return pad_labels(self.splits["val"].words[self._probe_rows[index]], steps)
        n = int(batch.lengths[index]) if batch.lengths is not None else steps
        return pad_labels(self.vocab.decode(batch.x[index, :n].tolist()), steps)
