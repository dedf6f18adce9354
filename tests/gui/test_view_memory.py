"""The memory view: sequences with the key highlighted, long gaps shortened, answers and confidence."""

from __future__ import annotations

import pytest

from rnnlab.app.views.memory import MemoryView, fake_view, sequence_html

pytestmark = pytest.mark.gui
TASK = "memory"


def test_long_gaps_are_shortened_in_the_middle():
    short = sequence_html("Babc?")
    assert ">B</b>" in short and "a b c" in short and "more" not in short
    long = sequence_html("C" + "ab" * 100 + "?")
    assert "… 168 more …" in long and ">C</b>" in long and "<b>?</b>" in long


def test_draws_fake_data(new_view):
    w = new_view(MemoryView)
    data = fake_view()
    w.update_view(data)
    assert w.table.rowCount() == 8
    for r in range(8):
        ok = data["predictions"][r] == data["targets"][r]
        assert w.table.item(r, 2).text().endswith("✓" if ok else "✗")
        assert w._bars[r].value() == round(1000 * data["confidence"][r])
    assert "0.710" in w.caption.text() and "chance 0.25" in w.caption.text()


def test_draws_a_real_task_view(trainer, new_view):
    w = new_view(MemoryView)
    data = trainer.task.view(trainer.model)
    w.update_view(data)
    assert w.table.rowCount() == 12
    assert "more" in w._seq_labels[0].text()  # a gap of 80 is shortened
    assert w.table.item(0, 1).text() == data["targets"][0]
    assert "chance 0.33" in w.caption.text()
