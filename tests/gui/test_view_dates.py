"""The dates view: input / target / answer table with wrong characters marked, per-format bars, typed dates."""

from __future__ import annotations

import pytest

from rnnlab.app.views.dates import DatesView, fake_view, marked_answer
from rnnlab.data import dates as cal

pytestmark = pytest.mark.gui
TASK = "dates"


def test_marked_answer_colours_only_the_wrong_characters():
    out = marked_answer("1998-03-07", "1998-03-03")
    assert out.count("<b style=") == 1 and ">7</b>" in out


def test_draws_fake_data(new_view):
    w = new_view(DatesView)
    data = fake_view()
    w.update_view(data)
    assert w.table.rowCount() == 4
    assert [w.table.item(r, 3).text() for r in range(4)] == ["✓", "✗", "✓", "✗"]
    assert w.table.item(1, 0).text() == "Sat, 14 Oct 2023"
    assert w.format_table.rowCount() == len(data["per_format"])
    assert w._bars[3].value() == 420 and w._bars[3].text() == "0.42"
    assert "0.840" in w.caption.text() and "d.m.yyyy (European)" in w.caption.text()  # the hardest format


@pytest.mark.slow
def test_real_view_and_a_typed_date(qtbot, trainer, api, new_view):
    w = new_view(DatesView)
    data = trainer.task.view(trainer.model)
    w.update_view(data)
    assert w.table.rowCount() == len(data["inputs"]) > 0
    assert w.format_table.rowCount() == len(cal.FORMAT_NAMES)
    w.typed.setText("march 3rd 1998")
    w.set_trainer_api(api)
    expected = trainer.task.convert(trainer.model, "march 3rd 1998")
    qtbot.waitUntil(lambda: expected in w.answer.text(), timeout=10_000)
    w.typed.setText("3 März 1998")
    qtbot.waitUntil(lambda: "not 'ä'" in w.answer.text(), timeout=10_000)
