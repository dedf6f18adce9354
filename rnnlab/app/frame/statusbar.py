"""The status bar's permanent fields (state, step, epoch, loss, speed, ETA, device) and its progress bar."""

from __future__ import annotations

import math
from typing import Optional

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from ...train.info import RunInfo
from ..run.worker import Update
from ...i18n import N_, _, ngettext

# Key, tooltip, the widest text each shows (its width is fixed from it). Kept short, so that the messages on the left
# of the bar have room ("press Train to sta…" was cut off at 1280 px).
STATUS_FIELDS = (("state", N_("What training is doing"), N_("opened (finished)")),
                 ("step", N_("Optimizer steps done / planned"), N_("step 1000000/1000000")),
                 ("epoch", N_("Passes over the training data"), N_("epoch 10000.00")),
                 ("loss", N_("Training loss at the last step"), N_("loss 0.0001234")),
                 ("speed", N_("Optimizer steps per second"), N_("10000 steps/s")),
                 ("eta", N_("Time left at the current speed"), N_("ETA 10:00:00")),
                 ("device", N_("Where the model trains"), N_("device cuda:0")))


def fmt_time(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


# A run's state as the status bar says it (the keys stay English everywhere else: run files, signals, tests).
STATE_TEXTS = {"ready": N_("ready"), "running": N_("running"), "paused": N_("paused"), "stopping": N_("stopping"),
               "finished": N_("finished"), "stopped": N_("stopped"), "diverged": N_("diverged"), "idle": N_("idle"),
               "interrupted": N_("interrupted"), "failed": N_("failed"), "preparing": N_("preparing")}


def state_text(state: str) -> str:
    """A state key in the current language; any other text (already a sentence) as it is."""
    return _(STATE_TEXTS[state]) if state in STATE_TEXTS else state


def idle_text(info: Optional[RunInfo]) -> str:
    """What the state field says with no training going: ready, or how the run shown ended."""
    if info is None or info.step == 0 or info.status in ("ready", "running"):
        return "ready"
    return info.status  # finished | stopped | diverged


class StatusFields:
    """The fields, added to `bar`; `labels[key]` is each field's QLabel, `progress` the bar of steps done."""

    def __init__(self, bar: QStatusBar):
        self.labels: dict[str, QLabel] = {}
        for key, tip, _sample in STATUS_FIELDS:
            label = QLabel()
            label.setToolTip(_(tip))
            bar.addPermanentWidget(label)
            self.labels[key] = label
        self.fit_widths()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        bar.addPermanentWidget(self.progress)

    def fit_widths(self) -> None:
        # Fixed widths: a label whose text changes 25 times a second must not re-layout (and repaint) the window.
        metrics = self.labels["state"].fontMetrics()
        for key, _tip, sample in STATUS_FIELDS:
            widest = metrics.horizontalAdvance(_(sample))
            if key == "state":  # a state's name in this language may run longer than the sample (duraklatıldı)
                widest = max([widest] + [metrics.horizontalAdvance(_(text)) for text in STATE_TEXTS.values()])
            self.labels[key].setFixedWidth(widest + 14)

    def set_state(self, text: str) -> None:
        self.labels["state"].setText(state_text(text))

    def show(self, state: str, info: Optional[RunInfo], update: Optional[Update], planned_steps: int) -> None:
        """The session's state and run, with its last update if there is one (else the run's step, or the plan)."""
        if update is None:
            self.show_idle(idle_text(info) if state == "idle" else state, info, planned_steps)
            return
        shown = state if update.status == "running" and state in ("running", "stopping") else update.status
        self.show_update(update, shown, info.device if info is not None else "")

    def show_idle(self, state: str, info: Optional[RunInfo], planned_steps: int) -> None:
        """No update to show: the run's step (0 for none) of what is planned."""
        steps = info.step if info is not None else 0
        total = info.total_steps if info is not None else planned_steps
        self._show(state, _("step {steps}/{total}").format(steps=steps, total=total), "", "", "", "", _("device {device}").format(device=info.device) if info else "")
        self._progress(steps, total)

    def show_update(self, update: Update, state: str, device: str) -> None:
        loss = update.train_loss
        running = update.status == "running"
        left = (update.total_steps - update.step) / update.steps_per_sec if update.steps_per_sec else math.nan
        self._show(state, _("step {step}/{total_steps}").format(step=update.step, total_steps=update.total_steps), _("epoch {epoch:.2f}").format(epoch=update.epoch),
                   _("loss {loss:.4g}").format(loss=loss) if math.isfinite(loss) else _("loss {loss}").format(loss=loss),
                   _("{speed:.0f} steps/s").format(speed=update.steps_per_sec) if update.steps_per_sec and running else "",
                   _("ETA {time}").format(time=fmt_time(left)) if running else "", _("device {device}").format(device=device) if device else None)
        self._progress(update.step, update.total_steps)

    def show_opened(self, info: RunInfo, status: str, loss: float) -> None:
        self._show(_("opened ({status})").format(status=state_text(status)), _("step {step}/{total_steps}").format(step=info.step, total_steps=info.total_steps),
                   _("epoch {epoch:.2f}").format(epoch=info.step / info.steps_per_epoch), _("loss {loss:.4g}").format(loss=loss) if math.isfinite(loss) else "",
                   "", "", _("device {device}").format(device=info.device))
        self._progress(info.step, info.total_steps)

    def show_runs(self, state: str, infos: list) -> None:
        """Several runs (a race, a comparison): the slowest run's step, and the progress of all of them together."""
        infos = [i for i in infos if i is not None]
        if not infos:
            self._show(state, "", "", "", "", "", "")
            return
        slowest = min(infos, key=lambda i: i.step / max(1, i.total_steps))
        self._show(state, _("step {step}/{total_steps}").format(step=slowest.step, total_steps=slowest.total_steps), "", "", "", "", _("device {device}").format(device=infos[0].device))
        self._progress(sum(i.step for i in infos), sum(i.total_steps for i in infos))

    def _show(self, *texts: Optional[str]) -> None:
        for (key, _tip, _sample), text in zip(STATUS_FIELDS, texts):
            if text is not None:  # None: leave the field as it is
                self.labels[key].setText(state_text(text) if key == "state" else text)

    def _progress(self, step: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(step)
