"""File > Export: the dialog (what, format, size, background, file), the plots' context menu, Ctrl+C on a plot, and
File > Export experiment as Python script. The window hooks all of it in with `add_export_actions`.

File names default to what is shown (`adding-lstm-loss.png`); the folder last exported to is remembered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pyqtgraph as pg
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMenu, QMessageBox,
                               QPushButton, QRadioButton, QSpinBox, QWidget)

from ...errors import RnnlabError
from . import export as ex
from ...i18n import N_, _, ngettext

FORMATS = (("png", N_("PNG image")), ("svg", N_("SVG drawing (text stays text)")), ("csv", N_("CSV data (one plot)")))
SCALES = (1, 2, 3, 4)
FOLDER_KEY = "export/folder"


def _settings() -> QSettings:
    return QSettings("rnnlab", "rnnlab")


def last_folder() -> Path:
    folder = _settings().value(FOLDER_KEY, "")
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def remember_folder(path: Path) -> None:
    _settings().setValue(FOLDER_KEY, str(path.parent))


def name_prefix(window) -> str:
    """"adding-lstm": what the window shows, for default file names."""
    try:
        cfg = window.config()
        return f"{cfg.task.name}-{cfg.model.cell.replace('_', '-')}"
    except Exception:  # a window without a valid config (the form has an error): still export
        return "rnnlab"


def window_choices(window, plot: Optional[pg.PlotItem] = None) -> list[ex.Choice]:
    """What can be exported: every visible plot, the current bottom tab, the loss panel, the task view, the window."""
    choices = ex.plot_choices(window)
    if plot is not None and not any(c.target is plot for c in choices):
        choices.insert(0, ex.Choice(f"Plot: {ex.plot_title(plot) or 'plot'}", plot, ex.slug(ex.plot_title(plot))))
    tabs = getattr(window, "tabs", None)
    if tabs is not None and tabs.currentWidget() is not None:
        name = tabs.tabText(tabs.currentIndex()).replace("&", "")
        choices.append(ex.Choice(f"Tab: {name}", tabs.currentWidget(), ex.slug(name)))
    for attr, label in (("loss_panel", _("Panel: loss and validation metric")), ("view_host", _("Panel: task view"))):
        widget = getattr(window, attr, None)
        if isinstance(widget, QWidget) and widget.isVisible():
            choices.append(ex.Choice(label, widget, "learning" if attr == "loss_panel" else "view"))
    choices.append(ex.Choice(_("The whole window"), window, "window"))
    return choices


class ExportDialog(QDialog):
    """Choose what to export, how, and where; Export writes the file and reports it in the window's status bar."""

    def __init__(self, window, choices: list[ex.Choice], selected: Optional[object] = None, parent=None):
        super().__init__(parent or window)
        self.setWindowTitle(_("Export figure or data"))
        self.window_ = window
        self.choices = choices
        self.prefix = name_prefix(window)
        self._auto_name = True  # the file name follows the choices until the user edits it
        self.what = QComboBox()
        for c in choices:
            self.what.addItem(c.label)
        index = next((i for i, c in enumerate(choices) if c.target is selected), 0)
        self.what.setCurrentIndex(index)
        self.format_buttons = QButtonGroup(self)
        format_row = QHBoxLayout()
        for i, (key, label) in enumerate(FORMATS):
            b = QRadioButton(_(label))
            b.setObjectName(f"format_{key}")
            self.format_buttons.addButton(b, i)
            format_row.addWidget(b)
        self.format_buttons.button(0).setChecked(True)
        self.scale = QComboBox()
        for s in SCALES:
            self.scale.addItem(_("{s}x the size on screen").format(s=s), s)
        self.scale.addItem(_("custom size"), 0)
        self.scale.setCurrentIndex(SCALES.index(int(ex.DEFAULT_SCALE)))
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box in (self.width_box, self.height_box):
            box.setRange(16, 16000)
            box.setSuffix(" px")
        size_row = QHBoxLayout()
        size_row.addWidget(self.scale)
        size_row.addWidget(self.width_box)
        size_row.addWidget(QLabel("x"))
        size_row.addWidget(self.height_box)
        size_row.addStretch(1)
        self.white = QCheckBox(_("White background (off: transparent)"))
        self.white.setChecked(True)
        self.path = QLineEdit()
        self.path.textEdited.connect(self._name_edited)
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.note = QLabel(wordWrap=True)
        self.note.setObjectName("viewCaption")
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = buttons.addButton(_("Export"), QDialogButtonBox.AcceptRole)
        self.copy_button = buttons.addButton(_("Copy image"), QDialogButtonBox.ActionRole)
        self.copy_button.clicked.connect(self._copy)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("What"), self.what)
        form.addRow(_("Format"), format_row)
        form.addRow(_("Size"), size_row)
        form.addRow("", self.white)
        form.addRow(_("File"), path_row)
        form.addRow("", self.note)
        form.addRow(buttons)
        self.what.currentIndexChanged.connect(self._update)
        self.format_buttons.idClicked.connect(lambda _i: self._update())
        self.scale.currentIndexChanged.connect(self._update_size)
        self.width_box.valueChanged.connect(self._width_changed)
        self.height_box.valueChanged.connect(self._height_changed)
        self._update()

    # --- state ----------------------------------------------------------------------------------------------------

    @property
    def choice(self) -> ex.Choice:
        return self.choices[self.what.currentIndex()]

    @property
    def kind(self) -> str:
        return FORMATS[self.format_buttons.checkedId()][0]

    def select_format(self, kind: str) -> None:
        self.format_buttons.button([k for k, _ in FORMATS].index(kind)).setChecked(True)
        self._update()

    def _update(self) -> None:
        csv_ok = self.choice.is_plot
        csv_button = self.format_buttons.button(2)
        csv_button.setEnabled(csv_ok)
        if not csv_ok and self.kind == "csv":
            self.format_buttons.button(0).setChecked(True)
        png = self.kind == "png"
        for w in (self.scale, self.width_box, self.height_box):
            w.setEnabled(png)
        self.white.setEnabled(self.kind != "csv")
        self.copy_button.setEnabled(True)
        self._update_size()
        if self._auto_name:
            self.path.setText(str(last_folder() / f"{self.prefix}-{self.choice.slug}.{self.kind}"))
        else:  # keep the user's name, with the format's extension
            self.path.setText(str(Path(self.path.text()).with_suffix(f".{self.kind}")))
        self.note.setText({"png": _("A picture, for slides."),
                           "svg": _("A drawing: scales without blur; text and lines stay editable in Inkscape."),
                           "csv": _("The plotted numbers at full precision, one named column per curve.")}[self.kind])

    def _update_size(self) -> None:
        base = ex.logical_size(self.choice.target)
        scale = self.scale.currentData()
        custom = scale == 0
        self.width_box.setEnabled(custom and self.kind == "png")
        self.height_box.setEnabled(custom and self.kind == "png")
        if not custom:
            for box, value in ((self.width_box, base.width() * scale), (self.height_box, base.height() * scale)):
                box.blockSignals(True)
                box.setValue(int(round(value)))
                box.blockSignals(False)

    def _width_changed(self, value: int) -> None:
        """A custom width keeps the shape on screen: the height follows."""
        base = ex.logical_size(self.choice.target)
        self.height_box.blockSignals(True)
        self.height_box.setValue(max(16, round(value * base.height() / base.width())))
        self.height_box.blockSignals(False)

    def _height_changed(self, value: int) -> None:
        base = ex.logical_size(self.choice.target)
        self.width_box.blockSignals(True)
        self.width_box.setValue(max(16, round(value * base.width() / base.height())))
        self.width_box.blockSignals(False)

    def _name_edited(self, _text: str) -> None:
        self._auto_name = False

    def _browse(self) -> None:
        filters = {"png": _("PNG image (*.png)"), "svg": _("SVG drawing (*.svg)"), "csv": _("CSV data (*.csv)")}
        path, _unused = QFileDialog.getSaveFileName(self, _("Export to"), self.path.text(), filters[self.kind])
        if path:
            self._auto_name = False
            self.path.setText(str(Path(path).with_suffix(f".{self.kind}")))

    # --- doing it -------------------------------------------------------------------------------------------------

    def export(self) -> Optional[str]:
        """Write the file. Returns the status message, or None (and says why) when it could not be written."""
        text = self.path.text().strip()
        if not text:
            QMessageBox.warning(self, _("Export"), _("Choose a file to export to."))
            return None
        path = Path(text).expanduser()
        size = QSize(self.width_box.value(), self.height_box.value()) if self.kind == "png" else None
        try:
            message = ex.export(self.choice, path, self.kind, size=size, white=self.white.isChecked())
        except RnnlabError as exc:
            QMessageBox.warning(self, _("Could not export"), str(exc))
            return None
        remember_folder(path)
        _status(self.window_, f"{message} in {path.parent}")
        self.accept()
        return message

    def _copy(self) -> None:
        size = ex.copy_image(self.choice.target)
        _status(self.window_, _("Copied {label} as an image ({width} x {height} pixels)").format(label=self.choice.label, width=size.width(), height=size.height()))


def _status(window, text: str) -> None:
    bar = getattr(window, "statusBar", None)
    if callable(bar):
        bar().showMessage(text, 8000)


def open_export_dialog(window, plot: Optional[pg.PlotItem] = None, kind: str = "png") -> ExportDialog:
    """Show the dialog with `plot` (if any) chosen; returns it (the tests drive it)."""
    dialog = ExportDialog(window, window_choices(window, plot), selected=plot)
    if kind != "png":
        dialog.select_format(kind)
    dialog.setModal(True)
    dialog.show()
    return dialog


def copy_focused_plot(window) -> bool:
    """Ctrl+C: the plot that has the keyboard focus (under the mouse, if its view holds several) as an image."""
    focus = QApplication.focusWidget()
    view = focus if isinstance(focus, pg.GraphicsView) else None
    if view is None or not window.isAncestorOf(view):
        return False
    plot = ex.plot_at_cursor(view)
    if plot is None:
        return False
    size = ex.copy_image(plot)
    _status(window, _("Copied the plot '{value}' as an image ({width} x {height} pixels)").format(value=ex.plot_title(plot) or 'plot', width=size.width(), height=size.height()))
    return True


def export_script_dialog(window) -> None:
    """File > Export experiment as Python script: the form's experiment as a standalone PyTorch file."""
    from ...export import default_file_name, export_script

    try:
        cfg = window.config()
    except RnnlabError as exc:
        QMessageBox.warning(window, _("Export experiment"), _("Fix the experiment's settings first: {exc}").format(exc=exc))
        return
    start = str(last_folder() / default_file_name(cfg))
    path, _unused = QFileDialog.getSaveFileName(window, _("Export experiment as Python script"), start,
                                          _("Python script (*.py)"))
    if path:
        start_script_export(window, cfg, Path(path))


def start_script_export(window, cfg, path: Path, force: bool = False) -> None:
    """Write the script on the helper thread (building the task's data is torch work); report in the status bar.

    Files in the way that rnnlab did not write are replaced only when the user says so (ExportConflict)."""
    from ...export import ExportConflict, export_script

    def job():
        try:
            return export_script(cfg, path, force=force)
        except ExportConflict as conflict:
            return conflict  # plain data back to the GUI thread, which asks

    def done(written):
        if isinstance(written, ExportConflict):
            answer = QMessageBox.question(window, "Export experiment",
                                          f"{written}\n\nReplace them anyway? Their contents will be lost.",
                                          QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer == QMessageBox.Yes:
                start_script_export(window, cfg, path, force=True)
            return
        remember_folder(path)
        extra = _(" and {count} data files beside it").format(count=len(written.data_files)) if written.data_files else ""
        _status(window, _("Saved {name}{extra}: run it with python {name}").format(name=written.script.name, extra=extra))

    def failed(message: str):
        QMessageBox.warning(window, _("Could not export the experiment"), message)

    window.access.run_background(job, done, failed)


def export_report_dialog(window) -> None:
    """File > Export report: the run as one HTML file (figures embedded), named after what is shown."""
    from .report import save_report

    start = str(last_folder() / f"{name_prefix(window)}-report.html")
    path, _unused = QFileDialog.getSaveFileName(window, _("Export report"), start, _("Web page (*.html)"))
    if not path:
        return
    try:
        saved = save_report(window, path)
    except RnnlabError as exc:
        QMessageBox.warning(window, _("Could not export the report"), str(exc))
        return
    remember_folder(saved)
    _status(window, _("Saved the report {name} in {parent}: it opens in any browser, offline").format(name=saved.name, parent=saved.parent))


def add_export_actions(window, file_menu: QMenu) -> None:
    """The window's hooks: File > Export… (Ctrl+Shift+E), Export experiment as Python script…, Export report…,
    Ctrl+C on a plot, and every plot's context-menu "Export…" (to be called before the window's plots are made)."""
    ex.install_context_menu(lambda win, plot: open_export_dialog(win if win is not None else window, plot))
    figure = QAction(_("Export figure or data…"), window)
    figure.setObjectName("action_export")
    figure.setShortcut(QKeySequence("Ctrl+Shift+E"))  # Ctrl+E hides the Experiment dock
    figure.setStatusTip(_("Save a plot, a tab or the whole window as PNG or SVG, or a plot's data as CSV"))
    figure.triggered.connect(lambda: open_export_dialog(window))
    script = QAction(_("Export experiment as Python script…"), window)
    script.setObjectName("action_export_script")
    script.setStatusTip(_("Write this experiment as one PyTorch script that needs only torch and numpy"))
    script.triggered.connect(lambda: export_script_dialog(window))
    report = QAction(_("Export report…"), window)
    report.setObjectName("action_export_report")
    report.setStatusTip(_("Write one HTML file with the settings, the result beside the baselines and the figures"))
    report.triggered.connect(lambda: export_report_dialog(window))
    copy = QAction(_("Copy plot as image"), window)
    copy.setObjectName("action_copy_plot")
    copy.setShortcut(QKeySequence.Copy)
    copy.setShortcutContext(Qt.WindowShortcut)  # text fields take Ctrl+C first (they override the shortcut)
    copy.triggered.connect(lambda: copy_focused_plot(window))
    window.addAction(copy)
    file_menu.addAction(figure)
    file_menu.addAction(script)
    file_menu.addAction(report)
    window.export_actions = (figure, script, report, copy)
