"""Which devices torch can really train on here, and turning a config's `device` into a torch.device."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..i18n import N_, _, ngettext

if TYPE_CHECKING:  # imported where it is used: the window reads this module before torch has loaded
    import torch


def available() -> list[tuple[str, str]]:
    """(config value, label) for every usable device, CPU first: ("cuda:0", "CUDA 0: NVIDIA H100 80GB HBM3")."""
    import torch

    threads = torch.get_num_threads()
    result = [("cpu", ngettext("CPU ({n} thread)", "CPU ({n} threads)", threads).format(n=threads))]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            result.append((f"cuda:{i}", f"CUDA {i}: {torch.cuda.get_device_name(i)}"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        result.append(("mps", "Apple GPU (MPS)"))
    return result


def cpu_threads(requested: int) -> int:
    """Threads for torch on the CPU. 0 = automatic: one core left for the window and the OS, at most 4.

    Small recurrent nets gain little from more threads, and threads that wait for a busy core make every step slower
    (measured on a shared 2-core machine: one char-model step took 0.41 s with 2 threads, 0.063 s with 1)."""
    if requested > 0:
        return requested
    cores = os.cpu_count() or 1
    return max(1, min(4, cores - 1))


def resolve(name: str) -> torch.device:
    """'auto' picks CUDA, then MPS, then the CPU. Asking for a device that is not here is a ConfigError."""
    import torch

    ids = [d for d, _unused in available()]
    if name == "auto":
        for candidate in ("cuda:0", "mps"):
            if candidate in ids:
                return torch.device(candidate)
        return torch.device("cpu")
    wanted = "cuda:0" if name == "cuda" else name
    if wanted not in ids:
        raise ConfigError("training.device", name, _("must be one of the devices present here: ")
                          + ", ".join(repr(d) for d in ["auto", *ids]))
    return torch.device(wanted)
