"""What the marketplace feeds (Google, Meta) share: which products they list and why
the others are left out, and the fields their items say alike."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...catalog import certificates as certs
from ...catalog.model import ProductEntry
from ...edition import Edition
from ...fragments import Fragments, fragments
from .. import Run
from .data import FeedContext, clean, clip, day_time, feed_context, feed_id
from .options import ChannelOptions, FeedOptions

#: GTIN-13 prefixes Google rejects: restricted in-store numbers and coupons
#: (feeds-and-standards.md §1.2, §4.1); such goods are sent as identifier_exists=no.
RESTRICTED_GTIN13 = ("02", "04", "05", "2", "98", "99")


def listed_count(ctx: FeedContext, lang: str, include_expired: bool, *,
                 needs_date: bool = True) -> int:
    """How many products a marketplace feed in ``lang`` lists (those :func:`skip_reason`
    finds no reason to leave out: the open data page's figure), without a reason worked
    out per product and language: the tests that do not depend on the language
    (:func:`_listable`) are made once per ``include_expired`` and ``needs_date``."""
    key = (include_expired, needs_date)
    found = ctx.listable.get(key)
    if found is None:
        found = ctx.listable[key] = [p for p in ctx.catalog.products.values()
                                     if _listable(ctx, p, include_expired, needs_date)]
    translated = ctx.translated
    return sum(1 for p in found if translated(p, lang))


def entries(ctx: FeedContext, lang: str, include_expired: bool,
            make: Callable[[FeedContext, ProductEntry, str, bool], tuple[str | None, str]],
            parts: Fragments | None = None, key: Callable[[ProductEntry], str] | None = None
            ) -> tuple[list[str], Counter[str]]:
    """What a marketplace feed in ``lang`` lists, in the catalog's order: the text of each
    listed product's entry (an item, a row) and why the others are left out, by count.
    ``make(ctx, product, lang, include_expired)`` gives a product's (reason or None, text);
    with ``parts`` and ``key``, the previous build's is taken when ``key(product)`` (the
    product's card key) is unchanged (:mod:`ocop_catalog.fragments`)."""
    skipped: Counter[str] = Counter()
    texts = []
    for product in ctx.catalog.products.values():
        if parts is None or key is None:
            reason, text = make(ctx, product, lang, include_expired)
        else:
            reason, text = parts.get(f"{lang}:{key(product)}", make, ctx, product, lang,
                                     include_expired)
        if reason:
            skipped[reason] += 1
        else:
            texts.append(text)
    return texts, skipped


def write_channel(edition: Edition, site_dir: Path, options: FeedOptions, run: Run,
                  name: str, channel: ChannelOptions, writer: Callable[..., list[str]],
                  *base: Any) -> int:
    """The output ``name`` (Google, Meta): ``writer(ctx, options, site_dir, parts, key)``
    with the channel's kept parts (:mod:`ocop_catalog.fragments`), keyed by each product's
    card (statuses on the build day are in its key) and ``base`` (what else every part
    depends on); the number of files written."""
    if not channel.enabled:
        return 0
    parts = fragments(run, name, channel, options.include_expired, *base, check=sound_entry)
    written = writer(feed_context(edition), options, site_dir, parts,
                     run.keys.card if run.keys is not None else None)
    parts.save()
    return len(written)


def sound_entry(value: Any) -> bool:
    """Whether a kept part is an entry :func:`entries` can use: [reason or None, text]."""
    return (type(value) is list and len(value) == 2 and type(value[1]) is str
            and (value[0] is None or type(value[0]) is str))


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
        "stars_label": f"ocop-{product.certification.stars}-star",
        "status_label": f"certificate-{ctx.status(product)}",
    }


def skip_reason(ctx: FeedContext, product: ProductEntry, lang: str,
                include_expired: bool, *, needs_date: bool = True) -> str | None:
    """Why a product is not in a marketplace feed in ``lang``, or None. With
    ``needs_date`` (Google), pre-orders need the date their season starts."""
    reason = ctx.unlisted(product, include_expired)
    if reason:
        return reason
    if not ctx.translated(product, lang):
        return f"not in {lang}"
    return _undated(ctx, product, needs_date)


def _undated(ctx: FeedContext, product: ProductEntry, needs_date: bool) -> str | None:
    """With ``needs_date`` (Google): why a pre-order or back-order cannot be listed (its
    season does not say when it comes), or None."""
    availability = product.record.availability
    if (needs_date and availability in ("preorder", "backorder")
            and availability_date(ctx, product) is None):
        return f"{availability} without a date"
    return None


def _listable(ctx: FeedContext, product: ProductEntry, include_expired: bool,
              needs_date: bool) -> bool:
    """Whether :func:`skip_reason` leaves ``product`` in the feeds of the languages it is
    written in: every test of it but the language's (a test added there goes here too;
    ``tests/test_feeds.py`` checks that both agree)."""
    return ctx.unlisted(product, include_expired) is None \
        and _undated(ctx, product, needs_date) is None


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


def left_out(skipped: Counter[str]) -> str:
    if not skipped:
        return ""
    return "; left out: " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))
