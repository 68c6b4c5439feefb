"""What every feed needs to know about a product, worked out once per process.

The feeds are serialisers of one model (feeds-and-standards.md §0): the same
names, plain-text descriptions, absolute URLs, photos, categories, dates and
certificate statuses go to Google, Meta, the open-data JSON, the Atom feeds,
the exports and the display points. :class:`FeedContext` computes each of them
once per product (and language) and keeps it, so writing ten feeds costs
little more than writing one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import unicodedata
import weakref
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ...catalog import certificates as certs
from ...catalog.model import ProductEntry
from ...edition import Edition
from ...edition.images import ProcessedImage, Variant
from ...records.models import Photo
from ...catalog.taxonomy import CriteriaSet, load_taxonomies
from ...records.text import DEFAULT_LANGUAGE, Localized
from ...reuse import write_new

if TYPE_CHECKING:
    from .options import FeedOptions

#: Vietnam's time zone: record dates are days in Vietnam.
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


class FeedContext:
    """The published catalog, seen by the feeds: what they all need, worked out once
    per process (:func:`feed_context`)."""

    def __init__(self, edition: Edition) -> None:
        # weakly: the one context a process keeps (feed_context) must not keep an
        # edition alive after its build
        self._edition = weakref.ref(edition)
        self.catalog = edition.catalog
        self.urls = edition.urls
        self.languages: tuple[str, ...] = tuple(edition.languages)
        self.today: dt.date = edition.today
        self._status: dict[str, str] = {}
        self._pairs: dict[str, list[tuple[Photo, ProcessedImage]]] = {}
        self._paths: dict[tuple[str, int, str], list[str]] = {}
        self._squares: dict[str, list[str]] = {}
        self._modified: dict[str, dt.date] = {}
        self._unlisted: dict[tuple[str, bool], str | None] = {}
        self._translated: dict[tuple[str, str], bool] = {}
        #: The products no marketplace feed leaves out whatever its language, by
        #: (include_expired, needs_date) (:func:`.marketplace.listed_count`).
        self.listable: dict[tuple[bool, bool], list[ProductEntry]] = {}

    @property
    def edition(self) -> Edition:
        edition = self._edition()
        assert edition is not None, "the edition of this feed context is gone"
        return edition

    # -- URLs ----------------------------------------------------------------

    @cached_property
    def site_url(self) -> str:
        return self.urls.absolute("")

    def absolute(self, path: str) -> str:
        return self.site_url + path

    def product_url(self, product: ProductEntry, lang: str) -> str:
        return self.absolute(self.urls.product(lang, product.id))

    def media_url(self, image: ProcessedImage, variant: Variant) -> str:
        return self.absolute(self.edition.media_url(image, variant))

    def photo_pairs(self, product: ProductEntry) -> list[tuple[Photo, ProcessedImage]]:
        """Each photo of the record (file, alt text) with its processed image, in order."""
        found = self._pairs.get(product.id)
        if found is None:
            # a catalog is only made of valid records: every photo checked, in order
            pairs = [(photo, self.edition.photo(info.path))
                     for photo, info in zip(product.record.photos, product.photos)]
            found = self._pairs[product.id] = [(p, i) for p, i in pairs if i is not None]
        return found

    def square_urls(self, product: ProductEntry) -> list[str]:
        """Absolute URLs of the marketplace-size squares (at least 500 × 500), main first."""
        found = self._squares.get(product.id)
        if found is None:
            found = self._squares[product.id] = self.edition.square_urls(product)
        return found

    # -- status and eligibility -----------------------------------------------

    def status(self, product: ProductEntry) -> str:
        """valid / expiring / expired / revoked on the build day, as the pages say
        (worked out once per product)."""
        found = self._status.get(product.id)
        if found is None:
            found = self._status[product.id] = self.edition.status(product)
        return found

    def sellable(self, product: ProductEntry, include_expired: bool) -> bool:
        """Whether a marketplace or display feed may show the product (its certificate
        is still valid, or the site asks for expired and revoked ones too)."""
        return include_expired or self.status(product) in certs.ACTIVE

    def unlisted(self, product: ProductEntry, include_expired: bool) -> str | None:
        """Why no marketplace feed lists the product, whatever its language (services,
        no price, its certificate's status, discontinued, no photo), or None (worked out
        once per product: every feed and language asks; :func:`.marketplace.skip_reason`
        adds what depends on them)."""
        key = (product.id, include_expired)
        found = self._unlisted.get(key, False)
        if found is False:
            if not self.is_goods(product):
                found = "services" if self.is_service(product) else "no price"
            elif not self.sellable(product, include_expired):
                found = self.status(product)
            elif product.record.availability == "discontinued":
                found = "discontinued"
            elif not self.photo_pairs(product):
                found = "no photo"
            else:
                found = None
            self._unlisted[key] = found
        return found

    @staticmethod
    def is_service(product: ProductEntry) -> bool:
        """A tourism service (criteria set 26, or a record with tourism details)."""
        criteria = product.criteria_set
        return product.record.tourism is not None or (criteria is not None
                                                      and not criteria.goods)

    @classmethod
    def is_goods(cls, product: ProductEntry) -> bool:
        """Goods with a price: what a marketplace can list. Tourism services are not
        goods (feeds-and-standards.md §1.7)."""
        return not cls.is_service(product) and product.record.price is not None

    def translated(self, product: ProductEntry, lang: str) -> bool:
        """Whether the product's name and description or summary are written in ``lang``
        (a feed of one language must not carry another language's text)."""
        if lang == DEFAULT_LANGUAGE:
            return True
        key = (product.id, lang)
        found = self._translated.get(key)
        if found is None:
            record = product.record
            found = self._translated[key] = _has(record.name, lang) and (
                _has(record.description, lang) or _has(record.summary, lang))
        return found

    # -- text ------------------------------------------------------------------

    @staticmethod
    def text(value: Localized | None, lang: str) -> str:
        """Record text in ``lang`` (else Vietnamese), cleaned for any feed format."""
        return clean(value(lang)) if value is not None else ""

    def description(self, product: ProductEntry, lang: str) -> str:
        """The description as plain text in ``lang``; the summary when the description is
        not written in ``lang`` but the summary is."""
        record = product.record
        source = record.description
        if lang != DEFAULT_LANGUAGE and not _has(source, lang) and _has(record.summary, lang):
            source = record.summary
        return markdown_to_text(source(lang))

    # -- categories --------------------------------------------------------------

    @staticmethod
    def category(product: ProductEntry) -> CriteriaSet | None:
        """The current (26/2026) set the product is browsed under, else its own set."""
        return product.browse_category or product.criteria_set

    def category_path(self, product: ProductEntry, lang: str) -> list[str]:
        category = self.category(product)
        if category is None:
            return []
        key = (category.version, category.number, lang)
        found = self._paths.get(key)
        if found is None:
            found = self._paths[key] = [clean(name) for name in category.path(lang)]
        return list(found)

    @staticmethod
    def google_category(product: ProductEntry) -> int | None:
        """Google's product category id for the product's criteria set."""
        mapping = google_categories()
        for criteria in (product.criteria_set, product.browse_category):
            if criteria is not None and criteria.code in mapping:
                return mapping[criteria.code]
        return None

    # -- dates --------------------------------------------------------------------

    def modified(self, product: ProductEntry) -> dt.date:
        """The last day the record says the product changed, never after the build day:
        ``updated``, ``listed``, the certificate's decision or start, a revocation."""
        found = self._modified.get(product.id)
        if found is None:
            record = product.record
            cert = product.certification
            days = [record.updated, record.listed, cert.decision_date, cert.valid_from,
                    cert.revoked.date if cert.revoked else None]
            past = [d for d in days if d is not None and d <= self.today]
            found = self._modified[product.id] = max(past) if past else cert.decision_date
        return found

    def published(self, product: ProductEntry) -> dt.date:
        """The day the product entered the catalog: ``listed``, else its decision date."""
        record = product.record
        return min(record.listed or product.certification.decision_date,
                   self.modified(product))

    def producer(self, product: ProductEntry):
        return self.edition.producer_of(product).record


# --------------------------------------------------------------------------
# Helpers shared by the feed writers
# --------------------------------------------------------------------------


def feed_context(edition: Edition) -> FeedContext:
    """The edition's :class:`FeedContext`, one per process, shared by every feed."""
    found = _CONTEXTS.get(edition)
    if found is None:
        found = _CONTEXTS[edition] = FeedContext(edition)
    return found


#: Dropped with their edition.
_CONTEXTS: weakref.WeakKeyDictionary[Edition, FeedContext] = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------
# Where each feed's files live and what they hold: the feeds write by these, and the
# open data page (outputs/site/opendata.py) lists the same files with the same counts
# --------------------------------------------------------------------------


def google_path(lang: str) -> str:
    return f"feeds/google/{lang}.xml"


def meta_path(lang: str) -> str:
    return f"feeds/meta/{lang}.csv"


def atom_path(lang: str) -> str:
    return f"feeds/atom/{lang}.xml"


def atom_products(ctx: FeedContext, entries: int) -> list[ProductEntry]:
    """The products of the Atom feeds: the ``entries`` most recently changed, newest
    first (the same in every language)."""
    return sorted(ctx.catalog.products.values(),
                  key=lambda p: (ctx.modified(p), p.id), reverse=True)[:entries]


def shown_products(ctx: FeedContext, point_id: str, include_expired: bool
                   ) -> list[ProductEntry]:
    """The products a display at the point shows (its JSON Feeds and kiosk), newest
    change first."""
    products = [p for p in ctx.catalog.products_at(point_id)
                if ctx.sellable(p, include_expired)]
    return sorted(products, key=lambda p: (ctx.modified(p), p.id), reverse=True)


# -- the display points' files (their feeds, their kiosk pages) --


#: Kiosk pages live in this folder (under the main language's prefix), with the worker.
KIOSK_SCOPE = "kiosk/"


def feed_path(point_id: str, lang: str, page: int = 1) -> str:
    suffix = "" if page == 1 else f"-{page}"
    return f"feeds/sales-points/{point_id}/{lang}{suffix}.json"


def point_feed_urls(ctx: FeedContext) -> dict[str, dict[str, str]]:
    """Point id → {lang: URL of the first page of its JSON Feed}."""
    return {point_id: {lang: ctx.absolute(feed_path(point_id, lang)) for lang in ctx.languages}
            for point_id in ctx.catalog.sales_points}


def kiosk_base(ctx: FeedContext, options: FeedOptions) -> str:
    """The kiosks' folder, in the kiosks' main language: the service worker's scope."""
    return ctx.urls.prefix(options.kiosk.languages[0]) + KIOSK_SCOPE


def kiosk_urls(ctx: FeedContext, options: FeedOptions) -> dict[str, str]:
    """Point id → site-relative URL of its kiosk page."""
    base = kiosk_base(ctx, options)
    return {point_id: f"{base}{point_id}/" for point_id in ctx.catalog.sales_points}


class RawJSON(str):
    """An item of a list member of :func:`write_json`'s object that is compact JSON text
    already (:func:`compact_json`): written as it is."""


def compact_json(value: Any) -> RawJSON:
    """``value`` as the compact JSON :func:`write_json` writes."""
    return RawJSON(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def write_json(path: Path, data: Any, *, indent: int | None = None) -> None:
    """``data`` as UTF-8 JSON at ``path`` (compact unless ``indent``), folders made.

    Compact JSON of an object is written a member at a time, and a member that is a list
    an item at a time (the same bytes as one ``json.dumps``), so the text of the whole
    document is never made at once. Items of such a list may be :class:`RawJSON` text
    (made once, kept from an earlier build: catalog.json's products)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if indent or not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        if isinstance(data, dict):  # text made already is written as the value it holds
            data = {k: [json.loads(x) if type(x) is RawJSON else x for x in v]
                    if isinstance(v, list) else v for k, v in data.items()}
        separators = (",", ": ") if indent else (",", ":")
        text = json.dumps(data, ensure_ascii=False, indent=indent, separators=separators)
        write_new(path, text + "\n")
        return

    def dumps(value: Any) -> str:
        if type(value) is RawJSON:
            return value
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    path.unlink(missing_ok=True)  # a new file: see ocop_catalog.reuse.write_new
    with open(path, "x", encoding="utf-8", newline="\n") as out:
        out.write("{")
        for number, (key, value) in enumerate(data.items()):
            out.write(("," if number else "") + dumps(key) + ":")
            if isinstance(value, list):
                out.write("[")
                for index, item in enumerate(value):
                    out.write(("," if index else "") + dumps(item))
                out.write("]")
            else:
                out.write(dumps(value))
        out.write("}\n")


def feed_id(product_id: str, limit: int = 50) -> str:
    """The product's id in marketplace feeds: its record id, the same in every language
    and feed. Ids over ``limit`` characters (Google allows 50, a record id 64) are cut
    and given a hash of the whole id, so they stay unique and never change."""
    if len(product_id) <= limit:
        return product_id
    digest = hashlib.sha256(product_id.encode()).hexdigest()[:8]
    return f"{product_id[: limit - 9]}-{digest}"


def clean(text: str) -> str:
    """NFC text without control characters (XML 1.0 and CSV safe), spaces collapsed."""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    return _SPACE.sub(" ", text).strip()


#: What a spreadsheet reads as the start of a formula (OWASP CSV Injection, ASVS 1.2.10):
#: = + - @, tab, carriage return, line feed and NUL, and the full-width = + - @ that
#: Excel also accepts in East Asian locales.
_FORMULA_START = tuple("=+-@\t\r\n\x00\uff1d\uff0b\uff0d\uff20")


def spreadsheet_text(text: str) -> str:
    """A text cell no spreadsheet runs as a formula: one that starts like a formula gets
    a leading apostrophe, which Excel and LibreOffice take as "this is text" (OWASP's
    rule for CSV injection). Every cell of every CSV and TSV the build writes goes
    through here."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def clip(text: str, limit: int, *, ellipsis: bool = False) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    room = limit - 1 if ellipsis else limit
    cut = text[:room]
    space = cut.rfind(" ")
    if space >= room * 0.6:
        cut = cut[:space]
    cut = cut.rstrip(" ,;:-–")
    return cut + "…" if ellipsis else cut


def text_map(value: Localized | None) -> dict[str, str] | None:
    """Record text as a plain {lang: text} dict of the languages it is written in."""
    if value is None:
        return None
    data = getattr(value, "_data", None)  # Localized keeps a plain dict: copy it directly
    return dict(data) if isinstance(data, dict) else dict(value)


def day_time(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in Vietnam, the moment a record date stands for."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=VIETNAM)


_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_MD_REFERENCE_LINK = re.compile(r"!?\[([^\]]*)\]\[[^\]]*\]")
_MD_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s+\S+.*$", re.MULTILINE)
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_LINE_MARK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,9}[.)]\s+)",
                           re.MULTILINE)
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$", re.MULTILINE)
_MD_HEADING_CLOSE = re.compile(r"\s+#+\s*$", re.MULTILINE)
_MD_STRONG = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_CODE = re.compile(r"(`+)(.+?)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
#: Escaped characters are moved to Unicode's private use plane 15 meanwhile.
_ASIDE = 0xF0000
_MD_ASIDE = re.compile("[\U000F0000-\U000F007F]")


@cache
def markdown_to_text(source: str) -> str:
    """The words of a Markdown text, without its marks, on one line.

    Marketplaces want descriptions as plain text (Meta: no HTML tags or entities).
    Producers' Markdown is simple (paragraphs, emphasis, lists, links), so a few
    regular expressions do: a link keeps its text, an image its alt text, and list
    and heading marks go. Much faster than rendering HTML and stripping it.
    """
    # escaped marks (\*) are set aside first, so that no rule below takes them for marks
    text = _MD_ESCAPE.sub(lambda m: chr(_ASIDE + ord(m.group(1))), source)
    text = _MD_REFERENCE_DEF.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_HEADING_CLOSE.sub("", text)
    text = _MD_LINE_MARK.sub("", text)
    text = _MD_IMAGE_OR_LINK.sub(r"\1", text)
    text = _MD_REFERENCE_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\2", text)
    for _ in range(2):  # nested emphasis (***x***)
        text = _MD_STRONG.sub(r"\2", text)
        text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_ASIDE.sub(lambda m: chr(ord(m.group(0)) - _ASIDE), text)
    return clean(_no_tags(html.unescape(text)))


#: An HTML tag, comment or declaration: what plain text must not contain once its
#: entities are decoded (``&lt;script&gt;`` written in a description is text, and must
#: not reach a marketplace as a tag).
_TAG = re.compile(r"<(?:[A-Za-z/!?][^<>]*)>")


def _no_tags(text: str) -> str:
    """``text`` without anything a reader of HTML would take for a tag (removed until
    none is left: ``<scr<b>ipt>`` does not become ``<script>``)."""
    while True:
        stripped = _TAG.sub("", text)
        if stripped == text:
            return text
        text = stripped


@cache
def google_categories() -> dict[str, int]:
    """Criteria-set code → Google product category id (google_categories.yml)."""
    text = files(__package__).joinpath("google_categories.yml").read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in data.items()):
        raise ValueError("google_categories.yml: expected 'criteria-set-code: id' lines")
    codes = {s.code for t in load_taxonomies().values() for s in t.sets.values()}
    unknown = sorted(set(data) - codes)
    if unknown:
        raise ValueError(f"google_categories.yml: unknown criteria set codes {unknown}")
    return data


def _has(value: Localized | None, lang: str) -> bool:
    return value is not None and value.resolve(lang).lang == lang
