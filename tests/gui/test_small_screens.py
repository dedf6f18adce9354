"""Small screens and projectors: at 1024x768 and 130 % zoom every plot keeps room, nothing is cut, the form
steps aside by itself and the zoom is kept for the next start (issue 9 item 6, issue 19 item 8)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from helpers import TIMEOUT, configured, shown, train_to_end
from test_main_window import small

pytestmark = pytest.mark.gui


# --- item 8: a projector, 1024x768 at 130 % -------------------------------------------------------------------------


def preview_title_size(w) -> str:
    plot = w.panel._preview_widget
    return plot.getPlotItem().titleLabel.opts.get("size", "")


@pytest.mark.slow
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


def test_zoom_for_a_projector_and_the_char_lm_layout_at_1024x768(qtbot, window):
    from rnnlab.app import theme
    from rnnlab.app.main_window import MainWindow

    w = window(small(task="charlm"))
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.view_host.kind == "charlm", timeout=TIMEOUT)
    base = w.panel.editor("model.hidden_size").fontInfo().pointSizeF()
    for zoom in (1.0, 1.3):
        QApplication.processEvents()
        # The loss plots keep a usable width beside the char-LM view (it took all but 85 px before).
        # (85 px wide before; at 130 % the form and the view need more of the 1024 px.)
        assert w.loss_panel.width() >= (250 if zoom == 1.0 else 200) and w.loss_panel.height() >= 250, (
            zoom, w.loss_panel.size(), w.panel.width(), w.view_host.minimumSizeHint(), w.width(), w.top.sizes())
        # Tabbing through the form never slides it sideways, and nothing is cut on the right.
        bar = w.panel.scroll.horizontalScrollBar()
        for field in w.panel._fields.values():
            field.editor.setFocus()
            w.panel.scroll.ensureWidgetVisible(field.editor)
            QApplication.processEvents()
            assert bar.value() == 0
        assert w.panel.body.width() <= w.panel.scroll.viewport().width()
        if zoom == 1.0:
            w.act_zoom_in.trigger()  # 115 %
            w.act_zoom_in.trigger()  # 130 %
            assert theme.zoom() == 1.3
    assert w.panel.editor("model.hidden_size").fontInfo().pointSizeF() == pytest.approx(base * 1.3, abs=0.6)
    assert w.loss_panel.loss.getAxis("left").label.font().pointSizeF() >= base * 1.2 or \
        f"{theme.font_size()}pt" in w.loss_panel.loss.getAxis("left").labelStyle.get("font-size", "")
    again = MainWindow(small())  # the zoom is kept for the next start
    qtbot.addWidget(again)
    assert theme.zoom() == 1.3
    again.ask_before_discarding(False)
    again.act_zoom_reset.trigger()
    assert theme.zoom() == 1.0
    again.close()


def test_at_1024x768_and_130_percent_both_loss_plots_keep_a_readable_plot_area(qtbot, window):
    """The char-LM view leaves the loss panel ~280 px: its legends wrapped to four and three lines and left the plots
    30-45 px tall, 5 px once the baselines joined the legend. Legends beside their titles, brackets dropped before
    wrapping, and the room the panel asks the splitter for (up to 62 %) keep both at 60 px or more (84 and 76 before
    training, 75 and 67 after it; the Gates tab below keeps 235 px)."""
    from rnnlab.app import theme
    from rnnlab.app.form.experiment_panel import default_config, with_task

    cfg = with_task(default_config(), "charlm").replace("training.steps", 4).replace("training.eval_every", 2)
    w = window(cfg)
    w.resize(1024, 768)
    qtbot.waitUntil(lambda: w.view_host.kind == "charlm", timeout=TIMEOUT)
    try:
        w.set_zoom(1.3)
        qtbot.waitUntil(lambda: not w.experiment_dock.isVisible(), timeout=5_000)  # hidden by itself (issue 19)
        for trained in (False, True):
            if trained:
                train_to_end(qtbot, w)
            qtbot.wait(300)  # the legends re-wrap to the new widths, the plots take what is left
            panel = w.loss_panel
            heights = {name: p.getViewBox().height() for name, p in (("loss", panel.loss),
                                                                     ("metric", panel.metric_plot))}
            assert min(heights.values()) >= 60, (trained, heights, panel.size(), w.split.sizes())
            assert w.height() == 768 and not w.experiment_dock.isVisible()  # the form gave the plots its room
            assert w.split.sizes()[1] >= 0.35 * sum(w.split.sizes())  # the Gates tab is not crushed for it
    finally:
        w.set_zoom(1.0)
    assert theme.zoom() == 1.0
