"""Words for the word-level tasks: one tokenizer, a vocabulary built on the training split only, and padding.

    "It's not bad, but dull!"  -> tokenize -> ["it's", "not", "bad", ",", "but", "dull", "!"]
                               -> Vocabulary.encode -> [57, 31, 210, 3, 18, 1, 40]      (1 = <unk>: not in the vocab)
    several sentences          -> pad_batch -> x (B, T_max) with 0 = <pad>, lengths (B,)

The vocabulary is built from the training split alone, so held-out words the model never saw become <unk> exactly as
they would for a new sentence a student types: the held-out numbers are honest. Ids are fixed for the same data and
options (most frequent first, ties alphabetical), so a saved run rebuilds the same vocabulary when it is reopened.

Optionally, unknown words map to a handful of word-shape classes (<unk-Cap>, <unk-num>, <unk-ing>, ...) instead of
one <unk>: a classic trick for taggers (the Berkeley parser's "unknown word signatures"), because the shape of an
unseen word says much about its part of speech.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # torch is imported where it is used: the window reads this module before it has loaded
    import torch
    from torch import Tensor

from ..i18n import N_, _, ngettext

PAD, UNK = 0, 1
PAD_TOKEN, UNK_TOKEN = "<pad>", "<unk>"

# A word (letters/digits, with inner apostrophes or hyphens: "it's", "doesn't", "co-writer") or a run of one
# punctuation character ("...", "!!", ","). The sentence-polarity files are tokenised the same way, so a typed
# sentence and the training data split alike.
_TOKEN = re.compile(r"\d+(?:[.,:/]\d+)+|\w+(?:['\-]\w+)*|([^\w\s])\1*")
# Penn-Treebank-style clitics, as the UD English treebanks split them: "can't" -> "ca" "n't", "it's" -> "it" "'s".
_CLITIC = re.compile(r"^(\w+?)(n't|'s|'re|'ve|'ll|'d|'m)$", re.IGNORECASE)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def tokenize(text: str, lowercase: bool = True, split_clitics: bool = False) -> list[str]:
    """Split a sentence into word and punctuation tokens (curly quotes made straight); numbers like 3.5 stay whole.

    `split_clitics` splits "don't" into "do" "n't" and "it's" into "it" "'s", as treebanks do."""
    text = text.translate(_QUOTES)
    if lowercase:
        text = text.lower()
    tokens = [m.group(0) for m in _TOKEN.finditer(text)]
    if not split_clitics:
        return tokens
    result = []
    for tok in tokens:
        m = _CLITIC.match(tok)
        result.extend(m.groups() if m else (tok,))
    return result


# --- unknown-word classes ------------------------------------------------------------------------------------------

# Checked in order; the first that matches names the class. Suffixes only for words of 4+ letters.
_SHAPES: tuple[tuple[str, "re.Pattern[str]"], ...] = (
    ("<unk-num>", re.compile(r"^[\d.,:/\-]*\d[\d.,:/\-]*$")),
    ("<unk-Cap>", re.compile(r"^[A-Z]")),
    ("<unk-hyphen>", re.compile(r"\w-\w")),
    ("<unk-ing>", re.compile(r"^\w{2,}ing$")),
    ("<unk-ed>", re.compile(r"^\w{2,}ed$")),
    ("<unk-ly>", re.compile(r"^\w{2,}ly$")),
    ("<unk-s>", re.compile(r"^\w{2,}[^s]s$")),
    ("<unk-punct>", re.compile(r"^[^\w\s]+$")),
)
SHAPE_TOKENS = tuple(name for name, _ in _SHAPES)


def word_shape(word: str) -> str:
    """The unknown-word class of a word (see SHAPE_TOKENS), or <unk> when none fits."""
    for name, pattern in _SHAPES:
        if pattern.search(word):
            return name
    return UNK_TOKEN


@dataclass(frozen=True)
class Vocabulary:
    """Token <-> id. Id 0 is <pad>, id 1 is <unk>; with `shapes`, the unknown-word classes come next."""

    tokens: tuple[str, ...]
    shapes: bool = False  # unknown words map to their word-shape class instead of <unk>
    lowercase: bool = True  # words are looked up lower-cased (the shape class still sees the original case)

    def __post_init__(self):
        if self.tokens[:2] != (PAD_TOKEN, UNK_TOKEN):
            raise ValueError(_("a vocabulary starts with <pad>, <unk>"))
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.tokens)})

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, word: str) -> bool:
        return self._key(word) in self._index

    def _key(self, word: str) -> str:
        return word.lower() if self.lowercase else word

    def id(self, word: str) -> int:
        found = self._index.get(self._key(word))
        return found if found is not None else self.unknown_id(word)

    def encode(self, words: Sequence[str]) -> list[int]:
        return [self.id(w) for w in words]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[int(i)] for i in ids]

    def unknown_id(self, word: str) -> int:
        """The id the word would get if it were not in the vocabulary: <unk>, or its shape class."""
        return self._index[word_shape(word)] if self.shapes else UNK

    def is_unknown(self, word: str) -> bool:
        return self._key(word) not in self._index

    @property
    def num_special(self) -> int:
        """<pad>, <unk> and the shape classes: the ids below this are not words."""
        return 2 + (len(SHAPE_TOKENS) if self.shapes else 0)


def build_vocabulary(sentences: Iterable[Sequence[str]], max_size: int, min_freq: int = 1, *,
                     shapes: bool = False, lowercase: bool = True) -> Vocabulary:
    """The vocabulary of the training sentences: at most `max_size` ids in all (specials included), only words seen
    at least `min_freq` times, most frequent first (ties alphabetical, so the ids never depend on the input order).
    """
    specials = [PAD_TOKEN, UNK_TOKEN] + (list(SHAPE_TOKENS) if shapes else [])
    if max_size < len(specials) + 1:
        raise ValueError(_("max_size must leave room for at least one word after the {count} special tokens").format(count=len(specials)))
    counts = Counter(w.lower() if lowercase else w for s in sentences for w in s)
    ranked = sorted((w for w, c in counts.items() if c >= min_freq), key=lambda w: (-counts[w], w))
    words = [w for w in ranked if w not in specials][: max_size - len(specials)]
    return Vocabulary(tuple(specials + words), shapes=shapes, lowercase=lowercase)


def pad_batch(seqs: Sequence[Sequence[int]], pad_value: int = PAD) -> tuple[Tensor, Tensor]:
    """Right-pad id lists into x (B, T_max) long and return their lengths (B,). Every sequence needs one id."""
    import torch

    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if len(seqs) and int(lengths.min()) < 1:
        raise ValueError(_("cannot pad an empty sequence: every sentence needs at least one token"))
    x = torch.full((len(seqs), int(lengths.max()) if len(seqs) else 0), pad_value, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = torch.as_tensor(list(s), dtype=torch.long)
    return x, lengths


def split_indices(n: int, fractions: Sequence[float], seed: int) -> list[list[int]]:
    """Shuffle range(n) with `seed` and cut it into consecutive parts of the given fractions (the last part takes
    the rest). The same n, fractions and seed always give the same parts."""
    import torch

    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    parts, start = [], 0
    for frac in fractions[:-1]:
        size = int(round(n * frac))
        parts.append(order[start:start + size])
        start += size
    parts.append(order[start:])
    return parts
