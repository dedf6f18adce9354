"""What the message bar says about a run (diverged, blew up, its result and why it learned nothing, the plots being of
a previous run), with the fixes as buttons that change the form."""

from __future__ import annotations

from html import escape
from typing import Callable, Optional

from ...train.advice import Advice, blow_up
from ...train.info import RunInfo
from ..form.experiment_panel import ExperimentPanel
from .messagebar import MessageBar
from ..run.rundata import RunData
from ... import i18n
from ...i18n import N_, _, ngettext
from .statusbar import state_text


class RunMessages:
    def __init__(self, bar: MessageBar, form: ExperimentPanel, set_config: Callable):
        self.bar, self.form, self._set_config = bar, form, set_config
        self.fix_applied = False  # a fix button's message already says the plots are of the last run

    def result(self, data: RunData, info: Optional[RunInfo], status: str, message: str,
               advice: Optional[Advice], note: str = "") -> None:
        """A run ended (or was opened): diverged, blew up, or its result with the advice if it learned nothing; then
        `note` (how it was opened) below it."""
        message = i18n.translate_text(message)  # run files keep it in English; the user reads it in theirs
        reason = blow_up(data.col("train_loss"))
        if status == "diverged":
            self.diverged(message, info)
        elif reason:
            self.diverged(_("{reason} The step size was too large for this model: the weights were thrown far off "
                            "and the run ended no better than where it began. {message}").format(reason=reason, message=message), info)
        elif message and advice is None:
            self.bar.show_message(message, "info")
        elif message:
            # One button per one-setting fix (a forecast that lost may have several), as the clipping fix does.
            actions = [(label, self._fix(changes)) for label, changes in advice.fixes()]
            why = _("Why:")
            self.bar.show_message(f"{escape(message)}<br><b>{escape(why)}</b> {escape(advice.text)}", "warning",
                                  actions, rich=True)
        if note:
            self.bar.show_message(f"{self.bar.text.text()}<br>{escape(note.strip())}", self.bar.level, rich=True)

    def diverged(self, message: str, info: Optional[RunInfo]) -> None:
        t = self.form.config().training
        actions = []
        if not t.clip_grad or t.max_grad_norm > 1.0:
            actions.append((_("Clip gradients at 1.0"), lambda: self.apply_fix([("training.clip_grad", True),
                                                                              ("training.max_grad_norm", 1.0)])))
        lower = float(f"{t.learning_rate / 10:.2g}")
        actions.append((_("Learning rate {lower:g}").format(lower=lower), lambda: self.apply_fix([("training.learning_rate", lower)])))
        title = _("The run diverged.") if info is None or info.status == "diverged" else _("The run blew up.")
        self.bar.show_message(f"<b>{title}</b> {escape(i18n.translate_text(message))}", "warning", actions, rich=True)

    def _fix(self, changes) -> Callable[..., None]:
        """A button's action (a clicked signal passes `checked`, which is not a change)."""
        return lambda *_args: self.apply_fix(list(changes))

    def apply_fix(self, changes) -> None:
        cfg = self.form.config()
        for key, value in changes:
            cfg = cfg.replace_setting(key, value)  # model and training keys: the task file is not read again
        self._set_config(cfg)
        self.bar.show_message(_("Settings changed. Press Train to start a new run with them."), "info")
        self.fix_applied = True

    def previous_run(self, info: RunInfo, actions: list) -> None:
        """The form was edited after a run: the plots keep that run (it may be unsaved), clearly marked (issue 9,
        item 2). Said once per edit, unless a fix button just said so."""
        if self.fix_applied:
            self.fix_applied = False
            return
        self.bar.show_message(
            _("<b>The plots show the previous run</b> ({task}, {cell}, {status} at step {step}), not the settings on "
              "the left. Press Train to start a run with those.").format(task=escape(info.task), cell=escape(info.cell),
                                                                       status=escape(state_text(info.status)),
                                                                       step=info.step), "info",
            actions, rich=True)
