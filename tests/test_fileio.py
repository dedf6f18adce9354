"""Atomic writes leave an ordinary file: the old one or the new one, readable like any other (not private)."""

import os
import stat

from rnnlab.fileio import atomic_write


def test_atomic_write_gives_the_permissions_of_an_ordinary_file(tmp_path):
    umask = os.umask(0o022)
    try:
        target = tmp_path / "results.csv"
        atomic_write(target, "a,b\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644  # mkstemp alone would leave 0o600
        atomic_write(target, b"c\n")
        assert target.read_bytes() == b"c\n" and stat.S_IMODE(target.stat().st_mode) == 0o644
        assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]
    finally:
        os.umask(umask)
