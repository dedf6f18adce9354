"""Run > Race...: choose what differs between the runners of a race, the rest being the current experiment.

By default the cell (2 to 4 of vanilla RNN tanh / ReLU, LSTM, GRU); or one setting with 2 to 4 values. Every value
is checked by the config's own rules (RunConfig.replace) as it is typed, and the reason a value is refused is shown
under the field, with Start disabled, so a race never starts on a config that would fail in its workers.

    dialog = RaceDialog(cfg, parent=window)
    if dialog.exec():
        key, values = dialog.choice()      # ("model.cell", ["rnn_tanh", "lstm", "gru"])
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel,
                               QLineEdit, QRadioButton, QVBoxLayout, QWidget)

from ... import schema
from ...config import CELLS, RunConfig, to_dict
from ...errors import ConfigError
from ...train.advice import CELL_NAMES
from ...i18n import N_, _, ngettext

MIN_RUNNERS, MAX_RUNNERS = 2, 4
DEFAULT_CELLS = ("rnn_tanh", "lstm", "gru")
TASK_DISTANCES = ("gap", "length")  # the option that sets how far a memory task's answer lies from its clue
BOOL_WORDS = {"on": True, "off": False, "true": True, "false": False, "yes": True, "no": False}


def fields(base: RunConfig) -> list[tuple[str, str, str]]:
    """The settings a race can vary, as (key, title, values suggested for it)."""
    out = []
    options = base.task.options
    for name in TASK_DISTANCES:
        if name in options:
            out.append((f"task.{name}", f"task {name}", f"{options[name]}, {options[name] * 2}"))
    lr = base.training.learning_rate
    out += [("training.clip_grad", _("gradient clipping"), _("on, off")),
            ("model.bidirectional", "bidirectional", _("off, on")),
            ("training.learning_rate", _("learning rate"), f"{lr:g}, {lr / 10:g}"),
            ("model.gate_init", _("memory gate init"), _("default, chrono"))]
    return [row for row in out if schema.field(row[0], base.task.name).applies_to(base.task.name)]


def parse_value(text: str) -> Any:
    """A typed value as the config wants it: on/off words as booleans, numbers as numbers, the rest as text."""
    word = text.strip()
    if word.lower() in BOOL_WORDS:
        return BOOL_WORDS[word.lower()]
    for kind in (int, float):
        try:
            return kind(word)
        except ValueError:
            pass
    return word


def value_of(cfg: RunConfig, key: str) -> Any:
    section, _, name = key.partition(".")
    data = to_dict(cfg)
    return data["task"]["options"][name] if section == "task" else data[section][name]


def check_values(base: RunConfig, key: str, texts: list[str]) -> tuple[list, str]:
    """The values as the config reads them, and "" or why they cannot make a race."""
    if not MIN_RUNNERS <= len(texts) <= MAX_RUNNERS:
        return [], _("Give {MIN_RUNNERS} to {MAX_RUNNERS} values, separated by commas.").format(MIN_RUNNERS=MIN_RUNNERS, MAX_RUNNERS=MAX_RUNNERS)
    values = []
    for text in texts:
        try:
            values.append(value_of(base.replace(key, parse_value(text)), key))
        except ConfigError as exc:
            return [], str(exc)
    if len(set(map(repr, values))) != len(values):
        return [], _("The values must differ: each runner gets one.")
    return values, ""


class RaceDialog(QDialog):
    def __init__(self, base: RunConfig, parent: Optional[QWidget] = None):
        super().__init__(parent)
        self.base = base
        self.setWindowTitle(_("Race"))
        intro = QLabel(_("Runs of the current experiment start together with the same seed and data order, each in "
                       "its own process. Only what you choose here differs between them."))
        intro.setWordWrap(True)

        self.by_cell = QRadioButton(_("Cell"))
        self.by_field = QRadioButton(_("One setting"))
        group = QButtonGroup(self)
        group.addButton(self.by_cell)
        group.addButton(self.by_field)
        self.by_cell.setChecked(True)

        self.cells = {c: QCheckBox(CELL_NAMES.get(c, c)) for c in CELLS}
        for cell, box in self.cells.items():
            box.setChecked(cell in DEFAULT_CELLS)
            box.toggled.connect(self._check)
        self.field = QComboBox()
        self._fields = fields(base)
        for key, title, _unused in self._fields:
            self.field.addItem(title, key)
        self.values = QLineEdit()
        self.values.setPlaceholderText(_("values, separated by commas"))
        self.field.currentIndexChanged.connect(self._field_changed)
        self.values.textChanged.connect(self._check)
        self.by_cell.toggled.connect(self._check)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #B00020")

        grid = QGridLayout()
        grid.addWidget(self.by_cell, 0, 0)
        cells = QGridLayout()
        for i, box in enumerate(self.cells.values()):
            cells.addWidget(box, i // 2, i % 2)
        grid.addLayout(cells, 0, 1)
        grid.addWidget(self.by_field, 1, 0)
        grid.addWidget(self.field, 1, 1)
        grid.addWidget(self.values, 2, 1)
        grid.addWidget(self.error, 3, 1)
        grid.setColumnStretch(1, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.start = self.buttons.addButton(_("Start race"), QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self._choice: tuple[str, list] = ("", [])
        self._field_changed()
        # touching a side of the form chooses it
        self.field.activated.connect(lambda _unused: self.by_field.setChecked(True))
        self.values.textEdited.connect(lambda _unused: self.by_field.setChecked(True))
        for box in self.cells.values():
            box.clicked.connect(lambda _unused: self.by_cell.setChecked(True))

    def choice(self) -> tuple[str, list]:
        """(key, values) of the race as chosen; values as the config reads them."""
        return self._choice

    def _field_changed(self) -> None:
        self.values.setText(self._fields[self.field.currentIndex()][2])
        self._check()

    def _check(self) -> None:
        if self.by_cell.isChecked():
            key = "model.cell"
            texts = [c for c, box in self.cells.items() if box.isChecked()]
            if not MIN_RUNNERS <= len(texts) <= MAX_RUNNERS:
                values, error = [], _("Choose {MIN_RUNNERS} to {MAX_RUNNERS} cells.").format(MIN_RUNNERS=MIN_RUNNERS, MAX_RUNNERS=MAX_RUNNERS)
            else:
                values, error = check_values(self.base, key, texts)
        else:
            key = self.field.currentData()
            texts = [t.strip() for t in self.values.text().split(",") if t.strip()]
            values, error = check_values(self.base, key, texts)
        self._choice = (key, values) if not error else ("", [])
        self.error.setText(error)
        self.start.setEnabled(not error)
