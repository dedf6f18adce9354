"""A finished sweep folder damaged in each way resumes with exactly the points to run again, or is refused in
one line: a results row cut short, a run that no longer opens, a 2 GB results.csv, a link loop, stale
leftovers, a different sweep file.

Each test failed on the code before its fix (issue 20, commit 7bcfe63); test_surface_properties.py throws
generated inputs at the same boundaries."""

from __future__ import annotations

from functools import partial

import pytest

from rnnlab.errors import ConfigError

from helpers import check_refusal, refused as refused_with, time_limit

refused = partial(refused_with, error=ConfigError, seconds=10.0)  # a sweep file: a config error, at once


# --- sweep folders resumed --------------------------------------------------------------------------------------------

@pytest.fixture
def damaged(finished_sweep, tmp_path):
    """A fresh copy of the finished sweep folder for one test to damage."""
    from helpers import copy_folder

    sw, folder = finished_sweep
    return sw, copy_folder(folder, tmp_path / "sweep")


def to_run(sw, folder) -> list[str]:
    from rnnlab.experiments.folder import SweepFolder

    with time_limit(20):
        return [p.id for p in SweepFolder(folder, sw).open()]


def test_an_intact_sweep_folder_resumes_with_nothing_to_run(damaged):
    assert to_run(*damaged) == []


def test_a_results_row_cut_short_is_run_again(damaged):
    sw, folder = damaged
    results = folder / "results.csv"
    text = results.read_text(encoding="utf-8").rstrip("\n")
    results.write_text(text[: text.rindex(",finished,") + len(",finished,") + 2], encoding="utf-8")
    assert to_run(sw, folder) == [sw.points[-1].id]


@pytest.mark.parametrize("damage", ["truncate weights", "remove summary"])
def test_a_point_whose_run_no_longer_opens_is_run_again(damaged, damage):
    sw, folder = damaged
    run = folder / "runs" / sw.points[0].id
    if damage == "truncate weights":
        with open(run / "weights.safetensors", "r+b") as fh:
            fh.truncate(100)
    else:
        (run / "summary.json").unlink()
    assert to_run(sw, folder) == [sw.points[0].id]


def test_a_2_gb_results_csv_is_refused_in_one_line(damaged):
    from rnnlab.errors import RunError
    from rnnlab.experiments.folder import SweepFolder

    sw, folder = damaged
    with open(folder / "results.csv", "r+b") as fh:
        fh.truncate(2_000_000_000)  # sparse
    with pytest.raises(RunError) as err, time_limit(5):
        SweepFolder(folder, sw).open()
    check_refusal(err.value, "results.csv", folder=str(folder))


def test_a_point_folder_that_is_a_link_loop_is_retrained_and_saved(damaged):
    from helpers import run_inline

    sw, folder = damaged
    run = folder / "runs" / sw.points[1].id
    import shutil

    shutil.rmtree(run)
    run.symlink_to(run.name)  # points at itself
    with time_limit(60):
        runner = run_inline(sw, folder)
    assert runner.folder.counts() == {"finished": 2}
    assert run.is_dir() and not run.is_symlink()


def test_stale_saving_and_old_leftovers_are_removed(damaged):
    from rnnlab.experiments.folder import leftovers

    sw, folder = damaged
    (folder / "runs" / ".cell=gru,seed=0.abc123.saving").mkdir()
    (folder / "runs" / ".cell=gru,seed=0.abc123.saving" / "weights.safetensors").write_bytes(b"half")
    (folder / "runs" / ".cell=gru,seed=0.old-99999").mkdir()
    (folder / ".results.csv.x1y2.tmp").write_text("half")
    (folder / "runs" / ".loop.old-1").symlink_to(".loop.old-1")
    assert len(leftovers(folder)) == 4
    assert to_run(sw, folder) == []
    assert not leftovers(folder)


def test_a_different_sweep_file_into_the_same_folder_is_refused_not_dropped(damaged):
    from helpers import TINY_SWEEP, tiny_sweep

    sw, folder = damaged
    before = (folder / "results.csv").read_bytes()
    other = tiny_sweep(TINY_SWEEP.replace('["rnn_tanh", "gru"]', '["lstm"]'))
    message = refused(lambda: to_run(other, folder), "another sweep", folder=str(folder))
    assert "sweep.toml" in message
    assert (folder / "results.csv").read_bytes() == before
    grown = tiny_sweep(TINY_SWEEP.replace('["rnn_tanh", "gru"]', '["rnn_tanh", "gru", "lstm"]'))
    assert to_run(grown, folder) == [p.id for p in grown.points if "lstm" in p.id]  # a grown sweep goes on
