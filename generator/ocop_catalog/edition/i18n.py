"""Interface strings and number/date formats for each site language.

Record text comes translated from the records; the words around it (menus,
labels, status names) come from ``theme/ocop/i18n/<lang>.yml``. A string
missing in a language falls back to Vietnamese, then to its key, so a new
language can be added one file at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType

import yaml
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from markupsafe import Markup, escape

from ..records.text import DEFAULT_LANGUAGE, Localized
from ..reuse import DAY_FORMS  # the forms the keys file records a day's places in

#: Names of languages in their own language, for the language switch.
NATIVE_NAMES = {"vi": "Tiếng Việt", "en": "English", "zh": "中文", "ko": "한국어", "ja": "日本語"}
#: Short labels for the language switch on narrow screens.
SHORT_NAMES = {"vi": "VI", "en": "EN", "zh": "中文", "ko": "한국어", "ja": "日本語"}
#: Babel locales where the bare code is not the best choice.
LOCALES = {"zh": "zh_Hans_CN"}


def og_locale(lang: str) -> str:
    """The Open Graph locale of a language (``vi_VN``, ``en_US``, ``zh_CN``): the
    language and the territory Babel's likely subtags give it (the code alone when
    Babel knows none)."""
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(lang.replace("-", "_"), ""))
    territory = likely.split("_")[-1] if likely.count("_") else ""
    return f"{lang.split('-')[0]}_{territory}" if territory.isalpha() and territory.isupper() \
        else lang


_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)




class _Mark(str):
    """A mark as text: formatted into a UI string as it is; a width, a precision or a
    conversion (``{date:>20}``, ``{date!r}``) fails, since the day's text would come out
    otherwise."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if spec:
            raise ValueError("the build day's mark formatted with a spec")
        return str.__str__(self)

    def __repr__(self) -> str:
        raise ValueError("the build day's mark converted")


class MarkedDay:
    """The build day as a page that may be carried over to a later day sees it
    (``today`` in its context; ``outputs/site/pages.py``): it prints as a mark,
    ``today.isoformat()`` as ``<prefix>iso<END>`` and ``t.date(today, form)`` as
    ``<prefix><form><END>``, which the page's writer replaces with the day's text and
    whose places it records, so that the next build day writes the day's text into the
    same places instead of rendering the page again. Any other use of it (a comparison,
    a truth value, an attribute, a date form but :data:`DAY_FORMS`) fails, and the page is
    rendered with the day itself."""

    __slots__ = ("prefix",)

    #: Ends a mark.
    END = "\ue001"

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def isoformat(self) -> str:
        return _Mark(f"{self.prefix}iso{self.END}")

    __str__ = isoformat

    def mark(self, form: str) -> str:
        if form not in DAY_FORMS[1:]:
            raise ValueError(f"a date form the page cannot be carried over with: {form!r}")
        return _Mark(f"{self.prefix}{form}{self.END}")

    def _refused(self, *args: object) -> bool:
        raise TypeError("the build day used otherwise than printed")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = _refused
    __hash__ = None  # type: ignore[assignment]


def load_strings(folder: Path, languages: tuple[str, ...]) -> Mapping[str, Mapping[str, str]]:
    """UI strings per language from ``<folder>/<lang>.yml``."""
    strings: dict[str, Mapping[str, str]] = {}
    for lang in languages:
        path = folder / f"{lang}.yml"
        # libyaml's safe loader where PyYAML has it: the same data, ten times faster (every
        # build, and every 'ocop serve' rebuild, reads the strings of each language)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE) if path.is_file() else {}
        strings[lang] = MappingProxyType({str(k): str(v) for k, v in (data or {}).items()})
    return MappingProxyType(strings)


@dataclass(frozen=True)
class Translator:
    """Everything a template needs to speak one language."""

    lang: str
    strings: Mapping[str, Mapping[str, str]]

    @cached_property
    def ui(self) -> Mapping[str, str]:
        """Every UI string of this language (with fallbacks), for ``ui['key']`` lookups."""
        keys = set(self.strings.get(DEFAULT_LANGUAGE, {})) | set(self.strings.get(self.lang, {}))
        return MappingProxyType({key: self(key) for key in keys})

    @cached_property
    def locale(self) -> str:
        return LOCALES.get(self.lang, self.lang)

    def __call__(self, key: str, **params: object) -> str:
        """The UI string ``key`` in this language (Vietnamese, then the key, as fallback)."""
        text = self.strings.get(self.lang, {}).get(key)
        if text is None:
            text = self.strings.get(DEFAULT_LANGUAGE, {}).get(key, key)
        return text.format(**params) if params else text

    def text(self, value: Localized | None) -> Markup:
        """Record text in this language; Vietnamese fallback is marked ``lang="vi"``."""
        if value is None:
            return Markup("")
        resolved = value.resolve(self.lang)
        if resolved.lang == self.lang:
            return escape(resolved.text)
        # what Markup(...).format(lang, text) makes, without its string.Formatter (a page
        # in a language few records are written in shows dozens of these)
        return Markup(f'<span lang="{escape(resolved.lang)}" class="ocop-fallback">'
                      f'{escape(resolved.text)}</span>')

    def plain(self, value: Localized | None) -> str:
        """Record text in this language (or Vietnamese) as plain text."""
        return "" if value is None else value(self.lang)

    def has(self, value: Localized | None) -> bool:
        """Whether ``value`` is really written in this language."""
        return value is not None and value.resolve(self.lang).lang == self.lang

    def price(self, amount: int) -> str:
        return _price(amount, self.locale)

    def number(self, value: float) -> str:
        return _number(value, self.locale)

    def date(self, value: dt.date | MarkedDay, form: str = "long") -> str:
        if type(value) is MarkedDay:
            return value.mark(form)
        return _date(value, form, self.locale)


@lru_cache(maxsize=65536)
def _price(amount: int, locale: str) -> str:
    return format_currency(amount, "VND", locale=locale)


@lru_cache(maxsize=4096)
def _number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


@lru_cache(maxsize=65536)
def _date(value: dt.date, form: str, locale: str) -> str:
    return format_date(value, format=form, locale=locale)
