"""Render the catalog's pages: every page in every language, from theme templates.

The catalog pages (home, listings, products, producers, places, sales
points) do not go through MkDocs' per-page pipeline: with thousands of
products that pipeline, and a navigation tree in every page, would dominate
the build. :class:`SiteBuilder` prepares everything per catalog once, then
renders each page from a Jinja template in ``theme/ocop/`` and writes it.
Rendering runs in worker processes on all cores; each worker takes every
n-th page, so the output does not depend on the worker count.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
import functools
from functools import cached_property
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from markupsafe import Markup, escape

from ...catalog import certificates as certs
from ...catalog import passport
from ...catalog.links import LISTING_PAGES, gs1_path, point_path, short_path
from ...catalog.model import ProductEntry
from ...catalog.taxonomy import CURRENT_VERSION, load_taxonomies
from ...edition import Edition
from ...edition.i18n import MarkedDay, Translator
from ...edition.images import ProcessedImage
from ...edition.keys import CARD_TEMPLATE, Keys, digest, digest_keys
from ...edition.qr import DRAWING_VERSION, symbol_svg
from ...edition.theme import STATUSES
from ...edition.urls import relative
from ...errors import OptionError
from ...parallel import can_fork, collector_off, forked_pool, freeze_kept, shared
from ...records.text import DEFAULT_LANGUAGE, Localized
from ..feeds.options import FeedOptions
from ...fragments import Fragments, KeptTexts
from ...reuse import Reuse, handed_back, join_spans, parse_spans, write_new
from . import structured
from .markdown import render_markdown
from .opendata import FeedGroup, FeedLinks, OpenDataOptions, published_feeds
from .report import report_link
from .statistics import StatsView
from .search import (FACT, NAME, TEXT, LanguageDocs, SearchDoc, SearchStats,
                     sort_key, write_indexes)

#: Placeholder for the way up to the site root in HTML reused on many pages.
_ROOT = "\x00root\x00"
#: Fewer pages than this per worker process are rendered in one process.
PAGES_PER_WORKER = 200
#: An incremental build with fewer QR codes than this to make makes them in this process
#: (each takes about 0.4 ms; forking the workers for them costs more).
QR_IN_PROCESS = 200
#: The feeds' folder: its index.html leads to the open data page.
FEEDS_INDEX = "feeds/"
#: A worker reads the cards kept by earlier builds (:meth:`SiteBuilder.cards_needed`)
#: when the listing pages it renders show at least this many cards it has not rendered
#: (a listing page's worth), and at least a twentieth of the catalog's cards (a card
#: takes about 0.15 ms to render; scanning the store of 30,000 cards, of 10,000 products
#: in 3 languages, about a tenth of a second); an incremental build writes the store
#: again when its workers rendered at least as many cards it did not hold
#: (:meth:`SiteBuilder.keep_cards`), and at most :data:`CARDS_HANDED_BACK`.
CARDS_FROM = 48
#: The most cards a worker hands back to be kept, as a share of the catalog's: more
#: means the store is far behind (a cold build writes it whole), and would be tens of
#: megabytes more in the main process of a large catalog.
CARDS_HANDED_BACK = 0.1


@dataclass(frozen=True)
class Page:
    """One output page: a language, a language-independent path and a template."""

    lang: str
    path: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pager:
    """Where a page of a product listing is among the listing's pages."""

    base: str
    """The listing's first page (site-relative URL)."""
    number: int
    count: int
    size: int
    """Cards per page."""

    @staticmethod
    def path(base: str, number: int) -> str:
        return base if number == 1 else f"{base}{LISTING_PAGES}/{number}/"

    def url(self, number: int) -> str:
        return self.path(self.base, number)

    @property
    def window(self) -> list[int | None]:
        """Page numbers to link to: the first, the last and two either side of this one;
        ``None`` stands for the numbers left out."""
        near = {1, self.count, *range(self.number - 2, self.number + 3)}
        shown = sorted(n for n in near if 1 <= n <= self.count)
        out: list[int | None] = []
        for before, n in zip([0, *shown], shown):
            if before and n - before > 1:
                out.append(None)
            out.append(n)
        return out


class FilterData(NamedTuple):
    """A product as the listing filters see it (see SiteBuilder.filter_data)."""

    stars: int
    category: str
    area: str
    price: int | None
    valid_until: str
    revoked: str
    decided: str
    """Date of the decision that granted the certificate (sort: newest certificate)."""


#: The price filter's choices ("at most …", in đồng).
PRICE_LIMITS = (50_000, 100_000, 200_000, 500_000, 1_000_000)


@dataclass(frozen=True)
class Facets:
    """A listing's filter choices, each with how many of the listing's products it
    matches when no other filter is chosen (ocop.js recounts as filters combine)."""

    total: int
    #: (id, group of the current taxonomy, products)
    groups: tuple[tuple[str, Any, int], ...]
    #: (stars, products) for 3, 4 and 5 stars
    stars: tuple[tuple[int, int], ...]
    #: (former district id, former district, products)
    areas: tuple[tuple[str, Any, int], ...]
    #: (at most this price, products)
    prices: tuple[tuple[int, int], ...]
    #: products whose certificate is valid (or expiring) on the build day
    valid: int


@dataclass(frozen=True)
class SiteOptions:
    """The site's own options (``ocop`` plugin options in site_config.yml)."""

    #: Products on the home page: how many to choose (a varied choice, see
    #: SiteBuilder.featured), or the office's own choice, product ids in order.
    featured: int | tuple[str, ...] = 8
    #: Product cards per page of a listing (products, a category, an area, stars, a
    #: sales point); further cards are on ``<listing>/page/<n>/``.
    page_size: int = 48
    #: Whether to write the search index.
    search: bool = True
    #: Where product pages send "report wrong information" (``{product}``, ``{id}``,
    #: ``{url}`` filled in; see :mod:`.report`); None: a mail to the office.
    report_url: str | None = None
    #: The ``feeds:`` options (what the open data page lists and page heads link to) and
    #: the ``open_data:`` options (:mod:`.opendata`).
    feeds: FeedOptions | None = None
    open_data: OpenDataOptions = field(default_factory=OpenDataOptions)


class SiteBuilder:
    """Knows every catalog page and how to render it."""

    def __init__(self, edition: Edition, options: SiteOptions, *, keys: Keys | None = None,
                 reuse: Reuse | None = None, parts: Fragments | None = None,
                 stores: Path | None = None):
        """``keys`` and ``reuse``: files whose key is unchanged since the previous build are
        taken over from it instead of rendered (:mod:`ocop_catalog.reuse`); ``parts``:
        what the previous build worked out per record (:mod:`ocop_catalog.fragments`);
        ``stores``: the folder of those, where the listing cards earlier builds rendered
        are kept (:meth:`card`)."""
        self.edition = edition
        self.keys = keys or Keys(edition)
        self.reuse = reuse
        self.parts = parts or Fragments(None, "", read=False)
        self.catalog = edition.catalog
        self.options = options
        self.languages = edition.languages
        self.urls = edition.urls
        self.translator = edition.translator
        self.all_products = edition.all_products
        self.env = edition.templates(site=self, og_availability=structured.OG_AVAILABILITY,
                                     feed_links=FeedLinks.of(options.feeds, edition.languages,
                                                             edition.urls.site_url))
        self.env.filters.update(markdown=render_markdown)
        self._cards: dict[tuple[str, str], str] = {}
        #: The cards this process rendered that the store it read did not hold, by product
        #: and language: handed back by the workers, kept for later builds (keep_cards).
        self._made_cards: dict[tuple[str, str], str] = {}
        self._stores = stores
        #: The cards kept by earlier builds, once read (cards_needed).
        self._kept_cards: KeptTexts | None = None
        self._certs: dict[tuple[str, str], dict[str, Any]] = {}
        self._filter_data: dict[str, FilterData] = {}
        self._facets: dict[str, Any] = {}
        self._name_orders: dict[str, tuple[list[ProductEntry], list[int]]] = {}
        self.search_stats: SearchStats | None = None
        self._facets_keys: dict[str, str] = {}
        self._qr_keys: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self._day_texts: dict[tuple[dt.date, str, str], bytes | None] = {}
        #: The build day as the page being rendered prints it (``site.today`` in templates:
        #: macros imported without context see the build's ``today``, not the page's): the
        #: day, or marks while a page that may be carried over is rendered (render_file).
        self.today: Any = edition.today
        # the day as pages carried over from day to day see it: marks no record can hold
        # (a new nonce each build; no mark, or part of one, is left in what is written)
        self._nonce = secrets.token_hex(8)
        self._marked_day = MarkedDay("\ue000" + self._nonce + ":")
        self._marks = re.compile(re.escape(self._marked_day.prefix) + "([a-z]+)" + MarkedDay.END)
        self._check_featured()

    # ----------------------------------------------------------------------
    # Pages
    # ----------------------------------------------------------------------

    def pages(self) -> list[Page]:
        """Every catalog page, in a fixed order (listed once, for the pages and the
        sitemap)."""
        return self._pages

    @cached_property
    def _pages(self) -> list[Page]:
        # tens of thousands of pages, contexts and sorted listings, no cycles: made without
        # the collector, whose full passes would walk what is made so far (a quarter of a
        # second at 10,000 products)
        with collector_off():
            pages = [page for lang in self.languages for page in self._pages_in(lang)]
            freeze_kept()  # kept to the end of the build: out of the collector's walks
        return pages

    def _pages_in(self, lang: str) -> Iterator[Page]:
        # u.x(None, ...): a page's path, the same in every language
        catalog, u, paged = self.catalog, self.urls, self._paged
        yield Page(lang, "", "home.html")
        yield from paged(lang, u.products(None), "listing.html",
                         {"kind": "products"}, self.all_products)
        for product in catalog.products.values():
            yield Page(lang, u.product(None, product.id), "product.html", {"product": product})
        yield Page(lang, u.producers(None), "producers.html")
        for producer in catalog.producers.values():
            yield Page(lang, u.producer(None, producer.id), "producer.html",
                       {"producer": producer,
                        "products": self.by_name(catalog.products_of(producer.id), lang)})
        yield Page(lang, u.categories(None), "categories.html")
        for sector, groups in self.sectors:
            yield from paged(lang, u.sector(None, sector.id), "listing.html",
                             {"kind": "sector", "sector": sector}, self._in_sector(sector.id))
            for group in groups:
                yield from paged(lang, u.group(None, sector.id, group.id), "listing.html",
                                 {"kind": "group", "sector": sector, "group": group},
                                 self._in_group(group.id))
        yield Page(lang, u.areas(None), "areas.html")
        for code in self.edition.communes_with_products:
            yield from paged(lang, u.commune(None, code), "listing.html",
                             {"kind": "commune", "commune": catalog.communes[code]},
                             catalog.products_in_commune(code))
        for district in catalog.regions.legacy_districts:
            yield from paged(lang, u.district(None, district.id), "listing.html",
                             {"kind": "district", "district": district},
                             self.in_district(district.id))
        for stars in (3, 4, 5):
            yield from paged(lang, u.stars(None, stars), "listing.html",
                             {"kind": "stars", "stars": stars}, self.with_stars(stars))
        yield Page(lang, u.sales_points(None), "sales_points.html")
        for point in catalog.sales_points.values():
            yield from paged(lang, u.sales_point(None, point.id), "sales_point.html",
                             {"point": point}, catalog.products_at(point.id))
        yield Page(lang, u.statistics(None), "statistics.html")
        yield Page(lang, u.search(None), "search.html")
        yield Page(lang, u.open_data(None), "open_data.html")

    def _paged(self, lang: str, path: str, template: str, context: dict[str, Any],
               products: Sequence[ProductEntry]) -> Iterator[Page]:
        """A product listing split into pages of ``page_size`` cards: the first at
        ``path``, the others at ``path/page/<n>/``. Every page has the whole listing in
        ``products`` (for its count), its filters' choices in ``facets`` (computed once
        per listing) and its own cards in ``shown``. Products are in alphabetical order of
        their names in ``lang``."""
        products = self.by_name(products, lang)
        size = max(1, self.options.page_size)
        count = max(1, -(-len(products) // size))
        facets = self._facets.get(path)
        if facets is None:  # the same in every language and on every page
            facets = self._facets[path] = self.facets(products)
        for number in range(1, count + 1):
            pager = Pager(self.urls.at(lang, path), number, count, size)
            yield Page(lang, pager.path(path, number), template,
                       {**context, "products": products, "pager": pager, "facets": facets,
                        "shown": products[(number - 1) * size : number * size]})

    def redirect_pages(self) -> list[Page]:
        """Permanent links that lead on to a page: QR short links, GS1 Digital Link paths,
        sales points' poster links, and products' former addresses. Not in the sitemap."""
        pages = []

        def redirect(lang: str, path: str, targets: dict[str, str], names, choose: bool):
            url = self.urls.at(lang, path)
            pages.append(Page(lang, path, "redirect.html", {
                "targets": targets, "names": names, "choose": choose,
                "relative_targets": {code: relative(url, target)
                                     for code, target in targets.items()}}))

        for product in self.all_products:
            path = self.urls.product(None, product.id)
            targets = self.alternates(Page(DEFAULT_LANGUAGE, path, ""))
            name = product.record.name
            redirect(DEFAULT_LANGUAGE, short_path(product.qr_code), targets, name, True)
            if product.record.gtin:
                redirect(DEFAULT_LANGUAGE, gs1_path(product.record.gtin) + "/", targets, name,
                         True)
            for old in product.record.former_ids:
                for lang in self.languages:
                    redirect(lang, self.urls.product(None, old), {lang: targets[lang]}, name, False)
        for point in self.catalog.sales_points.values():
            targets = self.alternates(Page(DEFAULT_LANGUAGE, self.urls.sales_point(None, point.id),
                                           ""))
            redirect(DEFAULT_LANGUAGE, point_path(point.id), targets, point.name, True)
        # /feeds/ (where the feeds are) is not a 404: it leads to the open data page
        targets = self.alternates(Page(DEFAULT_LANGUAGE, self.urls.open_data(None), ""))
        redirect(DEFAULT_LANGUAGE, FEEDS_INDEX, targets, Localized(
            {lang: self.translator(lang)("opendata.title") for lang in targets}), True)
        return pages

    def lot_pages(self) -> list[Page]:
        """A page per production lot and language at the lot's GS1 Digital Link path
        (``01/<GTIN-14>/10/<lot>``, else ``q/<code>/10/<lot>``), written as ``<path>.html``
        so that static hosts serve it at the path without a trailing slash. Lots whose
        code a host cannot serve as a file (``lot_no_page``) have none: their QR code walks
        up to the product page (404.html). Not in the sitemap."""
        pages = []
        for product, lot in self.edition.lots:
            if not self.edition.lot_has_page(lot):
                continue
            path = self.edition.lot_path(product, lot)
            here = self.urls.at(DEFAULT_LANGUAGE, path)
            others = {lang: relative(here, self.urls.at(lang, path)) for lang in self.languages}
            for lang in self.languages:
                pages.append(Page(lang, path, "lot.html", {
                    "product": product, "lot": lot, "state": self.edition.lot_state(lot),
                    "lot_pages": others}))
        return pages

    # ----------------------------------------------------------------------
    # Per-catalog groupings, computed once
    # ----------------------------------------------------------------------

    @cached_property
    def open_data(self) -> tuple[FeedGroup, ...]:
        """What the open data page lists: every feed and export this build writes, with
        its items (:mod:`.opendata`), and the sitemap with as many URLs as it lists."""
        return published_feeds(self.edition, self.options.feeds,
                               len(self.pages()) + len(self.edition.config.extra_pages))

    @cached_property
    def stats(self) -> StatsView:
        """The statistics page's figures, charts and names (:mod:`.statistics`)."""
        return StatsView(self.edition)

    @cached_property
    def authored_menu(self) -> tuple[tuple[str, str], ...]:
        return tuple((page.slug, page.title_key) for page in self.edition.authored)

    @cached_property
    def sectors(self):
        """Current-taxonomy sectors with their groups that have products."""
        used = {p.browse_category.group.id for p in self.all_products if p.browse_category}
        result = []
        for sector in load_taxonomies()[CURRENT_VERSION].sectors:
            groups = [g for g in self._groups_of(sector.id) if g.id in used]
            if groups:
                result.append((sector, tuple(groups)))
        return tuple(result)

    def _groups_of(self, sector_id: str):
        seen = {}
        for criteria_set in load_taxonomies()[CURRENT_VERSION].sets.values():
            if criteria_set.sector.id == sector_id:
                seen.setdefault(criteria_set.group.id, criteria_set.group)
        return list(seen.values())

    def _in_sector(self, sector_id: str) -> tuple[ProductEntry, ...]:
        return self._listings.get(("sector", sector_id), ())

    def _in_group(self, group_id: str) -> tuple[ProductEntry, ...]:
        return self._listings.get(("group", group_id), ())

    def in_group(self, group_id: str) -> tuple[ProductEntry, ...]:
        return self._in_group(group_id)

    def in_district(self, district_id: str) -> tuple[ProductEntry, ...]:
        return self._listings.get(("district", district_id), ())

    def with_stars(self, stars: int) -> tuple[ProductEntry, ...]:
        return self._listings.get(("stars", stars), ())

    @cached_property
    def _listings(self) -> dict[tuple[str, Any], tuple[ProductEntry, ...]]:
        """The products of every sector, group, former district and star class, in one pass
        (the same for every language)."""
        groups: dict[tuple[str, Any], list[ProductEntry]] = {}
        communes = self.catalog.communes
        for p in self.all_products:
            keys = [("stars", p.certification.stars)]
            keys += [("district", d) for d in communes[p.record.origin.commune].legacy_districts]
            if p.browse_category:
                keys += [("sector", p.browse_category.sector.id),
                         ("group", p.browse_category.group.id)]
            for key in keys:
                groups.setdefault(key, []).append(p)
        return {key: tuple(products) for key, products in groups.items()}

    @cached_property
    def districts_with_communes(self):
        """Former districts, each with the current communes formed from it."""
        result = []
        for district in self.catalog.regions.legacy_districts:
            communes = [c for c in self.catalog.regions.communes
                        if district.id in c.legacy_districts]
            result.append((district, tuple(communes)))
        return tuple(result)

    # ----------------------------------------------------------------------
    # Rendering
    # ----------------------------------------------------------------------

    def render(self, page: Page) -> str:
        return self.render_file(page)[0].decode("utf-8")

    def render_file(self, page: Page) -> tuple[bytes, str | None]:
        """``page``'s file, and where it prints the build day when it may be carried over
        to a later day (:meth:`carried_over`; :data:`.reuse.SPANS`): rendered with the
        day as marks (:class:`.MarkedDay`), which are then replaced by the day's text."""
        if self.carried_over(page.template):
            self.today = self._marked_day
            try:
                found = self._filled(self._render(page, self._marked_day), page.lang)
            except Exception:  # noqa: BLE001 - a use of the day other than printing it
                found = None
            finally:
                self.today = self.edition.today
            if found is not None:
                return found
        return self._render(page).encode("utf-8"), None

    def _render(self, page: Page, today: Any = None) -> str:
        url = self.urls.at(page.lang, page.path)
        context = self._context(self.translator(page.lang), url, **page.context)
        context.update(page=page, alternates=self.alternates(page))
        if today is not None:
            context["today"] = today
        return self.env.get_template(page.template).render(context)

    def carried_over(self, template: str) -> bool:
        """Whether a page of ``template`` is keyed without the build day and carried over to
        a later day with the day's text written in (:meth:`.Keys.carried`, with the cards
        it may show)."""
        return self.keys.carried(template, CARD_TEMPLATE)

    def _day_text(self, day: dt.date, form: str, lang: str) -> bytes | None:
        """How a page in ``lang`` prints ``day`` in ``form`` (``iso`` or a date format), as
        UTF-8; None when the text would be escaped (it could then not be written in as it
        is). Worked out once per day, form and language."""
        key = (day, form, lang)
        if key not in self._day_texts:
            text = day.isoformat() if form == "iso" else self.translator(lang).date(day, form)
            self._day_texts[key] = text.encode("utf-8") \
                if str(escape(text)) == text and not self._altered(text) else None
        return self._day_texts[key]

    def _filled(self, text: str, lang: str) -> tuple[bytes, str] | None:
        """``text`` rendered with the day as marks: the file with the day's text in their
        place and where that is (byte offsets); None when a mark was altered (a filter
        applied to it) or the day's text would need escaping."""
        parts = self._marks.split(text)
        if len(parts) == 1:
            return None if self._altered(text) else (text.encode("utf-8"), None)
        pieces, places, offset, today = [], [], 0, self.edition.today
        for i, part in enumerate(parts):
            if i % 2:
                data = self._day_text(today, part, lang)
                if data is None:
                    return None
                places.append((offset, part))
            elif self._altered(part):
                return None
            else:
                data = part.encode("utf-8")
            pieces.append(data)
            offset += len(data)
        return b"".join(pieces), join_spans(places)

    def _altered(self, text: str) -> bool:
        """Whether ``text`` holds a mark, or a piece of one, that is not whole (a filter,
        a cut or a conversion applied to it)."""
        return "\ue000" in text or MarkedDay.END in text or self._nonce in text

    def redated(self, page: Page, earlier: tuple[bytes, str, str]) -> tuple[bytes, str] | None:
        """``page`` from its file of an earlier build day (:meth:`.Reuse.earlier`: the file,
        its day, where it printed it) with the build day's text written in, and where; None
        when the file does not hold the earlier day's text where it says."""
        data, old_day, spans = earlier
        try:
            old = dt.date.fromisoformat(old_day)
        except ValueError:
            return None
        places = parse_spans(spans)
        if places is None:
            return None
        pieces, where, at, shift = [], [], 0, 0
        for offset, form in places:
            was = self._day_text(old, form, page.lang)
            now = self._day_text(self.edition.today, form, page.lang)
            if was is None or now is None or offset < at \
                    or data[offset:offset + len(was)] != was:
                return None
            pieces += (data[at:offset], now)
            where.append((offset + shift, form))
            shift += len(now) - len(was)
            at = offset + len(was)
        pieces.append(data[at:])
        return b"".join(pieces), join_spans(where)

    def _context(self, t: Translator, url: str, **extra: Any) -> dict[str, Any]:
        return {"t": t, "ui": t.ui, "lang": t.lang, "url": url,
                "rel": lambda target: relative(url, target), **extra}

    def card(self, product: ProductEntry, t: Translator, url: str) -> Markup:
        """A product's listing card, rendered once per language and reused on every page
        (or read from the cards earlier builds kept: :meth:`cards_needed`).

        Its links are written with a placeholder for the way up to the site
        root, which is filled in for the page that shows the card.
        """
        key = (product.id, t.lang)
        html = self._cards.get(key)
        if html is None:
            kept = self._kept_cards
            if kept is not None:
                html = kept.get(f"{t.lang}:{self.keys.card(product)}")
            if html is None:
                template = self.env.get_template(CARD_TEMPLATE)
                context = self._context(t, "", p=product)  # the same on every page
                context["rel"] = _ROOT.__add__
                html = template.render(context)
                if kept is not None and kept.found:  # not in the store: kept for later
                    self._made_cards[key] = html
            self._cards[key] = html
        return Markup(html.replace(_ROOT, "../" * url.count("/")))

    @cached_property
    def card_store(self) -> KeptTexts | None:
        """Where the cards rendered by earlier builds are kept, by language and card key
        (:meth:`.Keys.card`), under what every card is rendered from besides its product:
        the build but its day (the day too when the card template is not keyed without
        it), the options, UI strings and the card template (:attr:`_base_key`). None for
        a build without keys (an output called on its own)."""
        if self._stores is None or self.reuse is None:
            return None
        base = digest(self._base_key, "cards", self.keys.day_of(CARD_TEMPLATE))
        return KeptTexts(self._stores / f"cards-{base[:16]}.json", base,
                         self.edition.catalog.settings.root,
                         restored=self.reuse.restored if self.reuse.incremental else None)

    def cards_needed(self, pages: Iterable[Page]) -> None:
        """Before ``pages`` are rendered in an incremental build: read the cards kept by
        earlier builds when the listings among them show many cards this process has not
        rendered (a price beyond a listing's price filter changes the counts every page of
        the product's listings shows: a thousand pages at 10,000 products, each with its
        48 cards, which make up seven eighths of a listing page's rendering)."""
        store = self.card_store
        if store is None or not self.reuse.incremental or self._kept_cards is not None:
            return
        need = {(p.id, page.lang): p for page in pages for p in page.context.get("shown") or ()}
        for key in self._cards.keys() & need.keys():
            del need[key]
        if len(need) >= self._many_cards:
            store.read([f"{lang}:{self.keys.card(p)}" for (_, lang), p in need.items()])
            self._kept_cards = store

    def keep_cards(self, made: Mapping[tuple[str, str], str]) -> None:
        """Keep the cards of this build for later ones (:meth:`cards_needed`). A cold build
        writes every card (it rendered them all first, in this process's hands); an
        incremental one writes the store again only when its workers, having read it,
        rendered many cards it did not hold, ``made`` (by product id and language: handed
        back, at most :data:`CARDS_HANDED_BACK` of the catalog's), with the stored ones
        still current; a few cards rendered again when needed cost less than that."""
        store = self.card_store
        if store is None:
            return
        cards = {p.id: self.keys.card(p) for p in self.all_products}
        if not self.reuse.incremental:
            store.write((f"{lang}:{cards[pid]}", html)
                        for (pid, lang), html in self._cards.items())
            return
        if len(made) < self._many_cards:
            return
        current = {f"{lang}:{key}" for key in cards.values() for lang in self.languages}
        store.write(((f"{lang}:{cards[pid]}", html) for (pid, lang), html in made.items()),
                    current.__contains__)

    @cached_property
    def _many_cards(self) -> int:
        """How many cards make the store worth reading, or writing again
        (:data:`CARDS_FROM`, and a twentieth of the catalog's)."""
        return max(CARDS_FROM, len(self.all_products) * len(self.languages) // 20)

    def handed_cards(self) -> dict[tuple[str, str], str]:
        """The cards a worker rendered that the store it read did not hold, to be kept
        (:meth:`keep_cards`); none when they are more than :data:`CARDS_HANDED_BACK` of
        the catalog's."""
        most = CARDS_HANDED_BACK * len(self.all_products) * len(self.languages)
        return self._made_cards if len(self._made_cards) <= most else {}

    def facets(self, products: Sequence[ProductEntry]) -> Facets:
        """The categories, star classes, former districts and price limits a listing's
        filters offer, with their counts."""
        # each product's part, worked out once (:meth:`_facet_parts`): a listing adds
        # them up (a 10,000-product catalog's listings hold 60,000 products in all)
        places = self.edition.places(products)
        if places is None:  # an entry that is not the edition's
            parts, groups = [self._facet_part(p) for p in products], _groups(products)
        else:
            parts, groups = list(map(self._facet_parts.__getitem__, places)), self._facet_groups
        counts = Counter(chain.from_iterable(map(itemgetter(0), parts)))
        prices = sorted(price for _, price in parts if price is not None)
        areas = self.catalog.legacy_districts
        low, high = (prices[0], prices[-1]) if prices else (0, 0)
        return Facets(
            total=len(products),
            groups=tuple((i, groups[i], n) for (_, i), n in sorted(
                (k, n) for k, n in counts.items() if k[0] == "group")),
            stars=tuple((n, counts.get(("stars", n), 0)) for n in (3, 4, 5)),
            areas=tuple((i, areas[i], n) for (_, i), n in sorted(
                (k, n) for k, n in counts.items() if k[0] == "area")),
            prices=tuple((limit, bisect_right(prices, limit))
                         for limit in PRICE_LIMITS if low <= limit < high),
            valid=counts.get(("valid", True), 0))

    @cached_property
    def _facet_parts(self) -> list[tuple[tuple[tuple[str, Any], ...], int | None]]:
        """What each product adds to its listings' filter counts (its star class, group,
        former district, whether its certificate is valid) and its price, by its place in
        the edition (:meth:`.Edition.places`)."""
        return [self._facet_part(p) for p in self.all_products]

    def _facet_part(self, p: ProductEntry) -> tuple[tuple[tuple[str, Any], ...], int | None]:
        f = self.filter_data(p)
        keys: list[tuple[str, Any]] = [("stars", f.stars)]
        if p.browse_category:
            keys.append(("group", f.category))
        if f.area:  # "": a commune whose former districts are not filled in yet
            keys.append(("area", f.area))
        if self.edition.status(p) in certs.ACTIVE:
            keys.append(("valid", True))
        return tuple(keys), f.price

    @cached_property
    def _facet_groups(self) -> dict[str, Any]:
        """The group of each category id the products are browsed by."""
        return _groups(self.all_products)

    def by_name(self, products: Sequence[ProductEntry], lang: str) -> tuple[ProductEntry, ...]:
        """``products`` in the alphabetical order of their names in ``lang``
        (:func:`.search.sort_key`: Vietnamese order, the same on every build)."""
        if not isinstance(products, (list, tuple)):
            products = tuple(products)  # looked at twice below, maybe
        ordered, ranks = self._name_order(lang)
        places = self.edition.places(products)
        if places is None:  # an entry that is not the edition's: by its own name
            return tuple(sorted(products, key=lambda p: _name_key(p, lang)))
        # each product's rank in the catalog's name order, sorted as whole numbers (no
        # call per comparison: listings hold 60,000 products in all at 10,000 products,
        # in every language), then the products of those ranks
        return tuple(map(ordered.__getitem__, sorted(map(ranks.__getitem__, places))))

    def _name_order(self, lang: str) -> tuple[list[ProductEntry], list[int]]:
        """The catalog's products in the order of their names in ``lang``, and each
        product's rank in it, by its place in the edition (:meth:`.Edition.places`)."""
        found = self._name_orders.get(lang)
        if found is None:
            ordered = sorted(self.all_products, key=lambda p: _name_key(p, lang))
            ranks = [0] * len(ordered)
            for rank, place in enumerate(self.edition.places(ordered)):
                ranks[place] = rank
            found = self._name_orders[lang] = (ordered, ranks)
        return found

    #: Name of a paged listing's filter data, in the folder of its first page.
    LISTING_DATA = "listing.json"

    def filter_data(self, product: ProductEntry) -> FilterData:
        """What the listing filters (ocop.js) know of a product: its card's ``data-*``
        attributes, and the items of a paged listing's data file."""
        found = self._filter_data.get(product.id)
        if found is None:
            e, r, cat = self.edition, product.record, product.browse_category
            revoked = product.certification.revoked
            found = self._filter_data[product.id] = FilterData(
                product.certification.stars, cat.group.id if cat else "",
                next(iter(e.commune_of(product).legacy_districts), ""), r.offer_price,
                e.valid_until(product).isoformat(),
                revoked.date.isoformat() if revoked else "",
                product.certification.decision_date.isoformat())
        return found

    def listing_data(self, products: Sequence[ProductEntry]) -> bytes:
        """What the filters and sort of a paged listing read (ocop.js), a product per item
        in the listing's order (by name): :meth:`filter_data` as
        ``[stars, category, area, price or null, valid_until, revoked or "", decided]``."""
        items = [list(self.filter_data(p)) for p in products]
        return json.dumps({"format": 2, "items": items}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")

    # ----------------------------------------------------------------------
    # Keys: what each file is made from (ocop_catalog.edition.keys)
    # ----------------------------------------------------------------------

    @cached_property
    def _base_key(self) -> str:
        """What every file of this output depends on: the build but its date (a page's key
        has it unless its template and the card template leave it out: :meth:`_day`), the
        options,
        the UI strings, which communes have products (pages link to those only), the card
        template (cards are rendered by :meth:`card`, which no template names) and the
        default sharing image (its name is the digest of its texts and the theme's fonts)."""
        social = self.edition.social_image
        return digest(self.keys.undated, self.options, self.keys.strings,
                      self.edition.communes_with_products,
                      self.keys.template(CARD_TEMPLATE), social.path, social.alt)

    def _day(self, template: str) -> str | None:
        """The build date for the key of a page of ``template``, or None
        (:meth:`.Keys.day_of`; the card template counts: listings show cards)."""
        return self.keys.day_of(template, CARD_TEMPLATE)

    def frame_key(self, template: str) -> str:
        """The key of a page of ``template`` that shows the frame only (the 404 page)."""
        return digest(self._base_key, self.keys.template(template), self._day(template))

    def page_key(self, page: Page) -> str:
        """The key of ``page``: its template (with the templates it uses), language and
        path, and the records it shows (a page about the whole catalog: what it shows of
        it, :meth:`shown`)."""
        keys, context = self.keys, page.context
        if page.template == "product.html":
            data: Any = keys.neighbourhood(context["product"])
        elif page.template == "lot.html":
            data = (keys.neighbourhood(context["product"]), context["lot"], context["state"],
                    context["lot_pages"])
        elif page.template == "producer.html":
            data = (keys.producer(context["producer"].id), keys.cards(context["products"]))
        elif page.template == "redirect.html":
            data = context
        elif "pager" in context:  # a page of a product listing (listing.html, sales_point.html)
            pager, point = context["pager"], context.get("point")
            data = (context["kind"] if "kind" in context else "point",
                    [getattr(context.get(name), "id", None)
                     for name in ("sector", "group", "district")],
                    getattr(context.get("commune"), "code", None), context.get("stars"),
                    keys.point(point.id) if point is not None else None,
                    (pager.base, pager.number, pager.count, pager.size),
                    self.facets_key(context),
                    keys.cards(context["shown"]))
        else:
            data = self.shown(page.template)
        if self.carried_over(page.template):
            # what it works out from the day is in its product's key; the day it prints
            # follows the key (Reuse.earlier)
            return digest(self._base_key, keys.template(page.template), page.lang, page.path,
                          data) + "@" + self.edition.today.isoformat()
        return digest(self._base_key, keys.template(page.template), self._day(page.template),
                      page.lang, page.path, data)

    #: Pages of the whole catalog that show a few of its figures, not every record: what
    #: each shows is their key (:meth:`shown`), so that a price leaves them alone.
    SUMMARY_PAGES = ("home.html", "producers.html", "categories.html", "areas.html",
                     "sales_points.html", "search.html", "open_data.html", "statistics.html")

    def shown(self, template: str) -> Any:
        """What a page of ``template`` that is not about one record shows of the catalog,
        the same in every language (worked out once per template): for
        :data:`SUMMARY_PAGES`, exactly what the template reads (records, the counts
        it prints, the home page's choices); for any other (a template a theme adds),
        every record (:attr:`.Keys.catalog`)."""
        found = self._shown.get(template)
        if found is None:
            found = self._shown[template] = digest(self._shown_data(template))
        return found

    def _shown_data(self, template: str) -> Any:
        keys, catalog = self.keys, self.catalog
        districts = catalog.regions.legacy_districts  # names and communes: in Keys.undated

        def points() -> list[tuple[str, int]]:
            return [(keys.point(pid), len(catalog.products_at(pid)))
                    for pid in catalog.sales_points]

        if template == "search.html":  # a form: the results come from the search index
            return "search"
        if template == "producers.html":
            return [(keys.producer(pid), len(catalog.products_of(pid)))
                    for pid in catalog.producers]
        if template == "categories.html":  # the groups with products, and how many
            return [(sector.id, [(g.id, len(self.in_group(g.id))) for g in groups])
                    for sector, groups in self.sectors]
        if template == "areas.html":
            return ([(d.id, len(self.in_district(d.id))) for d in districts],
                    [(c.code, len(catalog.products_in_commune(c.code)))
                     for c in catalog.regions.communes])
        if template == "sales_points.html":
            return points(), [bool(self.in_district(d.id)) for d in districts]
        if template == "open_data.html":  # every feed, its file and number of items
            return self.open_data
        if template == "statistics.html":
            # the office's numbers (the charts are drawn from them), the sales points they
            # are counted by and the names of the products whose certificates expire soon
            # (sectors, groups, communes and districts are named by the taxonomy and the
            # regions, in Keys.undated; the page has the build date in its key)
            f = self.stats.figures
            return (f, points(),
                    [(e.product, catalog.products[e.product].record.name)
                     for month in f.expiring for e in month.products])
        if template == "home.html":
            f = self.stats.figures
            return ([f.products, f.active, f.producers, f.sales_points],
                    [keys.card(p) for p in self.featured],
                    [(sector.id, group.id, n, keys.card(p) if p is not None else None)
                     for sector, group, n, p in self.category_tiles],
                    [len(self.with_stars(n)) for n in (5, 4, 3)],
                    self.browse_areas, points(), len(catalog.products))
        return keys.catalog

    def facets_key(self, context: Mapping[str, Any]) -> str:
        """What a listing page shows of the whole listing: how many products it has and
        its filters' choices with their counts (its cards are keyed apart; the filter data
        of every product is in the listing's data file, keyed by the listing's cards)."""
        base = context["pager"].base
        found = self._facets_keys.get(base)
        if found is None:
            found = self._facets_keys[base] = digest(len(context["products"]),
                                                     context["facets"])
        return found

    def page_file(self, page: Page) -> str:
        """Where ``page`` is written (site-relative): a folder's page is its index.html; a
        path without a trailing slash (a lot's GS1 Digital Link) is <path>.html, which
        static hosts serve at the path itself."""
        url = self.urls.at(page.lang, page.path)
        return f"{unquote(url)}.html" if url and not url.endswith("/") else f"{url}index.html"

    def qr_key(self, product: ProductEntry) -> str:
        # the symbol is a function of what it holds and the drawing code: keyed by these,
        # an unchanged code is taken over without being made
        found = self._qr_keys.get(product.id)
        if found is None:
            found = self._qr_keys[product.id] = digest(
                self.keys.undated, "qr", DRAWING_VERSION, self.edition.qr_target(product))
        return found

    def page_files(self, page: Page) -> Iterator[tuple[str, bytes]]:
        """Files written beside a page (site-relative path, content)."""
        pager = page.context.get("pager")
        if pager is not None and pager.number == 1 and pager.count > 1:
            yield pager.base + self.LISTING_DATA, self.listing_data(page.context["products"])

    def page_file_keys(self, page: Page) -> Iterator[tuple[str, str]]:
        """The files written beside a page (:meth:`page_files`) and their keys."""
        pager = page.context.get("pager")
        if pager is not None and pager.number == 1 and pager.count > 1:
            # the cards say all that the filter data holds of each product (its record
            # and certificate), in the listing's order
            yield pager.base + self.LISTING_DATA, digest(
                self._base_key, "listing-data", self.keys.cards(page.context["products"]))

    def alternates(self, page: Page) -> dict[str, str]:
        """The same page in every language (including this one)."""
        return self.edition.alternates(page.path)

    def write(self, site_dir: Path, workers: int | None = None, *,
              search: bool = False, meanwhile: Callable[[], None] | None = None) -> int:
        """Render every page and QR code into ``site_dir``, and with ``search`` the search
        index (:attr:`search_stats`); the number of pages written. ``meanwhile`` writes
        other files of the site (which do not read the pages): called in this process
        while the workers render, or after the pages when there are no workers."""
        with collector_off():  # as the plan: many pages, no cycles
            pages = self.pages() + self.redirect_pages() + self.lot_pages()
        (site_dir / "qr").mkdir(parents=True, exist_ok=True)
        if self.reuse is not None:
            # every record's key (cards, producers, sales points) and what the summary
            # pages show, worked out once, before the workers fork
            self.keys.catalog
            for template in self.SUMMARY_PAGES:
                self.shown(template)
        # every template the pages and cards use, parsed, keyed and compiled once, too (a
        # template with a syntax error stops a build even if no page would render it)
        for name in sorted({page.template for page in pages} | {CARD_TEMPLATE}):
            for used in self.keys.uses(name):
                self.env.get_template(used)
        workers = max(1, min(workers or os.cpu_count() or 1, len(pages) // PAGES_PER_WORKER or 1))
        if workers > 1 and can_fork():
            # the plan of every page, its keys and templates live as long as the build:
            # out of the collector's walks and the workers' copies (the pipeline unfreezes)
            freeze_kept()
        if workers == 1 or not can_fork():
            _per_product(self, site_dir, 0, 1)
            count = _write_share(self, pages, site_dir, 0, 1)
            if search:
                self._write_search_index(site_dir)
            if meanwhile is not None:
                meanwhile()
            self.keep_cards(self.handed_cards())
            return count
        shares = [(i, workers) for i in range(workers)]
        reuse = self.reuse
        if reuse is not None and reuse.incremental and sum(
                not reuse.holds(self.edition.qr_image(p), self.qr_key(p))
                for p in self.all_products) < QR_IN_PROCESS:
            # an incremental build's per-product work is taking QR codes over and making
            # the few whose key changed (a new product, a new code): here, not worth a
            # fork (a new configuration changes every key: on every core)
            _per_product(self, site_dir, 0, 1)
        else:
            # per-product work first (cards, QR codes), each done once on some core, so
            # that every page worker starts with all of it instead of doing it again
            with forked_pool(workers, builder=self, site_dir=site_dir) as pool:
                for cards, keys in pool.starmap(_per_product_forked, shares):
                    self._cards.update(cards)
                    if self.reuse is not None:
                        self.reuse.merge(keys)
        with forked_pool(workers, builder=self, pages=pages, site_dir=site_dir) as pool:
            written = pool.starmap_async(_write_forked, shares)
            if search:  # in this process, which would otherwise only wait
                self._write_search_index(site_dir)
            if meanwhile is not None:
                meanwhile()
            counts, made = [], {}
            for (count, cards), keys in written.get():
                counts.append(count)
                made.update(cards)
                if self.reuse is not None:
                    self.reuse.merge(keys)
        self.keep_cards(made)
        return sum(counts)

    def _write_search_index(self, site_dir: Path) -> None:
        self.search_stats = write_indexes(
            site_dir, (self._search_source(lang) for lang in self.languages), self.reuse)

    def _search_source(self, lang: str) -> LanguageDocs:
        """``lang``'s search documents, made on demand, with their keys when files can be
        taken over: a document shows its record (a product's card: the product and its
        producer) in ``lang``; the term shards depend on what every document is found by
        (:meth:`_search_terms_key`), which a price or a certificate's dates leave alone."""
        entities = self._search_entities
        make = functools.partial(self._search_doc, lang)
        if self.reuse is None:
            return LanguageDocs(lang, len(entities), lambda i: make(entities[i]))
        base = digest(self._base_key, "search", lang)
        return LanguageDocs(lang, len(entities), lambda i: make(entities[i]),
                            [digest_keys([base, key]) for key in self._search_record_keys],
                            digest(base, self._search_terms_key))

    @cached_property
    def _search_record_keys(self) -> list[str]:
        """The key of the record each search document shows (a product's card), in the
        documents' order: the same in every language."""
        keys = self.keys
        return [keys.card(x) if kind == "product" else keys.producer(x.id)
                if kind == "producer" else keys.point(x.id) for kind, x in self._search_entities]

    @cached_property
    def _search_entities(self) -> list[tuple[str, Any]]:
        """What the search finds, in the order of results that score the same: products
        (valid certificates first, then by stars), producers, sales points."""
        e = self.edition
        active = set(certs.ACTIVE)
        ranked = sorted(self.all_products, key=lambda p: (
            e.status(p) not in active, -p.certification.stars))
        return ([("product", p) for p in ranked]
                + [("producer", p) for p in self.catalog.producers.values()]
                + [("point", p) for p in self.catalog.sales_points.values()])

    @cached_property
    def _search_terms_key(self) -> str:
        """What every document is found by, in order (the same in every language: a
        document is found by its texts in all of them): a product's names, summary,
        ingredients, GTIN, category and place, and its producer's name; a producer's or a
        sales point's record."""
        keys = self.keys
        found = []
        for kind, x in self._search_entities:
            if kind == "product":  # its card's key stands for all of these
                found.append(self.parts.get(keys.card(x), _search_terms, x,
                                            self.edition.producer_of(x).record))
            else:
                found.append(keys.producer(x.id) if kind == "producer" else keys.point(x.id))
        return digest(*found)

    def search_docs(self, lang: str) -> list[SearchDoc]:
        """The search results of ``lang``'s index (:meth:`_search_doc`), in order."""
        return [self._search_doc(lang, x) for x in self._search_entities]

    def _search_doc(self, lang: str, entity: tuple[str, Any]) -> SearchDoc:
        """One search result of ``lang``'s index: a product, producer or sales point,
        found by its name, producer, category and place, in every published language (so
        that a word typed in another language than the page's finds its product too), and
        shown in ``lang`` as a card: kind, thumbnail, stars, certificate status and price."""
        e, t = self.edition, self.translator(lang)
        province = self.catalog.regions.province.name

        def every(value, weight: int) -> tuple[tuple[str | None, int], ...]:
            """A translatable text in each language it is written in."""
            return tuple((text, weight) for text in dict.fromkeys(value.values())) \
                if value else ()

        def place(commune, legacy) -> tuple[tuple[str | None, int], ...]:
            found = every(commune.name, FACT) + every(province, TEXT)
            for district in commune.legacy_districts:
                found += every(e.district(district).name, FACT)
            if legacy:
                found += ((legacy.commune, FACT),)
            return found

        def thumbnail(image: ProcessedImage | None) -> str:
            return e.media_url(image, image.pick("webp", 360)) if image else ""

        kind, x = entity
        if kind == "product":
            p = x
            r, producer, commune = p.record, e.producer_of(p).record, e.commune_of(p)
            browse = p.browse_category
            category = f"{browse.group.name(lang)} › {browse.name(lang)}" if browse else ""
            fields = every(r.name, NAME) + every(producer.name, FACT)
            if browse:
                fields += every(browse.group.name, FACT) + every(browse.name, FACT)
            fields += place(commune, r.origin.legacy)
            fields += every(r.summary, TEXT) + every(r.ingredients, TEXT) + ((r.gtin, TEXT),)
            revoked = p.certification.revoked
            return SearchDoc(
                self.urls.product(lang, p.id), r.name(lang),
                tuple(x for x in (producer.name(lang), category, commune.name(lang)) if x),
                t.plain(r.summary), fields, kind="product", image=thumbnail(e.main_photo(p)),
                stars=p.certification.stars, status=e.status(p),
                valid_until=e.valid_until(p).isoformat(),
                revoked=revoked.date.isoformat() if revoked else "",
                price=t.price(r.price.amount) if r.price else "")
        if kind == "producer":
            r = x.record
            commune = self.catalog.communes[r.address.commune]
            logo = e.photo(x.logo.path) if x.logo else None
            return SearchDoc(
                self.urls.producer(lang, x.id), r.name(lang),
                (t.ui[f"producer.type.{r.type}"], commune.name(lang)), "",
                every(r.name, NAME) + place(commune, r.address.legacy)
                + ((r.representative, TEXT), (t.plain(r.description), TEXT)),
                kind="producer", image=thumbnail(logo))
        point = x
        commune = self.catalog.communes[point.address.commune]
        return SearchDoc(
            self.urls.sales_point(lang, point.id), point.name(lang),
            (t.ui[f"points.kind.{point.kind}"], commune.name(lang)),
            t.plain(point.description),
            every(point.name, NAME) + place(commune, point.address.legacy)
            + every(point.address.street, FACT) + every(point.description, TEXT),
            kind="point")

    # ----------------------------------------------------------------------
    # Helpers for templates
    # ----------------------------------------------------------------------

    def cert_view(self, product: ProductEntry, t: Translator) -> dict[str, Any]:
        """What the certificate block shows, in ``t``'s language: status, dates, words."""
        key = (product.id, t.lang)
        if key not in self._certs:
            e, cert = self.edition, product.certification
            until = certs.valid_until(cert)
            revoked = cert.revoked.date if cert.revoked else None
            self._certs[key] = {
                "status": e.status(product),
                "until": until.isoformat(),
                "revoked": revoked.isoformat() if revoked else "",
                "labels": {s: t.ui[f"status.{s}"] for s in STATUSES},
                "notes": {s: t(f"status.note.{s}", date=t.date(revoked if s == "revoked"
                                                               and revoked else until))
                          for s in STATUSES},
                # where the decision is published, named on the certificate (seal)
                "source_host": (urlsplit(cert.source_url).hostname or "")
                if cert.source_url else "",
            }
        return self._certs[key]

    def passport(self, product: ProductEntry) -> dict[str, Any]:
        """What the passport section shows (partials/passport.html): the eight items by key,
        the place of the last processing stage, which other certifications have expired."""
        catalog, record = self.catalog, product.record
        processing = record.last_processing
        return {
            "items": {item.key: item for item in passport.passport_items(product, catalog)},
            "processing": passport.place(catalog, processing.commune) if processing else None,
            "expired": [passport.certification_expired(c, catalog.today)
                        for c in record.certifications],
            "trace_host": urlsplit(record.traceability_url).hostname
            if record.traceability_url else None,
        }

    def report_link(self, product: ProductEntry, t: Translator) -> str | None:
        """Where the product page's "report wrong information" link leads (:mod:`.report`)."""
        name = t.plain(product.record.name)
        page = self.urls.absolute(self.urls.product(t.lang, product.id))
        return report_link(self.options.report_url, t.ui.get("office.email", ""),
                           product=name, product_id=product.id, page_url=page,
                           subject=t("productpage.report_subject", product=name),
                           body=t("productpage.report_body", product=name, id=product.id,
                                  url=page))

    def srcset(self, image: ProcessedImage, fmt: str, rel) -> str:
        """``srcset`` of a photo, its URLs made relative by the page's ``rel``."""
        return image.srcset(fmt, base=rel(image.url_base(self.edition.config.media_prefix)))

    def jsonld(self, product: ProductEntry, t: Translator) -> Markup:
        absolute = self.urls.absolute
        data = structured.product_jsonld(
            self.catalog, product, t,
            page_url=absolute(self.urls.product(t.lang, product.id)),
            image_urls=self.edition.square_urls(product),
            producer_url=absolute(self.urls.producer(t.lang, product.producer_id)),
        )
        return structured.to_script(data)

    # ----------------------------------------------------------------------
    # Home page: featured products, browsing tiles and counts
    # ----------------------------------------------------------------------

    def _check_featured(self) -> None:
        """The office's own ``featured`` products must be published products."""
        chosen = self.options.featured
        if isinstance(chosen, int):
            return
        renamed = {old: p.id for p in self.all_products for old in p.record.former_ids}
        for pid in chosen:
            if pid in self.catalog.products:
                continue
            hint = (f"it is a former id of '{renamed[pid]}': write that" if pid in renamed
                    else "no published product has this id (the name of its folder, "
                    "products/<producer>/<id>/; a product is published once the register "
                    "of decisions names it)")
            raise OptionError(f"'featured' names the product '{pid}', but {hint}")
        self.featured  # chosen (and what is left out said) once, before pages are forked

    def _rank(self, product: ProductEntry) -> tuple:
        """Best first: a valid certificate, more stars, a newer decision, then by id."""
        c = product.certification
        return (self.edition.status(product) not in certs.ACTIVE, -c.stars,
                -c.decision_date.toordinal(), product.id)

    @cached_property
    def featured(self) -> tuple[ProductEntry, ...]:
        """The home page's products, only those whose certificate is valid (or expiring) on
        the build day: the office's choice (``featured: [id, …]``, in its order; a lapsed
        one is left out, and the build says so), else ``featured`` products, varied: best
        ranked first (:meth:`_rank`), one per producer and category, then one per producer,
        then any."""
        chosen = self.options.featured
        if not isinstance(chosen, int):
            listed = [self.catalog.products[pid] for pid in chosen]
            lapsed = [p.id for p in listed if self.edition.status(p) not in certs.ACTIVE]
            if lapsed:
                logging.getLogger("ocop_catalog.pages").info(
                    "featured: left out of the home page, their certificate has expired or "
                    "been revoked: %s", ", ".join(lapsed))
            return tuple(p for p in listed if p.id not in lapsed)
        ranked = sorted((p for p in self.all_products
                         if self.edition.status(p) in certs.ACTIVE), key=self._rank)
        picked: list[ProductEntry] = []
        for same_group, same_producer in ((False, False), (True, False), (True, True)):
            producers = {p.producer_id for p in picked}
            groups = {p.browse_category.group.id if p.browse_category else "" for p in picked}
            for p in ranked:
                if len(picked) >= chosen:
                    return tuple(picked)
                group = p.browse_category.group.id if p.browse_category else ""
                if p.id in {q.id for q in picked} \
                        or (not same_producer and p.producer_id in producers) \
                        or (not same_group and group in groups):
                    continue
                picked.append(p)
                producers.add(p.producer_id)
                groups.add(group)
        return tuple(picked)

    def representative(self, products: Sequence[ProductEntry]) -> ProductEntry | None:
        """The product whose photo stands for a group of products: the best ranked
        (:meth:`_rank`) that has a photo."""
        with_photo = [p for p in products if self.edition.main_photo(p) is not None]
        return min(with_photo, key=self._rank) if with_photo else None

    @cached_property
    def category_tiles(self) -> tuple[tuple[Any, Any, int, ProductEntry | None], ...]:
        """Every group with products: (sector, group, products, representative product)."""
        return tuple((sector, group, len(self._in_group(group.id)),
                      self.representative(self._in_group(group.id)))
                     for sector, groups in self.sectors for group in groups)

    @cached_property
    def browse_areas(self) -> tuple[tuple[str, Any, str, int], ...]:
        """The areas the home page offers: (kind, id, name, products), kind ``district``
        (former districts, when the office has filled them in) or ``commune``."""
        districts = self.catalog.regions.legacy_districts
        if any(self.in_district(d.id) for d in districts):
            return tuple(("district", d.id, d.name, len(self.in_district(d.id)))
                         for d in districts)
        return tuple(("commune", code, self.catalog.communes[code].name,
                      len(self.catalog.products_in_commune(code)))
                     for code in self.edition.communes_with_products)

    def points_by_area(self, lang: str) -> tuple[tuple[Any, tuple], ...]:
        """The sales points grouped by area: (former district or None, points by name),
        districts in the office's order, points without one last."""
        groups: dict[str | None, list] = {}
        for point in self.catalog.sales_points.values():
            commune = self.catalog.communes[point.address.commune]
            legacy = point.address.legacy
            district = next(iter(commune.legacy_districts), None) or (
                legacy.district if legacy else None)
            groups.setdefault(district, []).append(point)
        order = [d.id for d in self.catalog.regions.legacy_districts if d.id in groups]
        if None in groups:
            order.append(None)
        return tuple((self.catalog.legacy_districts[d] if d else None,
                      tuple(sorted(groups[d], key=lambda p: (sort_key(p.name(lang)), p.id))))
                     for d in order)

    def write_qr_code(self, product: ProductEntry, site_dir: Path) -> None:
        """The product's QR SVG (the same in every language). Not cached: drawing
        (0.2 ms) costs less than keeping a cached copy in step on disk."""
        svg = symbol_svg(*self.edition.qr_symbol(product.id))
        write_new(site_dir / self.edition.qr_image(product), svg)


def _groups(products: Iterable[ProductEntry]) -> dict[str, Any]:
    """The group of each category id ``products`` are browsed by."""
    return {p.browse_category.group.id: p.browse_category.group
            for p in products if p.browse_category}


def _name_key(product: ProductEntry, lang: str) -> tuple[tuple[str, str, str], str]:
    return sort_key(product.record.name(lang)), product.id


def _search_terms(product: ProductEntry, producer) -> str:
    """The key of what a product's search document is found by (the same in every
    language): its names, summary, ingredients, GTIN, category and place, and its
    producer's name."""
    r = product.record
    return digest(r.name, r.summary, r.ingredients, r.gtin, r.category, r.origin, producer.name)


# --------------------------------------------------------------------------
# Writing (module level so worker processes can run it)
# --------------------------------------------------------------------------


def _per_product(builder: SiteBuilder, site_dir: Path, index: int, count: int):
    """Per-product work shared by its pages in every language, for every ``count``-th
    product from ``index``: listing cards (on a cold build: an incremental one renders
    the cards of the pages it renders, when it needs them) and the QR code."""
    reuse = builder.reuse
    for product in builder.all_products[index::count]:
        if reuse is None or not reuse.incremental:
            for lang in builder.languages:
                builder.card(product, builder.translator(lang), "")
        if reuse is None or not reuse.take(builder.edition.qr_image(product),
                                           builder.qr_key(product)):
            builder.write_qr_code(product, site_dir)
    return builder._cards


def _per_product_forked(index: int, count: int):
    builder = shared("builder")
    return handed_back(builder.reuse,
                       lambda: _per_product(builder, shared("site_dir"), index, count))


def _write_forked(index: int, count: int):
    builder = shared("builder")
    # with the cards it rendered, which the build may keep (SiteBuilder.keep_cards)
    return handed_back(builder.reuse, lambda: (
        _write_share(builder, shared("pages"), shared("site_dir"), index, count),
        builder.handed_cards()))


def _write_share(builder: SiteBuilder, pages: list[Page], site_dir: Path,
                 index: int, count: int) -> int:
    """Write every ``count``-th page, starting at ``index`` (or take it over from the
    previous build when its key is unchanged): every page keyed first, then those not
    taken over made (knowing how many cards they show: :meth:`SiteBuilder.cards_needed`)."""
    written = 0
    reuse = builder.reuse
    base = os.fspath(site_dir)
    made: set[str] = set()  # the folders this process made (or found): each made once
    todo: list[tuple[Page, str, bool, str]] = []  # what is not taken over: to write
    for page in pages[index::count]:
        rel = builder.page_file(page)
        written += 1
        key, took = "", False
        if reuse is not None:
            key = builder.page_key(page)
            took = reuse.take(rel, key)
            took_all = [reuse.take(name, key) for name, key in builder.page_file_keys(page)]
            if took and all(took_all):
                continue
        todo.append((page, rel, took, key))
    builder.cards_needed(page for page, _, _, _ in todo)
    for page, rel, took, key in todo:
        found = None
        if reuse is not None and not took and builder.carried_over(page.template):
            earlier = reuse.earlier(rel, key)  # the same page on an earlier day
            if earlier is not None:
                found = builder.redated(page, earlier)
        redated = found is not None
        if found is None:
            found = builder.render_file(page)
        html, spans = found
        folder = rel.rpartition("/")[0]
        if folder not in made:
            os.makedirs(f"{base}/{folder}" if folder else base, exist_ok=True)
            made.add(folder)
        write_new(f"{base}/{rel}", html)
        if reuse is not None:
            reuse.wrote(rel, spans, redated)
        for name, data in builder.page_files(page):
            write_new(f"{base}/{name}", data)
    return written



