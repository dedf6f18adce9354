"""Bad lesson files are refused before anything trains, with one line that names the file and the key."""

import pytest

from rnnlab import lessons
from rnnlab.cli import main
from rnnlab.lessons import LessonError

from helpers import TINY_LESSON

GOOD = TINY_LESSON.replace("THRESHOLD", "1e9")  # a lesson that loads, trains and shows its claim


def refusal(tmp_path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LessonError) as info:
        lessons.load(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_the_good_file_loads(tmp_path):
    path = tmp_path / "good.toml"
    path.write_text(GOOD, encoding="utf-8")
    lesson = lessons.load(path)
    assert lesson.name == "good" and lesson.experiment.names == ("rnn", "lstm")


@pytest.mark.parametrize("old, new, names", [
    # an unknown key, at each level
    ('[lesson]\n', '[lesson]\ntitel = {en = "x"}\n', ["lesson.titel", "unknown key", "'title'"]),
    ('lesson_version = 1\n', 'lesson_version = 1\nverdict = "shown"\n', ["verdict", "unknown key"]),
    ('is = ">="', 'is = ">="\nunits = "steps"', ["checks[0].units", "unknown key"]),
    ('kind = "race"', 'kind = "race"\nseeds = [0, 1]', ["experiment.seeds", "unknown key"]),
    # a check on a number that does not exist, or on a run that does not
    ('value = "lstm.steps"', 'value = "lstm.stepz"', ["checks[0].value", "'stepz'", "'steps'"]),
    ('value = "lstm.steps"', 'value = "lstm.test_accuracy"', ["checks[0].value", "test_mse"]),
    ('value = "lstm.steps"', 'value = "lsmt.steps"', ["checks[0].value", "no run 'lsmt'", "rnn, lstm"]),
    ('than = 5', 'than = "gru.steps"', ["checks[0].than", "no run 'gru'"]),
    ('is = ">="', 'is = "=>"', ["checks[0].is", "'>='"]),
    ('value = "lstm.steps"', 'value = "steps"', ["checks[0].value", "RUN.NUMBER"]),
    # a bad config
    ('hidden_size = 4', 'hidden_size = 0', ["model.hidden_size", "from 1 to 4096"]),
    ('hidden_size = 4', 'hiden_size = 4', ["model.hiden_size", "hidden_size"]),
    ('name = "adding"', 'name = "addition"', ["task.name", "'adding'"]),
    ('values = ["rnn_tanh", "lstm"]', 'values = ["rnn_tanh", "lsmt"]', ["model.cell", "lsmt"]),
    ('kind = "race"', 'kind = "duel"', ["experiment.kind", "'race'"]),
    ('kind = "race"', 'kind = "sweep"\nmode = "zigzag"\naxes = {"task.length" = [5, 10]}',
     ["experiment.key: a sweep"]),
    ('kind = "race"\nkey = "model.cell"\nvalues = ["rnn_tanh", "lstm"]\nnames = ["rnn", "lstm"]',
     'kind = "sweep"\nmode = "zigzag"\naxes = {"model.cell" = ["rnn_tanh", "lstm"]}\nnames = ["rnn", "lstm"]',
     ["experiment.mode", "'grid'"]),
    ('[lesson]\n', '[lesson]\nneeds = ["recurrent scale"]\n', ["lesson.needs", "'recurrent scale'"]),
    ('[lesson]\n', '[lesson]\nshow = ["windows"]\n', ["lesson.show", "forecast"]),
    ('[lesson]\n', '[lesson]\nshow = ["gates"]\n', ["lesson.show", "'windows'"]),
    # texts, versions, structure
    ('title = {en = "Gates remember", tr = "Geçitler hatırlar"}', 'title = {tr = "Geçitler hatırlar"}', ["lesson.title.en", "English"]),
    ('lesson_version = 1', 'lesson_version = 9', ["lesson_version", "version"]),
    ('names = ["rnn", "lstm"]', 'names = ["rnn"]', ["experiment.names", "1 names for 2 runs"]),
    ('than = 5', 'than = 5\n[[steps]]\ntext = {en = "x"}\ndone_when = "nope"',
     ["done_when", "'nope'"]),
])
def test_each_mistake_is_refused_naming_it(tmp_path, old, new, names):
    assert old in GOOD
    message = refusal(tmp_path, GOOD.replace(old, new, 1))
    for part in names:
        assert part in message, message


def test_broken_and_hostile_files(tmp_path):
    assert "not valid TOML" in refusal(tmp_path, GOOD + "\n[[checks]\n")
    assert "nests" in refusal(tmp_path, "a = " + "[" * 5000 + "]" * 5000)
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LessonError, match="UTF-8"):
        lessons.load(path)
    with pytest.raises(LessonError, match="lesson file"):
        lessons.load(tmp_path)  # a folder
    with pytest.raises(LessonError, match="no lesson 'nosuch'"):
        lessons.find("nosuch")


def test_cli_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["lesson", str(good), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "[yes] the LSTM trains its steps: lstm.steps = 5 >= 5" in out and "Verdict: shown" in out
    failing = tmp_path / "failing.toml"
    failing.write_text(GOOD.replace("than = 5", "than = 6"), encoding="utf-8")
    assert main(["lesson", str(failing), "--quiet"]) == 1
    assert "Verdict: not shown" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("lstm.steps", "lstm.stepz"), encoding="utf-8")
    assert main(["lesson", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "checks[0].value" in err and str(bad) in err
    assert main(["lesson", str(good), "--all"]) == 2
    assert main(["lesson"]) == 2
    assert main(["lesson", str(good), "--set", "training.steps=abc"]) == 2
    assert "training.steps" in capsys.readouterr().err


def test_a_changed_experiment_says_so(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["lesson", str(good), "--quiet", "--set", "training.steps=6"]) == 0
    assert "for a changed experiment" in capsys.readouterr().out


def test_a_lesson_that_needs_what_rnnlab_lacks_cannot_run_yet(tmp_path, capsys):
    path = tmp_path / "later.toml"
    path.write_text(GOOD.replace("[lesson]\n", '[lesson]\nneeds = ["model.no_such_knob"]\n')
                    .replace("hidden_size = 4", "hidden_size = 4\nno_such_knob = 1.5"), encoding="utf-8")
    assert main(["lesson", str(path)]) == 1
    out = capsys.readouterr().out
    assert "cannot run yet" in out and "model.no_such_knob" in out and "run 1/2" not in out
