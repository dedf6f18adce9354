"""The error types rnnlab raises at its boundaries, so callers can tell bad input from bugs."""


class RnnlabError(Exception):
    """Base of every error rnnlab raises on purpose: the message is meant for the user."""


class ConfigError(RnnlabError, ValueError):
    """A config value (or key) is not allowed. Names the field, the value and what is allowed."""

    def __init__(self, field: str, value, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field} = {value!r} is not allowed: {allowed}")


class DataError(RnnlabError, ValueError):
    """A data file cannot be used. Names the file, where the problem is and how to fix it."""


class RunError(RnnlabError):
    """A run directory cannot be opened or written (damaged, missing parts, unknown version)."""
