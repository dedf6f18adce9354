"""`rnnlab --selftest`: prove that this copy of rnnlab works, from source or frozen, and say what was checked.

The checks, in order (each prints one line; a failure does not stop the others, so one run shows everything wrong)::

    resources   the bundled data sets are where resources_dir() says
    tasks       every task module is registered (a frozen app finds them through its archive)
    engine      the default experiment trains a few dozen steps headless; the probe's gates lie in their
                nonlinearity's range and its replay matches the fused torch kernel
    run files   the run is saved to a temporary folder and reopened: same config, weights, curves, probe, val loss
    window      the real MainWindow opens (offscreen where there is no display), trains the same experiment through
                its public API, draws, saves the run and a second window reopens it
    offline     nothing above tried to reach the network (a Python audit hook watches sockets and DNS)

Exit status 0 when every check passed, 1 otherwise (the first line starting with FAIL says why).
Set RNNLAB_SELFTEST_SCREENSHOT=shot.png to keep a picture of the trained window (CI keeps it as an artifact).
Nothing is left behind: the runs go to a temporary folder, and the window's settings (recent runs, layout) are put
back as they were.
"""

from __future__ import annotations

import math
import os
import platform
import socket
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Optional, TextIO

from . import __version__
from .i18n import N_, _, ngettext

STEPS = 40  # optimizer steps per training check: enough for a few probes and validations, ~1 s on a laptop CPU
PROBE_EVERY = 10
TRAIN_TIMEOUT_S = 300  # the window's run; generous for a slow CI machine, far above the ~2 s it takes
REPLAY_TOLERANCE = 1e-4  # probe replay vs the fused kernel (float32; the engine tests hold it to 1e-5 on small nets)


class CheckFailed(Exception):
    """A check did not pass; str() is the reason shown to the user."""


class _Skip(Exception):
    """A check that cannot run in this build (said so, and not counted as passed)."""


class _Context:
    """What the checks share: the experiment, the engine's trainer, a temporary folder, network attempts."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.config = None
        self.trainer = None
        self.network: list[str] = []


# --- the checks ----------------------------------------------------------------------------------------------------

def _check_resources(ctx: _Context) -> str:
    from .resources import resources_dir

    root = resources_dir()
    datasets = root / "datasets"
    if not datasets.is_dir():
        raise CheckFailed(_("the data sets folder {datasets} is missing (a broken install, or RNNLAB_RESOURCES "
                            "points somewhere else); reinstall rnnlab").format(datasets=datasets))
    files = [p for p in datasets.rglob("*") if p.is_file()]
    empty = [p.name for p in files if p.stat().st_size == 0]
    if not files or empty:
        raise CheckFailed(_("the data sets in {datasets} are damaged: ").format(datasets=datasets)
                          + (_("empty files {names}").format(names=', '.join(empty)) if empty else _("no files")))
    size = sum(p.stat().st_size for p in files)
    return _("{count} files ({value:.1f} MB) in {root}").format(count=len(files), value=size / 1e6, root=root)


def _check_tasks(ctx: _Context) -> str:
    from . import tasks

    names = tasks.names()
    if "forecast" not in names:
        raise CheckFailed(_("the default task 'forecast' is not registered (found: {value})").format(value=', '.join(names) or 'none'))
    return ngettext("{count} registered: {names}", "{count} registered: {names}", len(names)).format(
        count=len(names), names=", ".join(names))


def _default_config():
    """The first-start experiment (the window's default) with a short run that probes and validates often."""
    from . import config as config_mod

    return config_mod.experiment(changes=[("training.steps", STEPS), ("training.epochs", 0),
                                          ("training.device", "cpu"), ("training.probe_every", PROBE_EVERY),
                                          ("training.eval_every", PROBE_EVERY)])


def _check_probe(probe, step: int) -> str:
    import numpy as np

    from .models.probe import GATE_RANGE

    if probe is None:
        raise CheckFailed(_("the run has no gate probe"))
    if probe.step != step:
        raise CheckFailed(_("the last probe is from step {step}, not the last step {step2}").format(step=probe.step, step2=step))
    for key, values in probe.gates.items():
        lo, hi = GATE_RANGE[key[-1]]
        if not np.isfinite(values).all():
            raise CheckFailed(_("gate {key} holds NaN or infinite values").format(key=key))
        if key[-1] != "pre" and (values.min() < lo - 1e-6 or values.max() > hi + 1e-6):
            raise CheckFailed(_("gate {key} leaves its range [{lo}, {hi}]: {count:.3g} .. {count2:.3g}").format(key=key, lo=lo, hi=hi, count=values.min(), count2=values.max()))
    for key, values in probe.grad_norms.items():
        if not np.isfinite(values).all():
            raise CheckFailed(_("||dL/dh_t|| of {key} holds NaN or infinite values").format(key=key))
    return _("{kind} gates {names} in range").format(kind=probe.kind, names=''.join(probe.gate_names))


def _check_engine(ctx: _Context) -> str:
    import torch

    from .models import probe as probe_mod
    from .train.trainer import Trainer

    ctx.config = cfg = _default_config()
    t0 = time.perf_counter()
    trainer = Trainer(cfg)
    losses, probes = [], 0
    for snap in trainer.run():
        probes += snap.probe is not None
        if snap.step > 0 and snap.status == "running":
            losses.append(snap.train_loss)
    seconds = time.perf_counter() - t0
    if trainer.status != "finished" or trainer.step != STEPS:
        raise CheckFailed(_("training ended '{status}' at step {step} of {STEPS}: {message}").format(status=trainer.status, step=trainer.step, STEPS=STEPS, message=trainer.message))
    if not losses or not all(math.isfinite(v) for v in losses):
        raise CheckFailed(_("the training loss is not finite: {value}...").format(value=losses[:5]))
    probe_text = _check_probe(trainer.last_probe, STEPS)

    # The probe unrolls the recurrence by hand; on the same weights it must give the fused kernel's outputs.
    model, batch = trainer.model.eval(), trainer.task.probe_batch()
    with torch.no_grad():
        x = model.rnn_input(batch.x)
        fused, _unused = model.run_rnn(x, batch.lengths)
        replay = probe_mod.trace(model.rnn, x, lengths=batch.lengths).output
    diff = (fused - replay).abs().max().item()
    if not diff <= REPLAY_TOLERANCE:
        raise CheckFailed(_("the probe's replay differs from the fused {type} by {diff:.3g} (tolerance "
                            "{REPLAY_TOLERANCE:g}): this torch build computes differently").format(type=type(model.rnn).__name__, diff=diff, REPLAY_TOLERANCE=REPLAY_TOLERANCE))
    ctx.trainer = trainer
    return (_("{cell} on {name}: {STEPS} steps in {seconds:.1f} s, loss {value:.4g} -> {value2:.4g}, {probes} "
              "probes; {probe_text}; the replay matches the fused kernel to {diff:.1e}").format(cell=cfg.model.cell, name=cfg.task.name, STEPS=STEPS, seconds=seconds, value=losses[0], value2=losses[-1], probes=probes, probe_text=probe_text, diff=diff))


def _same_weights(a, b) -> Optional[str]:
    """None if two state dicts are equal, else the first key that differs."""
    import torch

    if a.keys() != b.keys():
        return _("different parameters: {sorted}").format(sorted=sorted(set(a) ^ set(b)))
    for key in a:
        if not torch.equal(a[key].detach().cpu(), b[key].detach().cpu()):
            return key
    return None


def _check_run_files(ctx: _Context) -> str:
    from .runs.store import open_run, restore_trainer, save_run

    if ctx.trainer is None:
        raise _Skip(_("needs the engine check's run"))
    trainer = ctx.trainer
    path = save_run(trainer, ctx.tmp / "engine-run")
    restored = restore_trainer(open_run(path))
    if restored.cfg != trainer.cfg:
        raise CheckFailed(_("the reopened run's config differs from the saved one ({value})").format(value=path / 'config.toml'))
    differs = _same_weights(trainer.model.state_dict(), restored.model.state_dict())
    if differs:
        raise CheckFailed(_("the reopened weights differ from the saved ones at {differs}").format(differs=differs))
    if len(restored.history) != len(trainer.history):
        raise CheckFailed(_("the reopened run has {count} metric rows, the saved one {count2}").format(count=len(restored.history), count2=len(trainer.history)))
    _check_probe(restored.last_probe, STEPS)
    val = trainer.final["val"]["loss"]
    again = restored.task.evaluate(restored.model.eval(), "val")["loss"]
    if not math.isclose(val, again, rel_tol=1e-5, abs_tol=1e-7):
        raise CheckFailed(_("the reopened model's validation loss is {again:.6g}, the saved run's {val:.6g}").format(again=again, val=val))
    names = sorted(p.name for p in path.iterdir())
    return _("saved and reopened ({names}): same config, weights, {count} rows, probe, val loss {again:.4g}").format(names=', '.join(names), count=len(restored.history), again=again)


def _ensure_display() -> None:
    """Without a display (CI, ssh), draw offscreen: the window and its plots still render, into memory."""
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


@contextmanager
def _settings_kept(settings_factory):
    """Put the app's QSettings (recent runs, window layout) back as they were: a self-test leaves no trace."""
    settings = settings_factory()
    kept = {key: settings.value(key) for key in settings.allKeys()}
    try:
        yield
    finally:
        settings = settings_factory()
        settings.clear()
        for key, value in kept.items():
            settings.setValue(key, value)
        settings.sync()


def _check_window(ctx: _Context) -> str:
    if ctx.config is None:
        raise _Skip(_("needs the engine check's experiment"))
    _ensure_display()
    if sys.platform == "win32":
        import torch  # noqa: F401  (before Qt on Windows: see packaging/rnnlab_main.py)
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QEventLoop, QTimer, qInstallMessageHandler, qVersion

    def quiet(mode, context, message):  # the offscreen platform's harmless complaint about window size hints
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    previous_handler = qInstallMessageHandler(quiet)

    from .app import theme
    from .app.application import application

    app = application([sys.argv[0] if sys.argv else "rnnlab"])
    from .app.main_window import MainWindow, settings

    theme.apply(app)
    cfg = ctx.config
    windows = []

    def wait_for(signal, start: Callable[[], object], timeout_s: float) -> list:
        """Run `start()` and the event loop until `signal` fires (its arguments) or the timeout ([])."""
        got: list = []
        loop = QEventLoop()

        def fired(*args):
            got.extend(args or [None])
            loop.quit()

        signal.connect(fired)
        timer = QTimer(singleShot=True, interval=int(timeout_s * 1000))
        timer.timeout.connect(loop.quit)
        try:
            if start() is False:
                return ["refused"]
            timer.start()
            if not got:
                loop.exec()
        finally:
            timer.stop()
            signal.disconnect(fired)
        return got

    with _settings_kept(settings):
        try:
            window = MainWindow(config=cfg)
            window.ask_before_discarding(False)  # it closes the window itself, with or without a saved run
            windows.append(window)
            window.resize(1280, 800)
            window.show()
            if not window.wait_ready(60):
                raise CheckFailed(_("the window did not finish loading the experiment within 60 s"))
            if not window.isVisible():
                raise CheckFailed(_("the main window did not become visible"))
            if window.config() != cfg:
                raise CheckFailed(_("the window's form does not hold the experiment it was given"))
            draws = []
            window.plots_updated.connect(lambda: draws.append(1))
            t0 = time.perf_counter()
            status = wait_for(window.training_finished, window.start_training, TRAIN_TIMEOUT_S)
            seconds = time.perf_counter() - t0
            if status == ["refused"]:
                raise CheckFailed(_("the window refused to train: {currentMessage}").format(currentMessage=window.statusBar().currentMessage()))
            if not status:
                window.stop()
                raise CheckFailed(_("training in the window did not finish within {TRAIN_TIMEOUT_S} s").format(TRAIN_TIMEOUT_S=TRAIN_TIMEOUT_S))
            trainer = window.trainer
            if status[0] != "finished" or trainer is None or trainer.step != STEPS:
                raise CheckFailed(_("training in the window ended '{value}' at step {getattr} of {STEPS}: "
                                    "{getattr2}").format(value=status[0], getattr=getattr(trainer, 'step', '?'), STEPS=STEPS, getattr2=getattr(trainer, 'message', '')))
            if window.is_training():
                raise CheckFailed(_("the window still reports training after training_finished"))
            _check_probe(trainer.last_probe, STEPS)
            window.wait_ready(30)
            app.processEvents()
            if not draws:
                raise CheckFailed(_("the plots never redrew while training"))
            shot = os.environ.get("RNNLAB_SELFTEST_SCREENSHOT")
            if shot:
                window.grab().save(shot)

            saved = window.save_run(ctx.tmp / "window-run")
            second = MainWindow()
            second.ask_before_discarding(False)  # it closes the window itself, with or without a saved run
            windows.append(second)
            second.show()
            second.open_run(saved)
            second.wait_ready(60)
            reopened = second.trainer
            if reopened is None or reopened.step != STEPS or second.config() != cfg:
                raise CheckFailed(_("reopening {saved} in a new window gave {value} {value2}").format(saved=saved, value='no run' if reopened is None else f'step {reopened.step}', value2='' if second.config() == cfg else 'and another config'))
            differs = _same_weights(trainer.model.state_dict(), reopened.model.state_dict())
            if differs:
                raise CheckFailed(_("the reopened window's weights differ at {differs}").format(differs=differs))
            _check_probe(reopened.last_probe, STEPS)
            platform_name = app.platformName()
        finally:
            for w in reversed(windows):
                w.close()
                w.deleteLater()
            app.processEvents()
            qInstallMessageHandler(previous_handler)
    return (_("MainWindow on Qt {qVersion} (PySide6 {pyside_version}, platform '{platform_name}') trained {STEPS} "
              "steps in {seconds:.1f} s ({count} redraws), probe in range; save_run and open_run in a second "
              "window: same config, weights and probe").format(qVersion=qVersion(), pyside_version=pyside_version, platform_name=platform_name, STEPS=STEPS, seconds=seconds, count=len(draws)))


def _check_offline(ctx: _Context) -> str:
    if ctx.network:
        raise CheckFailed(_("rnnlab tried to reach the network: ") + "; ".join(ctx.network[:5]))
    return _("no socket connection or DNS look-up was attempted")


CHECKS: list[tuple[str, Callable[[_Context], str]]] = [
    ("resources", _check_resources),
    ("tasks", _check_tasks),
    ("engine", _check_engine),
    (N_("run files"), _check_run_files),
    ("window", _check_window),
    ("offline", _check_offline),
]


# --- running them --------------------------------------------------------------------------------------------------

def _watch_network(ctx: _Context) -> None:
    """Record every internet socket connection and name look-up from Python code (PEP 578 audit events)."""
    inet = {socket.AF_INET, getattr(socket, "AF_INET6", socket.AF_INET)}

    def hook(event: str, args) -> None:
        if event == "socket.connect" and getattr(args[0], "family", None) in inet:
            ctx.network.append(_("connect to {value!r}").format(value=args[1]))
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                       "socket.gethostbyaddr"):
            ctx.network.append(f"{event.split('.')[1]}({args[0]!r})")
        elif event == "urllib.Request":
            ctx.network.append(_("urllib request {value!r}").format(value=args[0]))

    sys.addaudithook(hook)


def _environment() -> str:
    frozen = _("frozen app") if getattr(sys, "frozen", False) else _("from source")
    try:
        import torch

        torch_text = f"torch {torch.__version__}"
    except Exception as exc:  # the engine check reports it properly
        torch_text = _("torch not importable ({exc})").format(exc=exc)
    return (_("rnnlab {version} ({frozen}), Python {python_version}, {torch_text}, {system} {machine}").format(version=__version__, frozen=frozen, python_version=platform.python_version(), torch_text=torch_text, system=platform.system(), machine=platform.machine()))


def run_selftest(out: Optional[TextIO] = None, only: Optional[list[str]] = None) -> int:
    """Run the checks (all, or those named in `only`), print one line each; 0 if all passed, else 1."""
    out = out or sys.stdout
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="rnnlab-selftest-"))
    ctx = _Context(tmp)
    _watch_network(ctx)
    print(_("rnnlab self-test: {environment}").format(environment=_environment()), file=out, flush=True)
    failed, passed, skipped = [], 0, 0
    try:
        for name, check in CHECKS:
            if only is not None and name not in only:
                continue
            t0 = time.perf_counter()
            try:
                detail = check(ctx)
            except _Skip as skip:
                skipped += 1
                print(_("  skip  {name}: {skip}").format(name=name, skip=skip), file=out, flush=True)
                continue
            except CheckFailed as exc:
                failed.append((name, str(exc)))
            except Exception as exc:  # an unexpected error is a failure too, with the traceback for a bug report
                if sys.stderr is not None:  # None in a windowed Windows app
                    traceback.print_exc(file=sys.stderr)
                failed.append((name, f"{type(exc).__name__}: {exc}"))
            else:
                passed += 1
                print(_("  ok    {name}: {detail} [{value:.1f} s]").format(name=name, detail=detail, value=time.perf_counter() - t0), file=out, flush=True)
                continue
            print(_("  FAIL  {name}: {value}").format(name=name, value=failed[-1][1]), file=out, flush=True)
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - started
    if failed:
        print(_("rnnlab self-test FAILED ({count} of {value} checks): ").format(count=len(failed), value=len(failed) + passed)
              + "; ".join(f"{n}: {why}" for n, why in failed), file=out, flush=True)
        return 1
    print(_("rnnlab self-test passed: {passed} checks").format(passed=passed) + (_(", {skipped} skipped").format(skipped=skipped) if skipped else "")
          + _(" in {seconds:.1f} s").format(seconds=seconds), file=out, flush=True)
    return 0
