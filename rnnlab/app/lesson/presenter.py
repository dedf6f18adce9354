"""Presenter mode (View > Presenter, F11): for a projector, the form and the lesson panel hidden, the lesson's
current step as a large banner above the plots, and text and lines zoomed. F11 again puts everything back as it was (issue 23).

The banner reads the open lesson's panel twice a second (the first step not ticked yet, else the verdict), so the
lesson panel knows nothing about it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QLabel, QToolBar

from ... import lessons
from ...i18n import _

PRESENTER_ZOOM = 1.5


class Presenter:
    def __init__(self, window):
        self.window = window
        self.on = False
        self._saved: dict = {}
        self.banner = QToolBar(_("Presenter"), window)
        self.banner.setObjectName("presenter_banner")
        self.banner.setMovable(False)
        self.label = QLabel()
        self.label.setObjectName("presenter_step")
        self.label.setWordWrap(True)
        self.label.setContentsMargins(12, 6, 12, 6)
        font = QFont(self.label.font())
        font.setPointSizeF(max(18.0, font.pointSizeF() * 1.8))
        font.setBold(True)
        self.label.setFont(font)
        self.banner.addWidget(self.label)
        self.banner.setVisible(False)
        window.addToolBarBreak(Qt.TopToolBarArea)
        window.addToolBar(Qt.TopToolBarArea, self.banner)
        self.timer = QTimer(window)
        self.timer.setInterval(500)
        self.timer.timeout.connect(self.refresh)

    def text(self) -> str:
        """What the banner says: the lesson's current step, its verdict once over, or how to open one."""
        panel = getattr(self.window, "lesson_panel", None)
        if panel is None:
            return _("Presenter mode: open a lesson from the Lessons menu.")
        lesson = panel.lesson
        for i, step in enumerate(lesson.steps):
            if not panel.step_done(i):
                return _("Step {number}: {text}").format(number=i + 1, text=lessons.say(step.text))
        if panel.verdict is not None:
            return _("{title}: {status}").format(title=lessons.say(lesson.title),
                                                 status=lessons.verdict.status_text(panel.verdict.status))
        return lessons.say(lesson.title)

    def refresh(self) -> None:
        text = self.text()
        if self.label.text() != text:
            self.label.setText(text)

    def toggle(self, on: bool) -> None:
        w = self.window
        if on == self.on:
            return
        self.on = on
        from .. import theme

        if on:
            lesson_dock = getattr(w, "lesson_dock", None)
            self._saved = {"zoom": theme.zoom(), "form": w.experiment_dock.isVisible(),
                           "lesson": lesson_dock is not None and lesson_dock.isVisible()}
            w.experiment_dock.setVisible(False)
            if lesson_dock is not None:  # the banner says the step; the plots get the whole width
                lesson_dock.setVisible(False)
            w.set_zoom(max(PRESENTER_ZOOM, self._saved["zoom"]))
            self.refresh()
            self.banner.setVisible(True)
            self.timer.start()
        else:
            self.timer.stop()
            self.banner.setVisible(False)
            w.set_zoom(self._saved.get("zoom", 1.0))
            w.experiment_dock.setVisible(self._saved.get("form", True))
            if getattr(w, "lesson_dock", None) is not None:
                w.lesson_dock.setVisible(self._saved.get("lesson", True))


def add_presenter_action(window) -> None:
    """View > Presenter (F11), checkable."""
    window.presenter = Presenter(window)
    action = QAction(_("Presenter"), window, checkable=True)
    action.setObjectName("action_presenter")
    action.setShortcut(QKeySequence("F11"))
    action.setToolTip(_("For a projector: hide the form, show the lesson's step as a banner, zoom text and lines "
                        "(F11)"))
    action.toggled.connect(window.presenter.toggle)
    window.view_menu.addSeparator()
    window.view_menu.addAction(action)
    window.addAction(action)
    window.act_presenter = action
