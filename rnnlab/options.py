"""The rules a setting's value must meet, shared by the config and the tasks' options (a leaf: tasks sit below config).

A `Rule` checks one value and returns it in canonical form, or raises ConfigError naming the field, the value and
what is allowed; `choices` lets a form build a combo box without parsing the message.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

from .errors import ConfigError





@dataclass(frozen=True)
class Rule:
    """Checks one value and returns it in canonical form, or raises ConfigError naming the field."""

    describe: str
    check: Callable[[Any], Any]  # returns the canonical value or raises ValueError
    choices: tuple = ()  # the allowed values, for rules that are a choice (the GUI makes a combo box of them)

    def __call__(self, name: str, value: Any) -> Any:
        try:
            return self.check(value)
        except (ValueError, TypeError, OverflowError):  # OverflowError: an integer too large for a float
            raise ConfigError(name, value, self.describe) from None


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

    return Rule(f"must be a whole number from {lo} to {hi}", check)


def float_range(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Rule:
    def check(v):
        v = _as_float(v)
        if (v <= lo if lo_open else v < lo) or (v >= hi if hi_open else v > hi):
            raise ValueError
        return v

    left = "greater than" if lo_open else "at least"
    right = "less than" if hi_open else "at most"
    return Rule(f"must be a finite number {left} {lo:g} and {right} {hi:g}", check)


def choice(*allowed: str) -> Rule:
    def check(v):
        if v not in allowed:
            raise ValueError
        return v

    return Rule("must be one of " + ", ".join(repr(a) for a in allowed), check, tuple(allowed))


def _check_bool(v):
    if not isinstance(v, bool):
        raise TypeError
    return v


BOOL = Rule("must be true or false", _check_bool)


def text(max_len: int = 400) -> Rule:
    def check(v):
        if not isinstance(v, str) or len(v) > max_len:
            raise TypeError
        return v

    return Rule(f"must be text of at most {max_len} characters", check)


def _check_device(v):
    if not isinstance(v, str) or not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", v):
        raise ValueError
    return v


DEVICE = Rule("must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'", _check_device)


def unknown_key_hint(name: str, allowed) -> str:
    close = difflib.get_close_matches(str(name)[:100], list(allowed), n=1) if isinstance(name, str) else []
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return "unknown key; known keys are " + ", ".join(sorted(allowed)) + "." + hint
