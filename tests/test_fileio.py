"""Atomic writes leave an ordinary file: the old one or the new one, readable like any other (not private).

The mode comes from the umask read once (`fileio.UMASK`): setting the umask to read it is process-wide, and a helper
thread creating a folder at that moment would get the wrong mode, so nothing flips it per file."""

import os
import stat
import subprocess
import sys

import pytest

from rnnlab import fileio
from rnnlab.fileio import atomic_write, ordinary_mode


def test_atomic_write_gives_the_permissions_of_an_ordinary_file(tmp_path):
    target = tmp_path / "results.csv"
    atomic_write(target, "a,b\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~fileio.UMASK  # mkstemp alone would leave 0o600
    atomic_write(target, b"c\n")
    assert target.read_bytes() == b"c\n" and stat.S_IMODE(target.stat().st_mode) == 0o666 & ~fileio.UMASK
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_the_umask_is_read_as_the_process_has_it(mask):
    code = ("import os, sys; os.umask(int(sys.argv[1], 8)); from rnnlab import fileio; "
            "print(oct(fileio.UMASK), oct(fileio.ordinary_mode()), oct(fileio.ordinary_mode(folder=True)), "
            "oct(os.umask(0)))")
    out = subprocess.run([sys.executable, "-c", code, oct(mask)], capture_output=True, text=True, check=True).stdout
    assert out.split() == [oct(mask), oct(0o666 & ~mask), oct(0o777 & ~mask), oct(mask)]  # and left as it was


def test_writing_files_never_sets_the_umask(tmp_path, monkeypatch):
    from rnnlab.runs.store import open_run, save_run
    from rnnlab.train.trainer import Trainer

    from helpers import configured

    trainer = Trainer(configured("adding", {"task.length": 6, "model.hidden_size": 4}, steps=2, batch_size=4))
    for _snap in trainer.run():
        pass

    def flip(mask):
        raise AssertionError("os.umask was called: it changes the mask for every thread of the process")

    monkeypatch.setattr(os, "umask", flip)
    atomic_write(tmp_path / "a.txt", "x")
    run = save_run(trainer, tmp_path / "run")
    assert stat.S_IMODE(run.stat().st_mode) == ordinary_mode(folder=True)
    assert all(stat.S_IMODE(f.stat().st_mode) == ordinary_mode() for f in run.iterdir())
    assert open_run(run).config == trainer.cfg
