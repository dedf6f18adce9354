"""The error types rnnlab raises at its boundaries, so callers can tell bad input from bugs.

Every message is meant to be shown as one line: values from the input are shortened (`shown`) so a 40,000-character
string or a list nested 10,000 deep cannot make a message unreadable, or crash while it is being written.
"""

from __future__ import annotations

import os
import reprlib

from .i18n import _

MAX_SHOWN = 60  # characters of an offending value (or key) that a message quotes

_repr = reprlib.Repr()
_repr.maxlevel = 2
_repr.maxstring = _repr.maxother = _repr.maxlong = MAX_SHOWN
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 4


def shown(value, limit: int = MAX_SHOWN) -> str:
    """A short, safe repr of a user's value for a message: depth- and length-limited, one line."""
    try:
        text = _repr.repr(value)
    except Exception:  # a repr that fails (or recurses) must not turn a refusal into a crash
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown_path(path) -> str:
    """A path for a message, with any character that is not printable escaped (a file name may hold a newline): the
    message stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))


def shown_file(path) -> str:
    """A file's name (its path's last part) for a message, escaped as `shown_path`."""
    text = os.fspath(path)
    return shown_path(os.path.basename(text) or text)


def shown_key(key, limit: int = MAX_SHOWN) -> str:
    """A dotted field name as given by the user, shortened the same way (keys can be any text in a file)."""
    text = str(key) if isinstance(key, str) else shown(key, limit)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RnnlabError(Exception):
    """Base of every error rnnlab raises on purpose: the message is meant for the user."""


class ConfigError(RnnlabError, ValueError):
    """A config value (or key) is not allowed. Names the field, the value and what is allowed."""

    def __init__(self, field: str, value, allowed: str, message: str = ""):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(message or _("{field} = {value} is not allowed: {allowed}").format(
            field=shown_key(field), value=shown(value), allowed=allowed))


class DataError(RnnlabError, ValueError):
    """A data file cannot be used. Names the file, where the problem is and how to fix it.

    `option` names the setting to change when it is not the file itself (e.g. "column" for an unknown column)."""

    def __init__(self, message: str, option: str = ""):
        self.option = option
        super().__init__(message)


class RunError(RnnlabError):
    """A run directory cannot be opened or written (damaged, missing parts, unknown version)."""


class ResourceError(RnnlabError):
    """A config asks for more memory than the machine has (or an allocation failed). Names the fields that drive it."""
