"""A new task needs only its module (rnnlab/tasks/) and its view (rnnlab/app/views/), plus its export part: for every
registered task, the fresh experiment is valid, a view is registered for what it shows and "Export as script" has
a part to write. (Its exported script reproducing the run is tests/export/test_script_matches_trainer.py, which is
parametrised over the same registry.)"""

from __future__ import annotations

import pytest

from rnnlab import config, tasks
from rnnlab.app import views
from rnnlab.export import parts, render_script
from rnnlab.train.trainer import Trainer

from helpers import configured


@pytest.mark.parametrize("name", tasks.names())
def test_every_task_has_a_valid_fresh_experiment_a_view_and_an_export_part(name):
    fresh = config.experiment(name)  # its suggested settings, validated together
    assert fresh.task.name == name
    for key, value in tasks.get(name).suggested.items():
        section, _sep, field = key.partition(".")
        assert getattr(getattr(fresh, section), field) == value

    trainer = Trainer(configured(name, {"model.hidden_size": 4}, steps=1, batch_size=4, device="cpu"))
    kind = trainer.task.view(trainer.model).get("kind")
    assert views.view_for(kind) is not views.MissingView, f"no view registered for {name}'s {kind!r}"

    assert callable(parts.module(name).build)
    compile(render_script(trainer.cfg), f"train_{name}.py", "exec")


def test_a_task_without_an_export_part_is_refused_by_name():
    with pytest.raises(parts.NoExportPart, match=r"'toy'.*rnnlab/export/parts/toy\.py"):
        parts.module("toy")
    for odd in ("_words", "../script", ""):  # a helper module or a path is not a task's part
        with pytest.raises(parts.NoExportPart):
            parts.module(odd)
