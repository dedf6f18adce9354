"""File > Export report: one HTML file with the run's config, its final numbers beside the baselines, and the window's
figures (loss, task view, gates of the last probe, gradients and the gradient through time) embedded as images, so
it opens offline in any browser and can be mailed or put on a course page as it is."""

from __future__ import annotations

import base64
import html
import math
import time
from pathlib import Path
from typing import Optional

from PySide6.QtWidgets import QApplication

from ... import __version__
from ...config import RunConfig, to_dict, to_toml
from ...train.history import val_col
from . import export as ex
from ... import i18n
from ...i18n import N_, _, ngettext

STYLE = ("""
body { font-family: system-ui, sans-serif; color: #222; max-width: 1200px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; } td, th { padding: 3px 12px 3px 0; text-align: left; }
th { border-bottom: 1px solid #ccc; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.model td { font-weight: 600; }
.config { display: flex; gap: 40px; flex-wrap: wrap; } .config table td:first-child { color: #555; }
figure { margin: 12px 0 24px; } figure img { max-width: 100%; border: 1px solid #e4e4e4; }
figcaption { color: #555; font-size: 0.9em; margin-top: 4px; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 0.85em; }
""")


def capture_figures(window, scale: float = 2.0) -> list[tuple[str, bytes]]:
    """PNGs of the window's panels, each tab shown in turn (and drawn) while it is captured; the tab is restored."""
    figures = []

    def grab(title: str, widget) -> None:
        if widget is not None and widget.isVisible() and widget.width() > 10:
            figures.append((title, ex._png_bytes(ex.render_image(widget, scale=scale))))

    grab(_("Loss and validation metric"), getattr(window, "loss_panel", None))
    grab(_("What the model does (task view)"), getattr(window, "view_host", None))
    tabs = window.tabs
    current = tabs.currentIndex()
    try:
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            page = tabs.widget(index)
            QApplication.processEvents()  # lay the page out at its size before it draws
            page.refresh(window.data)
            QApplication.processEvents()
            grab(tabs.tabText(index).replace("&", ""), page)
    finally:
        tabs.setCurrentIndex(current)
    return figures


def _esc(value) -> str:
    """Every value goes into the page escaped, validated or not (issue 20: the seed and steps were not)."""
    return html.escape(str(value))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else "–"
    return _esc(value)


def _scores_table(data, cfg: RunConfig) -> str:
    """The headline metric (and loss) on the test split, the model's row first, then each baseline."""
    key, title = data.metric_key, data.metric_title or data.metric_key
    better = _("higher is better") if data.higher_is_better else _("lower is better")
    rows = []
    if data.test:
        rows.append((_("model"), data.test.get(key, math.nan), data.test.get("loss", math.nan), "model"))
        for name, scores in (data.test_baselines or {}).items():
            rows.append((_(name), scores.get(key, math.nan), scores.get("loss", math.nan), ""))
        caption = _("Test split, after the last step ({better}).").format(better=better)
    else:
        last = data.last(val_col(key)) if key else math.nan
        rows.append((_("model (latest validation)"), last, data.last("val_loss"), "model"))
        for name, scores in (data.val_baselines or {}).items():
            rows.append((_(name), scores.get(key, math.nan), scores.get("loss", math.nan), ""))
        caption = _("Validation split, the run has not finished ({better}).").format(better=better)
    body = "".join(f"<tr class='{_esc(cls)}'><td>{html.escape(name)}</td><td class='num'>{_fmt(value)}</td>"
                   f"<td class='num'>{_fmt(loss)}</td></tr>" for name, value, loss, cls in rows)
    loss = html.escape(_("loss"))
    return (f"<table><tr><th></th><th>{html.escape(title)}</th><th>{loss}</th></tr>{body}</table>"
            f"<p class='sub'>{html.escape(caption)}</p>")


def _config_tables(cfg: RunConfig) -> str:
    d = to_dict(cfg)
    sections = [(_("Task: {name}").format(name=d["task"]["name"]), d["task"]["options"]), (_("Model"), d["model"]),
                (_("Training"), d["training"])]
    tables = []
    for title, values in sections:
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{_fmt(v)}</td></tr>" for k, v in values.items())
        tables.append(f"<div><h3>{html.escape(title)}</h3><table>{rows}</table></div>")
    return "<div class='config'>" + "".join(tables) + "</div>"


def report_html(cfg: RunConfig, data, figures: list[tuple[str, bytes]], message: str = "",
                steps: Optional[int] = None) -> str:
    """The report as one self-contained HTML document (figures as data: URLs, no external file or script)."""
    m = cfg.model
    cell = {"rnn_tanh": _("vanilla RNN (tanh)"), "rnn_relu": _("vanilla RNN (ReLU)")}.get(m.cell, m.cell.upper())
    shape = ngettext("{num_layers} layer of {hidden_size}", "{num_layers} layers of {hidden_size}", m.num_layers).format(
        num_layers=m.num_layers, hidden_size=m.hidden_size)
    title = _("{cell} on {task}").format(cell=cell, task=cfg.task.name)
    done = _esc(_(" · {steps} steps").format(steps=steps)) if steps is not None else ""
    page_title = html.escape(_("rnnlab report: {title}").format(title=title))
    bidirectional = html.escape(_(" · bidirectional")) if m.bidirectional else ""
    seed = html.escape(_(" · seed {seed}").format(seed=cfg.training.seed))
    heads = {k: html.escape(v) for k, v in (("result", _("Result")), ("figures", _("Figures")),
                                             ("settings", _("Settings")), ("again", _("Run it again")))}
    parts = [
        "<!DOCTYPE html>", f"<html lang='{i18n.language()}'><head><meta charset='utf-8'>",
        f"<title>{page_title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='sub'>{html.escape(shape)}{bidirectional}{seed}{done} · rnnlab {_esc(__version__)} · "
        f"{_esc(time.strftime('%Y-%m-%d %H:%M'))}</p>",
    ]
    if message:
        parts.append(f"<p>{html.escape(i18n.translate_text(message))}</p>")
    parts += [f"<h2>{heads['result']}</h2>", _scores_table(data, cfg), f"<h2>{heads['figures']}</h2>"]
    for caption, png in figures:
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        parts.append(f"<figure><img src='{src}' alt='{html.escape(caption)}'>"
                     f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    parts += [f"<h2>{heads['settings']}</h2>", _config_tables(cfg),
              f"<h2>{heads['again']}</h2><p>" + _(
                  "Save this as <code>experiment.toml</code> and run <code>rnnlab train --config experiment.toml"
                  "</code>, or <code>rnnlab export-script experiment.toml</code> for a standalone PyTorch script:") +
              "</p>",
              f"<pre>{html.escape(to_toml(cfg))}</pre>", "</body></html>"]
    return "\n".join(parts)


def save_report(window, path: str | Path) -> Path:
    """Capture the window's figures and write the report to `path` (atomically). Returns the path."""
    path = Path(path)
    cfg = window.config()
    trainer = getattr(window, "trainer", None)
    steps = getattr(trainer, "step", None)
    message = getattr(trainer, "message", "") or ""
    figures = capture_figures(window)
    ex._write_bytes(path, report_html(cfg, window.data, figures, message, steps).encode("utf-8"))
    return path
