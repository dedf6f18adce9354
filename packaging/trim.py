"""What the frozen app leaves out: the rules the spec applies to PyInstaller's file lists (here so tests can read them).

PyInstaller's torch hook collects *everything* in the torch wheel (C++ test binaries, headers, CMake files, protoc, the
TorchScript test libraries) and the PySide6 hooks add every translation and several plugin families a desktop window on
Linux/Windows/macOS never loads. A hello-world torch+Qt bundle is ~290 MB as a tarball; these rules, plus stripping the
symbol tables off torch's shared libraries (build_linux.sh), bring rnnlab's under 250 MB.

Every rule is a glob on the *destination* path inside the bundle (forward slashes, relative to `_internal/`), matched
with `fnmatch` (so `*` also crosses `/`). Nothing here is a guess: `rnnlab --selftest` from the frozen app trains,
probes, saves and reopens a run in the real window after these files are gone.
"""

from __future__ import annotations

import posixpath
from fnmatch import fnmatchcase as fnmatch  # the same answer on every OS

# Left out although `import torch` imports them: each is imported inside a `try: ... except ImportError` that carries on
# without it (http.client and urllib.request without ssl, hashlib and hmac without OpenSSL's _hashlib), so the test
# that no excluded module is imported on rnnlab's paths skips these, and tests/test_packaging.py imports torch with them
# blocked.
OPTIONAL_IMPORTS = ["ssl", "_ssl", "_hashlib"]

# Python modules never bundled. The CUDA ones matter only if someone builds from a CUDA torch by mistake: the CPU
# edition must not carry 2-3 GB of NVIDIA libraries (`build_linux.sh` refuses a CUDA torch before it gets here).
EXCLUDED_MODULES = [
    # torch imports most of itself (even torch.distributed and torch.hub) as soon as the optimizer's first step loads
    # torch._dynamo, so only modules that nothing on rnnlab's paths imports are left out; tests/test_packaging.py trains
    # and checks that none of these got imported.
    "torch.utils.tensorboard",
    "torch.utils.benchmark",
    "torchgen.packaged",
    # torch's compiler back end, distributed training, ONNX/mobile export and ROCm tooling: no module of these
    # packages was imported by a traced session (the window, every task, a race, an export; PYTHONPROFILEIMPORTTIME,
    # issue 24), although their parents were. packaging/session_check.sh runs that session on every build.
    "torch._inductor.codegen", "torch._inductor.fx_passes", "torch._inductor.kernel", "torch._vendor.quack",
    "torch.distributed.checkpoint", "torch.distributed.elastic", "torch.distributed.pipelining",
    "torch.distributed._tools", "torch.sparse._triton_ops_meta", "torch.ao.ns", "torch.ao.pruning",
    "torch.utils.hipify", "torch._export.serde", "torch.backends._nnapi", "torch._dynamo.repro",
    "nvidia",
    "triton",
    # other Qt bindings pyqtgraph would happily use, and the heavy or unused Qt modules
    "PyQt5", "PyQt6", "PySide2",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets", "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DExtras",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtDesigner", "PySide6.QtHelp",
    "PySide6.QtUiTools", "PySide6.QtSql", "PySide6.QtDBus", "PySide6.QtLabsStyleKit",
    "PySide6.QtQmlFeatures", "PySide6.QtPdf", "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs",
    # (QtOpenGL and QtOpenGLWidgets stay: pyqtgraph 0.14 imports both for every curve, by importlib; QtTest too, <1 MB,
    # which pyqtgraph imports at start-up)
    # pyqtgraph's optional extras: 3D (needs PyOpenGL), Jupyter, the examples browser, the console (IPython)
    "pyqtgraph.opengl", "pyqtgraph.jupyter", "pyqtgraph.examples", "pyqtgraph.console",
    "OpenGL", "IPython", "jupyter_rfb", "matplotlib", "scipy", "pandas", "h5py", "cupy", "numba",
    # never imported by rnnlab or by the torch paths it takes (inductor's code generator, the partitioner)
    "tkinter", "_tkinter", "jinja2", "networkx", "fsspec", "pytest", "hypothesis", "setuptools", "pip",
    "PyInstaller",
    # the `cluster` extra: sweeps on a Ray cluster are for a Python install, never part of the desktop installers
    "ray",
    # Modules of the archive (PYZ) no process of a traced session imported (issue 24, 2026-12-06:
    # PYTHONPROFILEIMPORTTIME=1 on session_check.sh, the window, every task, a race, an export; 2222 modules imported
    # of 4014 bundled). The archive is zlib-compressed per module, so what it holds costs its full size in the download.
    # - the test and terminal tooling some hook or optional import drags in (pytest's plugins, pygments, rich):
    "pygments", "_pytest", "pytest", "pluggy", "iniconfig", "rich", "markdown_it", "mdurl", "attr", "attrs",
    "pydoc_data", "numpy.f2py",
    # - an HTTP client: only torch.distributed.debug's web front end imports requests; rnnlab never goes online (and
    #   QtNetwork is not bundled either); without `ssl`, Python's urllib and http.client still import (ssl is optional
    #   to both), and OpenSSL's libssl and libcrypto go with `_ssl` and `_hashlib` (hashlib then uses Python's own
    #   md5/sha1/sha2/sha3/blake2, which is all torch and multiprocessing ask of it)
    "requests", "urllib3", "idna", "charset_normalizer", "certifi", *OPTIONAL_IMPORTS,
    # - SQLite (torch's profiler and filelock's SQLite back end, neither used), readline (the interactive prompt),
    #   PyYAML's C accelerator (PyYAML falls back to its Python code when `_yaml` is missing)
    "sqlite3", "_sqlite3", "readline", "yaml._yaml", "_yaml",
    # - torch.compile's back end (only the parts the optimizer's first step imports stay: its config and runtime),
    #   file locks for its caches, and torch's own test suite (three small helpers of torch.testing._internal are
    #   imported by torch itself: common_dtype, logging_tensor, distributed.fake_pg)
    "filelock", "torch._inductor.ir", "torch._inductor.scheduler", "torch._inductor.lowering",
    "torch._inductor.select_algorithm", "torch._inductor.codecache", "torch._inductor.compile_fx",
    "torch._inductor.pattern_matcher", "torch._inductor.graph", "torch._inductor.cudagraph_trees",
    "torch._inductor.autoheuristic", "torch._inductor.template_heuristics", "torch._inductor.comms",
    "torch._inductor.autotune_process", "torch._inductor.compile_worker", "torch._inductor.fuzzer",
    "torch._inductor.mkldnn_lowerings",
    "torch.testing._internal.common_methods_invocations", "torch.testing._internal.common_utils",
    "torch.testing._internal.opinfo", "torch.testing._internal.generated", "torch.testing._internal.common_nn",
    "torch.testing._internal.common_modules", "torch.testing._internal.common_quantization",
    "torch.testing._internal.common_distributed", "torch.testing._internal.common_device_type",
    "torch.testing._internal.common_fsdp", "torch.testing._internal.optests", "torch.testing._internal.jit_utils",
    "torch.testing._internal.common_optimizers", "torch.testing._internal.jit_metaprogramming_utils",
    "torch.testing._internal.distributed._tensor", "torch.testing._internal.distributed.rpc",
    "torch.testing._internal.distributed.distributed_test", "torch.testing._internal.distributed._shard",
    "torchgen.gen", "torchgen.dest", "torchgen.api", "torchgen.selective_build",
    # - sympy's packages that torch's symbolic shapes never reach
    "sympy.combinatorics", "sympy.physics", "sympy.vector", "sympy.testing", "sympy.codegen", "sympy.categories",
]

# Destination globs dropped from the collected binaries and data files.
DROPPED_FILES = [
    # torch: C++ tests and their helper libraries, build-time files, the protobuf compiler
    "torch/test/*",
    # torch/bin: everything but torch_shm_manager, whose presence `import torch` checks
    "torch/bin/*Test", "torch/bin/test_*", "torch/bin/protoc*", "torch/bin/*.pt", "torch/bin/*.ptl",
    "torch/bin/upgrader_models/*",
    "torch/include/*",
    "torch/share/*",
    "torch/lib/libshm/*",
    "torch/lib/libshm_windows/*",
    "torch/lib/*test*",
    "torch/lib/libbackend_with_compiler*",
    "torch/lib/libaoti_custom_ops*",
    "torch/lib/*.lib",
    "torch/testing/_internal/data/*",
    "torch/_inductor/codegen/*.cpp",
    "torch/_inductor/codegen/*.h",
    "torch/utils/model_dump/*",
    "torch/utils/benchmark/*",
    "torchgen/packaged/*",
    "caffe2/*",
    "*.a",
    "*.h",
    "*.hpp",
    "*.cuh",
    "*.cmake",
    "*.pyi",
    "*/__pycache__/*",
    # CUDA runtime libraries (CPU edition): belt and braces against a CUDA torch in the build venv
    "nvidia/*",
    "*libcudart*", "*libcublas*", "*libcudnn*", "*libnccl*", "*libcufft*", "*libcurand*", "*libcusparse*",
    "*libcusolver*", "*libnvrtc*", "*libnvJitLink*", "*libnvToolsExt*", "*libcupti*", "*libtorch_cuda*",
    "*libc10_cuda*", "triton/*", "*libtriton*",
    # Qt: the translations (but Turkish Qt dialogs, see KEPT_FILES), QML, and the plugin families a QWidget app never
    # loads. `PySide6/*plugins/` matches both wheel layouts: PySide6/Qt/plugins (Linux, macOS) and PySide6/plugins
    # (Windows).
    "PySide6/*translations/*",
    "PySide6/*qml/*",
    "PySide6/*plugins/qmltooling/*",
    "PySide6/*plugins/qmllint/*",
    "PySide6/*plugins/sqldrivers/*",
    "PySide6/*plugins/designer/*",
    "PySide6/*plugins/egldeviceintegrations/*",
    "PySide6/*plugins/networkinformation/*",
    "PySide6/*plugins/tls/*",
    "PySide6/*plugins/generic/*",
    "PySide6/*plugins/multimedia/*",
    "PySide6/*plugins/position/*",
    "PySide6/*plugins/sensors/*",
    "PySide6/*plugins/renderers/*",
    "PySide6/*plugins/sceneparsers/*",
    # the GTK3 platform theme drags in a partial, bundled GTK stack (cairo, pango, atk) that can clash with the
    # system's GTK; without it Qt uses its own Fusion style and the xdg-desktop-portal file dialogs
    "PySide6/*plugins/platformthemes/libqgtk3*",
    "PySide6/*plugins/imageformats/*qpdf*",
    "PySide6/*plugins/wayland-graphics-integration-server/*",
    "PySide6/*plugins/platforms/libqeglfs*",
    "PySide6/*plugins/platforms/libqlinuxfb*",
    "PySide6/*plugins/platforms/libqvnc*",
    "PySide6/*plugins/platforms/libqvkkhrdisplay*",
    "PySide6/*plugins/platforms/libqminimalegl*",
    # (the leading `*` also catches PyInstaller's top-level symlinks to these libraries)
    "*libQt6Qml*", "*libQt6Quick*", "*libQt6Network*", "*libQt6Designer*", "*libQt6Pdf*", "*libQt6WebEngine*",
    "*libQt6EglFSDeviceIntegration*", "*libQt6Labs*", "*libQt6Lottie*", "*libQt6Sql*",
    "*libQt6Help*", "*libQt6WaylandCompositor*",
    # the same Qt modules as macOS frameworks and Windows DLLs (the spec is shared by all three builds)
    "PySide6/Qt/lib/QtQml*", "PySide6/Qt/lib/QtQuick*", "PySide6/Qt/lib/QtNetwork*", "PySide6/Qt/lib/QtPdf*",
    "PySide6/Qt/lib/QtWebEngine*", "PySide6/Qt/lib/QtDesigner*",
    "PySide6/Qt6Qml*", "PySide6/Qt6Quick*", "PySide6/Qt6Network*", "PySide6/Qt6Pdf*", "PySide6/Qt6WebEngine*",
    "PySide6/Qt6Designer*", "PySide6/opengl32sw.dll",
    "PySide6/Qt/bin/*", "PySide6/Qt/libexec/*", "PySide6/Qt/metatypes/*", "PySide6/Qt/mkspecs/*",
    "PySide6/include/*", "PySide6/typesystems/*", "PySide6/glue/*", "PySide6/doc/*", "PySide6/examples/*",
    "PySide6/scripts/*", "PySide6/support/*",
    "PySide6/assistant*", "PySide6/designer*", "PySide6/linguist*", "PySide6/lrelease*", "PySide6/lupdate*",
    "PySide6/qml*", "PySide6/svgtoqml*", "PySide6/rcc*", "PySide6/uic*",
    # pyqtgraph's example data and test images, and its mascot (only pg.mkQApp sets it as the window icon; rnnlab makes
    # its own QApplication)
    "pyqtgraph/examples/*", "pyqtgraph/opengl/*", "pyqtgraph/icons/peegee/*",
    # image formats: rnnlab reads SVG icons and writes PNG and SVG (PNG is built into QtGui); without these plugins
    # pyqtgraph's own Export dialog offers fewer raster formats, nothing else changes
    "PySide6/*plugins/imageformats/*qjpeg*", "PySide6/*plugins/imageformats/*qtiff*",
    "PySide6/*plugins/imageformats/*qwebp*", "PySide6/*plugins/imageformats/*qtga*",
    "PySide6/*plugins/imageformats/*qwbmp*", "PySide6/*plugins/imageformats/*qicns*",
    "PySide6/*plugins/imageformats/*qgif*",
    # the libraries of the modules left out above, should another binary's dependency scan bring them back
    "*libssl.so*", "*libcrypto.so*", "*libsqlite3.so*", "*libreadline.so*", "yaml/_yaml*",
    "python3*/lib-dynload/_ssl.*", "python3*/lib-dynload/_hashlib.*", "python3*/lib-dynload/_sqlite3.*",
    "python3*/lib-dynload/readline.*",
    "libssl-*.dll", "libcrypto-*.dll", "sqlite3.dll", "_ssl.pyd", "_hashlib.pyd", "_sqlite3.pyd",  # Windows
    "*libssl*.dylib", "*libcrypto*.dylib", "*libsqlite3*.dylib",  # macOS
]

# Exceptions to DROPPED_FILES: kept although a rule above matches them. Qt's own Turkish strings (the buttons of a
# file dialog or a message box: "Tamam", "İptal"), so a Turkish interface does not mix in English ones; the other
# languages' Qt catalogues go, as rnnlab speaks only English and Turkish.
KEPT_FILES = [
    "PySide6/*translations/qtbase_tr.qm",
]

# What must survive the trimming: a spec or rule change that drops one of these fails the build (and the tests).
REQUIRED_FILES = [
    "resources/datasets/*",
    "resources/locale/tr/LC_MESSAGES/*",  # rnnlab's Turkish catalogue
    "PySide6/*translations/qtbase_tr.qm",
    "resources/runs/*/summary.json",  # the recorded run each plot panel shows when started alone
    "torch/lib/*torch_cpu*",
    "torch/lib/*c10*",
    "PySide6/*qoffscreen*",
]
REQUIRED_FILES_LINUX = ["torch/bin/torch_shm_manager"]  # `import torch` checks it is there on Linux and macOS


def required_files(platform: str) -> list[str]:
    """The REQUIRED_FILES globs for `platform` (a sys.platform value)."""
    return REQUIRED_FILES + ([] if platform == "win32" else REQUIRED_FILES_LINUX)


def dropped(dest: str) -> bool:
    """True if the file at `dest` (path inside the bundle) is left out."""
    dest = dest.replace("\\", "/")
    return (any(fnmatch(dest, pattern) for pattern in DROPPED_FILES)
            and not any(fnmatch(dest, pattern) for pattern in KEPT_FILES))


def trim_toc(toc):
    """Filter a PyInstaller TOC (list of (dest, src, typecode)); returns (kept, number dropped)."""
    kept = [entry for entry in toc if not dropped(entry[0])]
    return kept, len(toc) - len(kept)


# Top-level libraries that are loaded by name at run time (dlopen), not through another library's DT_NEEDED, so the
# orphan pruning below must keep them: the bootloader loads libpython; QtDBus loads libdbus-1 itself.
DLOPENED = ["libpython*", "libdbus-1*"]


def prune_orphans(binaries, needed_by):
    """Drop the top-level shared libraries (`_internal/lib*.so*`) that no remaining binary needs any more.

    PyInstaller copies every dependency of every collected binary to the top level; once trim_toc has dropped a
    plugin, the libraries only it needed (e.g. cairo and pango for the GTK3 theme) are dead weight. `needed_by(src)`
    returns the basenames a binary needs, transitively (ldd). Returns (kept, names dropped).
    """
    def top_level_lib(dest):
        return "/" not in dest.replace("\\", "/") and dest.startswith("lib") and ".so" in dest

    needed = set()
    for dest, src, typecode in binaries:
        if not top_level_lib(dest) and typecode != "SYMLINK":
            needed |= set(needed_by(src))
    kept, gone = [], []
    present = {dest.replace("\\", "/") for dest, _, typecode in binaries if typecode != "SYMLINK"}
    for entry in binaries:
        dest, src, typecode = entry
        if top_level_lib(dest) and dest not in needed and not any(fnmatch(dest, p) for p in DLOPENED):
            gone.append(dest)
        elif typecode == "SYMLINK" and _link_target(dest, src) not in present:
            gone.append(dest)  # a link to a library trim_toc removed
        else:
            kept.append(entry)
    return kept, gone


def _link_target(dest: str, relative_target: str) -> str:
    """Where a PyInstaller SYMLINK entry points, as a bundle path (its src is relative to the link's folder)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(dest.replace("\\", "/")),
                                             relative_target.replace("\\", "/")))
