"""Character-level language model on Tiny Shakespeare: predict the next character, trained with truncated BPTT.

The text is one long stream. Training cuts it into `batch_size` parallel streams and walks along them in chunks of
`tbptt` characters; the trainer carries the hidden state from one chunk to the next and detaches it at the chunk
boundary (the task is `stateful`), so the model sees arbitrarily long context but back-propagates `tbptt` steps::

    stream 0: |First Citizen: Befo|re we proceed any fu|rther, hear me speak|...
    stream 1: |ll. Go, sirrah, and|tell him I am here.|...
               chunk k             chunk k+1 (state carried, gradient cut)

At sampling time the same network runs one character at a time, feeding back what it sampled (one-to-many).
Loss is in nats per character (natural log); perplexity = exp(loss); bits per character = loss / ln 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import numpy as np

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..options import choice, float_range, int_range, text
from ..data.chartext import BUNDLED, MAX_CHARS, CharVocab, load_text, visible
from ..errors import ConfigError, DataError
from ..fileio import check_user_file
from ..modes import evaluating, no_grad
from . import register
from .base import Batch, Metric, ModelSpec, Option, Task
from ..i18n import N_, _, ngettext

DEFAULT_TBPTT = 100  # chunk length when training.tbptt is 0 (char-rnn's default)
EVAL_STREAMS = 16  # parallel streams a held-out split is read in (the state is carried along each)
PROBE_SAMPLES, PROBE_LENGTH = 4, 64
DEFAULT_PROMPT = "ROMEO:\n"
PROMPT_CHARS = 16  # the longest default prompt taken from a text of one's own
MAX_GENERATE = 10_000  # characters one generate() call may write


TEXT_STEPS = 400  # the most characters of a generated text the Cell tab replays (each is a step to walk through)


@register
class CharLMTask(Task):
    name = "charlm"
    title = N_("Character language model (Tiny Shakespeare)")
    order = 25
    shape = N_("many-to-many (aligned); one-to-many when sampling")
    token_inputs = True
    description = (N_("Predict the next character of Shakespeare's plays, then let the model write by sampling one "
                   "character at a time. The text is one long stream trained with truncated back-propagation "
                   "through time: the state flows on, the gradient stops after `tbptt` characters. Guessing from "
                   "character frequencies alone costs about 3.3 nats per character."))
    metric = Metric("nats", N_("nats/char"))
    stateful = True
    causal = True
    options = {
        "dataset": Option("tinyshakespeare", choice(*BUNDLED), N_("The bundled text to learn."), label=N_("Text")),
        "text_path": Option("", text(), N_("A UTF-8 text file of your own instead of the bundled text (empty: use "
                                        "the bundled one)."),
                            label=N_("Text file"), kind="path", files=N_("Text files (*.txt);;All files (*)")),
        "val_fraction": Option(0.05, float_range(0.01, 0.3), N_("Share of the text, after the training part, held "
                                                             "out for validation."), label=N_("Validation fraction")),
        "test_fraction": Option(0.05, float_range(0.01, 0.3), N_("Share of the text at its end held out for the "
                                                              "final test."), label=N_("Test fraction")),
        "max_chars": Option(0, int_range(0, 100_000_000), N_("Use only the first N characters (0: all); a small "
                                                          "slice trains faster for a quick look."),
                            label=N_("Max characters"), unit=N_("characters")),
    }
    suggested = {"model.cell": "lstm", "model.hidden_size": 256, "model.embedding_size": 32,
                 "training.learning_rate": 0.004, "training.batch_size": 32, "training.tbptt": 64,
                 "training.steps": 1200}

    @classmethod
    def check_options(cls, values) -> None:
        """A text file of one's own must exist and be a readable file: found when the config is checked, not when
        training starts (reading it is left to the task, which may be built off the GUI thread)."""
        if values["text_path"]:
            try:
                check_user_file(values["text_path"], MAX_CHARS * 4, what=_("a plain text file"))
            except DataError as exc:
                raise ConfigError("task.text_path", values["text_path"], str(exc)) from None

    def __init__(self, options, seed: int = 0, tbptt: int = 0):
        import torch

        super().__init__(options, seed, tbptt)
        o = self.opts
        full, self.text_title = load_text(o["dataset"], o["text_path"])
        if o["max_chars"]:
            full = full[: o["max_chars"]]
        self.chunk = tbptt or DEFAULT_TBPTT
        self.vocab = CharVocab.from_text(full, source=self.text_title) if full else CharVocab(())
        n = len(full)
        train_end = int(round(n * (1 - o["val_fraction"] - o["test_fraction"])))
        val_end = int(round(n * (1 - o["test_fraction"])))
        need = self.chunk + 1
        shortest = min(train_end, val_end - train_end, n - val_end)
        if shortest < need:
            where = "task.text_path" if o["text_path"] else "task.max_chars"
            raise DataError(_("the text is too short: its smallest part (validation or test, {shortest} "
                              "characters) must hold at least one chunk of tbptt + 1 = {need} characters. Use a "
                              "longer text ({where}), larger val/test fractions or a shorter training.tbptt.").format(shortest=shortest, need=need, where=where))
        ids = self.vocab.encode_corpus(full)
        self.data = {"train": ids[:train_end], "val": ids[train_end:val_end], "test": ids[val_end:]}
        self.texts = {"train": full[:train_end], "val": full[train_end:val_end], "test": full[val_end:]}
        counts = torch.bincount(self.data["train"], minlength=self.vocab.size).double()
        # Add-one smoothing over the real characters (not the padding id): a character the training part never
        # shows still gets a finite cost.
        counts[0] = 0.0
        self._unigram = (counts + 1.0) / (counts.sum() + len(self.vocab.chars))
        self._unigram[0] = 0.0
        pairs = torch.zeros(self.vocab.size, self.vocab.size, dtype=torch.float64)
        tr = self.data["train"]
        pairs.index_put_((tr[:-1], tr[1:]), torch.ones(len(tr) - 1, dtype=torch.float64), accumulate=True)
        pairs[:, 0] = 0.0
        self._bigram = (pairs + 1.0) / (pairs.sum(1, keepdim=True) + len(self.vocab.chars))
        self._bigram[:, 0] = 0.0

    # --- data ---------------------------------------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        return ModelSpec(head="many_to_many", output_size=self.vocab.size, vocab_size=self.vocab.size)

    @property
    def train_size(self) -> int:
        """Chunks of `tbptt` characters in the training part: one epoch reads every training character once."""
        return max(1, (len(self.data["train"]) - 1) // self.chunk)

    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        """Consecutive chunks of `batch_size` parallel streams; chunk k+1 of stream b continues chunk k of stream b.

        Each pass starts at a random offset below `tbptt`, so the chunk boundaries move from epoch to epoch. A batch
        too large for the text is refused here, when the trainer is built, not at the first step."""
        data, t = self.data["train"], self.chunk
        if (len(data) - 1) // batch_size < t + t:
            raise ConfigError("training.batch_size", batch_size,
                              _("the training text ({count} characters) is too short for {batch_size} parallel "
                                "streams of at least two chunks of {t} characters; use a smaller batch size or "
                                "tbptt, or more text").format(count=len(data), batch_size=batch_size, t=t))
        return self._stream_batches(batch_size, generator)

    def _stream_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        import torch

        data, t = self.data["train"], self.chunk
        while True:
            offset = int(torch.randint(0, t, (1,), generator=generator))
            length = (len(data) - 1 - offset) // batch_size
            xs = data[offset: offset + batch_size * length].view(batch_size, length)
            ys = data[offset + 1: offset + 1 + batch_size * length].view(batch_size, length)
            for start in range(0, length - t + 1, t):
                yield Batch(xs[:, start:start + t], ys[:, start:start + t])

    def eval_batches(self, split: str, batch_size: int = EVAL_STREAMS) -> Iterator[Batch]:
        """A split read as `batch_size` parallel streams in consecutive chunks: carry the state from batch to batch.

        The characters the batches predict are the same every time (the baselines use exactly these)."""
        data, t = self.data[split], self.chunk
        streams = max(1, min(batch_size, (len(data) - 1) // t))
        length = ((len(data) - 1) // streams // t) * t
        xs = data[: streams * length].view(streams, length)
        ys = data[1: 1 + streams * length].view(streams, length)
        for start in range(0, length, t):
            yield Batch(xs[:, start:start + t], ys[:, start:start + t])

    def probe_batch(self) -> Batch:
        """A few validation snippets, each starting at a line start so the labels read naturally."""
        import torch

        data, text_ = self.data["val"], self.texts["val"]
        length = min(PROBE_LENGTH, len(data) - 1)  # a short validation part (a small text) gives shorter snippets
        n = len(data) - length - 1
        starts = []
        for k in range(PROBE_SAMPLES):
            pos = text_.find("\n", k * n // PROBE_SAMPLES) + 1
            starts.append(pos if 0 < pos <= n else k * n // PROBE_SAMPLES)
        x = torch.stack([data[s:s + length] for s in starts])
        y = torch.stack([data[s + 1:s + 1 + length] for s in starts])
        return Batch(x, y)

    def text_batch(self, text_: str) -> tuple[Batch, list[str]]:
        """A prompt and what the model wrote, as a batch of one: each character read (up to TEXT_STEPS of them) and
        the next one as its target; the characters label the time axis."""
        ids = self.vocab.encode(text_[: TEXT_STEPS + 1], field="text")
        if len(ids) < 2:
            raise DataError(_("Generate a text of at least two characters first."))
        batch = Batch(ids[None, :-1], ids[None, 1:])
        return batch, self.step_labels(batch, 0)

    def step_labels(self, batch: Batch, index: int) -> list[str]:
        return [visible(c) for c in self.vocab.decode(batch.x[index])]

    # --- learning -----------------------------------------------------------------------------------------------

    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        import torch

        return torch.nn.functional.cross_entropy(output.reshape(-1, output.shape[-1]), batch.y.reshape(-1),
                                                 ignore_index=0)

    @no_grad
    def evaluate(self, model, split: str) -> dict[str, float]:
        import torch

        device = next(model.parameters()).device
        total, correct, count, hx = 0.0, 0, 0, None
        for b in self.eval_batches(split):
            b = b.to(device)
            out, hx = model(b, hx)
            logits = out.reshape(-1, out.shape[-1])
            y = b.y.reshape(-1)
            total += float(torch.nn.functional.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(-1) == y).sum())
            count += y.numel()
        return _metrics(total / count, correct / count)

    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        """Unigram: each character costs -ln p(c), p its (add-one smoothed) frequency in the training part.
        Bigram: -ln p(c | previous character), same smoothing. Both scored on the characters `evaluate` scores."""
        import torch

        xs = torch.cat([b.x.reshape(-1) for b in self.eval_batches(split)])
        ys = torch.cat([b.y.reshape(-1) for b in self.eval_batches(split)])
        uni_top = int(self._unigram.argmax())
        N_("unigram (character frequencies)")  # the key stays English (run files); translated where shown
        N_("bigram (previous character)")
        result = {"unigram (character frequencies)": _metrics(float(-self._unigram[ys].log().mean()),
                                                              float((ys == uni_top).double().mean())),
                  "bigram (previous character)": _metrics(float(-self._bigram[xs, ys].log().mean()),
                                                          float((self._bigram[xs].argmax(1) == ys).double().mean()))}
        return result

    # --- sampling -------------------------------------------------------------------------------------------------

    @no_grad
    def generate(self, model, prompt: str = DEFAULT_PROMPT, length: int = 300, temperature: float = 0.8,
                 generator: Optional[torch.Generator] = None) -> str:
        """Continue `prompt` by `length` characters sampled one at a time from softmax(logits / temperature).

        Temperature 0 always takes the most likely character; 1 samples the model's own distribution; higher is
        wilder. The model runs in eval mode (no dropout) and is left in the mode it was in. It must not be training
        at the same time: the GUI calls this through its TrainerApi, which runs it between two optimizer steps."""
        import torch

        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or \
                not math.isfinite(temperature) or temperature < 0:
            raise ConfigError("temperature", temperature, _("must be a number of at least 0 (0 = always the most "
                                                          "likely character)"))
        if isinstance(length, bool) or not isinstance(length, int) or not 0 <= length <= MAX_GENERATE:
            raise ConfigError("length", length, _("must be a whole number of characters from 0 to {MAX_GENERATE}").format(MAX_GENERATE=MAX_GENERATE))
        ids = self.vocab.encode(prompt or "\n")
        if generator is None:  # never draw from torch's global generator: that would change the training run
            generator = torch.Generator()
            generator.seed()
        with evaluating(model) as device:
            out, h = model.rnn(model.rnn_input(ids.to(device)[None]))
            logits = model.out(out[:, -1])
            result = []
            for _unused in range(length):
                logits[:, 0] = -math.inf  # padding is never a character
                if temperature == 0:
                    token = logits.argmax(-1, keepdim=True)
                else:
                    probs = torch.softmax(logits.double() / temperature, dim=-1).cpu()
                    token = torch.multinomial(probs, 1, generator=generator).to(device)
                result.append(int(token))
                out, h = model.rnn(model.rnn_input(token), h)
                logits = model.out(out[:, -1])
        return self.vocab.decode(result)

    def sample(self, model, prompt: str, length: int, temperature: float, seed: int) -> str:
        """`generate` with the random draws fixed by `seed`: the same seed gives the same draws at any temperature, so
        the view's slider shows what temperature alone does. A plain int in, a str out: the GUI never holds torch."""
        import torch

        return self.generate(model, prompt, length, temperature, torch.Generator().manual_seed(int(seed)))

    @no_grad
    def surprisal(self, model, text_: str) -> np.ndarray:
        """-ln p(c_t | c_<t) in nats for every character of `text_` after the first (len(text_) - 1 values)."""
        import torch

        ids = self.vocab.encode(text_, field="text")
        if len(ids) < 2:
            return np.zeros(0, dtype=np.float32)
        with evaluating(model) as device:
            out, _ = model.rnn(model.rnn_input(ids[:-1].to(device)[None]))
            logp = torch.log_softmax(model.out(out[0]).float(), dim=-1)
            return (-logp.gather(1, ids[1:].to(device)[:, None])[:, 0]).cpu().numpy()

    def default_prompt(self) -> str:
        """"ROMEO:" for the bundled plays; for a text of one's own, its first characters (up to the first line's end),
        so the prompt is in the text's own style and alphabet (issue 9, item 1)."""
        if not self.opts["text_path"] and all(c in self.vocab.chars for c in DEFAULT_PROMPT):
            return DEFAULT_PROMPT
        start = self.texts["train"][:PROMPT_CHARS + 1]
        line, newline, _ = start.partition("\n")
        return (line[:PROMPT_CHARS] + (newline if len(line) <= PROMPT_CHARS else "")) or start[:PROMPT_CHARS]

    @classmethod
    def describe(cls, options) -> str:
        path = options.get("text_path") or ""
        if not path:
            return cls.description
        name = Path(path).name
        return _("Predict the next character of your text ({name}), then let the model write by sampling one "
                 "character at a time. The text is one long stream trained with truncated back-propagation through "
                 "time: the state flows on, the gradient stops after `tbptt` characters.").format(name=name)

    def view(self, model) -> dict:
        """A validation snippet with each character's surprisal under the model and under the unigram baseline.

        Cheap on purpose (one forward pass): the GUI asks for it a few times a second. Sampling text is the view's
        own request (`generate`), made when the user asks or when the weights have changed."""
        snippet = self.texts["val"][:400]
        start = snippet.find("\n") + 1
        snippet = (snippet[start:start + 300] if start > 0 else snippet[:300]).lstrip("\n") or snippet
        ids = self.vocab.encode(snippet, field="text")
        prompt = self.default_prompt()
        return {"kind": "charlm", "title": self.text_title, "prompt": prompt, "temperature": 0.8,
                "snippet": snippet, "surprisal": self.surprisal(model, snippet),
                "unigram_surprisal": (-self._unigram[ids[1:]].log()).float().numpy(),
                "chars": "".join(self.vocab.chars)}


def _metrics(nats: float, accuracy: float) -> dict[str, float]:
    return {"loss": nats, "nats": nats, "bits": nats / math.log(2), "perplexity": math.exp(min(nats, 700.0)),
            "accuracy": accuracy}
