"""The one description of every setting (rnnlab/schema.py): complete for every field, true to what the engine does,
and the source of docs/options.md."""

import dataclasses
from pathlib import Path

import pytest

from rnnlab import config, schema, tasks
from rnnlab.options import KINDS, Applies

DOCS = Path(__file__).resolve().parents[1] / "docs" / "options.md"
ALL_FIELDS = schema.config_fields() + [f for name in tasks.names() for f in schema.task_fields(name)]
TOKEN_TASKS = {"memory", "sentiment", "tagging", "charlm", "dates"}
# Small options, so that each task builds its data in a moment (the bundled data sets are read in full otherwise).
SMALL = {"charlm": {"max_chars": 20_000}, "dates": {"train_size": 100, "eval_size": 10},
         "adding": {"train_size": 100}, "memory": {"train_size": 100}}


@pytest.mark.parametrize("f", ALL_FIELDS, ids=lambda f: f.key)
def test_every_field_is_described_in_full(f):
    assert f.label and f.label[0].isupper() and f.label == f.label.strip()
    assert f.help and f.help[0].isupper() and f.help.rstrip()[-1] in ".?", f.help
    assert f.kind in KINDS
    assert f.rule(f.key, f.default) == f.default  # the default passes its own rule
    assert (f.kind == "choice") == bool(f.choices)  # a list to pick from exactly when the rule has one
    assert set(f.option.value_labels) <= set(f.choices)
    assert isinstance(f.option.applies, Applies) and f.option.applies.text
    assert (f.kind == "path") == bool(f.option.files)  # a file field says which files the Browse dialog offers
    assert f.allowed() and not f.allowed().startswith("must")


def test_labels_are_unique_within_what_one_task_shows():
    for name in tasks.names():
        labels = [f.label for f in schema.fields(name)]
        assert len(labels) == len(set(labels)), name


def test_the_config_takes_its_defaults_and_rules_from_the_description():
    cfg = config.RunConfig()
    for f in schema.config_fields():
        assert getattr(getattr(cfg, f.section), f.name) == f.default, f.key
        assert config.SECTION_RULES[f.section][f.name] is f.rule
    described = {f.key for f in schema.config_fields()}
    fields = {f"{s}.{d.name}" for s, t in (("model", config.ModelConfig), ("training", config.TrainingConfig))
              for d in dataclasses.fields(t)}
    assert described == fields  # no field of the config goes undescribed


def test_which_tasks_each_setting_applies_to():
    applies = {f.key: set(schema.tasks_using(f)) for f in schema.config_fields()}
    assert applies.pop("model.embedding_size") == TOKEN_TASKS
    assert applies.pop("training.tbptt") == {"charlm"}
    assert applies.pop("model.bidirectional") == set(tasks.names()) - {"charlm"}
    assert all(used == set(tasks.names()) for used in applies.values()), applies
    assert [f.key for f in schema.task_only_fields("charlm")] == ["model.embedding_size", "training.tbptt"]
    assert schema.task_only_fields("forecast") == []
    assert [f.key for f in schema.task_unused_fields("charlm")] == ["model.bidirectional"]
    assert schema.task_unused_fields("tagging") == []


@pytest.mark.slow
@pytest.mark.parametrize("name", tasks.names())
def test_a_tasks_declared_traits_match_its_data(name):
    """token_inputs and stateful decide what the form hides: they must say what the task really does."""
    cls = tasks.get(name)
    task = cls(SMALL.get(name, {}))
    assert cls.token_inputs == (task.spec.vocab_size > 0)
    assert cls.token_inputs == (task.probe_batch().x.dtype.is_floating_point is False)


def test_settings_that_take_effect_only_with_others():
    base = config.RunConfig()
    momentum, norm, gate = (schema.field(k) for k in ("training.momentum", "training.max_grad_norm",
                                                      "model.gate_init"))
    assert not momentum.in_effect(base.replace("training.optimizer", "adam"))
    assert momentum.in_effect(base.replace("training.optimizer", "sgd"))
    assert momentum.in_effect(base.replace("training.optimizer", "rmsprop"))
    assert not norm.in_effect(base.replace("training.clip_grad", False)) and norm.in_effect(base)
    assert not gate.in_effect(base.replace("model.cell", "rnn_tanh")) and gate.in_effect(base.replace("model.cell",
                                                                                                       "gru"))
    always = [f.key for f in schema.config_fields() if f.option.when is None]
    assert "training.learning_rate" in always and len(always) == len(schema.config_fields()) - 3


def test_a_field_of_another_task_is_not_found():
    assert schema.field("task.window", "forecast").label == "Window"
    with pytest.raises(KeyError):
        schema.field("task.window", "adding")


def test_the_docs_table_is_the_description(capsys):
    """docs/options.md is made by `rnnlab options --markdown`; run that again after changing a setting."""
    from rnnlab.cli import main

    assert main(["options", "--markdown"]) == 0
    made = capsys.readouterr().out
    assert made == schema.options_markdown()
    assert DOCS.read_text(encoding="utf-8") == made, \
        "docs/options.md is out of date: run `rnnlab options --markdown > docs/options.md`"
    for f in ALL_FIELDS:
        assert f"| `{f.key}` | {f.label} |" in made
    assert "tasks that read tokens (sentiment, charlm, tagging, memory, dates)" in made
