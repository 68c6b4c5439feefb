"""Translatable text: one string per language, Vietnamese required.

A record may write a translatable field either as a plain string (taken as
Vietnamese) or as a mapping of language code to string::

    name: Mật ong hoa rừng
    name: {vi: Mật ong hoa rừng, en: Wild-flower honey}

The value is an immutable mapping; ``resolve(lang)`` returns the text in the
wanted language or the Vietnamese fallback, and says which one it gave.

Text is text: every text of a record, translatable or not, is refused when it
holds a control character (C0, DEL, C1), a line or paragraph separator, a
text-direction override or isolate (U+202A–U+202E, U+2066–U+2069: "Trojan
Source" reordering), a lone surrogate or U+FFFE/U+FFFF. Only Markdown texts may
span lines, so only they may hold a tab or a line feed. A text with nothing
visible in it is refused, except that an empty or all-space translation counts
as not written.

A text in a language the site does not publish is checked like any other, then
left out of the value (:class:`PublishedLanguages`): the loader counts these
texts and says so once per run; the file is never changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Annotated, Any, NamedTuple

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

DEFAULT_LANGUAGE = "vi"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"

#: Most languages one translatable text may be written in.
MAX_LANGUAGES = 20

_NOT_TEXT = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
             "\ud800-\udfff\ufffe\uffff")
#: Characters no text may hold; one-line texts may not hold a tab or line feed either.
_FORBIDDEN_MULTILINE = re.compile(f"[{_NOT_TEXT}]")
_FORBIDDEN_ONE_LINE = re.compile(f"[\t\n{_NOT_TEXT}]")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_CONTROL_NAMES = {
    0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "TAB", 0x0A: "LINE FEED",
    0x0B: "LINE TABULATION", 0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE",
    0x7F: "DELETE", 0x85: "NEXT LINE",
}
#: Letters that show nothing (Hangul fillers, the braille blank).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class BadCharacter(NamedTuple):
    """A character a text may not hold: where it is (0-based) and what it is."""

    offset: int
    char: str

    @property
    def is_line_break(self) -> bool:
        return self.char in _LINE_BREAKS

    def describe(self) -> str:
        """``U+001B (ESCAPE)``."""
        code = ord(self.char)
        name = _CONTROL_NAMES.get(code) or unicodedata.name(self.char, "")
        if not name:
            name = ("surrogate" if 0xD800 <= code <= 0xDFFF else
                    "non-character" if code in (0xFFFE, 0xFFFF) else "control character")
        return f"U+{code:04X} ({name})"


def bad_character(text: str, *, multiline: bool = False) -> BadCharacter | None:
    """The first character ``text`` may not hold, or None."""
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_ONE_LINE).search(text)
    return BadCharacter(found.start(), found.group()) if found else None


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only spaces, controls, zero-width characters…"""
    first = text[:1]
    if first.isalnum() and first not in _BLANK_LETTERS:  # a letter or digit: shows (most do)
        return False
    return not any(
        not ch.isspace() and unicodedata.category(ch)[0] not in "CZ" and ch not in _BLANK_LETTERS
        for ch in text
    )


def check_plain_text(value: str) -> str:
    """A pydantic after-validator for one-line text that is not translated."""
    bad = bad_character(value)
    if bad is not None:
        raise _bad_character_error(bad)
    return value


def _bad_character_error(
    bad: BadCharacter, lang: str | None = None, *, multiline: bool = False
) -> PydanticCustomError:
    """The error for ``bad``: a line break in one-line text has its own message."""
    return PydanticCustomError(
        "text_line_break" if bad.is_line_break and not multiline else "text_control",
        "character {position} of the text is {char}, which is not allowed",
        {"position": bad.offset + 1, "offset": bad.offset, "code": ord(bad.char),
         "char": bad.describe(), "lang": lang or ""},
    )


class Resolved(NamedTuple):
    """A text in one language, with the language it is really written in."""

    text: str
    lang: str


class Localized(Mapping[str, str]):
    """An immutable language → text mapping that always has Vietnamese."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str]):
        self._data = dict(data)

    def __getitem__(self, lang: str) -> str:
        return self._data[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # the dict's own views and lookups (Mapping's would call __getitem__ per language)
    def __contains__(self, lang: object) -> bool:
        return lang in self._data

    def get(self, lang: str, default: Any = None) -> Any:
        return self._data.get(lang, default)

    def keys(self) -> KeysView[str]:
        return self._data.keys()

    def values(self) -> ValuesView[str]:
        return self._data.values()

    def items(self) -> ItemsView[str, str]:
        return self._data.items()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def resolve(self, lang: str) -> Resolved:
        """The text in ``lang``, or the Vietnamese text when it is missing."""
        text = self._data.get(lang)
        if text:
            return Resolved(text, lang)
        return Resolved(self._data[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE)

    def __call__(self, lang: str) -> str:
        return self.resolve(lang).text


class LocalizedMarkdown(Localized):
    """Translatable Markdown (descriptions): checked for raw HTML and links."""


_LANGUAGE_CODE = re.compile(LANG_PATTERN)


def is_language_code(key: str) -> bool:
    """Whether ``key`` is written as a language code (``en``, ``zh``, ``zh-Hant``)."""
    return _LANGUAGE_CODE.match(key) is not None


#: The key of the validation context (``model_validate(data, context={PUBLISHED: …})``)
#: that holds the site's :class:`PublishedLanguages`.
PUBLISHED = "published_languages"
#: The key of the validation context that says the data is what this program wrote of
#: records it had validated (the records memo, :mod:`.memo`, whose entries are taken only
#: for files with the stat signatures it recorded, under the key of this code): a
#: translated text stored as a mapping of texts of allowed lengths, Vietnamese among them,
#: is taken as it is (the characters and blankness it was checked for then are not checked
#: again: about a quarter of a second of loading 10,000 products), its languages still
#: filtered by :data:`PUBLISHED`; any other value is checked in full.
STORED = "stored_by_this_program"


class PublishedLanguages:
    """The languages a site publishes, given to validation as its context.

    A text in a language the site does not publish (a language code not among
    ``languages``) is left out of the validated value, as if it were not written,
    and counted in ``ignored`` (language → texts); the file keeps it. Without this
    context every language is kept.
    """

    def __init__(self, languages: tuple[str, ...] | frozenset[str]) -> None:
        self.languages = frozenset(languages) | {DEFAULT_LANGUAGE}
        self.ignored: dict[str, int] = {}

    def keep(self, clean: dict[str, str]) -> dict[str, str]:
        """``clean`` without the texts in languages that are not published."""
        unpublished = [lang for lang in clean
                       if lang not in self.languages and is_language_code(lang)]
        for lang in unpublished:
            del clean[lang]
            self.ignored[lang] = self.ignored.get(lang, 0) + 1
        return clean


def _localized_validator(cls: type[Localized], max_length: int):
    multiline = issubclass(cls, LocalizedMarkdown)

    def validate(value: Any, info: ValidationInfo) -> Localized:
        if isinstance(value, cls):
            return value
        context = info.context
        if type(value) is dict and type(context) is dict and context.get(STORED) \
                and DEFAULT_LANGUAGE in value and len(value) <= MAX_LANGUAGES:
            for text in value.values():
                if type(text) is not str or not 0 < len(text) <= max_length:
                    break  # not as this program stores a text: checked in full below
            else:
                published = context.get(PUBLISHED)
                return cls(published.keep(dict(value)) if published is not None else value)
        keyed = not isinstance(value, str)
        if not keyed:
            value = {DEFAULT_LANGUAGE: value}
        if not isinstance(value, Mapping):
            raise PydanticCustomError(
                "localized_type", "expected a text or a mapping of language to text"
            )
        if len(value) > MAX_LANGUAGES:
            raise PydanticCustomError(
                "too_long", "too many languages",
                {"max_length": MAX_LANGUAGES, "actual_length": len(value)},
            )
        clean: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(lang, str):
                raise PydanticCustomError("localized_type", "language codes must be text")
            if text is None:
                continue  # an empty translation is the same as no translation
            if not isinstance(text, str):
                raise PydanticCustomError(
                    "localized_value", "the {lang} text must be a string", {"lang": lang}
                )
            where = lang if keyed else ""
            bad = bad_character(text, multiline=multiline)
            if bad is not None:
                raise _bad_character_error(bad, where, multiline=multiline)
            if not text.strip():
                continue  # an empty translation is the same as no translation
            if is_blank(text):  # zero-width characters and the like: shows nothing
                raise PydanticCustomError("text_blank", "the text shows nothing", {"lang": where})
            if len(text) > max_length:
                raise PydanticCustomError(
                    "localized_too_long", "the {lang} text is too long",
                    {"lang": where, "max_length": max_length, "actual_length": len(text)},
                )
            clean[lang] = text
        if DEFAULT_LANGUAGE not in clean:
            raise PydanticCustomError("localized_missing_vi", "the Vietnamese text is required")
        published = info.context.get(PUBLISHED) if isinstance(info.context, dict) else None
        if published is not None:
            clean = published.keep(clean)
        return cls(clean)

    return validate


#: The characters a text may not hold, for the JSON Schemas (editors underline them).
_SCHEMA_NOT_TEXT = ("\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029"
                    "\\u202a-\\u202e\\u2066-\\u2069\\ufffe\\uffff")


def _schema(description: str, max_length: int, multiline: bool) -> dict:
    forbidden = _SCHEMA_NOT_TEXT if multiline else _SCHEMA_NOT_TEXT + "\\t\\n"
    allowed = f"^[^{forbidden}]*$"
    text = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": allowed}
    mapping = {
        "type": "object",
        "required": [DEFAULT_LANGUAGE],
        "properties": {DEFAULT_LANGUAGE: text},
        "propertyNames": {"pattern": LANG_PATTERN},
        "additionalProperties": {"type": ["string", "null"], "maxLength": max_length,
                                 "pattern": allowed},
        "maxProperties": MAX_LANGUAGES,
    }
    return {"description": description, "anyOf": [text, mapping]}


def text_type(max_length: int, *, markdown: bool = False) -> Any:
    """Translatable text of at most ``max_length`` characters per language; Markdown
    (several lines, checked for raw HTML and links) when ``markdown``."""
    cls = LocalizedMarkdown if markdown else Localized
    if markdown:
        description = ("Markdown text in Vietnamese (a plain string) or per language, "
                       f"at most {max_length} characters each. No raw HTML; links must be "
                       "http(s).")
    else:
        description = ("Text in Vietnamese (a plain string) or per language: {vi: …, en: …}, "
                       f"one line of at most {max_length} characters each")
    return Annotated[
        cls,
        PlainValidator(_localized_validator(cls, max_length)),
        PlainSerializer(dict),
        WithJsonSchema(_schema(description, max_length, markdown)),
    ]


#: The longest name-like text (names, issuers, streets): characters per language.
TEXT_MAX = 200
#: The longest Markdown text (descriptions): characters per language.
MARKDOWN_MAX = 20_000

Text = text_type(TEXT_MAX)
Markdown = text_type(MARKDOWN_MAX, markdown=True)
