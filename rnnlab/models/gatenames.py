"""The gates each cell has, the range of each and its title: plain data without torch, so that the window frames
its gate plots before torch has loaded (issue 24). `probe.py` computes the gates these names stand for."""

from __future__ import annotations

from ..i18n import N_

GATE_NAMES = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ("pre", "h")}
# Which nonlinearity produced each gate: the GUI fixes heatmap colour levels from this ((0, 1) or (-1, 1)).
GATE_RANGE = {"i": (0.0, 1.0), "f": (0.0, 1.0), "o": (0.0, 1.0), "r": (0.0, 1.0), "z": (0.0, 1.0),
              "g": (-1.0, 1.0), "n": (-1.0, 1.0), "h": (-1.0, 1.0), "pre": (-3.0, 3.0)}
GATE_TITLES = {"i": N_("input gate i"), "f": N_("forget gate f"), "g": N_("candidate g"), "o": N_("output gate o"),
               "r": N_("reset gate r"), "z": N_("update gate z"), "n": N_("candidate n"),
               "pre": N_("pre-activation"), "h": N_("activation h")}

# The gate each cell's nonlinearities produce, in the order the equations are written; the RNN's "h" is tanh or relu.
ACTIVATED = {"LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n"), "RNN": ("h",)}
# The gates a Clamp may force (the sigmoid gates: the ones that decide how much passes).
CLAMPABLE = {"LSTM": ("i", "f", "o"), "GRU": ("r", "z"), "RNN": ()}
