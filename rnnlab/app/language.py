"""The window's language: the one chosen at start (--lang, RNNLAB_LANG, the saved choice, the system's), View >
Language to switch it without a restart, and Qt's own translation (file dialogs, message-box buttons) to match.

Switching re-translates the window in place (`MainWindow.retranslate`, called through `i18n.on_change`): the run
shown, its curves and the form's values stay. Texts made from a message with values (the status line, a result)
are redrawn by their owners; plain texts are mapped back to their English message and translated again
(`retranslate_texts`), so a widget nobody wrote a `retranslate` for still follows the language.
"""

from __future__ import annotations

import gettext
import re
from typing import Optional

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDockWidget, QGroupBox, QLabel, QLineEdit, QMenu,
                               QTabWidget, QWidget)

from .. import i18n
from ..i18n import _
from .places import settings

SETTINGS_KEY = "language"
QT_LOCALES = {"en": QLocale(QLocale.English, QLocale.UnitedStates), "tr": QLocale(QLocale.Turkish, QLocale.Turkey)}
_translators: list[QTranslator] = []  # Qt's own catalogs in use (kept alive: Qt holds only a pointer)


def saved() -> Optional[str]:
    value = settings().value(SETTINGS_KEY)
    return value if isinstance(value, str) else None


def start() -> str:
    """The language to open the window in (RNNLAB_LANG or --lang, else the saved choice, else the system's)."""
    lang = i18n.set_language(i18n.choose(saved=saved()))
    apply_qt(lang)
    return lang


def qt_translations_dir() -> str:
    """Where PySide6 keeps Qt's shipped .qm files (the installer must keep qtbase_tr.qm: packaging/)."""
    return QLibraryInfo.path(QLibraryInfo.TranslationsPath)


def apply_qt(lang: str) -> bool:
    """Qt's own texts (dialog buttons, file dialogs, context menus) and number formats in `lang`; True when Qt's
    translation for it was found (English needs none)."""
    app = QCoreApplication.instance()
    QLocale.setDefault(QT_LOCALES.get(lang, QT_LOCALES["en"]))
    if app is None:
        return False
    while _translators:
        app.removeTranslator(_translators.pop())
    if lang == i18n.DEFAULT:
        return True
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{lang}", qt_translations_dir()):
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


def choose(lang: str) -> None:
    """View > Language: remember the choice and switch the running window (listeners re-translate it)."""
    settings().setValue(SETTINGS_KEY, lang)
    apply_qt(lang)
    i18n.set_language(lang)


def add_menu(window, view_menu: QMenu) -> QMenu:
    """View > Language, each language under its own name (so a user lost in a foreign UI still finds theirs)."""
    menu = view_menu.addMenu(_("&Language"))
    menu.setObjectName("languageMenu")
    group = QActionGroup(menu)
    group.setExclusive(True)
    for code, name in i18n.LANGUAGES.items():
        action = QAction(name, menu)
        action.setObjectName(f"action_language_{code}")
        action.setCheckable(True)
        action.setChecked(code == i18n.language())
        action.triggered.connect(lambda _checked=False, c=code: choose(c))
        group.addAction(action)
        menu.addAction(action)
    window.language_menu = menu
    return menu


def check_current(menu: QMenu) -> None:
    for action in menu.actions():
        action.setChecked(action.objectName() == f"action_language_{i18n.language()}")


def follow(window) -> None:
    """Re-translate `window` after each language switch, for as long as it lives (held weakly: tests make many)."""
    import weakref

    import shiboken6

    ref = weakref.ref(window)

    def listener(_lang: str) -> None:
        w = ref()
        if w is None or not shiboken6.isValid(w):
            i18n.off_change(listener)
            return
        w.retranslate()

    i18n.on_change(listener)
    window.destroyed.connect(lambda *_args: i18n.off_change(listener))


# --- re-translating texts in place -------------------------------------------------------------------------------

_SUFFIX = re.compile(r"^(.*?)( \([^()]*\))$", re.S)  # an action's tooltip ends with its shortcut: "Train (F5)"


def reverse_catalog(lang: str) -> dict[str, str]:
    """Translated text -> English message for `lang` (identity for English)."""
    if lang == i18n.DEFAULT:
        return {}
    catalog = gettext.translation(i18n.DOMAIN, localedir=str(i18n.locale_dir()), languages=[lang], fallback=True)
    out: dict[str, str] = {}
    for key, text in getattr(catalog, "_catalog", {}).items():
        if isinstance(key, str) and key:
            out.setdefault(text, key)
    return out


class Retranslator:
    """Maps plain texts shown in one language to the other: widget texts, titles, tooltips, menu and tab texts."""

    def __init__(self, old: str):
        self.reverse = reverse_catalog(old)
        self.old = old

    def english(self, text: str) -> Optional[str]:
        if self.old == i18n.DEFAULT:
            return text
        return self.reverse.get(text)

    def text(self, text: str) -> str:
        if not text:
            return text
        msgid = self.english(text)
        if msgid is not None:
            return _(msgid)
        m = _SUFFIX.match(text)  # "Start training (F5)": the message, then the shortcut
        if m:
            msgid = self.english(m.group(1))
            if msgid is not None:
                return _(msgid) + m.group(2)
        return text

    def widget_tree(self, root: QWidget) -> None:
        widgets = [root, *root.findChildren(QWidget)]
        for w in widgets:
            self._widget(w)
        for action in root.findChildren(QAction):
            if action.objectName().startswith("action_language_"):
                continue
            for get, set_ in ((action.text, action.setText), (action.toolTip, action.setToolTip),
                              (action.statusTip, action.setStatusTip)):
                old = get()
                new = self.text(old)
                if new != old:
                    set_(new)

    def plots(self, root: QWidget) -> None:
        """pyqtgraph's titles, axis labels and legend texts (graphics items, not widgets)."""
        import pyqtgraph as pg

        for view in root.findChildren(pg.GraphicsView):
            scene = view.scene()
            if scene is None:
                continue
            for item in scene.items():
                if isinstance(item, pg.LabelItem):
                    new = self.text(item.text or "")
                    if new != item.text:
                        item.setText(new)
                elif isinstance(item, pg.AxisItem) and item.labelText:
                    new = self.text(item.labelText)
                    if new != item.labelText:
                        item.setLabel(new, units=item.labelUnits or None)

    def _widget(self, w: QWidget) -> None:
        def swap(get, set_):
            old = get()
            new = self.text(old)
            if new != old:
                set_(new)

        swap(w.toolTip, w.setToolTip)
        if isinstance(w, (QLabel, QAbstractButton)):
            swap(w.text, w.setText)
        if isinstance(w, QLineEdit):
            swap(w.placeholderText, w.setPlaceholderText)
        if isinstance(w, QGroupBox):
            swap(w.title, w.setTitle)
        if isinstance(w, QMenu):
            swap(w.title, w.setTitle)
        if isinstance(w, QDockWidget):
            swap(w.windowTitle, w.setWindowTitle)
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                swap(lambda i=i: w.tabText(i), lambda t, i=i: w.setTabText(i, t))
                swap(lambda i=i: w.tabToolTip(i), lambda t, i=i: w.setTabToolTip(i, t))
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                swap(lambda i=i: w.itemText(i), lambda t, i=i: w.setItemText(i, t))
        model = getattr(w, "model", None)
        if callable(model) and w.metaObject().className() in ("QTableView", "QTreeView", "QTableWidget"):
            m = model()
            if m is not None:
                from PySide6.QtCore import Qt

                for c in range(m.columnCount()):
                    swap(lambda c=c: m.headerData(c, Qt.Horizontal) or "",
                         lambda t, c=c: m.setHeaderData(c, Qt.Horizontal, t))
