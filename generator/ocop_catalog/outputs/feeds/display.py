"""Display points: a JSON Feed and a full-screen kiosk page for every sales point.

* ``feeds/sales-points/<point>/<lang>.json`` — JSON Feed 1.1 of the products
  sold at the point, newest change first, ``page_size`` items a file (further
  pages ``<lang>-2.json``… linked by ``next_url``). OCOP fields (stars,
  certificate status and validity, price, producer, category, QR code, photo)
  are in each item's ``_ocop`` object; the point itself in the feed's. Its
  JSON Schema: ``feeds/sales-points/schema.json``.
* ``kiosk/<point>/`` — auto-advancing slides for a screen at the point
  (photo, name in two languages, stars, price, QR code), landscape or portrait,
  stepped through with the arrow keys, space, a swipe or a tap. It is rendered
  from ``theme/ocop/kiosk.html``; ``theme/assets/kiosk.js`` and ``kiosk.css``
  drive and lay it out.
* ``kiosk/sw.js`` — the service worker (``theme/assets/kiosk-sw.js``). Served
  from ``kiosk/``, its scope is every kiosk page and nothing else. On the first
  load the page asks it to cache the page, its script and style and every
  slide's photo and QR code; pages and JSON are then fetched network-first
  (the cache answers when the network is down), the rest cache-first. The
  page checks ``kiosk/<point>/version.json`` every few minutes and when the
  network comes back, and reloads when the catalog changed.

Like marketplace feeds, display points leave out products whose certificate
has expired or was revoked (``include_expired`` brings them back); the kiosk
also hides a slide in the browser once its certificate runs out.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from ...catalog.model import ProductEntry
from ...edition.keys import digest
from ...edition.urls import relative
from ...edition import Edition
from ...edition.theme import find
from .. import Output, Run
from .data import (FeedContext, clean, day_time, feed_context, feed_path, kiosk_base, kiosk_urls,
                   shown_products, text_map, write_json)
from .options import FeedOptions, feed_options
from .schema import SALES_POINT_FEED_VERSION, SALES_POINT_SCHEMA_PATH, sales_point_feed_schema
from ...reuse import write_new

log = logging.getLogger("ocop_catalog.outputs.feeds")

FEED_SCHEMA_PATH = SALES_POINT_SCHEMA_PATH
WORKER_SOURCE = "kiosk-sw.js"
WORKER_NAME = "sw.js"
VERSION_NAME = "version.json"
KIOSK_PHOTO_WIDTH = 1080


# --------------------------------------------------------------------------
# JSON Feed 1.1
# --------------------------------------------------------------------------


def write_point_feeds(ctx: FeedContext, options: FeedOptions, site_dir: Path,
                      shown: dict[str, list[ProductEntry]], kiosks: dict[str, str],
                      run: Run | None = None) -> list[str]:
    """Every point's feeds (``shown`` and ``kiosks`` as for :func:`write_kiosks`); the paths
    written. With ``run.reuse``, a feed page whose key (its point, language, place in the
    feed and its products' cards) is unchanged is taken over from the previous build."""
    schema_url = ctx.absolute(FEED_SCHEMA_PATH)
    docs_url = ctx.urls.absolute(ctx.urls.open_data(ctx.urls.docs_language()))
    write_json(site_dir / FEED_SCHEMA_PATH, sales_point_feed_schema(schema_url, docs_url),
               indent=2)
    written = [FEED_SCHEMA_PATH]
    size = options.sales_points.page_size
    reuse, keys = _reuse_of(run)
    # no feed page shows the build date (its products' statuses on it are in their cards)
    base = digest(keys.undated, keys.strings, options, "point-feed") if keys else ""
    items_by_lang: dict[str, dict[str, Any]] = {lang: {} for lang in ctx.languages}
    shared: dict[str, dict[str, Any]] = {}  # the _ocop object, the same in every language

    def item(product: ProductEntry, lang: str) -> str:
        cache = items_by_lang[lang]
        if product.id not in cache:
            if product.id not in shared:
                shared[product.id] = _ocop(ctx, product)
            # encoded once, put in the feed of every point that sells it
            cache[product.id] = _dumps(_item(ctx, product, lang, shared[product.id]))
        return cache[product.id]

    for point in ctx.catalog.sales_points.values():
        products = shown[point.id]
        pages = max(1, -(-len(products) // size))
        for lang in ctx.languages:
            for page in range(1, pages + 1):
                chunk = products[(page - 1) * size: page * size]
                rel = feed_path(point.id, lang, page)
                written.append(rel)
                if reuse is not None and reuse.take(rel, digest(
                        base, keys.point(point.id), lang, page, pages, len(products),
                        kiosks.get(point.id), keys.cards(chunk))):
                    continue
                head, tail = _feed(ctx, point, lang, page, pages, len(products), schema_url,
                                   kiosks.get(point.id))
                items = ",".join(item(p, lang) for p in chunk)
                text = f'{_dumps(head)[:-1]},"items":[{items}],"_ocop":{_dumps(tail)}}}'
                (site_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                write_new(site_dir / rel, text + "\n")
    log.info("feeds: feeds/sales-points/: %d feed files for %d sales points", len(written) - 1,
             len(ctx.catalog.sales_points))
    return written


def _feed(ctx: FeedContext, point, lang: str, page: int, pages: int, total: int,
          schema_url: str, kiosk: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A feed page's members before its items, and its _ocop object (after them)."""
    t = ctx.edition.translator(lang)
    name = ctx.text(point.name, lang)
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{name} · {clean(t('site.name'))}",
        "home_page_url": ctx.absolute(ctx.urls.sales_point(lang, point.id)),
        "feed_url": ctx.absolute(feed_path(point.id, lang, page)),
        "description": clean(t("points.products")),
        "language": lang,
        "authors": [{"name": clean(t("site.name")), "url": ctx.site_url}],
    }
    if page < pages:
        feed["next_url"] = ctx.absolute(feed_path(point.id, lang, page + 1))
    return feed, {
        "about": schema_url,
        "version": SALES_POINT_FEED_VERSION,
        "sales_point": point.id,
        "name": text_map(point.name),
        "kind": point.kind,
        "page": page,
        "pages": pages,
        "total_items": total,
        "kiosk": ctx.absolute(kiosk) if kiosk else None,
    }


def _item(ctx: FeedContext, product: ProductEntry, lang: str,
          ocop: dict[str, Any]) -> dict[str, Any]:
    record = product.record
    url = ctx.product_url(product, lang)
    item: dict[str, Any] = {
        "id": url,
        "url": url,
        "title": ctx.text(record.name, lang),
        "content_text": ctx.text(record.summary, lang),
    }
    if ocop["photo"] is not None:
        item["image"] = ocop["photo"]["url"]
    item.update({
        "date_published": day_time(ctx.published(product)).isoformat(),
        "date_modified": day_time(ctx.modified(product)).isoformat(),
        "authors": [{"name": ctx.text(ctx.producer(product).name, lang)}],
        "tags": [clean(tag) for tag in record.tags],
        "language": record.name.resolve(lang).lang,
        "_ocop": {**ocop, "category": ctx.category_path(product, lang)},
    })
    return item


def _ocop(ctx: FeedContext, product: ProductEntry) -> dict[str, Any]:
    """The OCOP fields of a product in its feed items (text in every language)."""
    record = product.record
    pairs = ctx.photo_pairs(product)
    main = pairs[0][1] if pairs else None
    screen = main.pick("webp", KIOSK_PHOTO_WIDTH) if main else None
    return {
        "id": record.id,
        "name": text_map(record.name),
        "stars": product.certification.stars,
        "status": ctx.status(product),
        "valid_until": product.valid_until.isoformat(),
        "price": _price(record),
        "producer": {"id": product.producer_id, "name": text_map(ctx.producer(product).name)},
        "qr_svg": ctx.absolute(ctx.edition.qr_image(product)),
        "short_url": ctx.edition.short_url(product),
        "photo": {"url": ctx.media_url(main, screen), "width": screen.width,
                  "height": screen.height, "square": ctx.media_url(main, main.square)}
        if screen is not None else None,
    }


def _price(record) -> dict[str, Any] | None:
    if record.offer_price is None:
        return None
    unit = text_map(record.price.unit) if record.price is not None else None
    return {"amount": record.offer_price, "currency": "VND", "unit": unit}


# --------------------------------------------------------------------------
# Kiosk pages
# --------------------------------------------------------------------------


def _reuse_of(run: Run | None) -> tuple[Any, Any]:
    """The run's reuse and keys, when files can be taken over (both known); else Nones."""
    if run is None or run.reuse is None or run.keys is None:
        return None, None
    return run.reuse, run.keys


def write_kiosks(ctx: FeedContext, options: FeedOptions, site_dir: Path,
                 shown: dict[str, list[ProductEntry]], kiosks: dict[str, str],
                 run: Run | None = None) -> list[str]:
    """Every point's kiosk page (``kiosks``: point id → its site path; ``shown``: point id →
    :func:`shown_products`), its version file and the service worker. With ``run.reuse``,
    a point's page and version file are taken over from the previous build when their key
    (the point, its slides' cards, the template, script, style, worker and sharing image)
    is unchanged."""
    kiosk = options.kiosk
    edition = ctx.edition
    main_lang, *rest = kiosk.languages
    second = rest[0] if rest else None
    t, t2 = edition.translator(main_lang), edition.translator(second) if second else None
    base = kiosk_base(ctx, options)  # the worker's folder and scope
    dirs = edition.theme_dirs
    worker = find(dirs, f"assets/{WORKER_SOURCE}").read_bytes()
    (site_dir / base).mkdir(parents=True, exist_ok=True)
    write_new(site_dir / base / WORKER_NAME, worker)
    written = [base + WORKER_NAME]
    template = edition.templates().get_template("kiosk.html")
    # a new template, script or style reloads the screens too
    page, script, style = (path.read_bytes() if path.is_file() else b""
                           for path in (find(dirs, "ocop/kiosk.html"),
                                        find(dirs, "assets/kiosk.js"),
                                        find(dirs, "assets/kiosk.css")))
    assets = hashlib.sha256(page + worker + script + style).hexdigest()
    reuse, keys = _reuse_of(run)
    social = edition.social_image  # og:image: its name is the digest of what it shows
    # the packaged kiosk page does not show the build date (statuses are in the cards'
    # keys; the screen checks them against its own day): an override may
    common = digest(keys.undated, keys.day_of("kiosk.html"), keys.strings, options,
                    keys.template("kiosk.html"), assets, social.path, social.alt,
                    "kiosk") if keys else ""
    for point_id, url in kiosks.items():
        point = ctx.catalog.sales_points[point_id]
        products = sorted(shown[point_id], key=lambda p: -p.certification.stars)
        files = [url + "index.html", url + VERSION_NAME]
        written += files
        key = digest(common, keys.point(point_id), url,
                     keys.cards(products[: kiosk.max_slides])) if keys else ""
        if reuse is not None and reuse.take_all(files, key):
            continue
        slides = [_slide(ctx, p, t, t2, url) for p in products[: kiosk.max_slides]]
        data = {"point": point.id, "name": text_map(point.name), "assets": assets,
                "languages": list(kiosk.languages), "slides": slides,
                "seconds": kiosk.seconds, "hide_expired": not options.include_expired,
                "signage": kiosk.signage}
        version = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                                 .encode()).hexdigest()[:20]
        html = template.render(
            t=t, t2=t2, ui=t.ui, ui2=t2.ui if t2 else None, lang=main_lang, second=second,
            url=url, rel=lambda target, _url=url: relative(_url, target),
            point=point, slides=slides, options=kiosk, version=version,
            hide_expired=not options.include_expired,
            worker=relative(url, base + WORKER_NAME), scope=relative(url, base),
            version_url=relative(url, url + VERSION_NAME),
            cache_name=f"ocop-kiosk:{point.id}",
            canonical=ctx.urls.sales_point(main_lang, point.id),
        )
        target = site_dir / url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, html)
        write_json(site_dir / url / VERSION_NAME, {"version": version,
                                                    "kiosk": ctx.absolute(url)})
        if reuse is not None:
            for rel in files:
                reuse.made(rel, key)
    log.info("feeds: %s: %d kiosk pages", base, len(ctx.catalog.sales_points))
    return written


def _slide(ctx: FeedContext, product: ProductEntry, t, t2, url: str) -> dict[str, Any]:
    record = product.record
    photos = ctx.photo_pairs(product)
    photo = None
    if photos:
        info, image = photos[0]
        variant = image.pick("webp", KIOSK_PHOTO_WIDTH)
        photo = {"src": relative(url, ctx.edition.media_url(image, variant)),
                 "width": variant.width, "height": variant.height,
                 "alt": t.plain(info.alt) if info.alt else t.plain(record.name)}
    price = _price(record)
    second_name = None
    if t2 is not None and t2.has(record.name) and record.name(t2.lang) != record.name(t.lang):
        second_name = record.name(t2.lang)
    unit = record.price.unit if record.price else None
    cert = product.certification
    return {
        "id": record.id,
        "name": t.plain(record.name),
        "name_lang": record.name.resolve(t.lang).lang,
        "second_name": second_name,
        "stars": cert.stars,
        "status": ctx.status(product),
        "valid_until": product.valid_until.isoformat(),
        "revoked": cert.revoked.date.isoformat() if cert.revoked else "",
        "price": t.price(price["amount"]) if price else None,
        "unit": t.plain(unit) if unit else None,
        "per_person": record.price is None and price is not None,
        "producer": t.plain(ctx.producer(product).name),
        "photo": photo,
        "qr": relative(url, ctx.edition.qr_image(product)),
        "modified": ctx.modified(product).isoformat(),
    }


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write(edition: Edition, site_dir: Path, options: FeedOptions, run: Run) -> int:
    """Every sales point's kiosk page and JSON Feeds, as the options ask."""
    if not (options.kiosk.enabled or options.sales_points.enabled):
        return 0
    ctx = feed_context(edition)
    # what each point's displays show, for its kiosk and its feeds alike
    shown = {point: shown_products(ctx, point, options.include_expired)
             for point in ctx.catalog.sales_points}
    kiosks = kiosk_urls(ctx, options) if options.kiosk.enabled else {}
    written: list[str] = []
    if options.kiosk.enabled:
        written += write_kiosks(ctx, options, site_dir, shown, kiosks, run)
    if options.sales_points.enabled:
        written += write_point_feeds(ctx, options, site_dir, shown, kiosks, run)
    return len(written)


OUTPUT = Output("display points", write, feed_options, light=True, absolute_urls=True,
                templates=lambda options: ("kiosk.html",) if options.kiosk.enabled else ())
