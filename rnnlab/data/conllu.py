"""CoNLL-U files (Universal Dependencies): sentences as words with their UPOS and XPOS tags, read with clear errors.

A sentence is a block of tab-separated lines with ten columns, ended by an empty line; `#` lines are comments::

    # text = Today's the day.
    1-2   Today's   _      _      _   ...        <- multiword token: skipped, its parts follow as words
    1     Today     today  NOUN   NN  ...
    2     's        be     AUX    VBZ ...
    2.1   ...                                    <- empty node (enhanced graphs): skipped, it is not a word
    3     the       the    DET    DT  ...

Only the ID, FORM, UPOS and XPOS columns are read. See https://universaldependencies.org/format.html.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, shown, shown_file
from ..fileio import read_user_file
from ..i18n import N_, _, ngettext

MAX_BYTES = 200_000_000  # the largest UD treebank (German HDT train) is ~170 MB; the tagger needs far less

UPOS_TAGS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
             "SCONJ", "SYM", "VERB", "X")


@dataclass(frozen=True)
class Sentence:
    words: tuple[str, ...]
    upos: tuple[str, ...]
    xpos: tuple[str, ...]
    sent_id: str = ""
    line: int = 0  # line of the sentence's first word in its file (for messages)

    def __len__(self) -> int:
        return len(self.words)


def parse_conllu(text: str, name: str = "the file") -> list[Sentence]:
    """Sentences of a CoNLL-U document. Raises DataError naming the line and what is wrong with it."""
    sentences: list[Sentence] = []
    words: list[str] = []
    upos: list[str] = []
    xpos: list[str] = []
    sent_id, first_line = "", 0

    def finish() -> None:
        nonlocal words, upos, xpos, sent_id, first_line
        if words:
            # One string per distinct word and tag, not per occurrence (the window keeps the treebank cached).
            sentences.append(Sentence(tuple(map(sys.intern, words)), tuple(map(sys.intern, upos)),
                                      tuple(map(sys.intern, xpos)), sent_id, first_line))
        words, upos, xpos, sent_id, first_line = [], [], [], "", 0

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            finish()
            continue
        if line.startswith("#"):
            key, sep, value = line[1:].partition("=")
            if sep and key.strip() == "sent_id":
                sent_id = value.strip()
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            hint = " (the columns must be separated by tabs, not spaces)" if len(cols) == 1 and " " in line else ""
            raise DataError(_("{name}, line {number}: expected 10 tab-separated columns, found {count}{hint}. Each "
                              "word line of a CoNLL-U file is ID, FORM, LEMMA, UPOS, XPOS, FEATS, HEAD, DEPREL, "
                              "DEPS, MISC.").format(name=name, number=number, count=len(cols), hint=hint))
        word_id = cols[0]
        if "-" in word_id or "." in word_id:  # multiword token range or empty node: not a word of the sentence
            continue
        if not (word_id.isascii() and word_id.isdigit()):
            raise DataError(_("{name}, line {number}: the ID column is {shown}; it must be a word number (1, 2, "
                              "...), a range like 1-2 or an empty node like 1.1.").format(name=name, number=number, shown=shown(word_id)))
        expected = len(words) + 1
        if int(word_id) != expected:
            raise DataError(_("{name}, line {number}: word number {word_id} should be {expected}. Each sentence "
                              "numbers its words from 1, and sentences are separated by an empty line.").format(name=name, number=number, word_id=word_id, expected=expected))
        form, tag = cols[1], cols[3]
        if not form or form.isspace():
            raise DataError(_("{name}, line {number}: the word (FORM column) is empty.").format(name=name, number=number))
        if tag not in UPOS_TAGS:
            raise DataError(_("{name}, line {number}: {shown} is not a Universal POS tag; the UPOS column (4th) "
                              "must be one of ").format(name=name, number=number, shown=shown(tag, 30)) + ", ".join(UPOS_TAGS) + ".")
        if not words:
            first_line = number
        words.append(form)
        upos.append(tag)
        xpos.append(cols[4])
    finish()
    return sentences


def read_conllu(path: str | Path, min_sentences: int = 1) -> list[Sentence]:
    """Read a CoNLL-U file. Raises DataError for a missing, unreadable, non-UTF-8, malformed or too small file."""
    raw = read_user_file(path, MAX_BYTES, what=_("a CoNLL-U file"))
    path = Path(path)
    if b"\x00" in raw[:100_000]:
        raise DataError(_("{name} is not UTF-8 text (it contains NUL bytes: a binary file, or UTF-16). CoNLL-U "
                          "files are UTF-8; re-save the file as UTF-8.").format(name=shown_file(path)))
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(_("{name}, line {line}: not UTF-8 text. CoNLL-U files are UTF-8; re-save the file as UTF-8.").format(name=shown_file(path), line=line)) from None
    sentences = parse_conllu(content, shown_file(path))
    if len(sentences) < min_sentences:
        found = "no sentences" if not sentences else f"only {len(sentences)} sentences"
        raise DataError(_("{name} has {found}; at least {min_sentences} are needed (blocks of word lines separated "
                          "by empty lines).").format(name=shown_file(path), found=found, min_sentences=min_sentences))
    return sentences
