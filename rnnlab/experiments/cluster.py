"""The Ray executor: each point is a Ray task (one CPU, or one GPU when its config asks for CUDA) on a cluster.

Ray is an optional extra (`pip install 'rnnlab[cluster]'`) and is imported only here, only when asked for. The run
folder's files come back to the driver as bytes with the task's result, so the cluster needs no shared file system;
every node needs rnnlab itself installed (the same version as the driver). Progress travels through a Ray queue, and
pause / step / stop through a small actor the tasks read four times a second::

    driver --submit--> task(job, queue, board) --PointStarted/PointProgress--> queue --> driver
    driver --post(cmd)--> board <--since(n)-- task's control thread

The address is `--ray ADDRESS` (host:port of a head node, or `ray://host:10001`), `auto` (the cluster this machine
belongs to), `local` (start a private Ray on this machine), or the RNNLAB_RAY environment variable.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Optional

from ..errors import ConfigError
from .events import PointJob, PointOutcome
from ..i18n import N_, _, ngettext

ENV_VAR = "RNNLAB_RAY"
INSTALL = "pip install 'rnnlab[cluster]'"
CONNECT_TIMEOUT_S = 5.0


def import_ray():
    """Ray, or a ConfigError with the install line."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--ray", "(Ray)", _("needs Ray, which is not installed here: {INSTALL}").format(INSTALL=INSTALL)) from None
    return ray


def _check_answers(address: str) -> None:
    """A head node that does not answer fails in seconds, naming the address (Ray alone may wait much longer)."""
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ConfigError("--ray", address, _("must be HOST:PORT of a Ray head node (e.g. 10.0.0.5:6379), "
                          "ray://HOST:10001, 'auto' or 'local'"))
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError("--ray", address, _("does not answer ({reason}): is a Ray head running there (`ray start "
                                              "--head`), and is the port open?").format(reason=reason)) from None


class _ControlBoard:
    """The commands a sweep's driver has posted (pause, resume, step, stop), in order, for tasks to read."""

    def __init__(self):
        self.commands: list[str] = []

    def post(self, cmd: str) -> int:
        self.commands.append(cmd)
        return len(self.commands)

    def since(self, n: int) -> list[str]:
        return self.commands[n:]

    def count(self) -> int:
        return len(self.commands)


def _run_remote(job: PointJob, progress, board, seen: int) -> PointOutcome:
    """The body of one Ray task: train the point, streaming progress to the driver's queue."""
    import ray

    from ..train.trainer import Control
    from .point import run_point

    control = Control(paused=job.paused)
    done = threading.Event()
    apply = {"pause": control.pause, "resume": control.resume, "step": control.step_once, "stop": control.stop}

    def follow():
        n = seen
        while not done.is_set():
            try:
                for cmd in ray.get(board.since.remote(n)):
                    n += 1
                    apply[cmd]()
            except Exception:  # noqa: BLE001 - the driver went away: stop this point
                control.stop()
                return
            done.wait(0.25)

    threading.Thread(target=follow, daemon=True).start()

    def emit(event):
        try:
            progress.put_nowait(event)
        except Exception:  # noqa: BLE001 - a full or lost queue costs progress lines, never the point
            pass

    try:
        return run_point(job, emit, control)
    finally:
        done.set()


class RayExecutor:
    """Runs point jobs as Ray tasks; at most `slots` at a time (default: the cluster's CPUs)."""

    name = "ray"

    def __init__(self, address: str, workers: Optional[int] = None):
        self.address = address
        self.requested = workers
        self.slots = workers or 1
        self._ray = None
        self._owns_ray = False
        self._refs: dict = {}  # ObjectRef -> point id
        self._last_step: dict[str, int] = {}

    @property
    def description(self) -> str:
        if self.address == "local":
            return ngettext("{n} Ray task slot on a private Ray on this machine",
                            "{n} Ray task slots on a private Ray on this machine", self.slots).format(n=self.slots)
        return ngettext("{n} Ray task slot on the Ray cluster at {address}",
                        "{n} Ray task slots on the Ray cluster at {address}", self.slots).format(
            n=self.slots, address=self.address)

    def start(self) -> None:
        """Connect (or start a private Ray for 'local'). Raises ConfigError naming the address when it cannot."""
        if self._ray is not None:
            return
        ray = import_ray()
        self._ray = ray
        if not ray.is_initialized():
            kw = dict(include_dashboard=False, log_to_driver=False, configure_logging=True, logging_level="ERROR")
            if self.address == "local":
                ray.init(address="local", num_cpus=self.requested or os.cpu_count() or 1, **kw)
            else:
                if self.address != "auto":
                    _check_answers(self.address)
                try:
                    ray.init(address=self.address, **kw)
                except (ConnectionError, RuntimeError, ValueError) as exc:
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise ConfigError("--ray", self.address, _("cannot be joined: {first} (a cluster with token "
                                                               "authentication needs RAY_AUTH_MODE=token and "
                                                               "RAY_AUTH_TOKEN_PATH set to a copy of the head's "
                                                               "~/.ray/auth_token)").format(first=first)) from None
            self._owns_ray = True
        if self.requested is None:
            self.slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        from ray.util.queue import Queue

        self._queue = Queue(maxsize=10_000)
        self._board = ray.remote(num_cpus=0)(_ControlBoard).remote()
        self._task = ray.remote(_run_remote)

    def free_slots(self) -> int:
        return self.slots - len(self._refs)

    def running(self) -> list[str]:
        return list(self._refs.values())

    def submit(self, job: PointJob) -> None:
        device = job.config.get("training", {}).get("device", "auto")
        resources = {"num_gpus": 1, "num_cpus": 1} if str(device).startswith("cuda") else {"num_cpus": 1}
        seen = self._ray.get(self._board.count.remote())
        ref = self._task.options(max_retries=0, **resources).remote(job, self._queue, self._board, seen)
        self._refs[ref] = job.point_id
        self._last_step[job.point_id] = 0

    def command(self, cmd: str) -> None:
        if self._refs:
            self._board.post.remote(cmd)

    def poll(self, timeout: float) -> list:
        ray = self._ray
        out = self._progress()
        if not self._refs:
            return out
        ready, _unused = ray.wait(list(self._refs), num_returns=len(self._refs), timeout=timeout)
        out += self._progress()
        for ref in ready:
            point_id = self._refs.pop(ref)
            try:
                out.append(ray.get(ref))
            except Exception as exc:  # noqa: BLE001 - the task's worker died or Ray lost it
                out.append(PointOutcome(point_id, "failed", {"steps": self._last_step.get(point_id, 0)},
                                        error=f"the Ray task failed at step {self._last_step.get(point_id, 0)}: "
                                              f"{_first_line(exc)}"))
        return out

    def _progress(self) -> list:
        try:
            n = self._queue.qsize()
            events = self._queue.get_nowait_batch(n) if n else []
        except Exception:  # noqa: BLE001
            return []
        for e in events:
            step = getattr(e, "step", None)
            if step is not None:
                self._last_step[e.point_id] = step
        return events

    def cancel(self) -> list[str]:
        running = self.running()
        for ref in list(self._refs):
            try:
                self._ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001
                pass
        self._refs.clear()
        return running

    def close(self) -> None:
        if self._ray is None:
            return
        for actor in (getattr(self, "_board", None), getattr(getattr(self, "_queue", None), "actor", None)):
            if actor is not None:
                try:
                    self._ray.kill(actor)
                except Exception:  # noqa: BLE001
                    pass
        if self._owns_ray:
            self._ray.shutdown()
        self._ray = None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("Traceback", "File ", "ray::")):
            return f"{name}: {line}"
    return name


def address_from(flag: Optional[str]) -> Optional[str]:
    """The Ray address asked for: the --ray flag, else the RNNLAB_RAY environment variable, else None (local)."""
    if flag:
        return flag
    env = os.environ.get(ENV_VAR, "").strip()
    return env or None
