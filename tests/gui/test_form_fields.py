"""The experiment form is built from the one description of the settings (rnnlab/schema.py): per task it shows
exactly the fields that task uses, its combo boxes offer the rules' choices, and a field that takes no effect is
disabled and says why. Drives the real ExperimentPanel offscreen."""

from html import escape

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from rnnlab import schema, tasks
from rnnlab.app import theme
from rnnlab.app.form.experiment_panel import ExperimentPanel
from rnnlab.config import experiment

pytestmark = pytest.mark.gui

NOT_FOR_VALUES = {"model.embedding_size", "training.tbptt"}  # forecasting and adding read numbers, not tokens
HIDDEN = {"forecast": NOT_FOR_VALUES, "adding": NOT_FOR_VALUES, "memory": {"training.tbptt"},
          "sentiment": {"training.tbptt"}, "tagging": {"training.tbptt"}, "dates": {"training.tbptt"},
          "charlm": {"model.bidirectional"}}


@pytest.fixture
def panel(qtbot):
    p = ExperimentPanel(experiment())
    qtbot.addWidget(p)
    p.show()
    yield p
    p.shutdown()


def choose_task(qtbot, panel, name: str) -> None:
    """Pick a task in the combo from the keyboard, as a user does: Home, then Down to it."""
    combo = panel.task_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)
    for _ in range(combo.findData(name)):
        qtbot.keyClick(combo, Qt.Key_Down)
    assert combo.currentData() == name and panel.config().task.name == name


def choose(qtbot, panel, key: str, value) -> None:
    combo = panel.editor(key)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)
    for _ in range(combo.findData(value)):
        qtbot.keyClick(combo, Qt.Key_Down)
    assert combo.currentData() == value


def shown(panel) -> set[str]:
    return {k for k, row in panel._fields.items() if row.isVisibleTo(panel)}


def label_of(panel, key):
    return panel._forms[key].labelForField(panel._fields[key])


def test_every_task_in_the_list_is_covered():
    assert set(HIDDEN) == set(tasks.names())


@pytest.mark.parametrize("name", tasks.names())
def test_the_form_shows_exactly_the_fields_of_the_chosen_task(qtbot, panel, name):
    choose_task(qtbot, panel, name)
    every = set(panel._fields)
    assert shown(panel) == {f.key for f in schema.fields(name)}
    assert every - shown(panel) == HIDDEN[name]
    for key in every:
        label = label_of(panel, key)
        assert label.isVisibleTo(panel) == (key not in HIDDEN[name])  # a hidden field's label goes with it
        if key in shown(panel):
            assert label.text() == schema.field(key, name).label
            assert escape(schema.field(key, name).help) in panel.editor(key).toolTip()
    assert {k for k in every if k.startswith("task.")} == {f"task.{o}" for o in tasks.get(name).options}


def test_switching_back_shows_the_hidden_fields_again(qtbot, panel):
    choose_task(qtbot, panel, "adding")
    assert "model.embedding_size" not in shown(panel)
    choose_task(qtbot, panel, "charlm")
    assert {"model.embedding_size", "training.tbptt"} <= shown(panel)


def test_a_bidirectional_tagger_switched_to_the_char_lm_becomes_one_direction(qtbot, panel):
    """A backward pass would read the next character, so the char-LM hides the box and the config refuses it;
    switching from the tagger (bidirectional by suggestion) gives a one-direction char-LM, not a refused form."""
    choose_task(qtbot, panel, "tagging")
    assert panel.config().model.bidirectional and panel.editor("model.bidirectional").isChecked()
    choose_task(qtbot, panel, "charlm")
    assert not panel.config().model.bidirectional and "model.bidirectional" not in shown(panel)
    assert panel.is_valid() and panel.errors() == {}


@pytest.mark.parametrize("name", ["forecast", "charlm", "tagging"])
def test_a_combo_offers_exactly_the_rules_choices(qtbot, panel, name):
    choose_task(qtbot, panel, name)
    combos = [f for f in schema.fields(name) if f.kind == "choice"]
    assert {"model.cell", "model.gate_init", "training.optimizer"} <= {f.key for f in combos}
    for f in combos:
        combo = panel.editor(f.key)
        assert [combo.itemData(i) for i in range(combo.count())] == list(f.rule.choices), f.key
        assert [combo.itemText(i) for i in range(combo.count())] == \
            [f.option.value_labels.get(v, v) for v in f.rule.choices]
    assert panel.editor("model.cell").itemText(panel.editor("model.cell").findData("rnn_tanh")) == \
        "Vanilla RNN (tanh)"
    device = panel.editor("training.device")
    assert device.itemData(0) == "auto" and device.findData("cpu") >= 0  # this computer's devices


def test_a_field_without_effect_is_disabled_and_says_why(qtbot, panel):
    momentum = panel.editor("training.momentum")
    assert panel.config().training.optimizer == "adam"
    assert not momentum.isEnabled() and not label_of(panel, "training.momentum").isEnabled()
    assert "Off: only with SGD or RMSprop." in momentum.toolTip()
    choose(qtbot, panel, "training.optimizer", "sgd")
    assert momentum.isEnabled() and label_of(panel, "training.momentum").isEnabled()
    assert "Off:" not in momentum.toolTip()

    norm = panel.editor("training.max_grad_norm")
    assert norm.isEnabled()
    panel.editor("training.clip_grad").setFocus()
    qtbot.keyClick(panel.editor("training.clip_grad"), Qt.Key_Space)
    assert panel.config().training.clip_grad is False and not norm.isEnabled()
    assert "only when Clip gradients is on" in norm.toolTip()

    gate = panel.editor("model.gate_init")
    choose(qtbot, panel, "model.cell", "rnn_tanh")
    assert not gate.isEnabled() and "a vanilla RNN has no memory gate" in gate.toolTip()
    choose(qtbot, panel, "model.cell", "gru")
    assert gate.isEnabled()


def test_a_field_changed_while_the_form_was_locked_is_still_off_when_unlocked(qtbot, panel):
    """The window locks the form while it prepares a run; a config set meanwhile must leave momentum off with Adam."""
    choose(qtbot, panel, "training.optimizer", "sgd")
    assert panel.editor("training.momentum").isEnabled()
    panel.set_locked(True)
    panel.set_config(panel.config().replace("training.optimizer", "adam"))
    panel.set_locked(False)
    assert not panel.editor("training.momentum").isEnabled()
    assert not label_of(panel, "training.momentum").isEnabled()


def test_a_refused_value_in_a_field_the_next_task_hides_does_not_keep_train_off(qtbot, panel):
    choose_task(qtbot, panel, "charlm")
    size = panel.config().model.embedding_size
    editor = panel.editor("model.embedding_size")
    editor.selectAll()
    qtbot.keyClicks(editor, "0")
    assert not panel.is_valid() and "model.embedding_size" in panel.errors()
    choose_task(qtbot, panel, "forecast")
    assert panel.is_valid() and panel.errors() == {} and panel.message_line.text() == ""
    assert panel.config().model.embedding_size == size
    choose_task(qtbot, panel, "charlm")
    assert editor.text() == str(panel.config().model.embedding_size)  # the refused "0" is gone


@pytest.mark.slow
def test_every_row_is_readable_at_1024x768_and_at_130_percent(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(1024, 768)
    panel = ExperimentPanel(experiment())
    row = QHBoxLayout(host)
    row.addWidget(panel)
    row.addWidget(QLabel("the plots"), 1)
    host.show()
    app = QApplication.instance()
    sheet, palette, style = app.styleSheet(), app.palette(), app.style().name()
    theme.apply(app, plots=False)  # the app's style sheet: it changes how fonts pass from parent to child
    base = panel.editor("model.hidden_size").font().pointSizeF()
    try:
        for zoom in (1.0, 1.3):
            previous = theme.zoom()
            theme.set_zoom(zoom)
            theme.scale_fonts((panel,), previous)
            panel.refresh_fonts()
            for name in ("forecast", "adding", "charlm"):
                choose_task(qtbot, panel, name)
                for _ in range(3):
                    QApplication.processEvents()
                assert panel.body.width() <= panel.scroll.viewport().width()  # nothing cut on the right
                size = panel.editor("model.hidden_size").font().pointSizeF()
                assert size == pytest.approx(base * zoom, abs=0.1)
                for key in shown(panel):
                    label, editor = label_of(panel, key), panel.editor(key)
                    # the task's rows, made after the zoom, as large as the rest
                    assert label.font().pointSizeF() == size, (zoom, name, key)
                    if isinstance(editor, QLineEdit):
                        assert editor.font().pointSizeF() == size, (zoom, name, key)
                    assert label.width() >= label.sizeHint().width(), (zoom, name, key)  # the label is whole
                    if isinstance(editor, QCheckBox):
                        continue
                    assert editor.width() >= 8 * editor.fontMetrics().averageCharWidth(), (zoom, name, key)
                    assert editor.height() >= editor.fontMetrics().height(), (zoom, name, key)  # text not clipped
    finally:
        previous = theme.zoom()
        theme.set_zoom(1.0)
        theme.scale_fonts((panel,), previous)
        app.setStyleSheet(sheet)
        app.setPalette(palette)
        app.setStyle(style)
        panel.shutdown()
