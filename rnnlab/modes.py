"""A model switched to evaluation for a moment (no dropout, no gradients) and put back as it was.

Views, metrics and the probe batch all evaluate a model that the trainer will go on training; forgetting to restore
train mode would silently turn dropout off for the rest of the run. A leaf, so tasks and the app can both use it.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch


@contextmanager
def evaluating(model, *, grad: bool = False):
    """Eval mode inside, gradients off unless `grad`; yields the model's device; the previous mode restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.set_grad_enabled(grad):
            yield next(model.parameters()).device
    finally:
        model.train(was_training)
