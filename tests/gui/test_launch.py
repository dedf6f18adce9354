"""`rnnlab` with no arguments: the start-up window first, then the main window in its place, ready to train.

Runs in a fresh process, as a user starts the app: `launch()` owns its event loop and quits it at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]

CHILD = r"""
import json, sys
from PySide6.QtWidgets import QApplication
from rnnlab.app import launch

seen = {}

def ready(timings):
    from rnnlab.app.main_window import MainWindow
    from rnnlab.app.startup import StartupWindow
    seen.update(timings)
    tops = QApplication.topLevelWidgets()
    windows = [w for w in tops if isinstance(w, MainWindow) and w.isVisible()]
    seen["windows"] = len(windows)
    seen["startup_visible"] = sum(isinstance(w, StartupWindow) and w.isVisible() for w in tops)
    window = windows[0]
    seen["ready"] = window.wait_ready(60)
    cfg = window.config()
    seen["experiment"] = [cfg.task.name, cfg.model.cell, cfg.task.options["dataset"]]
    seen["trainer"] = window.trainer is not None
    seen["train_enabled"] = window.act_train.isEnabled()
    QApplication.instance().quit()  # Qt 6 closes the windows first: the window's closeEvent cleans up

code = launch(on_ready=ready)
print("RESULT " + json.dumps({"exit": code, **seen}))
"""


def test_launch_shows_a_window_before_the_main_window_and_exits_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=180)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert proc.returncode == 0 and line is not None, proc.stdout + proc.stderr
    seen = json.loads(line[len("RESULT "):])
    assert seen["exit"] == 0
    assert seen["windows"] == 1 and seen["startup_visible"] == 0
    assert 0 < seen["placeholder_shown"] <= seen["window_shown"]
    assert seen["ready"] and seen["trainer"] and seen["train_enabled"]
    assert seen["experiment"] == ["forecast", "lstm", "airline_passengers"]  # the one-glance default
    assert "Traceback" not in proc.stderr and "QThread: Destroyed" not in proc.stderr
