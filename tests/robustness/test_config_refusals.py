"""Configs the rules refuse, each with one line naming the field: a section that is not a table, TOML dates and
huge integers, deep nesting, long values, a FIFO as config, and sizes the rules allow but no machine holds.

Each test failed on the code before its fix (issue 10, checked against commit f6e14a6); the property tests beside this
file throw thousands of generated inputs at the same boundaries."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rnnlab import config
from rnnlab.train.trainer import Trainer

from helpers import refused


# --- 1. the config validator ---------------------------------------------------------------------------------------

def test_a_section_that_is_not_a_table_is_named():
    assert "model" in refused(lambda: config.from_dict({"model": 5}), "model")
    refused(lambda: config.from_dict({"training": [1, 2]}), "training")
    refused(lambda: config.loads("model = 5"), "model")


def test_toml_dates_and_huge_integers_are_refused_by_field():
    refused(lambda: config.loads("[training]\nlearning_rate = 1979-05-27"), "training.learning_rate")
    refused(lambda: config.loads("[model]\ndropout = 07:32:00"), "model.dropout")
    refused(lambda: config.from_dict({"training": {"learning_rate": 10 ** 400}}), "training.learning_rate")
    refused(lambda: config.from_dict({"training": {"max_grad_norm": -(10 ** 309)}}), "training.max_grad_norm")


def test_deep_nesting_in_toml_and_values_is_refused():
    refused(lambda: config.loads("[model]\ncell = " + "[" * 5000 + "]" * 5000), "config", "model.cell")
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    refused(lambda: config.from_dict({"model": {"cell": deep}}), "model.cell")


def test_a_long_value_is_cut_in_the_message():
    text = refused(lambda: config.from_dict({"model": {"cell": "x" * 44_000}}), "model.cell")
    assert text.count("x") < 100
    refused(lambda: config.from_dict({"model": {"y" * 5000: 1}}), "model.")


def test_a_fifo_as_config_is_refused_at_once(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    refused(lambda: config.load(fifo), "config.toml", folder=str(tmp_path), seconds=2)


# --- 3. sizes the rules allow but no machine holds ----------------------------------------------------------------

def test_a_config_too_large_for_memory_is_refused_before_allocating():
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 2000}},
                            "training": {"batch_size": 65536}})
    text = refused(lambda: Trainer(cfg), "training.batch_size", seconds=30)
    assert "GiB" in text


@pytest.mark.slow
def test_an_allocation_failure_is_explained_not_a_traceback(tmp_path):
    """Under a 2 GiB address-space limit, a config the estimate lets through (1.2 GiB: it counts physical memory)
    fails to allocate at its first step: the CLI says so in one line and exits 2."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30)); "
            "from rnnlab.cli import main; sys.exit(main(sys.argv[1:]))")
    argv = [sys.executable, "-c", code, "train", "--task", "adding", "--set", "task.length=1000",
            "--set", "training.batch_size=1024", "--steps", "2", "--quiet", "--out", str(tmp_path / "r")]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Out of memory" in proc.stderr and "training.batch_size" in proc.stderr
