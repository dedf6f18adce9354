"""Property tests of the three importers (CSV series, plain text, CoNLL-U) with generated files.

Each importer gets 500 files: a fifth arbitrary bytes, the rest near-valid files as people have them (delimiters,
decimal commas, headers, dates, gaps, quotes, BOMs, CR line ends) with damage mixed in (text cells, NUL bytes,
Unicode digits, ragged rows, overlong cells, bad tags). Invariant: a valid result or a DataError whose one-line
message, under 300 characters, names the file; every case under a time limit."""

from __future__ import annotations

import math
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rnnlab.data.chartext import CharVocab, load_text
from rnnlab.data.conllu import UPOS_TAGS, read_conllu
from rnnlab.data.series import MIN_ROWS, load_csv
from rnnlab.errors import DataError

from helpers import check_refusal, time_limit

pytestmark = pytest.mark.slow  # every test here takes seconds

CASE_SECONDS = 5.0
COMMON = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
FOLDER = Path(tempfile.mkdtemp(prefix="rnnlab-importers-"))

JUNK = ["", "NA", "x", "1,5", "1.234,5", "²", "①", "٣", "\x00", "inf", "nan", "-", "1e999", "1_0", " 7 ", '"',
        "a\nb", "9" * 200_000, "1e308", "—", "\ufeff1"]
LABELS = {"month": lambda i: f"{1950 + i // 12}-{i % 12 + 1:02d}",
          "day": lambda i: f"{i % 28 + 1:02d}.{i // 28 % 12 + 1:02d}.2001",
          "week": lambda i: f"2001-W{i}", "quarter": lambda i: f"{1990 + i // 4}Q{i % 4 + 1}",
          "year": lambda i: str(1800 + i), "index": str}


def csv_text(rng: random.Random) -> str:
    """A time-series table as spreadsheets write them, with a few cells damaged now and then."""
    delimiter = rng.choice([",", ";", "\t", "|"])
    comma = delimiter != "," and rng.random() < 0.5
    cols = rng.randint(1, 4)
    label = LABELS[rng.choice(sorted(LABELS))]
    scale = rng.choice([1.0, 1e-3, 1e6, 1e150, 0.0])
    lines = []
    if rng.random() < 0.6:
        lines.append(delimiter.join(rng.choice(["date", "value", "a b", "", "²", "Sales (€)"]) for _ in range(cols)))
    for i in range(rng.choice([0, 5, 23, 24, 30, 60, 80])):
        cells = [label(i)]
        for c in range(cols - 1):
            v = scale * (100 + 10 * math.sin(i / 3 + c) + i)
            cells.append(f"{v:.2f}".replace(".", ",") if comma else repr(v))
        lines.append(delimiter.join(cells))
    for _ in range(rng.choice([0, 0, 0, 1, 3])):  # damage
        if lines:
            at = rng.randrange(len(lines))
            cells = lines[at].split(delimiter)
            cells[rng.randrange(len(cells))] = rng.choice(JUNK)
            lines[at] = delimiter.join(cells) if rng.random() < 0.7 else delimiter.join(cells[:-1])
    return rng.choice(["\n", "\r\n", "\r"]).join(lines)


near_valid_csv = st.tuples(st.integers(0, 2**32), st.sampled_from(["utf-8", "utf-8-sig", "utf-8", "latin-1",
                                                                    "utf-16"])).map(
    lambda t: csv_text(random.Random(t[0])).encode(t[1], errors="replace"))
csv_bytes = st.one_of(st.binary(max_size=2000), near_valid_csv, near_valid_csv, near_valid_csv, near_valid_csv)


def write(name: str, data: bytes) -> Path:
    path = FOLDER / name
    path.write_bytes(data)
    return path


@settings(max_examples=500, **COMMON)
@given(csv_bytes, st.sampled_from(["", "", "", "2", "1", "value", "²", "0", "99"]))
def test_generated_csv_files(data, column):
    path = write("series.csv", data)
    with time_limit(CASE_SECONDS):
        try:
            series = load_csv(path, column)
        except DataError as exc:
            check_refusal(exc, "series.csv", folder=str(FOLDER))
            event("refused")
            return
    event("accepted")
    assert len(series.values) >= MIN_ROWS and np.isfinite(series.values).all()
    assert len(series.labels) == len(series.values) and series.period >= 1


@st.composite
def text_bytes(draw) -> bytes:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(st.binary(max_size=3000))
    text = draw(st.text(min_size=0, max_size=3000))
    if kind == 1:  # prose-like
        text = "\n".join(draw(st.lists(st.sampled_from(["ROMEO: What light", "To be, or not", "", "— 你好 ①",
                                                        "\ufeffBOM", "tab\tbed", "\r\nline"]), max_size=200)))
    if kind == 2:  # many distinct characters
        text = "".join(chr(0x4E00 + i) for i in range(draw(st.integers(0, 2000))))
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])), errors="replace")


@settings(max_examples=500, **COMMON)
@given(text_bytes())
def test_generated_text_files(data):
    path = write("text.txt", data)
    with time_limit(CASE_SECONDS):
        try:
            text, title = load_text(path=str(path))
            vocab = CharVocab.from_text(text, title) if text else None
        except DataError as exc:
            check_refusal(exc, "text.txt", folder=str(FOLDER))
            event("refused")
            return
    event("accepted")
    assert isinstance(text, str) and title == "text.txt"
    if vocab is not None:
        assert vocab.decode(vocab.encode_corpus(text)) == text


BAD_IDS = ["²", "①", "x", "", "1.1", "3", "0", "٣", "1-2"]
ODD_FORMS = ["", " ", "ü", "①", "\x00", "a b", "#", "_", "\ufeff"]


def conllu_text(rng: random.Random) -> str:
    """Sentences of word lines, each damaged with a small chance: columns cut, a bad ID or tag, spaces for tabs,
    a multiword token before it, an odd form."""
    lines = []
    for s in range(rng.randint(0, 6) or rng.randint(0, 1)):
        if rng.random() < 0.5:
            lines.append(f"# sent_id = s{s}")
        for w in range(1, rng.randint(1, 8) + 1):
            tag = rng.choice(UPOS_TAGS) if rng.random() < 0.99 else rng.choice(["NOUNS", "", "noun", "²"])
            form = "word" if rng.random() < 0.98 else rng.choice(ODD_FORMS)
            cols = [str(w), form, "lemma", tag, "NN", "_", "0", "root", "_", "_"]
            damage = rng.randrange(150)
            if damage == 0:
                cols = cols[: rng.randint(1, 9)]
            elif damage == 1:
                cols[0] = rng.choice(BAD_IDS)
            elif damage == 2:
                lines.append(f"{w}-{w + 1}\tdon't\t_\t_\t_\t_\t_\t_\t_\t_")
            lines.append((" " if damage == 3 else "\t").join(cols))
        lines.append("" if rng.random() < 0.95 else "   ")
    return rng.choice(["\n", "\r\n", "\r"]).join(lines)


near_valid_conllu = st.tuples(st.integers(0, 2**32), st.sampled_from(["utf-8", "utf-8-sig", "utf-8", "utf-16"])).map(
    lambda t: conllu_text(random.Random(t[0])).encode(t[1], errors="replace"))
conllu_bytes = st.one_of(st.binary(max_size=2000), st.text(max_size=300).map(str.encode),
                         near_valid_conllu, near_valid_conllu, near_valid_conllu)


@settings(max_examples=500, **COMMON)
@given(conllu_bytes)
def test_generated_conllu_files(data):
    path = write("tree.conllu", data)
    with time_limit(CASE_SECONDS):
        try:
            sentences = read_conllu(path, min_sentences=1)
        except DataError as exc:
            check_refusal(exc, "tree.conllu", folder=str(FOLDER))
            event("refused")
            return
    event("accepted")
    assert sentences and all(len(s.words) == len(s.upos) == len(s.xpos) > 0 for s in sentences)
    assert all(tag in UPOS_TAGS for s in sentences for tag in s.upos)


@pytest.mark.parametrize("bad", ["line\nbreak", "carriage\rreturn", "tab\there", "sep\u2028arator"])
def test_a_file_name_with_a_line_break_is_named_on_one_line(tmp_path, bad):
    """A refused file is named in one line, whatever characters its name holds (found by the hostile export test:
    a CSV named with a newline gave a two-line refusal)."""
    folder = tmp_path / f"in {bad}"
    folder.mkdir()
    csv, text, conllu = folder / f"{bad}.csv", folder / f"{bad}.txt", folder / f"{bad}.conllu"
    csv.write_text("time,v\n" + "".join(f"{i},x{i}\n" for i in range(20)), encoding="utf-8")
    text.write_bytes(b"NUL\x00bytes")
    conllu.write_bytes(b"1\tw\xff\t_\tNOUN\t_\t_\t0\troot\t_\t_\n\n")  # not UTF-8
    attempts = [lambda: load_csv(str(csv), "v"), lambda: load_text(path=str(text)),
                lambda: read_conllu(str(conllu)), lambda: load_csv(str(folder / f"{bad} gone.csv"), "v"),
                lambda: load_csv(str(folder), "v")]
    for attempt in attempts:
        with pytest.raises(DataError) as refused:
            attempt()
        assert "\\" in check_refusal(refused.value)  # the character shown escaped
