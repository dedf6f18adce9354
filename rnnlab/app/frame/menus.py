"""The window's actions, toolbar and menus (File, Run, View, Help): each action named `action_<name>`, with its
shortcut in the tooltip. The slots stay the window's; this only wires them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar

from ... import __version__
from ...resources import resource
from .. import icons, language, theme
from . import persist
from ..output.export_dialog import add_export_actions
from ..lesson.lesson_panel import add_lessons_menu
from ..many.manyruns import start_sweep_dialog
from ..places import settings
from ...i18n import N_, _, ngettext


def make_action(window, name: str, text: str, shortcut, tip: str, slot, icon_name: str = "") -> QAction:
    action = QAction(icons.icon(icon_name) if icon_name else icons.icon(name), text, window)
    action.setObjectName(f"action_{name}")
    if shortcut:
        seqs = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(s) for s in seqs])
        keys = " or ".join(QKeySequence(s).toString(QKeySequence.NativeText) for s in seqs)
        tip = f"{tip} ({keys})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_menus(window) -> None:
    """Sets window.act_* , toolbar, recent_menu and view_menu (before the plots are made: see add_export_actions)."""
    w = window
    many = w.many
    # The verbs act on what the window's mode says (app/mode.py): the single run, or every run of a race.
    w.act_train = make_action(w, "train", _("Train"), "F5", _("Start training (or continue a paused run)"),
                              lambda: w.do("train"))
    w.act_pause = make_action(w, "pause", _("Pause"), "F6", _("Pause training between two steps"),
                              lambda: w.do("pause"))
    w.act_step = make_action(w, "step", _("Step"), "F10", _("Run exactly one optimizer step (slow motion)"),
                             lambda: w.do("step"))
    w.act_stop = make_action(w, "stop", _("Stop"), "Shift+F5", _("Stop training; the run keeps its curves and reports its "
                                                            "test numbers"), lambda: w.do("stop"))
    w.act_reset = make_action(w, "reset", _("Reset"), "Ctrl+R", _("Drop this run and start from fresh weights (same seed "
                                                             "gives the same weights)"),
                              lambda: w.do("reset"))
    w.act_race = make_action(w, "race", _("Race…"), "Ctrl+Shift+R", _("Train 2-4 variants of this experiment side by side "
                                                                 "(by default: vanilla RNN, LSTM, GRU)"),
                             many.race_dialog, icon_name="train")
    w.act_sweep = make_action(w, "sweep", _("Sweep…"), None, _("Run this experiment along one or two axes and seeds, on "
                                                          "every core (or a Ray cluster)"),
                              lambda: start_sweep_dialog(w.port), icon_name="none")
    w.act_compare = make_action(w, "compare", _("Compare runs…"), "Ctrl+Shift+O", _("Overlay saved runs of one task, "
                                                                               "chosen in the run library"),
                                many.compare_dialog, icon_name="open")
    w.act_library = make_action(w, "library", _("Run library…"), "Ctrl+L", _("Your saved runs and sweeps: open, compare, "
                                                                        "reveal, delete"), many.compare_dialog,
                                icon_name="open")
    w.act_open_sweep = make_action(w, "open_sweep", _("Open sweep folder…"), None, _("A sweep's results table and its "
                                                                                "chart of the metric along an axis"),
                                   many.open_sweep_dialog, icon_name="none")
    w.act_save = make_action(w, "save", _("Save run…"), QKeySequence.Save, _("Save this run (config, weights, curves, "
                                                                        "probe) to a folder"), w.files.save_dialog)
    w.act_open = make_action(w, "open", _("Open run…"), QKeySequence.Open, _("Open a saved run (from the app or `rnnlab "
                                                                        "train`)"), w.files.open_dialog)
    w.act_quit = make_action(w, "quit", _("Quit"), QKeySequence.Quit, _("Close rnnlab"), w.close)
    run_actions = (w.act_train, w.act_pause, w.act_step, w.act_stop, w.act_reset)
    tb = QToolBar(_("Training"))
    tb.setObjectName("trainingToolbar")
    tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
    tb.setMovable(False)
    for a in run_actions:
        tb.addAction(a)
    tb.addAction(w.act_race)
    tb.addSeparator()
    tb.addAction(w.act_open)
    tb.addAction(w.act_save)
    w.addToolBar(tb)
    w.toolbar = tb
    menu = w.menuBar()
    file_menu = menu.addMenu(_("&File"))
    file_menu.addAction(w.act_open)
    w.recent_menu = file_menu.addMenu(_("Open &recent"))
    w.recent_menu.aboutToShow.connect(lambda: w.files.fill_recent(w.recent_menu))
    file_menu.addAction(w.act_save)
    file_menu.addSeparator()
    for a in (w.act_library, w.act_compare, w.act_open_sweep):
        file_menu.addAction(a)
    file_menu.addSeparator()
    ask = settings().value("runs/ask_before_discard", True)
    w.act_ask = QAction(_("Ask before discarding an unsaved run"), w, checkable=True,
                        checked=ask not in (False, "false", 0, "0"))
    w.act_ask.toggled.connect(lambda on: settings().setValue("runs/ask_before_discard", bool(on)))
    w.act_ask.setObjectName("action_ask")
    w.act_ask.setToolTip(_("Quit and Open ask Save / Discard / Cancel when the run shown is not saved"))
    file_menu.addAction(w.act_ask)
    file_menu.addSeparator()
    add_export_actions(w, file_menu)  # File > Export…, export as script, Ctrl+C on a plot, plots' menus
    file_menu.addSeparator()
    file_menu.addAction(w.act_quit)
    run_menu = menu.addMenu(_("&Run"))
    for a in run_actions:
        run_menu.addAction(a)
    run_menu.addSeparator()
    run_menu.addAction(w.act_race)
    run_menu.addAction(w.act_sweep)
    w.view_menu = menu.addMenu(_("&View"))
    reset_layout = QAction(_("Reset layout"), w)
    reset_layout.triggered.connect(lambda: persist.reset_layout(w))
    w.view_menu.addAction(reset_layout)
    w.view_menu.addSeparator()
    w.act_zoom_in = make_action(w, "zoom_in", _("Zoom in"), [QKeySequence.ZoomIn, "Ctrl+="],
                                _("Larger text, labels and lines (for a projector)"),
                                lambda: w.set_zoom(theme.zoom_step(theme.zoom(), +1)), icon_name="none")
    w.act_zoom_out = make_action(w, "zoom_out", _("Zoom out"), QKeySequence.ZoomOut, _("Smaller text, labels and lines"),
                                 lambda: w.set_zoom(theme.zoom_step(theme.zoom(), -1)), icon_name="none")
    w.act_zoom_reset = make_action(w, "zoom_reset", _("Reset zoom"), "Ctrl+0", _("Text at the system's size"),
                                   lambda: w.set_zoom(1.0), icon_name="none")
    for a in (w.act_zoom_in, w.act_zoom_out, w.act_zoom_reset):
        w.view_menu.addAction(a)
        w.addAction(a)
    w.view_menu.addSeparator()
    language.add_menu(w, w.view_menu)
    add_lessons_menu(w)  # Lessons, before Help (app/lesson_panel.py)
    help_menu = menu.addMenu(_("&Help"))
    about = QAction(_("About rnnlab"), w)
    about.triggered.connect(lambda: show_about(w))
    help_menu.addAction(about)


def show_about(window) -> None:
    try:
        credits = resource("datasets", "README.md").read_text(encoding="utf-8")
    except OSError:
        credits = _("(resources/datasets/README.md is missing)")
    box = QMessageBox(window)
    box.setWindowTitle(_("About rnnlab"))
    box.setText(f"<b>rnnlab {__version__}</b><br>A desktop lab for recurrent neural networks: train RNNs, LSTMs and "
                f"GRUs and watch their gates and gradients live.")
    box.setDetailedText(credits)
    box.exec()


def add_tab_shortcuts(window, tabs) -> None:
    """Ctrl+Tab / Ctrl+PgDown and back switch the bottom tabs from anywhere in the window."""
    for keys, step in (("Ctrl+Tab", 1), ("Ctrl+PgDown", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+PgUp", -1)):
        switch = QAction(window)
        switch.setShortcut(QKeySequence(keys))
        switch.setShortcutContext(Qt.WindowShortcut)
        switch.triggered.connect(lambda _=False, d=step: tabs.setCurrentIndex((tabs.currentIndex() + d) % tabs.count()))
        window.addAction(switch)


def apply_enablement(window, e) -> None:
    """Show an Enablement (app/mode.py's `enablement`, the one place that decides it) on the actions and the form."""
    w = window
    w.act_train.setEnabled(e.train)
    w.act_pause.setEnabled(e.pause)
    w.act_pause.setText(_("Resume") if e.pause_resumes else _("Pause"))
    w.act_pause.setIcon(icons.icon("resume" if e.pause_resumes else "pause"))
    w.act_step.setEnabled(e.step)
    w.act_stop.setEnabled(e.stop)
    w.act_reset.setEnabled(e.reset)
    w.act_save.setEnabled(e.save)
    w.act_race.setEnabled(e.race)
    w.panel.set_locked(e.form_locked)
