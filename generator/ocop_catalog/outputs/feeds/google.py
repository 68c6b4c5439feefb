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

import logging
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ...catalog.model import ProductEntry
from ...edition import Edition
from .. import Output, Run
from .data import FeedContext, clean, clip, google_path
from .marketplace import (availability_date, entries, left_out, shared_fields, skip_reason,
                          write_channel)
from .options import FeedOptions, feed_options
from ...fragments import Fragments
from ...reuse import write_new

log = logging.getLogger("ocop_catalog.outputs.feeds")

G_NS = "http://base.google.com/ns/1.0"
LIMITS = {"id": 50, "title": 150, "description": 5000, "brand": 70, "product_type": 750,
          "url": 2000}
MAX_ADDITIONAL_IMAGES = 10


path = google_path


def write_google(ctx: FeedContext, options: FeedOptions, site_dir: Path,
                 parts: Fragments | None = None, key: Callable[[ProductEntry], str] | None = None
                 ) -> list[str]:
    """Write a feed per language; each product's item (or why it is left out) is taken
    from ``parts`` (the previous build's, by ``key(product)``: the card's) when there."""
    written = []
    for lang in options.google.languages:
        items, skipped = entries(ctx, lang, options.include_expired, _entry, parts, key)
        target = site_dir / path(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, _document(ctx, lang, items))
        written.append(path(lang))
        log.info("feeds: %s: %d items%s", path(lang), len(items), left_out(skipped))
    return written


def _entry(ctx: FeedContext, product: ProductEntry, lang: str, include_expired: bool
           ) -> tuple[str | None, str]:
    """Why ``product`` is left out of the feed in ``lang`` (None: it is not) and its item."""
    reason = skip_reason(ctx, product, lang, include_expired)
    return reason, "" if reason else _item(ctx, product, lang)


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
    t = ctx.edition.translator(lang)
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


def write(edition: Edition, site_dir: Path, options: FeedOptions, run: Run) -> int:
    # the build day's month: pre-ordered produce comes on the first day of a month after it
    # (:func:`.marketplace.availability_date`), so every item may change with the month
    return write_channel(edition, site_dir, options, run, "google", options.google,
                         write_google, edition.today.strftime("%Y-%m"))


OUTPUT = Output("google", write, feed_options, light=True, absolute_urls=True)
