"""One translation machinery for the whole program: standard gettext catalogs, English source strings.

The catalogs live in `resources/locale/<lang>/LC_MESSAGES/rnnlab.po` (the source, edited by translators) and `.mo`
(compiled with Babel, committed so that a checkout, an installed copy and the frozen app read the same file;
`tests/i18n/test_catalogs.py` fails when a `.mo` is older than its `.po`). See `docs/translating.md`.

Use it the gettext way, in every layer (this module is a leaf: no Qt, no torch):

    from rnnlab.i18n import _, ngettext, N_
    _("Training finished")                      # translated now, in the current language
    ngettext("{n} step", "{n} steps", n).format(n=n)
    HELP = N_("Learning rate")                  # marked for extraction; shown later with _(HELP)

Messages are whole sentences with named placeholders (`{name}`), never glued from fragments, so a translator can
move the words. The current language is process-wide: the CLI sets it from `--lang`/`RNNLAB_LANG`, the window from
View > Language. Run files, CSV exports and logs never hold translated text: they store numbers and keys.
"""

from __future__ import annotations

import gettext
import os
import sys
import threading
from typing import Callable, Optional

DOMAIN = "rnnlab"
LANGUAGES = {"en": "English", "tr": "Türkçe"}  # code -> the language's own name (what the menu shows)
DEFAULT = "en"

_lock = threading.Lock()
_state = {"lang": DEFAULT, "catalog": gettext.NullTranslations()}
_listeners: list[Callable[[str], None]] = []


def locale_dir():
    from .resources import resource

    return resource("locale")


def _load(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(locale_dir()), languages=[lang], fallback=True)


def set_language(lang: str) -> str:
    """Switch the process to `lang` ("en" or "tr"; anything else falls back to English); returns the code in use."""
    lang = normalise(lang) or DEFAULT
    catalog = _load(lang)
    with _lock:
        _state["lang"], _state["catalog"] = lang, catalog
        _patterns.pop(lang, None)
        listeners = list(_listeners)
    for listener in listeners:
        listener(lang)
    return lang


def language() -> str:
    return _state["lang"]


def on_change(listener: Callable[[str], None]) -> None:
    """Call `listener(lang)` after each `set_language` (the window re-translates itself)."""
    with _lock:
        _listeners.append(listener)


# Languages that write a decimal number with a comma (0,005): number fields accept and show it; files never do.
DECIMAL_COMMA = {"tr"}


def decimal_comma() -> bool:
    """Whether the current language writes decimals with a comma (what the form accepts and shows)."""
    return _state["lang"] in DECIMAL_COMMA


def off_change(listener: Callable[[str], None]) -> None:
    """Stop calling `listener` (a window that closed)."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def _(message: str) -> str:
    return _state["catalog"].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _state["catalog"].ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is shown (a menu title against a verb, say)."""
    return _state["catalog"].pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for extraction only: module-level texts (help strings, names) are translated where shown."""
    return message


# The operating system's reasons, which Python gives in English whatever the language (errno -> message).
_OS_REASONS = {"ENOENT": N_("No such file or directory"), "EACCES": N_("Permission denied"),
               "EPERM": N_("Operation not permitted"), "EISDIR": N_("Is a directory"), "ENOTDIR": N_("Not a directory"),
               "ENOSPC": N_("No space left on device"), "EROFS": N_("Read-only file system"),
               "EEXIST": N_("File exists"), "ENAMETOOLONG": N_("File name too long"), "ELOOP": N_("Too many levels of symbolic links")}


def strerror(exc: BaseException) -> str:
    """An OSError's reason in the current language (the common ones), else as the system says it."""
    import errno

    name = errno.errorcode.get(getattr(exc, "errno", None) or -1)
    if name in _OS_REASONS:
        return _(_OS_REASONS[name])
    return getattr(exc, "strerror", None) or str(exc)


_patterns: dict[str, list] = {}


def _message_patterns(lang: str) -> list:
    """(regex, msgid) for every catalog message with placeholders, the most specific first (see translate_text)."""
    import re

    if lang not in _patterns:
        catalog = _state["catalog"]
        out = []
        for key in getattr(catalog, "_catalog", {}):
            if not isinstance(key, str) or "{" not in key:
                continue
            parts = re.split(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}", key)
            if len(parts) < 3:
                continue
            regex, seen = "", set()
            for i, part in enumerate(parts):
                if i % 2 == 0:
                    regex += re.escape(part.replace("{{", "{").replace("}}", "}"))
                elif part in seen:
                    regex += f"(?P={part})"
                else:
                    seen.add(part)
                    regex += f"(?P<{part}>.+?)"
            literal = sum(len(p) for p in parts[::2])
            try:
                out.append((literal, re.compile(regex, re.S), key))
            except re.error:
                continue
        out.sort(key=lambda item: -item[0])
        _patterns[lang] = [(rx, key) for _n, rx, key in out]
    return _patterns[lang]


def translate_text(text: str) -> str:
    """An English text made from a catalog message, in the current language: what the engine keeps in English for
    its files (a run's message in summary.json: "Finished at step 300: test MSE 0.01") is said in the user's language
    where it is shown. The values are put back as they were written (a value that is itself a message, such as
    "gradient norm", is translated too); a text no message made is returned as it is."""
    import re

    if not text or language() == DEFAULT:
        return text
    direct = _(text)
    if direct != text:
        return direct
    for regex, msgid in _message_patterns(language()):
        m = regex.fullmatch(text)
        if m is None:
            continue
        target = re.sub(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}", r"{\1}", _(msgid))
        values = {name: _value_text(value) for name, value in m.groupdict().items()}
        try:
            return target.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def _value_text(value: str) -> str:
    """A value inside a translated message: itself a message ("gradient norm"), a list of "name number" pairs
    ("seasonal naive 51.8, last value 53.7"), or anything else as it is."""
    if _(value) != value:
        return _(value)
    if ", " in value:
        items = []
        for item in value.split(", "):
            name, _sep, number = item.rpartition(" ")
            items.append(f"{_(name)} {number}" if name and _(name) != name else item)
        return ", ".join(items)
    return value


def normalise(code: Optional[str]) -> Optional[str]:
    """'tr_TR.UTF-8', 'tr-TR', 'TR', 'Türkçe'... -> 'tr'; None when it names no language rnnlab speaks."""
    if not code:
        return None
    head = code.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].casefold()
    if head in LANGUAGES:
        return head
    for key, name in LANGUAGES.items():
        if code.strip().casefold() == name.casefold():
            return key
    return None


def system_language() -> str:
    """The user's language from the system: the POSIX variables in gettext's order, else the platform's UI locale."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            for part in value.split(":"):  # LANGUAGE may list several: the first one rnnlab speaks wins
                lang = normalise(part)
                if lang:
                    return lang
            if var != "LANGUAGE":
                return DEFAULT  # a set LC_ALL/LANG in a language rnnlab does not speak: English
    if sys.platform == "win32":
        try:
            import ctypes
            import locale

            lang_id = ctypes.windll.kernel32.GetUserDefaultUILanguage()
            return normalise(locale.windows_locale.get(lang_id, "")) or DEFAULT
        except (AttributeError, OSError, ValueError):
            return DEFAULT
    if sys.platform == "darwin":
        import subprocess

        try:
            out = subprocess.run(["defaults", "read", "-g", "AppleLanguages"], capture_output=True, text=True,
                                 timeout=2).stdout
            for token in out.replace("(", " ").replace(")", " ").replace(",", " ").replace('"', " ").split():
                return normalise(token) or DEFAULT
        except (OSError, subprocess.SubprocessError):
            return DEFAULT
    return DEFAULT


def choose(explicit: Optional[str] = None, saved: Optional[str] = None) -> str:
    """The language to start in: `--lang`, then RNNLAB_LANG, then the saved choice, then the system's."""
    for candidate in (explicit, os.environ.get("RNNLAB_LANG"), saved):
        lang = normalise(candidate)
        if lang:
            return lang
    return system_language()
