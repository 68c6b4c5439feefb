"""The ``feeds:`` options of the ``ocop`` plugin in site_config.yml, checked.

Every option has a default, so ``feeds: {}`` (or no ``feeds`` key) writes
every feed. A wrong option stops the build with a message that names it
(``feeds.exports[0].columns["Giá"]: …``) rather than writing a feed that a
marketplace rejects later. See docs/feeds.md for the reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import OptionError
from ...records.text import DEFAULT_LANGUAGE


class FeedOptionError(OptionError):
    """A ``feeds:`` option in site_config.yml is wrong; the message names it."""


@dataclass(frozen=True)
class ChannelOptions:
    """A per-language marketplace feed (Google, Meta)."""

    enabled: bool
    languages: tuple[str, ...]


@dataclass(frozen=True)
class AtomOptions:
    enabled: bool
    entries: int


@dataclass(frozen=True)
class SalesPointFeedOptions:
    enabled: bool
    page_size: int


@dataclass(frozen=True)
class KioskOptions:
    enabled: bool
    languages: tuple[str, ...]
    seconds: int
    max_slides: int
    check_minutes: int
    #: Digital-signage mode: no buttons on the screen (keys and touch still work);
    #: ``?signage=1`` / ``?signage=0`` in a screen's URL turns it on or off there.
    signage: bool = False


@dataclass(frozen=True)
class Column:
    """One column of an export sheet (see ocop_catalog.outputs.feeds.export)."""

    header: str
    field: str | None = None
    value: str | None = None
    default: str = ""
    map: Mapping[str, str] | None = None
    join: str = ", "
    max_length: int | None = None
    plain: bool = False


@dataclass(frozen=True)
class ExportOptions:
    name: str
    file: str
    language: str
    include_expired: bool
    goods_only: bool
    bom: bool
    delimiter: str
    columns: tuple[Column, ...]
    #: ``csv`` (also .tsv, .txt) or ``xlsx`` (an Excel workbook, XlsxWriter)
    format: str = "csv"
    #: The worksheet's name in an xlsx file (Excel allows 31 characters, none of []:*?/\)
    sheet: str = ""


@dataclass(frozen=True)
class FeedOptions:
    include_expired: bool
    google: ChannelOptions
    meta: ChannelOptions
    catalog: bool
    atom: AtomOptions
    sales_points: SalesPointFeedOptions
    kiosk: KioskOptions
    exports: tuple[ExportOptions, ...]


_TOP = {"include_expired", "google", "meta", "catalog", "atom", "sales_points", "kiosk",
        "exports"}
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.(csv|tsv|txt|xlsx)$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_COLUMN_KEYS = {"field", "value", "default", "map", "join", "max_length", "plain"}


def feed_options(options: Mapping[str, Any], languages: tuple[str, ...]) -> FeedOptions:
    """The ``feeds`` entry of the ``ocop`` plugin options, checked: what every feed output
    is given (each reads its own section)."""
    return parse_options(options.get("feeds"), languages)


def parse_options(raw: Mapping[str, Any] | None, languages: Sequence[str]) -> FeedOptions:
    """The checked options; raises FeedOptionError naming the first wrong one."""
    raw = {} if raw is None else raw
    _mapping(raw, "feeds")
    _known(raw, _TOP, "feeds")
    languages = tuple(languages)
    include_expired = _bool(raw.get("include_expired", False), "feeds.include_expired")

    def enabled(section: Mapping[str, Any], key: str) -> bool:
        return _bool(section.get("enabled", True), f"feeds.{key}.enabled")

    def channel(key: str) -> ChannelOptions:
        section = _section(raw, key, {"enabled", "languages"})
        return ChannelOptions(enabled(section, key),
                              _languages(section.get("languages", languages), languages,
                                         f"feeds.{key}.languages"))

    atom = _section(raw, "atom", {"enabled", "entries"})
    points = _section(raw, "sales_points", {"enabled", "page_size"})
    kiosk = _section(raw, "kiosk", {"enabled", "languages", "seconds", "max_slides",
                                    "check_minutes", "signage"})
    kiosk_languages = _languages(kiosk.get("languages", languages[:2]), languages,
                                 "feeds.kiosk.languages")
    if not 1 <= len(kiosk_languages) <= 2:
        raise FeedOptionError("feeds.kiosk.languages: give one or two languages "
                              "(the first is the main one), e.g. [vi, en]")
    exports = raw.get("exports", [])
    if not isinstance(exports, list):
        raise FeedOptionError("feeds.exports: expected a list of export profiles")
    parsed_exports = tuple(_export(item, i, languages, include_expired)
                           for i, item in enumerate(exports))
    files = [e.file for e in parsed_exports]
    for i, name in enumerate(files):
        if name in files[:i]:
            raise FeedOptionError(f"feeds.exports[{i}].file: {name!r} is used by another "
                                  "export profile")
    return FeedOptions(
        include_expired=include_expired,
        google=channel("google"),
        meta=channel("meta"),
        catalog=_bool(raw.get("catalog", True), "feeds.catalog"),
        atom=AtomOptions(enabled(atom, "atom"),
                         _int(atom.get("entries", 100), "feeds.atom.entries", 1, 10_000)),
        sales_points=SalesPointFeedOptions(
            enabled(points, "sales_points"),
            _int(points.get("page_size", 100), "feeds.sales_points.page_size", 1, 1000)),
        kiosk=KioskOptions(
            enabled=enabled(kiosk, "kiosk"),
            languages=kiosk_languages,
            seconds=_int(kiosk.get("seconds", 8), "feeds.kiosk.seconds", 2, 600),
            max_slides=_int(kiosk.get("max_slides", 60), "feeds.kiosk.max_slides", 1, 500),
            check_minutes=_int(kiosk.get("check_minutes", 5), "feeds.kiosk.check_minutes",
                               1, 1440),
            signage=_bool(kiosk.get("signage", False), "feeds.kiosk.signage"),
        ),
        exports=parsed_exports,
    )


# --------------------------------------------------------------------------
# Export profiles
# --------------------------------------------------------------------------


def _export(raw: Any, index: int, languages: tuple[str, ...],
            include_expired: bool) -> ExportOptions:
    where = f"feeds.exports[{index}]"
    _mapping(raw, where)
    _known(raw, {"name", "file", "language", "include_expired", "goods_only", "bom",
                 "delimiter", "columns", "format", "sheet"}, where)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FeedOptionError(f"{where}.name: give the profile a name, e.g. name: shopee")
    file = raw.get("file")
    if not isinstance(file, str) or not _FILE.match(file):
        raise FeedOptionError(
            f"{where}.file: {file!r} is not a plain file name ending in .csv, .tsv, .txt or "
            ".xlsx (letters, digits, '.', '_' and '-'; it is written under feeds/exports/)")
    fmt = raw.get("format", "xlsx" if file.endswith(".xlsx") else "csv")
    if fmt not in ("csv", "xlsx"):
        raise _bilingual(f"{where}.format", f"{fmt!r}: ghi csv (cả cho tệp .tsv, .txt) hoặc "
                         "xlsx (bảng tính Excel)", f"{fmt!r}: use csv (also for .tsv and .txt "
                         "files) or xlsx (an Excel workbook)")
    if (fmt == "xlsx") != file.endswith(".xlsx"):
        raise _bilingual(f"{where}.file", f"{file!r} không khớp với format: {fmt}; bảng tính "
                         "Excel có đuôi .xlsx, tệp CSV hay TSV có đuôi .csv, .tsv hoặc .txt",
                         f"{file!r} does not match format: {fmt}; an Excel workbook is named "
                         ".xlsx, a CSV or TSV file .csv, .tsv or .txt")
    sheet = raw.get("sheet", name.strip())
    if not isinstance(sheet, str) or not sheet.strip():
        raise _bilingual(f"{where}.sheet", f"cần tên trang tính (một dòng chữ), không phải "
                         f"{sheet!r}", f"expected the worksheet's name (a text), not {sheet!r}")
    sheet = _SHEET_FORBIDDEN.sub("-", sheet.strip())[:31].strip("'") or "Sheet1"
    language = raw.get("language", DEFAULT_LANGUAGE)
    if language not in languages:
        raise FeedOptionError(f"{where}.language: {language!r} is not one of the site's "
                              f"languages {list(languages)}")
    delimiter = raw.get("delimiter", "\t" if file.endswith(".tsv") else ",")
    if delimiter not in (",", ";", "\t", "|"):
        raise FeedOptionError(f"{where}.delimiter: {delimiter!r}; use ',', ';', '|' or a tab")
    columns = raw.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise FeedOptionError(f"{where}.columns: give the sheet's columns as "
                              "'Header': field, e.g. {\"Tên sản phẩm\": name}")
    return ExportOptions(
        name=name.strip(),
        file=file,
        language=language,
        include_expired=_bool(raw.get("include_expired", include_expired),
                              f"{where}.include_expired"),
        goods_only=_bool(raw.get("goods_only", True), f"{where}.goods_only"),
        bom=_bool(raw.get("bom", False), f"{where}.bom"),
        delimiter=delimiter,
        format=fmt,
        sheet=sheet,
        columns=tuple(_column(str(header), spec, f'{where}.columns["{header}"]')
                      for header, spec in columns.items()),
    )


def _column(header: str, spec: Any, where: str) -> Column:
    if isinstance(spec, str):
        return Column(header, field=spec.strip())
    if not isinstance(spec, Mapping):
        raise FeedOptionError(f"{where}: expected a field (e.g. price.amount) or a mapping "
                              "with field: or value:")
    _known(spec, _COLUMN_KEYS, where)
    if ("field" in spec) == ("value" in spec):
        raise FeedOptionError(f"{where}: give exactly one of field: (a product field) or "
                              "value: (the same text in every row)")
    field = spec.get("field")
    if field is not None and not isinstance(field, str):
        raise FeedOptionError(f"{where}.field: expected a field such as price.amount")
    mapping = spec.get("map")
    if mapping is not None:
        _mapping(mapping, f"{where}.map")
        mapping = {str(k): _scalar(v, f"{where}.map.{k}") for k, v in mapping.items()}
    max_length = spec.get("max_length")
    if max_length is not None:
        max_length = _int(max_length, f"{where}.max_length", 1, 1_000_000)
    join = spec.get("join", ", ")
    if not isinstance(join, str):
        raise FeedOptionError(f"{where}.join: expected the text put between list items")
    return Column(
        header=header,
        field=field.strip() if field is not None else None,
        value=_scalar(spec["value"], f"{where}.value") if "value" in spec else None,
        default=_scalar(spec.get("default", ""), f"{where}.default"),
        map=mapping,
        join=join,
        max_length=max_length,
        plain=_bool(spec.get("plain", False), f"{where}.plain"),
    )


# --------------------------------------------------------------------------
# Small checkers
# --------------------------------------------------------------------------


def _section(raw: Mapping[str, Any], key: str, known: set[str]) -> Mapping[str, Any]:
    value = raw.get(key, True)
    if isinstance(value, bool):
        return {"enabled": value}
    _mapping(value, f"feeds.{key}")
    _known(value, known, f"feeds.{key}")
    return value


def _bilingual(where: str, vi: str, en: str) -> FeedOptionError:
    return FeedOptionError(f"{where}: {vi}\n    {where}: {en} (docs/feeds.md, 'Export profiles')")


def _mapping(value: Any, where: str) -> None:
    if not isinstance(value, Mapping):
        raise FeedOptionError(f"{where}: expected a mapping (key: value lines), "
                              f"not {type(value).__name__}")


def _known(value: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in value:
        if key not in known:
            raise FeedOptionError(f"{where}.{key}: unknown option; known: "
                                  + ", ".join(sorted(known)))


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise FeedOptionError(f"{where}: expected true or false, not {value!r}")
    return value


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FeedOptionError(f"{where}: expected a whole number from {low} to {high}, "
                              f"not {value!r}")
    return value


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FeedOptionError(f"{where}: expected a text or a number, not {value!r}")
    return str(value)


def _languages(value: Any, languages: tuple[str, ...], where: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise FeedOptionError(f"{where}: expected a list of language codes, e.g. [vi, en]")
    for code in value:
        if code not in languages:
            raise FeedOptionError(f"{where}: {code!r} is not one of the site's languages "
                                  f"{list(languages)}")
    if len(set(value)) != len(value):
        raise FeedOptionError(f"{where}: a language is listed twice")
    return tuple(value)
