"""A script exported in Turkish is still rnnlab's own: the next export replaces it without --force.

The script's first line is translated ("... eğit"), so rnnlab recognises its scripts by the marker alone, which
stays English (found at the merge: the check also wanted the English first line, so a Turkish export was refused
as a file of the user's)."""

from __future__ import annotations

import pytest

from rnnlab import config, i18n
from rnnlab.export.script import MARKER, ExportConflict, export_script


@pytest.fixture
def turkish():
    i18n.set_language("tr")
    yield
    i18n.set_language("en")


def test_a_turkish_export_is_replaced_by_the_next_export(tmp_path, turkish):
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 20}}, "model": {"cell": "gru"}})
    target = tmp_path / "train.py"
    export_script(cfg, target)
    text = target.read_text(encoding="utf-8")
    assert MARKER in text and not text.startswith('"""Train ')  # the docstring speaks Turkish, the marker does not
    export_script(cfg.replace("model.hidden_size", 12), target)  # no ExportConflict
    assert "HIDDEN_SIZE = 12" in target.read_text(encoding="utf-8")


def test_a_file_of_the_users_is_still_refused_in_turkish(tmp_path, turkish):
    cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 20}}})
    target = tmp_path / "train.py"
    target.write_text('"""My own notes."""\nprint("mine")\n', encoding="utf-8")
    with pytest.raises(ExportConflict):
        export_script(cfg, target)
    assert "mine" in target.read_text(encoding="utf-8")
