"""Translatable text: one string per language, Vietnamese required.

A record may write a translatable field either as a plain string (taken as
Vietnamese) or as a mapping of language code to string::

    name: Mật ong hoa rừng
    name: {vi: Mật ong hoa rừng, en: Wild-flower honey}

The value is an immutable mapping; ``resolve(lang)`` returns the text in the
wanted language or the Vietnamese fallback, and says which one it gave.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, NamedTuple

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

DEFAULT_LANGUAGE = "vi"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


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


def _localized_validator(cls: type[Localized]):
    def validate(value: Any) -> Localized:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            value = {DEFAULT_LANGUAGE: value}
        if not isinstance(value, Mapping):
            raise PydanticCustomError(
                "localized_type", "expected a text or a mapping of language to text"
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
            if text.strip():
                clean[lang] = text
        if DEFAULT_LANGUAGE not in clean:
            raise PydanticCustomError("localized_missing_vi", "the Vietnamese text is required")
        return cls(clean)

    return validate


def _schema(description: str) -> dict:
    mapping = {
        "type": "object",
        "required": [DEFAULT_LANGUAGE],
        "properties": {DEFAULT_LANGUAGE: {"type": "string", "minLength": 1}},
        "propertyNames": {"pattern": LANG_PATTERN},
        "additionalProperties": {"type": ["string", "null"]},
    }
    return {
        "description": description,
        "anyOf": [{"type": "string", "minLength": 1}, mapping],
    }


Text = Annotated[
    Localized,
    PlainValidator(_localized_validator(Localized)),
    PlainSerializer(dict),
    WithJsonSchema(
        _schema("Text in Vietnamese (a plain string) or per language: {vi: …, en: …}")
    ),
]

Markdown = Annotated[
    LocalizedMarkdown,
    PlainValidator(_localized_validator(LocalizedMarkdown)),
    PlainSerializer(dict),
    WithJsonSchema(
        _schema(
            "Markdown text in Vietnamese (a plain string) or per language. "
            "No raw HTML; links must be http(s)."
        )
    ),
]
