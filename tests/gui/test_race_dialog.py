"""The race dialog: cells by default, or one setting with 2 to 4 values checked by the config's own rules; a value
the config refuses is shown with its reason under the field and Start stays disabled."""

from rnnlab import config
from rnnlab.app.many.race_dialog import RaceDialog

from helpers import assert_drawn


def dialog(qtbot, task="adding"):
    cfg = config.RunConfig().replace("task.name", task)
    d = RaceDialog(cfg)
    qtbot.addWidget(d)
    d.show()
    return d


def choose_field(qtbot, d, key):
    d.field.setCurrentIndex(d.field.findData(key))
    d.by_field.setChecked(True)


def type_values(qtbot, d, text):
    d.values.clear()
    qtbot.keyClicks(d.values, text)


def test_cells_by_default_and_two_to_four_of_them(qtbot):
    d = dialog(qtbot)
    assert d.choice() == ("model.cell", ["rnn_tanh", "lstm", "gru"]) and d.start.isEnabled()
    d.cells["rnn_tanh"].click()
    d.cells["rnn_relu"].click()
    assert d.choice() == ("model.cell", ["rnn_relu", "lstm", "gru"])
    for cell in ("rnn_relu", "lstm"):
        d.cells[cell].click()
    assert not d.start.isEnabled() and d.error.text() == "Choose 2 to 4 cells." and d.choice() == ("", [])


def test_learning_rates_and_a_bad_value_refused_with_the_config_message(qtbot):
    d = dialog(qtbot)
    choose_field(qtbot, d, "training.learning_rate")
    type_values(qtbot, d, "0.01, 0.001")
    assert d.choice() == ("training.learning_rate", [0.01, 0.001]) and d.start.isEnabled() and d.error.text() == ""
    type_values(qtbot, d, "0.01, fast")
    assert not d.start.isEnabled() and d.choice() == ("", [])
    assert d.error.text() == ("training.learning_rate = 'fast' is not allowed: must be a finite number greater than "
                              "0 and at most 10")
    type_values(qtbot, d, "0.01")
    assert "2 to 4 values" in d.error.text() and not d.start.isEnabled()
    type_values(qtbot, d, "0.01, 0.010")
    assert "must differ" in d.error.text()
    d.cells["gru"].click()  # back to cells: the cell choice counts again
    assert d.by_cell.isChecked() and d.choice()[0] == "model.cell" and d.start.isEnabled()


def test_the_task_distance_clipping_and_gate_init(qtbot):
    d = dialog(qtbot, "memory")
    keys = [d.field.itemData(i) for i in range(d.field.count())]
    assert keys == ["task.gap", "training.clip_grad", "model.bidirectional", "training.learning_rate",
                    "model.gate_init"]
    choose_field(qtbot, d, "task.gap")
    assert d.values.text() == "10, 20" and d.choice() == ("task.gap", [10, 20])
    type_values(qtbot, d, "10, 100, 1.5")
    assert not d.start.isEnabled() and "task.gap = 1.5 is not allowed" in d.error.text()
    choose_field(qtbot, d, "training.clip_grad")
    assert d.choice() == ("training.clip_grad", [True, False])
    choose_field(qtbot, d, "model.gate_init")
    type_values(qtbot, d, "default, chrono, open")
    assert d.choice() == ("model.gate_init", ["default", "chrono", "open"])
    adding = dialog(qtbot, "adding")
    assert adding.field.itemData(0) == "task.length"
    assert_drawn(d)


def test_the_char_lm_race_does_not_offer_bidirectional(qtbot):
    """A bidirectional char-LM reads the character it predicts: the config refuses it, so no race offers it."""
    assert dialog(qtbot, "charlm").field.findData("model.bidirectional") == -1
    assert dialog(qtbot, "tagging").field.findData("model.bidirectional") >= 0
