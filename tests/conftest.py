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
