"""The Qt layer: the only package that imports PySide6 / pyqtgraph. It configures, starts and draws; no training."""


def launch() -> int:
    """Open the main window (placeholder until the GUI issue lands)."""
    print("rnnlab: the desktop window arrives with the GUI issue; meanwhile try `rnnlab train --help`.")
    return 0
