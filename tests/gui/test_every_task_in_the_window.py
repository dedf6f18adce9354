"""Every registered task trains from the window: pick it in the form, press Train, see curves, gates and its view."""

from __future__ import annotations

import pytest

from rnnlab import config, tasks
from rnnlab.app import views
from rnnlab.app.views import MissingView

from helpers import train_to_end

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.mark.parametrize("name", tasks.names())
def test_task_trains_in_the_window_and_shows_its_view(qtbot, window, name):  # noqa: F811
    cfg = config.from_dict({"task": {"name": name}, "model": {"hidden_size": 8},
                            "training": {"steps": 6, "batch_size": 4}})
    w = window(cfg)
    assert train_to_end(qtbot, w) == "finished"
    assert w.trainer.task.name == name and w.trainer.step == 6
    def curve_has_every_step():
        x, _ = w.loss_panel.train_raw.getData()
        return x is not None and len(x) >= 6

    qtbot.waitUntil(curve_has_every_step, timeout=30_000)
    qtbot.waitUntil(lambda: w.view_host.view is not None, timeout=30_000)
    assert not isinstance(w.view_host.view, MissingView)
    assert type(w.view_host.view) is views.view_for(w.view_host.kind)
    assert w.gates_panel.heatmaps  # the gate heatmaps exist for this cell
