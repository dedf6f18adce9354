"""The Lessons menu and the lesson panel: a lesson's text, Start, its steps ticked as they happen, the questions
with their answers hidden until asked, and the verdict with the numbers (issue 23; the files: docs/lessons.md).

Opening a lesson sets the window's form to its experiment; Start runs the lesson's runs on a worker thread with the
engine's `lessons.measure`, which reports plain `Event`s and saves each run in the run library; the verdict is
computed on the GUI thread from the numbers, and the runs are then overlaid on the plots (a comparison). What the student changed in the form is applied to every run, and the verdict then says
it is for a changed experiment.

    add_lessons_menu(window)       # Lessons > 1. A vanilla RNN forgets ... / Open lesson file...
    open_lesson(window, path)      # the panel in a dock, the form set up; returns the LessonPanel
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMenu, QMessageBox, QPlainTextEdit, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from ... import config as config_mod, lessons
from ...errors import RnnlabError
from ...i18n import _
from ...lessons.lesson import points
from ...lessons.verdict import CANNOT_RUN, SHOWN, evaluate, table
from ..mode import WindowPort
from ..threads import Job, WorkerThread

IGNORED_KEYS = ("training.threads", "training.device")  # where a run trains is not a change to the experiment


def _flat(cfg: config_mod.RunConfig) -> dict:
    d = config_mod.to_dict(cfg)
    out = {f"task.{k}": v for k, v in d["task"]["options"].items()}
    out["task.name"] = d["task"]["name"]
    for section in ("model", "training"):
        out.update({f"{section}.{k}": v for k, v in d[section].items()})
    return out


def changes_from(lesson: lessons.Lesson, cfg: config_mod.RunConfig) -> list[tuple[str, object]]:
    """What the form changes against the lesson's experiment, leaving out the keys the experiment varies itself."""
    base = lesson.experiment.base
    if base is None:
        return []
    varied = {k.strip() for key, _v in lesson.experiment.axes for k in key.split(",")}
    # Against the config the form was given (the first run's): a race or sweep writes its shared validation
    # schedule into each run (train/schedule.py), which is not the student's change.
    mine, theirs = _flat(cfg), _flat(points(lesson.experiment)[0][1])
    if mine["task.name"] != theirs["task.name"]:
        return [("task.name", mine["task.name"])] + [(k, v) for k, v in mine.items() if k.startswith("task.")
                                                      and k != "task.name"]
    return [(k, v) for k, v in mine.items() if k not in varied and k not in IGNORED_KEYS and theirs.get(k) != v]


class LessonPanel(QWidget):
    """One lesson: text, Start, steps, questions, verdict. `verdict_ready(Verdict)` when the verdict is in."""

    verdict_ready = Signal(object)

    def __init__(self, lesson: lessons.Lesson, port: Optional[WindowPort] = None, parent=None):
        super().__init__(parent)
        self.setObjectName("lesson_panel")
        # The window as app/mode.py's WindowPort (the form, the run library, a comparison); None: the panel alone.
        self.lesson, self.port = lesson, port
        self.form_set_up = False  # set_up() put the lesson's experiment in the form
        self.shown_path = ""  # a one-run lesson's run folder, once the window shows it
        self.verdict: Optional[lessons.Verdict] = None
        self.results: dict = {}
        self._job: Optional[WorkerThread] = None  # lessons.measure on its own thread (app/threads.py)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        title = _rich(QLabel(f"<b>{_esc(lessons.say(lesson.title))}</b>"))
        title.setWordWrap(True)
        title.setObjectName("lesson_title")
        big = QFont(title.font())
        big.setPointSizeF(big.pointSizeF() * 1.25)
        title.setFont(big)
        layout.addWidget(title)
        for text, name in ((lesson.claim, "lesson_claim"), (lesson.text, "lesson_text")):
            if lessons.say(text):
                label = _rich(QLabel(_esc(lessons.say(text))))
                label.setWordWrap(True)
                label.setObjectName(name)
                layout.addWidget(label)
        if "windows" in lesson.show and lesson.experiment.base is not None:
            from ...lessons.verdict import window_lines

            shown_windows = QLabel("\n".join(window_lines(lesson)))
            shown_windows.setObjectName("lesson_windows")
            shown_windows.setFont(QFont("monospace"))
            shown_windows.setWordWrap(True)
            layout.addWidget(shown_windows)
        self.start_button = QPushButton(_("Start the lesson"))
        self.start_button.setObjectName("lesson_start")
        self.start_button.clicked.connect(self.start)
        layout.addWidget(self.start_button)
        self.progress = QLabel("")
        self.progress.setObjectName("lesson_progress")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(QLabel(f"<b>{_esc(_('Steps'))}</b>"))
        self.step_labels: list[QLabel] = []
        self._done: list[bool] = [False] * len(lesson.steps)
        for i, step in enumerate(lesson.steps):
            label = _rich(QLabel())
            label.setWordWrap(True)
            label.setObjectName(f"lesson_step_{i}")
            self.step_labels.append(label)
            layout.addWidget(label)
            self._mark(i, False)
        layout.addWidget(QLabel(f"<b>{_esc(_('Verdict'))}</b>"))
        self.verdict_view = QPlainTextEdit()
        self.verdict_view.setObjectName("lesson_verdict")
        self.verdict_view.setReadOnly(True)
        self.verdict_view.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.verdict_view.setMinimumHeight(220)
        self.verdict_view.setPlaceholderText(_("The verdict comes from this computer's own run, once it is over."))
        layout.addWidget(self.verdict_view)
        if lesson.questions:
            layout.addWidget(QLabel(f"<b>{_esc(_('Questions'))}</b>"))
        self.answers: list[QLabel] = []
        for i, q in enumerate(lesson.questions):
            ask = _rich(QLabel(_esc(lessons.say(q.ask))))
            ask.setWordWrap(True)
            answer = _rich(QLabel(_esc(lessons.say(q.answer))))
            answer.setWordWrap(True)
            answer.setObjectName(f"lesson_answer_{i}")
            answer.setVisible(False)
            button = QPushButton(_("Show the answer"))
            button.setObjectName(f"lesson_show_answer_{i}")
            button.clicked.connect(lambda _checked=False, a=answer, b=button: (a.setVisible(True), b.setVisible(False)))
            self.answers.append(answer)
            for w in (ask, button, answer):
                layout.addWidget(w)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        if not lesson.runnable:
            self.start_button.setEnabled(False)
            self._show(evaluate(lesson, {}))

    # --- running ----------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._job is not None

    def set_up(self) -> None:
        """Show the lesson's experiment in the window's form (its first run's config)."""
        if self.port is not None and self.lesson.runnable:
            self.port.set_config(points(self.lesson.experiment)[0][1])
            self.form_set_up = True

    def start(self) -> None:
        if self.running or not self.lesson.runnable:
            return
        changes = []
        if self.port is not None and self.form_set_up:  # the form shows the lesson: what differs is a change
            changes = changes_from(self.lesson, self.port.config())
        self.results, self.verdict = {}, None
        for i in range(len(self.step_labels)):
            self._mark(i, False)
        self.verdict_view.setPlainText("")
        self.start_button.setEnabled(False)
        self.progress.setText(_("Starting..."))
        self._changed = bool(changes)
        save_to = None
        if self.port is not None:  # the runs go to the run library, and onto the plots once the lesson is over
            from ...runs import library

            save_to = library.new_sweep_path(f"lesson-{self.lesson.name}")
        lesson, stop = self.lesson, threading.Event()
        job = Job(lambda: lessons.measure(lesson, changes, job.report, progress_s=0.5, stop=stop, save_to=save_to))
        job.yielded.connect(self._on_event)  # lessons.Event
        job.returned.connect(self._on_done)  # {run name: RunResult}
        job.errored.connect(self._on_failed)
        self._job = WorkerThread(job, "rnnlab-lesson", stop=stop.set)
        self._job.start()

    def _on_event(self, event) -> None:
        if event.kind == "started" and event.index == 0:
            self._tick_unchecked_leading()
        if event.kind in ("started", "progress"):
            self.progress.setText(_("Run {index} of {total}: {run}, step {step} of {steps}").format(
                index=event.index + 1, total=event.total, run=event.run, step=event.step, steps=event.total_steps))
        elif event.kind == "ended" and event.result is not None:
            self.results[event.run] = event.result
            self._tick(evaluate(self.lesson, self.results))

    def _tick_unchecked_leading(self) -> None:
        """Steps without a check before the first step with one: ticked once the experiment has started."""
        for i, step in enumerate(self.lesson.steps):
            if step.done_when:
                return
            self._mark(i, True)

    def _tick(self, verdict, final: bool = False) -> None:
        for i, step in enumerate(self.lesson.steps):
            held = verdict.holds(step.done_when) if step.done_when else final
            if held:
                self._mark(i, True)

    def _mark(self, i: int, done: bool) -> None:
        self._done[i] = done
        text = _esc(lessons.say(self.lesson.steps[i].text))
        self.step_labels[i].setText(f"<b>\u2611</b> {text}" if done else f"\u2610 {text}")

    def step_done(self, i: int) -> bool:
        """Whether the lesson's i-th step is ticked."""
        return self._done[i]

    def _finish(self) -> None:
        if self._job is not None:
            self._job.finish()
            self._job = None
        self.start_button.setEnabled(True)

    def _on_done(self, results) -> None:
        self._finish()
        self.results = dict(results)
        self._show(evaluate(self.lesson, self.results, changed=self._changed))
        paths = [r.path for r in self.results.values() if r.path]
        if self.port is not None and len(paths) > 1:  # the lesson's runs on the plots, one colour each
            self.port.compare(paths)
        elif self.port is not None and paths and self.port.may_discard(_("show the lesson's run")):
            self.port.open_run(paths[0], lambda p=paths[0]: setattr(self, "shown_path", p),
                                   lambda message: self.progress.setText(
                                       _("The lesson's run could not be shown: {why}").format(why=message)))

    def _on_failed(self, message: str) -> None:
        self._finish()
        self.progress.setText(_("The lesson could not run: {why}").format(why=message))

    def _show(self, verdict) -> None:
        self.verdict = verdict
        if verdict.status != CANNOT_RUN:
            self._tick(verdict, final=verdict.status == SHOWN)
        self.progress.setText({SHOWN: _("The claim showed on this computer."),
                               CANNOT_RUN: _("This lesson cannot run yet.")}.get(
            verdict.status, _("The claim did not show on this computer: the verdict says which check failed.")))
        self.verdict_view.setPlainText("\n".join(table(verdict).splitlines()[2:]))  # title and claim are above
        self.verdict_ready.emit(verdict)

    def close_lesson(self) -> None:
        """End a run in progress at its next step and wait for its thread (the window is closing)."""
        if self._job is not None:
            self._job.close()
            self._job = None


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")


def _rich(label: QLabel) -> QLabel:
    """A label whose text is markup made with _esc: never guessed as plain text (it would show &amp; literally)."""
    label.setTextFormat(Qt.RichText)
    return label


# --- the window's hooks ---------------------------------------------------------------------------------------------


def open_lesson(window, path) -> Optional[LessonPanel]:
    """Load a lesson into the window's lesson dock (one at a time); a bad file is said in a message box."""
    try:
        lesson = lessons.load(path)
    except RnnlabError as exc:
        QMessageBox.warning(window, _("Lesson"), str(exc))
        return None
    old = getattr(window, "lesson_panel", None)
    if old is not None and old.running:
        QMessageBox.information(window, _("Lesson"), _("A lesson is running; wait for its verdict first."))
        return None
    dock = getattr(window, "lesson_dock", None)
    if dock is None:
        dock = QDockWidget(_("Lesson"), window)
        dock.setObjectName("lesson_dock")
        window.addDockWidget(Qt.RightDockWidgetArea, dock)
        window.lesson_dock = dock
    panel = LessonPanel(lesson, window.port)
    dock.setWidget(panel)
    if old is not None:
        old.close_lesson()
        old.deleteLater()
    dock.show()
    window.lesson_panel = panel
    if window.is_training():  # the form is in use: the lesson runs its own experiment all the same
        panel.progress.setText(_("The window is training: the form keeps its settings; Start runs the lesson's own "
                                 "experiment."))
    else:
        panel.set_up()
    return panel


def save_as_lesson(window, path) -> bool:
    """Teacher mode: the form's experiment as a lesson file (one run, a first check to edit). Never overwrites a
    file that is not a lesson rnnlab wrote."""
    from ...fileio import atomic_write
    from ...lessons.lesson import HEADER, template

    path = Path(path)
    if path.suffix != ".toml":
        path = path.with_name(path.name + ".toml")
    try:
        if path.exists() and not path.read_bytes()[:200].decode("utf-8", "replace").startswith(HEADER):
            QMessageBox.warning(window, _("Lesson"), _("{path} exists and is not a lesson rnnlab wrote; choose "
                                                       "another name.").format(path=path))
            return False
        atomic_write(path, template(window.config(), path.stem.replace("-", " ").capitalize()))
    except OSError as exc:
        QMessageBox.warning(window, _("Lesson"), _("Could not write {path}: {why}").format(
            path=path, why=exc.strerror or exc))
        return False
    window.statusBar().showMessage(_("Lesson saved to {path}: write its texts and checks there, then open it from "
                                     "Lessons.").format(path=path), 8000)
    return True


class LessonsMenu(QMenu):
    """Lessons: the bundled lessons are read (and checked) when the menu first opens or its actions are first asked
    for, not while the window starts (the ten files took ~0.06 s of it). A file that cannot be read is listed,
    greyed, its message in the tooltip."""

    def __init__(self, title: str, window):
        super().__init__(title, window)
        self._window = window
        self._filled = False
        self.setToolTipsVisible(True)
        self.aboutToShow.connect(self.fill)

    def actions(self) -> list:
        self.fill()
        return super().actions()

    def fill(self) -> None:
        if self._filled:
            return
        self._filled = True
        window = self._window
        before = next(iter(super().actions()), None)  # the lessons go above Open lesson file…
        for path in lessons.bundled():
            try:
                lesson = lessons.load(path)
            except RnnlabError as exc:
                action = QAction(_("{file}: cannot be read").format(file=path.name), window)
                action.setToolTip(str(exc))
                action.setEnabled(False)
            else:
                action = QAction(f"{lesson.order}. {lessons.say(lesson.title)}", window)
                action.triggered.connect(lambda _checked=False, p=path: open_lesson(window, p))
            action.setObjectName(f"action_lesson_{path.stem}")
            self.insertAction(before, action)


def add_lessons_menu(window) -> None:
    """Lessons > the bundled lessons in the course's order, and Open lesson file... (a teacher's folder)."""
    bar = window.menuBar()
    menu = LessonsMenu(_("&Lessons"), window)
    bar.addMenu(menu)
    menu.setObjectName("menu_lessons")
    help_action = next((a for a in bar.actions() if a.text().replace("&", "") in ("Help", _("Help"))), None)
    if help_action is not None:  # keep Help last
        bar.removeAction(menu.menuAction())
        bar.insertMenu(help_action, menu)
    menu.addSeparator()
    open_file = QAction(_("Open lesson file…"), window)
    open_file.setObjectName("action_open_lesson")

    def choose() -> None:
        path, _filter = QFileDialog.getOpenFileName(window, _("Open lesson file"), str(Path.home()),
                                                    _("Lesson files (*.toml)"))
        if path:
            open_lesson(window, path)

    open_file.triggered.connect(choose)
    menu.addAction(open_file)
    save = QAction(_("Save experiment as lesson…"), window)
    save.setObjectName("action_save_as_lesson")
    save.setToolTip(_("Write a lesson file from the experiment in the form; add its texts and checks in the file"))

    def choose_target() -> None:
        path, _filter = QFileDialog.getSaveFileName(window, _("Save experiment as lesson"),
                                                    str(Path.home() / "my-lesson.toml"), _("Lesson files (*.toml)"))
        if path:
            save_as_lesson(window, path)

    save.triggered.connect(choose_target)
    menu.addAction(save)
    window.lessons_menu = menu
    from .presenter import add_presenter_action

    add_presenter_action(window)


__all__ = ["LessonPanel", "LessonsMenu", "add_lessons_menu", "changes_from", "open_lesson", "save_as_lesson"]
