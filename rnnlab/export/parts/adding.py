"""The adding problem's data section: generated, so no data file."""

from __future__ import annotations

from ..script import Part, Setting

CODE = '''\
# The adding problem (Hochreiter & Schmidhuber 1997). Each step carries a value from U(0, 1) and a
# marker; exactly two steps are marked, one in each half. The answer is the sum of the two marked
# values, given after the last step:
#     value   0.31 0.88 0.12 ... 0.57 0.04 ...
#     marker   0    1    0   ...  1    0   ...      -> target 0.88 + 0.57 = 1.45
# To beat "always answer 1.0" the network must carry the first marked value across up to LENGTH
# steps.
INPUT_SIZE = 2  # value and marker
OUTPUT_SIZE = 1


def make_adding(n, generator):
    """n sequences: x (n, LENGTH, 2) and their targets y (n, 1)."""
    values = torch.rand(n, LENGTH, generator=generator)
    half = LENGTH // 2
    first = torch.randint(0, half, (n,), generator=generator)
    second = torch.randint(half, LENGTH, (n,), generator=generator)
    markers = torch.zeros(n, LENGTH)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = torch.stack([values, markers], dim=2)
    y = (values[rows, first] + values[rows, second]).unsqueeze(1)
    return x, y


# Validation and test sequences are fixed by the seed, drawn apart from the training data.
held_out = torch.Generator().manual_seed(10_000 + SEED)
splits = {"val": make_adding(1000, held_out), "test": make_adding(1000, held_out)}


def train_batches(generator):
    """Fresh sequences for every step: the network never sees the same one twice."""
    while True:
        yield make_adding(BATCH_SIZE, generator)


def loss_fn(output, y):
    return F.mse_loss(output, y)


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    x, y = splits[split]
    predictions = torch.cat([model(x[s:s + 500].to(DEVICE))[0].cpu()
                             for s in range(0, len(x), 500)])
    mse = float(torch.mean((predictions - y) ** 2))
    return {"loss": mse, "mse": mse}


def baselines(split):
    """Always answering 1.0 (the expected sum) scores an MSE of about 1/6."""
    y = splits[split][1]
    return {"always 1.0": float(torch.mean((y - 1.0) ** 2))}
'''


def build(task, cfg) -> Part:
    o = task.opts
    return Part(title=f"the adding problem (T = {o['length']})",
                settings=[Setting("LENGTH", o["length"], "sequence length T: the gap the memory must bridge")],
                code=CODE, length="LENGTH")
