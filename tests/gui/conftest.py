"""Fixtures shared by the GUI tests."""

import pytest

from rnnlab.app.run.model_access import ModelAccess, TrainerApi, build_trainer

from helpers import configured

# Small configs, one per task, for the view tests' trainers: a test module names its task in `TASK`.
TINY = {
    "adding": {"task.length": 30, "task.train_size": 256, "model.cell": "lstm", "model.hidden_size": 8,
               "training.steps": 3},
    "forecast": {"model.cell": "lstm", "model.hidden_size": 8, "training.steps": 3},
    "charlm": {"task.max_chars": 30_000, "model.cell": "gru", "model.hidden_size": 16, "model.embedding_size": 8,
               "training.steps": 3, "training.tbptt": 32, "training.batch_size": 8},
    "dates": {"task.eval_size": 100, "model.cell": "gru", "model.hidden_size": 16, "model.embedding_size": 8,
              "training.steps": 3},
    "memory": {"task.gap": 80, "task.keys": 3, "model.cell": "lstm", "model.hidden_size": 8, "model.embedding_size": 4,
               "training.steps": 2},
    "sentiment": {"task.vocab_size": 2000, "model.cell": "lstm", "model.hidden_size": 12, "model.embedding_size": 8,
                  "training.steps": 3},
    "tagging": {"model.cell": "gru", "model.hidden_size": 12, "model.embedding_size": 8, "model.bidirectional": True,
                "training.steps": 3},
}


@pytest.fixture(autouse=True)
def no_unsaved_run_question():
    """A window closed at the end of a test (pytest-qt closes every widget it was given) must not stop at the modal
    Save / Discard / Cancel question about its unsaved run: nobody is there to answer it. The tests of that question
    turn it on for their own window (`ask_before_discarding(True)`)."""
    from rnnlab.app.main_window import settings

    settings().setValue("runs/ask_before_discard", False)
    yield
    settings().remove("runs/ask_before_discard")


@pytest.fixture(scope="session")
def tiny_trainer():
    """`tiny_trainer(task)`: a fresh (untrained) trainer of that task's small config."""
    return lambda task: build_trainer(configured(task, TINY[task]))


@pytest.fixture(scope="module")
def trainer(request, tiny_trainer):
    """The test module's `TASK`, built once per module."""
    return tiny_trainer(request.module.TASK)


@pytest.fixture
def access(qtbot, trainer):
    """Model access around the test module's own `trainer` fixture, shut down after the test."""
    acc = ModelAccess()
    acc.set_trainer(trainer)
    yield acc
    acc.shutdown()


@pytest.fixture
def api(access):
    """What the window hands an interactive view: the door to `trainer`'s model."""
    return TrainerApi(access)


@pytest.fixture
def new_view(qtbot):
    """`new_view(ViewClass, size=None)`: a view that pytest-qt closes after the test; shown at `size` if given."""

    def make(cls, size=None):
        w = cls()
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
            w.show()
        return w

    return make


@pytest.fixture
def race_session():
    """A RaceSession closed after the test whatever happened: no race outlives it."""
    from rnnlab.app.many.race_session import RaceSession

    s = RaceSession()
    yield s
    s.close()
