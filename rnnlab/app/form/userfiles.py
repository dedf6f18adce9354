"""The user's own files named in the form (CSV, text, CoNLL-U): checked and read off the GUI thread.

A path typed or chosen in the form is first looked at with `os.stat` (which never blocks on a named pipe): anything
that is not a regular file, or is larger than the cap for its kind, is refused with a one-line message before a
single byte is read (issue 10: a FIFO in `task.csv_path` froze the window for good, `/dev/zero` for 6 s, a 20 MB CSV
for 7 s at every key). What is left, validating the task's options against the file's contents, runs on this module's
own thread; an outcome is remembered for the file's (device, inode, size, mtime), so an unchanged file is not read
again.

    form edit of task.* ──> FileChecker.check(serial, cfg, edits) ──[rnnlab-helper-files]──> validate(cfg, edits)
                                                                                              │ stat, cap, memo
    ExperimentPanel._checked(serial, outcome) <── checked signal (queued, GUI thread) <──────┘
"""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from PySide6.QtCore import QObject, Signal

from ... import config as config_mod
from ...errors import ConfigError
from ...i18n import N_, _, ngettext, strerror

log = logging.getLogger(__name__)

MB = 1_000_000
# Largest file of each kind the window reads. A forecast needs a few hundred to a few thousand values (a 16 MB CSV
# holds over a million rows); a character model of 64 MB of text is far beyond what trains on a laptop CPU.
MAX_BYTES = {"csv_path": 16 * MB, "text_path": 64 * MB, "conllu_path": 64 * MB}
KIND_WORDS = {"csv_path": "CSV", "text_path": "text", "conllu_path": "CoNLL-U"}
MEMO_SIZE = 32


def file_problem(key: str, path_text: str) -> Optional[str]:
    """Why the file named in option `key` ('csv_path') cannot be read, or None if it may be. Never opens the file."""
    name = key.rpartition(".")[2]
    if not path_text:
        return None
    if "\x00" in path_text:
        return _("the path contains a NUL character; type or choose the file again")
    path = os.path.expanduser(path_text)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return _("there is no file at this path; check it, or choose the file with …")
    except OSError as exc:
        return _("cannot look at this file ({value}); choose another one").format(value=strerror(exc))
    if stat.S_ISDIR(st.st_mode):
        return _("this is a folder; choose a file inside it")
    if not stat.S_ISREG(st.st_mode):
        what = _("a named pipe (FIFO)") if stat.S_ISFIFO(st.st_mode) else _("a device or socket")
        return _("this is {what}, not a regular file; choose a file saved on disk").format(what=what)
    cap = MAX_BYTES.get(name, 64 * MB)
    if st.st_size > cap:
        return (_("{basename} is {value:.1f} MB; rnnlab reads {value2} files up to {value3} MB. Use a shorter "
                  "excerpt of it").format(basename=os.path.basename(path), value=st.st_size / MB, value2=KIND_WORDS.get(name, ''), value3=cap // MB))
    return None


def _signature(path_text: str) -> tuple:
    try:
        st = os.stat(os.path.expanduser(path_text))
    except OSError:
        return (path_text, None)
    return (path_text, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _candidate_paths(cfg, changes: dict[str, Any]) -> dict[str, str]:
    """The user files a config would name after `changes` (before validating them)."""
    options = dict(cfg.task.options)
    if "task.name" in changes:
        options = {}
    for key, raw in changes.items():
        if key.startswith("task.") and key != "task.name":
            options[key.partition(".")[2]] = raw
    found = {}
    for name, value in options.items():
        if name.endswith("_path") and isinstance(value, str) and value:
            if name == "csv_path" and options.get("dataset") != "csv":
                continue
            found[f"task.{name}"] = value
    return found


def needs_files(cfg, changes: dict[str, Any]) -> bool:
    """True when validating `changes` on `cfg` would read a user file (so it must not run on the GUI thread)."""
    return bool(_candidate_paths(cfg, changes))


def replace_all(cfg, changes: dict[str, Any]):
    """`cfg` with several dotted keys changed at once, validated once (raises ConfigError)."""
    data = config_mod.to_dict(cfg)
    for key, value in changes.items():
        section, _, name = key.partition(".")
        if section == "task" and name == "name":
            data["task"] = {"name": value, "options": {}}
        elif section == "task":
            data["task"].setdefault("options", {})[name] = value
        else:
            data[section][name] = value
    return config_mod.from_dict(data)


class Outcome:
    """What validating edits gave: the config with every edit that fits, and the messages of the rest."""

    def __init__(self, cfg, errors: dict[str, str]):
        self.cfg = cfg
        self.errors = errors


_memo: "OrderedDict[tuple, tuple]" = OrderedDict()
_memo_lock = threading.Lock()


def _memo_key(cfg, changes: dict[str, Any], files: dict[str, str]) -> Optional[tuple]:
    try:
        return (json.dumps(config_mod.to_dict(cfg), sort_keys=True), json.dumps(changes, sort_keys=True),
                tuple(_signature(p) for p in files.values()))
    except (TypeError, ValueError):
        return None


def apply_changes(cfg, changes: dict[str, Any]):
    """replace_all(cfg, changes) after the file checks, remembered for unchanged files: (cfg, None) or (None, err)."""
    files = _candidate_paths(cfg, changes)
    for file_key, path in files.items():
        problem = file_problem(file_key, path)
        if problem is not None:
            return None, ConfigError(file_key, path, problem)
    key = _memo_key(cfg, changes, files)
    if key is not None:
        with _memo_lock:
            if key in _memo:
                _memo.move_to_end(key)
                return _memo[key]
    try:
        result = (replace_all(cfg, changes), None)
    except ConfigError as exc:
        result = (None, exc)
    except (MemoryError, RecursionError, ValueError, OverflowError, TypeError, OSError) as exc:
        # The importers' own checks come first; whatever slips through is named, not raised at the user.
        field = next(iter(files), next(iter(changes)))
        value = files.get(field, changes.get(field))
        result = (None, ConfigError(field, value, _("cannot be read ({type}: {value})").format(type=type(exc).__name__, value=str(exc)[:120])))
    if key is not None:
        with _memo_lock:
            _memo[key] = result
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return result


def validate(cfg, edits: list[tuple[str, dict[str, Any]]]) -> Outcome:
    """Apply edits in order, each `(field shown, {key: value, ...})`: the first is the one just made, the rest are
    fields still showing an error that may fit now. An edit that does not fit leaves `cfg` as it was."""
    errors: dict[str, str] = {}
    for field, changes in edits:
        new, exc = apply_changes(cfg, changes)
        if exc is None:
            cfg = new
        else:
            errors[field] = str(exc)
    return Outcome(cfg, errors)


class FileChecker(QObject):
    """Runs `validate` on its own thread (not the helper, which may be building a model for seconds)."""

    checked = Signal(int, object)  # serial, Outcome

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rnnlab-helper-files")
        self._latest = 0
        self._closed = False

    def check(self, serial: int, cfg, edits: list[tuple[str, dict[str, Any]]]) -> None:
        """Validate in the background; only the latest serial's job runs when several wait (typing is fast)."""
        if self._closed:
            return
        self._latest = serial

        def job():
            if serial != self._latest:
                return  # a newer edit supersedes this one
            try:
                outcome = validate(cfg, edits)
            except Exception as exc:  # never let a check die silently: the field shows it
                log.exception("file check failed")
                field = edits[0][0]
                outcome = Outcome(cfg, {field: _("{field}: the check failed ({type}: {exc})").format(field=field, type=type(exc).__name__, exc=exc)})
            if not self._closed:
                try:
                    self.checked.emit(serial, outcome)
                except RuntimeError:  # the panel is gone
                    pass

        self._pool.submit(job)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
