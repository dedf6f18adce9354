"""torch and the engine modules that need it, imported on a background thread while the window is already in use.

Importing torch takes 1.5-2 s, longer than everything else the window needs, and the form, the task descriptions,
the menus and the run library need none of it (issue 24). So nothing the window imports at module level loads torch
(tests/test_import_light.py holds that line), and torch comes in here::

    launch (GUI thread)    hold() ── build the window, show it, first paint ── release() ──┐
    loader thread                                                                          └─ import torch, models,
                                                                                              trainer, run files;
                                                                                              the devices ──> done
    helper / training thread   build_trainer() -> wait(): blocks until done (Train pressed early starts then)
    GUI thread                 when_loaded(fn): fn runs on the GUI thread once done; `follow(window)` says in the
                               message and status bars that a run waits for PyTorch, shows the task's data preview
                               where it needs no torch (a series), and fills the device menu once loaded

No widget is touched off the GUI thread and no torch work runs on it: until `is_loaded()`, the GUI thread must not
call into code that imports torch (it would block on the import lock until the loader is done).
Without `hold()` (tests, the self-test, `python -m` of a panel), the first `wait()` starts the import at once.
On Windows `launch` has imported torch before Qt (see rnnlab/app/__init__.py), so this finds it loaded.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from typing import Callable, Optional

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from ..i18n import _

_lock = threading.Lock()
_done = threading.Event()
_thread: Optional[threading.Thread] = None
_held = False
_error: Optional[BaseException] = None
_devices: list[tuple[str, str]] = []  # devices.available(), found by the loader (CUDA's names take a while)


def hold() -> None:
    """The import waits for `release()`: the window's own first paint comes first (launch). Not even torch's
    libraries are mapped meanwhile: that needs no GIL, but it holds the dynamic loader's lock, which the window's
    own extension modules and Qt's plugins wait for (measured: the window came 0.5-1 s later)."""
    global _held
    _held = True


def release() -> None:
    """Start the import held back by `hold()`."""
    global _held
    _held = False
    start()


def start() -> None:
    """Start importing torch and the engine on a background thread (once; not while held)."""
    global _thread
    with _lock:
        if _thread is not None or _held:
            return
        _notifier()  # made here, on the GUI thread where there is one: its signal reaches that thread
        _thread = threading.Thread(target=_load, name="rnnlab-engine-loader", daemon=True)
        _thread.start()


def wait() -> None:
    """Block until torch and the engine are imported, starting the import unless it is held. Background threads
    only (the helper and training threads call it before building a Trainer). Raises what the import raised."""
    start()
    _done.wait()
    if _error is not None:
        raise _error


def join(timeout: float = 60.0) -> None:
    """Wait for an import in progress to end: the interpreter must not exit while a daemon thread is in the middle of
    importing torch (its extension modules' teardown can crash it then)."""
    thread = _thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)


def is_loaded() -> bool:
    """torch and the engine are imported and usable from any thread."""
    return _done.is_set() and _error is None


def error() -> Optional[BaseException]:
    return _error


def _load() -> None:
    global _error
    try:
        _map_libraries()
        import torch  # noqa: F401

        from .. import tasks
        from ..runs import store  # noqa: F401
        from ..train import devices, trainer  # noqa: F401  (trainer: the models, the probe, the optimizers)

        for name in tasks.names():
            tasks.get(name)
        _devices[:] = devices.available()
        # torch's objects live as long as the app: out of the collector's full passes, as the window's own are
        # (MainWindow froze those before torch came; a full pass over torch's stopped every thread for ~0.4 s).
        gc.freeze()
    except BaseException as exc:  # told on the GUI thread (when_loaded's callers, the helper's wait())
        _error = exc
    finally:
        _done.set()
        notifier = _NOTIFIER
        if notifier is not None:
            notifier.finished.emit()


def _map_libraries() -> None:
    """Linux: map torch's shared libraries with the GIL released, before `import torch` maps them with it held.

    `import torch` loads libtorch_python.so, and with it libtorch_cpu.so (330 MB), from inside the import system,
    which holds the GIL all the while: the window's event loop stood still for 0.6-0.8 s of the background import.
    A ctypes call into libc's dlopen releases the GIL, so the same work runs beside the event loop (longest stall
    measured: 0.1-0.16 s); the import then finds the libraries loaded. Same flags as torch's own loading (its global
    deps RTLD_GLOBAL, the rest as an extension module's). Best effort: anything amiss leaves it to the import."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import importlib.util

        spec = importlib.util.find_spec("torch")
        if spec is None or spec.origin is None:
            return
        folder = os.path.join(os.path.dirname(spec.origin), "lib")
        dlopen = ctypes.CDLL(None).dlopen  # a foreign function: called without the GIL
        dlopen.argtypes, dlopen.restype = [ctypes.c_char_p, ctypes.c_int], ctypes.c_void_p
        for name, flags in (("libtorch_global_deps.so", os.RTLD_GLOBAL), ("libtorch_python.so", os.RTLD_LOCAL)):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                dlopen(os.fsencode(path), flags | os.RTLD_NOW)
    except (OSError, AttributeError, ImportError, ValueError):
        pass


# --- the GUI thread's side -------------------------------------------------------------------------------------------


class _Notifier(QObject):
    """Lives on the GUI thread: the loader thread emits `finished`, the queued slot runs the callbacks there; `call`
    brings any function from another thread to the GUI thread."""

    finished = Signal()
    call = Signal(object)

    def __init__(self):
        super().__init__()
        self.callbacks: list[Callable[[], None]] = []
        self.finished.connect(self._run)
        self.call.connect(self._call)

    @Slot(object)
    def _call(self, fn) -> None:
        fn()

    @Slot()
    def _run(self) -> None:
        callbacks, self.callbacks = self.callbacks, []
        for callback in callbacks:
            callback()


_NOTIFIER: Optional[_Notifier] = None


def _notifier() -> Optional[_Notifier]:
    global _NOTIFIER
    app = QCoreApplication.instance()
    if _NOTIFIER is None and app is not None and threading.current_thread() is threading.main_thread():
        _NOTIFIER = _Notifier()
    return _NOTIFIER


def when_loaded(callback: Callable[[], None]) -> None:
    """Call `callback()` on the GUI thread once the import is over (at once if it is): check `error()` there."""
    notifier = _notifier()
    if _done.is_set() or notifier is None:
        callback()
        return
    notifier.callbacks.append(callback)
    if _done.is_set():  # it ended between the check and the append: the emitted signal may have run already
        notifier._run()


def device_choices() -> list[tuple[str, str]]:
    """(config value, label) of the devices the form offers: this computer's once torch is loaded, the CPU before
    (asking torch for CUDA on the GUI thread would wait for the whole import)."""
    if is_loaded():
        return list(_devices) or _available()
    return [("cpu", _("CPU"))]


def _available() -> list[tuple[str, str]]:
    from ..train import devices

    return devices.available()


def check_device(name: str) -> None:
    """ConfigError if `name` is not a device of this computer; nothing before torch is loaded (the run's own build
    checks it then, and says so)."""
    if is_loaded():
        from ..train import devices

        devices.resolve(name)


def follow(window) -> None:
    """While torch loads: a run started in `window` (Train pressed early) waits for it, and the window says so (the
    message bar the sentence, the status bar a short note beside the run's fields); once loaded, the device menu
    offers this computer's devices; if loading failed, the message bar says why."""
    from html import escape

    said: dict = {}

    def on_state(state: str) -> None:
        if state in ("running", "paused") and not _done.is_set() and not said:
            said["sentence"] = _("Training starts as soon as PyTorch has loaded: it loads in the background for a few "
                                 "seconds after rnnlab starts.")
            said["note"] = _("Loading PyTorch…")
            window.message_bar.show_message(said["sentence"], "info")
            window.statusBar().showMessage(said["note"])

    def on_loaded() -> None:
        try:
            window.session.state_changed.disconnect(on_state)
        except (RuntimeError, TypeError):  # the window is gone
            return
        if said and window.statusBar().currentMessage() == said["note"]:
            window.statusBar().clearMessage()
        if said and window.message_bar.text.text() == escape(said["sentence"]):
            window.message_bar.clear()
        if _error is not None:
            window.message_bar.show_message(_("rnnlab could not load PyTorch: {value}").format(value=_error), "error")
            return
        _refresh_devices(window)

    if _done.is_set():
        on_loaded()
        return
    window.session.state_changed.connect(on_state)
    on_state(window.session.state)
    when_loaded(on_loaded)
    _quick_preview(window)


def _quick_preview(window) -> None:
    """The form's data preview before torch: read on a thread of its own (the helper thread's first job waits for
    torch), shown unless the prepared model's preview came first or the form moved on to another task."""
    from .. import tasks

    cfg = window.config()
    task = tasks.get(cfg.task.name)
    notifier = _notifier()
    if notifier is None or task.quick_preview.__func__ is tasks.Task.quick_preview.__func__:
        return

    def show(preview: dict) -> None:
        try:
            if window.session.info is None and window.config().task == cfg.task:  # no prepared model shown yet
                window.show_preview(preview)
        except RuntimeError:  # the window is gone
            pass

    def read() -> None:
        try:
            preview = task.quick_preview(cfg.task.options)
        except Exception:  # a file that cannot be read: the form says so already, and the prepared model will too
            return
        if preview is not None:
            notifier.call.emit(lambda: show(preview))

    threading.Thread(target=read, name="rnnlab-quick-preview", daemon=True).start()


def _refresh_devices(window) -> None:
    """The form's device menu, filled before torch could say which devices there are: this computer's now."""
    from PySide6.QtWidgets import QComboBox

    combo = window.findChild(QComboBox, "training.device")
    if combo is None:
        return
    for value, label in device_choices():
        index = combo.findData(value)
        if index >= 0:
            combo.setItemText(index, label)  # also a value set from a file before: "(not available here)" no more
        else:
            combo.addItem(label, value)
