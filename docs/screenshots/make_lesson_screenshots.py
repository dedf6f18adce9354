"""Screenshots of a lesson in the window (issue 23), for docs/lessons.md: the real window, offscreen.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_lesson_screenshots.py [--lang tr]

- lesson-1280x800-<lang>.png         Lessons > 5 (the LSTM's gates) run to its verdict, the panel beside the plots
- lesson-1024x768-<lang>.png         the same lesson at 1024x768
- presenter-1024x768-<lang>.png      View > Presenter (F11) with lesson 5 open: its first step as the banner
"""

from __future__ import annotations

import sys

import _shots  # first: the offscreen set-up, before Qt


def main() -> int:
    lang = sys.argv[sys.argv.index("--lang") + 1] if "--lang" in sys.argv else "en"
    from PySide6.QtCore import Qt

    from rnnlab import i18n

    i18n.set_language(lang)
    _shots.application()
    for size in ((1280, 800), (1024, 768)):
        w = _shots.window(None, size, ready=600)
        next(a for a in w.lessons_menu.actions() if a.objectName() == "action_lesson_05-lstm-gates").trigger()
        panel = w.lesson_panel
        w.resizeDocks([w.lesson_dock], [int(size[0] * 0.34)], Qt.Horizontal)
        done = []
        panel.verdict_ready.connect(done.append)
        panel.start_button.click()
        _shots.wait(lambda: bool(done))
        w.many.wait_loaded(120)  # a race's runs overlaid on the plots; a one-run lesson's run opened
        _shots.wait(lambda: bool(panel.shown_path) or len(panel.results) > 1)
        w.wait_ready(60)
        _shots.shoot(w, f"lesson-{size[0]}x{size[1]}-{lang}.png", seconds=1.0)
        if size == (1024, 768):
            for i in range(len(panel.step_labels)):
                panel._mark(i, False)  # as before Start: the banner shows the first step
            w.act_presenter.trigger()
            _shots.shoot(w, f"presenter-1024x768-{lang}.png")
            w.act_presenter.trigger()
        w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
