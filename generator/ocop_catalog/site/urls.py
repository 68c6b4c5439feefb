"""Where every page of the catalog lives, in every language.

Vietnamese pages sit at the site root, other languages under ``<lang>/``.
The path after the prefix is the same in every language, so switching
language only swaps the prefix. URLs are relative to the site root, without
a leading slash, and end in ``/`` (the page is ``<url>index.html``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Urls:
    languages: tuple[str, ...]
    site_url: str = ""

    def prefix(self, lang: str) -> str:
        return "" if lang == DEFAULT_LANGUAGE else f"{lang}/"

    def at(self, lang: str, path: str) -> str:
        """The URL of the language-independent ``path`` in ``lang``."""
        return self.prefix(lang) + path

    # Every catalog page's path, the same in every language (``Urls.at`` adds the
    # language's prefix). Pages are listed by SiteBuilder.pages with these paths.

    @staticmethod
    def products_path() -> str:
        return "products/"

    @staticmethod
    def product_path(product_id: str) -> str:
        return f"products/{product_id}/"

    @staticmethod
    def producers_path() -> str:
        return "producers/"

    @staticmethod
    def producer_path(producer_id: str) -> str:
        return f"producers/{producer_id}/"

    @staticmethod
    def categories_path() -> str:
        return "categories/"

    @staticmethod
    def sector_path(sector_id: str) -> str:
        return f"categories/{sector_id}/"

    @staticmethod
    def group_path(sector_id: str, group_id: str) -> str:
        return f"categories/{sector_id}/{group_id}/"

    @staticmethod
    def areas_path() -> str:
        return "areas/"

    @staticmethod
    def commune_path(code: str) -> str:
        return f"areas/{code}/"

    @staticmethod
    def district_path(district_id: str) -> str:
        return f"areas/former/{district_id}/"

    @staticmethod
    def stars_path(stars: int) -> str:
        return f"stars/{stars}/"

    @staticmethod
    def sales_points_path() -> str:
        return "sales-points/"

    @staticmethod
    def sales_point_path(point_id: str) -> str:
        return f"sales-points/{point_id}/"

    @staticmethod
    def search_path() -> str:
        return "search/"

    # The same pages in a language.

    def home(self, lang: str) -> str:
        return self.prefix(lang)

    def products(self, lang: str) -> str:
        return self.at(lang, self.products_path())

    def product(self, lang: str, product_id: str) -> str:
        return self.at(lang, self.product_path(product_id))

    def producers(self, lang: str) -> str:
        return self.at(lang, self.producers_path())

    def producer(self, lang: str, producer_id: str) -> str:
        return self.at(lang, self.producer_path(producer_id))

    def categories(self, lang: str) -> str:
        return self.at(lang, self.categories_path())

    def sector(self, lang: str, sector_id: str) -> str:
        return self.at(lang, self.sector_path(sector_id))

    def group(self, lang: str, sector_id: str, group_id: str) -> str:
        return self.at(lang, self.group_path(sector_id, group_id))

    def areas(self, lang: str) -> str:
        return self.at(lang, self.areas_path())

    def commune(self, lang: str, code: str) -> str:
        return self.at(lang, self.commune_path(code))

    def district(self, lang: str, district_id: str) -> str:
        return self.at(lang, self.district_path(district_id))

    def stars(self, lang: str, stars: int) -> str:
        return self.at(lang, self.stars_path(stars))

    def sales_points(self, lang: str) -> str:
        return self.at(lang, self.sales_points_path())

    def sales_point(self, lang: str, point_id: str) -> str:
        return self.at(lang, self.sales_point_path(point_id))

    def search(self, lang: str) -> str:
        return self.at(lang, self.search_path())

    def page(self, lang: str, slug: str) -> str:
        """An authored page (about OCOP, reading the mark…)."""
        return f"{self.prefix(lang)}{slug}/"

    def menu(self, lang: str, authored: tuple[tuple[str, str], ...] = ()) -> list[tuple[str, str]]:
        """The site menu: (UI string key, URL) pairs; ``authored`` is (slug, key) pairs."""
        items = [("nav.products", self.products(lang)), ("nav.categories", self.categories(lang)),
                 ("nav.areas", self.areas(lang)), ("nav.sales_points", self.sales_points(lang)),
                 ("nav.producers", self.producers(lang)), ("nav.search", self.search(lang))]
        return items + [(key, self.page(lang, slug)) for slug, key in authored]

    def absolute(self, url: str) -> str:
        return f"{self.site_url.rstrip('/')}/{url}"


def relative(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url`` (both site-relative)."""
    depth = from_url.count("/")
    return "../" * depth + to_url if depth else (to_url or "./")
