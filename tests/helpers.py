"""Plain code the tests share, imported one way: `from helpers import ...` (pytest puts tests/ on sys.path because
tests/conftest.py sits there). Fixtures (the `window` a test opens, the robustness tests' saved runs) live in the
conftest.py files instead; a test module never imports from another test module."""

from __future__ import annotations

import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from rnnlab import config
from rnnlab.errors import RnnlabError

TIMEOUT = 60_000  # ms a window test waits for training or a background job; generous: the machine is shared



def configured(task: str = "adding", changes=(), *, suggested: bool = False, **training) -> config.RunConfig:
    """THE tests' config factory: `config.experiment` (the engine's recipe) for `task` with `changes`
    ({"section.key": value}) and `training` keywords (steps=6 is "training.steps": 6), checked together by the
    config's rules. Without the task's suggested settings unless asked: a test's numbers come from what it names."""
    changes = dict(changes)
    changes.update({f"training.{key}": value for key, value in training.items()})
    return config.experiment(task, changes, suggested=suggested)


# A sweep that runs in a few seconds: two cells, one seed, six steps each.
TINY_SWEEP = """
[sweep]
seeds = [0]

[sweep.axes]
"model.cell" = ["rnn_tanh", "gru"]

[task]
name = "adding"

[task.options]
length = 8
train_size = 100

[model]
hidden_size = 4

[training]
steps = 6
eval_every = 3
threads = 1
"""

# A sweep for real worker processes (local or Ray): two cells by two seeds, 30 steps each, a few seconds in all.
SMALL_SWEEP = """
[sweep]
seeds = [0, 1]

[sweep.axes]
"model.cell" = ["rnn_tanh", "gru"]

[task]
name = "adding"

[task.options]
length = 10

[model]
hidden_size = 8

[training]
steps = 30
eval_every = 10
"""

# A lesson that races two tiny cells in a second; THRESHOLD is the second check's bound (1e9: the claim shows).
TINY_LESSON = '''
lesson_version = 1
[lesson]
title = {en = "Gates remember", tr = "Geçitler hatırlar"}
claim = {en = "The LSTM trains its steps.", tr = "LSTM adımlarını eğitir."}
text = {en = "A tiny race on the adding problem.", tr = "Toplama probleminde küçük bir yarış."}
[experiment]
kind = "race"
key = "model.cell"
values = ["rnn_tanh", "lstm"]
names = ["rnn", "lstm"]
[task]
name = "adding"
[task.options]
length = 10
train_size = 200
[model]
hidden_size = 4
[training]
steps = 5
[[steps]]
text = {en = "Start the race."}
[[steps]]
text = {en = "The LSTM trains all its steps."}
done_when = "trains"
[[steps]]
text = {en = "The RNN's loss is finite."}
done_when = "finite"
[[questions]]
ask = {en = "Why?"}
answer = {en = "Because."}
[[checks]]
name = "trains"
text = {en = "the LSTM trains its steps"}
value = "lstm.steps"
is = ">="
than = 5
[[checks]]
name = "finite"
text = {en = "the RNN's final loss is finite"}
value = "rnn.final_loss"
is = "<"
than = THRESHOLD
'''


# --- the real window ------------------------------------------------------------------------------------------------

def helper_threads() -> list[str]:
    """The window's helper threads still alive (none may outlive a closed window): Python's (the form's file checker)
    and the QThreads of app/threads.py."""
    from rnnlab.app.threads import running

    names = [t.name for t in threading.enumerate() if t.is_alive()] + running()
    return [name for name in names if name.startswith("rnnlab-helper")]


def type_into(qtbot, editor, text: str) -> None:
    """Replace a line edit's text the way a user does (textEdited fires per key)."""
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def train_to_end(qtbot, w) -> str:
    """Start training in window `w` and wait for its end; returns how it ended ("finished", "stopped", ...)."""
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as blocker:
        assert w.start_training()
    return blocker.args[0]


def shown(label) -> str:
    """The text a label shows, as QLabel decides it (rich text, plain text, or AutoText's guess)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextDocument
    from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui

    text, fmt = label.text(), label.textFormat()
    if fmt == Qt.RichText or (fmt == Qt.AutoText and GuiQt.mightBeRichText(text)):
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


def answer_next_dialog(qtbot, act) -> None:
    """Call `act(dialog)` on the next modal dialog, from the event loop the dialog runs."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        act(dialog)

    QTimer.singleShot(20, poll)


def pick_file(dialog, path) -> None:
    """Type `path` into a file dialog's name field and accept it, as a person does. (`QFileDialog.selectFile` leaves
    that field as it was while the field has the keyboard focus, which depends on what earlier tests activated: the
    dialog then waited for a file forever.)"""
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    assert isinstance(dialog, QFileDialog), dialog
    dialog.findChild(QLineEdit, "fileNameEdit").setText(str(path))
    dialog.accept()


def hold_the_model(submit, seconds: float = 20.0) -> threading.Event:
    """Queue through `submit` (the model door's) a request that holds the model until the returned event is set (at
    most `seconds`): a step that takes seconds, as a big model's does. Returns once the request holds the model."""
    entered, release = threading.Event(), threading.Event()

    def long_step(task, model):
        entered.set()
        release.wait(seconds)

    submit(long_step, lambda _result: None)
    assert entered.wait(30), "the request never reached the model"
    return release


def assert_drawn(widget, colours: int = 16):
    """What a screenshot of `widget` would show: an image of the widget's own size, drawn (at least `colours`
    different colours among its pixels), not a blank or one-colour rectangle. Returns the image."""
    image = widget.grab().toImage()
    assert (image.width(), image.height()) == (widget.width(), widget.height()) and image.width() > 0
    step_x, step_y = max(1, image.width() // 97), max(1, image.height() // 89)
    seen = {image.pixel(x, y) for x in range(0, image.width(), step_x) for y in range(0, image.height(), step_y)}
    assert len(seen) >= colours, f"{len(seen)} colours in {image.width()}x{image.height()}: blank?"
    return image


# --- refusals: the robustness tests' invariant ----------------------------------------------------------------------

MAX_MESSAGE = 300  # characters of a refusal, the file's folder left out (paths are as long as the user made them)


def check_refusal(exc: BaseException, *names: str, folder: str = "") -> str:
    """The invariant: the project's own error, one line, short, naming the field or file (any of `names`)."""
    assert isinstance(exc, RnnlabError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    short = text.replace(folder, "") if folder else text
    assert "\n" not in text, text
    assert 0 < len(short) <= MAX_MESSAGE, f"{len(short)} characters: {text[:400]}"
    if names:
        assert any(n in text for n in names), f"names none of {names}: {text}"
    return text


def refused(fn, *names, error=RnnlabError, folder: str = "", seconds: float = 20.0) -> str:
    """`fn()` must refuse with `error` within `seconds` (a hang fails the test instead of freezing the suite), by
    the invariant above; returns the message."""
    import pytest

    with pytest.raises(error) as err, time_limit(seconds):
        fn()
    return check_refusal(err.value, *names, folder=folder)


def csv_file(tmp_path, text: str, name: str = "data.csv") -> Path:
    """`text` written as a CSV file in `tmp_path`, byte for byte (no newline translation)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


class Hang(Exception):
    """A case ran past its time limit: a hang, reported as a failure instead of freezing the suite."""


@contextmanager
def time_limit(seconds: float):
    """Fail the case if it runs longer than `seconds` (SIGALRM; main thread only, which pytest uses)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise Hang(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- sweeps run in this process -------------------------------------------------------------------------------------

class InlineExecutor:
    """Runs one point at a time, here, when polled: the executor interface of LocalExecutor without processes (the
    same `run_point` a worker process runs), so tests damage real sweep folders without spawning workers."""

    name = "inline"
    slots = 1
    description = "this process"

    def __init__(self):
        self._job = None

    def start(self):
        pass

    def free_slots(self) -> int:
        return 0 if self._job else 1

    def running(self) -> list[str]:
        return [self._job.point_id] if self._job else []

    def submit(self, job) -> None:
        self._job = job

    def command(self, cmd: str) -> None:
        pass

    def poll(self, timeout: float) -> list:
        from rnnlab.experiments.point import run_point

        job, self._job = self._job, None
        events: list = []
        outcome = run_point(job, events.append)
        return [*events, outcome]

    def cancel(self) -> list[str]:
        ids, self._job = self.running(), None
        return ids

    def close(self) -> None:
        self._job = None


def run_inline(sweep, folder):
    """Run `sweep` into `folder` in this process; returns the finished SweepRunner."""
    from rnnlab.experiments.runner import SweepRunner

    runner = SweepRunner(sweep, folder, InlineExecutor())
    for _event in runner.events():
        pass
    return runner


def tiny_sweep(text: str = TINY_SWEEP):
    from rnnlab.experiments import sweep as sweep_mod

    return sweep_mod.loads(text)


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def small(steps: int = 120, task: str = "forecast", **training) -> config.RunConfig:
    """A model small enough to train in a second or two on one core."""
    return configured(task, {"model.hidden_size": 8},
                      **{"steps": steps, "learning_rate": 0.01, "batch_size": 16, **training})


def adding(steps: int = 30) -> config.RunConfig:
    """A short adding-problem run that evaluates and probes every 10 steps (the many-runs and task-switch tests)."""
    return configured("adding", {"task.length": 12, "model.hidden_size": 8, "training.steps": steps,
                                 "training.eval_every": 10, "training.probe_every": 10})


def tagging(steps: int = 20) -> config.RunConfig:
    """A short tagging run, evaluated and probed every 10 steps."""
    return configured("tagging", {"model.hidden_size": 8, "model.embedding_size": 8, "training.steps": steps,
                                  "training.eval_every": 10, "training.probe_every": 10})
