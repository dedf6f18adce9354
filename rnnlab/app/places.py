"""Where file dialogs start: the run library for new runs, and the folder last used for each kind of file (runs,
data), kept in QSettings."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings

from .. import config as config_mod
from ..runs import library

ORG, APP = "rnnlab", "rnnlab"
RUN_KINDS = ("runs", "runs-open")  # dialogs that start, by default, in the run library


def settings() -> QSettings:
    return QSettings(ORG, APP)


def last_folder(kind: str) -> str:
    """The folder a dialog for `kind` ('runs', 'data') last chose, if it still exists; else, for runs, the run
    library's runs folder (when it exists), else the home folder."""
    value = settings().value(f"folders/{kind}")
    if isinstance(value, str) and value and Path(value).is_dir():
        return value
    if kind in RUN_KINDS and library.runs_folder().is_dir():
        return str(library.runs_folder())
    return str(Path.home())


def new_run_path(cfg: config_mod.RunConfig) -> str:
    """What Save proposes for a new run: a free task-cell-date folder in the run library, so it lists in the
    library's browser. Where the library cannot be created (a read-only home), the last folder used for runs."""
    try:
        return str(library.new_run_path(cfg))
    except OSError:
        return str(Path(last_folder("runs")) / time.strftime(f"{cfg.task.name}-{cfg.model.cell}-%Y%m%d-%H%M%S"))


def remember_folder(kind: str, path: str) -> None:
    """Remember the folder of `path` (a file, or a folder a dialog chose) for the next dialog of `kind`."""
    p = Path(path)
    folder = p if p.is_dir() and kind == "runs-open" else p.parent
    settings().setValue(f"folders/{kind}", str(folder))
