"""Every registered task trains from the CLI, saves a run, and reopens with the same predictions."""

import pytest

from rnnlab import tasks
from rnnlab.cli import main
from rnnlab.runs.store import open_run, restore_trainer

pytestmark = pytest.mark.slow  # every test here takes seconds (real training, processes)


@pytest.mark.parametrize("name", tasks.names())
def test_task_trains_from_the_cli_and_reopens(name, tmp_path):
    out = tmp_path / name
    code = main(["train", "--task", name, "--steps", "3", "--quiet", "--out", str(out),
                 "--set", "model.hidden_size=8", "--set", "training.batch_size=4"])
    assert code == 0
    run = open_run(out)
    assert run.config.task.name == name and run.summary["status"] == "finished"
    metric = run.summary["metric"]
    assert metric in run.summary["test"] and run.summary["baselines"]
    assert run.probe is not None and run.probe.step == 3
    restored = restore_trainer(run)
    again = restored._evaluate("test")
    assert again[metric] == pytest.approx(run.summary["test"][metric], rel=1e-4, abs=1e-6)
    view = restored.task.view(restored.model)
    assert isinstance(view.get("kind"), str)
