"""The contract every plot panel and task view keeps, so that the window (and a race) loops over panels instead of
calling each one's own verbs. All four calls come on the GUI thread with plain data only.

    panel.configure(info)        # a run is shown: frame the axes from its RunInfo (total steps, probe length, cell...)
    panel.reset()                # nothing is shown: drop curves and cached state
    panel.has_news(data) -> bool # something this panel draws changed since its last refresh (cheap: version counters)
    panel.refresh(data)          # draw what changed
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ...train.info import RunInfo
from .rundata import RunData


@runtime_checkable
class Panel(Protocol):
    def configure(self, info: RunInfo) -> None: ...

    def reset(self) -> None: ...

    def has_news(self, data: RunData) -> bool: ...

    def refresh(self, data: RunData) -> None: ...
