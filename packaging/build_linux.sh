#!/usr/bin/env bash
# Build rnnlab's Linux deliverables from a checkout, and prove they run:
#
#   dist/rnnlab/                             the frozen app folder (PyInstaller --onedir)
#   dist/rnnlab-<version>-linux-x86_64.tar.gz  that folder as a tarball
#   dist/rnnlab_<version>_amd64.deb           /opt/rnnlab, /usr/bin/rnnlab, desktop entry, icons
#
# Usage:   packaging/build_linux.sh             (uses the active venv, else makes build/venv-pkg)
#          PYTHON=/path/to/venv/bin/python packaging/build_linux.sh
# Options (environment): RNNLAB_SKIP_SELFTEST=1 skips running the frozen app (for a quick layout check only).
#
# Needs: python3 (3.11+), binutils (strip, objdump), file, dpkg-deb, tar, gzip. No network beyond pip's package index
# (or its local mirror) to install torch (CPU build), the app's dependencies and PyInstaller into the build venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - START)); }
die() { echo "build_linux.sh: error: $*" >&2; exit 1; }

for tool in strip objdump file dpkg-deb tar gzip; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (Debian/Ubuntu: apt-get install binutils file dpkg tar gzip)"
done

# --- the build environment -------------------------------------------------------------------------------------------
if [[ -n "${PYTHON:-}" ]]; then
    PY="$PYTHON"
elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
    PY="$VIRTUAL_ENV/bin/python"
else
    step "no venv active: creating build/venv-pkg"
    [[ -x build/venv-pkg/bin/python ]] || python3 -m venv build/venv-pkg
    PY="$ROOT/build/venv-pkg/bin/python"
    # torch first, so rnnlab's `torch` requirement is already met. Where the default index serves a CUDA build (PyPI on
    # Linux does), point TORCH_INDEX_URL at PyTorch's CPU wheel index; the check below refuses a CUDA torch.
    "$PY" -m pip install -q "torch==2.13.0" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
fi
step "build environment: $PY"
if ! "$PY" -c "import PyInstaller, rnnlab" 2>/dev/null; then
    "$PY" -m pip install -q -e ".[package]"  # pyproject.toml's `package` extra pins PyInstaller
fi
"$PY" - <<'EOF' || die "the build venv must hold the CPU build of torch, not a CUDA one: install torch==2.13.0 from \
PyTorch's CPU wheel index (TORCH_INDEX_URL=<cpu index> with a fresh build/venv-pkg)"
import importlib.util, sys
import torch
cuda = torch.version.cuda
nvidia = importlib.util.find_spec("nvidia") is not None
print(f"torch {torch.__version__}, cuda={cuda}, nvidia packages={'yes' if nvidia else 'no'}")
sys.exit(1 if cuda or nvidia else 0)
EOF
VERSION="$("$PY" -c 'import rnnlab; print(rnnlab.__version__)')"
ARCH_DEB=amd64
ARCH_TAR="$(uname -m)"
[[ "$ARCH_TAR" == x86_64 ]] || ARCH_DEB="$ARCH_TAR"

# --- freeze ----------------------------------------------------------------------------------------------------------
step "PyInstaller (onedir) from packaging/rnnlab.spec"
rm -rf dist/rnnlab
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/rnnlab.spec
APP="$ROOT/dist/rnnlab"
[[ -x "$APP/rnnlab" ]] || die "PyInstaller did not produce $APP/rnnlab"
BEFORE_KB=$(du -sk "$APP" | cut -f1)

# --- strip -----------------------------------------------------------------------------------------------------------
# Shared libraries only (the executable carries PyInstaller's archive after its ELF image; strip would cut it off), and
# not Qt's plugins (Qt reads their metadata sections; they ship stripped anyway). --strip-unneeded keeps the dynamic
# symbol table, so nothing that links or dlopens these libraries notices: it drops the static symbol tables, ~90 MB
# of libtorch_cpu.so alone.
step "stripping symbol tables from shared libraries"
find "$APP/_internal" -type f -name '*.so*' -not -path '*/PySide6/Qt/plugins/*' -print0 \
    | xargs -0 file | { grep 'ELF.*not stripped' || true; } | cut -d: -f1 \
    | while read -r lib; do strip --strip-unneeded "$lib"; done
AFTER_KB=$(du -sk "$APP" | cut -f1)
echo "bundle: $((BEFORE_KB / 1024)) MB before strip, $((AFTER_KB / 1024)) MB after"

# --- check the frozen app --------------------------------------------------------------------------------------------
step "checking the frozen app"
"$APP/rnnlab" --version
# Every task module in the source tree must be registered in the frozen app (the registry discovers them with
# pkgutil.iter_modules, which PyInstaller answers from its archive).
want="$("$PY" -c 'from rnnlab import tasks; print(" ".join(sorted(tasks.names())))')"
got="$("$APP/rnnlab" tasks | grep -E '^[a-z0-9_]+:' | cut -d: -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
[[ "$want" == "$got" ]] || die "the frozen app's tasks ($got) differ from the source tree's ($want)"
echo "tasks: $got"
if [[ "${RNNLAB_SKIP_SELFTEST:-0}" != 1 ]]; then
    QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" "$APP/rnnlab" --selftest
fi

# --- tarball ---------------------------------------------------------------------------------------------------------
TARBALL="dist/rnnlab-$VERSION-linux-$ARCH_TAR.tar.gz"
step "tarball $TARBALL"
STAGE="build/stage-tar/rnnlab-$VERSION"
rm -rf build/stage-tar && mkdir -p "$STAGE"
cp -a "$APP/." "$STAGE/"
cp packaging/linux/README-tarball.txt "$STAGE/README.txt"
cp packaging/icons/rnnlab-256.png "$STAGE/rnnlab.png"
sed -e 's|^Exec=.*|Exec=rnnlab %F|' packaging/linux/rnnlab.desktop > "$STAGE/rnnlab.desktop"
# Deterministic order and owners; gzip -9 is ~10% smaller than the default and costs ~20 s more.
tar --sort=name --owner=0 --group=0 --numeric-owner -C build/stage-tar -cf - "rnnlab-$VERSION" \
    | gzip -9 > "$TARBALL"

# --- .deb ------------------------------------------------------------------------------------------------------------
DEB="dist/rnnlab_${VERSION}_${ARCH_DEB}.deb"
step ".deb $DEB"
PKG="build/deb/rnnlab_${VERSION}_${ARCH_DEB}"
rm -rf build/deb && mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
    "$PKG/usr/share/doc/rnnlab" "$PKG/usr/share/icons/hicolor/scalable/apps"
cp -a "$APP" "$PKG/opt/rnnlab"
install -m 0755 packaging/linux/rnnlab-launcher.sh "$PKG/usr/bin/rnnlab"
install -m 0644 packaging/linux/rnnlab.desktop "$PKG/usr/share/applications/rnnlab.desktop"
install -m 0644 resources/icons/rnnlab.svg "$PKG/usr/share/icons/hicolor/scalable/apps/rnnlab.svg"
for size in 16 32 48 64 128 256 512; do
    mkdir -p "$PKG/usr/share/icons/hicolor/${size}x${size}/apps"
    install -m 0644 "packaging/icons/rnnlab-$size.png" "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/rnnlab.png"
done
install -m 0644 packaging/linux/copyright "$PKG/usr/share/doc/rnnlab/copyright"
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
# The newest glibc symbol version any bundled binary asks for is the oldest libc6 the package runs on. Qt's X11
# libraries are Depends rather than bundled copies: the system's match its X server and drivers (Qt's own list:
# "Qt for X11 Requirements").
GLIBC="$( { find "$APP" -type f \( -name '*.so*' -o -perm /u+x \) -print0 | xargs -0 objdump -T 2>/dev/null || true; } \
    | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
echo "needs glibc >= $GLIBC"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH_DEB/" -e "s/@INSTALLED_KB@/$INSTALLED_KB/" -e "s/@GLIBC@/$GLIBC/" \
    packaging/linux/control.in > "$PKG/DEBIAN/control"
install -m 0755 packaging/linux/postinst packaging/linux/postrm "$PKG/DEBIAN/"
# Debian policy permissions whatever the umask: directories 0755, files 0644, executables 0755.
find "$PKG" -type d -exec chmod 0755 {} +
find "$PKG" -type f -perm /u+x -exec chmod 0755 {} +
find "$PKG" -type f ! -perm /u+x -exec chmod 0644 {} +
chmod 0644 "$PKG/DEBIAN/control"
# gzip, not dpkg-deb's default xz: 3x faster to build here and every dpkg reads it.
dpkg-deb --root-owner-group -Zgzip -z9 --build "$PKG" "$DEB" >/dev/null
dpkg-deb --info "$DEB" | sed -n '1,/Description/p'

# The .deb's payload must run where it will be installed: unpack it and run the packaged app from /opt's layout.
if [[ "${RNNLAB_SKIP_SELFTEST:-0}" != 1 ]]; then
    step "running the .deb's payload (unpacked, not installed)"
    rm -rf build/deb-check && dpkg-deb -x "$DEB" build/deb-check
    build/deb-check/opt/rnnlab/rnnlab tasks >/dev/null
    build/deb-check/opt/rnnlab/rnnlab --version
    rm -rf build/deb-check
fi

# --- report ----------------------------------------------------------------------------------------------------------
step "done"
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }
echo "bundle  dist/rnnlab/  $((AFTER_KB / 1024)) MB unpacked"
echo "tarball $TARBALL  $(mb "$TARBALL")"
echo "deb     $DEB  $(mb "$DEB") (installs $((INSTALLED_KB / 1024)) MB)"
echo "build time: $((SECONDS - START)) s"
TAR_MB=$(( $(stat -c %s "$TARBALL") / 1048576 ))
if (( TAR_MB > 250 )); then
    die "the tarball is $TAR_MB MB, over the 250 MB budget: see packaging/trim.py"
fi
