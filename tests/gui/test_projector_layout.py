"""A projector: at 1024x768 and 130 % zoom every plot keeps room, nothing is cut and the form steps aside by itself
(issue 19's workshop item 8; the char-LM layout at that size is in test_window_trust.py)."""

from __future__ import annotations

import pytest

from helpers import configured, shown, train_to_end

pytestmark = [pytest.mark.gui, pytest.mark.slow]


# --- item 8: a projector, 1024x768 at 130 % -------------------------------------------------------------------------


def preview_title_size(w) -> str:
    plot = w.panel._preview_widget
    return plot.getPlotItem().titleLabel.opts.get("size", "")


def test_at_1024x768_and_130_percent_every_plot_keeps_room_and_nothing_is_cut(qtbot, window):
    from rnnlab.app import theme

    w = window(configured("forecast", {"model.hidden_size": 8, "training.steps": 30}))
    w.resize(1024, 768)
    qtbot.wait(50)
    title_100 = preview_title_size(w)
    try:
        w.set_zoom(1.15)
        w.set_zoom(1.3)  # View > Zoom in, twice
        qtbot.waitUntil(lambda: not w.experiment_dock.isVisible(), timeout=5_000)
        said = shown(w.message_bar.text) + w.statusBar().currentMessage()
        assert "Ctrl+E" in said, said
        assert train_to_end(qtbot, w) == "finished"
        w.tabs.setCurrentIndex(1)  # the Gradients tab
        w.scheduler.refresh(force=True)
        qtbot.wait(100)
        heights = {"norms": w.grad_panel.plot.vb.height(), "per step": w.gradtime_panel.line.vb.height(),
                   "history": w.gradtime_panel.heat_plot.vb.height()}
        assert min(heights.values()) >= 80, heights
        # The forecast view lies wholly inside the window, its title and plot not cut at the right.
        view = w.view_host
        right = view.mapTo(w, view.rect().topRight()).x()
        assert right <= w.width(), (right, w.width())
        # The status bar's fields show their whole text.
        for key, label in w.fields.labels.items():
            assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), (key, label.text())
        # Shown again by hand, the form stays: the window decided once for this size and zoom.
        w.experiment_dock.show()
        w.resize(1024, 768)
        qtbot.wait(50)
        assert w.experiment_dock.isVisible()
    finally:
        w.set_zoom(1.0)  # Reset zoom
    assert theme.zoom() == 1.0
    assert preview_title_size(w) == title_100  # the form's preview title back to its size


# --- 6. small screens and projectors ---------------------------------------------------------------------------------
