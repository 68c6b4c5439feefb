"""Whose catalog this is: the ``identity:`` options of the ``ocop`` plugin.

The engine names no province: the catalog's name, short name, region, tagline,
footer note, search examples, data licence and the OCOP office's contact come from
the catalog's configuration, per language (the default language required, others
falling back to it). They reach every output as UI strings (``site.name``,
``office.phone``…, see :meth:`Identity.apply`), so templates, feeds and print
assets read them like any other string, and a catalog can override any of them::

    identity:
      name: {vi: Sản phẩm OCOP Lào Cai, en: Lao Cai OCOP products}
      short_name: {vi: OCOP Lào Cai}
      region: {vi: Tỉnh Lào Cai}
      tagline: {vi: Danh mục sản phẩm OCOP tỉnh Lào Cai, có trạng thái chứng nhận.}
      footer_note: {vi: "…"}                     # optional
      search_examples: {vi: "mật ong, chè"}      # optional
      data_licence: {name: CC BY 4.0, url: https://creativecommons.org/licenses/by/4.0/}
      office:
        name: {vi: Văn phòng Điều phối Chương trình OCOP tỉnh Lào Cai}
        address: {vi: "…"}
        phone: "+84 …"
        email: ocop@example.gov.vn
        website: https://…
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import OptionError
from ..records.text import DEFAULT_LANGUAGE

#: Per-language texts: option → UI string key.
TEXTS = {"name": "site.name", "short_name": "site.short_name", "region": "site.region",
         "tagline": "site.tagline", "footer_note": "site.footer_note",
         "search_examples": "site.search_examples"}
REQUIRED = ("name",)
OFFICE_TEXTS = {"name": "office.name", "address": "office.address"}
OFFICE_PLAIN = {"phone": "office.phone", "email": "office.email", "website": "office.website"}
_KNOWN = {*TEXTS, "data_licence", "office"}
_URL = re.compile(r"^https?://[^\s<>\"']+$")


class IdentityError(OptionError):
    """A wrong ``identity:`` option; the message names it."""


@dataclass(frozen=True)
class Identity:
    #: UI string key → {language: text}.
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: UI string key → text, the same in every language (phone, e-mail, website).
    plain: Mapping[str, str] = field(default_factory=dict)

    @property
    def licence(self) -> tuple[str, str]:
        """(name, URL) of the data licence; empty strings when not given."""
        return self.plain.get("site.licence_name", ""), self.plain.get("site.licence_url", "")

    def apply(self, strings: Mapping[str, Mapping[str, str]]
              ) -> Mapping[str, Mapping[str, str]]:
        """UI strings with the identity's texts in every language (a language without its
        own text takes the default language's)."""
        result = {}
        for lang, table in strings.items():
            merged = dict(table)
            for key, by_lang in self.texts.items():
                text = by_lang.get(lang) or by_lang.get(DEFAULT_LANGUAGE)
                if text:
                    merged[key] = text
            merged.update(self.plain)
            examples = merged.get("site.search_examples")
            template = merged.get("search.placeholder_examples")
            if examples and template:
                merged["search.placeholder"] = template.replace("{examples}", examples)
            result[lang] = MappingProxyType(merged)
        return MappingProxyType(result)


def parse_identity(raw: Any, languages: tuple[str, ...]) -> Identity:
    """The checked ``identity`` options (IdentityError naming the first wrong one)."""
    if raw is None:
        raise IdentityError(
            "identity: missing; give at least the catalog's name in Vietnamese, e.g. "
            "identity: {name: {vi: Sản phẩm OCOP Lào Cai}} (see docs/configuration.md)")
    _mapping(raw, "identity")
    unknown = sorted(str(k) for k in raw if k not in _KNOWN)
    if unknown:
        raise IdentityError(f"identity.{unknown[0]}: unknown option (known: "
                            + ", ".join(sorted(_KNOWN)) + ")")
    texts: dict[str, Mapping[str, str]] = {}
    for option, key in TEXTS.items():
        if option in raw or option in REQUIRED:
            texts[key] = _per_language(raw.get(option), f"identity.{option}", languages)
    plain: dict[str, str] = {}
    licence = raw.get("data_licence")
    if licence is not None:
        _mapping(licence, "identity.data_licence")
        plain["site.licence_name"] = _line(licence.get("name"), "identity.data_licence.name")
        if licence.get("url") is not None:
            plain["site.licence_url"] = _url(licence["url"], "identity.data_licence.url")
    office = raw.get("office")
    if office is not None:
        _mapping(office, "identity.office")
        for option, key in OFFICE_TEXTS.items():
            if option in office or option == "name":
                texts[key] = _per_language(office.get(option), f"identity.office.{option}",
                                           languages)
        for option, key in OFFICE_PLAIN.items():
            if office.get(option) is not None:
                value = _line(office[option], f"identity.office.{option}")
                plain[key] = _url(value, f"identity.office.{option}") if option == "website" \
                    else value
    return Identity(MappingProxyType(texts), MappingProxyType(plain))


def _mapping(value: Any, where: str) -> None:
    if not isinstance(value, Mapping):
        raise IdentityError(f"{where}: expected a mapping, not {value!r}")


def _line(value: Any, where: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise IdentityError(f"{where}: expected a text, not {value!r}")
    if re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]",
                 value):
        raise IdentityError(f"{where}: a control character, line break or text-direction "
                            "override is not allowed")
    return value.strip()


def _url(value: str, where: str) -> str:
    if not _URL.match(value):
        raise IdentityError(f"{where}: expected an http(s) address, not {value!r}")
    return value


def _per_language(value: Any, where: str, languages: tuple[str, ...]) -> Mapping[str, str]:
    """``{vi: …, en: …}`` (a plain text counts as Vietnamese); the default language
    required, other languages of the site optional."""
    if isinstance(value, str):
        value = {DEFAULT_LANGUAGE: value}
    if value is None or not isinstance(value, Mapping):
        raise IdentityError(f"{where}: give the text per language, at least "
                            f"'{DEFAULT_LANGUAGE}', e.g. {{{DEFAULT_LANGUAGE}: …}}")
    texts = {}
    for lang, text in value.items():
        if lang not in languages:
            continue  # a language the site does not publish
        texts[lang] = _line(text, f"{where}.{lang}")
    if DEFAULT_LANGUAGE not in texts:
        raise IdentityError(f"{where}.{DEFAULT_LANGUAGE}: required (the catalog's default "
                            "language)")
    return MappingProxyType(texts)
