"""The installer recipes: what the frozen app leaves out, what it must keep, the .deb's files, and no network code.

Fast checks on the recipes themselves; building the bundle (minutes) is packaging/build_linux.sh's job, which also runs
the frozen app's self-test.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_packaging_{name}", PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(PACKAGING))  # check_bundle imports trim
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(PACKAGING))
    return module


trim = _load("trim")
check_bundle = _load("check_bundle")
icu_data = _load("icu_data")


# --- what the bundle leaves out ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dest", [
    "torch/test/Dict_test",
    "torch/bin/test_api",
    "torch/bin/FileStoreTest",
    "torch/bin/protoc-3.13.0.0",
    "torch/include/ATen/ATen.h",
    "torch/share/cmake/Torch/TorchConfig.cmake",
    "torch/lib/libtorchbind_test.so",
    "torch/lib/libjitbackend_test.so",
    "torch/lib/libbackend_with_compiler.so",
    "torch/lib/libtorch_cuda.so",
    "torch/lib/libcudnn.so.9",
    "nvidia/cublas/lib/libcublas.so.12",
    "torch/lib/libshm/libshm.h",
    "torch/lib/dnnl.lib",
    "libtorch_static.a",
    "PySide6/Qt/translations/qt_de.qm",
    "PySide6/Qt/qml/QtQuick/Controls/qmldir",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/imageformats/libqpdf.so",
    "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
    "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "libQt6Network.so.6",  # PyInstaller's top-level link to it
    "PySide6\\Qt6Network.dll",  # Windows separators
    "PySide6/opengl32sw.dll",
    # the Windows wheel's layout and macOS frameworks
    "PySide6/translations/qtbase_de.qm",
    "PySide6/plugins/sqldrivers/qsqlite.dll",
    "PySide6/plugins/tls/qschannelbackend.dll",
    "PySide6/Qt6Qml.dll",
    "PySide6/qml/QtQuick/Controls/qmldir",
    "PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick",
    "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork",
    # never opened by a traced session (issue 24): OpenSSL, SQLite, readline, PyYAML's C part, raster image plugins
    "libssl.so.3", "libcrypto.so.3", "libsqlite3.so.0", "libreadline.so.8",
    "python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
    "python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so",
    "python3.11/lib-dynload/_sqlite3.cpython-311-x86_64-linux-gnu.so",
    "yaml/_yaml.cpython-311-x86_64-linux-gnu.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so", "PySide6/Qt/plugins/imageformats/libqtiff.so",
    "PySide6/Qt/plugins/imageformats/libqwebp.so", "PySide6/plugins/imageformats/qjpeg.dll",
    "pyqtgraph/icons/peegee/peegee_512px@2x.png",
    "libssl-3-x64.dll", "libcrypto-3-x64.dll", "_ssl.pyd", "_hashlib.pyd", "sqlite3.dll",  # Windows
])
def test_junk_is_dropped(dest):
    assert trim.dropped(dest), dest


@pytest.mark.parametrize("dest", [
    "torch/lib/libtorch_cpu.so",
    "torch/lib/libc10.so",
    "torch/lib/libgomp.so.1",
    "torch/lib/libtorch_python.so",
    "torch/bin/torch_shm_manager",  # `import torch` refuses to start without it on Linux
    "torch/_C.cpython-311-x86_64-linux-gnu.so",
    "torch/_inductor/codecache.py",
    "torch/_inductor/runtime/triton_heuristics.py",  # torch source that merely mentions triton stays
    "resources/datasets/timeseries/airline_passengers.csv",
    "resources/icons/rnnlab.svg",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/imageformats/libqico.so",
    "python3.11/lib-dynload/_sha256.cpython-311-x86_64-linux-gnu.so",  # hashlib's own sha256, without OpenSSL
    "python3.11/lib-dynload/_md5.cpython-311-x86_64-linux-gnu.so",  # multiprocessing's handshake (hmac-md5)
    "pyqtgraph/icons/auto.png",  # the plots' auto-range button
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/QtWidgets.abi3.so",
    "libQt6Core.so.6",
    "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
    "PySide6/Qt/lib/libQt6OpenGL.so.6",  # pyqtgraph 0.14 imports QtOpenGL for every curve
    "PySide6/QtOpenGLWidgets.abi3.so",
    # the Windows wheel's layout and macOS frameworks
    "PySide6/Qt6Widgets.dll",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/plugins/platforms/qoffscreen.dll",
    "PySide6/plugins/styles/qmodernwindowsstyle.dll",
    "PySide6/plugins/imageformats/qsvg.dll",
    "torch/lib/torch_cpu.dll",
    "torch/lib/c10.dll",
    "PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets",
    "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
])
def test_what_the_app_uses_is_kept(dest):
    assert not trim.dropped(dest), dest


def test_qt_keeps_its_turkish_strings_and_no_other_language():
    assert not trim.dropped("PySide6/Qt/translations/qtbase_tr.qm")  # Linux and macOS wheels
    assert not trim.dropped("PySide6/translations/qtbase_tr.qm")  # the Windows wheel
    for other in ("PySide6/Qt/translations/qtbase_de.qm", "PySide6/Qt/translations/qt_tr.qm",
                  "PySide6/Qt/translations/qtdeclarative_tr.qm", "PySide6/Qt/translations/designer_tr.qm"):
        assert trim.dropped(other), other
    assert "PySide6/*translations/qtbase_tr.qm" in trim.required_files("linux")
    assert "resources/locale/tr/LC_MESSAGES/*" in trim.required_files("win32")


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_no_rule_drops_a_required_file(platform):
    examples = {"resources/datasets/*": "resources/datasets/text/tinyshakespeare.txt",
                "resources/locale/tr/LC_MESSAGES/*": "resources/locale/tr/LC_MESSAGES/rnnlab.mo",
                "PySide6/*translations/qtbase_tr.qm": "PySide6/Qt/translations/qtbase_tr.qm",
                "resources/runs/*/summary.json": "resources/runs/adding-lstm/summary.json",
                "torch/lib/*torch_cpu*": "torch/lib/libtorch_cpu.so", "torch/lib/*c10*": "torch/lib/c10.dll",
                "PySide6/*qoffscreen*": "PySide6/Qt/plugins/platforms/qoffscreen.dll",
                "torch/bin/torch_shm_manager": "torch/bin/torch_shm_manager"}
    for pattern in trim.required_files(platform):
        assert not trim.dropped(examples[pattern]), pattern


def test_trimming_the_installed_torch_drops_what_it_should(tmp_path):
    """On the torch wheel in this venv: tests, headers and build files go; the libraries the engine loads stay."""
    torch_dir = Path(importlib.util.find_spec("torch").origin).parent
    kept = dropped = 0
    kept_names = set()
    for path in torch_dir.rglob("*"):
        if not path.is_file() or path.suffix in (".py", ".pyc"):
            continue
        dest = "torch/" + path.relative_to(torch_dir).as_posix()
        if trim.dropped(dest):
            dropped += path.stat().st_size
        else:
            kept += path.stat().st_size
            kept_names.add(dest)
    assert any(n.startswith("torch/lib/") and "torch_cpu" in n for n in kept_names)
    assert not any(n.startswith(("torch/test/", "torch/include/")) for n in kept_names)
    if sys.platform.startswith("linux"):
        # torch 2.13's CPU wheel: ~230 MB of tests, test binaries and headers out of ~750 MB
        assert dropped > 100 * 2**20, f"only {dropped / 2**20:.0f} MB dropped"


def test_torch_imports_and_hashes_without_the_optional_modules_left_out():
    """ssl and OpenSSL's _hashlib are left out of the frozen app though `import torch` imports them: blocked here as
    they are missing there, torch still imports, hashlib still hashes (Python's own code) and multiprocessing still
    authenticates its connections (hmac)."""
    code = textwrap.dedent("""
        import sys
        for name in OPTIONAL:
            sys.modules[name] = None  # `import name` now raises ImportError, as in the frozen app
        import hashlib, hmac, http.client, urllib.request
        import torch
        from multiprocessing.connection import Client, Listener
        assert hashlib.sha256(b"rnnlab").hexdigest() == "44be400f28b857f6d1aca8f1561a89daf6f2c2fb3595bda1ee352b28a88a196b"
        assert hashlib.md5(b"").hexdigest() == "d41d8cd98f00b204e9800998ecf8427e"
        assert hmac.new(b"key", b"msg", "md5").hexdigest() == "18e3548c59ad40dd03907b7aeee71d67"
        import threading
        with Listener(authkey=b"secret") as listener:  # the handshake of a race's worker processes
            t = threading.Thread(target=lambda: Client(listener.address, authkey=b"secret").send("hi"))
            t.start()
            assert listener.accept().recv() == "hi"
            t.join()
        print("ok", "ssl" in sys.modules and sys.modules["ssl"] is None, torch.tensor([1.0, 2.0]).sum().item())
    """).replace("OPTIONAL", repr(trim.OPTIONAL_IMPORTS))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ok", "True", "3.0"]


def test_cuda_and_unused_qt_modules_are_excluded_from_analysis():
    excluded = set(trim.EXCLUDED_MODULES)
    for name in ("nvidia", "triton", "PyQt5", "PyQt6", "PySide2", "PySide6.QtWebEngineCore", "PySide6.Qt3DCore",
                 "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork", "PySide6.QtMultimedia", "tkinter"):
        assert name in excluded, name
    for needed in ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtCore", "PySide6.QtSvg", "torch", "numpy",
                   "pyqtgraph", "safetensors", "sympy"):  # sympy: torch._dynamo imports it on the first step
        assert not any(needed == e or needed.startswith(e + ".") for e in excluded), needed


@pytest.mark.parametrize("item", ["curr/de.res", "coll/de_.res", "zh_Hant_TW.res", "lang/az.res", "unit/fr_CA.res",
                                  "ibm-1390_P110-2003.cnv", "gb18030.cnv", "translit/root.res", "zone/ja.res"])
def test_icu_data_drops_other_locales_converters_and_transliterators(item):
    assert icu_data.dropped(item)


@pytest.mark.parametrize("item", ["root.res", "en.res", "en_GB.res", "tr.res", "tr_TR.res", "coll/tr.res",
                                  "curr/en.res", "zone/root.res", "pool.res", "res_index.res", "supplementalData.res",
                                  "likelySubtags.res", "zoneinfo64.res", "metaZones.res", "units.res", "icuver.res",
                                  "uprops.icu", "ucase.icu", "nfc.nrm", "cnvalias.icu", "coll/ucadata.icu",
                                  "brkitr/root.res", "brkitr/line.brk", "brkitr/cjdict.dict"])
def test_icu_data_keeps_turkish_english_and_every_locale_independent_item(item):
    assert not icu_data.dropped(item)


def test_prune_orphans_drops_libraries_only_removed_plugins_needed():
    needs = {"/src/libqxcb.so": {"libQt6XcbQpa.so.6", "libxcb-cursor.so.0"},
             "/src/QtWidgets.so": {"libQt6Widgets.so.6"}}
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("PySide6/QtWidgets.abi3.so", "/src/QtWidgets.so", "EXTENSION"),
        ("libxcb-cursor.so.0", "/usr/lib/libxcb-cursor.so.0", "BINARY"),
        ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY"),  # only the dropped GTK theme needed it
        ("libpython3.11.so.1.0", "/usr/lib/libpython3.11.so.1.0", "BINARY"),  # the bootloader dlopens it
        ("libQt6Widgets.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6", "SYMLINK"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),  # target trimmed away
        ("PySide6/Qt/lib/libQt6Widgets.so.6", "/src/libQt6Widgets.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/src/libQt6XcbQpa.so.6", "BINARY"),
    ]
    kept, gone = trim.prune_orphans(binaries, lambda src: needs.get(src, set()))
    assert sorted(gone) == ["libQt6Network.so.6", "libcairo.so.2"]
    assert len(kept) == len(binaries) - 2


def test_check_bundle_flags_forbidden_and_missing_files(tmp_path):
    app = tmp_path / "rnnlab"
    for rel in ("torch/lib/libtorch_cpu.so", "torch/lib/libc10.so", "torch/bin/torch_shm_manager",
                "resources/datasets/text/t.txt", "resources/runs/adding-lstm/summary.json",
                "PySide6/Qt/plugins/platforms/libqoffscreen.so", "resources/locale/tr/LC_MESSAGES/rnnlab.mo",
                "PySide6/Qt/translations/qtbase_tr.qm"):
        (app / "_internal" / rel).parent.mkdir(parents=True, exist_ok=True)
        (app / "_internal" / rel).write_bytes(b"x" * 10)
    (app / "_internal/torch/lib/libtorch_cpu.so").write_bytes(b"x" * 1000)
    bad, missing, sizes = check_bundle.inspect(app, "linux")
    assert (bad, missing) == ([], [])
    assert sum(sizes.values()) == 1070
    biggest = check_bundle.biggest_files(app, 3)
    assert biggest[0] == (1000, "torch/lib/libtorch_cpu.so") and len(biggest) == 3
    (app / "rnnlab").write_bytes(b"x" * 2000)  # the executable carries the Python modules: it is listed too
    assert check_bundle.biggest_files(app, 3)[0] == (2000, "rnnlab (the executable, with the Python modules)")
    (app / "_internal/torch/test").mkdir()
    (app / "_internal/torch/test/Dict_test").write_bytes(b"x")
    (app / "_internal/torch/lib/libc10.so").unlink()
    bad, missing, _ = check_bundle.inspect(app, "linux")
    assert bad == ["torch/test/Dict_test"]
    assert missing == ["torch/lib/*c10*"]


# --- the spec and the scripts --------------------------------------------------------------------------------------

def test_spec_is_onedir_with_resources_every_rnnlab_module_and_the_trim_rules():
    spec = (PACKAGING / "rnnlab.spec").read_text(encoding="utf-8")
    ast.parse(spec)  # a spec is Python
    assert 'collect_submodules("rnnlab")' in spec  # the task registry discovers modules with pkgutil
    assert '(str(ROOT / "resources"), "resources")' in spec  # resources_dir() looks in sys._MEIPASS/resources
    assert "exclude_binaries=True" in spec and "COLLECT(" in spec  # onedir, never onefile
    assert "excludes=trim.EXCLUDED_MODULES" in spec and "trim.trim_toc(a.binaries)" in spec
    assert "upx=True" not in spec


def test_shell_scripts_parse_and_are_executable():
    for script in ("build_linux.sh", "session_check.sh", "macos/build_macos.sh"):
        path = PACKAGING / script
        assert os.access(path, os.X_OK), f"{script} is not executable"
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_installers_use_the_strongest_lzma_and_the_build_enforces_the_size_limit():
    build = (PACKAGING / "build_linux.sh").read_text(encoding="utf-8")
    assert "XZ=(xz -9 -T0)" in build and ".tar.xz" in build and "-Zxz -z9" in build
    assert "gzip" not in build.replace("gzip, what this used before", "")
    # the goal and the limit in decimal MB (the .deb was once "148.4 MB" in MiB, 155.6 MB by the count)
    assert "GOAL_BYTES=150000000" in build and "LIMIT_BYTES=160000000" in build
    assert "b / 1e6" in build and "b / 1048576" in build  # each size printed in MB and MiB
    assert "zstd -q -19 --long=27" in build and "unpack_seconds" in build and "MAX_UNPACK_S=" in build
    # the PYZ is stored uncompressed, for the installers' LZMA to compress (all three platforms: the spec)
    spec = (PACKAGING / "rnnlab.spec").read_text(encoding="utf-8")
    assert '_writers.ZlibArchiveWriter._COMPRESSION_LEVEL = int(os.environ.get("RNNLAB_PYZ_ZLIB_LEVEL", "0"))' in spec
    assert "packaging/session_check.sh" in build and "LANG=tr_TR.UTF-8" in build
    session = (PACKAGING / "session_check.sh").read_text(encoding="utf-8")
    for needle in ("--selftest", "train --task", " race ", "export-script"):
        assert needle in session, needle
    iss = (PACKAGING / "windows" / "rnnlab.iss").read_text(encoding="utf-8")
    assert "Compression=lzma2/ultra64" in iss and "SolidCompression=yes" in iss
    assert "LZMADictionarySize=262144" in iss and "LZMANumBlockThreads" not in iss.replace("No LZMANumBlockThreads", "")
    mac = (PACKAGING / "macos" / "build_macos.sh").read_text(encoding="utf-8")
    assert "-format ULMO" in mac and "-format UDZO" not in mac


def test_desktop_entry_and_launcher():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "linux" / "rnnlab.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Exec"] == "/usr/bin/rnnlab" and d["Icon"] == "rnnlab"
    assert d["Terminal"] == "false" and d["Categories"].endswith(";") and "Education" in d["Categories"]
    launcher = (PACKAGING / "linux" / "rnnlab-launcher.sh").read_text(encoding="utf-8")
    assert launcher.startswith("#!/bin/sh") and 'exec /opt/rnnlab/rnnlab "$@"' in launcher


def test_deb_control_template_has_the_required_fields():
    control = (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", control, re.M))
    for name in ("Package", "Version", "Architecture", "Maintainer", "Description", "Installed-Size", "Depends"):
        assert name in fields, name
    assert fields["Package"] == "rnnlab" and fields["Version"] == "@VERSION@"
    assert "libxcb-icccm4" in control and "libc6 (>= @GLIBC@)" in control
    # the long description's lines start with a space; a blank line inside it must be " ."
    body = control.split("Description:", 1)[1].splitlines()[1:]
    assert body and all(line.startswith(" ") for line in body if line)


def test_icons_exist_for_every_installer():
    for name in ["rnnlab.ico", "rnnlab.icns"] + [f"rnnlab-{s}.png" for s in (16, 32, 48, 64, 128, 256, 512)]:
        assert (PACKAGING / "icons" / name).stat().st_size > 100, name
    png = (PACKAGING / "icons" / "rnnlab-256.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 256


def test_inno_setup_script_packs_the_pyinstaller_folder():
    iss = (PACKAGING / "windows" / "rnnlab.iss").read_text(encoding="utf-8")
    assert re.search(r"^AppId=\{\{[0-9A-F-]{36}\}", iss, re.M)
    assert '#define SourceDir "..\\..\\dist\\rnnlab"' in iss
    assert 'Source: "{#SourceDir}\\*"' in iss and "recursesubdirs" in iss
    assert "PrivilegesRequired=lowest" in iss  # workshop laptops: no admin rights needed
    for ref in re.findall(r"^(?:SetupIconFile|LicenseFile)=(.*)$", iss, re.M):
        assert (PACKAGING / "windows" / ref.replace("\\", "/")).is_file(), ref


def test_workflow_builds_all_three_and_documents_the_signing_secrets():
    text = (ROOT / ".github" / "workflows" / "build.yml").read_text(encoding="utf-8")
    for needle in ("runs-on: ubuntu-", "runs-on: windows-", "runs-on: macos-", "packaging/build_linux.sh",
                   "packaging\\windows\\rnnlab.iss", "packaging/macos/build_macos.sh", "--selftest",
                   "WINDOWS_CERT_PFX_BASE64", "MACOS_SIGN_IDENTITY", "APPLE_TEAM_ID", "APPLE_APP_PASSWORD"):
        assert needle in text, needle
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load(text)
    assert set(doc["jobs"]) >= {"linux", "windows", "macos"}


# --- no network, ever ----------------------------------------------------------------------------------------------

NETWORK_MODULES = {"socket", "ssl", "urllib", "urllib.request", "urllib3", "http", "http.client", "requests", "httpx",
                   "aiohttp", "ftplib", "smtplib", "xmlrpc", "websocket", "websockets", "webbrowser",
                   "PySide6.QtNetwork", "PySide6.QtWebSockets", "PySide6.QtWebEngineCore", "huggingface_hub"}
# Each allowed use, with why. selftest.py watches socket events to prove nothing else connects.
ALLOWED = {("rnnlab/selftest.py", "socket"),
           # `rnnlab sweep --ray ADDRESS` only: checks that the cluster address the user gave answers, before Ray
           # (an optional extra, never in the installers) is asked to connect
           ("rnnlab/experiments/cluster.py", "socket")}


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            yield str(node.args[0].value)


def test_rnnlab_never_imports_network_apis():
    found = []
    for path in sorted((ROOT / "rnnlab").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name in _imports(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if any(name == m or name.startswith(m + ".") for m in NETWORK_MODULES) and (rel, name) not in ALLOWED:
                found.append(f"{rel}: {name}")
    assert not found, "rnnlab must work offline; network APIs imported: " + ", ".join(found)

