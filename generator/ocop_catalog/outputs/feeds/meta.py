"""Meta (Facebook, Instagram) catalog data feed: CSV, per language.

``feeds/meta/<lang>.csv`` with Meta's column names and spellings, which
differ from Google's (feeds-and-standards.md §2): ``availability`` is
``in stock`` / ``out of stock`` / ``preorder`` / ``available for order``
(spaces, not underscores), ``condition`` is ``new``, ``price`` is
``120000 VND``; ``title`` ≤ 200, ``description`` ≤ 9,999 characters of plain
text, ``brand`` ≤ 100, ``id`` ≤ 100 (the same id as in the Google feeds);
``image_link`` is the square photo (≥ 500 × 500) and ``additional_image_link``
up to 20 more, comma-separated within 2,000 characters. ``gtin`` is only
written when the product has one. Every cell is quoted.

The products are those of the Google feeds (goods with a price and a valid
certificate, translated into the language), plus pre-orders without a date,
which Meta takes as they are. The Vietnamese file is the main feed; the
others can be separate catalogs or language feeds of the same catalog, as
their ids match.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from pathlib import Path

from ...edition import Edition
from .. import Output, Run
from .data import FeedContext, meta_path, spreadsheet_text
from .marketplace import entries, left_out, shared_fields, skip_reason, write_channel
from .options import FeedOptions, feed_options
from ...catalog.model import ProductEntry
from ...fragments import Fragments
from ...reuse import write_new

log = logging.getLogger("ocop_catalog.outputs.feeds")

COLUMNS = ("id", "title", "description", "availability", "condition", "price", "link",
           "image_link", "brand", "additional_image_link", "google_product_category",
           "product_type", "gtin", "product_tags[0]", "product_tags[1]")
LIMITS = {"id": 100, "title": 200, "description": 9999, "brand": 100, "tag": 110,
          "additional_image_link": 2000}
MAX_ADDITIONAL_IMAGES = 20
AVAILABILITY = {"in_stock": "in stock", "out_of_stock": "out of stock",
                "preorder": "preorder", "backorder": "available for order"}


path = meta_path


def write_meta(ctx: FeedContext, options: FeedOptions, site_dir: Path,
               parts: Fragments | None = None, key: Callable[[ProductEntry], str] | None = None
               ) -> list[str]:
    """Write a feed per language; each product's row (or why it is left out) is taken
    from ``parts`` (the previous build's, by ``key(product)``: the card's) when there."""
    written = []
    for lang in options.meta.languages:
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(COLUMNS)
        lines, skipped = entries(ctx, lang, options.include_expired, _entry, parts, key)
        out.writelines(lines)
        target = site_dir / path(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, out.getvalue())
        written.append(path(lang))
        log.info("feeds: %s: %d items%s", path(lang), len(lines), left_out(skipped))
    return written


def _entry(ctx: FeedContext, product: ProductEntry, lang: str, include_expired: bool
           ) -> tuple[str | None, str]:
    """Why ``product`` is left out of the feed in ``lang`` (None: it is not) and its CSV
    line. Pre-orders without a date are in: Meta takes them as they are."""
    reason = skip_reason(ctx, product, lang, include_expired, needs_date=False)
    if reason:
        return reason, ""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
        [spreadsheet_text(cell) for cell in _row(ctx, product, lang)])
    return None, out.getvalue()


def _row(ctx: FeedContext, product, lang: str) -> list[str]:
    record = product.record
    shared = shared_fields(ctx, product, lang, LIMITS)
    images = ctx.square_urls(product)
    extra: list[str] = []
    for url in images[1: 1 + MAX_ADDITIONAL_IMAGES]:
        if len(",".join([*extra, url])) > LIMITS["additional_image_link"]:
            break
        extra.append(url)
    return [
        shared["id"],
        shared["title"],
        shared["description"],
        AVAILABILITY[record.availability],
        "new",
        shared["price"],
        shared["link"],
        images[0],
        shared["brand"],
        ",".join(extra),
        shared["category"],
        shared["product_type"],
        shared["gtin"],
        shared["stars_label"],
        shared["status_label"],
    ]


def write(edition: Edition, site_dir: Path, options: FeedOptions, run: Run) -> int:
    return write_channel(edition, site_dir, options, run, "meta", options.meta, write_meta)


OUTPUT = Output("meta", write, feed_options, light=True, absolute_urls=True)
