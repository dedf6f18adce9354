"""The window's file dialogs: Save run as, Open run, Open recent, and the Save / Discard / Cancel question before an
unsaved run is dropped. The work itself is the window's API (save_run, open_run's asynchronous side)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from ...errors import RnnlabError, RunError
from ...runs import library
from . import persist
from .. import places
from ..run.model_access import describe_error
from ...i18n import N_, _, ngettext

log = logging.getLogger(__name__)


# What RunFiles uses of the window, and nothing else (tests/gui/test_mode.py checks this module against it): the run
# session (open, the run shown, its signals), showing an opened run, Reset, Save, the "ask before discarding" choice,
# the message bar; and the window as the parent of its dialogs.
WINDOW_USES = frozenset({"session", "show_opened", "reset", "save_run", "act_ask", "has_unsaved_run", "message_bar"})


class RunFiles:
    def __init__(self, window):
        self.window = window
        self._pending = None  # (on_done, on_error) of the open in flight
        self.origin: Optional[Path] = None  # the folder the run shown was opened from or saved to, if any
        window.session.info_changed.connect(self._forget_origin)  # before `opened`: another run is shown
        window.session.opened.connect(self._opened)
        window.session.open_failed.connect(self._open_failed)

    def open(self, path, on_done: Callable[[], None], on_error: Callable[[str], None]) -> None:
        """Open on the helper thread; then `on_done()` once shown, or `on_error(message)`."""
        self._pending = (on_done, on_error)
        self.window.session.open(path)

    def open_and_wait(self, path) -> None:
        """open_run: wait (processing events) for the run to be shown; RunError with the message otherwise."""
        outcome: dict = {}
        self.open(path, lambda: outcome.setdefault("ok", True), lambda msg: outcome.setdefault("error", msg))
        while not outcome:
            QApplication.processEvents()
            time.sleep(0.005)
        if "error" in outcome:
            raise RunError(outcome["error"])

    def _forget_origin(self, _info=None) -> None:
        self.origin = None

    def saved(self, path: Path) -> None:
        """After the window saved a run to `path`: listed in the run library, and the next Save As starts beside it."""
        self.origin = Path(path)
        list_in_library(path)

    def _opened(self, opened) -> None:
        done, failed = self._pending or (lambda: None, lambda _m: None)
        self._pending = None
        self.origin = Path(opened.path)
        list_in_library(opened.path)
        try:
            self.window.show_opened(opened)
        except Exception as exc:  # a run that loads but cannot be drawn: say so, keep the window usable
            log.exception("showing an opened run failed")
            self.window.reset()
            failed(_("{path} could not be shown: {error}").format(path=opened.path, error=describe_error(exc)))
            return
        done()

    def _open_failed(self, message: str) -> None:
        _done, failed = self._pending or (lambda: None, lambda _m: None)
        self._pending = None
        failed(message)

    def save_dialog(self) -> bool:
        """Save As: the name proposed is the run's own (task, cell), in the folder used last. True if it saved."""
        w = self.window
        info = w.session.info
        if info is None:
            return False
        name = time.strftime(f"{info.task}-{info.cell}-%Y%m%d-%H%M%S")
        # A run opened from a folder (the library's, or the teacher's own) is saved beside it, not in the home folder.
        folder = self.origin.parent if self.origin is not None else Path(places.last_folder("runs"))
        start = str(folder / name)
        path, _unused = QFileDialog.getSaveFileName(w, _("Save run as folder"), start, _("rnnlab run folder (*)"))
        if not path:
            return False
        places.remember_folder("runs", path)
        try:
            w.save_run(path)
        except (RnnlabError, OSError, TimeoutError) as exc:
            QMessageBox.warning(w, _("Could not save the run"), f"{path}: {describe_error(exc)}")
            return False
        return True

    def open_dialog(self) -> None:
        if not self.may_discard(_("open another run")):
            return
        path = QFileDialog.getExistingDirectory(self.window, _("Open a run folder (it holds summary.json)"),
                                                places.last_folder("runs"))
        if path:
            places.remember_folder("runs", str(Path(path).parent / "x"))
            self.open_interactive(path)

    def may_discard(self, doing: str) -> bool:
        """Before the shown run is dropped: ask Save / Discard / Cancel if it is unsaved. True: go on."""
        w = self.window
        if not w.act_ask.isChecked() or not w.has_unsaved_run():
            return True
        info = w.session.info
        box = QMessageBox(w)
        box.setObjectName("unsavedRunBox")
        box.setIcon(QMessageBox.Question)
        box.setWindowTitle(_("Unsaved run"))
        box.setText(_("The run shown ({task}, {cell}, {status} at step {step}) is not saved. Save it before you "
                      "{doing}?").format(task=info.task, cell=info.cell, status=info.status, step=info.step, doing=doing))
        box.setStandardButtons(QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        if answer == QMessageBox.Save:
            return self.save_dialog()
        return answer == QMessageBox.Discard

    def open_interactive(self, path: str) -> None:
        """Open from the menu: a wait cursor while the folder is read off the GUI thread, then the run or a message."""
        QApplication.setOverrideCursor(Qt.WaitCursor)
        bar = self.window.message_bar

        def failed(message: str) -> None:
            QApplication.restoreOverrideCursor()
            bar.show_message(_("Could not open the run: {message}").format(message=message), "error")  # stays until dismissed

        self.open(path, QApplication.restoreOverrideCursor, failed)

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        recent = persist.recent_runs()
        if not recent:
            menu.addAction(_("(no runs yet)")).setEnabled(False)
        for p in recent:
            menu.addAction(p).triggered.connect(
                lambda _unused=False, p=p: self.may_discard(_("open another run")) and self.open_interactive(p))


def list_in_library(path) -> None:
    """Every run the window saves or opens is listed in the Run library and Compare, the way `rnnlab train --out`
    lists its folder (library.remember: a folder inside the library needs nothing). A read-only home costs the run
    nothing, so a failure is only logged."""
    try:
        library.remember(path)
    except OSError as exc:
        log.warning("could not list %s in the run library: %s", path, exc)
