"""Toolbar and window icons from resources/icons (SVG, drawn by Qt's svg image plugin)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from ..resources import resource


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """QIcon for resources/icons/<name>.svg; an empty icon (text-only button) if the file is missing."""
    path = resource("icons", f"{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_icon() -> QIcon:
    return icon("rnnlab")
