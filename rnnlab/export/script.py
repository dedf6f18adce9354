"""Assemble the standalone script: a header, the settings, the task's data section, the network and the loop.

Each task contributes its data section (`parts/<task>.py`); the network and the loop are shared and written here
for the chosen cell and head, so the script holds only the code this experiment runs, top to bottom.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from .. import __version__, tasks
from .. import config
from ..config import RunConfig
from ..errors import ConfigError, DataError, RnnlabError, shown
from ..fileio import atomic_write, read_user_file
from . import parts
from .. import i18n
from ..i18n import N_, _, ngettext, strerror

MAX_LINE = 100


@dataclass(frozen=True)
class Setting:
    """One `NAME = value  # comment` line of the settings block."""

    name: str
    value: Any
    comment: str = ""


@dataclass(frozen=True)
class DataFile:
    """A file the script reads, written beside it: copied from `source`, or `text` written."""

    name: str
    licence: str  # one line: where the data comes from and under which licence
    source: Optional[Path] = None
    text: Optional[str] = None
    users: bool = False  # named by the user (their file): the name never goes into the docstring


@dataclass
class Part:
    """What a task contributes to the script (see `parts/`)."""

    title: str  # "the adding problem", for the docstring
    settings: list[Setting]
    code: str  # the data section: defines sizes, train_batches, loss_fn, evaluate, baselines
    files: list[DataFile] = field(default_factory=list)
    tokens: bool = False  # inputs are token ids (embedded first)
    lengths: bool = False  # batches carry lengths: padded sequences are packed
    stateful: bool = False  # the hidden state flows from batch to batch (truncated BPTT)
    intro: str = ""  # a few lines for the docstring about the task
    imports: list[str] = field(default_factory=list)  # extra standard-library imports ("import re")
    length: str = "100"  # the script's expression for a typical sequence length (the chrono gate init)


@dataclass(frozen=True)
class ExportedScript:
    script: Path
    data_files: tuple[Path, ...]


class ExportConflict(RnnlabError):
    """The export would replace files rnnlab did not write (or that differ from what it would write).

    `files` are the paths; the caller asks (window) or refuses unless told to replace them (`--force`)."""

    def __init__(self, files: list[Path]):
        self.files = files
        folder = files[0].parent
        names = ", ".join(shown(p.name, 40) for p in files[:3]) + (" ..." if len(files) > 3 else "")
        super().__init__(_("{folder} already holds {names}, which rnnlab did not write and this export would "
                           "replace; choose another folder or file name.").format(folder=folder, names=names))


SOURCES_FILE = "DATA-SOURCES.txt"
MARKER = "Exported from rnnlab"  # in the docstring of every script rnnlab writes: such a script may be replaced
MAX_SOURCES_BYTES = 1_000_000


def data_file_name(name: str) -> str:
    """A user's file name as the copy beside the script is called: printable, one path part, never a name the export
    itself writes (a text file called DATA-SOURCES.txt would be overwritten by the licence list)."""
    safe = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in name)[:200].strip() or "data"
    if safe.lower() == SOURCES_FILE.lower() or safe.startswith("."):
        safe = "data-" + safe.lstrip(".")
    return safe


def default_file_name(cfg: RunConfig) -> str:
    return f"train_{cfg.task.name}_{cfg.model.cell}.py"


def load_experiment(path: str | os.PathLike) -> RunConfig:
    """The config of a saved run (its folder) or of a TOML config file. Raises ConfigError naming the file.

    A run folder's config.toml is complete (rnnlab writes every section); an empty one or one cut short is refused
    rather than exported as the default experiment (issue 20). A config file must at least name its task."""
    path = Path(path)
    run_folder = path.is_dir()
    if run_folder:
        if not (path / "config.toml").is_file():
            raise ConfigError(_("run folder"), str(path), _("must hold a config.toml (a folder saved by rnnlab)"))
        path = path / "config.toml"
    cfg = config.load(path)
    data = tomllib.loads(read_user_file(path, config.MAX_CONFIG_BYTES).decode("utf-8"))
    task = data.get("task")
    if not isinstance(task, dict) or "name" not in task:
        raise ConfigError("task.name", str(path), "", message=_(
            "{path} names no task ([task] name = ...); it is empty or cut short. Export a complete config or run "
            "folder.").format(path=path))
    if run_folder:
        missing = [key for key in ("schema_version", "model", "training") if key not in data]
        if missing:
            raise ConfigError(missing[0], str(path), "", message=_(
                "{path} has no {key}: the file is cut short, so the run cannot be exported as it was trained. "
                "Export a complete run folder.").format(path=path, key=missing[0]))
    return cfg


def export_script(cfg: RunConfig, path: str | os.PathLike, force: bool = False) -> ExportedScript:
    """Write the script to `path` and its data files beside it (atomically each). Returns what was written.

    Never replaces a file rnnlab did not write: an existing script without rnnlab's marker, or a data file whose
    content differs from the one it would write, raises ExportConflict unless `force` (issue 20: a forecast
    exported into the folder of the user's `sales.csv` replaced it with its own two-column copy)."""
    path = Path(path)
    text, part = _render(cfg)
    if path.name in {f.name for f in part.files} | {SOURCES_FILE}:
        raise RnnlabError(_("{name} is the name of a data file the script reads; give the script another name, "
                            "such as {default}.").format(name=shown(path.name), default=default_file_name(cfg)))
    try:
        if not force:
            conflicts = _conflicts(path, text, part)
            if conflicts:
                raise ExportConflict(conflicts)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = []
        for f in part.files:
            target = path.parent / f.name
            if f.source is not None:
                if not _same_file(target, f.source):
                    tmp = target.with_name(f".{target.name}.tmp")
                    shutil.copyfile(f.source, tmp)
                    os.replace(tmp, target)
            else:
                _write(target, f.text or "")
            written.append(target)
        if part.files:
            sources = path.parent / SOURCES_FILE
            lines = [f"{f.name}: {f.licence}" for f in part.files]
            _write(sources, "\n".join(dict.fromkeys(_old_sources(sources) + lines)) + "\n")
            written.append(sources)
        _write(path, text)
    except OSError as exc:
        raise RnnlabError(_("cannot write the script to {path}: {reason}. Choose another folder.").format(
            path=path, reason=exc.strerror or exc)) from None
    return ExportedScript(path, tuple(written))


def _regular(path: Path) -> Optional[os.stat_result]:
    """The file's lstat if something is there (a link, a folder or a FIFO counts as something), else None."""
    try:
        return path.lstat()
    except FileNotFoundError:
        return None


def _same_file(target: Path, source: Path) -> bool:
    try:
        return target.exists() and os.path.samefile(target, source)
    except OSError:
        return False


def _same_content(target: Path, data: bytes | None, source: Path | None) -> bool:
    """Whether a regular file at `target` already holds exactly what the export would write there."""
    import filecmp

    try:
        if source is not None:
            return _same_file(target, source) or filecmp.cmp(target, source, shallow=False)
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _ours_script(path: Path) -> bool:
    """A script an earlier export wrote (its docstring carries the marker): replacing it loses nothing of the user's."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(2000).decode("utf-8", "replace")
    except OSError:
        return False
    return head.startswith('"""') and MARKER in head  # the first line is translated; the marker is not


def _conflicts(path: Path, text: str, part: Part) -> list[Path]:
    """The existing files this export would replace although rnnlab did not write them (or wrote them otherwise)."""
    out = []
    st = _regular(path)
    if st is not None and not (stat.S_ISREG(st.st_mode) and (_ours_script(path) or _same_content(
            path, text.encode("utf-8"), None))):
        out.append(path)
    for f in part.files:
        target = path.parent / f.name
        st = _regular(target)
        if st is None:
            continue
        if f.source is not None and _same_file(target, f.source):
            continue
        data = None if f.source is not None else (f.text or "").encode("utf-8")
        if not stat.S_ISREG(st.st_mode) or not _same_content(target, data, f.source):
            out.append(target)
    sources = path.parent / SOURCES_FILE
    st = _regular(sources)
    if part.files and st is not None and (not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SOURCES_BYTES):
        out.append(sources)
    return out


def _old_sources(sources: Path) -> list[str]:
    """The lines of an existing DATA-SOURCES.txt, kept (another export into the same folder wrote them)."""
    try:
        return read_user_file(sources, MAX_SOURCES_BYTES).decode("utf-8", "replace").splitlines()
    except DataError:
        return []


def _write(path: Path, text: str) -> None:
    """Atomically, and readable by others like any file the user makes (atomic_write gives it the ordinary mode)."""
    atomic_write(path, text)


def render_script(cfg: RunConfig) -> str:
    """The script's text (without writing anything)."""
    return _render(cfg)[0]


def _render(cfg: RunConfig) -> tuple[str, Part]:
    task = tasks.get(cfg.task.name)(cfg.task.options, seed=cfg.training.seed, tbptt=cfg.training.tbptt)
    part = parts.build(task, cfg)
    steps_per_epoch = max(1, math.ceil(task.train_size / cfg.training.batch_size))
    steps = cfg.training.epochs * steps_per_epoch if cfg.training.epochs > 0 else cfg.training.steps
    sections = [
        _header(cfg, part, task),
        _imports(part, task.spec.head),
        _settings_block(_("Settings: the task"), part.settings),
        _settings_block(_("Settings: the network and its training"), _training_settings(cfg, part, steps)),
        _section(_("The data"), _comment(_(SEEDING_COMMENT)) + "\n" + _SEEDING + part.code),
        _section(_("The network"), _model_code(cfg, task, part)),
        _section(_("Training"), _loop_code(cfg, task, part)),
    ]
    header, *rest = (s.strip("\n") for s in sections)
    text = header + "\n\n" + "\n\n\n".join(rest) + "\n"
    _check_docstring(text)
    return text, part


def _check_docstring(text: str) -> None:
    """The script opens with one docstring that is only that: a string constant, however the parts were built.

    Every user string reaches the script as a `_literal` in the settings; this catches a part that ever puts one
    into the docstring again (issue 20: a CSV header closed the docstring and ran code)."""
    import ast

    first = ast.parse(text).body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and first.end_lineno == text[:text.index('"""', 3)].count("\n") + 1):
        raise RnnlabError(_("the exported script's opening text is not plain text; please report this."))


# --- pieces ---------------------------------------------------------------------------------------------------------


def _header(cfg: RunConfig, part: Part, task) -> str:
    m = cfg.model
    layers = f"{m.num_layers}-layer " if m.num_layers > 1 else ""
    bidi = "bidirectional " if m.bidirectional else ""
    if i18n.language() == i18n.DEFAULT:
        what = _article(layers + bidi + _CELL_NAMES[m.cell])
    else:  # no article; the adjectives before the noun ("2 katmanlı çift yönlü LSTM")
        what = " ".join(w for w in (_("{n}-layer").format(n=m.num_layers) if m.num_layers > 1 else "",
                                    _("bidirectional") if m.bidirectional else "", _(_CELL_NAMES[m.cell])) if w)
    lines = [
        '"""' + _("Train {what} on {task}.").format(what=what, task=part.title),
        "",
        # The marker stays English: it is how a later export knows this file is rnnlab's to replace.
        f"{MARKER} {__version__} ({dt.date.today().isoformat()}).",
        _("It needs only torch and numpy:"),
        "",
        f"    python {default_file_name(cfg)}",
        "",
        *_("With the same seed and settings as the rnnlab experiment it builds the same data, the same network\n"
           "and the same optimizer steps, so on the CPU it prints the losses rnnlab showed. Change a setting\n"
           "below and run it again: that is the experiment.").splitlines(),
    ]
    if part.intro:
        lines += [""] + part.intro.strip("\n").splitlines()
    if part.files:
        lines += ["", _("Data files (beside this script):")]
        for f in part.files:
            if f.users:  # the user's own file: its name could hold anything, so only the literal DATA_FILE names it
                lines += _wrap("your own file (DATA_FILE below)", "    ", "      ")
            else:
                lines += _wrap(f"{f.name}: {f.licence}", "    ", "      ")
    lines.append('"""')
    return "\n".join(lines)


def _article(noun: str) -> str:
    return ("an " if noun[0].lower() in "aeiou" or noun.startswith("LSTM") else "a ") + noun


def _imports(part: Part, head: str) -> str:
    paths = ["from pathlib import Path"] if part.files else []
    stdlib = sorted({"import math", *paths, *part.imports}, key=lambda s: (s.startswith("from"), s.split()[1]))
    lines = [*stdlib, "", "import numpy as np", "import torch",
             "import torch.nn.functional as F", "from torch import nn"]
    if part.lengths:
        names = "pack_padded_sequence, pad_packed_sequence" if head == "many_to_many" else "pack_padded_sequence"
        lines.append(f"from torch.nn.utils.rnn import {names}")
    return "\n".join(lines)


def _training_settings(cfg: RunConfig, part: Part, steps: int) -> list[Setting]:
    m, t = cfg.model, cfg.training
    out = [Setting("SEED", t.seed, _("the same seed gives the same data, weights and losses")),
           Setting("CELL", m.cell, "rnn_tanh | rnn_relu | lstm | gru"),
           Setting("HIDDEN_SIZE", m.hidden_size, _("units per layer and direction")),
           Setting("NUM_LAYERS", m.num_layers, _("stacked recurrent layers")),
           Setting("BIDIRECTIONAL", m.bidirectional, _("a second pass reads the sequence from its end")),
           Setting("DROPOUT", m.dropout, _("between stacked layers and before the output layer"))]
    if part.tokens:
        out.append(Setting("EMBEDDING_SIZE", m.embedding_size, _("each token id becomes a learned vector")))
    if m.gate_init != "default" and m.cell in ("lstm", "gru"):
        out.append(Setting("GATE_INIT", m.gate_init, _("open | chrono: how the LSTM's f / GRU's z gate starts")))
    if _recurrent_init(m):
        out += [Setting("RECURRENT_INIT", m.recurrent_init, _("default | orthogonal | identity: how W_hh starts")),
                Setting("RECURRENT_SCALE", m.recurrent_scale,
                        _("a gain on W_hh (= its spectral radius if not default)"))]
    out += [Setting("OPTIMIZER", t.optimizer, "sgd | adam | rmsprop"),
            Setting("LEARNING_RATE", t.learning_rate)]
    if t.optimizer in ("sgd", "rmsprop"):
        out.append(Setting("MOMENTUM", t.momentum))
    out += [Setting("WEIGHT_DECAY", t.weight_decay, _("L2 penalty on the weights")),
            Setting("BATCH_SIZE", t.batch_size),
            Setting("STEPS", steps, _("optimizer steps")),
            Setting("CLIP_GRAD", t.clip_grad, _("clip the gradient's global norm to MAX_GRAD_NORM")),
            Setting("MAX_GRAD_NORM", t.max_grad_norm),
            Setting("PRINT_EVERY", max(1, steps // 20), _("steps between printed losses")),
            Setting("EVAL_EVERY", t.eval_every or max(1, steps // 5), _("steps between validation passes"))]
    return out


def _settings_block(title: str, settings: list[Setting]) -> str:
    width = max((len(f"{s.name} = {_literal(s.value)}") for s in settings), default=0)
    lines = [f"# --- {title} " + "-" * max(3, MAX_LINE - 7 - len(title))]
    for s in settings:
        code = f"{s.name} = {_literal(s.value)}"
        if s.comment and width + 4 + len(s.comment) <= MAX_LINE:
            code = f"{code:<{width}}  # {s.comment}"
        elif s.comment:
            lines.append(f"# {s.comment}")
        lines.append(code)
    return "\n".join(lines)


def _literal(value: Any) -> str:
    """A Python literal in the script's style (double-quoted strings), safe for any text.

    `repr` escapes quotes, backslashes, control and line-separator characters (U+2028, U+0085), lone surrogates
    and everything else that is not printable, so a user's string can only ever be this one string constant."""
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:  # neither quote inside: swap the delimiters
            text = '"' + text[1:-1] + '"'
        return text
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    raise TypeError(f"no script literal for {type(value).__name__}")


def _section(title: str, code: str) -> str:
    rule = f"# === {title} " + "=" * max(3, MAX_LINE - 7 - len(title))
    return rule + "\n\n" + code.strip("\n")


def _wrap(text: str, first: str, rest: str, width: int = MAX_LINE) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, initial_indent=first, subsequent_indent=rest) or [first]


def _comment(text: str, indent: str = "") -> str:
    """A (translated) paragraph as comment lines: its own line breaks kept, "# " before each."""
    return "\n".join(f"{indent}# {line}".rstrip() for line in text.splitlines())


# The exported script's comments are for a student to read: in the language rnnlab speaks (a message's line breaks
# are the comment's; a translation keeps lines under ~100 characters).
SEEDING_COMMENT = N_("torch's global generator draws the network's initial weights and the dropout masks; the data below\n"
                     "draws from generators of its own, so changing the data does not change the initial weights.")
_SEEDING = """\
torch.manual_seed(SEED)
np.random.seed(SEED)

"""

_CELL_NAMES = {"rnn_tanh": N_("vanilla RNN (tanh)"), "rnn_relu": N_("vanilla RNN (ReLU)"), "lstm": "LSTM", "gru": "GRU"}

_CELL_COMMENTS = {
    "rnn_tanh": N_("A vanilla RNN: h_t = tanh(W_ih x_t + W_hh h_(t-1) + b). The same W_hh multiplies the state at\n"
        "every step, and the gradient flowing back through time is multiplied by it (and by tanh') at\n"
        "every step too: over long gaps it usually shrinks to nothing, the vanishing gradient."),
    "rnn_relu": N_("A vanilla RNN with ReLU: h_t = relu(W_ih x_t + W_hh h_(t-1) + b). The same W_hh multiplies the\n"
        "state at every step, so over long gaps the gradient through time tends to vanish or explode."),
    "lstm": N_("An LSTM keeps a cell state c_t beside h_t and three gates, each a sigmoid between 0 and 1:\n"
        "  forget gate f: how much of the old cell state to keep (f near 1 = remember, near 0 = forget),\n"
        "  input gate i:  how much of the new candidate g = tanh(...) to write into the cell,\n"
        "  output gate o: how much of the cell to show:  c_t = f * c_(t-1) + i * g,  h_t = o * tanh(c_t).\n"
        "Because c_t is updated by addition, the gradient can flow back many steps without vanishing.\n"
        "torch stacks the gates' weights in the order i, f, g, o."),
    "gru": N_("A GRU has two gates, each a sigmoid between 0 and 1:\n"
        "  update gate z: how much of the old state to keep,  h_t = (1 - z) * n + z * h_(t-1),\n"
        "  reset gate r:  how much of the old state feeds the candidate,\n"
        "                 n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).\n"
        "z near 1 carries the state (and its gradient) across many steps. torch stacks the weights r, z, n."),
}

_GATE_INIT = '''\
def init_memory_gate(rnn, length):
    """Start the gate that keeps the state (LSTM forget gate f, GRU update gate z) open.

    By default these gates start near sigmoid(0) = 0.5, so a memory halves at every step and a long
    gap is as hard as for a vanilla RNN. "open" sets their bias to 2 (sigmoid(2) = 0.88, Gers et al.
    2000); "chrono" (Tallec & Ollivier 2018) draws log(u), u ~ U(1, length - 1), so the units start
    with memories of every time scale up to `length` (the LSTM input gate gets minus that).
    """
    if not isinstance(rnn, (nn.LSTM, nn.GRU)):
        return  # a vanilla RNN has no gate
    h = rnn.hidden_size
    gate = slice(h, 2 * h)  # second block of rows: LSTM i, f, g, o; GRU r, z, n
    chrono_lstm = GATE_INIT == "chrono" and isinstance(rnn, nn.LSTM)
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if name.startswith("bias_ih"):  # the whole bias goes into the bias_hh half
                p[gate] = 0.0
                if chrono_lstm:
                    p[:h] = 0.0
            elif name.startswith("bias_hh"):
                if GATE_INIT == "chrono":
                    value = torch.log(1 + torch.rand(h) * max(1, length - 2))
                else:
                    value = torch.full((h,), 2.0)
                p[gate] = value
                if chrono_lstm:
                    p[:h] = -value
'''


_RECURRENT_INIT = '''\
def init_recurrent(rnn):
    """Draw each gate's H x H block of W_hh anew (orthogonal, or the identity as in Le et al.
    2015) and multiply it by RECURRENT_SCALE, a gain: for orthogonal and identity, the spectral
    radius. torch's default draws a spectral radius near 0.58, which the gain multiplies."""
    h = rnn.hidden_size
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            if not name.startswith("weight_hh"):
                continue
            for block in p.split(h, dim=0):
                if RECURRENT_INIT == "orthogonal":
                    nn.init.orthogonal_(block)
                elif RECURRENT_INIT == "identity":
                    block.copy_(torch.eye(h, dtype=block.dtype))
                block.mul_(RECURRENT_SCALE)
'''


def _recurrent_init(m) -> bool:
    return m.recurrent_init != "default" or m.recurrent_scale != 1.0


_MAKE_RNN = '''\
def make_rnn(input_size, hidden_size, bidirectional):
    """torch's fused recurrent layer (CELL): the whole sequence in one call, all layers stacked."""
    common = dict(num_layers=NUM_LAYERS, batch_first=True, bidirectional=bidirectional,
                  dropout=DROPOUT if NUM_LAYERS > 1 else 0.0)
    if CELL == "lstm":
        return nn.LSTM(input_size, hidden_size, **common)
    if CELL == "gru":
        return nn.GRU(input_size, hidden_size, **common)
    nonlinearity = "relu" if CELL == "rnn_relu" else "tanh"
    return nn.RNN(input_size, hidden_size, nonlinearity=nonlinearity, **common)
'''


def _model_code(cfg: RunConfig, task, part: Part) -> str:
    m = cfg.model
    head = task.spec.head
    gate_init = m.gate_init != "default" and m.cell in ("lstm", "gru")
    code = [_comment(_(_CELL_COMMENTS[m.cell])), _MAKE_RNN]
    if gate_init:
        code += ["", _GATE_INIT]
    if _recurrent_init(m):
        code += ["", _RECURRENT_INIT]
    code[-1] = code[-1].rstrip("\n")
    init_lines = [f"        init_memory_gate(self.rnn, {part.length})"] if gate_init else []
    init_lines += ["        init_recurrent(self.rnn)"] if _recurrent_init(m) else []
    embed = ["        self.embed = nn.Embedding(VOCAB_SIZE, EMBEDDING_SIZE, padding_idx=0)  # " + _("id 0 = padding")]
    rnn_in = "EMBEDDING_SIZE" if part.tokens else "INPUT_SIZE"
    inp = "self.embed(x)" if part.tokens else "x"
    lines: list[str] = []
    if head == "seq2seq":
        lines += ['class Net(nn.Module):',
                  '    """Encoder-decoder: the encoder reads the input into its final state; the decoder starts',
                  '    from that state and writes the answer one token at a time."""',
                  "",
                  "    def __init__(self):",
                  "        super().__init__()",
                  *embed,
                  f"        self.rnn = make_rnn({rnn_in}, HIDDEN_SIZE, BIDIRECTIONAL)  # " + _("the encoder"),
                  *init_lines,
                  "        self.drop = nn.Dropout(DROPOUT)",
                  "        width = HIDDEN_SIZE * (2 if BIDIRECTIONAL else 1)",
                  "        self.target_embed = nn.Embedding(TARGET_VOCAB_SIZE, EMBEDDING_SIZE)",
                  "        self.decoder = make_rnn(EMBEDDING_SIZE, width, False)",
                  "        self.out = nn.Linear(width, TARGET_VOCAB_SIZE)",
                  "",
                  "    def encode(self, x, lengths):",
                  '        """The encoder\'s final state per layer, both directions side by side."""',
                  _comment(_("Packed: the encoder stops at each input's real end and never reads the padding."), " " * 8),
                  "        packed = pack_padded_sequence(self.embed(x), lengths, batch_first=True,",
                  "                                      enforce_sorted=False)",
                  "        _, state = self.rnn(packed)",
                  "",
                  "        def merge(h):",
                  "            dirs, batch = 2 if BIDIRECTIONAL else 1, h.shape[1]",
                  "            h = h.view(NUM_LAYERS, dirs, batch, HIDDEN_SIZE).permute(0, 2, 1, 3)",
                  "            return h.reshape(NUM_LAYERS, batch, dirs * HIDDEN_SIZE).contiguous()",
                  "",
                  "        return tuple(merge(h) for h in state) if isinstance(state, tuple) else merge(state)",
                  "",
                  "    def forward(self, x, lengths, y_in):",
                  '        """Teacher forcing: the decoder reads the true previous character (y_in)."""',
                  "        dec_out, _ = self.decoder(self.target_embed(y_in), self.encode(x, lengths))",
                  "        return self.out(self.drop(dec_out))",
                  "",
                  "    @torch.no_grad()",
                  "    def decode_greedy(self, x, lengths, max_len):",
                  '        """Feed back the most likely character at each step (no true answer to lean on)."""',
                  "        state = self.encode(x, lengths)",
                  "        token = torch.full((x.shape[0], 1), START, dtype=torch.long, device=x.device)",
                  "        result = []",
                  "        for _ in range(max_len):",
                  "            dec_out, state = self.decoder(self.target_embed(token), state)",
                  "            token = self.out(dec_out).argmax(-1)",
                  "            result.append(token)",
                  "        return torch.cat(result, dim=1)"]
    else:
        doc = {"many_to_one": "Many-to-one: read the whole sequence, answer from the last layer's final state.",
               "many_to_many": "Many-to-many: one answer for every step, from the hidden state at that step."}[head]
        lines += ["class Net(nn.Module):", f'    """{doc}"""', "",
                  "    def __init__(self):", "        super().__init__()"]
        if part.tokens:
            lines += embed
        lines.append(f"        self.rnn = make_rnn({rnn_in}, HIDDEN_SIZE, BIDIRECTIONAL)")
        lines += init_lines
        lines += ["        self.drop = nn.Dropout(DROPOUT)",
                  "        self.out = nn.Linear(HIDDEN_SIZE * (2 if BIDIRECTIONAL else 1), OUTPUT_SIZE)", ""]
        args = "x, lengths" if part.lengths else ("x, hx=None" if part.stateful else "x")
        lines.append(f"    def forward(self, {args}):")
        if part.lengths:
            lines += [_comment(_("Pack the padded batch so the RNN stops at each sequence's real end."), " " * 8),
                      f"        packed = pack_padded_sequence({inp}, lengths, batch_first=True,",
                      "                                      enforce_sorted=False)",
                      "        out, h_n = self.rnn(packed)"]
            if head == "many_to_many":
                lines.append("        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])")
        else:
            lines.append(f"        out, h_n = self.rnn({inp}{', hx' if part.stateful else ''})")
        if head == "many_to_one":
            lines += ["        h = h_n[0] if isinstance(h_n, tuple) else h_n  # " + _("an LSTM gives (h_n, c_n)"),
                      "        if BIDIRECTIONAL:  # " + _("the last layer's forward and backward final states"),
                      "            final = torch.cat([h[-2], h[-1]], dim=1)",
                      "        else:",
                      "            final = h[-1]",
                      "        return self.out(self.drop(final)), h_n"]
        else:
            lines.append("        return self.out(self.drop(out)), h_n")
    return "\n".join(code + ["", ""] + lines)


def _loop_code(cfg: RunConfig, task, part: Part) -> str:
    t = cfg.training
    metric = task.metric
    head = task.spec.head
    opt = {"sgd": "torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM,\n"
                  "                            weight_decay=WEIGHT_DECAY)",
           "rmsprop": "torch.optim.RMSprop(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM,\n"
                      "                                weight_decay=WEIGHT_DECAY)",
           "adam": "torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)"}[t.optimizer]
    if head == "seq2seq":
        fetch = ["    x, y, lengths, y_in = next(batches)",
                 "    output = model(x.to(DEVICE), lengths, y_in.to(DEVICE))"]
    elif part.lengths:
        fetch = ["    x, y, lengths = next(batches)", "    output, _ = model(x.to(DEVICE), lengths)"]
    elif part.stateful:
        fetch = ["    x, y = next(batches)", "    output, h_n = model(x.to(DEVICE), hx)"]
    else:
        fetch = ["    x, y = next(batches)", "    output, _ = model(x.to(DEVICE))"]
    lines = [
        _comment(_("On the CPU the same seed gives the same numbers every time; a GPU may differ in the last digits.")),
        'DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")',
        "model = Net().to(DEVICE)",
        f"optimizer = {opt}",
        "generator = torch.Generator().manual_seed(SEED)  # " + _("draws the training batches"),
        "batches = train_batches(generator)",
    ]
    if part.stateful:
        lines.append("hx = None  # " + _("the hidden state carried from one chunk of the text to the next"))
    lines += [
        "parameters = sum(p.numel() for p in model.parameters())",
        'print(f"{parameters:,} parameters; training {STEPS} steps on {DEVICE}")',
        "",
        "for step in range(1, STEPS + 1):",
        "    model.train()  # " + _("dropout on"),
        *fetch,
        "    loss = loss_fn(output, y.to(DEVICE))",
        "    optimizer.zero_grad()",
        "    loss.backward()  # " + _("back-propagation through time: through every step of the sequence"),
    ]
    if part.stateful:
        lines += [
            _comment(_("Truncated BPTT: keep the state's value for the next chunk but cut its history, so the\n"
                       "gradient goes back at most one chunk while the state itself flows on through the text."), "    "),
            "    hx = tuple(h.detach() for h in h_n) if isinstance(h_n, tuple) else h_n.detach()",
        ]
    lines += [
        "    if not math.isfinite(loss.item()):",
        '        print(f"step {step}: the loss became {loss.item()}; try clipping or a lower LEARNING_RATE")',
        "        break",
        "    if CLIP_GRAD:",
        _comment(_("One unlucky batch can give a huge gradient (it explodes through the recurrence): scaling\n"
                   "the whole gradient down to MAX_GRAD_NORM keeps that step from wrecking what was learned."), " " * 8),
        "        nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)",
        "    optimizer.step()",
        "    if step % PRINT_EVERY == 0 or step == STEPS:",
        '        print(f"step {step:6d}  loss {loss.item():.6g}")',
        "    if step % EVAL_EVERY == 0 or step == STEPS:",
        '        scores = evaluate(model, "val")',
        f'        print(f"step {{step:6d}}  validation {metric.title} {{scores[{metric.key!r}]:.6g}}")',
        "",
        'scores = evaluate(model, "test")',
        f'print(f"test {metric.title} {{scores[{metric.key!r}]:.6g}}")',
        'for name, value in baselines("test").items():',
        f'    print(f"baseline ({{name}}): test {metric.title} {{value:.6g}}")',
    ]
    headline = (_("The headline number: {metric} (higher is better), printed beside simple baselines.")
                if metric.higher_is_better else
                _("The headline number: {metric} (lower is better), printed beside simple baselines."))
    lines.insert(0, _comment(headline.format(metric=metric.title)))
    return "\n".join(lines)
