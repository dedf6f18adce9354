"""The sentiment task's data section: the sentence-polarity files are copied beside the script."""

from __future__ import annotations

from ...resources import resource
from ...tasks import sentiment
from ..script import DataFile, Part, Setting
from . import _words

LICENCE = ("sentence polarity v1.0, Bo Pang and Lillian Lee (ACL 2005), CC BY 4.0; "
           "https://www.cs.cornell.edu/people/pabo/movie-review-data/")

CODE = r'''# Sentiment of movie-review snippets: read the words one by one, then say negative or positive:
#     "it's not bad , but dull ."  -> embedding -> RNN -> final state -> Linear -> P(neg), P(pos)
# 5331 positive and 5331 negative snippets, split 80/10/10 per class with a fixed shuffle.
CLASSES = ("negative", "positive")
PAD, UNK = 0, 1
OUTPUT_SIZE = len(CLASSES)
# A token is a word (with inner apostrophes or hyphens: "it's", "co-writer"), a number, or a run
# of one punctuation character ("...", "!!").
TOKEN = re.compile(r"\d+(?:[.,:/]\d+)+|\w+(?:['\-]\w+)*|([^\w\s])\1*")
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                        "\u2014": "-"})


def tokenize(text):
    return [m.group(0) for m in TOKEN.finditer(text.translate(QUOTES).lower())]


def key(word):
    return word


sentences, labels = [], []
for label, suffix in enumerate(("neg", "pos")):
    path = Path(__file__).with_name(f"rt-polarity.{suffix}")
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        tokens = tokenize(line)
        if tokens:
            sentences.append(tokens)
            labels.append(label)


''' + _words.SPLIT + '''

parts = {"train": [], "val": [], "test": []}
for label in range(len(CLASSES)):  # stratified: each class split 80/10/10
    members = [i for i, y in enumerate(labels) if y == label]
    for name, idx in zip(parts, split_indices(len(members), (0.8, 0.1, 0.1), 1234 + label)):
        parts[name].extend(members[i] for i in idx)
parts = {name: sorted(idx) for name, idx in parts.items()}
if TRAIN_LIMIT:
    keep = split_indices(len(parts["train"]), (1.0,), 1234)[0][:TRAIN_LIMIT]
    parts["train"] = sorted(parts["train"][i] for i in keep)
train_words = [sentences[i] for i in parts["train"]]


''' + _words.VOCAB + '''

vocabulary = build_vocabulary(train_words, ["<pad>", "<unk>"])
index = {w: i for i, w in enumerate(vocabulary)}
VOCAB_SIZE = len(vocabulary)
splits = {name: ([[index.get(w, UNK) for w in sentences[i]] for i in idx], [labels[i] for i in idx])
          for name, idx in parts.items()}
unknown_ids = [[UNK] * len(s) for s in splits["train"][0]]


''' + _words.PAD + '''

def make_batch(ids, targets, rows):
    x, lengths = pad_batch([ids[i] for i in rows])
    return x, lengths, torch.tensor([targets[i] for i in rows], dtype=torch.long)


''' + _words.EPOCHS + '''

def loss_fn(output, y):
    return F.cross_entropy(output, y)


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    ids, targets = splits[split]
    total, right = 0.0, 0
    for s in range(0, len(ids), 256):
        x, lengths, y = make_batch(ids, targets, range(s, min(s + 256, len(ids))))
        out = model(x.to(DEVICE), lengths)[0]
        total += float(F.cross_entropy(out, y.to(DEVICE), reduction="sum"))
        right += int((out.argmax(1).cpu() == y).sum())
    return {"loss": total / len(ids), "accuracy": right / len(ids)}


def naive_bayes(train_sentences, train_labels, sentences):
    """A bag of words, which ignores word order: multinomial naive Bayes over word presence with
    add-one smoothing. The number a sequence model has to beat."""
    words = {}
    for s in train_sentences:
        for w in set(s):
            words.setdefault(w, len(words))
    counts = np.ones((len(CLASSES), len(words)))
    for s, y in zip(train_sentences, train_labels):
        counts[y, [words[w] for w in set(s)]] += 1
    log_word = np.log(counts / counts.sum(1, keepdims=True))
    prior = np.bincount(train_labels, minlength=len(CLASSES)).astype(float)
    scores = np.tile(np.log(prior / prior.sum()), (len(sentences), 1))
    for i, s in enumerate(sentences):
        scores[i] += log_word[:, [words[w] for w in set(s) if w in words]].sum(1)
    return scores.argmax(1)


def baselines(split):
    true = np.array(splits[split][1])
    train_labels = [labels[i] for i in parts["train"]]
    majority = int(np.bincount(train_labels, minlength=len(CLASSES)).argmax())
    bayes = naive_bayes(train_words, train_labels, [sentences[i] for i in parts[split]])
    return {f"majority class ({CLASSES[majority]})": float(np.mean(true == majority)),
            "bag of words (naive Bayes)": float(np.mean(bayes == true))}
'''


def build(task, cfg) -> Part:
    o = task.opts
    files = [DataFile(f"rt-polarity.{s}", LICENCE, source=resource("datasets", "sentiment", f"rt-polarity.{s}"))
             for s in ("neg", "pos")]
    settings = [Setting("MAX_VOCAB", o["vocab_size"], "ids in the vocabulary (with <pad> and <unk>)"),
                Setting("MIN_FREQ", o["min_freq"], "a word needs this many occurrences to get an id"),
                Setting("WORD_DROPOUT", o["word_dropout"], "while training, hide each word with this chance"),
                Setting("TRAIN_LIMIT", o["train_limit"], "train on only the first N sentences (0 = all)")]
    assert sentiment.SPLIT_SEED == 1234 and sentiment.FRACTIONS == (0.8, 0.1, 0.1)
    return Part(title="the sentiment of movie-review snippets", settings=settings, code=CODE, files=files,
                tokens=True, lengths=True, imports=["import re"])
