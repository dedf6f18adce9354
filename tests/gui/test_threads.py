"""app/threads.py: work on a thread the one way. A Job's yields, its value and its error reach the GUI thread; a
closed thread lingers until its step ends; and an application that quits by any path, mid-training, ends every
thread first: no "QThread: Destroyed while thread is still running" abort."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import QObject, Slot

from rnnlab.app import threads
from rnnlab.app.threads import Job, JobQueue, WorkerThread
from rnnlab.errors import RunError

pytestmark = pytest.mark.gui


class Receiver(QObject):
    """A GUI-thread object: what its slots record, and on which thread they ran."""

    def __init__(self):
        super().__init__()
        self.seen, self.threads, self.over = [], set(), False

    @Slot(object)
    def value(self, value) -> None:
        self.seen.append(value)
        self.threads.add(threading.get_ident())

    @Slot(object)
    def returned(self, value) -> None:
        self.value(("returned", value))

    @Slot(str)
    def errored(self, message: str) -> None:
        self.value(("errored", message))

    @Slot()
    def ended(self) -> None:
        self.over = True


def run_job(qtbot, fn, **kwargs) -> Receiver:
    job = Job(fn, **kwargs)
    got = Receiver()
    job.yielded.connect(got.value)
    job.returned.connect(got.returned)
    job.errored.connect(got.errored)
    job.ended.connect(got.ended)
    handle = WorkerThread(job, "rnnlab-test")
    handle.start()
    qtbot.waitUntil(lambda: got.over, timeout=10_000)
    assert handle.finish() and "rnnlab-test" not in threads.running()
    return got


def test_a_job_hands_its_yields_then_its_value_to_the_gui_thread(qtbot):
    where = []

    def work():
        where.append(threading.get_ident())
        for i in range(3):
            yield i * 10

    got = run_job(qtbot, work)
    assert got.seen == [0, 10, 20, ("returned", None)]
    assert got.threads == {threading.get_ident()} and where != [threading.get_ident()]


def test_a_failing_job_says_why_in_a_message(qtbot):
    def fails():
        raise RunError("run folder damaged")

    assert run_job(qtbot, fails).seen == [("errored", "run folder damaged")]
    assert run_job(qtbot, lambda: 1 / 0).seen == [("errored", "ZeroDivisionError: division by zero")]


def test_a_closed_thread_busy_in_a_step_lingers_until_it_ends(qtbot):
    release, stopped = threading.Event(), threading.Event()

    def one_long_step():
        release.wait(20)  # a step that does not look at the stop request until it ends

    job = Job(one_long_step)
    handle = WorkerThread(job, "rnnlab-test", stop=stopped.set)
    handle.start()
    assert not handle.close(wait_ms=50)  # asked to stop; still in its step
    assert stopped.is_set() and handle.thread in threads.lingering()
    release.set()
    threads.wait_closed(20)
    assert handle.thread.isFinished() and handle.thread not in threads.lingering()


def test_a_job_queue_runs_jobs_in_turn_and_cancels_after_shutdown():
    jobs = JobQueue("rnnlab-helper-test")
    order = []
    futures = [jobs.submit(lambda i=i: order.append(i) or i) for i in range(5)]
    assert [f.result(10) for f in futures] == list(range(5)) and order == list(range(5))
    failing = jobs.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result(10)
    jobs.shutdown()
    assert jobs.submit(lambda: 1).cancelled() and "rnnlab-helper-test" not in threads.running()


# --- the application quits mid-training, not by the main window's close -------------------------------------------

CHILD = r"""
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication
from rnnlab import config
from rnnlab.app.application import application

app = application()
from rnnlab.app.main_window import MainWindow

cfg = config.from_dict({"task": {"name": "adding", "options": {"length": 10}}, "model": {"hidden_size": 8},
                        "training": {"steps": 10_000_000, "batch_size": 8}})
window = MainWindow(cfg)
window.show()
how = sys.argv[1]


def check():
    if window.data.n < 3:
        return
    timer.stop()
    print("TRAINING", window.is_training(), flush=True)
    if how == "exit":  # the event loop ends; no window is closed
        QCoreApplication.exit(0)
    elif how == "quit":  # Qt 6 asks the windows to close first
        QApplication.quit()
    elif how == "about_to_quit":  # a handler of aboutToQuit that starts another run as the loop ends
        app.aboutToQuit.connect(lambda: window.session.start(cfg))
        QCoreApplication.exit(0)


window.start_training()
timer = QTimer()
timer.timeout.connect(check)
timer.start(20)
code = app.exec()
print("EXIT", code, flush=True)
# Delete the window while the application exists, as launch() does, but without closing it: its children go too (a
# QThread among them, if it had one, aborts the process while it runs).
from PySide6.QtCore import QEvent
window.deleteLater()
QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["exit", "quit", "about_to_quit"])
def test_quitting_mid_training_by_another_path_than_the_window_ends_cleanly(tmp_path, how):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", CHILD, how], capture_output=True, text=True, env=env, timeout=300)
    said = proc.stdout + proc.stderr
    assert "TRAINING True" in proc.stdout, said
    assert proc.returncode == 0, said
    assert "EXIT 0" in proc.stdout, said
    for fatal in ("QThread: Destroyed", "Fatal", "Traceback", "Aborted", "Segmentation"):
        assert fatal not in proc.stderr, said
