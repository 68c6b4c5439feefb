"""Where every page of the catalog lives, in every language.

Vietnamese pages sit at the site root, other languages under ``<lang>/``.
The path after the prefix is the same in every language, so switching
language only swaps the prefix. URLs are relative to the site root, without
a leading slash, and end in ``/`` (the page is ``<url>index.html``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records.text import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Urls:
    languages: tuple[str, ...]
    site_url: str = ""

    def prefix(self, lang: str | None) -> str:
        """``<lang>/``; nothing for Vietnamese, and for ``None``: then every method
        below gives the language-independent path (pages are listed by it)."""
        return "" if lang is None or lang == DEFAULT_LANGUAGE else f"{lang}/"

    def at(self, lang: str | None, path: str) -> str:
        """The URL of the language-independent ``path`` in ``lang``."""
        return self.prefix(lang) + path

    def home(self, lang: str | None) -> str:
        return self.prefix(lang)

    def products(self, lang: str | None) -> str:
        return f"{self.prefix(lang)}products/"

    def product(self, lang: str | None, product_id: str) -> str:
        return f"{self.prefix(lang)}products/{product_id}/"

    def producers(self, lang: str | None) -> str:
        return f"{self.prefix(lang)}producers/"

    def producer(self, lang: str | None, producer_id: str) -> str:
        return f"{self.prefix(lang)}producers/{producer_id}/"

    def categories(self, lang: str | None) -> str:
        return f"{self.prefix(lang)}categories/"

    def sector(self, lang: str | None, sector_id: str) -> str:
        return f"{self.prefix(lang)}categories/{sector_id}/"

    def group(self, lang: str | None, sector_id: str, group_id: str) -> str:
        return f"{self.prefix(lang)}categories/{sector_id}/{group_id}/"

    def areas(self, lang: str | None) -> str:
        return f"{self.prefix(lang)}areas/"

    def commune(self, lang: str | None, code: str) -> str:
        return f"{self.prefix(lang)}areas/{code}/"

    def district(self, lang: str | None, district_id: str) -> str:
        return f"{self.prefix(lang)}areas/former/{district_id}/"

    def stars(self, lang: str | None, stars: int) -> str:
        return f"{self.prefix(lang)}stars/{stars}/"

    def sales_points(self, lang: str | None) -> str:
        return f"{self.prefix(lang)}sales-points/"

    def sales_point(self, lang: str | None, point_id: str) -> str:
        return f"{self.prefix(lang)}sales-points/{point_id}/"

    def statistics(self, lang: str | None) -> str:
        """The office's numbers (``outputs/site/statistics.py``)."""
        return f"{self.prefix(lang)}statistics/"

    def search(self, lang: str | None) -> str:
        return f"{self.prefix(lang)}search/"

    def open_data(self, lang: str | None) -> str:
        """The open data page: every feed and export (``outputs/site/opendata.py``)."""
        return f"{self.prefix(lang)}open-data/"

    def docs_language(self) -> str:
        """The language machine-readable files point their readers to: English when
        published (the schemas are written in English), else the default language."""
        return "en" if "en" in self.languages else DEFAULT_LANGUAGE

    def form(self, lang: str | None) -> str:
        """The form that makes a product's folder (``outputs/form.py``)."""
        return f"{self.prefix(lang)}contribute/"

    def page(self, lang: str | None, slug: str) -> str:
        """An authored page (about OCOP, reading the mark…)."""
        return f"{self.prefix(lang)}{slug}/"

    def menu(self, lang: str, authored: tuple[tuple[str, str], ...] = ()) -> list[tuple[str, str]]:
        """The site menu: (UI string key, URL) pairs; ``authored`` is (slug, key) pairs."""
        items = [("nav.products", self.products(lang)), ("nav.categories", self.categories(lang)),
                 ("nav.areas", self.areas(lang)), ("nav.sales_points", self.sales_points(lang)),
                 ("nav.producers", self.producers(lang)),
                 ("nav.statistics", self.statistics(lang)), ("nav.search", self.search(lang))]
        return items + [(key, self.page(lang, slug)) for slug, key in authored]

    def absolute(self, url: str) -> str:
        return f"{self.site_url.rstrip('/')}/{url}"


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` (both site-relative)."""
    depth = from_url.count("/")
    return "../" * depth + to_url if depth else (to_url or "./")
