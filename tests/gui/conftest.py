"""Fixtures shared by the GUI tests."""

import pytest

from rnnlab.app.model_access import ModelAccess


@pytest.fixture(autouse=True)
def no_unsaved_run_question():
    """A window closed at the end of a test (pytest-qt closes every widget it was given) must not stop at the modal
    Save / Discard / Cancel question about its unsaved run: nobody is there to answer it. The tests of that question
    turn it on for their own window (`ask_before_discarding(True)`)."""
    from rnnlab.app.main_window import settings

    settings().setValue("runs/ask_before_discard", False)
    yield
    settings().remove("runs/ask_before_discard")


@pytest.fixture
def access(qtbot, trainer):
    """Model access around the test module's own `trainer` fixture, shut down after the test."""
    acc = ModelAccess()
    acc.set_trainer(trainer)
    yield acc
    acc.shutdown()
