"""The catalogs are complete and current: every message the code marks has a Turkish translation (the safety net for
strings added after the translation: re-extract, translate, compile), the committed .mo is the .po compiled, and a
translation keeps its message's placeholders (a missing `{name}` would raise KeyError where it is shown)."""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import pytest

babel = pytest.importorskip("babel")
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "resources" / "locale"
LANGS = ["tr"]


def code_messages() -> dict[tuple, tuple]:
    """(context, msgid) -> (msgid, plural or None, "file:line") for every message marked in rnnlab/."""
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT / "rnnlab"), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS):
        singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if not singular:
            continue
        found.setdefault((context, singular), (singular, plural, f"rnnlab/{filename}:{lineno}"))
    return found


def catalog(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "rnnlab.po", "rb") as f:
        return read_po(f, locale=lang)


def fields(text: str) -> set[str]:
    """The named placeholders of a brace-format message: {name}, {name:.3f} -> name."""
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError as e:
        return {f"<broken braces: {e}>"}


@pytest.fixture(scope="module")
def marked():
    return code_messages()


@pytest.mark.slow
def test_extraction_finds_the_marked_messages(marked):
    """The extraction really sees the program (a broken babel.cfg or keyword list would make every check vacuous)."""
    assert len(marked) > 300
    assert (None, "Train") in marked or any(m[0] == "Train" for m in marked.values())


@pytest.mark.parametrize("lang", LANGS)
def test_every_marked_message_has_a_translation(marked, lang):
    cat = catalog(lang)
    missing = []
    for (context, msgid), (_s, plural, where) in sorted(marked.items(), key=lambda kv: kv[1][2]):
        key = (msgid, plural) if plural else msgid
        entry = cat.get(key, context=context) or cat.get(msgid, context=context)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple):
            ok = all(strings)
        else:
            ok = bool(strings)
        if not ok or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}" + (" (fuzzy)" if entry is not None and entry.fuzzy else ""))
    assert not missing, (f"{len(missing)} message(s) without a {lang} translation; re-extract, update, translate "
                         "and compile (docs/translating.md):\n" + "\n".join(missing[:80]))


@pytest.mark.parametrize("lang", LANGS)
def test_no_fuzzy_or_empty_entries(lang):
    bad = [m.id for m in catalog(lang) if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple)
                                                                      else m.string))]
    assert not bad, f"fuzzy or empty in {lang}.po: {bad[:20]}"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang):
    wrong = []
    for m in catalog(lang):
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            want = fields(m.id[1]) | fields(m.id[0])
            forms = m.string if isinstance(m.string, tuple) else (m.string,)
            for form in forms:
                got = fields(form)
                if not got <= want or "n" in want and not (fields(m.id[0]) <= got or got == want):
                    wrong.append((m.id, form))
        elif m.string and fields(m.string) != fields(m.id):
            wrong.append((m.id, m.string))
    assert not wrong, "\n".join(f"{i!r} -> {s!r}" for i, s in wrong[:30])


@pytest.mark.parametrize("lang", LANGS)
def test_the_mo_is_the_po_compiled(lang):
    """The committed .mo says what the .po says (run `pybabel compile` after editing the .po)."""
    with open(LOCALE / lang / "LC_MESSAGES" / "rnnlab.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for m in catalog(lang):
        if not m.id or m.fuzzy:
            continue
        if isinstance(m.id, tuple):
            for n, form in ((1, 0), (2, 1)):
                got = mo.npgettext(m.context, m.id[0], m.id[1], n) if m.context else mo.ngettext(m.id[0], m.id[1], n)
                if got != m.string[form]:
                    stale.append(m.id[0])
        else:
            got = mo.pgettext(m.context, m.id) if m.context else mo.gettext(m.id)
            if got != m.string:
                stale.append(m.id)
    assert not stale, f"{lang}.mo is older than {lang}.po (pybabel compile -D rnnlab -d resources/locale): {stale[:10]}"


def test_no_message_is_glued_or_positional(marked):
    """Messages name their placeholders ({count}, not {} or {0}): a translator must know what goes where."""
    bad = [where for (_c, msgid), (_s, _p, where) in marked.items() if re.search(r"\{(\d*)(?:[:!][^}]*)?\}", msgid)]
    assert not bad, f"positional placeholders: {bad[:20]}"
