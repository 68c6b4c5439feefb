"""sitemap.xml with hreflang alternates, and robots.txt.

Every page is listed once per language with ``xhtml:link`` alternates to all
its translations (reciprocal, plus x-default → Vietnamese), as Google asks
for multilingual sites. Over 50,000 URLs the sitemap is split into numbered
files under a sitemap index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ...records.text import DEFAULT_LANGUAGE

MAX_URLS = 50_000


def write_sitemaps(
    site_dir: Path,
    site_url: str,
    pages: Iterable[tuple[str, dict[str, str]]],
    *,
    max_urls: int = MAX_URLS,
) -> list[str]:
    """Write the sitemap(s) for ``(url, {lang: url})`` entries; the file names written."""
    base = site_url.rstrip("/") + "/"
    entries = [_entry(base, url, alternates) for url, alternates in pages]
    chunks = [entries[i : i + max_urls] for i in range(0, len(entries), max_urls)] or [[]]
    for stale in site_dir.glob("sitemap*.xml*"):
        stale.unlink()
    if len(chunks) == 1:
        (site_dir / "sitemap.xml").write_text(_urlset(chunks[0]), encoding="utf-8")
        return ["sitemap.xml"]
    names = [f"sitemap-{i + 1}.xml" for i in range(len(chunks))]
    for name, chunk in zip(names, chunks):
        (site_dir / name).write_text(_urlset(chunk), encoding="utf-8")
    (site_dir / "sitemap.xml").write_text(_index(base, names), encoding="utf-8")
    return ["sitemap.xml", *names]


def _entry(base: str, url: str, alternates: dict[str, str]) -> str:
    links = [
        f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(base + target)}/>'
        for lang, target in alternates.items()
    ]
    if DEFAULT_LANGUAGE in alternates:
        default = quoteattr(base + alternates[DEFAULT_LANGUAGE])
        links.append(f'<xhtml:link rel="alternate" hreflang="x-default" href={default}/>')
    return f"<url><loc>{_text(base + url)}</loc>{''.join(links)}</url>"


def _urlset(entries: Sequence[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "\n".join(entries) + "\n</urlset>\n"
    )


def _index(base: str, names: Sequence[str]) -> str:
    items = "\n".join(f"<sitemap><loc>{_text(base + n)}</loc></sitemap>" for n in names)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}\n</sitemapindex>\n"
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_robots(site_dir: Path, site_url: str) -> None:
    sitemap = site_url.rstrip("/") + "/sitemap.xml"
    (site_dir / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n", encoding="utf-8"
    )
