"""Fixtures shared by the view tests."""

import pytest

from rnnlab.app.model_access import ModelAccess


@pytest.fixture
def access(qtbot, trainer):
    """Model access around the test module's own `trainer` fixture, shut down after the test."""
    acc = ModelAccess()
    acc.set_trainer(trainer)
    yield acc
    acc.shutdown()
