"""Sentiment of movie-review snippets (many-to-one): read the words one by one, say "positive" or "negative" at the end.

    "it's not bad , but dull ."  -> embedding -> RNN -> final state -> Linear -> P(negative), P(positive)

Data: sentence polarity v1.0 (Pang & Lee 2005, CC BY 4.0), 5331 positive and 5331 negative snippets, split 80/10/10
per class with a fixed shuffle (the same split for every run, so runs with different seeds are compared on the same
sentences). The vocabulary comes from the training split only. Baselines: always the majority class of the training
split, and a naive-Bayes bag of words (which ignores word order entirely: the number to beat with a sequence model).
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..options import float_range, int_range
from ..data.text import Vocabulary, build_vocabulary, split_indices, tokenize
from ..modes import evaluating
from ..errors import DataError
from ..resources import resource
from . import register
from ._words import WordSplit, WordTask, confusion, softmax_np
from .base import Batch, Metric, ModelSpec, Option
from ..i18n import N_, _, ngettext, strerror

CLASSES = ("negative", "positive")
FRACTIONS = (0.8, 0.1, 0.1)  # train, val, test
SPLIT_SEED = 1234  # fixed: the split does not move with training.seed
PROBE_WORDS = ("but", "not", "n't", "although", "yet")  # probe sentences where the gates have something to do


@lru_cache(maxsize=1)
def load_polarity() -> tuple[tuple[tuple[str, ...], ...], tuple[int, ...]]:
    """All snippets, tokenised, and their labels (0 negative, 1 positive): negatives first."""
    sentences, labels = [], []
    for label, suffix in enumerate(("neg", "pos")):
        path = resource("datasets", "sentiment", f"rt-polarity.{suffix}")
        try:
            # The files are UTF-8 (a few characters were converted from Latin-1 upstream); 'replace' keeps a stray
            # byte from stopping the app.
            content = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise DataError(_("cannot read the bundled data set {path}: {value}. Reinstall rnnlab.").format(path=path, value=strerror(exc))) \
                from None
        for line in content.splitlines():
            tokens = tokenize(line)
            if tokens:
                sentences.append(tuple(map(sys.intern, tokens)))  # one string per word, not per occurrence: 12.6 -> ~4 MB cached
                labels.append(label)
    return tuple(sentences), tuple(labels)


@register
class SentimentTask(WordTask):
    name = "sentiment"
    title = N_("Sentiment of movie reviews")
    order = 20
    shape = N_("many-to-one")
    token_inputs = True
    description = (N_("Read a one-sentence movie review word by word and say whether it is positive or negative. "
                   "The vocabulary is built on the training sentences only; unseen words become 'unknown'. Compare with "
                   "always guessing the majority class (50%) and with a bag of words that ignores word order."))
    metric = Metric("accuracy", N_("accuracy"), higher_is_better=True)
    options = {
        "vocab_size": Option(8000, int_range(100, 100_000),
                             N_("Most frequent training words kept (plus the padding and unknown-word tokens); rarer "
                             "words are read as 'unknown'."), label=N_("Vocabulary size"), unit=N_("words")),
        "min_freq": Option(2, int_range(1, 1000),
                           N_("A word needs at least this many occurrences in the training sentences to get its "
                              "own id."),
                           label=N_("Min word count")),
        "word_dropout": Option(0.25, float_range(0.0, 0.9),
                               N_("While training, replace each word by 'unknown' with this probability, so the model "
                               "cannot lean on single words (0 = off)."), label=N_("Word dropout")),
        "train_limit": Option(0, int_range(0, 1_000_000),
                              N_("Train on only the first N training sentences (0 = all 8530): how much data is "
                                 "needed?"),
                              label=N_("Train limit"), unit=N_("sentences")),
    }
    # Measured (docs/tasks-text.md): test accuracy 0.736-0.751 over seeds 0-4. Large batches, few steps: on a shared
    # 2-core CPU the per-step overhead, not the arithmetic, is what costs time.
    suggested = {"model.cell": "gru", "model.hidden_size": 64, "model.embedding_size": 64, "model.dropout": 0.5,
                 "model.bidirectional": False, "training.learning_rate": 0.004, "training.batch_size": 128,
                 "training.steps": 650}

    def __init__(self, options, seed: int = 0, tbptt: int = 0):
        super().__init__(options, seed, tbptt)
        sentences, labels = load_polarity()
        parts: dict[str, list[int]] = {"train": [], "val": [], "test": []}
        for label in range(len(CLASSES)):  # stratified: both classes split 80/10/10
            members = [i for i, y in enumerate(labels) if y == label]
            for name, idx in zip(parts, split_indices(len(members), FRACTIONS, SPLIT_SEED + label)):
                parts[name].extend(members[i] for i in idx)
        parts = {name: sorted(idx) for name, idx in parts.items()}
        if self.opts["train_limit"]:
            keep = split_indices(len(parts["train"]), (1.0,), SPLIT_SEED)[0][: self.opts["train_limit"]]
            parts["train"] = sorted(parts["train"][i] for i in keep)
        train_words = [sentences[i] for i in parts["train"]]
        self.vocab: Vocabulary = build_vocabulary(train_words, self.opts["vocab_size"], self.opts["min_freq"])
        self.splits = {name: WordSplit([self.vocab.encode(sentences[i]) for i in idx], [labels[i] for i in idx],
                                       [list(sentences[i]) for i in idx], per_token=False)
                       for name, idx in parts.items()}
        self._probe_rows = self._pick_probe_rows()
        self._probe = self.splits["val"].batch(self._probe_rows)
        self._bayes = _NaiveBayes(train_words, [labels[i] for i in parts["train"]])

    def _pick_probe_rows(self) -> list[int]:
        """Eight short validation sentences, four of each class, preferring ones with "but" or "not" in them."""
        val = self.splits["val"]
        rows: list[int] = []
        for label in range(len(CLASSES)):
            cands = [i for i in range(len(val)) if val.targets[i] == label and 4 <= len(val.ids[i]) <= 18]
            cands.sort(key=lambda i: (not any(w in PROBE_WORDS for w in val.words[i]), len(val.ids[i]), i))
            rows += cands[:4]
        return rows

    # --- Task API -----------------------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(head="many_to_one", output_size=len(CLASSES), vocab_size=len(self.vocab))

    @property
    def train_size(self) -> int:
        return len(self.splits["train"])

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        return self.splits["train"].epochs(batch_size, generator, self.opts["word_dropout"])

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        import torch

        return torch.nn.functional.cross_entropy(output, batch.y)

    def predict(self, model, split: str) -> tuple[np.ndarray, np.ndarray, float]:
        """(probabilities (N, 2), true labels (N,), mean cross-entropy) on a split, in eval mode."""
        import torch

        probs, total = [], 0.0
        with evaluating(model) as device:
            for b in self.eval_batches(split):
                out = model(b.to(device))[0]
                total += float(torch.nn.functional.cross_entropy(out, b.y.to(device), reduction="sum"))
                probs.append(softmax_np(out))
        true = np.asarray(self.splits[split].targets, dtype=np.int64)
        p = np.concatenate(probs) if probs else np.zeros((0, len(CLASSES)))
        return p, true, total / max(1, len(true))

    def evaluate(self, model, split: str) -> dict[str, float]:
        probs, true, loss = self.predict(model, split)
        return {"loss": loss, **_scores(true, probs.argmax(1))}

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        true = np.asarray(self.splits[split].targets, dtype=np.int64)
        train = np.bincount(self.splits["train"].targets, minlength=len(CLASSES))
        majority = int(train.argmax())
        prior = train / train.sum()
        N_("majority class ({name})"), N_("bag of words (naive Bayes)")  # English keys, translated where shown
        result = {f"majority class ({CLASSES[majority]})":
                  {"loss": float(-np.mean(np.log(prior[true]))), **_scores(true, np.full_like(true, majority))}}
        probs = self._bayes.probabilities(self.splits[split].words)
        result["bag of words (naive Bayes)"] = {
            "loss": float(-np.mean(np.log(np.clip(probs[np.arange(len(true)), true], 1e-7, 1.0)))),
            **_scores(true, probs.argmax(1))}
        return result

    # --- what the view shows ------------------------------------------------------------------------------------

    def view(self, model) -> dict:
        """Validation accuracy, confusion matrix (rows true, columns predicted) and a few sentences with predictions,
        the most confidently wrong ones first among the errors."""
        probs, true, _ = self.predict(model, "val")
        pred = probs.argmax(1) if len(probs) else np.zeros(0, dtype=np.int64)
        val = self.splits["val"]
        conf = probs[np.arange(len(pred)), pred] if len(pred) else np.zeros(0)
        right = [i for i in range(len(pred)) if pred[i] == true[i]][:6]
        wrong = sorted((i for i in range(len(pred)) if pred[i] != true[i]), key=lambda i: -conf[i])[:6]
        examples = [{"text": " ".join(val.words[i]), "true": CLASSES[true[i]], "predicted": CLASSES[pred[i]],
                     "confidence": float(conf[i]), "correct": bool(pred[i] == true[i])} for i in right + wrong]
        return {"kind": "sentiment", "split": "val", "classes": list(CLASSES),
                "confusion": confusion(true, pred, len(CLASSES)), **_scores(true, pred), "examples": examples,
                "vocab_size": len(self.vocab)}

    def classify(self, model, sentence: str) -> dict:
        """The model's answer for a typed sentence: label, confidence, both probabilities and the tokens it read
        (with `unknown` flags for words outside the vocabulary, which the model sees as <unk>)."""
        import torch

        tokens = tokenize(sentence)
        if not tokens:
            raise DataError(_("Type a sentence with at least one word to classify it."))
        ids = self.vocab.encode(tokens)
        with evaluating(model) as device:
            x = torch.tensor([ids], dtype=torch.long, device=device)
            out = model(Batch(x, torch.zeros(1, dtype=torch.long), torch.tensor([len(ids)])))[0]
        p = softmax_np(out)[0]
        k = int(p.argmax())
        return {"tokens": tokens, "unknown": [self.vocab.is_unknown(t) for t in tokens], "label": CLASSES[k],
                "label_index": k, "confidence": float(p[k]), "probabilities": dict(zip(CLASSES, map(float, p)))}

    def text_batch(self, sentence: str) -> tuple[Batch, list[str]]:
        """A typed sentence as a batch of one (its target is class 0: only the probe's loss reads it) and its words
        as time labels, unknown ones marked * as the view marks them."""
        import torch

        tokens = tokenize(sentence)
        if not tokens:
            raise DataError(_("Type a sentence with at least one word to classify it."))
        ids = self.vocab.encode(tokens)
        labels = [t + ("*" if self.vocab.is_unknown(t) else "") for t in tokens]
        return Batch(torch.tensor([ids], dtype=torch.long), torch.zeros(1, dtype=torch.long),
                     torch.tensor([len(ids)])), labels

    def gate_trace(self, model, sentence: str) -> dict:
        """`classify` plus the recurrent layer's gates and states per word, keyed like the probe's:
        gates[(layer, direction, gate)] and hidden[(layer, direction)] are (words, hidden) arrays.

        `running` (words, 2) is P(class) if the sentence ended after each word: the head applied to the forward
        state after every word. It exists for one-directional models only (a backward pass has not read the
        sentence's start yet at the last word), else None."""
        import torch

        result = self.classify(model, sentence)
        ids = self.vocab.encode(result["tokens"])
        result.update(model.trace_tokens(ids))
        result["running"] = None
        if model.dirs == 1:
            last = result["hidden"][(model.rnn.num_layers - 1, 0)]
            with evaluating(model) as device:
                result["running"] = softmax_np(model.out(torch.from_numpy(last).to(device)))
        return result


def _scores(true: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Accuracy, and precision/recall/F1 of the positive class (0.0 where undefined, as when it is never predicted)."""
    if len(true) == 0:
        return {"accuracy": math.nan, "precision": math.nan, "recall": math.nan, "f1": math.nan}
    tp = float(np.sum((pred == 1) & (true == 1)))
    predicted, actual = float(np.sum(pred == 1)), float(np.sum(true == 1))
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": float(np.mean(pred == true)), "precision": precision, "recall": recall, "f1": f1}


class _NaiveBayes:
    """Multinomial naive Bayes over word presence with add-one smoothing: a strong order-free baseline."""

    def __init__(self, sentences, labels):
        vocab: dict[str, int] = {}
        for s in sentences:
            for w in set(s):
                vocab.setdefault(w, len(vocab))
        counts = np.ones((len(CLASSES), len(vocab)))
        for s, y in zip(sentences, labels):
            counts[y, [vocab[w] for w in set(s)]] += 1
        self.vocab = vocab
        self.log_word = np.log(counts / counts.sum(1, keepdims=True))
        prior = np.bincount(labels, minlength=len(CLASSES)).astype(float)
        self.log_prior = np.log(prior / prior.sum())

    def probabilities(self, sentences) -> np.ndarray:
        scores = np.tile(self.log_prior, (len(sentences), 1))
        for i, s in enumerate(sentences):
            idx = [self.vocab[w] for w in set(s) if w in self.vocab]
            scores[i] += self.log_word[:, idx].sum(1)
        scores -= scores.max(1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(1, keepdims=True)
