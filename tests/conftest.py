"""Test set-up shared by every test: Qt renders offscreen, settings go to a throw-away folder, torch uses one thread.

Environment variables only, set before anything imports Qt or torch: engine tests never load Qt because of this file.
"""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display in CI; set before PySide6 is imported
# QSettings (window layout, recent runs) must not read or write the developer's own settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rnnlab-test-config-")
# 2 shared cores: one torch thread keeps the tests from fighting the GUI thread and each other.
os.environ.setdefault("OMP_NUM_THREADS", "1")
