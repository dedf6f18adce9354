"""The one way to get the QApplication: `application()`. It also shields Qt from the C library's locale.

Why the shield: PySide6 builds a property's setter name with the C library's `toupper`, so under a Turkish or Azeri
`LC_CTYPE` (where `toupper('i')` is the dotted 'İ', not 'I') every Qt property passed as a keyword whose name starts
with an `i` fails: `QTimer(self, interval=50)` raises "'interval' is not a Qt property or a signal", and rnnlab never
opened on a Turkish machine. We fix the class, not the instances: after Qt has read the locale (QApplication calls
`setlocale(LC_ALL, "")` on Unix), the C library's case mapping goes back to ASCII (`C.UTF-8`) and its number format
back to `C`, which is what Python itself runs with. Nothing the user sees changes: Qt takes the user's language,
number format and text case (ICU, so `İSTANBUL` stays right) from the environment through `QLocale`, not from the
C library, and file names stay UTF-8. Removing every property keyword instead would leave the next one, and
pyqtgraph's, to break again; and a process-wide C `LC_NUMERIC` with a decimal comma could also change how C code
parses and prints numbers.
"""

from __future__ import annotations

import locale
import sys
from typing import Optional, Sequence

_SAFE_CTYPE = (".UTF-8", "C") if sys.platform == "win32" else ("C.UTF-8", "C.utf8", "C")


def shield_c_locale() -> str:
    """Set the C library's LC_CTYPE to an ASCII case mapping and LC_NUMERIC to "C"; returns the LC_CTYPE in use."""
    for name in _SAFE_CTYPE:
        try:
            locale.setlocale(locale.LC_CTYPE, name)
            break
        except locale.Error:
            continue
    try:
        locale.setlocale(locale.LC_NUMERIC, "C")
    except locale.Error:
        pass
    return locale.setlocale(locale.LC_CTYPE)


def application(argv: Optional[Sequence[str]] = None):
    """The running QApplication, made (with rnnlab's names) if there is none; the C locale shielded either way."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
        app.setApplicationName("rnnlab")
        app.setOrganizationName("rnnlab")
    shield_c_locale()
    return app
