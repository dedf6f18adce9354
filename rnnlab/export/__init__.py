"""Export an experiment as one standalone PyTorch script (torch and numpy only) that a student can read and run.

    export_script(config, "train_adding.py")   ->  train_adding.py (+ the data files it reads, beside it)

The script builds the same data, the same network (cell, sizes, initialisation), the same optimizer, clipping and
truncated BPTT with the same seed as rnnlab's trainer, so on the CPU it prints the same losses as the run's
`metrics.csv`. It sits beside `runs` in the layer order: it reads config, tasks and data, never the app.
"""

from .script import ExportConflict, ExportedScript, default_file_name, export_script, load_experiment, render_script

__all__ = ["ExportConflict", "ExportedScript", "default_file_name", "export_script", "load_experiment",
           "render_script"]
