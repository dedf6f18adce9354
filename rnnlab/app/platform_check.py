"""Before Qt starts on Linux: can its X11 platform plugin load? If not, one plain message with the install line.

Qt's own answer to a missing X11 library is a paragraph about "the Qt platform plugin xcb" and an abort (core dump),
which tells a workshop participant nothing (issue 9, item 10). The plugin is a shared library: trying to load it
names the first missing library, in a few milliseconds, without starting Qt.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path
from typing import Mapping, Optional
from ..i18n import N_, _, ngettext

# What the .deb depends on (packaging/linux/control.in), as one line to copy.
APT_LINE = (("sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 "
            "libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 "
            "libdbus-1-3"))
DNF_LINE = "sudo dnf install -y xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-renderutil libxkbcommon-x11"


def xcb_plugin() -> Optional[Path]:
    """Qt's X11 platform plugin of the PySide6 in use, or None where it is not found (then Qt speaks for itself)."""
    try:
        from PySide6.QtCore import QLibraryInfo
    except ImportError:
        return None
    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def missing_library_message(error: str) -> str:
    """The message for a plugin that failed to load with `error` (dlopen's text)."""
    m = re.search(r"([\w.+-]+\.so[\w.]*): cannot open shared object file", error)
    what = _("{group}, which is not installed").format(group=m.group(1)) if m else _("a library that does not load ({error})").format(error=error)
    return (_("rnnlab cannot open its window: Qt's X11 support needs {what}.\nInstall Qt's X11 libraries, then "
              "start rnnlab again:\n    {APT_LINE}\n(Fedora: {DNF_LINE})").format(what=what, APT_LINE=APT_LINE, DNF_LINE=DNF_LINE))


def platform_problem(env: Mapping[str, str] = os.environ, plugin: Optional[Path] = None) -> Optional[str]:
    """Why Qt will not be able to open a window here, or None (not Linux, another platform chosen, all there)."""
    if not sys.platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return None  # offscreen, wayland, vnc ...: not our check
    if not chosen and env.get("WAYLAND_DISPLAY"):
        return None  # Qt takes Wayland first there
    if not env.get("DISPLAY"):
        return (_("rnnlab cannot open its window: there is no screen (DISPLAY is not set). Start it from a desktop "
                "session; to check the installation without one, run: QT_QPA_PLATFORM=offscreen rnnlab --selftest"))
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        return missing_library_message(str(exc))
    return None
