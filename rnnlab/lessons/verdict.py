"""The verdict: every check of a lesson evaluated on the measured numbers, and the table that says it.

A lesson's verdict is "shown" when every check that counts holds, "not shown" when one does not (the table then
says which, with the numbers), and "cannot run yet" when the lesson needs something this rnnlab lacks. A check on a
number the run did not measure (NaN: a diverged run has no test score) does not hold, and says so.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Mapping, Optional

from ..i18n import _
from .lesson import Check, Lesson, has, say
from .measure import RunResult

SHOWN, NOT_SHOWN, CANNOT_RUN = "shown", "not shown", "cannot run yet"
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class CheckResult:
    check: Check
    value: float
    than: float  # the right-hand side, `times` applied
    holds: bool

    @property
    def measured(self) -> bool:
        return not (math.isnan(self.value) or math.isnan(self.than))


@dataclass(frozen=True)
class Verdict:
    lesson: Lesson
    status: str  # SHOWN | NOT_SHOWN | CANNOT_RUN
    checks: tuple[CheckResult, ...] = ()
    changed: bool = False  # the experiment ran with changes: the verdict is for a changed experiment
    wall_s: float = 0.0

    @property
    def shown(self) -> bool:
        return self.status == SHOWN

    def holds(self, name: str) -> Optional[bool]:
        for r in self.checks:
            if r.check.name == name:
                return r.holds
        return None


def _lookup(ref, results: Mapping[str, RunResult]) -> float:
    if not isinstance(ref, str):
        return float(ref)
    run, _sep, number = ref.rpartition(".")
    result = results.get(run)
    return float(result.numbers.get(number, math.nan)) if result is not None else math.nan


def evaluate(lesson: Lesson, results: Mapping[str, RunResult], changed: bool = False,
             wall_s: float = 0.0) -> Verdict:
    if not lesson.runnable:
        return Verdict(lesson, CANNOT_RUN, (), changed, wall_s)
    rows = []
    for check in lesson.checks:
        value = _lookup(check.value, results)
        than = _lookup(check.than, results) * check.times
        holds = not (math.isnan(value) or math.isnan(than)) and bool(_OPS[check.op](value, than))
        rows.append(CheckResult(check, value, than, holds))
    shown = all(r.holds for r in rows if r.check.counts)
    return Verdict(lesson, SHOWN if shown else NOT_SHOWN, tuple(rows), changed, wall_s)


def number(x: float) -> str:
    """A measured number as a table shows it: 4 significant digits, NaN as 'not measured'."""
    if math.isnan(x):
        return _("not measured")
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.4g}"


def status_text(status: str) -> str:
    return {SHOWN: _("shown"), NOT_SHOWN: _("not shown"), CANNOT_RUN: _("cannot run yet")}[status]


def table(verdict: Verdict, lang: Optional[str] = None) -> str:
    """The verdict as plain text: the claim, one line per check with its numbers, the verdict line."""
    lesson = verdict.lesson
    lines = [_("Lesson {name}: {title}").format(name=lesson.name, title=say(lesson.title, lang)),
             _("Claim: {claim}").format(claim=say(lesson.claim, lang))]
    if "windows" in lesson.show and lesson.experiment.base is not None:
        lines += window_lines(lesson)
    if not lesson.runnable:
        lines.append(_("This lesson cannot run yet: it needs {needs}, which this version of rnnlab does not have.")
                     .format(needs=", ".join(lesson.missing)))
    for r in verdict.checks:
        mark = _("yes") if r.holds else _("no")
        if not r.check.counts:
            mark = _("{mark} (reported, not counted)").format(mark=mark)
        ref = r.check.than if isinstance(r.check.than, str) else ""
        right = number(r.than) if not ref else _("{value} ({times} x {ref})").format(
            value=number(r.than), times=f"{r.check.times:g}", ref=ref) if r.check.times != 1 else \
            _("{value} ({ref})").format(value=number(r.than), ref=ref)
        lines.append(_("  [{mark}] {text}: {left} = {value} {op} {right}").format(
            mark=mark, text=say(r.check.text, lang), left=r.check.value, value=number(r.value), op=r.check.op,
            right=right))
    for w in (w for w in lesson.waiting if not has(w.needs)):
        lines.append(_("  [waits] {text} (needs {needs})").format(text=say(w.text, lang), needs=w.needs))
    verdict_line = _("Verdict: {status}").format(status=status_text(verdict.status))
    if verdict.changed:
        verdict_line += " " + _("(for a changed experiment, not the lesson's own)")
    if verdict.wall_s:
        verdict_line += " " + _("in {seconds:.0f} s").format(seconds=verdict.wall_s)
    lines.append(verdict_line)
    if verdict.status == SHOWN and say(lesson.look, lang):
        lines.append(_("Look at: {where}").format(where=say(lesson.look, lang)))
    return "\n".join(lines)


def window_lines(lesson: Lesson) -> list[str]:
    """The first sliding windows of the lesson's series, as on the slide."""
    from .lesson import windows

    lines = [_("The first windows of the series (x -> y):")]
    for x, y in windows(lesson.experiment.base):
        lines.append("  x: [{x}] -> y: [{y}]".format(x=" ".join(f"{v:g}" for v in x), y=" ".join(f"{v:g}" for v in y)))
    return lines
