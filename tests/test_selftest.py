"""`rnnlab --selftest` from source: it passes on a working install, fails with the reason on a broken one, and leaves
nothing behind (the user's settings, temporary runs)."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnnlab import selftest

ROOT = Path(__file__).resolve().parent.parent


def _trim_rules():
    spec = importlib.util.spec_from_file_location("_packaging_trim", ROOT / "packaging" / "trim.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(OMP_NUM_THREADS="1", XDG_CONFIG_HOME=str(tmp_path / "config"), TMPDIR=str(tmp_path / "tmp"), **extra)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


@pytest.mark.gui
@pytest.mark.slow
def test_selftest_passes_from_source_and_leaves_no_trace(tmp_path):
    """The real command in a fresh process, with no display (it must pick the offscreen platform itself)."""
    conf = tmp_path / "config" / "rnnlab" / "rnnlab.conf"  # where QSettings("rnnlab", "rnnlab") lives on Linux
    conf.parent.mkdir(parents=True)
    conf.write_text("[General]\nrecent_runs=/home/someone/runs/earlier\n", encoding="utf-8")
    modules = tmp_path / "modules.json"
    shot = tmp_path / "window.png"
    code = textwrap.dedent(f"""
        import json, sys
        from rnnlab.cli import main
        code = main(["--selftest"])
        json.dump(sorted(sys.modules), open({str(modules)!r}, "w"))
        sys.exit(code)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env=_env(tmp_path, RNNLAB_SELFTEST_SCREENSHOT=str(shot)))
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    for check in ("resources", "tasks", "engine", "run files", "window", "offline"):
        assert f"  ok    {check}: " in out, check
    assert "platform 'offscreen'" in out
    assert "rnnlab self-test passed: 6 checks" in out

    # nothing left behind: the runs' temporary folder is gone and the user's settings are as they were
    # (torch itself makes an empty torchinductor_<user> cache folder when the optimizer loads torch._dynamo)
    assert [p.name for p in (tmp_path / "tmp").iterdir() if "rnnlab" in p.name] == []
    if sys.platform.startswith("linux"):
        assert "recent_runs=/home/someone/runs/earlier" in conf.read_text(encoding="utf-8")
        assert "selftest" not in conf.read_text(encoding="utf-8")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") >= 640

    # The frozen app leaves these modules out; the self-test walks the paths users take, so none may be imported.
    imported = set(json.loads(modules.read_text()))
    rules = _trim_rules()
    # (ssl and _hashlib are imported, inside a try that carries on without them: tests/test_packaging.py)
    excluded = [e for e in rules.EXCLUDED_MODULES if e not in rules.OPTIONAL_IMPORTS]
    hit = sorted(m for m in imported if any(m == e or m.startswith(e + ".") for e in excluded))
    assert not hit, f"modules the frozen app does not contain were imported: {hit}"


def test_broken_install_fails_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_RESOURCES", str(tmp_path / "nowhere"))
    out = io.StringIO()
    assert selftest.run_selftest(out=out, only=["resources"]) == 1
    text = out.getvalue()
    assert "  FAIL  resources: the data sets folder" in text and str(tmp_path / "nowhere") in text
    assert text.rstrip().splitlines()[-1].startswith("rnnlab self-test FAILED (1 of 1 checks): resources:")


def test_damaged_data_set_is_named(tmp_path, monkeypatch):
    (tmp_path / "datasets" / "text").mkdir(parents=True)
    (tmp_path / "datasets" / "text" / "tinyshakespeare.txt").write_bytes(b"")
    monkeypatch.setenv("RNNLAB_RESOURCES", str(tmp_path))
    out = io.StringIO()
    assert selftest.run_selftest(out=out, only=["resources"]) == 1
    assert "empty files tinyshakespeare.txt" in out.getvalue()


def test_resources_and_tasks_pass_on_this_checkout():
    out = io.StringIO()
    assert selftest.run_selftest(out=out, only=["resources", "tasks"]) == 0, out.getvalue()
    assert "forecast" in out.getvalue()


def test_offline_check_catches_a_lookup(tmp_path):
    """The audit hook sees a name look-up from any Python code (run in a child: audit hooks cannot be removed)."""
    code = textwrap.dedent("""
        import socket, sys, tempfile
        from pathlib import Path
        from rnnlab import selftest
        ctx = selftest._Context(Path(tempfile.gettempdir()))
        selftest._watch_network(ctx)
        try:
            socket.getaddrinfo("example.invalid", 80)
        except OSError:
            pass  # no resolver, or no such name: the attempt is what counts
        try:
            selftest._check_offline(ctx)
        except selftest.CheckFailed as exc:
            print(exc)
            sys.exit(0)
        sys.exit(1)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=_env(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rnnlab tried to reach the network: getaddrinfo('example.invalid')" in proc.stdout
