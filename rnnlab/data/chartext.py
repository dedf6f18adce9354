"""Plain text for character models: the bundled Tiny Shakespeare or a user's UTF-8 file, and its character vocabulary.

Token id 0 is padding (the engine's convention), so the characters get ids 1..V in sorted order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported where it is used: the window reads this module before it has loaded
    import torch

from ..errors import ConfigError, DataError, shown_file
from ..fileio import read_user_file
from ..resources import resource
from ..i18n import N_, _, ngettext

BUNDLED = {"tinyshakespeare": ("text", "tinyshakespeare.txt")}
BUNDLED_TITLES = {"tinyshakespeare": "Tiny Shakespeare (1.1 M characters)"}
MAX_CHARS = 50_000_000  # larger files would not fit comfortably in memory as a long tensor (8 bytes a character)
MAX_VOCAB = 1000  # more distinct characters than this is almost surely not prose (or a binary file)
# Shown in place of characters that would be invisible on a time axis or in a table.
VISIBLE = {"\n": "⏎", " ": "␣", "\t": "⇥", "\r": "␍"}


def load_text(name: str = "tinyshakespeare", path: str = "") -> tuple[str, str]:
    """(text, title) of a bundled text or, when `path` is set, a user's UTF-8 text file."""
    if not path:
        if name not in BUNDLED:
            raise DataError(_("there is no bundled text named {name!r}; choose one of {names}").format(name=name, names=', '.join(BUNDLED)))
        file = resource("datasets", *BUNDLED[name])
        title = BUNDLED_TITLES[name]
    else:
        file = path
        title = Path(path.replace("\x00", "")).name
    raw = read_user_file(file, MAX_CHARS * 4, what=_("a plain text file (task.text_path)"))
    if b"\x00" in raw[:100_000]:
        raise DataError(_("{file} looks like a binary file (it contains NUL bytes); choose a plain text file").format(file=shown_file(file)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError(_("{file} is not UTF-8 text: the byte at line {line} cannot be decoded. Save the file as "
                          "UTF-8 (most editors offer it under 'Save as').").format(file=shown_file(file), line=line)) from None
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_CHARS:
        raise DataError(_("{file} has {count:,} characters; rnnlab reads up to {MAX_CHARS:,}. Use a shorter "
                          "excerpt.").format(file=shown_file(file), count=len(text), MAX_CHARS=MAX_CHARS))
    return text, title


@dataclass(frozen=True)
class CharVocab:
    """Characters <-> ids; id 0 is padding and never a character."""

    chars: tuple[str, ...]  # chars[i] has id i + 1

    @classmethod
    def from_text(cls, text: str, source: str = "the text") -> "CharVocab":
        """The vocabulary of `text`; `source` (its file name) is named when the text cannot be used."""
        chars = tuple(sorted(set(text)))
        if len(chars) > MAX_VOCAB:
            raise DataError(_("{source} has {count} distinct characters; a character model here handles up to "
                              "{MAX_VOCAB}. Is it really prose?").format(source=source, count=len(chars), MAX_VOCAB=MAX_VOCAB))
        return cls(chars)

    @property
    def size(self) -> int:
        """Embedding rows / output classes, padding included."""
        return len(self.chars) + 1

    def _index(self) -> dict[str, int]:
        index = self.__dict__.get("_index_cache")
        if index is None:
            index = {c: i + 1 for i, c in enumerate(self.chars)}
            object.__setattr__(self, "_index_cache", index)
        return index

    def encode(self, text: str, field: str = "prompt") -> torch.Tensor:
        """Ids of a string (1-d long tensor). Unknown characters raise ConfigError naming them."""
        import torch

        index = self._index()
        unknown = sorted({c for c in text if c not in index})
        if unknown:
            shown = ", ".join(repr(c) for c in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            raise ConfigError(field, text, _("it contains characters the model has never seen ({shown}); use only "
                                             "characters of the training text, e.g. {names!r}").format(shown=shown, names=''.join(self.chars[10:40])))
        return torch.tensor([index[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.chars[i - 1] if i > 0 else "" for i in (int(v) for v in ids))

    def encode_corpus(self, text: str) -> torch.Tensor:
        """Fast encoding of a whole text known to use only this vocabulary's characters."""
        import torch

        lut = torch.zeros(max(map(ord, self.chars)) + 1, dtype=torch.long)
        for i, c in enumerate(self.chars):
            lut[ord(c)] = i + 1
        codes = torch.frombuffer(bytearray(text.encode("utf-32-le")), dtype=torch.int32).long()
        return lut[codes]


def visible(ch: str) -> str:
    """A character as a label on a time axis: newline, space and tab get visible symbols."""
    return VISIBLE.get(ch, ch)
