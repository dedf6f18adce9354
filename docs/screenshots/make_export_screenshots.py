"""Re-make the export figures in docs/: a plot exported as PNG (2x), the same plot as SVG drawn by librsvg, the
export dialog, and the HTML report as headless Chromium shows it.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_export_screenshots.py

Needs `rsvg-convert` (librsvg2-bin) and `chromium` for the last two; without them those are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # the default layout, not the developer's own

import torch  # noqa: E402,F401  (before Qt, as the app does on Windows)
from PySide6.QtWidgets import QApplication  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> int:
    from rnnlab import config
    from rnnlab.app.output import export as ex
    from rnnlab.app import theme
    from rnnlab.app.output.export_dialog import open_export_dialog
    from rnnlab.app.main_window import MainWindow
    from rnnlab.app.output.report import save_report

    app = QApplication(sys.argv)
    theme.apply(app)
    cfg = config.from_dict({"task": {"name": "adding"}, "model": {"cell": "lstm", "hidden_size": 32,
                                                                    "gate_init": "chrono"},
                            "training": {"steps": 400, "learning_rate": 0.005, "batch_size": 64}})
    w = MainWindow(cfg)
    w.resize(1280, 800)
    w.show()
    deadline = time.monotonic() + 300
    if not w.wait_ready(60):
        raise SystemExit("the model never arrived")
    finished = []
    w.training_finished.connect(finished.append)
    w.start_training()
    while not finished and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(50):
        app.processEvents()
    loss = next(c for c in ex.plot_choices(w) if c.label == "Plot: Loss")
    ex.export(loss, HERE / "export-loss-2x.png", "png")
    svg = Path(tempfile.mkdtemp()) / "loss.svg"
    ex.export(loss, svg, "svg")
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", "--zoom", "2", str(svg), "-o", str(HERE / "export-loss-svg-librsvg.png")],
                       check=True)
    dialog = open_export_dialog(w, loss.target)
    for _ in range(20):
        app.processEvents()
    dialog.grab().save(str(HERE / "export-dialog.png"))
    dialog.close()
    report = save_report(w, Path(tempfile.mkdtemp()) / "adding-lstm-report.html")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1280,2400", f"--screenshot={HERE / 'report-chromium.png'}",
                        report.as_uri()], check=True, capture_output=True, timeout=120)
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
