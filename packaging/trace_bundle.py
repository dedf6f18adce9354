"""Which files of a frozen rnnlab does a real session never open? The list to read before trimming more.

    python packaging/trace_bundle.py dist/rnnlab [--top 30]

Runs packaging/session_check.sh (the self-test's window, every task, a race, an export) on the frozen app under
`strace -f -e trace=openat,open,execve`, then prints the biggest files of the bundle that no process of the session
opened, and how much of the bundle was opened at all. Python modules live in PyInstaller's archive (one file, always
opened): which of them a session imports is another trace, `PYTHONPROFILEIMPORTTIME=1` on a source checkout (see
trim.EXCLUDED_MODULES). A file in the list is a candidate, not a verdict: a plugin may load only on a real display or
in another locale, so every new rule in trim.py is proved by the build's own session check.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENED = re.compile(r'(?:openat|open|execve)\((?:AT_FDCWD, )?"([^"]+)"[^)]*\)\s*=\s*\d')


def opened_files(app: Path) -> set[str]:
    """Real paths of every file a session_check.sh run of `app` opened successfully."""
    with tempfile.TemporaryDirectory(prefix="rnnlab-trace-") as tmp:
        log = Path(tmp) / "strace.log"
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat,open,execve", "-o", str(log),
                        str(HERE / "session_check.sh"), str(app / "rnnlab")], check=True)
        paths = set()
        for line in log.read_text(errors="replace").splitlines():
            m = OPENED.search(line)
            if m:
                paths.add(os.path.realpath(m.group(1)))
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", type=Path, help="the frozen folder, e.g. dist/rnnlab")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    app = args.app.resolve()
    opened = opened_files(app)
    files = [p for p in app.rglob("*") if p.is_file() and not p.is_symlink()]
    never = sorted(((p.stat().st_size, p) for p in files if os.path.realpath(p) not in opened), reverse=True)
    total = sum(p.stat().st_size for p in files)
    unused = sum(size for size, _ in never)
    print(f"{len(files)} files, {total / 2**20:.0f} MB; never opened by the session: {len(never)} files, "
          f"{unused / 2**20:.0f} MB. The biggest of those:")
    for size, path in never[:args.top]:
        print(f"  {size / 2**20:7.1f} MB  {path.relative_to(app)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
