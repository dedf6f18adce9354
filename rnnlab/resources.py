"""Where the bundled resources (data sets, icons, styles) live: source tree, installed copy or frozen app."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder. RNNLAB_RESOURCES overrides; a frozen app keeps it next to its code."""
    override = os.environ.get("RNNLAB_RESOURCES")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
