"""Test set-up shared by every test: Qt renders offscreen, settings go to a throw-away folder, torch uses one thread.

Environment variables only, set before anything imports Qt or torch: engine tests never load Qt because of this file.
"""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display in CI; set before PySide6 is imported
# QSettings (window layout, recent runs) must not read or write the developer's own settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rnnlab-test-config-")
# The run library (saved runs and sweeps) likewise: never the developer's own data folder.
os.environ["RNNLAB_HOME"] = tempfile.mkdtemp(prefix="rnnlab-test-home-")
# 2 shared cores: one torch thread keeps the tests from fighting the GUI thread and each other.
os.environ.setdefault("OMP_NUM_THREADS", "1")


import pytest  # noqa: E402  (after the environment above)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Every test starts with one torch thread and leaves it so: a trainer that set `training.threads` in one test
    must not slow down or change the numbers of the next."""
    import sys

    torch = sys.modules.get("torch")  # only where torch is loaded already: engine-free tests stay light
    before = torch.get_num_threads() if torch else None
    if torch:
        torch.set_num_threads(1)
    yield
    if torch and before is not None:
        torch.set_num_threads(before)


def _stray_menus() -> dict:
    """The application's parentless menus by C++ address (none where the test never made a QApplication)."""
    import sys

    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None or widgets.QApplication.instance() is None:
        return {}
    import shiboken6

    return {shiboken6.getCppPointer(w)[0]: w for w in widgets.QApplication.topLevelWidgets()
            if isinstance(w, widgets.QMenu) and w.parent() is None and not w.isVisible()}


@pytest.fixture(autouse=True)
def no_stray_plot_menus():
    """Deletes the parentless menus that a test's plots left behind. pyqtgraph gives each plot ~30 context menus with
    no parent, freed only with the plot's Python side, and a closed window's Python side is not always freed (a
    reference PySide6 holds keeps its cycle alive): ~230 menus a window, thousands over the suite, which every later
    style or font change walked (the views-alone tests took 30-40 s each at the end of the suite, 1-3 s alone)."""
    before = _stray_menus()
    yield
    after = _stray_menus()
    if not after:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    for address, menu in after.items():
        if address not in before:
            menu.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.fixture(scope="session")
def qapp(qapp_args, pytestconfig):
    """pytest-qt's application, made the one way rnnlab makes it (`rnnlab.app.application`: the C-locale shield)."""
    from rnnlab.app.application import application

    return application(qapp_args or ["rnnlab-tests"])


@pytest.fixture
def window(qtbot):
    """`window(cfg)`: the real main window on `cfg` (default: `helpers.small()`), shown at 1280x800 from the default layout, its prepared model
    arrived; closed after the test, which then checks that no training or helper thread outlived it."""
    from helpers import helper_threads
    from rnnlab.app.main_window import MainWindow, settings

    settings().clear()  # each test starts from the default layout (QSettings point at a temp folder, above)
    made = []

    def make(cfg=None):
        from helpers import small

        w = MainWindow(cfg if cfg is not None else small())
        w.ask_before_discarding(False)  # closing at the end of a test must not wait for an answer
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        assert w.wait_ready(30), "the prepared model never arrived"
        made.append(w)
        return w

    yield make
    for w in made:
        thread = w.session._thread
        w.close()  # abandons a run and waits for the training and helper threads
        assert not w.is_training()
        assert thread is None or not thread.isRunning()
    assert helper_threads() == []
