"""A model switched to evaluation for a moment (no dropout, no gradients) and put back as it was.

Views, metrics and the probe batch all evaluate a model that the trainer will go on training; forgetting to restore
train mode would silently turn dropout off for the rest of the run. A leaf, so tasks and the app can both use it.

torch is imported where it is used, never when a module is read: the window reads the task modules (descriptions,
options, defaults) before torch has loaded (issue 24), so `no_grad` stands in for `@torch.no_grad()` there.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager


@contextmanager
def evaluating(model, *, grad: bool = False):
    """Eval mode inside, gradients off unless `grad`; yields the model's device; the previous mode restored after."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.set_grad_enabled(grad):
            yield next(model.parameters()).device
    finally:
        model.train(was_training)


def no_grad(fn):
    """`@torch.no_grad()` for a function (not a generator) that imports torch at its first call, not at decoration."""

    @functools.wraps(fn)
    def without_gradients(*args, **kwargs):
        import torch

        with torch.no_grad():
            return fn(*args, **kwargs)

    return without_gradients
