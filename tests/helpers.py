"""Small real configs the tests share (tests/ is on sys.path: its conftest.py sits there)."""

from rnnlab import config

def configured(task: str, changes) -> config.RunConfig:
    """The defaults for `task` with `changes` ({"section.key": value}), each checked by the config's rules."""
    cfg = config.RunConfig().replace("task.name", task)
    for key, value in changes.items():
        cfg = cfg.replace(key, value)
    return cfg


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
