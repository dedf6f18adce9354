"""Stop, abandon, pause, resume and single-step requests to a training run from another thread, and what the
training thread does while paused. No torch: the window makes a Control when Train is pressed, which may come before
torch has loaded (issue 24)."""

from __future__ import annotations

import threading
from typing import Optional, Protocol


class PauseHooks(Protocol):
    """What the training thread does while a run is paused (the GUI's worker: show the paused state, let others use
    the model, serve their requests). Called on the training thread, between two steps.

    Contract (the worker releases the model's lock in `pausing` and takes it back in `resuming`): `resuming` runs
    if and only if `pausing` returned, whatever ends the wait (resume, a single step, stop, abandon, or `woken`
    raising). `pausing` must not raise after giving anything up."""

    def pausing(self) -> None: ...  # the run has just stopped at a step boundary

    def woken(self) -> None: ...  # Control.wake() was called: serve what is waiting

    def resuming(self) -> None: ...  # the wait is over


class Control:
    """Stop / abandon / pause / resume / single-step requests from another thread. Checked once per optimizer step.

    Stop ends the run with its final evaluation; abandon ends it at once, without one (closing the window)."""

    def __init__(self, paused: bool = False, hooks: Optional[PauseHooks] = None):
        self._cond = threading.Condition()
        self._stop = False
        self._abandoned = False
        self._paused = paused
        self._tokens = 0  # single steps granted while paused
        self._woken = False
        self.hooks = hooks

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def abandon(self) -> None:
        with self._cond:
            self._abandoned = True
            self._stop = True
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._tokens = 0  # single steps not yet taken must not run on after a later pause
            self._cond.notify_all()

    def step_once(self) -> None:
        """Pause (if running) and let exactly one more optimizer step run."""
        with self._cond:
            self._paused = True
            self._tokens += 1
            self._cond.notify_all()

    def wake(self) -> None:
        """While paused: have the hooks' `woken` run on the training thread (the run stays paused)."""
        with self._cond:
            self._woken = True
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        return self._stop

    @property
    def abandoned(self) -> bool:
        return self._abandoned

    @property
    def paused(self) -> bool:
        return self._paused

    def _go(self) -> Optional[bool]:
        """Under the lock: True = take a step, False = stop, None = stay paused."""
        if self._stop:
            return False
        if not self._paused:
            return True
        if self._tokens:
            self._tokens -= 1
            return True
        return None

    def wait_for_step(self) -> bool:
        """Block while paused (unless a single step was granted), running the hooks. False means: stop now."""
        with self._cond:
            go = self._go()
        if go is not None:
            return go
        hooks = self.hooks
        if hooks is not None:
            hooks.pausing()
        try:
            while True:
                with self._cond:
                    while self._paused and not self._stop and not self._tokens and not self._woken:
                        self._cond.wait()
                    woken, self._woken = self._woken, False
                    go = self._go()
                if go is not None:
                    return go
                if woken and hooks is not None:
                    hooks.woken()
        finally:
            if hooks is not None:
                hooks.resuming()
