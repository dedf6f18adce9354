"""Nothing the window imports at module level loads torch (issue 24): the window is in use while torch loads in the
background (rnnlab/app/engine_loader.py). Each check runs in a fresh interpreter, where nothing has imported torch."""

from __future__ import annotations

import os
import subprocess
import sys

TORCH_FREE = r"""
import importlib, pkgutil, sys
import rnnlab.app
for info in pkgutil.walk_packages(rnnlab.app.__path__, "rnnlab.app."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
from rnnlab import schema, tasks
for name in tasks.names():  # what the form reads: titles, descriptions, options, suggested settings, the schema
    cls = tasks.get(name)
    assert cls.describe(cls.validate_options({})) and cls.options is not None
schema.config_fields()
loaded = sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))
assert not loaded, loaded[:5]
"""


def run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_importing_the_main_window_loads_no_torch():
    proc = run("import rnnlab.app.main_window, sys; assert 'torch' not in sys.modules")
    assert proc.returncode == 0, proc.stderr


def test_every_window_module_and_the_task_registry_load_no_torch():
    proc = run(TORCH_FREE)
    assert proc.returncode == 0, proc.stderr
