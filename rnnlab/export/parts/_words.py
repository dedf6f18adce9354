"""Script code the word-level tasks share: the fixed split, the vocabulary, padding and shuffled passes."""

SPLIT = '''\
def split_indices(n, fractions, seed):
    """Shuffle range(n) with a fixed seed and cut it into consecutive parts of these fractions."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    parts, start = [], 0
    for fraction in fractions[:-1]:
        size = int(round(n * fraction))
        parts.append(order[start:start + size])
        start += size
    parts.append(order[start:])
    return parts
'''

VOCAB = '''\
def build_vocabulary(sentences, specials):
    """Token list: the specials, then training words seen at least MIN_FREQ times, most frequent
    first (ties alphabetical), MAX_VOCAB ids in all. Built on the training split only, so held-out
    words the model never saw become unknown, exactly as they would in a new sentence."""
    counts = {}
    for sentence in sentences:
        for word in sentence:
            counts[key(word)] = counts.get(key(word), 0) + 1
    ranked = sorted((w for w, c in counts.items() if c >= MIN_FREQ), key=lambda w: (-counts[w], w))
    words = [w for w in ranked if w not in specials][: MAX_VOCAB - len(specials)]
    return specials + words
'''

PAD = '''\
def pad_batch(sequences, pad_value=0):
    """Right-pad id lists into one (B, T_max) tensor; also return the real lengths (B,)."""
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    x = torch.full((len(sequences), int(lengths.max())), pad_value, dtype=torch.long)
    for i, s in enumerate(sequences):
        x[i, : len(s)] = torch.as_tensor(list(s), dtype=torch.long)
    return x, lengths
'''

EPOCHS = '''\
def train_batches(generator):
    """Endless shuffled passes over the training sentences (the last partial batch is left out)."""
    ids, targets = splits["train"][:2]
    while True:
        order = torch.randperm(len(ids), generator=generator).tolist()
        if len(order) <= BATCH_SIZE:
            chunks = [order]
        else:
            starts = range(0, len(order) - BATCH_SIZE + 1, BATCH_SIZE)
            chunks = [order[s:s + BATCH_SIZE] for s in starts]
        for chunk in chunks:
            x, lengths, y = make_batch(ids, targets, chunk)
            if WORD_DROPOUT > 0:
                # Word dropout: hide words at random, so the model cannot lean on single words and
                # learns what to do with words it has never seen (Iyyer et al. 2015).
                unknown, _ = pad_batch([unknown_ids[i] for i in chunk])
                drop = (torch.rand(x.shape, generator=generator) < WORD_DROPOUT) & (x != PAD)
                x = torch.where(drop, unknown, x)
            yield x, y, lengths
'''
