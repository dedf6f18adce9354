"""The character model's data section: the text (Tiny Shakespeare or the user's file) is copied beside the script."""

from __future__ import annotations

from pathlib import Path

from ...data.chartext import BUNDLED
from ...resources import resource
from ...tasks import charlm
from ..script import DataFile, Part, Setting, data_file_name

LICENCE = "Shakespeare's text is public domain; the file as distributed with char-rnn (MIT)"

CODE = r'''# A character-level language model: predict the next character of the text.
# The text is one long stream. Training cuts it into BATCH_SIZE parallel streams and walks along
# them in chunks of TBPTT characters; chunk k+1 of each stream continues chunk k:
#     stream 0: |First Citizen: Befo|re we proceed any fu|rther, hear me speak|...
#     stream 1: |ll. Go, sirrah, and|tell him I am here.|...
# The loss is in nats per character (natural log): perplexity = exp(loss), bits = loss / ln 2.
text = Path(__file__).with_name(DATA_FILE).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
if MAX_CHARS:
    text = text[:MAX_CHARS]
chars = sorted(set(text))  # id 0 is padding, so the characters get ids 1..len(chars)
index = {c: i + 1 for i, c in enumerate(chars)}
VOCAB_SIZE = OUTPUT_SIZE = len(chars) + 1
ids = torch.tensor([index[c] for c in text], dtype=torch.long)
train_end = int(round(len(ids) * (1 - VAL_FRACTION - TEST_FRACTION)))
val_end = int(round(len(ids) * (1 - TEST_FRACTION)))
data = {"train": ids[:train_end], "val": ids[train_end:val_end], "test": ids[val_end:]}


def train_batches(generator):
    """Consecutive chunks of BATCH_SIZE parallel streams. Each pass over the text starts at a random
    offset below TBPTT, so the chunk boundaries move from one pass to the next."""
    text_ids = data["train"]
    while True:
        offset = int(torch.randint(0, TBPTT, (1,), generator=generator))
        length = (len(text_ids) - 1 - offset) // BATCH_SIZE
        xs = text_ids[offset: offset + BATCH_SIZE * length].view(BATCH_SIZE, length)
        ys = text_ids[offset + 1: offset + 1 + BATCH_SIZE * length].view(BATCH_SIZE, length)
        for start in range(0, length - TBPTT + 1, TBPTT):
            yield xs[:, start:start + TBPTT], ys[:, start:start + TBPTT]


def eval_chunks(split, streams=16):
    """A held-out part as parallel streams in consecutive chunks (the state is carried along)."""
    text_ids = data[split]
    streams = max(1, min(streams, (len(text_ids) - 1) // TBPTT))
    length = ((len(text_ids) - 1) // streams // TBPTT) * TBPTT
    xs = text_ids[: streams * length].view(streams, length)
    ys = text_ids[1: 1 + streams * length].view(streams, length)
    return [(xs[:, s:s + TBPTT], ys[:, s:s + TBPTT]) for s in range(0, length, TBPTT)]


def loss_fn(output, y):
    return F.cross_entropy(output.reshape(-1, output.shape[-1]), y.reshape(-1), ignore_index=0)


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    total, count, hx = 0.0, 0, None
    for x, y in eval_chunks(split):
        out, hx = model(x.to(DEVICE), hx)
        total += float(F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1).to(DEVICE),
                                       reduction="sum"))
        count += y.numel()
    return {"loss": total / count, "nats": total / count}


def baselines(split):
    """Unigram: each character costs -ln p(c), p its frequency in the training part; bigram:
    -ln p(c | the previous character). Both add-one smoothed, scored where evaluate() is."""
    chunks = eval_chunks(split)
    xs = torch.cat([x.reshape(-1) for x, _ in chunks])
    ys = torch.cat([y.reshape(-1) for _, y in chunks])
    train = data["train"]
    counts = torch.bincount(train, minlength=VOCAB_SIZE).double()
    counts[0] = 0.0
    unigram = (counts + 1.0) / (counts.sum() + len(chars))
    pairs = torch.zeros(VOCAB_SIZE, VOCAB_SIZE, dtype=torch.float64)
    pairs.index_put_((train[:-1], train[1:]), torch.ones(len(train) - 1, dtype=torch.float64),
                     accumulate=True)
    pairs[:, 0] = 0.0
    bigram = (pairs + 1.0) / (pairs.sum(1, keepdim=True) + len(chars))
    return {"unigram (character frequencies)": float(-unigram[ys].log().mean()),
            "bigram (previous character)": float(-bigram[xs, ys].log().mean())}
'''


def build(task, cfg) -> Part:
    o = task.opts
    if o["text_path"]:
        source = Path(o["text_path"]).expanduser()
        files = [DataFile(data_file_name(source.name), "your own text", source=source, users=True)]
    else:
        files = [DataFile(BUNDLED[o["dataset"]][1], LICENCE, source=resource("datasets", *BUNDLED[o["dataset"]]))]
    settings = [Setting("DATA_FILE", files[0].name, "beside this script (UTF-8 text)"),
                Setting("MAX_CHARS", o["max_chars"], "use only the first N characters (0 = all)"),
                Setting("TBPTT", task.chunk, "characters the gradient flows back (truncated BPTT)"),
                Setting("VAL_FRACTION", o["val_fraction"], "share of the text after training, for validation"),
                Setting("TEST_FRACTION", o["test_fraction"], "share at the end, for the test")]
    assert charlm.EVAL_STREAMS == 16
    title = "your own text" if o["text_path"] else task.text_title  # a user's title never enters the docstring
    return Part(title=f"next-character prediction ({title})", settings=settings, code=CODE,
                files=files, tokens=True, stateful=True)
