"""What a setting is: the rule its value must meet and the description every reader shares (a leaf: tasks sit below
config, and both declare their settings here).

A `Rule` checks one value and returns it in canonical form, or raises ConfigError naming the field, the value and
what is allowed; its `kind` and `choices` tell a form which editor to make without parsing the message. An `Option`
is one setting's whole description (default, rule, help, label, unit, where it applies): the form, `rnnlab tasks`,
`rnnlab options` and docs/options.md are all built from these (`rnnlab/schema.py` gathers them).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from .i18n import N_, _
from .errors import ConfigError, shown, shown_key

# What editor a setting gets (the form maps each to a widget): a number, a switch, one of a list, free text, a file
# of one's own, or a compute device of this computer (the list is the machine's, not the rule's).
KINDS = ("int", "float", "bool", "choice", "text", "path", "device")


@dataclass(frozen=True)
class Rule:
    """Checks one value and returns it in canonical form, or raises ConfigError naming the field."""

    describe: str
    check: Callable[[Any], Any]  # returns the canonical value or raises ValueError
    choices: tuple = ()  # the allowed values, for rules that are a choice (the GUI makes a combo box of them)
    kind: str = "text"  # one of KINDS: the editor a value of this rule is typed into
    # What it accepts as a phrase to translate where shown: (N_ message, ((placeholder, value), ...)). `describe`
    # stays the English sentence (docs/options.md); `allowed()` and `must()` speak the current language.
    words: tuple = ()

    def allowed(self) -> str:
        """What the rule accepts, in the current language: 'a whole number from 1 to 4096'."""
        if not self.words:
            return _(self.describe.removeprefix("must be "))
        return _(self.words[0]).format(**dict(self.words[1]))

    def must(self) -> str:
        return _("must be {allowed}").format(allowed=self.allowed())

    def __call__(self, name: str, value: Any) -> Any:
        try:
            return self.check(value)
        except (ValueError, TypeError, OverflowError):  # OverflowError: an integer too large for a float
            raise ConfigError(name, value, self.must()) from None


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("bool is not an int")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise TypeError
    return value


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError
    value = float(value)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def int_range(lo: int, hi: int) -> Rule:
    def check(v):
        v = _as_int(v)
        if not lo <= v <= hi:
            raise ValueError
        return v

    return Rule(f"must be a whole number from {lo} to {hi}", check, kind="int",
                words=(N_("a whole number from {lo} to {hi}"), (("lo", lo), ("hi", hi))))


def float_range(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Rule:
    def check(v):
        v = _as_float(v)
        if (v <= lo if lo_open else v < lo) or (v >= hi if hi_open else v > hi):
            raise ValueError
        return v

    left = "greater than" if lo_open else "at least"
    right = "less than" if hi_open else "at most"
    words = {(False, False): N_("a finite number at least {lo} and at most {hi}"),
             (True, False): N_("a finite number greater than {lo} and at most {hi}"),
             (False, True): N_("a finite number at least {lo} and less than {hi}"),
             (True, True): N_("a finite number greater than {lo} and less than {hi}")}[(lo_open, hi_open)]
    return Rule(f"must be a finite number {left} {lo:g} and {right} {hi:g}", check, kind="float",
                words=(words, (("lo", f"{lo:g}"), ("hi", f"{hi:g}"))))


def choice(*allowed: str) -> Rule:
    def check(v):
        if v not in allowed:
            raise ValueError
        return v

    values = ", ".join(repr(a) for a in allowed)
    return Rule("must be one of " + values, check, tuple(allowed), "choice", words=(N_("one of {values}"),
                                                                                    (("values", values),)))


def _check_bool(v):
    if not isinstance(v, bool):
        raise TypeError
    return v


BOOL = Rule("must be true or false", _check_bool, kind="bool", words=(N_("true or false"), ()))


def text(max_len: int = 400) -> Rule:
    def check(v):
        if not isinstance(v, str) or len(v) > max_len:
            raise TypeError
        return v

    return Rule(f"must be text of at most {max_len} characters", check,
                words=(N_("text of at most {max_len} characters"), (("max_len", max_len),)))


def _check_device(v):
    if not isinstance(v, str) or not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", v):
        raise ValueError
    return v


DEVICE = Rule("must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'", _check_device, kind="device",
              words=(N_("'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"), ()))


def unknown_key_hint(name: str, allowed) -> str:
    """The closest known key when there is one (the list would only hide it), else every known key."""
    close = difflib.get_close_matches(str(name)[:100], list(allowed), n=1) if isinstance(name, str) else []
    if close:
        return _("unknown key. Did you mean {key!r}?").format(key=close[0])
    return _("unknown key; known keys are {keys}.").format(keys=", ".join(sorted(allowed)))


def unknown_key(field: str, name, value, allowed) -> ConfigError:
    """The error for a key that is not a setting: the value is quoted short (it is not what is wrong), so that the
    message stays one readable line with the list of known keys."""
    hint = unknown_key_hint(name, allowed)
    return ConfigError(field, value, hint, message=_("{field} = {value} is not allowed: {hint}").format(
        field=shown_key(field), value=shown(value, UNKNOWN_VALUE_SHOWN), hint=hint))


UNKNOWN_VALUE_SHOWN = 24  # characters of the value quoted after an unknown key


@dataclass(frozen=True)
class Applies:
    """Which tasks a setting means something for, as a sentence (for the docs) and a test on a task class."""

    text: str  # "every task", "tasks that read tokens"
    test: Callable[[type], bool]
    exception: str = ""  # set where most tasks use it and a few must not: why not ("reading backwards would ...")

    def __call__(self, task_cls: type) -> bool:
        return bool(self.test(task_cls))


EVERY_TASK = Applies(N_("every task"), lambda task_cls: True)


@dataclass(frozen=True)
class Condition:
    """When a setting takes effect within a config (momentum only with SGD or RMSprop); the form disables it
    otherwise and says why. `test` reads a RunConfig."""

    text: str  # "only with SGD or RMSprop"
    test: Callable[[Any], bool]

    def __call__(self, cfg: Any) -> bool:
        return bool(self.test(cfg))


@dataclass(frozen=True)
class Option:
    """One setting, described once: what it starts at, what it accepts, what it does, and how to show it."""

    default: Any
    rule: Rule
    help: str  # one sentence: what the setting does (the form's tooltip, the CLI's and the docs' text)
    label: str = ""  # the form's label, e.g. "Hidden size"
    kind: str = ""  # one of KINDS; empty: the rule's kind
    unit: str = ""  # what the number counts ("units", "steps"), where it helps
    value_labels: Mapping[str, str] = field(default_factory=dict)  # choice value -> what the form shows
    applies: Applies = EVERY_TASK
    when: Optional[Condition] = None  # None: always in effect
    advanced: bool = False  # the form puts it under Advanced
    files: str = ""  # kind "path": the file types the Browse dialog offers, e.g. "CSV files (*.csv *.tsv)"

    @property
    def editor(self) -> str:
        """The editor kind: the option's own, else its rule's."""
        return self.kind or self.rule.kind
