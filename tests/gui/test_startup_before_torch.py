"""The window is in use before torch has loaded (issue 24): typed into, its task changed, its run library opened, and
Train pressed, which starts the run as soon as torch is in, the status bar saying meanwhile that it waits.

A fresh process, as at start-up: nothing has imported torch, and `engine_loader.hold()` keeps it out (as `launch`
does until the first paint) until the child releases it, so "before" does not depend on how fast the machine is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

CHILD = r"""
import json, sys, time
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QWidget
from rnnlab.app import engine_loader, theme
from rnnlab.app.application import application

def torch_in():
    return "torch" in sys.modules

def poll(condition, give_up_s=120):
    deadline = time.monotonic() + give_up_s  # a hang guard, not a timing threshold
    while not condition() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    return condition()

seen = {}
app = application([])
theme.apply(app)
engine_loader.hold()
from rnnlab.app.main_window import MainWindow
window = MainWindow()
engine_loader.follow(window)
window.show()
QApplication.processEvents()
seen["torch_after_show"] = torch_in()
def previews():
    return [type(w).__name__ for w in window.panel.findChildren(QWidget) if type(w).__name__ == "PlotWidget"]

poll(lambda: bool(previews()))  # the default task's series, read on a thread without torch
seen["preview"] = previews()
seen["torch_after_preview"] = torch_in()

tasks = window.panel.task_combo
tasks.setCurrentIndex(tasks.findData("adding"))
tasks.activated.emit(tasks.currentIndex())  # as a user's choice in the list
QApplication.processEvents()
seen["task"] = window.config().task.name
seen["description"] = window.panel.findChild(QLabel, "taskDescription").text()
steps = window.panel.findChild(QLineEdit, "training.steps")
steps.setFocus()
steps.selectAll()
QTest.keyClicks(steps, "40")
QApplication.processEvents()
seen["steps"] = window.config().training.steps

window.act_library.trigger()
QApplication.processEvents()
library = window.findChild(QDialog, "libraryDialog")
seen["library"] = library is not None and library.isVisible()
if library is not None:
    library.close()
seen["torch_before_train"] = torch_in()

window.act_train.trigger()
QApplication.processEvents()
seen["state_before"] = window.session.state
seen["status_before"] = window.statusBar().currentMessage()
seen["message_before"] = window.message_bar.text.text()
seen["torch_after_train"] = torch_in()

finished = []
window.training_finished.connect(finished.append)
engine_loader.release()
seen["finished"] = poll(lambda: bool(finished)) and finished[0]
seen["loaded"] = engine_loader.is_loaded()
seen["step"] = window.session.info.step if window.session.info is not None else None
seen["status_after"] = window.statusBar().currentMessage()
seen["message_after"] = window.message_bar.text.text()
window.ask_before_discarding(False)
window.close()
print("RESULT " + json.dumps(seen))
"""


def test_the_window_works_before_torch_and_train_starts_once_it_has_loaded(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "RNNLAB_LANG": "en",
           "RNNLAB_HOME": str(tmp_path / "runs")}
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert proc.returncode == 0 and line is not None, proc.stdout + proc.stderr
    seen = json.loads(line[len("RESULT "):])
    assert not seen["torch_after_show"] and not seen["torch_before_train"] and not seen["torch_after_train"]
    assert seen["preview"] == ["PlotWidget"] and not seen["torch_after_preview"]  # the series, before torch
    assert seen["task"] == "adding" and "Two of T random numbers" in seen["description"]  # from its module, no torch
    assert seen["steps"] == 40  # the form took the keystrokes
    assert seen["library"]  # File > Run library… opens at once
    assert seen["state_before"] == "running"
    assert seen["status_before"] == "Loading PyTorch…"
    assert seen["message_before"].startswith("Training starts as soon as PyTorch has loaded")
    assert seen["loaded"] and seen["finished"] == "finished" and seen["step"] == 40
    assert seen["status_after"] != seen["status_before"]
    assert "as soon as PyTorch has loaded" not in seen["message_after"]  # the run's own result took its place
    assert "Traceback" not in proc.stderr and "QThread: Destroyed" not in proc.stderr
