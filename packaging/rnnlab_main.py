"""Entry point of the frozen app: the `rnnlab` command (the window, `train`, `tasks`, `--selftest`).

On Windows torch is imported before anything can load Qt: Qt's MSVC runtime loaded before torch's c10.dll makes
`import torch` fail with "WinError 1114" (pytorch/pytorch#166628). Elsewhere the window's start-up imports torch on a
background thread after the first paint (rnnlab/app/__init__.py), so it is not imported here.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a no-op unless something spawns worker processes; required once frozen
    if sys.platform == "win32":
        import torch  # noqa: F401

    from rnnlab.cli import main

    sys.exit(main())
