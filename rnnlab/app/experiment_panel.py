"""The experiment form: a view of the ONE RunConfig. Every edit goes through `RunConfig.replace`, so the form shows the
config module's own rule and message at the field that broke it, and Train stays disabled until it is fixed.

    widget edited ──> _edited(key, text) ──> cfg.replace(key, value) ──ok──> config_changed(cfg)
                                                      └──ConfigError──> field marked red + message under it,
                                                                        validity_changed(False)
    set_config(cfg) ──> every widget updated with its signals blocked (no loops)

Task options are generated from `Task.options` (their help is the tooltip); choosing a task applies its `suggested`
settings, so every task opens on a sensible first experiment.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from .. import config as config_mod
from .. import tasks
from ..config import RunConfig, SECTION_RULES
from ..errors import ConfigError

CELL_LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn_tanh": "Vanilla RNN (tanh)", "rnn_relu": "Vanilla RNN (ReLU)"}
OPTIMIZER_LABELS = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}

# (key, label, one-sentence tooltip). The order is the order on screen.
MODEL_FIELDS = [
    ("model.cell", "Cell", "The recurrent cell: LSTM and GRU have gates that keep information over long spans; a "
                           "vanilla RNN has none."),
    ("model.num_layers", "Layers", "How many recurrent layers are stacked; each reads the hidden states of the one "
                                   "below."),
    ("model.hidden_size", "Hidden size", "Units in each layer's hidden state: the width of the network's memory."),
    ("model.bidirectional", "Bidirectional", "Add a pass that reads each sequence backwards; the head sees both "
                                             "directions."),
    ("model.dropout", "Dropout", "Share of activations zeroed at random during training, between layers and before "
                                 "the head (0 = off)."),
    ("model.embedding_size", "Embedding size", "Width of the learned vector of each token (only for tasks whose "
                                               "inputs are words or characters)."),
    ("model.gate_init", "Memory gate init", "How the gate that keeps the state starts (LSTM forget, GRU update): "
                                            "torch's default (half open), open, or chrono (many time scales)."),
]
TRAINING_FIELDS = [
    ("training.optimizer", "Optimizer", "How the weights follow the gradient: Adam (adaptive, a safe default), SGD or "
                                        "RMSprop."),
    ("training.learning_rate", "Learning rate", "Step size of each weight update: too high diverges, too low "
                                                "learns slowly."),
    ("training.momentum", "Momentum", "SGD and RMSprop only: how much of the previous update is carried into the "
                                      "next (0 = none)."),
    ("training.batch_size", "Batch size", "Examples averaged in each optimizer step."),
    ("training.steps", "Steps", "How many optimizer steps to train (used when epochs is 0)."),
    ("training.epochs", "Epochs", "Train this many passes over the training data instead of a number of steps "
                                  "(0 = use steps)."),
    ("training.clip_grad", "Clip gradients", "Scale the gradient down whenever its norm exceeds the maximum: stops "
                                             "exploding gradients."),
    ("training.max_grad_norm", "Max gradient norm", "The largest gradient norm allowed when clipping is on."),
    ("training.tbptt", "Truncated BPTT", "Chunk length for tasks that read one long stream: gradients flow back "
                                         "at most this many steps (0 = the task's choice)."),
    ("training.weight_decay", "Weight decay", "Pulls every weight slightly towards zero at each step (L2 "
                                              "regularisation)."),
    ("training.seed", "Seed", "Random seed: the same seed and settings give the same weights and curves on the CPU."),
    ("training.device", "Device", "Where to train: the CPU or a GPU this computer has."),
]
ADVANCED_FIELDS = [
    ("training.eval_every", "Validate every", "Optimizer steps between validation passes (0 = automatic, a few "
                                              "percent of the training time)."),
    ("training.probe_every", "Probe every", "Optimizer steps between gate probes (0 = automatic)."),
    ("training.threads", "CPU threads", "Threads torch trains with on the CPU (0 = automatic: all cores but one, "
                                        "at most 4)."),
]
FIELD_TIPS = {k: tip for k, _, tip in MODEL_FIELDS + TRAINING_FIELDS + ADVANCED_FIELDS}


def rule_choices(rule) -> Optional[list[str]]:
    """The allowed values of a `choice(...)` rule (its description lists them), else None."""
    explicit = getattr(rule, "choices", None)
    if explicit:
        return list(explicit)
    m = re.fullmatch(r"must be one of (.+)", rule.describe)
    if not m:
        return None
    return re.findall(r"'([^']*)'", m.group(1))


def _rule_for(key: str):
    section, _, name = key.partition(".")
    return SECTION_RULES.get(section, {}).get(name)


def _kind_of(default: Any, rule) -> str:
    if rule is not None and rule_choices(rule) is not None:
        return "choice"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "text"


def parse(kind: str, text: str):
    """Text typed into a number field -> a number; anything else is passed on for the rule to reject by name."""
    s = text.strip()
    if kind == "int":
        try:
            return int(s)
        except ValueError:
            try:
                f = float(s)
            except ValueError:
                return s
            return int(f) if f.is_integer() else f
    if kind == "float":
        try:
            return float(s)
        except ValueError:
            return s
    return text


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Field(QWidget):
    """One editor, its error message underneath, and its tooltip."""

    edited = Signal(str, object)  # key, raw value

    def __init__(self, key: str, kind: str, tip: str, describe: str, choices=None, labels=None, browse=False):
        super().__init__()
        self.key, self.kind = key, kind
        self.describe = describe
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if kind == "bool":
            self.editor = QCheckBox()
            self.editor.toggled.connect(lambda v: self.edited.emit(self.key, bool(v)))
        elif kind == "choice":
            self.editor = QComboBox()
            self.editor.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            self.editor.setMinimumContentsLength(8)
            for value in choices:
                self.editor.addItem((labels or {}).get(value, value), value)
            self.editor.activated.connect(lambda _i: self.edited.emit(self.key, self.editor.currentData()))
        else:
            self.editor = QLineEdit()
            self.editor.textEdited.connect(lambda text: self.edited.emit(self.key, parse(self.kind, text)))
        self.editor.setObjectName(key)
        full_tip = f"{escape(tip)}<br><i>{key}: {escape(describe)}</i>" if describe else escape(tip)
        self.editor.setToolTip(full_tip)
        row.addWidget(self.editor, 1)
        if browse:
            button = QPushButton("…")
            button.setFixedWidth(28)
            button.setToolTip("Choose a file.")
            button.clicked.connect(self._browse)
            row.addWidget(button)
        layout.addLayout(row)
        self.error = QLabel(wordWrap=True)
        self.error.setTextFormat(Qt.PlainText)  # messages quote user input verbatim
        self.error.setObjectName("fieldError")
        self.error.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.error.hide()
        layout.addWidget(self.error)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a CSV file", "", "CSV files (*.csv);;All files (*)")
        if path:
            self.editor.setText(path)
            self.edited.emit(self.key, path)

    def set_value(self, value: Any) -> None:
        self.editor.blockSignals(True)
        try:
            if self.kind == "bool":
                self.editor.setChecked(bool(value))
            elif self.kind == "choice":
                index = self.editor.findData(value)
                if index < 0:
                    self.editor.addItem(f"{value} (not available here)", value)
                    index = self.editor.count() - 1
                self.editor.setCurrentIndex(index)
            else:
                if self.editor.text() != fmt(value) and parse(self.kind, self.editor.text()) != value:
                    self.editor.setText(fmt(value))
        finally:
            self.editor.blockSignals(False)

    def set_error(self, message: Optional[str]) -> None:
        self.editor.setProperty("invalid", bool(message))
        self.editor.style().unpolish(self.editor)
        self.editor.style().polish(self.editor)
        self.error.setText(message or "")
        self.error.setVisible(bool(message))


class ExperimentPanel(QScrollArea):
    """Task, model and training settings, bound to one RunConfig."""

    config_changed = Signal(object)  # the new valid RunConfig
    validity_changed = Signal(bool)  # False while some field holds a value the config rejects

    def __init__(self, cfg: RunConfig, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._cfg = cfg
        self._fields: dict[str, Field] = {}
        self._pending: dict[str, Any] = {}  # key -> rejected raw value still shown in its field
        self._errors: dict[str, str] = {}
        self._valid = True
        body = QWidget()
        self.setWidget(body)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(6, 6, 6, 6)

        # Task: chooser, description, data preview.
        task_box = QGroupBox("Task")
        task_form = QVBoxLayout(task_box)
        self.task_combo = QComboBox()
        self.task_combo.setObjectName("task.name")
        self.task_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.task_combo.setMinimumContentsLength(14)
        self.task_combo.setToolTip("What the network learns. Choosing a task loads its suggested settings.")
        for cls in tasks.all_tasks():
            self.task_combo.addItem(f"{cls.title}", cls.name)
        self.task_combo.activated.connect(lambda _i: self.set_task(self.task_combo.currentData()))
        self.task_description = QLabel(wordWrap=True)
        self.task_description.setObjectName("taskDescription")
        self.task_description.setTextFormat(Qt.RichText)
        self.preview_holder = QVBoxLayout()
        self.preview_holder.setContentsMargins(0, 0, 0, 0)
        task_form.addWidget(self.task_combo)
        task_form.addWidget(self.task_description)
        task_form.addLayout(self.preview_holder)
        self._preview_widget: Optional[QWidget] = None
        self._layout.addWidget(task_box)

        self.options_box = QGroupBox("Task options")
        self.options_form = QFormLayout(self.options_box)
        self._tune_form(self.options_form)
        self._layout.addWidget(self.options_box)

        for title, fields in (("Model", MODEL_FIELDS), ("Training", TRAINING_FIELDS), ("Advanced", ADVANCED_FIELDS)):
            box = QGroupBox(title)
            form = QFormLayout(box)
            self._tune_form(form)
            for key, label, tip in fields:
                self._add_field(form, key, label, tip)
            self._layout.addWidget(box)
        self._layout.addStretch(1)
        self._build_task_options()
        self._refresh_all()

    @staticmethod
    def _tune_form(form: QFormLayout) -> None:
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.DontWrapRows)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        form.setContentsMargins(6, 4, 6, 4)
        form.setVerticalSpacing(4)

    def _add_field(self, form: QFormLayout, key: str, label: str, tip: str, default=None, rule=None) -> Field:
        rule = rule if rule is not None else _rule_for(key)
        if default is None:
            default = self._value(key)
        kind = _kind_of(default, rule)
        choices, labels = None, None
        if key == "training.device":
            kind = "choice"
            from ..train import devices

            found = devices.available()
            choices = ["auto"] + [v for v, _ in found]
            labels = {"auto": "Automatic (best here)", **dict(found)}
        elif kind == "choice":
            choices = rule_choices(rule)
            labels = {**CELL_LABELS, **OPTIMIZER_LABELS} if key in ("model.cell", "training.optimizer") else None
        describe = rule.describe if rule is not None else ""
        field = Field(key, kind, tip, describe, choices, labels, browse=key.endswith("_path"))
        field.edited.connect(self._edited)
        form.addRow(label, field)
        self._fields[key] = field
        return field

    # --- public ------------------------------------------------------------------------------------------------------

    def config(self) -> RunConfig:
        """The last valid config (fields showing an error are not in it)."""
        return self._cfg

    def is_valid(self) -> bool:
        return not self._errors

    def errors(self) -> dict[str, str]:
        """Field key -> the message shown under it."""
        return dict(self._errors)

    def editor(self, key: str) -> QWidget:
        """The editor widget of a field ('model.hidden_size', 'task.window', 'task.name')."""
        if key == "task.name":
            return self.task_combo
        return self._fields[key].editor

    def set_config(self, cfg: RunConfig) -> None:
        """Show another config (Open run, the API); clears every pending error."""
        rebuild = cfg.task.name != self._cfg.task.name
        self._cfg = cfg
        self._pending.clear()
        self._errors.clear()
        if rebuild:
            self._build_task_options()
        self._refresh_all()
        self._emit_validity()

    def set_task(self, name: str) -> None:
        """Switch task: its default options plus its suggested settings (Task.suggested)."""
        if name == self._cfg.task.name:
            return
        cfg = with_task(self._cfg, name)
        for key in [k for k in self._pending if k.startswith("task.")]:
            self._pending.pop(key)
            self._errors.pop(key, None)
        self._cfg = cfg
        self._build_task_options()
        self._retry_pending()
        self._refresh_all()
        self._emit_validity()
        self.config_changed.emit(self._cfg)

    def set_locked(self, locked: bool) -> None:
        """While a run trains, its settings cannot change."""
        self.widget().setEnabled(not locked)

    def set_preview(self, preview: Optional[QWidget]) -> None:
        """A small look at the task's data, made by the window once the task is loaded."""
        if self._preview_widget is not None:
            self.preview_holder.removeWidget(self._preview_widget)
            self._preview_widget.deleteLater()
        self._preview_widget = preview
        if preview is not None:
            self.preview_holder.addWidget(preview)

    # --- editing -----------------------------------------------------------------------------------------------------

    def _edited(self, key: str, raw: Any) -> None:
        before = self._cfg
        try:
            self._cfg = self._check(self._cfg.replace(key, raw), key)
        except ConfigError as exc:
            self._pending[key] = raw
            self._errors[key] = str(exc)
            self._fields[key].set_error(str(exc))
        else:
            self._pending.pop(key, None)
            self._errors.pop(key, None)
            self._fields[key].set_error(None)
        self._retry_pending()
        self._refresh_dependent()
        self._emit_validity()
        if self._cfg != before:
            self.config_changed.emit(self._cfg)

    def _check(self, cfg: RunConfig, key: str) -> RunConfig:
        """Checks the config module cannot make on its own: the device must exist on this computer."""
        if key == "training.device":
            from ..train import devices

            devices.resolve(cfg.training.device)
        return cfg

    def _retry_pending(self) -> None:
        """A rejected value may fit now that another field changed (a longer series, a shorter window)."""
        for key, raw in list(self._pending.items()):
            try:
                self._cfg = self._check(self._cfg.replace(key, raw), key)
            except ConfigError as exc:
                self._errors[key] = str(exc)
                if key in self._fields:
                    self._fields[key].set_error(str(exc))
            else:
                self._pending.pop(key)
                self._errors.pop(key, None)
                if key in self._fields:
                    self._fields[key].set_error(None)

    def _emit_validity(self) -> None:
        valid = not self._errors
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    # --- widgets <- config -----------------------------------------------------------------------------------------

    def _value(self, key: str):
        section, _, name = key.partition(".")
        if section == "task":
            return self._cfg.task.options.get(name)
        return getattr(getattr(self._cfg, section), name)

    def _build_task_options(self) -> None:
        for key in [k for k in self._fields if k.startswith("task.")]:
            self._fields.pop(key)
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        cls = tasks.get(self._cfg.task.name)
        for name, opt in cls.options.items():
            self._add_field(self.options_form, f"task.{name}", option_label(name), opt.help, default=opt.default, rule=opt.rule)
        self.options_box.setVisible(bool(cls.options))
        self.task_combo.setCurrentIndex(max(0, self.task_combo.findData(cls.name)))
        self.task_description.setText(f"<b>{escape(cls.shape)}</b> · {escape(cls.description)}")

    def _refresh_all(self) -> None:
        for key, field in self._fields.items():
            if key in self._pending:
                continue
            field.set_value(self._value(key))
            field.set_error(self._errors.get(key))
        self._refresh_dependent()

    def _refresh_dependent(self) -> None:
        """Fields that only matter in some settings are disabled otherwise (their value stays in the config)."""
        t = self._cfg.training
        self._fields["training.momentum"].editor.setEnabled(t.optimizer in ("sgd", "rmsprop"))
        self._fields["training.max_grad_norm"].editor.setEnabled(t.clip_grad)
        self._fields["model.dropout"].setToolTip("" if self._cfg.model.num_layers > 1 else
                                                 "With one layer, dropout acts only before the head.")


def with_task(cfg: RunConfig, name: str) -> RunConfig:
    """`cfg` switched to task `name`: its default options plus its suggested settings (Task.suggested)."""
    cfg = cfg.replace("task.name", name)
    for key, value in tasks.get(name).suggested.items():
        try:
            cfg = cfg.replace(key, value)
        except ConfigError:  # a suggestion that does not fit (a bug in the task): skip it, keep the rest
            pass
    return cfg


def default_config() -> RunConfig:
    """The first-start experiment: an LSTM on airline passengers with the forecast task's suggested settings."""
    cfg = config_mod.from_dict(config_mod.to_dict(RunConfig()))
    return with_task(cfg, cfg.task.name)


_LABEL_WORDS = {"csv": "CSV", "conllu": "CoNLL-U", "val": "validation", "freq": "frequency", "eval": "evaluation"}


def option_label(name: str) -> str:
    """A task option's form label from its key: csv_path -> CSV path, val_fraction -> Validation fraction."""
    words = [_LABEL_WORDS.get(w, w) for w in name.split("_")]
    first = words[0]
    return " ".join([first if first.isupper() or "-" in first else first.capitalize(), *words[1:]])
