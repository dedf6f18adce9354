"""One plot panel alone in a window, on a recorded run: the run folder given, or the small recorded run that ships in
resources/runs/ (an LSTM on the adding problem). For working on one panel without the whole window, and for the
test that starts every panel offscreen (Orange3 makes every widget runnable alone the same way).

    python -m rnnlab.app.plots.gates [RUN_FOLDER] [--screenshot out.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from ...errors import RnnlabError
from ...resources import resource
from ...runs.store import open_run
from ...train.info import RunInfo
from .. import theme
from ..run.rundata import RunData
from ...i18n import N_, _, ngettext

RECORDED_RUN = ("runs", "adding-lstm")  # under resources/: `rnnlab train` on the adding task, 200 steps, hidden 16


def recorded(folder: str | Path) -> tuple[RunInfo, RunData]:
    """A saved run as the panels take it: its RunInfo (no Trainer built) and its curves and probes."""
    run = open_run(folder)
    return RunInfo.from_run(run), RunData.from_run(run)


def run_alone(make: Callable, argv: list[str]) -> int:
    """Show the panel `make()` on a recorded run; with --screenshot, draw once, save the window and quit."""
    from PySide6.QtCore import QEvent
    from ..application import application

    parser = argparse.ArgumentParser(description=_("{type} alone, on a recorded run.").format(type=make.__name__))
    parser.add_argument("run", nargs="?", help=_("a saved run's folder (default: the recorded run that ships with "
                                                 "rnnlab)"))
    parser.add_argument("--screenshot", metavar="PNG", help=_("save the drawn panel as a PNG and quit"))
    args = parser.parse_args(argv)
    folder = Path(args.run) if args.run else resource(*RECORDED_RUN)
    app = application(sys.argv[:1])
    try:  # before the event loop starts: nothing is on screen to freeze while the folder is read
        info, data = recorded(folder)
    except RnnlabError as exc:
        print(f"{make.__name__}: {exc}", file=sys.stderr)
        return 2
    theme.apply(app)  # before the panel is built: pyqtgraph takes its colours when an item is made
    panel = make()
    panel.setWindowTitle(f"{make.__name__}: {folder.name}")
    panel.resize(960, 600)
    panel.configure(info)
    panel.show()
    panel.refresh(data)
    try:
        if args.screenshot:
            app.processEvents()
            panel.grab().save(args.screenshot)
            return 0
        return app.exec()
    finally:  # the panel goes before the application does: Qt crashes at exit the other way round
        panel.close()
        panel.deleteLater()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
