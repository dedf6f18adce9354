"""The remember-the-first-symbol task's data section: generated, so no data file."""

from __future__ import annotations

from ..script import Part, Setting

CODE = '''\
# Remember the first symbol. A sequence starts with one of KEYS key symbols, then GAP distractors
# drawn from another set, then a query mark; the answer is the key:
#     B  d a f f c a ... e b  ?    ->  B
# Ids: 0 padding, 1..KEYS keys, then the distractors, then the query mark. Guessing scores 1/KEYS.
VOCAB_SIZE = KEYS + DISTRACTORS + 2
OUTPUT_SIZE = KEYS


def make_memory(n, generator):
    """n sequences x (n, GAP + 2) of token ids and their keys y (n,) as classes 0..KEYS-1."""
    key = torch.randint(0, KEYS, (n,), generator=generator)
    noise = torch.randint(0, DISTRACTORS, (n, GAP), generator=generator) + KEYS + 1
    query = torch.full((n, 1), KEYS + DISTRACTORS + 1, dtype=torch.long)
    x = torch.cat([(key + 1)[:, None], noise, query], dim=1)
    return x, key


# Validation and test sequences are fixed by the seed, drawn apart from the training data.
held_out = torch.Generator().manual_seed(30_000 + SEED)
splits = {"val": make_memory(1000, held_out), "test": make_memory(1000, held_out)}


def train_batches(generator):
    while True:
        yield make_memory(BATCH_SIZE, generator)


def loss_fn(output, y):
    return F.cross_entropy(output, y)


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    x, y = splits[split]
    probs = torch.cat([torch.softmax(model(x[s:s + 500].to(DEVICE))[0], -1).cpu()
                       for s in range(0, len(x), 500)])
    nll = float(-probs.clamp_min(1e-12).log().gather(1, y[:, None]).mean())
    return {"loss": nll, "accuracy": float((probs.argmax(1) == y).double().mean())}


def baselines(split):
    return {"chance (guessing)": 1.0 / KEYS}
'''


def build(task, cfg) -> Part:
    o = task.opts
    return Part(title=f"remembering the first symbol across a gap of {o['gap']}",
                settings=[Setting("GAP", o["gap"], "distractors between the key and the question"),
                          Setting("KEYS", o["keys"], "different key symbols (guessing scores 1/KEYS)"),
                          Setting("DISTRACTORS", o["distractors"], "different distractor symbols")],
                code=CODE, length="GAP + 2", tokens=True)
