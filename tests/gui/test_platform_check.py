"""First start on a bare Linux machine: a missing X11 library gives one plain message with the install line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rnnlab.app.platform_check import APT_LINE, missing_library_message, platform_problem, xcb_plugin

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's X11 plugin is Linux only")

X11 = {"DISPLAY": ":99", "QT_QPA_PLATFORM": "xcb"}


def _xcb_loads() -> bool:
    return platform_problem(X11) is None


def test_the_message_names_the_missing_library_and_the_install_line():
    text = missing_library_message("libxcb-icccm.so.4: cannot open shared object file: No such file or directory")
    assert "libxcb-icccm.so.4, which is not installed" in text and APT_LINE in text
    assert "libxcb-cursor0" in APT_LINE and "libxkbcommon-x11-0" in APT_LINE


def test_no_display_and_other_platforms():
    assert "DISPLAY is not set" in platform_problem({"QT_QPA_PLATFORM": "xcb"})
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert xcb_plugin() is not None and xcb_plugin().name == "libqxcb.so"


@pytest.mark.skipif(_xcb_loads(), reason="this machine has Qt's X11 libraries")
def test_rnnlab_without_the_x11_libraries_prints_the_install_line_not_qts_text(tmp_path):
    env = {**os.environ, **X11, "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "rnnlab"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert APT_LINE in done.stderr and "cannot open its window" in done.stderr
    assert "qt.qpa.plugin" not in done.stderr and "core dumped" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 4
