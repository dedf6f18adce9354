"""File > Export on the real window, offscreen: every plot type to PNG, SVG and CSV, the dialog's defaults, the
plots' context menu, Ctrl+C on a plot, the whole window at twice its size, and the experiment as a script."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QImage

from rnnlab.app.output import export as ex
from rnnlab.app.output.export_dialog import ExportDialog, copy_focused_plot, open_export_dialog, start_script_export
from rnnlab.app.main_window import MainWindow, settings

from helpers import configured

pytestmark = [pytest.mark.gui, pytest.mark.slow]
TIMEOUT = 60_000
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def trained(qtbot, tmp_path, monkeypatch):
    """A window that trained the adding task for a few steps, its plots drawn (Gates tab and Gradients tab)."""
    settings().clear()
    monkeypatch.setenv("HOME", str(tmp_path))  # the dialog starts in the home folder until it remembers one
    cfg = configured("adding", {"task.length": 12, "model.hidden_size": 6, "model.cell": "lstm"},
                     steps=25, batch_size=8, eval_every=5, probe_every=5)
    w = MainWindow(cfg)
    w.ask_before_discarding(False)  # settings().clear() above turned the unsaved-run question back on
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    assert w.wait_ready(30)
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT):
        assert w.start_training()
    qtbot.wait(300)
    yield w
    w.close()


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()  # parses as XML
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def all_plots(qtbot, w) -> list[ex.Choice]:
    """Every plot of the window: the top panels and both tabs."""
    found = {}
    for index in range(w.tabs.count()):
        w.tabs.setCurrentIndex(index)
        qtbot.wait(200)
        for c in ex.plot_choices(w):
            found.setdefault(id(c.target), c)
    return list(found.values())


def test_every_plot_exports_to_png_svg_and_csv(qtbot, trained, tmp_path):
    choices = all_plots(qtbot, trained)
    kinds = {("heatmap" if any(isinstance(i, pg.ImageItem) for i in c.target.items) else "curves")
             for c in choices}
    assert kinds == {"heatmap", "curves"} and len(choices) >= 12
    for n, c in enumerate(choices):
        # the plot must be on screen to be drawn: show its tab
        for index in range(trained.tabs.count()):
            if trained.tabs.widget(index).isAncestorOf(c.target.getViewWidget()):
                trained.tabs.setCurrentIndex(index)
        base = ex.logical_size(c.target)
        png = tmp_path / f"{n}.png"
        ex.export(c, png, "png")  # default: twice the size on screen
        image = QImage(str(png))
        assert (image.width(), image.height()) == (2 * base.width(), 2 * base.height()), c.label
        ex.export(c, png, "png", size=QSize(1000, 600), white=False)
        image = QImage(str(png))
        assert (image.width(), image.height()) == (1000, 600)
        assert image.pixelColor(0, 0).alpha() == 0  # transparent corner without the white background
        svg = tmp_path / f"{n}.svg"
        ex.export(c, svg, "svg")
        title = ex.plot_title(c.target)
        if title:
            assert title in " ".join(svg_texts(svg)), (c.label, svg_texts(svg)[:5])  # a long title wraps
        header, rows = ex.plot_table(c.target)
        if not rows:
            continue
        path = tmp_path / f"{n}.csv"
        ex.export(c, path, "csv")
        with open(path, newline="") as fh:
            table = list(csv.reader(fh))
        assert table[0] == header and len(table) - 1 == len(rows)
        assert not any(h.startswith("y") and h[1:].isdigit() for h in header[1:]) or "probe" in c.label, header


def test_csv_columns_are_named_like_metrics_csv_at_full_precision(trained, tmp_path):
    loss = next(c for c in ex.plot_choices(trained) if c.label == "Plot: Loss")
    ex.export(loss, tmp_path / "loss.csv", "csv")
    with open(tmp_path / "loss.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["step", "train_loss", "train_loss_smoothed", "val_loss"]
    assert len(rows) == 26  # step 0 (validation only) and steps 1..25
    history = trained.trainer.history
    assert [float(r["train_loss"]) for r in rows[1:]] == list(history.column("train_loss")[1:])
    gate = next(c for c in ex.plot_choices(trained) if c.label == "Plot: forget gate f")
    header, rows = ex.plot_table(gate.target)
    assert header == ["t", "unit", "value"] and len(rows) == 12 * 6  # time steps x units


def test_gradient_through_time_history_has_its_probe_steps(qtbot, trained):
    trained.tabs.setCurrentIndex(1)
    qtbot.wait(300)
    history = next(c for c in ex.plot_choices(trained) if c.label.startswith("Plot: History"))
    header, rows = ex.plot_table(history.target)
    assert header == ["t", "training_step", "value"]
    steps = sorted({r[1] for r in rows})
    assert steps == sorted(set(trained.data.probe_steps)) and 25 in steps


def test_dialog_names_the_file_after_what_is_shown_and_remembers_the_folder(qtbot, trained, tmp_path):
    dialog = open_export_dialog(trained)
    qtbot.addWidget(dialog)
    labels = [dialog.what.itemText(i) for i in range(dialog.what.count())]
    assert "Plot: Loss" in labels and "Tab: Gates" in labels and labels[-1] == "The whole window"
    dialog.what.setCurrentIndex(labels.index("Plot: Loss"))
    assert dialog.path.text() == str(tmp_path / "adding-lstm-loss.png")
    out = tmp_path / "figures"
    out.mkdir()
    dialog.path.setText(str(out / "my-loss.png"))
    dialog._name_edited("")
    dialog.scale.setCurrentIndex(dialog.scale.count() - 1)  # custom size: the height follows the width
    dialog.width_box.setValue(1600)
    base = ex.logical_size(dialog.choice.target)
    assert dialog.height_box.value() == round(1600 * base.height() / base.width())
    assert dialog.export() is not None
    assert QImage(str(out / "my-loss.png")).size() == QSize(1600, dialog.height_box.value())
    assert "my-loss.png" in trained.statusBar().currentMessage()
    again = open_export_dialog(trained)
    qtbot.addWidget(again)
    again.what.setCurrentIndex(labels.index("Plot: Loss"))
    again.select_format("svg")
    assert again.path.text() == str(out / "adding-lstm-loss.svg")  # the last folder, remembered
    again.what.setCurrentIndex(labels.index("Tab: Gates"))
    assert not again.format_buttons.button(2).isEnabled()  # CSV is one plot's data


def test_context_menu_export_opens_rnnlabs_dialog_on_that_plot(qtbot, trained):
    target = next(c.target for c in ex.plot_choices(trained) if c.label == "Plot: forget gate f")
    scene = target.scene()
    scene.contextMenuItem = target.vb  # what pyqtgraph records when the menu opens over the plot
    export_entry = scene.contextMenu[0]
    assert export_entry.text().startswith("Export")
    export_entry.trigger()  # the menu entry itself, as connected when the scene was made
    dialogs = [w for w in trained.findChildren(ExportDialog)]
    assert len(dialogs) == 1
    qtbot.addWidget(dialogs[0])
    assert dialogs[0].choice.target is target
    assert dialogs[0].path.text().endswith("adding-lstm-forget-gate-f.png")


def test_ctrl_c_on_a_focused_plot_copies_it_as_an_image(qtbot, trained):
    view = trained.loss_panel.glw
    view.setFocus()
    qtbot.waitUntil(lambda: view.hasFocus(), timeout=5000)
    QGuiApplication.clipboard().clear()
    assert copy_focused_plot(trained)
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() >= 200
    trained.panel.setFocus()
    assert not copy_focused_plot(trained)  # not on a plot: Ctrl+C is left alone


def test_whole_window_at_twice_its_size_and_as_svg(trained, tmp_path):
    window = ex.Choice("The whole window", trained, "window")
    ex.export(window, tmp_path / "w.png", "png")
    assert QImage(str(tmp_path / "w.png")).size() == QSize(2560, 1600)
    ex.export(window, tmp_path / "w.svg", "svg")
    texts = svg_texts(tmp_path / "w.svg")
    assert "Loss" in texts and any("forget gate f" in t for t in texts)


def test_export_experiment_as_script_from_the_window(qtbot, trained, tmp_path):
    path = tmp_path / "train_adding.py"
    start_script_export(trained, trained.config(), path)
    qtbot.waitUntil(path.exists, timeout=30_000)
    assert "LENGTH = 12" in path.read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: "train_adding.py" in trained.statusBar().currentMessage(), timeout=5000)


def test_report_is_one_offline_html_file_with_result_settings_and_figures(qtbot, trained, tmp_path):
    from html.parser import HTMLParser

    from rnnlab.app.output.report import save_report

    current = trained.tabs.currentIndex()
    path = save_report(trained, tmp_path / "report.html")
    assert trained.tabs.currentIndex() == current  # the tab shown is restored after the capture
    text = path.read_text(encoding="utf-8")

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.sources, self.external = [], []

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name in ("src", "href"):
                    (self.sources if value.startswith("data:image/png;base64,") else self.external).append(value)

    links = Links()
    links.feed(text)
    assert len(links.sources) >= 4 and links.external == []  # loss, task view, gates, gradients; nothing fetched
    assert "LSTM on adding" in text and "always 1.0" in text and "hidden_size" in text
    test_mse = trained.data.test["mse"]
    assert f"{test_mse:.4g}" in text
    assert "[model]" in text  # the config as TOML, to run it again


def test_the_export_shortcuts_clash_with_no_other_action(trained):
    from PySide6.QtGui import QAction

    keys = [seq.toString() for a in trained.findChildren(QAction) for seq in a.shortcuts() if not seq.isEmpty()]
    assert "Ctrl+Shift+E" in keys and "Ctrl+C" in keys
    assert len(keys) == len(set(keys)), sorted(keys)


def test_runs_named_alike_but_for_their_aside_keep_it_in_their_columns(qtbot):
    """A race of both vanilla RNNs exported two columns 'vanilla_rnn' and 'vanilla_rnn_2': which was which? Where
    two names differ only in their bracketed aside, the columns keep it; a lone aside still goes."""
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    item = plot.getPlotItem()
    for name, y in (("vanilla RNN (tanh)", [1, 2]), ("vanilla RNN (ReLU)", [3, 4]), ("LSTM (gated)", [5, 6])):
        item.plot([0, 1], y, name=name)
    header, rows = ex.plot_table(item)
    assert header[1:] == ["vanilla_rnn_tanh", "vanilla_rnn_relu", "lstm"]
    assert rows == [[0.0, 1.0, 3.0, 5.0], [1.0, 2.0, 4.0, 6.0]]


def test_the_learning_panels_name_their_curves_as_metrics_csv_does(trained):
    """The names live on the curves (set where the panels make them), so renaming a panel's attribute cannot leave
    an export with y1, y2 columns; the measured ones are columns of the run's metrics.csv."""
    curves = [trained.loss_panel.train_raw, trained.loss_panel.train_smooth, trained.loss_panel.val_loss,
              trained.loss_panel.val_metric, trained.grad_panel.global_curve, trained.grad_panel.threshold,
              trained.gradtime_panel.first_curve]
    names = [c.objectName() for c in curves]
    assert names == ["train_loss", "train_loss_smoothed", "val_loss", "val_mse", "grad_norm", "max_grad_norm",
                     "before_training"]
    columns = set(trained.trainer.history.columns)
    assert {"train_loss", "val_loss", "val_mse", "grad_norm"} <= columns, columns
