"""Shared by the robustness tests: the refusal invariant, a per-case time limit, and one real saved run."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

import pytest
import torch

from rnnlab.errors import RnnlabError

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


@pytest.fixture(scope="session")
def saved_run(tmp_path_factory):
    """A real run folder (a small bidirectional 2-layer GRU on the adding task), saved by rnnlab itself."""
    from rnnlab import config
    from rnnlab.runs.store import save_run
    from rnnlab.train.trainer import Trainer

    torch.set_num_threads(1)
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 10, "train_size": 100}},
                            "model": {"cell": "gru", "hidden_size": 4, "num_layers": 2, "bidirectional": True},
                            "training": {"steps": 6, "seed": 2}})
    trainer = Trainer(cfg)
    list(trainer.run())
    return save_run(trainer, tmp_path_factory.mktemp("saved") / "run")
