"""Pieces the word-level views (sentiment, tagging) share."""

from __future__ import annotations

from ..plots.common import LabelAxis

PX_PER_WORD = 40


class WordAxis(LabelAxis):
    """A label axis that shows every label while each gets ~40 px (a sentence or a tag set, not a long stream)."""

    words: list[str] = []
    word_offset = 0.0

    def set_labels(self, labels, offset: float = 0.0) -> None:
        self.words, self.word_offset = list(labels or []), offset
        super().set_labels(labels, offset)

    def tickValues(self, minVal, maxVal, size):
        if self.words and len(self.words) * PX_PER_WORD <= size:
            return [(1, [i + self.word_offset for i in range(len(self.words))
                         if minVal - 0.5 <= i + self.word_offset <= maxVal + 0.5])]
        return super().tickValues(minVal, maxVal, size)
