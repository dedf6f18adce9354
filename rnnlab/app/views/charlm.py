"""Character-model view: write a prompt, set the temperature, and let the model continue it, live while it trains.

    Prompt [ROMEO:                     ]  temperature ──●──── 0.80   length [300]  [Generate]  [x] as it trains
    ┌───────────────────────────────────────────────────────────────────────────────────────────────────────┐
    │ROMEO:                                                                                                 │
    │What shall I see the prince of my heart ...           (the prompt in grey, the model's text in black)  │
    └───────────────────────────────────────────────────────────────────────────────────────────────────────┘
    Held-out text, shaded by surprise: white = expected, red = surprised (-ln p of each character)

Sampling runs through the TrainerApi (between two optimizer steps while training runs), never on the GUI thread.
The same seed is kept until Generate is pressed again, so moving the temperature slider shows what temperature does
to the same random draws: near 0 the model repeats its most likely phrases, above 1 it invents words. "Show in the
Cell tab" sends the prompt and the text written to the Cell tab, which walks through it character by character.
"""

from __future__ import annotations

import html
import itertools
import time

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSlider, QSpinBox,
                               QTextEdit, QVBoxLayout)

from .. import theme
from . import register_view
from .interactive import InteractiveView
from ...i18n import N_, _, ngettext

DEFAULT_TEMPERATURE = 0.8
LIVE_INTERVAL_S = 2.0  # at most one automatic sample this often while training: sampling holds the training up
SURPRISE_FULL = 6.0  # nats at which a character is shaded fully red (a 1-in-400 character)
PROMPT_COLOR = "#8a8a8a"
_seeds = itertools.count(1)


def shade(nats: float) -> str:
    """Background for a character the model gave probability exp(-nats): white (expected) to red (surprised)."""
    a = float(np.clip(nats / SURPRISE_FULL, 0.0, 1.0))
    return f"rgba(214,39,40,{0.85 * a:.2f})"


def surprisal_html(snippet: str, nats: np.ndarray) -> str:
    """The snippet as HTML, each character after the first on a background shaded by its surprisal."""
    parts = [html.escape(snippet[:1]).replace("\n", "⏎<br>")]
    for ch, s in zip(snippet[1:], np.asarray(nats, dtype=float)):
        text = "⏎" if ch == "\n" else ("&nbsp;" if ch == " " else html.escape(ch))
        parts.append(f"<span style='background:{shade(s)}'>{text}</span>" + ("<br>" if ch == "\n" else ""))
    return "<span style='font-family:monospace'>" + "".join(parts) + "</span>"


@register_view("charlm")
class CharLMView(InteractiveView):
    DEBOUNCE_MS = 200
    text_sent = Signal(str, str)  # the prompt and the text written, for the Cell tab (views/host.py passes it on)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.written = ""  # the prompt and the text of the last sample
        self._seed = next(_seeds)
        self._last_live = 0.0

        # --- controls -----------------------------------------------------------------------------------------
        self.prompt = QPlainTextEdit("ROMEO:\n")
        self._offered = "ROMEO:\n"  # the prompt the task offered last; replaced by the next one unless edited
        self.prompt.setToolTip(_("The text the model continues. It reads the prompt first, then writes one character "
                               "at a time, each drawn from its prediction. Ctrl+Enter generates."))
        self.prompt.setFont(theme.mono_font())
        self._fit_prompt()
        self.temperature = QSlider(Qt.Horizontal)
        self.temperature.setRange(0, 200)  # hundredths
        self.temperature.setValue(int(DEFAULT_TEMPERATURE * 100))
        self.temperature.setMinimumWidth(80)
        self.temperature.setToolTip(_("Temperature T: characters are drawn from softmax(logits / T). 0 always takes "
                                    "the most likely character (repetitive), 1 samples the model as it is, above 1 "
                                    "flattens the distribution (inventive, then garbled)."))
        self.temp_label = QLabel()
        self.temp_label.setMinimumWidth(36)
        self.length = QSpinBox()
        self.length.setRange(20, 2000)
        self.length.setSingleStep(50)
        self.length.setValue(300)
        self.length.setSuffix(_(" chars"))
        self.length.setToolTip(_("How many characters to write."))
        self.generate_button = QPushButton(_("Generate"))
        self.generate_button.setToolTip(_("Sample a new text from the prompt (new random draws)."))
        self.generate_button.clicked.connect(self._new_sample)
        self.to_cell = QPushButton(_("Show in the Cell tab"))
        self.to_cell.setToolTip(_("Walk through the prompt and the text written, character by character, in the Cell "
                                  "tab (its first {n} characters)").format(n=400))
        self.to_cell.setEnabled(False)
        self.to_cell.clicked.connect(self.send_to_cell)
        self.live = QCheckBox(_("as it trains"))
        self.live.setChecked(True)
        self.live.setToolTip(_("While training runs, write a new text with the current weights every "
                               "{LIVE_INTERVAL_S:g} s (same random draws, so you see the weights change the text).").format(LIVE_INTERVAL_S=LIVE_INTERVAL_S))
        # Two short rows, not one long one: the view must leave the loss plots room beside it at 1024 px.
        controls = QVBoxLayout()
        controls.setSpacing(2)
        first, second = QHBoxLayout(), QHBoxLayout()
        first.addWidget(QLabel(_("Temperature")))
        first.addWidget(self.temperature, 1)
        first.addWidget(self.temp_label)
        first.addWidget(self.to_cell)  # on the slider's row: on the second it widened the view past 1024 px's share
        second.addWidget(QLabel(_("Length")))
        second.addWidget(self.length)
        second.addWidget(self.generate_button)
        second.addWidget(self.live)
        second.addStretch(1)
        controls.addLayout(first)
        controls.addLayout(second)
        top = QHBoxLayout()
        prompt_label = QLabel(_("Prompt"))
        prompt_label.setAlignment(Qt.AlignTop)
        top.addWidget(prompt_label)
        top.addWidget(self.prompt, 1)

        # --- the generated text -------------------------------------------------------------------------------
        self.output = QTextEdit(readOnly=True)
        self.output.setFont(theme.mono_font())
        self.output.setPlaceholderText(_("Press Generate (or Ctrl+Enter in the prompt) to let the model write."))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        self.note = self.status

        # --- surprise on held-out text ------------------------------------------------------------------------
        self.surprise_title = QLabel()
        self.surprise_title.setTextFormat(Qt.RichText)
        self.surprise_title.setWordWrap(True)
        self.surprise = QTextEdit(readOnly=True)
        self.surprise.setFont(theme.mono_font())
        self.surprise.setToolTip(_("Validation text the model has never trained on. Each character is shaded by how "
                                 "surprised the model was to see it (-ln p): white = expected, red = surprised. "
                                 "Watch the inside of words turn white first, then the starts of words."))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addWidget(self.output, 3)
        layout.addWidget(self.status)
        layout.addWidget(self.surprise_title)
        layout.addWidget(self.surprise, 2)

        self.temperature.valueChanged.connect(self._on_temperature)
        self.length.valueChanged.connect(self.request_soon)
        QShortcut(QKeySequence("Ctrl+Return"), self.prompt, activated=self._new_sample)
        self._on_temperature(self.temperature.value(), request=False)

    def _fit_prompt(self) -> None:
        """Two and a half lines of the prompt's font, whatever the zoom."""
        self.prompt.setFixedHeight(int(2.6 * self.prompt.fontMetrics().lineSpacing()) + 12)

    def refresh_fonts(self) -> None:
        super().refresh_fonts()
        self._fit_prompt()

    # --- the model, through the trainer api ---------------------------------------------------------------------

    @property
    def temperature_value(self) -> float:
        return self.temperature.value() / 100.0

    def _on_temperature(self, value: int, request: bool = True) -> None:
        self.temp_label.setText(f"{value / 100:.2f}")
        if request:
            self.request_soon()

    def _new_sample(self) -> None:
        self._seed = next(_seeds)
        self.request()

    def ask(self):
        prompt, length, temperature, seed = self.prompt.toPlainText(), self.length.value(), self.temperature_value, \
            self._seed
        self._last_live = time.monotonic()
        return lambda task, model: {"prompt": prompt, "temperature": temperature,
                                    "text": task.sample(model, prompt, length, temperature, seed)}

    # --- drawing --------------------------------------------------------------------------------------------------

    def update_view(self, data: dict) -> None:
        """Surprisal of the held-out snippet; and, at most every few seconds, a fresh sample with the new weights."""
        nats = np.asarray(data["surprisal"], dtype=float)
        uni = np.asarray(data.get("unigram_surprisal", []), dtype=float)
        offered = data.get("prompt")
        if offered and offered != self._offered and self.prompt.toPlainText() == self._offered:
            self.prompt.setPlainText(offered)  # another text (a file of one's own): its own first characters
        if offered:
            self._offered = offered
        mean = f"{nats.mean():.2f}" if len(nats) else "-"
        # Short, so that it keeps its two lines at 130 % beside the loss plots at 1024 px; the rest is the tooltip.
        if len(uni):
            title = _("<b>Held-out text</b>, shaded by surprise -ln p: the model pays <b>{mean}</b> nats/char "
                      "(character frequencies alone: {unigram}).").format(mean=mean, unigram=f"{uni.mean():.2f}")
        else:
            title = _("<b>Held-out text</b>, shaded by surprise -ln p: the model pays <b>{mean}</b> nats/char.").format(
                mean=mean)
        self.surprise_title.setText(title)
        self.surprise_title.setToolTip(
            _("Validation text from {text} that the model never trained on, each character shaded by the model's "
              "surprise -ln p (white: expected, red: {SURPRISE_FULL:g}+ nats).").format(text=html.escape(str(data.get("title", _("the text")))), SURPRISE_FULL=SURPRISE_FULL))
        scroll = self.surprise.verticalScrollBar().value()
        self.surprise.setHtml(surprisal_html(data["snippet"], nats))
        self.surprise.verticalScrollBar().setValue(scroll)
        now = time.monotonic()
        if self.live.isChecked() and not self.pending and now - self._last_live >= LIVE_INTERVAL_S:
            self.request()

    def send_to_cell(self) -> None:
        if self.written:
            self.text_sent.emit(self.written, _("the generated text"))

    def show_result(self, result: dict) -> None:
        self.written = result["prompt"] + result["text"]
        self.to_cell.setEnabled(len(self.written) >= 2)
        prompt = html.escape(result["prompt"]).replace("\n", "<br>")
        text = html.escape(result["text"]).replace("\n", "<br>")
        self.output.setHtml(f"<span style='font-family:monospace; white-space:pre-wrap'>"
                            f"<span style='color:{PROMPT_COLOR}'>{prompt}</span>{text}</span>")
        sampled = ngettext("{n} character sampled at temperature {temperature} (grey: your prompt).",
                           "{n} characters sampled at temperature {temperature} (grey: your prompt).",
                           len(result["text"])).format(n=len(result["text"]),
                                                       temperature=f"{result['temperature']:.2f}")
        self.status.setText(f"<small>{sampled}</small>")


def fake_view() -> dict:
    snippet = (("KING RICHARD II:\nWhat says my cousin? Speak, and let us hear\nThe tidings that thou bring'st "
               "from Bolingbroke.\n"))
    rng = np.random.default_rng(0)
    return {"kind": "charlm", "title": _("Tiny Shakespeare"), "prompt": "ROMEO:\n", "temperature": 0.8,
            "snippet": snippet, "surprisal": rng.gamma(1.2, 1.2, len(snippet) - 1).astype(np.float32),
            "unigram_surprisal": rng.gamma(3.0, 1.1, len(snippet) - 1).astype(np.float32), "chars": ""}


if __name__ == "__main__":
    from ._alone import run_alone

    tiny = {"task": {"name": "charlm", "options": {"max_chars": 30_000}},
           "model": {"cell": "gru", "hidden_size": 32, "embedding_size": 16},
           "training": {"steps": 60, "tbptt": 32, "batch_size": 16}}
    raise SystemExit(run_alone(CharLMView, tiny, size=(900, 600)))
