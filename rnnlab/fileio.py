"""Reading user files safely and writing files atomically.

Reading: a path the user typed may name a FIFO (blocks for ever), /dev/zero (never ends), a folder, a 20 GB file or
contain a NUL byte. `read_user_file` refuses all of these with one clear message before reading, and never reads more
than its cap. Writing: a crash mid-save leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import DataError, shown_path
from .i18n import N_, _, ngettext, strerror


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 10e6 else f"{n / 1e6:.1f} MB"


def check_user_file(path: str | os.PathLike, max_bytes: int, what: str = "a file") -> Path:
    """The path as a Path if it names a regular file of at most `max_bytes`; DataError naming the file otherwise."""
    name = os.fspath(path)
    if "\x00" in name:
        raise DataError(_("{value!r} cannot be a file name (it contains a NUL byte); choose {what}.").format(value=name[:60], what=what))
    if not name.strip():
        raise DataError(_("no file given; choose {what}.").format(what=what))
    file = Path(name).expanduser()
    try:
        st = file.stat()
    except OSError as exc:
        raise DataError(_("cannot read {file}: {value}. Check the path and that the file exists.").format(file=shown_path(file), value=strerror(exc))) \
            from None
    except ValueError as exc:  # e.g. a path too long for the platform
        raise DataError(_("cannot read {value!r}: {exc}.").format(value=name[:80], exc=exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError(_("{file} is a folder; choose {what}.").format(file=shown_path(file), what=what))
    if not stat.S_ISREG(st.st_mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise DataError(_("{file} is {kind}, not a file on disk; choose {what}.").format(file=shown_path(file), kind=kind, what=what))
    if st.st_size > max_bytes:
        raise DataError(_("{file} is {mb}; rnnlab reads {what} of up to {mb2}. Use a smaller file or an excerpt.").format(file=shown_path(file), mb=_mb(st.st_size), what=what, mb2=_mb(max_bytes)))
    return file


def read_user_file(path: str | os.PathLike, max_bytes: int, what: str = "a file") -> bytes:
    """The bytes of a regular file of at most `max_bytes` (see `check_user_file`); DataError otherwise.

    Opened without blocking and read up to the cap, so a file swapped for a FIFO or growing meanwhile cannot hang
    or exhaust memory."""
    file = check_user_file(path, max_bytes, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(file, flags)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise DataError(_("{file} is not a file on disk; choose {what}.").format(file=shown_path(file), what=what))
            # Read what the file says it holds (read(n) would reserve n bytes at once), then on up to the cap.
            data = bytearray(fh.read(min(st.st_size, max_bytes) + 1) or b"")
            while len(data) <= max_bytes:
                chunk = fh.read(min(1 << 20, max_bytes + 1 - len(data)))
                if not chunk:
                    break
                data += chunk
    except OSError as exc:
        raise DataError(_("cannot read {file}: {value}. Check the file's permissions.").format(file=shown_path(file), value=strerror(exc))) from None
    if len(data) > max_bytes:
        raise DataError(_("{file} is larger than {mb}; rnnlab reads {what} of up to that size.").format(file=shown_path(file), mb=_mb(max_bytes), what=what))
    return bytes(data)


def _read_umask() -> int:
    """The process's umask, read once. Linux says it in /proc/self/status; elsewhere it can only be read by setting
    it (`os.umask` returns the old one), which is process-wide: done here, once at import, before any helper thread
    could be creating a folder with the wrong mask, never again per file."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


def ordinary_mode(folder: bool = False) -> int:
    """The mode of a file (0666) or folder (0777) the user makes, less the umask: for what mkstemp or mkdtemp made
    private and that ends up as an ordinary file or folder (a saved run, an exported script)."""
    return (0o777 if folder else 0o666) & ~UMASK


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, ordinary_mode())  # mkstemp makes it private; the file is an ordinary file like any other
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
