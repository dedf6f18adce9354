"""The experiment form: a view of the ONE RunConfig. Every edit goes through `RunConfig.replace`, so the form shows the
config module's own rule and message at the field that broke it, and Train stays disabled until it is fixed.

    widget edited ──> _edited(key, text) ──> cfg.replace(key, value) ──ok──> config_changed(cfg)
                                                      └──ConfigError──> field marked red + message under it,
                                                                        validity_changed(False)
    set_config(cfg) ──> every widget updated with its signals blocked (no loops)

Every row is made from the field's description (`rnnlab/schema.py`): label, editor kind, choices, tooltip. A field
that does not apply to the chosen task (embedding size for forecasting) is hidden with its label; one that takes no
effect in the current settings (momentum with Adam) is disabled and its tooltip says why. Choosing a task applies
its `suggested` settings, so every task opens on a sensible first experiment.

A task switch starts from the new task's suggested experiment, never from the old lesson's settings (SGD from the
clipping lesson would silently spoil the tagging one; issue 19, item 2). What the user had changed by hand (the model
and training settings that differed from the old task's suggested experiment) is not carried over: the line under
the form names it, with one click ("Keep them") to bring it back. Only this computer's settings (device, CPU
threads) stay as they were.
"""

from __future__ import annotations

from html import escape
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ... import config as config_mod
from ... import schema, tasks
from ...config import RunConfig
from ...errors import ConfigError
from .. import places
from . import userfiles
from ... import i18n
from ...i18n import N_, _, ngettext

MACHINE_FIELDS = ("training.device", "training.threads")  # about this computer, not the lesson: kept on a task switch

# The boxes of model and training fields, top to bottom; within a box, fields keep the description's order.
GROUPS = ("Model", "Training", "Advanced")
GROUP_TITLES = {"Model": N_("Model"), "Training": N_("Training"), "Advanced": N_("Advanced")}


def group_of(f: schema.Field) -> str:
    """The box a model or training field goes in: its section's, or Advanced."""
    return "Advanced" if f.option.advanced else f.section.title()


def parse(kind: str, text: str):
    """Text typed into a number field -> a number; anything else is passed on for the rule to reject by name.
    In a language that writes decimals with a comma (Turkish: 0,005) the comma is read as the decimal mark too; in
    English a comma stays an error (1,000 would be ambiguous). Config files always hold dots."""
    s = text.strip()
    if kind in ("int", "float") and i18n.decimal_comma() and s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
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
    """A value as its field shows it: decimals with the language's mark (0,001 in Turkish)."""
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if i18n.decimal_comma() else text
    return str(value)


def decimal_hint() -> str:
    """The tooltip's line on how to type a decimal number in the current language."""
    if i18n.decimal_comma():
        return _("Type decimals with a comma or a dot: {comma} or {dot}.").format(comma="0,005", dot="0.005")
    return _("Type decimals with a dot: {dot}.").format(dot="0.005")


class WheelSafeCombo(QComboBox):
    """A combo box that takes the mouse wheel only when it has the focus: scrolling the form over it scrolls the form
    (issue 9, item 3: scrolling over the Cell box switched LSTM to GRU)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)  # not WheelFocus: a wheel turn must not focus it either

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # goes on to the scroll area


class FieldRow(QWidget):
    """One field's editor (the widget its kind calls for), its tooltip, and its error state."""

    edited = Signal(str, object)  # key, raw value

    def __init__(self, f: schema.Field):
        super().__init__()
        self.key, self.kind, self.field = f.key, f.kind, f
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if f.kind == "bool":
            self.editor = QCheckBox()
            self.editor.toggled.connect(lambda v: self.edited.emit(self.key, bool(v)))
        elif f.kind in ("choice", "device"):
            self.editor = WheelSafeCombo()
            self.editor.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            self.editor.setMinimumContentsLength(8)
            for value, label in _choices(f):
                self.editor.addItem(label, value)
            self.editor.activated.connect(lambda _i: self.edited.emit(self.key, self.editor.currentData()))
        else:
            self.editor = QLineEdit()
            self.editor.textEdited.connect(lambda text: self.edited.emit(self.key, parse(self.kind, text)))
        self.editor.setObjectName(f.key)
        self.tip = self._base_tip()
        self.editor.setToolTip(self.tip)
        layout.addWidget(self.editor, 1)
        if f.kind == "path":
            button = QPushButton("…")
            button.setFixedWidth(28)
            button.setToolTip(_("Choose a file."))
            button.clicked.connect(self._browse)
            layout.addWidget(button)
        self.message = ""  # the error shown for this field (in the panel's message line and the tooltip)
        self._note = ""  # 'Checking the file…'
        self.off_reason = ""  # why the field takes no effect now (it is disabled)

    def _base_tip(self) -> str:
        f = self.field
        unit = f" ({escape(_(f.option.unit))})" if f.option.unit else ""
        tip = f"{escape(f.help)}<br><i>{f.key}{unit}: {escape(f.rule.must())}</i>"
        return tip + (f"<br><i>{escape(decimal_hint())}</i>" if f.kind == "float" else "")

    def retranslate(self) -> None:
        """The tooltip, the choices' names and a number's decimal mark in the current language (value kept)."""
        value = self.raw()
        self.tip = self._base_tip()
        if self.kind in ("choice", "device"):
            for i, (choice, label) in enumerate(_choices(self.field)):
                index = self.editor.findData(choice)
                if index >= 0:
                    self.editor.setItemText(index, label)
        elif self.kind in ("int", "float") and not isinstance(value, str):
            self.editor.blockSignals(True)
            self.editor.setText(fmt(value))
            self.editor.blockSignals(False)
        if self.field.option.when is not None and self.off_reason:
            self.off_reason = _(self.field.option.when.text)
        self._show_tip()

    def _browse(self) -> None:
        path, _unused = QFileDialog.getOpenFileName(self, _("{label}: choose a file").format(label=self.field.label), places.last_folder("data"),
                                              self.field.option.files or _("All files (*)"))
        if path:
            places.remember_folder("data", path)
            self.editor.setText(path)
            self.edited.emit(self.key, path)

    def raw(self) -> Any:
        """What the editor holds now, as the form reads it."""
        if self.kind == "bool":
            return self.editor.isChecked()
        if self.kind in ("choice", "device"):
            return self.editor.currentData()
        return parse(self.kind, self.editor.text())

    def set_value(self, value: Any) -> None:
        self.editor.blockSignals(True)
        try:
            if self.kind == "bool":
                self.editor.setChecked(bool(value))
            elif self.kind in ("choice", "device"):
                index = self.editor.findData(value)
                if index < 0:
                    self.editor.addItem(_("{value} (not available here)").format(value=value), value)
                    index = self.editor.count() - 1
                self.editor.setCurrentIndex(index)
            else:
                if self.editor.text() != fmt(value) and parse(self.kind, self.editor.text()) != value:
                    self.editor.setText(fmt(value))
        finally:
            self.editor.blockSignals(False)

    def set_error(self, message: Optional[str]) -> None:
        """Mark the field red; the message goes to the panel's message line and the tooltip (not under the field,
        where it would push every row below down under the mouse)."""
        self.message = message or ""
        self._mark("invalid" if message else "")
        self._show_tip()

    def set_note(self, note: Optional[str]) -> None:
        """A neutral state ('Checking the file…'): marked, not red."""
        self._note = note or ""
        self._mark("checking" if note else "")
        self._show_tip()

    def set_in_effect(self, on: bool) -> None:
        """Enabled when the setting takes effect; disabled otherwise, the tooltip saying why (its value stays)."""
        reason = "" if on or self.field.option.when is None else _(self.field.option.when.text)
        self.editor.setEnabled(on)  # always: isEnabled() also reads the locked form, so it cannot tell what was set
        _show_off(self.editor, not on)
        if reason != self.off_reason:
            self.off_reason = reason
            self._show_tip()

    def _show_tip(self) -> None:
        parts = [f"<b>{escape(self.message)}</b>" if self.message else "",
                 f"<i>{escape(self._note)}</i>" if self._note else "",
                 "<i>" + escape(_("Off: {reason}.").format(reason=self.off_reason)) + "</i>" if self.off_reason else "",
                 self.tip]
        self.editor.setToolTip("<br>".join(p for p in parts if p))

    def _mark(self, state: str) -> None:
        self.editor.setProperty("invalid", state == "invalid")
        self.editor.setProperty("checking", state == "checking")
        _repolish(self.editor)


def _repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a property it selects on changed (resources/styles/rnnlab.qss). The font is
    kept: re-polishing under the app's style sheet puts it back to 100 %, which undid View > Zoom field by field."""
    font = widget.font()
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.setFont(font)


def _show_off(widget: QWidget, off: bool) -> None:
    """Grey a field (or its label) that takes no effect: the palette alone does not show the disabled state."""
    if widget.property("off") != off:  # re-polishing only on a change: this runs for every row on every edit
        widget.setProperty("off", off)
        _repolish(widget)


def _choices(f: schema.Field) -> list[tuple[Any, str]]:
    """(value, what the combo shows) for a choice field: the rule's choices; for the device, this computer's."""
    if f.kind == "device":
        from ..engine_loader import device_choices  # this computer's (CUDA by name, MPS) once torch has loaded

        return [("auto", _("Automatic (best here)"))] + device_choices()
    return [(value, _(f.option.value_labels[value]) if value in f.option.value_labels else value) for value in f.choices]


class _FormScroll(QScrollArea):
    """Scrolls the form up and down only: the form is as wide as the view (the dock is never narrower than the
    form's minimum), so tabbing into a field never slides the labels out of sight (issue 9, item 6)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.NoFrame)
        self.horizontalScrollBar().valueChanged.connect(lambda v: v and self.horizontalScrollBar().setValue(0))

    def fit_width(self) -> None:
        body = self.widget()
        if body is not None:
            self.setMinimumWidth(body.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2)


class ExperimentPanel(QWidget):
    """Task, model and training settings, bound to one RunConfig; the fields' messages in one line under them."""

    config_changed = Signal(object)  # the new valid RunConfig
    validity_changed = Signal(bool)  # False while some field holds a value the config rejects
    messages_changed = Signal()  # the fields' messages (or a file check) changed

    def __init__(self, cfg: RunConfig, parent=None):
        super().__init__(parent)
        self._cfg = cfg
        self._fields: dict[str, FieldRow] = {}
        self._pending: dict[str, Any] = {}  # key -> rejected raw value still shown in its field
        self._errors: dict[str, str] = {}
        self._valid = True
        self._checking: Optional[str] = None  # the task field whose file is being checked in the background
        self._check_serial = 0
        self.files = userfiles.FileChecker(self)
        self.files.checked.connect(self._checked)
        self.scroll = _FormScroll()
        body = self.body = QWidget()
        self.scroll.setWidget(body)
        # The fields' messages: one place of fixed height, so a message never moves the rows under the mouse.
        self.message_line = QLabel(wordWrap=True)
        self.message_line.setObjectName("fieldError")
        self.message_line.setTextFormat(Qt.RichText)
        self.message_line.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.message_line.linkActivated.connect(self._link)
        self.left_behind: list[tuple[str, Any]] = []  # (key, value) the last task switch did not carry over
        self.refresh_fonts()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.message_line)
        self._layout = QVBoxLayout(body)
        self._layout.setContentsMargins(6, 6, 6, 6)

        # Task: chooser, description, data preview.
        task_box = self.task_box = QGroupBox(_("Task"))
        task_form = QVBoxLayout(task_box)
        self.task_combo = WheelSafeCombo()
        self.task_combo.setObjectName("task.name")
        self.task_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.task_combo.setMinimumContentsLength(14)
        self.task_combo.setToolTip(_("What the network learns. Choosing a task loads its suggested settings."))
        for cls in tasks.all_tasks():
            self.task_combo.addItem(_(cls.title), cls.name)
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

        self.options_box = QGroupBox(_("Task options"))
        self.options_form = QFormLayout(self.options_box)
        self._tune_form(self.options_form)
        self._layout.addWidget(self.options_box)

        self._forms: dict[str, QFormLayout] = {}  # field key -> the form its row is in
        self._group_boxes: dict[str, QGroupBox] = {}
        for title in GROUPS:
            box = self._group_boxes[title] = QGroupBox(_(GROUP_TITLES[title]))
            form = QFormLayout(box)
            self._tune_form(form)
            for f in schema.config_fields():
                if group_of(f) == title:
                    self._add_field(form, f)
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

    def _add_field(self, form: QFormLayout, f: schema.Field) -> FieldRow:
        row = FieldRow(f)
        row.edited.connect(self._edited)
        if f.label:
            # The label made here, as addRow(text, row) would make it: a label Qt makes is wrapped for Python by the
            # first labelForField(), and that wrapper outlived the label's deletion (removeRow at every change of
            # task): the window kept a few more dead wrappers with each run (tests/gui/test_memory_bounded.py).
            label = QLabel(f.label)
            label.setBuddy(row)
            form.addRow(label, row)
        else:
            form.addRow(f.label, row)
        self._fields[f.key] = row
        self._forms[f.key] = form
        return row

    # --- public ------------------------------------------------------------------------------------------------------

    def config(self) -> RunConfig:
        """The last valid config (fields showing an error are not in it)."""
        return self._cfg

    def is_valid(self) -> bool:
        return not self._errors and self._checking is None

    def is_checking(self) -> bool:
        """A file named in the form is being checked in the background (Train waits for it)."""
        return self._checking is not None

    def errors(self) -> dict[str, str]:
        """Field key -> the message shown under it (a file still being checked counts)."""
        errors = dict(self._errors)
        if self._checking is not None:
            errors.setdefault(self._checking, f"{self._checking}: the file is still being checked")
        return errors

    def refresh_fonts(self) -> None:
        """Sizes that follow the font (after a zoom): the message line's three lines, the form's minimum width."""
        self.message_line.setFixedHeight(self.message_line.fontMetrics().lineSpacing() * 3 + 8)
        self.scroll.fit_width()

    def shutdown(self) -> None:
        """Stop the file-check thread (the window calls this when it closes)."""
        self.files.shutdown()

    def editor(self, key: str) -> QWidget:
        """The editor widget of a field ('model.hidden_size', 'task.window', 'task.name')."""
        if key == "task.name":
            return self.task_combo
        return self._fields[key].editor

    def set_config(self, cfg: RunConfig) -> None:
        """Show another config (Open run, the API); clears every pending error."""
        rebuild = cfg.task.name != self._cfg.task.name
        self._cfg = cfg
        self.left_behind = []
        self._pending.clear()
        self._errors.clear()
        self._check_serial += 1  # a file check in flight belongs to the config being replaced
        self._checking = None
        if rebuild:
            self._build_task_options()
        self._refresh_all()
        self._emit_validity()

    def set_task(self, name: str) -> None:
        """Switch task: its suggested experiment (default options, Task.suggested); the settings changed by hand
        are left behind, named under the form with one click to keep them."""
        if name == self._cfg.task.name:
            return
        self.left_behind = hand_changes(self._cfg, name)
        cfg = suggested_experiment(name, machine=self._cfg)
        for key in [k for k in self._pending if k.startswith("task.")]:
            self._pending.pop(key)
            self._errors.pop(key, None)
        self._cfg = cfg
        self._build_task_options()
        self._retry_pending()
        self._refresh_all()
        self._emit_validity()
        self.config_changed.emit(self._cfg)

    def keep_left_behind(self) -> None:
        """The one click after a task switch: the settings changed by hand come back (each still checked)."""
        cfg = self._cfg
        for key, value in self.left_behind:
            try:
                cfg = cfg.replace_setting(key, value)
            except ConfigError:
                pass
        self.set_config(cfg)
        self.config_changed.emit(self._cfg)

    def _link(self, href: str) -> None:
        if href == "keep":
            self.keep_left_behind()

    def _left_behind_note(self) -> str:
        if not self.left_behind:
            return ""
        fields = {f.key: f for f in schema.config_fields()}
        settings = ", ".join(f"{fields[k].label} {describe_value(fields[k], v)}" for k, v in self.left_behind)
        task = _(tasks.get(self._cfg.task.name).title)
        note = _("<b>{task}</b> starts from its suggested settings. Not carried over: {settings}. "
                 "<a href='keep'>Keep them</a>").format(task=escape(task), settings=escape(settings))
        return f"<span style='color:#2b2f36'>{note}</span>"  # news, not an error: not in the errors' red

    def set_locked(self, locked: bool) -> None:
        """While a run trains, its settings cannot change."""
        self.body.setEnabled(not locked)

    def set_preview(self, preview: Optional[QWidget]) -> None:
        """A small look at the task's data, made by the window once the task is loaded."""
        if self._preview_widget is not None:
            self.preview_holder.removeWidget(self._preview_widget)
            self._preview_widget.hide()  # now: deleteLater waits for the event loop, and two previews must not show
            self._preview_widget.deleteLater()
        self._preview_widget = preview
        if preview is not None:
            self.preview_holder.addWidget(preview)
        self.scroll.fit_width()

    # --- editing -----------------------------------------------------------------------------------------------------

    def _edited(self, key: str, raw: Any) -> None:
        section = key.partition(".")[0]
        if section != "task":
            self._edited_now(key, raw)
            return
        changes = self._task_changes(key, raw)
        # A refused file retried after another edit (the window that makes it fit) keeps its companion change too.
        edits = [(key, changes)] + [(k, self._task_changes(k, v)) for k, v in self._pending.items()
                                    if k.startswith("task.") and k != key]
        if userfiles.needs_files(self._cfg, changes) or any(userfiles.needs_files(self._cfg, c) for _unused, c in edits):
            self._check_serial += 1
            self._checking = key
            self._pending[key] = raw
            self._errors.pop(key, None)
            self._fields[key].set_note(_("Checking the file…"))
            self._emit_validity()
            self.files.check(self._check_serial, self._cfg, edits)
            return
        self._apply_outcome(userfiles.validate(self._cfg, edits), [k for k, _unused in edits])

    def _task_changes(self, key: str, raw: Any) -> dict[str, Any]:
        changes = {key: raw}
        if (key == "task.csv_path" and isinstance(raw, str) and raw.strip()
                and self._cfg.task.options.get("dataset") != "csv"):
            changes["task.dataset"] = "csv"  # a file of one's own is chosen to be used (issue 9, item 1)
        return changes

    def _checked(self, serial: int, outcome) -> None:
        """A background check of task edits is back (GUI thread)."""
        if serial != self._check_serial or self._checking is None:
            return  # a newer edit, or set_config, superseded it
        key = self._checking
        self._checking = None
        self._fields[key].set_note(None) if key in self._fields else None
        keys = [key] + [k for k in self._pending if k.startswith("task.") and k != key]
        self._apply_outcome(outcome, keys)

    def _apply_outcome(self, outcome, keys: list[str]) -> None:
        before = self._cfg
        self._cfg = outcome.cfg
        for k in keys:
            if k in outcome.errors:
                self._pending[k] = self._pending.get(k, self._raw_of(k))
                self._errors[k] = outcome.errors[k]
            else:
                self._pending.pop(k, None)
                self._errors.pop(k, None)
            if k in self._fields:
                self._fields[k].set_error(self._errors.get(k))
        if self._cfg != before:
            # companion changes (dataset -> csv) show in their own widgets
            for k, field in self._fields.items():
                if k.startswith("task.") and k not in self._pending:
                    field.set_value(self._value(k))
        self._refresh_dependent()
        self._emit_validity()
        if self._cfg != before:
            self.config_changed.emit(self._cfg)

    def _raw_of(self, key: str):
        field = self._fields.get(key)
        if field is None:
            return None
        return field.raw()

    def _edited_now(self, key: str, raw: Any) -> None:
        """A model or training field: checked on its own (the task, and any file it names, is not read again)."""
        before = self._cfg
        try:
            self._cfg = self._check(self._cfg.replace_setting(key, raw), key)
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
        if key in self._fields and self._fields[key].kind == "device":
            from ..engine_loader import check_device

            check_device(cfg.training.device)
        return cfg

    def _retry_pending(self) -> None:
        """A rejected model/training value may fit now that another field changed."""
        for key, raw in list(self._pending.items()):
            if key.startswith("task."):
                continue  # task options do not depend on model or training fields
            try:
                self._cfg = self._check(self._cfg.replace_setting(key, raw), key)
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
        self._show_messages()
        if any(row.kind == "path" for row in self._fields.values()):
            self._describe_task()  # a file of one's own changes what the description says
        valid = not self._errors and self._checking is None
        self.messages_changed.emit()
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    # --- widgets <- config -----------------------------------------------------------------------------------------

    def _value(self, key: str):
        section, _, name = key.partition(".")
        if section == "task":
            return self._cfg.task.options.get(name)
        return getattr(getattr(self._cfg, section), name)

    def retranslate(self) -> None:
        """View > Language: every text of the form in the current language; the config and the fields' values stay."""
        self.task_box.setTitle(_("Task"))
        self.task_combo.setToolTip(_("What the network learns. Choosing a task loads its suggested settings."))
        for i in range(self.task_combo.count()):
            self.task_combo.setItemText(i, _(tasks.get(self.task_combo.itemData(i)).title))
        self.options_box.setTitle(_("Task options"))
        for title, box in self._group_boxes.items():
            box.setTitle(_(GROUP_TITLES[title]))
        for key, row in self._fields.items():
            label = self._forms[key].labelForField(row)
            if label is not None:
                label.setText(row.field.label)
            row.retranslate()
        self._describe_task()
        self._show_messages()
        self.scroll.fit_width()

    def _build_task_options(self) -> None:
        for key in [k for k in self._fields if k.startswith("task.")]:
            self._fields.pop(key)
            self._forms.pop(key)
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        cls = tasks.get(self._cfg.task.name)
        for f in schema.task_fields(cls.name):
            row = self._add_field(self.options_form, f)
            self._zoom_like_the_form(row, self.options_form.labelForField(row))
        self.options_box.setVisible(bool(cls.options))
        self._show_applicable()
        self.task_combo.setCurrentIndex(max(0, self.task_combo.findData(cls.name)))
        self._describe_task()
        self._fix_tab_order()
        self.scroll.fit_width()

    def _zoom_like_the_form(self, *widgets: QWidget) -> None:
        """A row made after a zoom gets the form's text size: with the app's style sheet, Qt does not pass a
        parent's font on to new children (theme.scale_fonts), so they would come up at 100 %."""
        font = self.task_combo.font()
        for widget in widgets:
            for w in [widget, *widget.findChildren(QWidget)]:
                w.setFont(font)

    def _describe_task(self) -> None:
        cls = tasks.get(self._cfg.task.name)
        self.task_description.setText(f"<b>{escape(_(cls.shape))}</b> · {escape(_(cls.describe(self._cfg.task.options)))}")

    def _fix_tab_order(self) -> None:
        """Tab walks the form top to bottom (the task options are rebuilt after the other fields were made)."""
        chain = [self.task_combo] + [f.editor for k, f in self._fields.items() if k.startswith("task.")]
        chain += [f.editor for k, f in self._fields.items() if not k.startswith("task.")]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _show_messages(self) -> None:
        """The fields' messages in the fixed line under the form: the first in full, a count of the rest."""
        labels = {k: self._label_of(k) for k in self._errors}
        if not self._errors:
            self.message_line.setText(self._left_behind_note() if self._checking is None else
                                      "<i>" + escape(_("{label}: checking the file…").format(
                                          label=self._label_of(self._checking))) + "</i>")
            return
        key, message = next(iter(self._errors.items()))
        more = len(self._errors) - 1
        tail = (" <i>" + escape(ngettext("(and {count} more marked field)", "(and {count} more marked fields)",
                                         more).format(count=more)) + "</i>") if more else ""
        self.message_line.setText(f"<b>{escape(labels[key])}:</b> {escape(message)}{tail}")

    def _label_of(self, key: str) -> str:
        return self._fields[key].field.label if key in self._fields else key

    def _refresh_all(self) -> None:
        for key, field in self._fields.items():
            if key in self._pending:
                continue
            field.set_value(self._value(key))
            field.set_error(self._errors.get(key))
        self._refresh_dependent()

    def _show_applicable(self) -> None:
        """Rows of fields the chosen task does not use are hidden with their labels. A value typed there and
        refused is dropped: nobody could see it to fix it, and it must not keep Train disabled."""
        for key, row in self._fields.items():
            visible = row.field.applies_to(self._cfg.task.name)
            self._forms[key].setRowVisible(row, visible)
            if not visible and key in self._pending:
                self._pending.pop(key)
                self._errors.pop(key, None)
                row.set_error(None)
                row.set_value(self._value(key))

    def _refresh_dependent(self) -> None:
        """Fields that take no effect in these settings are disabled, the tooltip saying why (the value stays)."""
        for key, row in self._fields.items():
            on = row.field.in_effect(self._cfg)
            row.set_in_effect(on)
            label = self._forms[key].labelForField(row)
            if label is not None:
                label.setEnabled(on)
                _show_off(label, not on)
        self._fields["model.dropout"].setToolTip("" if self._cfg.model.num_layers > 1 else
                                                 _("With one layer, dropout acts only before the head."))


def suggested_experiment(name: str, machine: Optional[RunConfig] = None) -> RunConfig:
    """Task `name`'s fresh experiment (`config.experiment`), with this computer's settings (device, threads) taken
    from `machine`."""
    keep = [(key, _field_value(machine, key)) for key in MACHINE_FIELDS] if machine is not None else []
    return config_mod.experiment(name, keep)


def _field_value(cfg: RunConfig, key: str) -> Any:
    section, _sep, name = key.partition(".")
    return getattr(getattr(cfg, section), name)


def hand_changes(cfg: RunConfig, new_task: str) -> list[tuple[str, Any]]:
    """(key, value) of the model and training settings of `cfg` that differ from its own task's suggested
    experiment (changed by hand, or by a lesson) and that task `new_task` uses too."""
    base = suggested_experiment(cfg.task.name)
    return [(f.key, _field_value(cfg, f.key)) for f in schema.config_fields()
            if f.key.partition(".")[0] in ("model", "training") and f.key not in MACHINE_FIELDS
            and f.applies_to(new_task) and _field_value(cfg, f.key) != _field_value(base, f.key)]


def describe_value(f: schema.Field, value: Any) -> str:
    """A setting's value as the form shows it: a choice's label, on/off for a tick box."""
    if f.kind in ("choice", "device"):
        return str(dict(_choices(f)).get(value, value))
    if f.kind == "bool":
        return _("on") if value else _("off")
    return fmt(value)
