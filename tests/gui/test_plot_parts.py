"""The shared plot parts keep text readable at any size: log axes label only the minor ticks that have room, legends
and titles wrap to the plot's width, captions grow a line rather than cut their end off."""

import math

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from rnnlab.app.views.caption import Caption
from rnnlab.app.plots.common import LogAxis, legend_layout, legend_of, legend_title, style_plot


def minor_mantissas(axis: LogAxis, lo: float, hi: float, size: float) -> list[int]:
    levels = axis.tickValues(lo, hi, size)
    minor = [values for spacing, values in levels if spacing is None]
    assert len(minor) == 1
    return sorted({round(10 ** (v - math.floor(v + 1e-9))) for v in minor[0]})


def legend_plot(qtbot, y: str, title: str, entries, width: int):
    """A plot with a legend title, on screen at `width` x 300: (the layout widget, the plot item)."""
    glw = pg.GraphicsLayoutWidget()
    qtbot.addWidget(glw)
    item = glw.addPlot()
    style_plot(item, x="step", y=y)
    legend_title(item, title, entries)
    glw.resize(width, 300)
    glw.show()
    qtbot.waitExposed(glw)
    return glw, item


@pytest.mark.parametrize("size, expected", [(2000, [2, 3, 4, 5, 6, 7, 8, 9]), (400, [2, 3, 5]), (200, [2, 5]),
                                            (100, [3]), (40, [])])
def test_log_axis_labels_only_the_minor_ticks_that_have_room(qtbot, size, expected):
    axis = LogAxis("left")
    axis.setLogMode(True)
    # Two decades (0.01 .. 1) over `size` pixels.
    assert minor_mantissas(axis, -2.0, 0.0, size) == expected
    # Whatever is chosen, neighbouring labels are at least one and a bit text lines apart.
    line = QFontMetricsF(axis.style.get("tickFont") or QFont()).height()
    marks = sorted([k + math.log10(m) for k in (-2, -1) for m in [1, *expected]] + [0.0])
    gaps = [(b - a) * size / 2 for a, b in zip(marks, marks[1:])]
    assert min(gaps) >= 1.4 * line


def test_a_linear_axis_is_left_alone(qtbot):
    axis = LogAxis("left")
    assert axis.tickValues(0.0, 1.0, 300) == pg.AxisItem("left").tickValues(0.0, 1.0, 300)


def test_legend_and_title_wrap_to_the_plot_width(qtbot):
    entries = [(f"entry number {i}", "#336699", "line") for i in range(6)]
    glw, item = legend_plot(qtbot, "loss", "A rather long title for a narrow plot", entries, 900)
    qtbot.waitUntil(lambda: item.vb.width() > 500)
    wide = legend_layout(item)
    glw.resize(260, 300)
    qtbot.waitUntil(lambda: item.vb.width() < 250)
    heads, pieces, lines = legend_layout(item)
    assert len(lines) > len(wide[2]) and len(heads) > len(wide[0]) == 1
    assert sorted(i for line in lines for i in line) == list(range(6))  # every entry still shown, in order
    assert item.layout.rowMaximumHeight(0) >= (len(heads) + len(lines)) * 10  # the title row grew for them
    assert item.titleLabel.item.boundingRect().width() <= item.vb.width() + 12  # no line wider than the plot


def test_a_legend_entry_wider_than_the_plot_wraps_too(qtbot):
    entries = [("model", "#cc0000", "dot"),
               ("most frequent tag per word, the baseline to beat 0.824", "#884400", "dash")]
    _glw, item = legend_plot(qtbot, "accuracy", "Accuracy", entries, 220)
    qtbot.waitUntil(lambda: 0 < item.vb.width() < 200)
    qtbot.waitUntil(lambda: legend_layout(item) is not None and len(legend_layout(item)[1]) > 2)
    _heads, pieces, _lines = legend_layout(item)
    assert " ".join(text for text, *_ in pieces[1:]) == "most frequent tag per word, the baseline to beat 0.824"
    assert item.titleLabel.item.boundingRect().width() <= item.vb.width() + 12


def test_a_legend_that_fits_sits_beside_its_title_on_one_line(qtbot):
    _glw, item = legend_plot(qtbot, "loss", "Loss", [("train", "#336699", "line"), ("validation", "#cc0000", "dot")],
                             700)
    qtbot.waitUntil(lambda: item.vb.width() > 500)
    heads, _pieces, lines = legend_layout(item)
    assert heads == ["Loss"] and lines == [(0, 1)]  # both entries beside the title
    one_line = QFontMetricsF(item.titleLabel.item.font()).lineSpacing()
    assert item.titleLabel.item.boundingRect().height() < 1.9 * one_line  # one line of text, not two
    assert item.layout.rowMaximumHeight(0) <= 30  # pyqtgraph's one-line title row: the plot keeps the rest


def test_a_legend_entry_drops_its_aside_in_brackets_before_it_wraps(qtbot):
    _glw, item = legend_plot(qtbot, "nats/char", "Validation nats/char", [
        ("model", "#cc0000", "dot"), ("unigram (character frequencies) 3.58", "#884400", "dash")], 190)
    qtbot.waitUntil(lambda: 0 < item.vb.width() < 150)
    qtbot.wait(50)  # the legend follows the plot's last resize
    _heads, pieces, _lines = legend_layout(item)
    assert [text for text, *_ in pieces] == ["model", "unigram 3.58"]  # one piece each: nothing wrapped
    assert legend_of(item)[1][1][0] == "unigram (character frequencies) 3.58"  # exports keep the whole name


def test_caption_grows_a_line_instead_of_cutting_its_end_off(qtbot):
    box = QWidget()
    qtbot.addWidget(box)
    caption = Caption(min_lines=2)
    QVBoxLayout(box).addWidget(caption)
    caption.setText(" · ".join(f"<b>score {i}</b> 0.{i}234 / 0.{i}345" for i in range(8)))
    box.resize(900, 200)
    box.show()
    qtbot.waitExposed(box)
    tall_enough = lambda: caption.height() >= caption.heightForWidth(caption.width())  # noqa: E731
    qtbot.waitUntil(tall_enough)
    wide_height = caption.height()
    box.resize(300, 200)
    qtbot.waitUntil(lambda: caption.width() < 320)
    qtbot.waitUntil(tall_enough)
    assert caption.height() > wide_height


def drawn_labels(axis) -> list[tuple[str, float, float]]:
    """(text, top, bottom) of every tick label the axis would draw now."""
    from PySide6.QtGui import QImage, QPainter

    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setFont(axis.style["tickFont"] or painter.font())
    _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    painter.end()
    return [(text, rect.top(), rect.bottom()) for rect, _flags, text in texts]


@pytest.mark.parametrize("height", [140, 220, 500])
def test_a_short_log_plot_labels_both_end_decades_and_nothing_overlaps(qtbot, height):
    import numpy as np

    glw = pg.GraphicsLayoutWidget()
    qtbot.addWidget(glw)
    item = glw.addPlot()
    style_plot(item, x="step", y="loss")
    item.setLogMode(y=True)
    item.plot(np.arange(10.0), np.full(10, 1.4))
    item.setYRange(0.0, 1.0, padding=0.02)  # 1 to 10, as StableRange sets it
    glw.resize(400, height)
    glw.show()
    qtbot.waitExposed(glw)
    qtbot.waitUntil(lambda: drawn_labels(item.getAxis("left")) != [])
    labels = drawn_labels(item.getAxis("left"))
    texts = [t for t, _, _ in labels]
    assert "1" in texts and "10" in texts, texts
    spans = sorted((top, bottom) for _, top, bottom in labels)
    assert all(b[0] >= a[1] - 0.5 for a, b in zip(spans, spans[1:])), labels


def test_log_labels_are_plain_numbers_in_the_usual_range(qtbot):
    axis = LogAxis("left")
    values = [math.log10(x) for x in (1e-6, 2e-5, 1e-4, 0.03, 0.2, 1, 10, 300, 20000, 1e6)]
    assert axis.logTickStrings(values, 1.0, 1.0) == ["10⁻⁶", "2·10⁻⁵", "0.0001", "0.03", "0.2", "1", "10", "300",
                                                      "20000", "10⁶"]


def test_zoomed_in_under_a_decade_every_log_label_names_its_own_value(qtbot):
    axis = LogAxis("left")
    axis.setLogMode(True)
    levels = axis.tickValues(0.02, 0.28, 300)  # 1.05 to 1.9: no whole decade in view
    values = [v for _spacing, vs in levels for v in vs]
    strings = axis.logTickStrings(values, 1.0, 0.1)
    assert values and len(set(strings)) == len(strings)
    for v, text in zip(values, strings):
        assert float(text) == pytest.approx(10 ** v, rel=0.01)
