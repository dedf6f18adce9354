"""The window's side of issue 20's data-loss finding: an export that would replace a file rnnlab did not write asks
first, and replaces it only when the user says yes."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from rnnlab import config
from rnnlab.app.output.export_dialog import start_script_export
from rnnlab.app.main_window import MainWindow, settings

pytestmark = pytest.mark.gui


def test_the_window_asks_before_replacing_a_file_it_did_not_write(qtbot, tmp_path, monkeypatch):
    settings().clear()
    monkeypatch.setenv("HOME", str(tmp_path))
    w = MainWindow(config.from_dict({"task": {"name": "adding", "options": {"length": 8}},
                                     "model": {"hidden_size": 4}, "training": {"steps": 2}}))
    w.ask_before_discarding(False)
    qtbot.addWidget(w)
    assert w.wait_ready(30)
    mine = tmp_path / "train_adding.py"
    mine.write_text("print('my own work')\n", encoding="utf-8")
    asked: list[str] = []
    answers = iter([QMessageBox.No, QMessageBox.Yes])

    def question(parent, title, text, *args):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    start_script_export(w, w.config(), mine)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30_000)
    assert "train_adding.py" in asked[0] and "Replace" in asked[0]
    qtbot.wait(200)
    assert mine.read_text(encoding="utf-8") == "print('my own work')\n"  # "No": left alone

    start_script_export(w, w.config(), mine)
    qtbot.waitUntil(lambda: "LENGTH = 8" in mine.read_text(encoding="utf-8"), timeout=30_000)  # "Yes": replaced
    assert len(asked) == 2
    w.close()
