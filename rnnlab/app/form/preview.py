"""A small look at a task's data before training: computed off the GUI thread (`task_preview`), drawn on it
(`preview_widget`)."""

from __future__ import annotations

from html import escape

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from .. import theme
from ...i18n import N_, _, ngettext


def task_preview(task) -> dict:
    """A small look at a task's data, computed off the GUI thread: the series, or the first probe sequence."""
    info = {"examples": int(task.train_size)}
    series = getattr(task, "series", None)
    if series is not None:
        return {**info, "kind": "series", "values": np.asarray(series.values, dtype=float), "title": series.title,
                "unit": getattr(series, "unit", "")}
    batch = task.probe_batch()
    labels = task.step_labels(batch, 0)
    if labels and not all(str(s).rstrip("*").isdigit() for s in labels):
        joiner = "" if all(len(str(s)) == 1 for s in labels) else " "
        return {**info, "kind": "text", "text": joiner.join(str(s) for s in labels)[:300]}
    x = batch.x[0].detach().cpu().numpy()
    if x.ndim == 2 and x.dtype.kind == "f":
        return {**info, "kind": "lines", "values": x[:, :3].T.astype(float)}
    return {**info, "kind": "text", "text": " ".join(str(v) for v in x.ravel()[:60])}


def preview_widget(preview: dict) -> QWidget:
    kind = preview.get("kind")
    if kind in ("series", "lines"):
        plot = pg.PlotWidget()
        plot.setFixedHeight(110)
        item = plot.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=True, y=True, alpha=0.2)
        if kind == "series":
            item.plot(preview["values"], pen=pg.mkPen(theme.TRUTH))
            item.setTitle(f"{preview['title']}", size=f"{max(7, theme.font_size() - 1)}pt")
        else:
            for i, row in enumerate(preview["values"]):
                item.plot(row, pen=pg.mkPen(theme.group_color(i)))
            item.setTitle(_("first probe sequence"), size=f"{max(7, theme.font_size() - 1)}pt")
        return plot
    text = preview.get("text", "")
    if any(len(word) > 24 for word in text.split()):
        text = "\u200b".join(text)  # characters without spaces (char-LM): wrap anywhere, not wider than the form
    label = QLabel(f"<i>{escape(text)}</i>", wordWrap=True)
    label.setTextFormat(Qt.RichText)
    return label
