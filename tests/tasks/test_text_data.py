"""The shared word pipeline: tokenizer, vocabulary built on training data only, padding, splits, CoNLL-U reading."""

from __future__ import annotations

import pytest

from rnnlab.data.conllu import parse_conllu, read_conllu
from rnnlab.data.text import (PAD, SHAPE_TOKENS, UNK, build_vocabulary, pad_batch, split_indices, tokenize,
                              word_shape)
from rnnlab.errors import DataError


def test_tokenize_splits_punctuation_and_keeps_contractions():
    assert tokenize("It\u2019s not BAD... but co-writer/director \"dull\"!! 3.5 stars") == [
        "it's", "not", "bad", "...", "but", "co-writer", "/", "director", '"', "dull", '"', "!!", "3.5", "stars"]


def test_tokenize_matches_the_polarity_files_own_tokens():
    line = "the rock is destined to be the 21st century's new \" conan \" and that he's going to make a splash ."
    assert tokenize(line) == line.split()


def test_tokenize_splits_clitics_like_the_treebank():
    assert tokenize("I can't say it's Today's", lowercase=False, split_clitics=True) == [
        "I", "ca", "n't", "say", "it", "'s", "Today", "'s"]


def test_vocabulary_ids_sizes_and_unknown_words():
    train = [["the", "cat", "sat"], ["the", "dog", "sat"], ["the", "cat"]]
    vocab = build_vocabulary(train, max_size=10, min_freq=1)
    assert vocab.tokens[:2] == ("<pad>", "<unk>") and PAD == 0 and UNK == 1
    # most frequent first, ties alphabetical
    assert vocab.tokens[2:] == ("the", "cat", "sat", "dog")
    assert vocab.encode(["the", "bird", "dog"]) == [2, UNK, 5]
    assert vocab.decode([2, 1, 0]) == ["the", "<unk>", "<pad>"]
    assert len(build_vocabulary(train, max_size=4)) == 4  # <pad>, <unk>, the, cat
    assert build_vocabulary(train, max_size=10, min_freq=2).tokens[2:] == ("the", "cat", "sat")
    # the same words in another order give the same ids
    assert build_vocabulary(train[::-1], max_size=10).tokens == vocab.tokens


def test_vocabulary_shapes_for_unknown_words():
    vocab = build_vocabulary([["The", "cat"]], max_size=100, shapes=True, lowercase=True)
    assert vocab.tokens[2:2 + len(SHAPE_TOKENS)] == SHAPE_TOKENS
    assert vocab.id("THE") == vocab.id("the")
    assert vocab.decode([vocab.id("Paris")]) == ["<unk-Cap>"]
    assert vocab.decode([vocab.id("walking")]) == ["<unk-ing>"]
    assert vocab.decode([vocab.id("1,200")]) == ["<unk-num>"]
    assert vocab.decode([vocab.id("zzz")]) == ["<unk>"]
    assert word_shape("well-known") == "<unk-hyphen>" and word_shape("quickly") == "<unk-ly>"
    assert vocab.num_special == 2 + len(SHAPE_TOKENS)


def test_pad_batch_pads_with_zero_and_returns_lengths():
    x, lengths = pad_batch([[5, 6, 7], [8]])
    assert x.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert lengths.tolist() == [3, 1]
    y, _ = pad_batch([[1, 2], [3]], pad_value=-100)
    assert y.tolist() == [[1, 2], [3, -100]]
    with pytest.raises(ValueError):
        pad_batch([[1], []])


def test_split_indices_is_a_fixed_partition():
    parts = split_indices(101, (0.8, 0.1, 0.1), seed=3)
    assert [len(p) for p in parts] == [81, 10, 10]
    assert sorted(i for p in parts for i in p) == list(range(101))
    assert parts == split_indices(101, (0.8, 0.1, 0.1), seed=3)
    assert parts != split_indices(101, (0.8, 0.1, 0.1), seed=4)


CONLLU = """# sent_id = a
# text = Don't go.
1-2\tDon't\t_\t_\t_\t_\t_\t_\t_\t_
1\tDo\tdo\tAUX\tVB\t_\t3\taux\t_\t_
2\tn't\tnot\tPART\tRB\t_\t3\tadvmod\t_\t_
3\tgo\tgo\tVERB\tVB\t_\t0\troot\t_\t_
3.1\tgo\tgo\tVERB\tVB\t_\t_\t_\t_\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

# sent_id = b
1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_
"""


def test_parse_conllu_skips_multiword_tokens_and_empty_nodes():
    sents = parse_conllu(CONLLU)
    assert [s.words for s in sents] == [("Do", "n't", "go", "."), ("Hi",)]
    assert sents[0].upos == ("AUX", "PART", "VERB", "PUNCT")
    assert sents[0].xpos == ("VB", "RB", "VB", ".")
    assert [s.sent_id for s in sents] == ["a", "b"]


@pytest.mark.parametrize("line, message", [
    ("1 Hi hi INTJ UH _ 0 root _ _", "line 2: expected 10 tab-separated columns, found 1 (the columns must be "
                                     "separated by tabs"),
    ("1\tHi\thi\tWORD\tUH\t_\t0\troot\t_\t_", "line 2: 'WORD' is not a Universal POS tag"),
    ("x\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_", "line 2: the ID column is 'x'"),
    ("2\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_", "line 2: word number 2 should be 1"),
])
def test_parse_conllu_names_the_bad_line(line, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_conllu("# text = x\n" + line + "\n", "my.conllu")


def test_read_conllu_file_errors(tmp_path):
    with pytest.raises(DataError, match="cannot read .*missing.conllu"):
        read_conllu(tmp_path / "missing.conllu")
    latin = tmp_path / "latin.conllu"
    latin.write_bytes(b"1\tCaf\xe9\tx\tNOUN\tNN\t_\t0\troot\t_\t_\n")
    with pytest.raises(DataError, match="latin.conllu, line 1: not UTF-8"):
        read_conllu(latin)
    empty = tmp_path / "empty.conllu"
    empty.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(DataError, match="empty.conllu has no sentences"):
        read_conllu(empty)
    good = tmp_path / "good.conllu"
    good.write_text(CONLLU, encoding="utf-8")
    assert len(read_conllu(good)) == 2
    with pytest.raises(DataError, match="only 2 sentences; at least 30"):
        read_conllu(good, min_sentences=30)


def test_bundled_treebank_reads_2001_sentences():
    from rnnlab.tasks.tagging import bundled_path

    sents = read_conllu(bundled_path())
    assert len(sents) == 2001
    assert all(len(s.words) == len(s.upos) > 0 for s in sents)
