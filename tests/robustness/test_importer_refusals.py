"""The importers (CSV series, char-LM text, CoNLL-U) refuse bad files by name and without reading them whole:
NUL bytes, Unicode digits, CSV field limits and CR-only line ends, devices and FIFOs, files too large, data
that blows the loss up.

Each test failed on the code before its fix (issue 10, checked against commit f6e14a6); the property tests beside this
file throw thousands of generated inputs at the same boundaries."""

from __future__ import annotations

import os
from pathlib import Path

from rnnlab import config
from rnnlab.data.chartext import load_text
from rnnlab.data.conllu import read_conllu
from rnnlab.data.series import load_csv
from rnnlab.train.trainer import Trainer

from helpers import csv_file, refused


# --- 5. the importers -------------------------------------------------------------------------------------------------

def test_nul_bytes_in_paths_and_data(tmp_path):
    refused(lambda: load_csv("bad\x00.csv"), "bad")
    refused(lambda: load_text(path="bad\x00.txt"), "bad")
    refused(lambda: read_conllu("bad\x00.conllu"), "bad")
    path = tmp_path / "nul.csv"
    path.write_bytes(b"t,v\n" + b"".join(b"%d,%d\x00\n" % (i, i) for i in range(30)))
    refused(lambda: load_csv(path), "nul.csv")


def test_unicode_digits_in_a_column_number_and_a_word_id(tmp_path):
    path = csv_file(tmp_path, "t,v\n" + "\n".join(f"{i},{i}" for i in range(30)))
    refused(lambda: load_csv(path, "²"), "²")
    refused(lambda: load_csv(path, "①"), "①")
    conllu = tmp_path / "x.conllu"
    conllu.write_text("²\tword\t_\tNOUN\tNN\t_\t0\troot\t_\t_\n\n", encoding="utf-8")
    refused(lambda: read_conllu(conllu), "x.conllu, line 1")


def test_csv_field_limit_and_cr_only_line_ends(tmp_path):
    path = csv_file(tmp_path, "t,v\n" + '1,"' + "x" * 200_000 + '"\n')
    refused(lambda: load_csv(path), "data.csv")
    cr = csv_file(tmp_path, "t,v\r" + "\r".join(f"{i},{i * 2}" for i in range(30)), "cr.csv")
    assert load_csv(cr).values[5] == 10


def test_char_lm_on_a_short_text_has_a_probe_of_equal_rows(tmp_path):
    text = tmp_path / "short.txt"
    text.write_text("abcdefghij\n" * 60)
    cfg = config.from_dict({"task": {"name": "charlm", "options": {"text_path": str(text)}},
                            "model": {"hidden_size": 8}, "training": {"tbptt": 8, "batch_size": 2, "steps": 2}})
    trainer = Trainer(cfg)
    assert trainer.probe_length == len(trainer.task.data["val"]) - 1
    list(trainer.run())


def test_devices_and_fifos_are_refused_without_reading(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for load in (load_csv, lambda p: load_text(path=str(p)), read_conllu):
        for path in ("/dev/zero", "/dev/urandom", fifo):
            refused(lambda: load(path), str(Path(path).name), seconds=2)


def test_a_csv_too_large_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(200_000_000)  # sparse: no disk used
    text = refused(lambda: load_csv(big), "big.csv", folder=str(tmp_path))
    assert "MB" in text


def test_huge_or_constant_values_are_blamed_on_the_data_not_the_rate(tmp_path):
    huge = csv_file(tmp_path, "t,v\n" + "\n".join(f"{i},{1e200 * (1 + (i % 7) / 10)!r}" for i in range(60)), "h.csv")
    flat = csv_file(tmp_path, "t,v\n" + "\n".join(f"{i},5" for i in range(60)), "c.csv")
    for path, words in ((huge, "too large"), (flat, "constant")):
        options = {"dataset": "csv", "csv_path": str(path)}
        text = refused(lambda: config.from_dict({"task": {"name": "forecast", "options": options}}), "task.csv_path")
        assert words in text
