"""Where file dialogs start: the folder last used for each kind of file (runs, data), kept in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORG, APP = "rnnlab", "rnnlab"


def settings() -> QSettings:
    return QSettings(ORG, APP)


def last_folder(kind: str) -> str:
    """The folder a dialog for `kind` ('runs', 'data') last chose, if it still exists; else the home folder."""
    value = settings().value(f"folders/{kind}")
    if isinstance(value, str) and value and Path(value).is_dir():
        return value
    return str(Path.home())


def remember_folder(kind: str, path: str) -> None:
    """Remember the folder of `path` (a file, or a folder a dialog chose) for the next dialog of `kind`."""
    p = Path(path)
    folder = p if p.is_dir() and kind == "runs-open" else p.parent
    settings().setValue(f"folders/{kind}", str(folder))
