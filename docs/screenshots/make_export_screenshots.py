"""Re-make the export figures in docs/: a plot exported as PNG (2x), the same plot as SVG drawn by librsvg, the
export dialog, and the HTML report as headless Chromium shows it.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_export_screenshots.py

Needs `rsvg-convert` (librsvg2-bin) and `chromium` for the last two; without them those are skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import _shots  # first: the offscreen set-up, before Qt

HERE = _shots.HERE


def main() -> int:
    from rnnlab import config
    from rnnlab.app.output import export as ex
    from rnnlab.app.output.export_dialog import open_export_dialog
    from rnnlab.app.output.report import save_report

    _shots.application()
    cfg = config.from_dict({"task": {"name": "adding"}, "model": {"cell": "lstm", "hidden_size": 32,
                                                                    "gate_init": "chrono"},
                            "training": {"steps": 400, "learning_rate": 0.005, "batch_size": 64}})
    w = _shots.window(cfg, (1280, 800), ready=60)
    finished = []
    w.training_finished.connect(finished.append)
    w.start_training()
    _shots.wait(lambda: bool(finished), 300)
    _shots.settle()
    loss = next(c for c in ex.plot_choices(w) if c.label == "Plot: Loss")
    ex.export(loss, HERE / "export-loss-2x.png", "png")
    svg = Path(tempfile.mkdtemp()) / "loss.svg"
    ex.export(loss, svg, "svg")
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", "--zoom", "2", str(svg), "-o", str(HERE / "export-loss-svg-librsvg.png")],
                       check=True)
    dialog = open_export_dialog(w, loss.target)
    _shots.shoot(dialog, "export-dialog.png")
    dialog.close()
    report = save_report(w, Path(tempfile.mkdtemp()) / "adding-lstm-report.html")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1280,2400", f"--screenshot={HERE / 'report-chromium.png'}",
                        report.as_uri()], check=True, capture_output=True, timeout=120)
    _shots.close_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
