"""The published catalog: the catalog as it is published on one build date.

An :class:`Edition` is what every output reads, and the only thing they share:
the validated catalog, the site's languages and their UI strings and
translators, every URL (pages, permanent links, media, QR codes, print files),
each certificate's status on the build date, the processed photos, the QR
symbols of the products and the print specification. :func:`publish` makes it
once per build (photos encoded; for a cold build every QR symbol, on all cores,
for an incremental one each symbol when first asked for, the same in any
process); what it says never changes afterwards, so outputs can run in any order
and in forked processes.
An output never reads another output's files or internals.

Sub-modules: :mod:`.urls` (where everything lives), :mod:`.i18n` (UI strings,
number and date formats), :mod:`.images` (the photo pipeline), :mod:`.qr` (QR
symbols), :mod:`.printspec` (what the print assets are), :mod:`.theme` (the
theme's templates).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2

from ..catalog import certificates as certs
from ..catalog.links import (gs1_path, lot_has_page, lot_path, lot_state, point_path,
                             short_path)
from ..catalog.model import Catalog, ProductEntry
from ..parallel import can_fork, forked_pool
from .i18n import Translator
from .identity import Identity
from .images import IMAGES, ImagePipeline, MediaOptions, ProcessedImage, Variant
from .printspec import (PrintSettings, label_path, lot_label_path, parse_options,
                        png_geometry, png_path, poster_path, sheet_path)
from .qr import symbol
from .targets import Target
from .social import SocialImage, social_image
from .theme import PACKAGED, environment, theme_strings
from .urls import Urls
from ..records.text import DEFAULT_LANGUAGE

__all__ = ["Authored", "Edition", "EditionConfig", "publish"]

log = logging.getLogger("ocop_catalog.edition")

#: Fewer products than this per worker process have their QR symbols made in one process.
SYMBOLS_PER_WORKER = 1000


@dataclass(frozen=True)
class Authored:
    """A page MkDocs renders from ``catalog/`` that catalog pages link to (menu)."""

    slug: str
    title_key: str


@dataclass(frozen=True)
class EditionConfig:
    """What, besides the catalog, decides how it is published."""

    site_url: str = ""
    #: The theme folders, first wins (:func:`.theme.theme_dirs`: a catalog's overrides,
    #: then the packaged theme).
    theme_dirs: tuple[Path, ...] = (PACKAGED,)
    media_prefix: str = "media"
    authored: tuple[Authored, ...] = ()
    #: Pages rendered by others (MkDocs' authored pages) that the sitemap lists: their
    #: site-relative URL and their URL in every language they exist in.
    extra_pages: tuple[tuple[str, Mapping[str, str]], ...] = ()
    #: ``print_assets`` options of site_config.yml (see :mod:`.printspec`).
    print_options: Mapping[str, Any] = field(default_factory=dict)
    #: The folder print options' font paths are relative to (the repository).
    root: Path = Path(".")
    #: Whose catalog this is (name, region, office…), given to every output as UI strings.
    identity: Identity = field(default_factory=Identity)
    #: UI strings by language, when the caller has read them already (else they are
    #: read from the theme).
    strings: Mapping[str, Mapping[str, str]] | None = None
    #: The catalog's repository (MkDocs' ``repo_url``) and the branch producers propose
    #: changes to: the product form links to GitHub's new-file page when it is on GitHub.
    repo_url: str = ""
    repo_branch: str = "main"
    #: The office's targets (``targets:`` options, :mod:`.targets`): progress against them
    #: is in :func:`.figures.figures`.
    targets: tuple[Target, ...] = ()
    #: What every photo is published as (``media:`` options, :mod:`.images`): WebP widths,
    #: JPEG fallbacks or not, qualities, the marketplace square.
    media: MediaOptions = field(default_factory=MediaOptions)


def publish(catalog: Catalog, config: EditionConfig, *, cache_dir: Path,
            workers: int | None = None, info: Callable[[str], None] = log.info,
            symbols: bool = True) -> Edition:
    """The edition of ``catalog``: photos processed as ``config.media`` says (cached by
    content under ``cache_dir/images``; a producer's logo without the marketplace square)
    and, with ``symbols``, every product's QR symbol made on all cores (what a build that
    draws every QR code wants; otherwise each is made when first asked for)."""
    photos = [photo.path for p in catalog.products.values() for photo in p.photos]
    logos = [p.logo.path for p in catalog.producers.values() if p.logo]
    media = config.media
    pipeline = ImagePipeline(cache_dir / IMAGES, widths=media.widths, square=media.square,
                             jpeg_quality=media.jpeg_quality, webp_quality=media.webp_quality,
                             jpeg_fallback=media.jpeg_fallback, workers=workers, log=info,
                             root=catalog.settings.root, restored=catalog.settings.restored)
    images = MappingProxyType({**pipeline.process(logos, square=False),
                               **pipeline.process(photos)})
    pipeline.sweep((image.digest for image in images.values()), catalog.settings.root)
    edition = Edition(catalog, config, images, workers=workers)
    if symbols:
        edition.make_symbols(workers)
    return edition


class Edition:
    """The catalog as published on :attr:`today`: what every output reads."""

    def __init__(self, catalog: Catalog, config: EditionConfig,
                 images: Mapping[Path, ProcessedImage] | None = None, *,
                 workers: int | None = None) -> None:
        """``images``: the processed photos by source path (:func:`publish` makes them;
        none: pages without photos)."""
        self.catalog = catalog
        self.config = config
        self.today: dt.date = catalog.today
        self.languages: tuple[str, ...] = catalog.settings.languages
        self.urls = Urls(self.languages, config.site_url)
        self.strings = config.identity.apply(
            config.strings if config.strings is not None
            else theme_strings(config.theme_dirs, self.languages))
        self.images = images or {}
        self.print_spec: PrintSettings = parse_options(config.print_options, config.root,
                                                       self.languages, config.theme_dirs)
        self._translators = {lang: Translator(lang, self.strings) for lang in self.languages}
        warning_days = catalog.settings.expiry_warning_days
        self._status = {p.id: p.status(self.today, warning_days)
                        for p in catalog.products.values()}
        #: QR symbols made so far, by product id (:meth:`qr_symbol`)
        self._symbols: dict[str, tuple[int, bytes]] = {}
        self._modified: dict[str, dt.date] = {}
        self._alternates: dict[str, dict[str, str]] = {}
        self._lot_symbols: dict[tuple[str, str], tuple[int, bytes]] = {}

    # -- configuration --------------------------------------------------------

    @property
    def theme_dirs(self) -> tuple[Path, ...]:
        return self.config.theme_dirs

    @property
    def authored(self) -> tuple[Authored, ...]:
        return self.config.authored

    def templates(self, **globals: Any) -> jinja2.Environment:
        """The theme's templates (``ocop/`` of the theme folders), with the edition and ``globals``
        available to every template."""
        return environment(self, **globals)

    @cached_property
    def social_image(self) -> SocialImage:
        """The default sharing image (``og:image`` of every page but a product's)."""
        return social_image(self.strings.get(DEFAULT_LANGUAGE, {}), self.urls.site_url,
                            self.theme_dirs)

    def translator(self, lang: str) -> Translator:
        found = self._translators.get(lang)
        return found if found is not None else Translator(lang, self.strings)

    # -- the catalog on the build date ------------------------------------------

    @cached_property
    def all_products(self) -> tuple[ProductEntry, ...]:
        return tuple(self.catalog.products.values())

    def places(self, products: Iterable[ProductEntry]) -> list[int] | None:
        """Each of ``products``' place in :attr:`all_products`, found by the identity of its
        entry, without a call per product (listings of thousands, tables by place: a
        product's card key, its filter counts); None when one is not this edition's entry.
        The edition keeps its entries alive, so an identity is never another entry's."""
        try:
            return list(map(self._places.__getitem__, map(id, products)))
        except KeyError:
            return None

    @cached_property
    def _places(self) -> dict[int, int]:
        return {id(p): i for i, p in enumerate(self.all_products)}

    def status(self, product: ProductEntry) -> str:
        """valid / expiring / expired / revoked on the build date."""
        return self._status[product.id]

    def valid_until(self, product: ProductEntry) -> dt.date:
        return certs.valid_until(product.certification)

    def modified(self, product: ProductEntry) -> dt.date:
        """The last day the product's page changed, as far as the records tell, never after
        the build day: ``updated``, ``listed``, its decisions (recognition, start of
        validity, revocation) and the day its certificate's status on the build day began
        (expiring, expired). What the sitemap's ``lastmod`` says of its page."""
        found = self._modified.get(product.id)
        if found is None:
            record, cert = product.record, product.certification
            days = [record.updated, record.listed, cert.decision_date, cert.valid_from,
                    cert.revoked.date if cert.revoked else None,
                    *(decision.date for decision in cert.history)]
            until = certs.valid_until(cert)
            status = self.status(product)
            if status == "expired":
                days.append(until + dt.timedelta(days=1))
            elif status == "expiring":
                days.append(until - dt.timedelta(days=self.catalog.settings.expiry_warning_days))
            past = [d for d in days if d is not None and d <= self.today]
            found = self._modified[product.id] = max(past) if past else cert.decision_date
        return found

    def producer_of(self, product: ProductEntry):
        return self.catalog.producers[product.producer_id]

    def commune_of(self, product: ProductEntry):
        return self.catalog.communes[product.record.origin.commune]

    def district(self, district_id: str):
        return self.catalog.legacy_districts[district_id]

    @cached_property
    def communes_with_products(self) -> tuple[str, ...]:
        return tuple(sorted({p.record.origin.commune for p in self.all_products}))

    # -- URLs --------------------------------------------------------------------

    def alternates(self, path: str) -> dict[str, str]:
        """The language-independent ``path`` in every language (one mapping per path,
        made once: every page of the path and the sitemap ask; read it, never change it)."""
        found = self._alternates.get(path)
        if found is None:
            found = self._alternates[path] = {lang: self.urls.at(lang, path)
                                              for lang in self.languages}
        return found

    def short_url(self, product: ProductEntry) -> str:
        """The product's permanent short link, ``<site_url>/q/<code>/``."""
        return self.urls.absolute(short_path(product.qr_code))

    def gs1_url(self, product: ProductEntry) -> str | None:
        """The product's GS1 Digital Link URI, when it has a GTIN."""
        gtin = product.record.gtin
        return self.urls.absolute(gs1_path(gtin)) if gtin else None

    def qr_target(self, product: ProductEntry) -> str:
        """The address a product's QR code holds: its GS1 Digital Link when it has a GTIN
        (shop scanners read the GTIN from it, phones open the page), else its short link.
        Both are permanent and lead to the product page in the visitor's language."""
        return self.gs1_url(product) or self.short_url(product)

    # -- lots ----------------------------------------------------------------------

    @cached_property
    def lots(self) -> tuple[tuple[ProductEntry, Any], ...]:
        """Every product's lots, (product, lot), in catalog and record order."""
        return tuple((p, lot) for p in self.all_products for lot in p.record.lots)

    def lot_path(self, product: ProductEntry, lot) -> str:
        """Site-relative path of a lot's page (no trailing slash, written as
        ``<path>.html``): ``01/<GTIN-14>/10/<lot>``, else ``q/<code>/10/<lot>``."""
        return lot_path(product.record, lot.code, product.qr_code)

    def lot_has_page(self, lot) -> bool:
        return lot_has_page(lot.code)

    def lot_state(self, lot) -> str:
        """in_date / expired / recalled on the build date (ocop.js re-checks it)."""
        return lot_state(lot, self.today)

    def lot_qr_target(self, product: ProductEntry, lot) -> str:
        """What a lot's QR code holds: its GS1 Digital Link, with ``?17=<YYMMDD>`` (AI 17,
        expiry) when it has an expiry; without a GTIN, its path under the short link."""
        url = self.urls.absolute(self.lot_path(product, lot))
        if product.record.gtin and lot.expires:
            url += "?17=" + lot.expires.strftime("%y%m%d")
        return url

    def lot_label(self, product: ProductEntry, lot) -> str:
        """Site path of a lot's label (PDF, with the lot's QR code)."""
        return lot_label_path(product.id, lot.code)

    def lot_symbol(self, product: ProductEntry, lot) -> tuple[int, bytes]:
        """The QR symbol of a lot (:meth:`lot_qr_target`); made when first asked for."""
        key = (product.id, lot.code)
        found = self._lot_symbols.get(key)
        if found is None:
            found = self._lot_symbols[key] = symbol(self.lot_qr_target(product, lot))
        return found

    def point_qr_target(self, point) -> str:
        """The address of a sales point's poster QR: its page in the visitor's language."""
        return self.urls.absolute(point_path(point.id))

    def qr_image(self, product: ProductEntry) -> str:
        """Site path of the product's QR code as SVG."""
        return f"qr/{product.id}.svg"

    def print_path(self, kind: str, item) -> str:
        """Site path of a product's ``png`` or ``label``, a sales point's ``sheet`` or
        ``poster``."""
        return _PRINT_PATHS[kind](item.id)

    # -- media ---------------------------------------------------------------------

    def photo(self, entry_path: Path | None) -> ProcessedImage | None:
        return self.images.get(entry_path) if entry_path is not None else None

    def media_url(self, image: ProcessedImage, variant: Variant) -> str:
        return image.url(variant, self.config.media_prefix)

    def main_photo(self, product: ProductEntry) -> ProcessedImage | None:
        return self.photo(product.photos[0].path) if product.photos else None

    def square_urls(self, product: ProductEntry) -> list[str]:
        """Absolute URLs of the product's marketplace-size square photos, main first."""
        images = (self.photo(info.path) for info in product.photos)
        return [self.urls.absolute(self.media_url(image, image.square))
                for image in images if image is not None]

    # -- QR symbols -------------------------------------------------------------------

    def qr_symbol(self, product_id: str) -> tuple[int, bytes]:
        """The symbol of a product's QR code (modules on a side, a byte a module), made
        when first asked for (0.2 ms) unless :meth:`make_symbols` made them all. An
        incremental build asks only for the codes of the files it makes."""
        found = self._symbols.get(product_id)
        if found is None:
            found = self._symbols[product_id] = symbol(
                self.qr_target(self.catalog.products[product_id]))
        return found

    def qr_png_mm(self, product: ProductEntry) -> float:
        """The real side of the product's QR PNG in mm (at most ``qr_size_mm``)."""
        modules = self.qr_symbol(product.id)[0]
        return round(png_geometry(modules, self.print_spec.qr_size_mm)[2], 1)

    def make_symbols(self, workers: int | None) -> None:
        """Make every product's QR symbol now, on all cores for a large catalog."""
        targets = [(p.id, self.qr_target(p)) for p in self.all_products
                   if p.id not in self._symbols]
        count = max(1, min(workers or os.cpu_count() or 1,
                           len(targets) // SYMBOLS_PER_WORKER or 1))
        if count == 1 or not can_fork():
            self._symbols.update(_symbols(targets))
            return
        with forked_pool(count) as pool:
            for share in pool.map(_symbols, [targets[i::count] for i in range(count)]):
                self._symbols.update(share)


_PRINT_PATHS = {"png": png_path, "label": label_path, "sheet": sheet_path,
                "poster": poster_path}


def _symbols(targets: list[tuple[str, str]]) -> dict[str, tuple[int, bytes]]:
    return {product_id: symbol(target) for product_id, target in targets}
