"""Machine-readable feeds: marketplaces, open data, display points.

:func:`write_feeds` runs after the pages are written (the feeds link to pages,
photos and QR codes that must exist) and writes, from the same catalog the
pages come from:

============================================  ==========================================
``feeds/google/<lang>.xml``                   Google Merchant Center (RSS 2.0 + ``g:``)
``feeds/meta/<lang>.csv``                     Meta (Facebook/Instagram) catalog CSV
``feeds/exports/<file>``                      export profiles (marketplace bulk sheets)
``feeds/catalog.json`` (+ ``.schema.json``)   the complete catalog, open data
``feeds/atom/<lang>.xml``                     Atom: new and updated products
``feeds/sales-points/<point>/<lang>.json``    JSON Feed 1.1 per sales point (+ schema)
``kiosk/<point>/``, ``kiosk/sw.js``           full-screen kiosk pages and their worker
============================================  ==========================================

Options are the ``feeds:`` entry of the ``ocop`` plugin (ocop_catalog.outputs.feeds.options,
docs/feeds.md). Writers use csv, json, a small XML writer and feedgen, never
one template rendering per product: at 10,000 products every feed together
takes a few seconds.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...parallel import can_fork, forked_pool, shared
from .options import FeedOptionError, FeedOptions, parse_options

__all__ = ["FeedOptionError", "check_options", "write_feeds"]

log = logging.getLogger("ocop_catalog.outputs.feeds")


def check_options(options: Mapping[str, Any] | None, languages) -> FeedOptions:
    """The ``feeds:`` options checked, export fields included (FeedOptionError if wrong).
    Cheap: a plugin can call it when the build starts, to fail before any page is built."""
    return _checked(options, tuple(languages))[0]


def _checked(options: Mapping[str, Any] | None, languages: tuple[str, ...]):
    """The parsed options and the compiled export column maps."""
    from .export import check_exports

    parsed = parse_options(options, languages)
    return parsed, check_exports(parsed, languages)


def write_feeds(builder, site_dir: Path, options: Mapping[str, Any],
                workers: int | None = None) -> list[str]:
    """Write every feed into ``site_dir``; their site-relative paths.

    The writers are independent; on a large catalog they run in forked worker
    processes (their output does not depend on how many).
    """
    from .data import FeedContext

    start = time.perf_counter()
    parsed, compiled = _checked(options, tuple(builder.languages))
    if not builder.urls.site_url:
        log.warning("feeds: site_url is not set in site_config.yml; feeds need absolute "
                    "URLs, so none were written")
        return []
    state = {"ctx": FeedContext(builder), "options": parsed, "compiled": compiled,
             "site_dir": Path(site_dir)}
    # largest first, so that two processes end about together
    tasks = [name for name, wanted in (
        ("display", parsed.kiosk.enabled or parsed.sales_points.enabled),
        ("opendata", parsed.catalog or bool(parsed.exports)),
        ("google", parsed.google.enabled),
        ("meta_atom", parsed.meta.enabled or parsed.atom.enabled),
    ) if wanted]
    workers = min(len(tasks), workers or os.cpu_count() or 1)
    collecting = gc.isenabled()
    gc.disable()  # the feeds make many small objects and no cycles: spare the collector
    try:
        if workers > 1 and len(builder.catalog.products) >= PARALLEL_FROM and can_fork():
            with forked_pool(workers, state=state) as pool:
                results = pool.map(_forked_task, tasks, chunksize=1)
        else:
            results = [_TASKS[name](**state) for name in tasks]
    finally:
        if collecting:
            gc.enable()
    written = [path for paths in results for path in paths]
    log.info("feeds: %d files in %.2f s", len(written), time.perf_counter() - start)
    return written


#: Catalogs with fewer products write their feeds in one process.
PARALLEL_FROM = 2000


def _forked_task(name: str) -> list[str]:
    return _TASKS[name](**shared("state"))


def _display(ctx, options: FeedOptions, site_dir: Path, **_: Any) -> list[str]:
    from .display import kiosk_urls, shown_products, write_kiosks, write_point_feeds

    # what each point's displays show, for its kiosk and its feeds alike
    shown = {point: shown_products(ctx, point, options.include_expired)
             for point in ctx.catalog.sales_points}
    kiosks = kiosk_urls(ctx, options) if options.kiosk.enabled else {}
    written: list[str] = []
    if options.kiosk.enabled:
        written += write_kiosks(ctx, options, site_dir, shown, kiosks)
    if options.sales_points.enabled:
        written += write_point_feeds(ctx, options, site_dir, shown, kiosks)
    return written


def _opendata(ctx, options: FeedOptions, compiled, site_dir: Path, **_: Any) -> list[str]:
    from .display import kiosk_urls, point_feed_urls
    from .export import write_exports
    from .opendata import OpenData, write_catalog

    kiosks = kiosk_urls(ctx, options) if options.kiosk.enabled else {}
    feeds = point_feed_urls(ctx) if options.sales_points.enabled else {}
    opendata = OpenData(ctx, sales_point_feeds=feeds,
                        kiosks={k: ctx.absolute(v) for k, v in kiosks.items()})
    written: list[str] = []
    if options.catalog:
        written += write_catalog(opendata, site_dir)
    if options.exports:
        written += write_exports(ctx, options, opendata, compiled, site_dir)
    return written


def _google(ctx, options: FeedOptions, site_dir: Path, **_: Any) -> list[str]:
    from .google import write_google

    return write_google(ctx, options, site_dir)


def _meta_atom(ctx, options: FeedOptions, site_dir: Path, **_: Any) -> list[str]:
    from .atom import write_atom
    from .meta import write_meta

    written: list[str] = []
    if options.meta.enabled:
        written += write_meta(ctx, options, site_dir)
    if options.atom.enabled:
        written += write_atom(ctx, options.atom.entries, site_dir)
    return written


_TASKS = {"display": _display, "opendata": _opendata, "google": _google,
          "meta_atom": _meta_atom}
