"""The catalog site: every catalog page in every language, the product QR codes as
SVG, the permanent-link pages, the search index, ``sitemap.xml`` and ``robots.txt``.

Pages are rendered from the theme's templates by :class:`.pages.SiteBuilder`
(see there); authored pages rendered by MkDocs are in the sitemap through the
edition (``EditionConfig.extra_pages``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import OptionError
from .. import Output, Run
from ...edition import Edition
from .pages import SiteBuilder, SiteOptions
from .sitemap import write_robots, write_sitemaps

__all__ = ["OUTPUT", "SiteOptions"]


def parse_options(options: Mapping[str, Any], languages: tuple[str, ...]) -> SiteOptions:
    """``featured``, ``listing_page_size`` and ``search`` of the plugin options."""
    defaults = SiteOptions()
    page_size = options.get("listing_page_size", defaults.page_size)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise OptionError(f"'listing_page_size' must be 1 or more, not {page_size}")
    return SiteOptions(featured=options.get("featured", defaults.featured),
                       page_size=page_size, search=bool(options.get("search", defaults.search)))


def write(edition: Edition, site_dir: Path, options: SiteOptions, run: Run) -> int:
    """Write the pages, search index and sitemap; the number of pages."""
    builder = SiteBuilder(edition, options)
    pages = builder.write(site_dir, run.workers, search=options.search)
    stats = builder.search_stats
    if stats is not None:
        run.info(f"search index: {stats.pages} results in {len(stats.languages)} languages, "
                 f"{stats.files} files, {stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f}s")
    entries = [(edition.urls.at(p.lang, p.path), builder.alternates(p)) for p in builder.pages()]
    write_sitemaps(site_dir, edition.urls.site_url, [*entries, *edition.config.extra_pages])
    write_robots(site_dir, edition.urls.site_url)
    return pages


OUTPUT = Output("pages", write, parse_options)
