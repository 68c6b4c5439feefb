"""The open data page (``open-data/`` in every language) and the feeds' autodiscovery links.

The page lists every file the build publishes for machines: ``feeds/catalog.json`` and
its JSON Schema, the Google Merchant and Meta feeds, the Atom feeds, each sales point's
JSON Feeds and kiosk page, the export profiles' sheets and ``sitemap.xml``; for each its
URL, format, language and number of items, with the build day, the licence, a contact
and how often the site is rebuilt (the ``open_data:`` options, :func:`parse_open_data`).

It never reads the feeds' files: the list is worked out from the edition and the
``feeds:`` options with the functions the feeds themselves decide their file names and
items by (:mod:`..feeds.data`, :mod:`..feeds.marketplace`: ``listed_count`` counts what
``skip_reason`` leaves in, :mod:`..feeds.export`), so the page and the files agree
(``tests/test_open_data.py`` counts the items in the files; ``tests/test_feeds.py`` checks
the count against each product's reason).
``feeds/index.html`` sends a visitor of ``/feeds/`` on to this page (a redirect page,
:meth:`.pages.SiteBuilder.redirect_pages`).

:class:`FeedLinks` gives every page's ``<head>`` (``base.html``) its
``<link rel="alternate">`` to the Atom feed in the page's language and, on a sales
point's page, to the point's JSON Feed, only when this build writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ...edition import Edition
from ...errors import OptionError
from ...records.history import CATALOG_JSON
from ...records.text import DEFAULT_LANGUAGE
from ..feeds.data import (
    atom_path,
    atom_products,
    feed_context,
    feed_path,
    google_path,
    kiosk_urls,
    meta_path,
    shown_products,
)
from ..feeds.export import export_products
from ..feeds.export import path as export_path
from ..feeds.marketplace import listed_count
from ..feeds.options import FeedOptions
from ..feeds.schema import CATALOG_SCHEMA_PATH, SALES_POINT_SCHEMA_PATH

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class OpenDataError(OptionError):
    """A wrong ``open_data:`` option; the message names it, in Vietnamese and English."""


@dataclass(frozen=True)
class OpenDataOptions:
    """The ``open_data:`` options of the ``ocop`` plugin (all optional)."""

    #: The data licence's name and address; empty: the catalog's ``identity.data_licence``.
    licence_name: str = ""
    licence_url: str = ""
    #: Whom to write to about the data: an e-mail address or an http(s) address; empty:
    #: the office's e-mail (``identity.office.email``).
    contact: str = ""
    #: How often the site is rebuilt, by language (a plain text counts for every language).
    rebuilt: Mapping[str, str] = field(default_factory=dict)

    def rebuilt_in(self, lang: str) -> str:
        return self.rebuilt.get(lang) or self.rebuilt.get(DEFAULT_LANGUAGE, "")


def _fail(where: str, vi: str, en: str) -> OpenDataError:
    return OpenDataError(f"{where}: {vi}\n    {where}: {en} "
                         "(docs/configuration.md, 'open_data')")


def _line(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"cần một dòng chữ, không phải {value!r}",
                    f"expected a line of text, not {value!r}")
    if _CONTROL.search(value):
        raise _fail(where, "không được có ký tự điều khiển, xuống dòng hay ký tự đổi chiều chữ",
                    "no control character, line break or text-direction override")
    return value.strip()


def parse_open_data(raw: Any, languages: tuple[str, ...]) -> OpenDataOptions:
    """The checked ``open_data:`` options (absent: every default)."""
    if raw is None:
        return OpenDataOptions()
    if not isinstance(raw, Mapping):
        raise _fail("open_data", "cần các dòng 'khóa: giá trị' (licence, contact, rebuilt)",
                    "expected 'key: value' lines (licence, contact, rebuilt)")
    known = ("licence", "contact", "rebuilt")
    for key in raw:
        if key not in known:
            raise _fail(f"open_data.{key}", "tùy chọn không có; các tùy chọn: "
                        + ", ".join(known), "unknown option; known: " + ", ".join(known))
    name = url = contact = ""
    licence = raw.get("licence")
    if licence is not None:
        if not isinstance(licence, Mapping) or set(licence) - {"name", "url"}:
            raise _fail("open_data.licence", "cần {name: …, url: …}, ví dụ {name: CC BY 4.0, "
                        "url: https://creativecommons.org/licenses/by/4.0/}",
                        "expected {name: …, url: …}, e.g. {name: CC BY 4.0, "
                        "url: https://creativecommons.org/licenses/by/4.0/}")
        name = _line(licence.get("name"), "open_data.licence.name")
        if licence.get("url") is not None:
            url = _line(licence["url"], "open_data.licence.url")
            if not _URL.match(url):
                raise _fail("open_data.licence.url", f"cần một địa chỉ http(s), không phải {url!r}",
                            f"expected an http(s) address, not {url!r}")
    if raw.get("contact") is not None:
        contact = _line(raw["contact"], "open_data.contact")
        if not (_EMAIL.match(contact) or _URL.match(contact)):
            raise _fail("open_data.contact",
                        f"cần một địa chỉ e-mail hoặc một địa chỉ http(s), không phải {contact!r}",
                        f"expected an e-mail address or an http(s) address, not {contact!r}")
    rebuilt: dict[str, str] = {}
    value = raw.get("rebuilt")
    if value is not None:
        if isinstance(value, str):
            value = {DEFAULT_LANGUAGE: value}
        if not isinstance(value, Mapping):
            raise _fail("open_data.rebuilt", "cần một dòng chữ (ví dụ \"hằng ngày / daily\") "
                        "hoặc chữ theo ngôn ngữ {vi: hằng ngày, en: daily}",
                        "expected a text (e.g. \"hằng ngày / daily\") or a text per language "
                        "{vi: hằng ngày, en: daily}")
        for lang, text in value.items():
            if lang in languages:
                rebuilt[lang] = _line(text, f"open_data.rebuilt.{lang}")
        if DEFAULT_LANGUAGE not in rebuilt:
            raise _fail(f"open_data.rebuilt.{DEFAULT_LANGUAGE}",
                        "cần chữ tiếng Việt (ngôn ngữ mặc định)",
                        "the Vietnamese text is required (the default language)")
    return OpenDataOptions(name, url, contact, MappingProxyType(rebuilt))


# --------------------------------------------------------------------------
# What the build publishes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedFile:
    """One published file: site path, languages (none: every language of the site),
    items."""

    path: str
    languages: tuple[str, ...]
    items: int
    #: What the file is about beyond its group (a sales point, an export profile's name).
    label: Any = None
    #: Files of the same feed after the first (JSON Feed pages), for the count.
    pages: int = 1
    #: Its format when it differs from its group's (export sheets: CSV, TSV or XLSX).
    format: str | None = None


@dataclass(frozen=True)
class FeedGroup:
    """A kind of feed: ``key`` names its UI strings (``opendata.feed.<key>``)."""

    key: str
    format: str
    files: tuple[FeedFile, ...]
    schema: str | None = None

    @property
    def items(self) -> int:
        return sum(f.items for f in self.files)


def published_feeds(edition: Edition, options: FeedOptions | None,
                    sitemap_urls: int) -> tuple[FeedGroup, ...]:
    """Every feed this build writes, in the page's order; ``sitemap_urls``: how many URLs
    ``sitemap.xml`` lists. The feeds need absolute URLs: without ``site_url`` only the
    sitemap is written."""
    groups: list[FeedGroup] = []
    if options is not None and edition.urls.site_url:
        groups += _feeds(edition, options)
    groups.append(FeedGroup("sitemap", "XML (sitemaps.org 0.9)",
                            (FeedFile("sitemap.xml", (), sitemap_urls),)))
    return tuple(groups)


def _feeds(edition: Edition, options: FeedOptions) -> list[FeedGroup]:
    ctx = feed_context(edition)
    groups: list[FeedGroup] = []
    if options.catalog:
        groups.append(FeedGroup("catalog", "JSON", (
            FeedFile(CATALOG_JSON, (), len(ctx.catalog.products)),), CATALOG_SCHEMA_PATH))
    if options.google.enabled:
        groups.append(FeedGroup("google", "RSS 2.0 (Google Merchant Center)", tuple(
            FeedFile(google_path(lang), (lang,), listed_count(ctx, lang, options.include_expired))
            for lang in options.google.languages)))
    if options.meta.enabled:
        groups.append(FeedGroup("meta", "CSV (Meta)", tuple(
            FeedFile(meta_path(lang), (lang,), listed_count(
                ctx, lang, options.include_expired, needs_date=False))
            for lang in options.meta.languages)))
    if options.atom.enabled:
        entries = len(atom_products(ctx, options.atom.entries))
        groups.append(FeedGroup("atom", "Atom 1.0", tuple(
            FeedFile(atom_path(lang), (lang,), entries) for lang in ctx.languages)))
    shown = {point: shown_products(ctx, point, options.include_expired)
             for point in ctx.catalog.sales_points}
    if options.sales_points.enabled:
        size = options.sales_points.page_size
        groups.append(FeedGroup("sales_points", "JSON Feed 1.1", tuple(
            FeedFile(feed_path(point.id, lang), (lang,), len(shown[point.id]), point.name,
                     max(1, -(-len(shown[point.id]) // size)))
            for point in ctx.catalog.sales_points.values() for lang in ctx.languages),
            SALES_POINT_SCHEMA_PATH))
    if options.kiosk.enabled:
        kiosks = kiosk_urls(ctx, options)
        groups.append(FeedGroup("kiosk", "HTML", tuple(
            FeedFile(kiosks[point.id], options.kiosk.languages,
                     min(options.kiosk.max_slides, len(shown[point.id])), point.name)
            for point in ctx.catalog.sales_points.values())))
    if options.exports:
        groups.append(FeedGroup("exports", "CSV", tuple(
            FeedFile(export_path(export), (export.language,), len(export_products(ctx, export)),
                     export.name, format=export_format(export.file))
            for export in options.exports)))
    return groups


def export_format(path: str) -> str:
    """An export file's format by its name."""
    return {"xlsx": "XLSX (Excel)", "tsv": "TSV"}.get(path.rpartition(".")[2], "CSV")


# --------------------------------------------------------------------------
# Autodiscovery
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedLinks:
    """The ``<link rel="alternate">`` feeds of a page (``base.html`` calls it with the
    page's language and, on a sales point's page, the point): only feeds this build
    writes, in the page's language."""

    atom: bool = False
    sales_points: bool = False
    languages: tuple[str, ...] = ()

    @classmethod
    def of(cls, options: FeedOptions | None, languages: tuple[str, ...],
           site_url: str) -> FeedLinks:
        if options is None or not site_url:  # feeds need site_url: none are written
            return cls()
        return cls(options.atom.enabled, options.sales_points.enabled, tuple(languages))

    def __call__(self, lang: str, point=None) -> list[dict[str, str]]:
        if lang not in self.languages:
            return []
        links = []
        if self.atom:
            links.append({"type": "application/atom+xml", "path": atom_path(lang),
                          "kind": "atom"})
        if self.sales_points and point is not None:
            links.append({"type": "application/feed+json", "path": feed_path(point.id, lang),
                          "kind": "point"})
        return links
