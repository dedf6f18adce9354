"""Render the app icon (resources/icons/rnnlab.svg, the one the window uses) into the PNG sizes the installers need,
and an .ico (Windows) and .icns (macOS).

Run after the SVG changes (the outputs are committed, so builds need no Qt image plugins of their own):
    QT_QPA_PLATFORM=offscreen python packaging/icons/make_icons.py
"""

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SVG = HERE.parent.parent / "resources" / "icons" / "rnnlab.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841  (QImage writers need one)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"{SVG} does not parse", file=sys.stderr)
        return 1
    for size in SIZES:
        render(renderer, size).save(str(HERE / f"rnnlab-{size}.png"))
    # Qt's ICO writer stores one image per file; Windows scales the 256 px one well enough for every size it shows.
    ok_ico = render(renderer, 256).save(str(HERE / "rnnlab.ico"), "ICO")
    ok_icns = render(renderer, 512).save(str(HERE / "rnnlab.icns"), "ICNS")
    print(f"wrote {len(SIZES)} PNGs, ico={ok_ico}, icns={ok_icns}")
    return 0 if ok_ico and ok_icns else 1


if __name__ == "__main__":
    sys.exit(main())
