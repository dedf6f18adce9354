"""Text for people: the progress lines of a sweep or a race and the tables printed at the end (the CLI prints them).

Pure functions of plain data (events, results rows), so they are tested without a terminal.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from ..i18n import N_, _
from .events import PointProgress


def _f(value, digits: int = 4) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "-"
    if math.isnan(x):
        return "-"
    return f"{x:.{digits}g}"


def _int(value) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if math.isnan(x) else str(int(x))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain aligned text table: text columns to the left, numbers to the right."""
    rows = [list(map(str, r)) for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def numeric(i):
        return all(_looks_numeric(r[i]) for r in rows) and rows

    align = [str.rjust if numeric(i) else str.ljust for i in range(len(headers))]
    lines = ["  ".join(align[i](h, widths[i]) for i, h in enumerate(headers))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(align[i](c, widths[i]) for i, c in enumerate(r)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _looks_numeric(text: str) -> bool:
    if text == "-":
        return True
    try:
        float(text.rstrip("x"))
        return True
    except ValueError:
        return False


# A point's status as the table says it (results.csv keeps the English key).
STATUS = {"finished": N_("finished"), "diverged": N_("diverged"), "stopped": N_("stopped"), "failed": N_("failed"),
          "interrupted": N_("interrupted"), "running": N_("running"), "pending": N_("pending"), "skipped": N_("skipped")}
FIRST_TITLES = (N_("point"), N_("runner"))  # results_table's first column (translated where the table is made)


def baseline_columns(rows: Sequence[dict]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k.startswith("baseline ") and k not in cols]
    return cols


def results_table(rows: Sequence[dict], first: str = "point", first_title: str = "point",
                  metric_title: str = "") -> str:
    """The end table: one row per point with status, final test metric, the first baseline, solved-at, speed."""
    metric = next((r.get("metric") for r in rows if r.get("metric")), "")
    base = baseline_columns(rows)[:1]
    headers = [_(first_title), _("status"), _("test {metric}").format(metric=metric_title or metric).strip()]
    if base:
        headers.append(_("baseline {name}").format(name=_(base[0].removeprefix("baseline "))))
    headers += [_("solved at step"), _("steps/s"), _("wall s")]
    body = []
    for r in rows:
        line = [str(r.get(first, "")), _(STATUS.get(r.get("status", ""), "")) or str(r.get("status", "")),
                _f(r.get(f"test_{metric}"))]
        if base:
            line.append(_f(r.get(base[0])))
        line += [_int(r.get("solved_at_step")), _f(r.get("steps_per_s"), 3) if r.get("steps_per_s") else "-",
                 _f(r.get("wall_s"), 3)]
        body.append(line)
    return table(headers, body)


def failures(rows: Sequence[dict]) -> list[str]:
    return [f"{r['point']}: {r['status']}: {r['error']}" for r in rows if r.get("error")]


def progress_line(name: str, p: PointProgress, val_text: str = "", width: int = 10) -> str:
    """`LSTM   step  400/2000  loss 0.03412  val MSE 0.03121  812 steps/s`."""
    loss = _f(p.train_loss[-1]) if len(p.train_loss) else "-"
    line = f"{name:<{width}} " + _("step {step}/{total}  loss {loss}").format(
        step=f"{p.step:>{len(str(p.total_steps))}}", total=p.total_steps, loss=loss)
    if val_text:
        line += f"  {val_text}"
    line += "  " + _("{speed:.0f} steps/s").format(speed=p.steps_per_sec)
    return line + ("  " + _("(paused)") if p.paused else "")


def val_text(p: PointProgress, metric_key: str, metric_title: str) -> str:
    """`val MSE 0.03121` when this report carries a validation, else ""."""
    if p.val and metric_key in p.val:
        return _("val {metric} {value}").format(metric=metric_title, value=_f(p.val[metric_key]))
    return ""


def sweep_bar(done: int, total: int, failed: int, running: dict[str, tuple[int, int]], width: int = 24) -> str:
    """`[#########-------] 3/8 points, 1 failed | running: cell=lstm_seed=0 400/800, ...`."""
    frac = done / max(1, total)
    bar = "#" * int(frac * width)
    text = f"[{bar:<{width}}] " + _("{done}/{total} points").format(done=done, total=total)
    if failed:
        text += ", " + _("{failed} failed").format(failed=failed)
    if running:
        text += " | " + _("running: {points}").format(points=", ".join(f"{pid} {s}/{t}" for pid, (s, t) in running.items()))
    return text
