"""One task view alone in a window, on the real thing: `python -m rnnlab.app.views.<module>` trains a tiny model for
its task a few steps here, draws `task.view(model)` and lets the view ask the model itself, as in the window.

    python -m rnnlab.app.views.sentiment                  # look, type a sentence
    python -m rnnlab.app.views.sentiment --grab view.png  # save what it drew once its answer came, and quit
"""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import QTimer
from .. import theme
from ...i18n import N_, _, ngettext
from ..application import application

ANSWER_WAIT_MS = 20_000  # --grab waits this long at most for an interactive view's answer


def run_alone(view_cls, cfg: dict, size=(900, 560), argv=None) -> int:
    """Train `cfg` (a small config as a dict) to its end, then show `view_cls` on the trained model's view dict."""
    parser = argparse.ArgumentParser(prog=f"python -m {view_cls.__module__}", description=view_cls.__doc__)
    parser.add_argument("--grab", metavar="PNG", help=_("save a picture of the view once it drew, then quit"))
    args = parser.parse_args(argv)
    app = application(sys.argv[:1])
    theme.apply(app)
    data, access = _trained_view(cfg)  # headless, before the window shows: the GUI thread does no torch work after
    from ..run.model_access import TrainerApi

    w = view_cls()
    w.refresh_fonts()
    if hasattr(w, "set_trainer_api"):
        w.set_trainer_api(TrainerApi(access))
    w.update_view(data)
    w.resize(*size)
    w.show()
    if args.grab:
        _grab_when_answered(app, w, args.grab)
    try:
        return app.exec()
    finally:
        access.shutdown()


def _trained_view(cfg: dict):
    """The view dict of a model trained to the end of `cfg`, and model access to that model for the view."""
    from ... import config
    from ...modes import evaluating
    from ..run.model_access import ModelAccess, build_trainer

    trainer = build_trainer(config.from_dict(cfg))
    for _snapshot in trainer.run():
        pass
    with evaluating(trainer.model):
        data = trainer.task.view(trainer.model)
    access = ModelAccess()
    access.set_trainer(trainer)
    return data, access


def _grab_when_answered(app, w, path: str) -> None:
    waited = 0

    def check():
        nonlocal waited
        waited += 50
        if getattr(w, "pending", False) and waited < ANSWER_WAIT_MS:
            return
        timer.stop()
        app.processEvents()
        w.grab().save(path)
        app.quit()

    timer = QTimer(w, interval=50)
    timer.timeout.connect(check)
    timer.start()
