"""The corpora a window keeps cached hold one string per distinct word, not one per occurrence.

A workshop window trains every task in turn and keeps each bundled corpus cached; with a string per occurrence the
sentiment corpus took 12.6 MB and the treebank 5.0 MB (issue 19, item 14: memory that grows with each new task)."""

from __future__ import annotations

from rnnlab.tasks import sentiment, tagging


def _distinct_objects(sequences) -> tuple[int, int]:
    tokens = [t for seq in sequences for t in seq]
    return len({id(t) for t in tokens}), len(set(tokens))


def test_the_sentiment_corpus_holds_each_word_once():
    sentences, _labels = sentiment.load_polarity()
    objects, words = _distinct_objects(sentences)
    assert len(sentences) > 10_000 and objects == words  # 225,829 tokens, one object per distinct word


def test_the_treebank_holds_each_word_and_tag_once():
    loaded = tagging.load_sentences()
    for part in ("words", "upos", "xpos"):
        objects, distinct = _distinct_objects(getattr(s, part) for s in loaded)
        assert objects == distinct, part
