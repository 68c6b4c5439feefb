"""Google Merchant Center product data: RSS 2.0 with the ``g:`` namespace, per language.

``feeds/google/<lang>.xml`` — one data source per language (Google wants the
free text of a feed in one language and a landing page in that language),
the same ``g:id`` for a product in every language. The attribute rules are
those of feeds-and-standards.md §1 (Merchant Center product data
specification, answer 7052112 and the attribute pages):

* required: ``id`` (≤ 50), ``title`` (≤ 150), ``description`` (≤ 5,000),
  ``link``, ``image_link``, ``availability`` (``in_stock``, ``out_of_stock``,
  ``preorder``, ``backorder``; ``availability_date`` with the last two),
  ``price`` (``120000 VND``), ``brand`` (≤ 70: the producer), and ``gtin`` or
  ``identifier_exists`` = ``no`` (most OCOP goods have no GTIN; never an empty
  ``gtin``);
* also: ``condition`` (``new``), up to 10 ``additional_image_link``,
  ``google_product_category`` (id, from google_categories.yml),
  ``product_type`` (the OCOP category path, ≤ 750) and custom labels with the
  stars and the certificate status.

Left out, and why, is logged: services (tourism is not Shopping content),
goods without a price, discontinued goods, pre-orders without a date, products
whose certificate expired or was revoked (unless ``include_expired``), and
products not translated into the feed's language. An item missing from the
file is deleted from Merchant Center, which is what these cases call for.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ...catalog import certificates as certs
from ...catalog.model import ProductEntry
from .data import FeedContext, clean, clip, day_time, feed_id
from .options import FeedOptions

log = logging.getLogger("ocop_catalog.outputs.feeds")

G_NS = "http://base.google.com/ns/1.0"
LIMITS = {"id": 50, "title": 150, "description": 5000, "brand": 70, "product_type": 750,
          "url": 2000}
MAX_ADDITIONAL_IMAGES = 10
#: GTIN-13 prefixes Google rejects: restricted in-store numbers and coupons
#: (feeds-and-standards.md §1.2, §4.1); such goods are sent as identifier_exists=no.
RESTRICTED_GTIN13 = ("02", "04", "05", "2", "98", "99")


def path(lang: str) -> str:
    return f"feeds/google/{lang}.xml"


def write_google(ctx: FeedContext, options: FeedOptions, site_dir: Path) -> list[str]:
    written = []
    for lang in options.google.languages:
        skipped: Counter[str] = Counter()
        items = [_item(ctx, product, lang)
                 for product in listed(ctx, lang, options.include_expired, skipped)]
        target = site_dir / path(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_document(ctx, lang, items), encoding="utf-8")
        written.append(path(lang))
        log.info("feeds: %s: %d items%s", path(lang), len(items), _left_out(skipped))
    return written


def listed(ctx: FeedContext, lang: str, include_expired: bool, skipped: Counter[str], *,
           needs_date: bool = True) -> Iterator[ProductEntry]:
    """The products a marketplace feed in ``lang`` lists; counts in ``skipped`` why the
    others are left out (see :func:`skip_reason`)."""
    for product in ctx.catalog.products.values():
        reason = skip_reason(ctx, product, lang, include_expired, needs_date=needs_date)
        if reason:
            skipped[reason] += 1
        else:
            yield product


def shared_fields(ctx: FeedContext, product: ProductEntry, lang: str,
                  limits: Mapping[str, int]) -> dict[str, str]:
    """What a product's Google item and Meta row say alike, clipped to the channel's
    ``limits`` (id, title, description, brand)."""
    record = product.record
    title = clip(ctx.text(record.name, lang), limits["title"])
    description = ctx.description(product, lang) or ctx.text(record.summary, lang) or title
    category = ctx.google_category(product)
    return {
        "id": feed_id(record.id, limits["id"]),
        "title": title,
        "description": clip(description, limits["description"], ellipsis=True),
        "link": ctx.product_url(product, lang),
        "price": f"{record.price.amount} VND",
        "brand": clip(ctx.text(ctx.producer(product).name, lang), limits["brand"]),
        "gtin": google_gtin(record.gtin) or "",
        "category": str(category) if category is not None else "",
        "product_type": " > ".join(clean(p) for p in ctx.category_path(product, lang)),
        "stars_label": f"ocop-{record.certification.stars}-star",
        "status_label": f"certificate-{ctx.status(product)}",
    }


def skip_reason(ctx: FeedContext, product: ProductEntry, lang: str,
                include_expired: bool, *, needs_date: bool = True) -> str | None:
    """Why a product is not in a marketplace feed in ``lang``, or None. With
    ``needs_date`` (Google), pre-orders need the date their season starts."""
    record = product.record
    if not ctx.is_goods(product):
        return "services" if ctx.is_service(product) else "no price"
    if not ctx.sellable(product, include_expired):
        return ctx.status(product)
    if record.availability == "discontinued":
        return "discontinued"
    if not ctx.photo_pairs(product):
        return "no photo"
    if not ctx.translated(product, lang):
        return f"not in {lang}"
    if (needs_date and record.availability in ("preorder", "backorder")
            and availability_date(ctx, product) is None):
        return f"{record.availability} without a date"
    return None


def availability_date(ctx: FeedContext, product: ProductEntry) -> dt.datetime | None:
    """When pre-ordered (or back-ordered) produce comes: the first day of the next month of
    its season after the build day. None when the record has no season."""
    months = sorted(set(product.record.season_months))
    if not months:
        return None
    first = ctx.today.replace(day=1)
    for offset in range(1, 13):
        day = certs.add_months(first, offset)
        if day.month in months:
            return day_time(day)
    return None


def google_gtin(gtin: str | None) -> str | None:
    """The GTIN if Google can take it (not a restricted or coupon number), else None.
    Records' GTINs are already checked (length, digits, check digit: checks.check_gtin)."""
    if not gtin:
        return None
    padded = certs.gtin14(gtin)
    if len(gtin) != 8 and padded[0] == "0" and padded[1:].startswith(RESTRICTED_GTIN13):
        return None
    return gtin


def _item(ctx: FeedContext, product: ProductEntry, lang: str) -> str:
    record = product.record
    shared = shared_fields(ctx, product, lang, LIMITS)
    images = [u for u in ctx.square_urls(product) if len(u) <= LIMITS["url"]]
    fields: list[tuple[str, str]] = [
        ("g:id", shared["id"]),
        ("title", shared["title"]),
        ("description", shared["description"]),
        ("link", shared["link"]),
        ("g:image_link", images[0]),
    ]
    fields += [("g:additional_image_link", u) for u in images[1: 1 + MAX_ADDITIONAL_IMAGES]]
    fields.append(("g:availability", record.availability))
    if record.availability in ("preorder", "backorder"):
        when = availability_date(ctx, product)
        fields.append(("g:availability_date", when.isoformat(timespec="minutes")))
    fields += [
        ("g:price", shared["price"]),
        ("g:condition", "new"),
        ("g:brand", shared["brand"]),
    ]
    gtin = shared["gtin"]
    fields.append(("g:gtin", gtin) if gtin else ("g:identifier_exists", "no"))
    if shared["category"]:
        fields.append(("g:google_product_category", shared["category"]))
    if shared["product_type"]:
        fields.append(("g:product_type", clip(shared["product_type"], LIMITS["product_type"])))
    fields += [
        ("g:custom_label_0", shared["stars_label"]),
        ("g:custom_label_1", shared["status_label"]),
    ]
    lines = ["<item>"]
    lines += [f"  <{name}>{escape(value)}</{name}>" for name, value in fields]
    lines.append("</item>")
    return "\n".join("    " + line for line in lines)


def _document(ctx: FeedContext, lang: str, items: list[str]) -> str:
    t = ctx.builder.translator(lang)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<rss version="2.0" xmlns:g={quoteattr(G_NS)}>',
        "  <channel>",
        f"    <title>{escape(clean(t('site.name')))}</title>",
        f"    <link>{escape(ctx.absolute(ctx.urls.home(lang)))}</link>",
        f"    <description>{escape(clean(t('site.tagline')))}</description>",
        f"    <language>{escape(lang)}</language>",
    ]
    return "\n".join([*head, *items, "  </channel>", "</rss>"]) + "\n"


def _left_out(skipped: Counter[str]) -> str:
    if not skipped:
        return ""
    return "; left out: " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
