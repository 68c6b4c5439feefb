"""The catalog site: every catalog page in every language, the product QR codes as
SVG, the permanent-link pages, the search index, ``sitemap.xml``, ``robots.txt``, the 404
page and the default sharing image (``frame.py``).

Pages are rendered from the theme's templates by :class:`.pages.SiteBuilder`
(see there); authored pages rendered by MkDocs are in the sitemap through the
edition (``EditionConfig.extra_pages``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import OptionError
from ...fragments import fragments
from ...parallel import collector_off
from .. import Output, Run
from ...edition import Edition
from ..feeds.options import feed_options
from .opendata import parse_open_data
from .pages import SiteBuilder, SiteOptions
from .report import parse_report_url
from .frame import NOT_FOUND, write_not_found, write_social_image
from .sitemap import LastModified, write_robots, write_sitemaps

__all__ = ["OUTPUT", "SiteOptions"]


def parse_options(options: Mapping[str, Any], languages: tuple[str, ...]) -> SiteOptions:
    """``featured``, ``listing_page_size``, ``search`` and ``report_url`` of the plugin
    options; ``feeds`` (what the open data page lists) and ``open_data``."""
    defaults = SiteOptions()
    page_size = options.get("listing_page_size", defaults.page_size)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise OptionError(f"'listing_page_size' must be 1 or more, not {page_size}")
    return SiteOptions(featured=_featured(options.get("featured", defaults.featured)),
                       page_size=page_size, search=bool(options.get("search", defaults.search)),
                       report_url=parse_report_url(options.get("report_url")),
                       feeds=feed_options(options, languages),
                       open_data=parse_open_data(options.get("open_data"), languages))


def _featured(value: Any) -> int | tuple[str, ...]:
    """``featured``: how many products the home page chooses, or the office's own list of
    product ids (each checked against the catalog when the pages are built)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
        return value
    if isinstance(value, list) and all(isinstance(pid, str) and pid for pid in value):
        twice = sorted({pid for pid in value if value.count(pid) > 1})
        if twice:
            raise OptionError(f"'featured' names {', '.join(twice)} more than once")
        return tuple(value)
    raise OptionError(f"'featured' must be a number of products (0 to 100) or a list of "
                      f"product ids, not {value!r}")


def write(edition: Edition, site_dir: Path, options: SiteOptions, run: Run) -> int:
    """Write the pages, search index and sitemap; the number of pages."""
    parts = fragments(run, "search-terms", check=lambda value: type(value) is str)
    builder = SiteBuilder(edition, options, keys=run.keys, reuse=run.reuse, parts=parts,
                          stores=parts.path.parent if parts.path is not None else None)
    # the open data page's list, worked out once, before pages are rendered in workers
    run.info(f"open data page: {sum(len(g.files) for g in builder.open_data)} files listed")

    def meanwhile() -> None:  # while the workers render: the files beside the pages
        write_not_found(edition, builder.env, site_dir, run.reuse,
                        builder.frame_key(NOT_FOUND))
        write_social_image(edition, site_dir, run.reuse)
        with collector_off():  # an entry per page, no cycles
            lastmod = LastModified(edition)
            entries = [(edition.urls.at(p.lang, p.path), builder.alternates(p), lastmod(p))
                       for p in builder.pages()]
            write_sitemaps(site_dir, edition.urls.site_url,
                           [*entries, *edition.config.extra_pages])
        write_robots(site_dir, edition.urls.site_url)

    pages = builder.write(site_dir, run.workers, search=options.search, meanwhile=meanwhile)
    parts.save()
    stats = builder.search_stats
    if stats is not None:
        run.info(f"search index: {stats.pages} results in {len(stats.languages)} languages, "
                 f"{stats.files} files, {stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f}s")
    return pages


OUTPUT = Output("pages", write, parse_options)
