"""Atom feeds of new and updated products, one per language (feedgen).

``feeds/atom/<lang>.xml``: the ``entries`` most recently changed products,
newest first, whatever their certificate status (the summary says it). Dates
come from the records, never from the build's clock:

* an entry's ``updated`` is the last day the record says the product changed
  (``updated``, ``listed``, the certificate's decision or start, a
  revocation — see FeedContext.modified), ``published`` the day it was listed
  (else its decision date), both at midnight in Vietnam;
* the feed's ``updated`` is its newest entry's (feedgen would stamp the
  current time: it is set explicitly), so two builds write the same bytes.

Entry ids are the product's permanent short link (``<site>/q/<code>/``, the
address printed in its QR code, which never changes even when the product is
renamed) with the language as fragment: ``https://…/q/7k3m9x/#en``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from feedgen.feed import FeedGenerator

from ...edition import Edition
from .. import Output, Run
from .data import FeedContext, atom_path, atom_products, clean, day_time, feed_context
from .options import FeedOptions, feed_options
from ...reuse import write_new

log = logging.getLogger("ocop_catalog.outputs.feeds")


path = atom_path


def entry_id(ctx: FeedContext, product, lang: str) -> str:
    return f"{ctx.edition.short_url(product)}#{lang}"


def write_atom(ctx: FeedContext, entries: int, site_dir: Path) -> list[str]:
    products = atom_products(ctx, entries)
    written = []
    for lang in ctx.languages:
        target = site_dir / path(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, _feed(ctx, lang, products))
        written.append(path(lang))
    log.info("feeds: feeds/atom/*.xml: %d entries in %d languages", len(products),
             len(ctx.languages))
    return written


def _feed(ctx: FeedContext, lang: str, products) -> bytes:
    t = ctx.edition.translator(lang)
    self_url = ctx.absolute(path(lang))
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(clean(t("site.name")))
    feed.subtitle(clean(t("site.tagline")))
    feed.author({"name": clean(t("site.name")), "uri": ctx.site_url})
    feed.link(href=ctx.absolute(ctx.urls.home(lang)), rel="alternate", type="text/html",
              hreflang=lang)
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.language(lang)
    newest = max((ctx.modified(p) for p in products), default=ctx.today)
    feed.updated(day_time(newest))
    for product in products:
        record = product.record
        producer = ctx.producer(product)
        entry = feed.add_entry(order="append")
        entry.id(entry_id(ctx, product, lang))
        entry.title(ctx.text(record.name, lang))
        entry.link(href=ctx.product_url(product, lang), rel="alternate", type="text/html",
                   hreflang=lang)
        entry.updated(day_time(ctx.modified(product)))
        entry.published(day_time(ctx.published(product)))
        entry.author({"name": ctx.text(producer.name, lang),
                      "uri": ctx.absolute(ctx.urls.producer(lang, product.producer_id))})
        entry.summary(_summary(ctx, product, lang))
        path_names = ctx.category_path(product, lang)
        category = ctx.category(product)
        if category is not None and path_names:
            entry.category(term=category.code, label=" > ".join(path_names),
                           scheme=ctx.absolute(ctx.urls.categories(lang)))
    return feed.atom_str(pretty=True)


def _summary(ctx: FeedContext, product, lang: str) -> str:
    t = ctx.edition.translator(lang)
    record = product.record
    status = ctx.status(product)
    stars = t("stars.label", n=product.certification.stars)
    parts = [ctx.text(record.summary, lang), f"{stars} · {t('status.' + status)}"]
    if record.price is not None:
        parts.append(f"{t('product.price')}: {t.price(record.price.amount)}")
    return " — ".join(p for p in parts if p)


def write(edition: Edition, site_dir: Path, options: FeedOptions, run: Run) -> int:
    if not options.atom.enabled:
        return 0
    return len(write_atom(feed_context(edition), options.atom.entries, site_dir))


OUTPUT = Output("atom", write, feed_options, light=True, absolute_urls=True)
