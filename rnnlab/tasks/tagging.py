"""Part-of-speech tagging (many-to-many, aligned): one Universal POS tag for every word of a sentence.

    words   The   old   man   the   boats   .
    tags    DET   NOUN  VERB  DET   NOUN    PUNCT      <- one output per input step: Linear on every h_t

Data: Universal Dependencies English Web Treebank (dev split, 2001 sentences, CC BY-SA 4.0) or a CoNLL-U file of
your own, split 80/10/10 by sentence with a fixed shuffle. Padded positions get the target -100, which the loss
(`ignore_index`) and the accuracy both leave out. A one-directional RNN tags each word from its left context only;
a bidirectional one also reads the words after it ("man" in "the old man the boats" is a verb because of what
follows), which is where the difference shows.

Baseline: each word's most frequent tag in the training split; words never seen there get the most frequent tag
overall. With word shapes on, words outside the vocabulary map to classes like <unk-Cap> or <unk-ing>, so the model
learns what to do with a capitalised or -ing word it has never seen.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..options import BOOL, float_range, int_range, text
from ..data.conllu import MAX_BYTES, UPOS_TAGS, Sentence, read_conllu
from ..data.text import Vocabulary, build_vocabulary, split_indices, tokenize
from ..modes import evaluating
from ..errors import ConfigError, DataError, shown_file
from ..fileio import check_user_file
from ..resources import resource
from . import register
from ._words import IGNORE, WordSplit, WordTask, confusion, softmax_np
from .base import Batch, Metric, ModelSpec, Option
from ..i18n import N_, _, ngettext, strerror

FRACTIONS = (0.8, 0.1, 0.1)  # train, val, test (by sentence)
SPLIT_SEED = 1234  # fixed: the split does not move with training.seed
MIN_SENTENCES = 30  # a user's file needs enough sentences for three non-empty splits
TAGS = UPOS_TAGS  # output id k is TAGS[k]: the same 17 outputs for every file


def bundled_path() -> Path:
    return resource("datasets", "tagging", "en_ewt-ud-dev.conllu")


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Sentence, ...]:
    return tuple(read_conllu(path, min_sentences=MIN_SENTENCES))


def load_sentences(conllu_path: str = "") -> tuple[Sentence, ...]:
    """The bundled treebank, or the user's CoNLL-U file (DataError when it cannot be used)."""
    # The user's path is checked as the CSV and text paths are (a NUL byte, a folder, a FIFO: one clear message)
    # before its modification time keys the cache.
    path = check_user_file(conllu_path, MAX_BYTES, what=_("a CoNLL-U file")) if conllu_path else bundled_path()
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise DataError(_("cannot read {path}: {value}. Check the path and that the file exists.").format(path=path, value=strerror(exc))) \
            from None
    return _load(str(path), mtime)


def most_frequent_tags(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> tuple[dict[str, str], str]:
    """The baseline's table: word -> its most frequent tag (ties: the tag more frequent overall, then alphabetical),
    and the most frequent tag overall, for words not in the table."""
    overall = Counter(t for ts in tags for t in ts)
    rank = {t: (-c, t) for t, c in overall.items()}
    per_word: dict[str, Counter] = {}
    for words, ts in zip(sentences, tags):
        for w, t in zip(words, ts):
            per_word.setdefault(w, Counter())[t] += 1
    table = {w: min(c, key=lambda t: (-c[t], rank[t])) for w, c in per_word.items()}
    default = min(overall, key=lambda t: rank[t]) if overall else TAGS[0]
    return table, default


@register
class TaggingTask(WordTask):
    name = "tagging"
    title = N_("Part-of-speech tagging")
    order = 30
    shape = N_("many-to-many (aligned)")
    token_inputs = True
    description = (N_("Give every word of a sentence its part of speech (noun, verb, ...; 17 Universal POS tags), from "
                   "the English Web Treebank. Accuracy counts words, padding left out. The baseline tags each word "
                   "with its most frequent training tag. Try bidirectional: the words after a word help too."))
    metric = Metric("accuracy", N_("token accuracy"), higher_is_better=True)
    options = {
        "conllu_path": Option("", text(), N_("A CoNLL-U file of your own (UPOS in the 4th column); empty = the bundled "
                                          "English Web Treebank sentences."),
                              label=N_("CoNLL-U file"), kind="path",
                              files=N_("CoNLL-U files (*.conllu *.conll);;All files (*)")),
        "vocab_size": Option(10_000, int_range(100, 200_000),
                             N_("Most frequent training words kept (plus the padding, unknown-word and word-shape "
                             "tokens)."), label=N_("Vocabulary size"), unit=N_("words")),
        "min_freq": Option(2, int_range(1, 1000),
                           N_("A word needs this many occurrences in the training sentences to get its own id; rarer "
                           "words are trained as unknown words, so the model learns to tag those too."),
                           label=N_("Min word count")),
        "lowercase": Option(True, BOOL, N_("Look words up lower-cased (\"The\" and \"the\" share an id)."),
                            label=N_("Lowercase")),
        "word_shapes": Option(True, BOOL, N_("Unknown words map to shape classes (capitalised, number, "
                                          "-ing, -ed, -s, -ly, hyphenated, ...) instead of one 'unknown' token."),
                              label=N_("Word shapes")),
        "word_dropout": Option(0.0, float_range(0.0, 0.9),
                               N_("While training, treat each word as unknown (its shape class) with this probability, "
                               "so the model learns to tag unseen words from their context (0 = off)."),
                               label=N_("Word dropout")),
        "train_limit": Option(0, int_range(0, 1_000_000),
                              N_("Train on only the first N training sentences (0 = all): how much data is needed?"),
                              label=N_("Train limit"), unit=N_("sentences")),
    }
    # Measured (docs/tasks-text.md): test token accuracy 0.90 in 1000 steps, 10 passes over the 1601 training
    # sentences. Small batches: on a shared 2-core CPU torch's two threads only meet (and wait for each other) on
    # larger tensors; with batch 32 a step took 5-7 times longer there, for the same accuracy.
    suggested = {"model.cell": "lstm", "model.bidirectional": True, "model.hidden_size": 64,
                 "model.embedding_size": 64, "model.dropout": 0.3, "training.learning_rate": 0.005,
                 "training.batch_size": 16, "training.steps": 1000}

    @classmethod
    def describe(cls, options) -> str:
        path = options.get("conllu_path") or ""
        if not path:
            return cls.description
        return _("Give every word of a sentence its part of speech (17 Universal POS tags), from your CoNLL-U file "
                 "({name}). Accuracy counts words, padding left out. The baseline tags each word with its "
                 "most frequent training tag. Try bidirectional: the words after a word help too.").format(
            name=shown_file(path))

    @classmethod
    def check_options(cls, values) -> None:
        if not values["conllu_path"]:
            return  # the bundled treebank ships with rnnlab: parsing it here cost every start 0.5 s (lessons' configs)
        try:
            load_sentences(values["conllu_path"])
        except DataError as exc:
            raise ConfigError("task.conllu_path", values["conllu_path"], str(exc)) from None

    def __init__(self, options, seed: int = 0, tbptt: int = 0):
        super().__init__(options, seed, tbptt)
        o = self.opts
        sentences = load_sentences(o["conllu_path"])
        parts = dict(zip(("train", "val", "test"),
                         (sorted(p) for p in split_indices(len(sentences), FRACTIONS, SPLIT_SEED))))
        if o["train_limit"]:
            parts["train"] = parts["train"][: o["train_limit"]]
        self.sentences = {name: [sentences[i] for i in idx] for name, idx in parts.items()}
        train = self.sentences["train"]
        self.vocab: Vocabulary = build_vocabulary([s.words for s in train], o["vocab_size"], o["min_freq"],
                                                  shapes=o["word_shapes"], lowercase=o["lowercase"])
        tag_id = {t: k for k, t in enumerate(TAGS)}
        self.splits = {name: WordSplit([self.vocab.encode(s.words) for s in ss],
                                       [[tag_id[t] for t in s.upos] for s in ss], [list(s.words) for s in ss],
                                       per_token=True)
                       for name, ss in self.sentences.items()}
        key = (lambda w: w.lower()) if o["lowercase"] else (lambda w: w)
        self._key = key
        self.table, self.default_tag = most_frequent_tags([[key(w) for w in s.words] for s in train],
                                                          [s.upos for s in train])
        self._probe_rows = self._pick_probe_rows()
        self._probe = self.splits["val"].batch(self._probe_rows)

    def _pick_probe_rows(self) -> list[int]:
        """Six validation sentences of 6 to 14 words (the first ones in file order), for the gate views."""
        val = self.splits["val"]
        rows = [i for i in range(len(val)) if 6 <= len(val.ids[i]) <= 14][:6]
        return rows or list(range(min(6, len(val))))

    # --- Task API -----------------------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(head="many_to_many", output_size=len(TAGS), vocab_size=len(self.vocab))

    @property
    def train_size(self) -> int:
        return len(self.splits["train"])

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        return self.splits["train"].epochs(batch_size, generator, self.opts["word_dropout"], self.vocab.unknown_id)

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        """Mean cross-entropy over the real words; padded positions (target -100) are ignored."""
        import torch

        return torch.nn.functional.cross_entropy(output.reshape(-1, output.shape[-1]), batch.y.reshape(-1),
                                                 ignore_index=IGNORE)

    def predict(self, model, split: str) -> tuple[list[np.ndarray], list[np.ndarray], float]:
        """Per sentence: predicted tag ids and their probabilities; and the mean cross-entropy per word."""
        import torch

        preds, confs, total, count = [], [], 0.0, 0
        with evaluating(model) as device:
            for b in self.eval_batches(split):
                out = model(b.to(device))[0]
                y = b.y.to(device)
                total += float(torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1),
                                                                 ignore_index=IGNORE, reduction="sum"))
                count += int((y != IGNORE).sum())
                p = softmax_np(out)
                for i, n in enumerate(b.lengths.tolist()):
                    preds.append(p[i, :n].argmax(1))
                    confs.append(p[i, :n].max(1))
        return preds, confs, total / max(1, count)

    def evaluate(self, model, split: str) -> dict[str, float]:
        preds, _, loss = self.predict(model, split)
        return {"loss": loss, **self._scores(split, preds)}

    def baseline_tags(self, words: Sequence[str]) -> list[str]:
        return [self.table.get(self._key(w), self.default_tag) for w in words]

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        tag_id = {t: k for k, t in enumerate(TAGS)}
        preds = [np.array([tag_id[t] for t in self.baseline_tags(s.words)]) for s in self.sentences[split]]
        N_("most frequent tag per word")  # the key stays English (run files); translated where shown
        return {"most frequent tag per word": self._scores(split, preds)}

    def _scores(self, split: str, preds: Sequence[np.ndarray]) -> dict[str, float]:
        """Token accuracy; accuracy on words outside the vocabulary; share of sentences tagged entirely right."""
        data = self.splits[split]
        right = total = unk_right = unk_total = whole = 0
        for pred, target, words in zip(preds, data.targets, data.words):
            ok = np.asarray(pred) == np.asarray(target)
            unknown = np.array([self.vocab.is_unknown(w) for w in words], dtype=bool)
            right += int(ok.sum())
            total += len(ok)
            unk_right += int(ok[unknown].sum())
            unk_total += int(unknown.sum())
            whole += int(ok.all())
        return {"accuracy": right / total if total else math.nan,
                "unknown_word_accuracy": unk_right / unk_total if unk_total else math.nan,
                "sentence_accuracy": whole / len(data) if len(data) else math.nan}

    # --- what the view shows ------------------------------------------------------------------------------------

    def view(self, model) -> dict:
        """Validation sentences with true, predicted and baseline tags; per-tag accuracy and the tag confusion
        matrix (rows true, columns predicted)."""
        preds, confs, _ = self.predict(model, "val")
        data = self.splits["val"]
        examples = []
        for i in range(min(12, len(data))):
            examples.append({"words": list(data.words[i]), "true": [TAGS[t] for t in data.targets[i]],
                             "predicted": [TAGS[t] for t in preds[i]], "confidence": confs[i].astype(float).tolist(),
                             "baseline": self.baseline_tags(data.words[i]),
                             "unknown": [self.vocab.is_unknown(w) for w in data.words[i]]})
        true = np.concatenate([np.asarray(t) for t in data.targets]) if len(data) else np.zeros(0, np.int64)
        pred = np.concatenate(preds).astype(np.int64) if preds else np.zeros(0, np.int64)
        tag_id = {t: k for k, t in enumerate(TAGS)}
        base = np.array([tag_id[t] for s in self.sentences["val"] for t in self.baseline_tags(s.words)], np.int64)
        matrix = confusion(true, pred, len(TAGS))
        support = matrix.sum(1)
        base_right = np.bincount(true[base == true], minlength=len(TAGS))
        return {"kind": "tagging", "split": "val", "tags": list(TAGS), "examples": examples, "confusion": matrix,
                "support": {t: int(support[k]) for k, t in enumerate(TAGS) if support[k]},
                "per_tag_accuracy": {t: float(matrix[k, k] / support[k]) for k, t in enumerate(TAGS) if support[k]},
                "baseline_per_tag_accuracy": {t: float(base_right[k] / support[k]) for k, t in enumerate(TAGS)
                                              if support[k]},
                **self._scores("val", preds), "baseline": self.baselines("val")["most frequent tag per word"]}

    def tag(self, model, sentence: str) -> dict:
        """Tags for a typed sentence: words (split as the treebank does: "don't" -> "do" "n't"), predicted tags,
        their probabilities, the baseline's tags and which words are outside the vocabulary."""
        import torch

        words = tokenize(sentence, lowercase=False, split_clitics=True)
        if not words:
            raise DataError(_("Type a sentence with at least one word to tag it."))
        ids = self.vocab.encode(words)
        with evaluating(model) as device:
            x = torch.tensor([ids], dtype=torch.long, device=device)
            out = model(Batch(x, torch.zeros(1, len(ids), dtype=torch.long), torch.tensor([len(ids)])))[0]
        p = softmax_np(out)[0]
        return {"words": words, "tags": [TAGS[k] for k in p.argmax(1)], "confidence": p.max(1).astype(float).tolist(),
                "baseline": self.baseline_tags(words), "unknown": [self.vocab.is_unknown(w) for w in words]}
