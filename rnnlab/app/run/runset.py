"""Several runs on the same plots (a race, or saved runs compared): one Track per run, each with its colour and its
legend label, kept on the GUI thread. The overlay panels draw a RunSet; a single run is a RunSet of one.

    runs = RunSet()
    runs.add(Track("lstm", "LSTM", info, data))       # colour: the next free one of theme.RUN_COLORS
    runs.select("lstm")                               # the run the Gates tab and the task view show
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ...train.info import RunInfo
from .rundata import RunData
from ...i18n import N_, _, ngettext

# One colour per run, the same on every plot; distinct for colour-blind viewers (Okabe-Ito) and on a projector.
RUN_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


@dataclass
class Track:
    key: str  # the run's id: the race's point id, or the run folder's path
    label: str  # the legend's text: only what differs between the runs ("LSTM", "gap=100")
    info: Optional[RunInfo]  # None until the run has started (a race point that is pending)
    data: RunData = field(default_factory=RunData)
    colour: str = ""  # filled by RunSet.add
    status: str = "pending"  # pending | running | paused | finished | stopped | diverged | failed


class RunSet:
    """The runs on screen, in legend order. `version` is bumped when a run is added, removed or selected, so that the
    panels rebuild their curves; the runs' own RunData versions say when there are new points."""

    def __init__(self):
        self.tracks: list[Track] = []
        self.selected: Optional[str] = None
        self.version = 0

    def __iter__(self) -> Iterator[Track]:
        return iter(self.tracks)

    def __len__(self) -> int:
        return len(self.tracks)

    def get(self, key: str) -> Optional[Track]:
        return next((t for t in self.tracks if t.key == key), None)

    def add(self, track: Track) -> Track:
        if self.get(track.key) is not None:
            raise ValueError(_("{key} is already on screen").format(key=track.key))
        if not track.colour:
            used = {t.colour for t in self.tracks}
            free = [c for c in RUN_COLORS if c not in used]
            track.colour = free[0] if free else RUN_COLORS[len(self.tracks) % len(RUN_COLORS)]
        self.tracks.append(track)
        if self.selected is None:
            self.selected = track.key
        self.version += 1
        return track

    def remove(self, key: str) -> None:
        self.tracks = [t for t in self.tracks if t.key != key]
        if self.selected == key:
            self.selected = self.tracks[0].key if self.tracks else None
        self.version += 1

    def select(self, key: str) -> None:
        if self.get(key) is None:
            raise KeyError(key)
        if key != self.selected:
            self.selected = key
            self.version += 1

    def selected_track(self) -> Optional[Track]:
        return self.get(self.selected) if self.selected is not None else None

    def clear(self) -> None:
        self.tracks = []
        self.selected = None
        self.version += 1
