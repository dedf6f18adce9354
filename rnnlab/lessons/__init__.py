"""Lessons: a claim of the course as an experiment that checks itself (issue 23; the format in docs/lessons.md).

    lesson.py    the lesson file: load, validate, find the bundled ones      measure.py   run it, measure numbers
    verdict.py   the checks on those numbers, the verdict and its table

    lesson = load(find("01-forgetting"))
    verdict = run(lesson)                  # trains the runs headless (minutes); Qt-free
    print(table(verdict)); verdict.status  # "shown" | "not shown" | "cannot run yet"
"""

from __future__ import annotations

import time
from typing import Callable, Optional, Sequence

from .lesson import Lesson, LessonError, bundled, find, load, loads, say
from .measure import Event, RunResult, measure
from .verdict import CANNOT_RUN, NOT_SHOWN, SHOWN, Verdict, evaluate, table


def run(lesson: Lesson, changes: Sequence[tuple[str, object]] = (),
        on_event: Optional[Callable[[Event], None]] = None) -> Verdict:
    """Run the lesson's experiment (with `changes`, the verdict says it is for a changed experiment) and judge it."""
    if not lesson.runnable:
        return evaluate(lesson, {})
    t0 = time.perf_counter()
    results = measure(lesson, changes, on_event)
    return evaluate(lesson, results, changed=bool(changes), wall_s=time.perf_counter() - t0)


__all__ = ["CANNOT_RUN", "Event", "Lesson", "LessonError", "NOT_SHOWN", "RunResult", "SHOWN", "Verdict", "bundled",
           "evaluate", "find", "load", "loads", "measure", "run", "say", "table"]
