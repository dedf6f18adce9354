"""A lesson in the real window: the Lessons menu sets the form up, Start runs it, steps tick, the answers stay hidden
until asked, and the verdict comes with its numbers (a changed form: the verdict says so)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from rnnlab import config
from rnnlab.app.lesson.lesson_panel import changes_from, open_lesson
from rnnlab.lessons.verdict import CANNOT_RUN, NOT_SHOWN, SHOWN

from helpers import TINY_LESSON, assert_drawn

pytestmark = [pytest.mark.gui, pytest.mark.slow]
TIMEOUT = 120_000  # ms: a lesson races two runs


@pytest.fixture
def window(window):
    """The shared `window` (tests/conftest.py), opened on a small forecast model: a lesson then sets its form up."""
    return window(config.from_dict({"task": {"name": "forecast"}, "model": {"hidden_size": 8},
                                    "training": {"steps": 20}}))


def lesson_file(tmp_path, threshold="1e9"):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_LESSON.replace("THRESHOLD", threshold), encoding="utf-8")
    return path


def run_to_verdict(qtbot, panel):
    with qtbot.waitSignal(panel.verdict_ready, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    return blocker.args[0]


def test_a_lesson_runs_in_the_window_to_its_verdict(qtbot, window, tmp_path):
    path = lesson_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("A tiny race", "The LSTM's <tiny> race & more"),
                    encoding="utf-8")
    panel = open_lesson(window, path)
    text = panel.findChild(type(panel.progress), "lesson_text")
    assert text.textFormat() == Qt.RichText
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(text.text())
    assert doc.toPlainText() == "The LSTM's <tiny> race & more on the adding problem."
    assert window.config().task.name == "adding" and window.config().model.hidden_size == 4  # the form is set up
    assert not panel.answers[0].isVisible()
    qtbot.mouseClick(panel.findChild(type(panel.start_button), "lesson_show_answer_0"), Qt.LeftButton)
    assert panel.answers[0].isVisible()
    verdict = run_to_verdict(qtbot, panel)
    assert verdict.status == SHOWN and not verdict.changed
    assert [panel.step_done(i) for i in range(3)] == [True] * 3
    text = panel.verdict_view.toPlainText()
    assert "[yes] the LSTM trains its steps: lstm.steps = 5 >= 5" in text and "Verdict: shown" in text
    # the lesson's runs, saved in the run library, are then overlaid on the plots
    assert window.many.wait_loaded(60) and window.many.mode == "compare"
    assert len(window.many.all_runs) == 2


def test_a_claim_that_does_not_show_says_which_check_and_leaves_its_step_unticked(qtbot, window, tmp_path):
    panel = open_lesson(window, lesson_file(tmp_path, threshold="-1"))
    verdict = run_to_verdict(qtbot, panel)
    assert verdict.status == NOT_SHOWN
    assert panel.step_done(1) and not panel.step_done(2)
    assert "[no] the RNN's final loss is finite" in panel.verdict_view.toPlainText()


def test_a_changed_form_gives_a_verdict_for_a_changed_experiment(qtbot, window, tmp_path):
    panel = open_lesson(window, lesson_file(tmp_path))
    window.set_config(window.config().replace("model.hidden_size", 6))
    assert changes_from(panel.lesson, window.config()) == [("model.hidden_size", 6)]
    assert changes_from(panel.lesson, window.config().replace("model.cell", "gru")) == [("model.hidden_size", 6)]
    verdict = run_to_verdict(qtbot, panel)
    assert verdict.changed and "for a changed experiment" in panel.verdict_view.toPlainText()


def test_the_lessons_menu_lists_the_bundled_lessons(qtbot, window, tmp_path):
    names = [a.objectName() for a in window.lessons_menu.actions()]
    assert "action_lesson_01-forgetting" in names and "action_open_lesson" in names
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus.index("&Lessons") == len(menus) - 2  # before Help
    next(a for a in window.lessons_menu.actions() if a.objectName() == "action_lesson_01-forgetting").trigger()
    assert window.lesson_panel.lesson.name == "01-forgetting" and window.config().task.options["length"] == 100
    window.lesson_dock.resize(420, 800)
    assert_drawn(window)
    next(a for a in window.lessons_menu.actions() if a.objectName() == "action_lesson_04-tanh-range").trigger()
    panel = window.lesson_panel
    if not panel.lesson.runnable:
        assert not panel.start_button.isEnabled()
        assert panel.verdict.status == CANNOT_RUN and "cannot run yet" in panel.verdict_view.toPlainText()


def test_closing_the_window_mid_lesson_ends_the_run(qtbot, window, tmp_path):
    path = lesson_file(tmp_path)
    path.write_text(path.read_text().replace("steps = 5", "steps = 100000"), encoding="utf-8")
    panel = open_lesson(window, path)
    qtbot.mouseClick(panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "step" in panel.progress.text() and "Run 1" in panel.progress.text(), timeout=TIMEOUT)
    window.close()
    assert not panel.running


def test_presenter_mode_at_1024x768(qtbot, window, tmp_path):
    from rnnlab.app import theme

    window.resize(1024, 768)
    zoom = theme.zoom()
    assert "open a lesson" in window.presenter.text()
    panel = open_lesson(window, lesson_file(tmp_path))
    window.act_presenter.trigger()  # F11
    assert window.presenter.on and not window.experiment_dock.isVisible() and not window.lesson_dock.isVisible()
    assert window.presenter.banner.isVisible() and theme.zoom() >= 1.5
    assert window.presenter.label.text() == "Step 1: Start the race."
    run_to_verdict(qtbot, panel)
    window.presenter.refresh()
    assert window.presenter.label.text() == "Gates remember: shown"
    assert_drawn(window)
    window.act_presenter.trigger()
    assert not window.presenter.on and window.experiment_dock.isVisible() and theme.zoom() == zoom
    assert window.lesson_dock.isVisible()
    assert not window.presenter.banner.isVisible()


def test_teacher_saves_the_experiment_as_a_lesson_and_opens_it(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from rnnlab.app.lesson.lesson_panel import save_as_lesson

    window.set_config(window.config().with_changes([("training.steps", 3), ("model.hidden_size", 4)]))
    target = tmp_path / "shop-sales"
    assert save_as_lesson(window, target)
    panel = open_lesson(window, tmp_path / "shop-sales.toml")
    assert panel.lesson.title["en"] == "Shop sales" and panel.lesson.experiment.base == window.config()
    verdict = run_to_verdict(qtbot, panel)
    assert verdict.status in (SHOWN, NOT_SHOWN) and "run.test_rmse" in panel.verdict_view.toPlainText()
    assert save_as_lesson(window, target)  # its own lesson file: overwritten
    theirs = tmp_path / "notes.toml"
    theirs.write_text("my notes", encoding="utf-8")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    assert not save_as_lesson(window, theirs)
    assert theirs.read_text(encoding="utf-8") == "my notes" and "not a lesson rnnlab wrote" in warned[0]


def test_a_bundled_lesson_shortened_in_the_form_runs_to_a_verdict_for_a_changed_experiment(qtbot, window):
    next(a for a in window.lessons_menu.actions() if a.objectName() == "action_lesson_05-lstm-gates").trigger()
    panel = window.lesson_panel
    window.set_config(window.config().with_changes([("training.steps", 3), ("model.hidden_size", 4),
                                                    ("task.train_size", 200)]))
    verdict = run_to_verdict(qtbot, panel)
    assert verdict.changed and verdict.status in (SHOWN, NOT_SHOWN)
    assert "run.gate_f_mean = " in panel.verdict_view.toPlainText()
    assert "for a changed experiment" in panel.verdict_view.toPlainText()
    qtbot.waitUntil(lambda: bool(panel.shown_path), timeout=TIMEOUT)  # its one run, opened in the window
    assert panel.shown_path.endswith("run") and window.many.mode is None


def test_a_lesson_opened_while_the_window_trains_leaves_the_form_and_runs_its_own_experiment(qtbot, window, tmp_path):
    window.set_config(window.config().replace("training.steps", 100000))
    window.start_training()
    qtbot.waitUntil(window.is_training, timeout=TIMEOUT)
    panel = open_lesson(window, lesson_file(tmp_path))
    assert window.config().task.name == "forecast" and "training" in panel.progress.text()
    verdict = run_to_verdict(qtbot, panel)
    assert verdict.status == SHOWN and not verdict.changed  # the form's forecast settings are not the lesson's
    window.stop()
