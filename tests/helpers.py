"""Small real configs the tests share (tests/ is on sys.path: its conftest.py sits there)."""

from rnnlab import config


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

[model]
hidden_size = 4

[training]
steps = 6
eval_every = 3
"""
