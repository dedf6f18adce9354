"""Inspect a frozen rnnlab folder: fail on files that must never ship, report what takes the space.

    python packaging/check_bundle.py dist/rnnlab          (build_linux.sh runs it after stripping)

Fails (exit 1) when the bundle holds something trim.py rules out (torch's tests and headers, CUDA libraries, unused Qt
modules) or lacks something the app needs. The report lists the biggest components, so a dependency update that
bloats the bundle shows up in the build log rather than on a workshop's USB stick.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from fnmatch import fnmatchcase as fnmatch  # the same answer on every OS
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import trim  # noqa: E402

# Never in a CPU, QWidget-only build, whatever the rules in trim.py say (this is the check, trim.py the means).
FORBIDDEN = [
    "torch/test/*", "torch/include/*", "torch/bin/test_*", "*.a", "*.h",
    "*libtorch_cuda*", "*libcudnn*", "*libcublas*", "*libnccl*", "nvidia/*", "triton/*", "*libtriton*",
    "*QtWebEngine*", "*Qt6WebEngine*", "*libQt6Quick*", "*libQt6Qml*", "*Qt6Network*", "PySide6/Qt/qml/*",
    "*/QtNetwork.*",
]


def bundle_roots(app_dir: Path) -> list[Path]:
    """The folders PyInstaller puts the collected files in: `_internal/`, or a macOS .app's Frameworks (binaries)
    and Resources (data, linked from Frameworks)."""
    contents = app_dir / "Contents"
    if (contents / "Frameworks").is_dir():
        return [contents / "Frameworks", contents / "Resources"]
    if (app_dir / "_internal").is_dir():
        return [app_dir / "_internal"]
    raise SystemExit(f"{app_dir} does not look like a frozen rnnlab (no _internal/ or Contents/Frameworks/)")


def _files(app_dir: Path) -> tuple[list[Path], list[str]]:
    """Every file of the bundle: (paths, paths relative to their bundle root)."""
    files, rel = [], []
    for root in bundle_roots(app_dir):
        for p in root.rglob("*"):
            if p.is_file() or p.is_symlink():
                files.append(p)
                rel.append(p.relative_to(root).as_posix())
    return files, rel


def _executables(app_dir: Path) -> list[Path]:
    """The app's executables, outside the bundle roots: each carries PyInstaller's archive, the Python modules (PYZ),
    which the spec stores uncompressed, so they are among the biggest files."""
    folder = app_dir / "Contents" / "MacOS" if (app_dir / "Contents").is_dir() else app_dir
    return [p for p in folder.iterdir() if p.is_file() and not p.is_symlink()]


def biggest_files(app_dir: Path, count: int = 20) -> list[tuple[int, str]]:
    """The `count` biggest files (bytes, path inside the bundle; an executable by its name), links not counted: what
    to look at first when the download grows."""
    files, rel = _files(app_dir)
    sized = [(path.stat().st_size, r) for path, r in zip(files, rel) if path.is_file() and not path.is_symlink()]
    sized += [(path.stat().st_size, f"{path.name} (the executable, with the Python modules)")
              for path in _executables(app_dir)]
    return sorted(sized, reverse=True)[:count]


def inspect(app_dir: Path, platform: str = sys.platform) -> tuple[list[str], list[str], dict[str, int]]:
    """(forbidden files found, required patterns missing, bytes per top-level component)."""
    files, rel = _files(app_dir)
    bad = [r for r in rel if any(fnmatch(r, pattern) for pattern in FORBIDDEN)]
    missing = [pattern for pattern in trim.required_files(platform) if not any(fnmatch(r, pattern) for r in rel)]
    sizes: dict[str, int] = defaultdict(int)
    for path, r in zip(files, rel):
        if path.is_file() and not path.is_symlink():
            parts = r.split("/")
            key = "/".join(parts[:3]) if parts[0] in ("torch", "PySide6") and len(parts) > 2 else parts[0]
            sizes[key if len(parts) > 1 else "(top-level libraries)"] += path.stat().st_size
    return bad, missing, dict(sizes)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    bad, missing, sizes = inspect(Path(argv[0]))
    total = sum(sizes.values())
    print(f"bundle contents, {total / 2**20:.0f} MiB; the biggest parts:")
    for key, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {size / 2**20:7.1f} MiB  {key}")
    print("the 20 biggest files:")
    for size, rel in biggest_files(Path(argv[0])):
        print(f"  {size / 2**20:7.1f} MiB  {rel}")
    if bad:
        print(f"check_bundle: {len(bad)} files that must not ship (see packaging/trim.py): {bad[:10]}", file=sys.stderr)
    if missing:
        print(f"check_bundle: required files missing: {missing}", file=sys.stderr)
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
