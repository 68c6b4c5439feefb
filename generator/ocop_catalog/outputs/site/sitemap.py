"""sitemap.xml with hreflang alternates and last-modified days, and robots.txt.

Every page is listed once per language with ``xhtml:link`` alternates to all
its translations (reciprocal, plus x-default → Vietnamese), as Google asks
for multilingual sites. Over 50,000 URLs the sitemap is split into numbered
files under a sitemap index. The files follow the sitemaps.org 0.9 schema, with
the ``xhtml`` namespace declared (``tests/test_frame.py`` validates them).

``lastmod`` comes from the records only (:func:`page_lastmod`): a product page's is
the last day its record, its decisions or its certificate's status changed
(:meth:`Edition.modified`); a page that shows products (a listing, a producer, a
sales point, the home page and the indexes) takes the newest of theirs. Pages the
records cannot date (search, authored pages) have none: no ``lastmod`` rather than a
wrong one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ...records.text import DEFAULT_LANGUAGE
from ...reuse import write_new

MAX_URLS = 50_000
#: Catalog pages that show (counts of) every product: dated by the newest product.
WHOLE_CATALOG = ("home.html", "categories.html", "areas.html", "producers.html",
                 "sales_points.html", "statistics.html")


class LastModified:
    """The ``lastmod`` of catalog pages (:class:`.pages.Page`), by what they show; a
    listing's products are looked at once for all of its pages."""

    def __init__(self, edition) -> None:
        self.edition = edition
        self._listings: dict[int, tuple[Any, dt.date | None]] = {}
        # each product's day, by its place in the edition (Edition.places): a listing's
        # newest day is then found without a call per product
        self._days = [edition.modified(p) for p in edition.all_products]

    def __call__(self, page) -> dt.date | None:
        context = page.context
        product = context.get("product")
        if product is not None:
            return self.edition.modified(product)
        products = context.get("products")
        if products is None and page.template in WHOLE_CATALOG:
            products = self.edition.all_products
        if not products:
            return None
        key = id(products)
        found = self._listings.get(key)
        if found is None or found[0] is not products:
            places = self.edition.places(products)
            newest = max(self.edition.modified(p) for p in products) if places is None \
                else max(map(self._days.__getitem__, places))
            found = self._listings[key] = (products, newest)
        return found[1]


def write_sitemaps(
    site_dir: Path,
    site_url: str,
    pages: Iterable[tuple[str, dict[str, str]] | tuple[str, dict[str, str], dt.date | None]],
    *,
    max_urls: int = MAX_URLS,
) -> list[str]:
    """Write the sitemap(s) for ``(url, {lang: url}[, lastmod])`` entries; the file names
    written."""
    base = site_url.rstrip("/") + "/"
    dated = [(page[0], page[1], page[2] if len(page) > 2 else None) for page in pages]
    # a page's language links, by its alternates (Edition.alternates: one mapping a path)
    links: dict[int, str] = {}
    days = [day for _, _, day in dated]
    # each file's entries are made as it is written (tens of megabytes of text at 20,000
    # products: never all held at once)
    chunks = [dated[i : i + max_urls] for i in range(0, len(dated), max_urls)] or [[]]
    for stale in site_dir.glob("sitemap*.xml*"):
        stale.unlink()
    if len(chunks) == 1:
        write_new(site_dir / "sitemap.xml", _urlset(base, chunks[0], links))
        return ["sitemap.xml"]
    names = [f"sitemap-{i + 1}.xml" for i in range(len(chunks))]
    for name, chunk in zip(names, chunks):
        write_new(site_dir / name, _urlset(base, chunk, links))
    newest = [max((d for d in days[i : i + max_urls] if d is not None), default=None)
              for i in range(0, len(days), max_urls)]
    write_new(site_dir / "sitemap.xml", _index(base, names, newest))
    return ["sitemap.xml", *names]


def _entry(base: str, url: str, alternates: dict[str, str], day: dt.date | None,
           made: dict[int, str] | None = None) -> str:
    """One ``<url>``; its links are taken from ``made`` (by the identity of
    ``alternates``, which the caller keeps alive) when the same mapping came before."""
    links = made.get(id(alternates)) if made is not None else None
    if links is None:
        found = [
            f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(base + target)}/>'
            for lang, target in alternates.items()
        ]
        if DEFAULT_LANGUAGE in alternates:
            default = quoteattr(base + alternates[DEFAULT_LANGUAGE])
            found.append(f'<xhtml:link rel="alternate" hreflang="x-default" href={default}/>')
        links = "".join(found)
        if made is not None:
            made[id(alternates)] = links
    lastmod = f"<lastmod>{day.isoformat()}</lastmod>" if day is not None else ""
    return f"<url><loc>{_text(base + url)}</loc>{lastmod}{links}</url>"


def _urlset(base: str, dated: Sequence[tuple[str, dict[str, str], dt.date | None]],
            links: dict[int, str]) -> Iterator[str]:
    """A sitemap file's text, piece by piece: an entry per ``(url, alternates, day)``."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
           'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')
    for i, (url, alternates, day) in enumerate(dated):
        yield ("\n" if i else "") + _entry(base, url, alternates, day, links)
    yield "\n</urlset>\n"


def _index(base: str, names: Sequence[str], newest: Sequence[dt.date | None]) -> str:
    items = "\n".join(
        f"<sitemap><loc>{_text(base + n)}</loc>"
        + (f"<lastmod>{day.isoformat()}</lastmod>" if day is not None else "") + "</sitemap>"
        for n, day in zip(names, newest))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}\n</sitemapindex>\n"
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_robots(site_dir: Path, site_url: str) -> None:
    sitemap = site_url.rstrip("/") + "/sitemap.xml"
    write_new(site_dir / "robots.txt", f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n")
