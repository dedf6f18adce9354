"""Cut the ICU data Qt ships (libicudata, 32 MB) to what an English and Turkish rnnlab uses (~7 MB).

    python packaging/icu_data.py dist/rnnlab/_internal      (build_linux.sh runs it after stripping)

Qt Core links ICU for case mapping (Turkish dotted and dotless i), collation, time zones and legacy text codecs; its
number and date formats come from Qt's own CLDR tables. libicudata.so is one symbol, `icudt<N>_dat`, holding a
package of ~3900 items: every locale's names of currencies, languages, regions, units and zones, collation rules,
transliterators and ~200 legacy code-page converters. This keeps the root, English and Turkish locales (the others
fall back to root, as ICU does for any locale it lacks), every locale-independent item (properties, case mapping,
normalisation, break rules, time zone rules), and drops the other locales, the transliterators and the code-page
converters (UTF-8/16/32, ASCII and Latin-1 are built into ICU's code; rnnlab decodes files with Python, never with Qt).
The result is rebuilt as a library of the same name and soname with ICU's own tools (icupkg, genccode: Debian's
icu-devtools) and gcc. A Turkish self-test of the frozen app checks it (build_linux.sh).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP_LOCALES = ("root", "en", "tr")
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9_]*)?\.res$")  # af.res, de_.res, zh_Hant_TW.res; not pool.res
_KEPT = re.compile(r"^(" + "|".join(KEEP_LOCALES) + r")(_[A-Za-z0-9_]*)?\.res$")


def dropped(item: str) -> bool:
    """True for a package item (e.g. "curr/de.res", "ibm-1390_P110-2003.cnv") that the bundle leaves out."""
    folder, _, name = item.rpartition("/")
    if name.endswith(".cnv") or folder == "translit":
        return True
    return bool(_LOCALE.match(name)) and not _KEPT.match(name) and name != "res_index.res"  # the list of locales


def _run(*cmd: str, cwd: Path | None = None) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=cwd).stdout


def data_symbol(lib: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the `icudt<N>_dat` symbol, from readelf's symbol and section tables."""
    symbols = _run("readelf", "-sW", str(lib))
    m = re.search(r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+(\d+)\s+(icudt\d+_dat)$",
                  symbols, re.M)
    if m is None:
        raise SystemExit(f"icu_data: no icudt<N>_dat symbol in {lib}")
    address, size, section, name = int(m.group(1), 16), int(m.group(2), 0), int(m.group(3)), m.group(4)
    sections = _run("readelf", "-SW", str(lib))
    s = re.search(r"^\s*\[\s*" + str(section) + r"\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", sections, re.M)
    if s is None:
        raise SystemExit(f"icu_data: section {section} of {lib} not found")
    return name, address - int(s.group(1), 16) + int(s.group(2), 16), size


def shrink(lib: Path) -> tuple[int, int]:
    """Replace `lib` (a libicudata.so.N) by one holding only the kept items; returns (bytes before, after)."""
    name, offset, size = data_symbol(lib)
    entry = name[: -len("_dat")]  # icudt73
    soname = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _run("readelf", "-dW", str(lib))).group(1)
    before = lib.stat().st_size
    with tempfile.TemporaryDirectory(prefix="rnnlab-icu-") as tmp_name:
        tmp = Path(tmp_name)
        package = tmp / f"{entry}l.dat"  # the name icupkg expects for items "icudt73l/..."
        with open(lib, "rb") as fh:
            fh.seek(offset)
            package.write_bytes(fh.read(size))
        items = _run("icupkg", "-l", str(package)).split()
        drop = [item for item in items if dropped(item)]
        (tmp / "drop.txt").write_text("\n".join(drop) + "\n", encoding="ascii")
        (tmp / "small").mkdir()
        _run("icupkg", "-r", str(tmp / "drop.txt"), str(package), str(tmp / "small" / package.name))
        _run("genccode", "-e", entry, "-a", "gcc", "-d", str(tmp), str(tmp / "small" / package.name))
        out = tmp / soname
        _run("gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(out),
             str(tmp / f"{entry}l_dat.S"))
        kept = len(_run("icupkg", "-l", str(tmp / "small" / package.name)).split())
        shutil.copymode(lib, out)
        shutil.move(str(out), lib)
    print(f"icu_data: {lib.name}: kept {kept} of {len(items)} items, {before / 2**20:.1f} MB -> "
          f"{lib.stat().st_size / 2**20:.1f} MB")
    return before, lib.stat().st_size


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    libs = [p for p in Path(argv[0]).rglob("libicudata.so*") if p.is_file() and not p.is_symlink()]
    if not libs:
        print("icu_data: no libicudata in the bundle: nothing to cut")
        return 0
    for lib in libs:
        shrink(lib)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
