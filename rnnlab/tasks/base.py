"""What every task provides: its options, its data as batches, the loss, the metrics, a baseline and a view.

A task is one module under `rnnlab/tasks/` with one `Task` subclass decorated with `@register`. The trainer, the CLI
and the GUI know nothing else about it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Mapping, Optional

if TYPE_CHECKING:  # torch is imported where it is used: the window reads tasks before it has loaded
    import torch
    from torch import Tensor

from ..errors import ConfigError, DataError
from ..options import Option, unknown_key
from ..i18n import N_, _, ngettext

HEADS = ("many_to_one", "many_to_many", "seq2seq")


@dataclass(frozen=True)
class ModelSpec:
    """What the network must look like for this task (the task decides; the model config fills in the rest)."""

    head: str  # one of HEADS
    output_size: int  # regression outputs, or classes / vocabulary size of the predictions
    input_size: int = 0  # features per step when inputs are real numbers
    vocab_size: int = 0  # > 0: inputs are token ids in [0, vocab_size), embedded first
    target_vocab_size: int = 0  # seq2seq: decoder vocabulary (includes its start token)
    start_token: int = 0  # seq2seq: the token fed to the decoder first
    sequence_length: int = 0  # typical input length, for the chrono gate initialisation; 0 = unknown (100 is used)


@dataclass
class Batch:
    """One batch. x: (B, T, F) floats or (B, T) token ids; y: targets in whatever shape the task's loss takes."""

    x: Tensor
    y: Tensor
    lengths: Optional[Tensor] = None  # (B,) real lengths when sequences are padded; None = all full length
    y_in: Optional[Tensor] = None  # seq2seq: decoder inputs (teacher forcing), (B, T_out)

    def to(self, device) -> "Batch":
        move = lambda t: t.to(device) if t is not None else None  # noqa: E731
        return Batch(move(self.x), move(self.y), self.lengths, move(self.y_in))

    def __len__(self) -> int:
        return self.x.shape[0]


@dataclass(frozen=True)
class Metric:
    """The task's headline number, e.g. validation MSE (lower is better) or accuracy (higher is better)."""

    key: str  # key in evaluate()'s dict, e.g. "mse", "accuracy"
    title: str  # axis label, e.g. "MSE" or "accuracy"
    higher_is_better: bool = False


@dataclass(frozen=True)
class Goal:
    """When a run has solved the task: a validation metric reaching a value. Sweeps and races report the first
    validated step (and its time) at which a run got there, so "which cell got there sooner" has an answer."""

    key: str  # key in evaluate()'s dict
    value: float
    higher_is_better: bool
    text: str  # for people, e.g. "validation MSE at most 0.01"

    def reached(self, value: float) -> bool:
        if value != value:  # NaN: not measured
            return False
        return value >= self.value if self.higher_is_better else value <= self.value


class Task(ABC):
    """Base of every task. Subclasses set the class attributes and implement the abstract methods."""

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]  # two or three sentences for the experiment panel
    shape: ClassVar[str]  # "many-to-one", "many-to-many (aligned)", ...
    options: ClassVar[dict[str, Option]] = {}
    metric: ClassVar[Metric]
    stateful: ClassVar[bool] = False  # True: the hidden state is carried across consecutive batches (TBPTT)
    token_inputs: ClassVar[bool] = False  # True: inputs are token ids, embedded first (model.embedding_size applies)
    causal: ClassVar[bool] = False  # True: the answer at step t is step t+1 of the input (a language model)
    suggested: ClassVar[dict[str, Any]] = {}  # config overrides that make a good first experiment for this task
    order: ClassVar[int] = 100  # position in task lists (lower first)
    long_range: ClassVar[bool] = False  # about memory over many steps: a run that learns nothing gets advice
    goal: ClassVar[Optional[Goal]] = None  # what "solved" means, for tasks where it has a clear meaning

    def __init__(self, options: Mapping[str, Any], seed: int = 0, tbptt: int = 0):
        self.opts = dict(self.validate_options(options))
        self.seed = seed
        self.tbptt = tbptt

    # --- options ------------------------------------------------------------------------------------------------

    @classmethod
    def validate_options(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults filled in, unknown keys and bad values raise ConfigError naming `task.<option>`."""
        for key in options:
            if key not in cls.options:
                raise unknown_key(f"task.{key}", key, options[key], cls.options)
        values = {}
        for key, opt in cls.options.items():
            values[key] = opt.rule(f"task.{key}", options.get(key, opt.default))
        cls.check_options(values)
        return values

    @classmethod
    def describe(cls, options: Mapping[str, Any]) -> str:
        """The description for these options (a task on a file of one's own says so instead of naming its bundled
        data); the class's `description` by default."""
        return cls.description

    @classmethod
    def quick_preview(cls, options: Mapping[str, Any]) -> Optional[dict[str, Any]]:
        """A look at the task's data that needs no torch, for the form while torch loads (issue 24): plain data as
        `app/form/preview.py` draws it, or None (the default) where the look needs the task built."""
        return None

    @classmethod
    def check_model(cls, model) -> None:
        """Refuse model settings that would make the task meaningless: a backward pass in a causal task reads the
        very characters it is asked to predict (the loss falls to near 0 and sampling writes nonsense)."""
        if cls.causal and model.bidirectional:
            raise ConfigError("model.bidirectional", True,
                              _("{name} predicts each next step from the ones before it, and a backward pass would "
                                "read that next step in advance: set model.bidirectional = false").format(name=cls.name))

    @classmethod
    def check_options(cls, values: dict[str, Any]) -> None:
        """Checks between options or against the data (e.g. window longer than the series). Raise ConfigError."""

    # --- data ---------------------------------------------------------------------------------------------------

    @property
    @abstractmethod
    def spec(self) -> ModelSpec: ...

    @property
    @abstractmethod
    def train_size(self) -> int:
        """Training examples in one epoch (sets steps per epoch)."""

    @abstractmethod
    def train_batches(self, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
        """An endless stream of training batches, drawn with `generator` so a seed reproduces them."""

    @abstractmethod
    def eval_batches(self, split: str, batch_size: int = 256) -> Iterator[Batch]:
        """The fixed batches of a split: 'val' or 'test'."""

    @abstractmethod
    def probe_batch(self) -> Batch:
        """A small fixed batch (a few samples) the probe replays to show gates and gradients."""

    # --- learning -----------------------------------------------------------------------------------------------

    @abstractmethod
    def loss(self, output: Tensor, batch: Batch) -> Tensor:
        """Scalar training loss from the model's output."""

    @abstractmethod
    def evaluate(self, model, split: str) -> dict[str, float]:
        """Metrics on a split, in the task's own units. Always includes "loss" and `metric.key`."""

    @abstractmethod
    def baselines(self, split: str) -> dict[str, dict[str, float]]:
        """The same metrics for the task's simple baselines on a split: {"last value": {"rmse": ..}, ...}.

        The first entry is the one the model is compared with first."""

    # --- what the GUI shows -------------------------------------------------------------------------------------

    def step_labels(self, batch: Batch, index: int) -> Optional[list[str]]:
        """Labels for the time axis of sample `index` of a batch (words, characters); None = step numbers."""
        return None

    def view(self, model) -> dict[str, Any]:
        """Plain data (numbers, numpy arrays, strings) for the task's prediction view."""
        return {}

    def text_batch(self, text: str) -> tuple[Batch, list[str]]:
        """One sequence the user typed or the model wrote, as a batch of one, and its time labels (words,
        characters): what the Cell tab replays when a task view sends it. Tasks that read text implement it."""
        raise DataError(_("This task reads no typed text."))


@dataclass
class Split:
    """A chronological/held-out slice of a task's examples as tensors."""

    x: Tensor
    y: Tensor
    lengths: Optional[Tensor] = None
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.x.shape[0]

    def batches(self, batch_size: int) -> Iterator[Batch]:
        for start in range(0, len(self), batch_size):
            sl = slice(start, start + batch_size)
            yield Batch(self.x[sl], self.y[sl], None if self.lengths is None else self.lengths[sl])

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        import torch

        idx = torch.randint(0, len(self), (batch_size,), generator=generator)
        return Batch(self.x[idx], self.y[idx], None if self.lengths is None else self.lengths[idx])
