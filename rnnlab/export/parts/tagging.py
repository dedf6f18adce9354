"""The tagging task's data section: the treebank (or the user's CoNLL-U file) is copied beside the script."""

from __future__ import annotations

from pathlib import Path

from ...data.conllu import UPOS_TAGS
from ...resources import resource
from ...tasks import tagging
from ..script import DataFile, Part, Setting, data_file_name
from . import _words

LICENCE = ("Universal Dependencies English Web Treebank v2.15, dev split; annotations CC BY-SA 4.0 "
           "(UD_English-EWT-LICENSE.txt), underlying web texts partly public domain, portions (c) Google, "
           "Yahoo, UPenn")

CODE = r'''# Part-of-speech tagging: a Universal POS tag for every word of a sentence (many-to-many, aligned).
#     words   The   old   man   the   boats   .
#     tags    DET   NOUN  VERB  DET   NOUN    PUNCT     <- one output per step: Linear on every h_t
# A one-directional RNN tags each word from its left context only; a bidirectional one also reads
# the words after it ("man" is a verb here because of what follows).
TAGS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN",
        "PUNCT", "SCONJ", "SYM", "VERB", "X")
PAD = 0
IGNORE = -100  # the target of a padded position: the loss and the accuracy leave it out
OUTPUT_SIZE = len(TAGS)


def read_conllu(path):
    """Sentences as (words, tags) from a CoNLL-U file: word lines have 10 tab-separated columns
    (ID, FORM, LEMMA, UPOS, ...); an empty line ends a sentence; multiword ranges (1-2) and empty
    nodes (1.1) are not words."""
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8-sig").splitlines() + [""]:
        if not line.strip():
            if words:
                sentences.append((words, tags))
            words, tags = [], []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" not in cols[0] and "." not in cols[0]:
                words.append(cols[1])
                tags.append(cols[3])
    return sentences


''' + _words.SPLIT + r'''

sentences = read_conllu(Path(__file__).with_name(DATA_FILE))
parts = dict(zip(("train", "val", "test"),
                 (sorted(p) for p in split_indices(len(sentences), (0.8, 0.1, 0.1), 1234))))
if TRAIN_LIMIT:
    parts["train"] = parts["train"][:TRAIN_LIMIT]
train = [sentences[i] for i in parts["train"]]

# Words outside the vocabulary map to a class by their shape (the first pattern that matches), so
# the model learns what to do with a capitalised or an -ing word it has never seen.
SHAPES = (("<unk-num>", r"^[\d.,:/\-]*\d[\d.,:/\-]*$"), ("<unk-Cap>", r"^[A-Z]"),
          ("<unk-hyphen>", r"\w-\w"), ("<unk-ing>", r"^\w{2,}ing$"), ("<unk-ed>", r"^\w{2,}ed$"),
          ("<unk-ly>", r"^\w{2,}ly$"), ("<unk-s>", r"^\w{2,}[^s]s$"),
          ("<unk-punct>", r"^[^\w\s]+$"))


def word_shape(word):
    return next((name for name, pattern in SHAPES if re.search(pattern, word)), "<unk>")


def key(word):
    return word.lower() if LOWERCASE else word


''' + _words.VOCAB + r'''

specials = ["<pad>", "<unk>"] + ([name for name, _ in SHAPES] if WORD_SHAPES else [])
vocabulary = build_vocabulary([words for words, _ in train], specials)
index = {w: i for i, w in enumerate(vocabulary)}
VOCAB_SIZE = len(vocabulary)


def unknown_id(word):
    return index[word_shape(word)] if WORD_SHAPES else index["<unk>"]


def encode(word):
    return index.get(key(word), unknown_id(word))


splits = {name: ([[encode(w) for w in sentences[i][0]] for i in idx],
                 [[TAGS.index(t) for t in sentences[i][1]] for i in idx])
          for name, idx in parts.items()}
unknown_ids = [[unknown_id(w) for w in words] for words, _ in train]


''' + _words.PAD + r'''

def make_batch(ids, targets, rows):
    x, lengths = pad_batch([ids[i] for i in rows])
    y, _ = pad_batch([targets[i] for i in rows], pad_value=IGNORE)
    return x, lengths, y


''' + _words.EPOCHS + r'''

def loss_fn(output, y):
    """Mean cross-entropy over the real words; padded positions (target -100) are ignored."""
    return F.cross_entropy(output.reshape(-1, output.shape[-1]), y.reshape(-1), ignore_index=IGNORE)


@torch.no_grad()
def evaluate(model, split):
    model.eval()  # dropout off
    ids, targets = splits[split]
    total, right, count = 0.0, 0, 0
    for s in range(0, len(ids), 256):
        x, lengths, y = make_batch(ids, targets, range(s, min(s + 256, len(ids))))
        out = model(x.to(DEVICE), lengths)[0].cpu()
        total += float(F.cross_entropy(out.reshape(-1, OUTPUT_SIZE), y.reshape(-1),
                                       ignore_index=IGNORE, reduction="sum"))
        real = y != IGNORE
        right += int((out.argmax(-1) == y)[real].sum())
        count += int(real.sum())
    return {"loss": total / count, "accuracy": right / count}


def baselines(split):
    """Each word's most frequent tag in the training split (ties: the tag more frequent overall);
    words never seen there get the most frequent tag overall."""
    overall, per_word = {}, {}
    for words, tags in train:
        for w, t in zip(words, tags):
            overall[t] = overall.get(t, 0) + 1
            per_word.setdefault(key(w), {}).setdefault(t, 0)
            per_word[key(w)][t] += 1
    rank = {t: (-c, t) for t, c in overall.items()}
    table = {w: min(c, key=lambda t: (-c[t], rank[t])) for w, c in per_word.items()}
    default = min(overall, key=lambda t: rank[t])
    right = total = 0
    for i in parts[split]:
        words, tags = sentences[i]
        right += sum(table.get(key(w), default) == t for w, t in zip(words, tags))
        total += len(tags)
    return {"most frequent tag per word": right / total}
'''


def build(task, cfg) -> Part:
    o = task.opts
    assert tagging.SPLIT_SEED == 1234 and tuple(tagging.TAGS) == UPOS_TAGS
    if o["conllu_path"]:
        source = Path(o["conllu_path"]).expanduser()
        files = [DataFile(data_file_name(source.name), "your own data", source=source, users=True)]
    else:
        files = [DataFile("en_ewt-ud-dev.conllu", LICENCE, source=tagging.bundled_path()),
                 DataFile("UD_English-EWT-LICENSE.txt", "the treebank's licence and attribution",
                          source=resource("datasets", "tagging", "LICENSE.txt"))]
    settings = [Setting("DATA_FILE", files[0].name, "beside this script (CoNLL-U)"),
                Setting("MAX_VOCAB", o["vocab_size"], "ids in the vocabulary (with the special tokens)"),
                Setting("MIN_FREQ", o["min_freq"], "a word needs this many occurrences to get an id"),
                Setting("LOWERCASE", o["lowercase"], 'look words up lower-cased ("The" = "the")'),
                Setting("WORD_SHAPES", o["word_shapes"], "unknown words map to shape classes"),
                Setting("WORD_DROPOUT", o["word_dropout"], "while training, hide each word with this chance"),
                Setting("TRAIN_LIMIT", o["train_limit"], "train on only the first N sentences (0 = all)")]
    title = "your CoNLL-U file" if o["conllu_path"] else "English Web Treebank"
    return Part(title=f"part-of-speech tagging ({title})", settings=settings, code=CODE, files=files,
                tokens=True, lengths=True, imports=["import re"])
