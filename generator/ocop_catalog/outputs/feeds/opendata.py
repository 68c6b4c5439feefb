"""The complete catalog as one JSON document, for the national platform and aggregators.

``feeds/catalog.json`` holds every product (whatever its certificate status:
open data says what the status is, it does not hide it), producer, sales
point, category of the three criteria decisions and area, with absolute URLs
to pages, photos and QR codes. Its format is described by the JSON Schema
published beside it, ``feeds/catalog.schema.json`` (ocop_catalog.outputs.feeds.schema);
``version`` says which version of that format a file follows.

Text written per language is an object ``{"vi": …, "en": …}`` holding only the
languages the record really has (Vietnamese always): a consumer can tell a
translation from a fallback. Dates are ``YYYY-MM-DD`` days in Vietnam.

The same product objects are what export profiles pick their columns from
(ocop_catalog.outputs.feeds.export), so the field reference is one for both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...catalog import certificates as certs
from ...catalog.model import ProductEntry
from ...catalog.taxonomy import CURRENT_VERSION, load_taxonomies
from ...edition import Edition
from ...records.history import CATALOG_JSON, PublishedProduct, claims, remember_published
from .. import Output, Run
from ...edition.keys import Keys, digest
from ...fragments import Fragments, fragments
from .data import (FeedContext, RawJSON, compact_json, feed_context, google_categories,
                   kiosk_urls, point_feed_urls, text_map, write_json)
from .export import check_exports, sound_row, write_exports
from .options import feed_options
from .schema import CATALOG_SCHEMA_PATH, CATALOG_VERSION

CATALOG_PATH = CATALOG_JSON


class OpenData:
    """The catalog's JSON objects, built once and shared by catalog.json and the exports."""

    def __init__(self, ctx: FeedContext, *, sales_point_feeds=None, kiosks=None,
                 parts: Fragments | None = None, keys: Keys | None = None) -> None:
        self.ctx = ctx
        #: The previous build's products as JSON text, by key (:mod:`ocop_catalog.fragments`),
        #: used when ``keys`` are given.
        self.parts = parts if parts is not None else Fragments(None, "", read=False)
        self.keys = keys
        #: point id → {lang: URL} of its JSON Feeds, and → kiosk URL (when written)
        self.sales_point_feeds = sales_point_feeds or {}
        self.kiosks = kiosks or {}
        self._products: dict[str, dict[str, Any]] = {}
        self._producers: dict[str, dict[str, Any]] = {}
        self._communes: dict[str, dict[str, Any]] = {}

    # -- products -------------------------------------------------------------

    def product(self, product: ProductEntry) -> dict[str, Any]:
        found = self._products.get(product.id)
        if found is None:
            found = self._products[product.id] = self._product(product)
        return found

    def product_json(self, product: ProductEntry) -> RawJSON:
        """:meth:`product` as compact JSON text (kept from the previous build when the
        product's key is unchanged)."""
        if self.keys is None:
            return compact_json(self.product(product))
        return RawJSON(self.parts.get(self.keys.product(product),
                                      lambda: compact_json(self.product(product))))

    def export_key(self, product: ProductEntry) -> str | None:
        """What an export row of ``product`` shows (:meth:`export_view`): the product, its
        producer and the producer's products; None without keys."""
        if self.keys is None:
            return None
        return digest(self.keys.card(product), self.keys.producer_cards(product.producer_id))

    def _product(self, product: ProductEntry) -> dict[str, Any]:
        ctx, edition, record = self.ctx, self.ctx.edition, product.record
        cert = product.certification
        own = product.criteria_set
        browse = product.browse_category
        photos = []
        for info, image in ctx.photo_pairs(product):
            largest = image.largest("webp")
            photos.append({
                "url": ctx.media_url(image, largest),
                "width": largest.width,
                "height": largest.height,
                "square": ctx.media_url(image, image.square),
                "alt": text_map(info.alt),
            })
        return {
            "id": record.id,
            "former_ids": list(record.former_ids),
            "name": text_map(record.name),
            "summary": text_map(record.summary),
            "description": text_map(record.description),
            "url": {lang: ctx.product_url(product, lang) for lang in ctx.languages},
            "short_url": edition.short_url(product),
            "gs1_digital_link": edition.gs1_url(product),
            "qr_svg": ctx.absolute(edition.qr_image(product)),
            "producer": product.producer_id,
            "category": {
                "criteria_version": record.category.criteria_version,
                "criteria_set": record.category.criteria_set,
                "code": own.code if own else None,
                "name": text_map(own.name) if own else None,
                "goods": own.goods if own else True,
                "browse": {
                    "sector": browse.sector.id,
                    "group": browse.group.id,
                    "criteria_set": browse.number,
                } if browse else None,
                "path": {lang: ctx.category_path(product, lang) for lang in ctx.languages},
                "google_product_category": ctx.google_category(product),
            },
            "certification": {
                "stars": cert.stars,
                "score": cert.score,
                "decision_number": cert.decision_number,
                "decision_date": cert.decision_date.isoformat(),
                "issuer": text_map(cert.issuer),
                "valid_from": certs.valid_from(cert).isoformat(),
                "valid_until": product.valid_until.isoformat(),
                "evaluation": cert.evaluation,
                "product_code": cert.product_code,
                "source_url": cert.source_url,
                "revoked": {
                    "date": cert.revoked.date.isoformat(),
                    "reason": text_map(cert.revoked.reason),
                    "decision_number": cert.revoked.decision_number,
                } if cert.revoked else None,
                "status": ctx.status(product),
            },
            "origin": _address(record.origin),
            "price": {
                "amount": record.price.amount,
                "currency": "VND",
                "unit": text_map(record.price.unit),
            } if record.price else None,
            "net_content": {"value": record.net_content.value, "unit": record.net_content.unit}
            if record.net_content else None,
            "availability": record.availability,
            "gtin": record.gtin,
            "shelf_life": {"value": record.shelf_life.value, "unit": record.shelf_life.unit}
            if record.shelf_life else None,
            "ingredients": text_map(record.ingredients),
            "storage": text_map(record.storage),
            "season_months": list(record.season_months),
            "photos": photos,
            "sales_points": list(record.sales_points),
            "marketplaces": [{"platform": m.platform, "url": m.url} for m in record.marketplaces],
            "tags": list(record.tags),
            "tourism": _tourism(record.tourism),
            "listed": _day(record.listed),
            "updated": _day(record.updated),
            "modified": ctx.modified(product).isoformat(),
            "lots": [_lot(edition, product, lot) for lot in record.lots],
        }

    # -- producers, sales points, categories, areas --------------------------------

    def export_view(self, product: ProductEntry) -> dict[str, Any]:
        """The product with its producer and commune, what export column maps read."""
        view = dict(self.product(product))
        view["producer"] = self.producer(self.ctx.edition.producer_of(product))
        view["commune"] = self.commune(product.record.origin.commune)
        return view

    def producer(self, entry) -> dict[str, Any]:
        found = self._producers.get(entry.id)
        if found is None:
            found = self._producers[entry.id] = self._producer(entry)
        return found

    def _producer(self, entry) -> dict[str, Any]:
        ctx, record = self.ctx, entry.record
        logo = ctx.edition.photo(entry.logo.path) if entry.logo else None
        logo_variant = logo.largest("webp") if logo else None
        return {
            "id": record.id,
            "name": text_map(record.name),
            "type": record.type,
            "representative": record.representative,
            "address": _address(record.address),
            "contact": _contact(record.contact),
            "location": _geo(record.location),
            "description": text_map(record.description),
            "logo": ctx.media_url(logo, logo_variant) if logo else None,
            "url": {lang: ctx.absolute(ctx.urls.producer(lang, record.id))
                    for lang in ctx.languages},
            "products": [p.id for p in ctx.catalog.products_of(record.id)],
        }

    def sales_point(self, point) -> dict[str, Any]:
        ctx = self.ctx
        return {
            "id": point.id,
            "name": text_map(point.name),
            "kind": point.kind,
            "address": _address(point.address),
            "location": _geo(point.location),
            "opening_hours": text_map(point.opening_hours),
            "contact": _contact(point.contact) if point.contact else None,
            "description": text_map(point.description),
            "url": {lang: ctx.absolute(ctx.urls.sales_point(lang, point.id))
                    for lang in ctx.languages},
            "products": [p.id for p in ctx.catalog.products_at(point.id)],
            "feeds": dict(self.sales_point_feeds.get(point.id, {})),
            "kiosk": self.kiosks.get(point.id),
        }

    def categories(self) -> list[dict[str, Any]]:
        mapping = google_categories()
        result = []
        for version, taxonomy in load_taxonomies().items():
            sectors = []
            for sector in taxonomy.sectors:
                groups: dict[str, dict[str, Any]] = {}
                for item in taxonomy.sets.values():
                    if item.sector.id != sector.id:
                        continue
                    group = groups.setdefault(item.group.id, {
                        "id": item.group.id, "number": item.group.number,
                        "name": text_map(item.group.name), "sets": []})
                    group["sets"].append({
                        "number": item.number,
                        "code": item.code,
                        "position": item.position,
                        "name": text_map(item.name),
                        "goods": item.goods,
                        "maps_to": item.maps_to,
                        "google_product_category": mapping.get(item.code),
                    })
                sectors.append({"id": sector.id, "number": sector.number,
                                "name": text_map(sector.name), "groups": list(groups.values())})
            result.append({"version": version, "current": version == CURRENT_VERSION,
                           "decision": text_map(taxonomy.decision), "sectors": sectors})
        return result

    def areas(self) -> dict[str, Any]:
        ctx = self.ctx
        regions = ctx.catalog.regions
        with_products = set(ctx.edition.communes_with_products)
        return {
            "province": {"code": regions.province.code, "name": text_map(regions.province.name)},
            "legacy_districts": [
                {"id": d.id, "name": text_map(d.name), "province": text_map(d.province),
                 "url": {lang: ctx.absolute(ctx.urls.district(lang, d.id))
                         for lang in ctx.languages}}
                for d in regions.legacy_districts],
            "communes": [
                {"code": c.code, "name": text_map(c.name), "kind": c.kind,
                 "legacy_districts": list(c.legacy_districts),
                 "url": {lang: ctx.absolute(ctx.urls.commune(lang, c.code))
                         for lang in ctx.languages} if c.code in with_products else None}
                for c in regions.communes],
        }

    def commune(self, code: str) -> dict[str, Any]:
        found = self._communes.get(code)
        if found is None:
            commune = self.ctx.catalog.communes[code]
            found = self._communes[code] = {
                "code": commune.code, "name": text_map(commune.name), "kind": commune.kind,
                "legacy_districts": list(commune.legacy_districts)}
        return found

    # -- the document ------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        ctx = self.ctx
        site_name = {lang: ctx.edition.translator(lang)("site.name") for lang in ctx.languages}
        return {
            "$schema": ctx.absolute(CATALOG_SCHEMA_PATH),
            "version": CATALOG_VERSION,
            "generated": ctx.today.isoformat(),
            "site": {"name": site_name, "url": ctx.site_url, "languages": list(ctx.languages)},
            "products": [self.product_json(p) for p in ctx.catalog.products.values()],
            "producers": [self.producer(p) for p in ctx.catalog.producers.values()],
            "sales_points": [self.sales_point(p) for p in ctx.catalog.sales_points.values()],
            "categories": self.categories(),
            "areas": self.areas(),
        }


def write_catalog(opendata: OpenData, site_dir) -> list[str]:
    """Write catalog.json and its schema; their site paths."""
    from .schema import catalog_schema

    ctx = opendata.ctx
    urls = ctx.urls
    schema = catalog_schema(ctx.absolute(CATALOG_SCHEMA_PATH),
                            urls.absolute(urls.open_data(urls.docs_language())))
    write_json(site_dir / CATALOG_SCHEMA_PATH, schema, indent=2)
    write_json(site_dir / CATALOG_PATH, opendata.document())
    return [CATALOG_PATH, CATALOG_SCHEMA_PATH]


def published_claims(edition: Edition) -> list[PublishedProduct]:
    """What the next build reads from the catalog.json written (ids, former ids, QR codes,
    GTINs, lots: :func:`ocop_catalog.records.history.from_catalog_json`): worked out again
    from the record, as :meth:`OpenData.product` and :func:`_lot` write those fields, and
    read by the same reader (``tests/test_incremental.py`` compares the two on the sample)."""
    found = []
    for product in edition.catalog.products.values():
        record = product.record
        item = {"id": record.id, "former_ids": list(record.former_ids),
                "short_url": edition.short_url(product), "gtin": record.gtin,
                "lots": [{"code": lot.code, "produced": _day(lot.produced)}
                         for lot in record.lots]}
        claim = claims(item, product.producer_id)
        if claim is not None:
            found.append(claim)
    return found


# --------------------------------------------------------------------------
# Record parts
# --------------------------------------------------------------------------


def _lot(edition: Edition, product: ProductEntry, lot) -> dict[str, Any]:
    """A production lot: its dates, its state on the build day, where its page is and the
    address its QR code holds."""
    page = edition.urls.absolute(edition.lot_path(product, lot)) \
        if edition.lot_has_page(lot) else None
    return {
        "code": lot.code,
        "produced": _day(lot.produced),
        "expires": _day(lot.expires),
        "quantity": lot.quantity,
        "test_report": lot.test_report,
        "recall": {"date": lot.recall.date.isoformat(), "reason": text_map(lot.recall.reason)}
        if lot.recall else None,
        "state": edition.lot_state(lot),
        "url": page,
        "qr_target": edition.lot_qr_target(product, lot),
    }


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _geo(point) -> dict[str, float] | None:
    return {"lat": point.lat, "lon": point.lon} if point is not None else None


def _contact(contact) -> dict[str, str | None]:
    return {"phone": contact.phone, "email": contact.email, "website": contact.website}


def _address(address) -> dict[str, Any]:
    legacy = address.legacy
    return {
        "street": text_map(address.street),
        "commune": address.commune,
        "legacy": {"district": legacy.district, "commune": legacy.commune} if legacy else None,
    }


def _tourism(tourism) -> dict[str, Any] | None:
    if tourism is None:
        return None
    return {
        "location": _geo(tourism.location),
        "opening_hours": text_map(tourism.opening_hours),
        "price_per_person": tourism.price_per_person,
        "booking": _contact(tourism.booking),
        "duration": text_map(tourism.duration),
    }


def parse_options(options, languages: tuple[str, ...]):
    """The ``feeds`` options, and the export profiles' columns compiled."""
    parsed = feed_options(options, languages)
    return parsed, check_exports(parsed, languages)


def write(edition: Edition, site_dir: Path, options, run: Run) -> int:
    """``feeds/catalog.json`` with its schema, and the export sheets made from the same
    objects."""
    parsed, compiled = options
    if not (parsed.catalog or parsed.exports):
        return 0
    ctx = feed_context(edition)
    kiosks = kiosk_urls(ctx, parsed) if parsed.kiosk.enabled else {}
    feeds = point_feed_urls(ctx) if parsed.sales_points.enabled else {}
    opendata = OpenData(ctx, sales_point_feeds=feeds,
                        kiosks={k: ctx.absolute(v) for k, v in kiosks.items()},
                        parts=fragments(run, "catalog-json", check=_is_text)
                        if parsed.catalog else None, keys=run.keys)
    written: list[str] = []
    if parsed.catalog:
        written += write_catalog(opendata, site_dir)
        opendata.parts.save()
        # kept for the next build, which reads what this one published (ocop build)
        remember_published(site_dir / CATALOG_PATH, published_claims(edition), run.cache_dir)
    if parsed.exports:
        # the exports' options (their columns) are part of every row's key
        rows = fragments(run, "exports", parsed.exports, check=sound_row)
        written += write_exports(ctx, parsed, opendata, compiled, site_dir, rows)
        rows.save()
    return len(written)


def _is_text(value: object) -> bool:
    return type(value) is str


OUTPUT = Output("open data", write, parse_options, light=True, absolute_urls=True)
