"""Write the catalog part of the site: photos, pages, QR codes, sitemap, search.

:func:`generate` is what the MkDocs plugin calls after MkDocs has written the
authored pages; it knows nothing about MkDocs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ...catalog.model import Catalog
from ...edition.images import ImagePipeline, publish
from .search import SearchStats
from .sitemap import write_robots, write_sitemaps
from .pages import Authored, SiteBuilder, SiteOptions

__all__ = ["Authored", "GenerateReport", "SiteOptions", "generate"]

log = logging.getLogger("ocop_catalog.outputs.site")


@dataclass
class GenerateReport:
    pages: int = 0
    photos: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    search: SearchStats | None = None


def generate(
    catalog: Catalog,
    site_dir: Path,
    options: SiteOptions,
    *,
    cache_dir: Path,
    workers: int | None = None,
    extra_pages: Iterable[tuple[str, dict[str, str]]] = (),
    search: bool = True,
    info: Callable[[str], None] = log.info,
) -> GenerateReport:
    """Write every catalog output into ``site_dir``."""
    report = GenerateReport()
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.timings[name] = now - clock
        clock = now

    sources = [info.path for p in catalog.products.values() for info in p.photos]
    sources += [p.logo.path for p in catalog.producers.values() if p.logo]
    pipeline = ImagePipeline(cache_dir / "images", workers=workers, log=info)
    images = pipeline.process(sources)
    publish(images, site_dir, prefix=options.media_prefix)
    report.photos = len(images)
    lap("photos")

    builder = SiteBuilder(catalog, options, images)
    report.pages = builder.write(site_dir, workers, search=search)
    lap("pages")
    stats = report.search = builder.search_stats
    if stats is not None:
        info(f"search index: {stats.pages} results in {len(stats.languages)} languages, "
             f"{stats.files} files, {stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f}s")

    from ..printing.assets import write_print_assets

    write_print_assets(builder, site_dir, cache_dir / "print", workers=workers)
    lap("print")

    from ..feeds import write_feeds

    write_feeds(builder, site_dir, options.feed_options, workers=workers)
    lap("feeds")

    entries = [(builder.urls.at(p.lang, p.path), builder.alternates(p)) for p in builder.pages()]
    write_sitemaps(site_dir, options.site_url, [*entries, *extra_pages])
    write_robots(site_dir, options.site_url)
    lap("sitemap")
    info(f"catalog: {report.pages} pages, {report.photos} photos "
         + ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items()))
    return report
