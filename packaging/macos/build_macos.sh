#!/usr/bin/env bash
# Build rnnlab for macOS (Apple silicon): dist/rnnlab.app and dist/rnnlab-<version>-macos-arm64.dmg.
#
#   packaging/macos/build_macos.sh               (uses the active venv, else makes build/venv-pkg)
#
# Signing and notarisation run only when their variables are set (CI reads them from repository secrets; see
# .github/workflows/build.yml and packaging/README.md):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)", a certificate in the current keychain
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   an Apple ID with an app-specific password, for notarytool
# Without them the app is ad-hoc signed (runs on the building Mac; elsewhere Gatekeeper asks the user to allow it).
#
# torch publishes macOS wheels for arm64 only (no Intel builds since torch 2.3), so this builds arm64 only. The CPU
# build is the only build on macOS; Apple GPUs are used through MPS when the user picks the "mps" device.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
START=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - START)); }
die() { echo "build_macos.sh: error: $*" >&2; exit 1; }

main() {
    cd "$ROOT"
    [[ "$(uname -s)" == Darwin ]] || die "this builds the macOS app and must run on macOS"
    if [[ -n "${PYTHON:-}" ]]; then
        PY="$PYTHON"
    elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
        PY="$VIRTUAL_ENV/bin/python"
    else
        step "creating build/venv-pkg"
        [[ -x build/venv-pkg/bin/python ]] || python3 -m venv build/venv-pkg
        PY="$ROOT/build/venv-pkg/bin/python"
        "$PY" -m pip install -q "torch==2.13.0"
    fi
    "$PY" -c "import PyInstaller, rnnlab" 2>/dev/null || "$PY" -m pip install -q -e ".[package]"
    VERSION="$("$PY" -c 'import rnnlab; print(rnnlab.__version__)')"
    ARCH="$(uname -m)"

    step "PyInstaller: dist/rnnlab.app"
    rm -rf dist/rnnlab dist/rnnlab.app
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller packaging/rnnlab.spec
    APP="dist/rnnlab.app"
    [[ -x "$APP/Contents/MacOS/rnnlab" ]] || die "PyInstaller did not produce $APP"
    "$PY" packaging/check_bundle.py "$APP" || die "the bundle holds files it must not, or lacks some it needs"

    sign_app

    step "self-test of the app"
    QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$APP/Contents/MacOS/rnnlab" --selftest

    DMG="dist/rnnlab-$VERSION-macos-$ARCH.dmg"
    step "disk image $DMG"
    local stage="build/dmg"
    rm -rf "$stage" "$DMG" && mkdir -p "$stage"
    cp -R "$APP" "$stage/"
    ln -s /Applications "$stage/Applications"  # drag rnnlab onto it to install
    cp packaging/LICENSE.txt "$stage/LICENSE.txt"
    # ULMO (LZMA) rather than UDZO (zlib): the smallest read-only image macOS opens (10.15 and later; rnnlab needs
    # 12), ~25 % smaller than UDZO for torch and Qt; mounting is as quick, reading a first file a little slower.
    hdiutil create -volname "rnnlab $VERSION" -srcfolder "$stage" -ov -format ULMO -fs HFS+ "$DMG" >/dev/null
    rm -rf "$stage"
    if [[ -n "${MACOS_SIGN_IDENTITY:-}" ]]; then
        codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$DMG"
    fi

    notarize "$DMG"

    step "done"
    echo "app  $APP  $(du -sh "$APP" | cut -f1)"
    echo "dmg  $DMG  $(du -h "$DMG" | cut -f1)"
}

# Inside out: every Mach-O file first, then the bundle, with the hardened runtime (required for notarisation).
# `codesign --deep` is not used: Apple discourages it, and it signs nested code without the entitlements.
sign_app() {
    local identity="${MACOS_SIGN_IDENTITY:--}"  # "-" = ad-hoc
    step "signing ($([[ "$identity" == - ]] && echo ad-hoc || echo "$identity"))"
    local runtime=()
    [[ "$identity" != - ]] && runtime=(--options runtime --timestamp)
    find "$APP/Contents" -type f \( -name '*.so' -o -name '*.dylib' -o -perm +111 \) -print0 \
        | while IFS= read -r -d '' f; do
            if file "$f" | grep -q 'Mach-O'; then
                codesign --force "${runtime[@]}" --sign "$identity" "$f"
            fi
        done
    codesign --force "${runtime[@]}" --entitlements packaging/macos/entitlements.plist --sign "$identity" "$APP"
    codesign --verify --strict --verbose=2 "$APP"
}

notarize() {
    local dmg="$1"
    if [[ -z "${APPLE_ID:-}" || -z "${APPLE_TEAM_ID:-}" || -z "${APPLE_APP_PASSWORD:-}" \
          || -z "${MACOS_SIGN_IDENTITY:-}" ]]; then
        echo "notarisation skipped (needs MACOS_SIGN_IDENTITY, APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD)"
        return
    fi
    step "notarising $dmg (Apple's service; typically 5-20 minutes)"
    xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$dmg"
    spctl --assess --type open --context context:primary-signature --verbose "$dmg"
}

main "$@"; exit $?
