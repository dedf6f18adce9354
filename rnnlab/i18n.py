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
