"""The validated, immutable catalog that every output is made from.

A :class:`Catalog` is built only from records that passed validation. It holds
the records as they were written plus the indexes outputs need (products by
producer, by sales point, by commune…), and answers derived questions such as
a certificate's status on a given day. Nothing in it changes after loading.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from . import certificates as certs
from .links import product_code
from ..records.photos import ImageInfo
from ..records.models import Commune, LegacyDistrict, Producer, Product, Regions, SalesPoint
from ..settings import Settings
from .taxonomy import CriteriaSet, browse_set, criteria_set_of


@dataclass(frozen=True)
class ProducerEntry:
    record: Producer
    folder: Path
    source: str
    logo: ImageInfo | None = None

    @cached_property
    def id(self) -> str:  # looked up hundreds of thousands of times in a large build
        return self.record.id


@dataclass(frozen=True)
class ProductEntry:
    record: Product
    producer_id: str
    folder: Path
    source: str
    photos: tuple[ImageInfo, ...] = ()
    #: What the office's register of decisions says of the product (set for every
    #: product of a catalog: the loader leaves out the products no decision names).
    certification: certs.Certificate | None = None

    @cached_property
    def id(self) -> str:  # looked up hundreds of thousands of times in a large build
        return self.record.id

    @cached_property
    def qr_code(self) -> str:
        """The permanent short code of the product's QR link."""
        return product_code(self.record)

    @property
    def valid_until(self) -> dt.date:
        return certs.valid_until(self.certification)

    def status(self, today: dt.date, expiring_days: int = certs.EXPIRING_DAYS) -> certs.Status:
        return certs.status(self.certification, today, expiring_days)

    @cached_property
    def criteria_set(self) -> CriteriaSet | None:
        """The set the product was rated under, in its own criteria version."""
        return criteria_set_of(self.record.category)

    @cached_property
    def browse_category(self) -> CriteriaSet | None:
        """The current (26/2026) set used for browsing, if the old set maps to one."""
        category = self.record.category
        return browse_set(category.criteria_version, category.criteria_set)


@dataclass(frozen=True)
class Catalog:
    settings: Settings
    regions: Regions
    sales_points: Mapping[str, SalesPoint]
    producers: Mapping[str, ProducerEntry]
    products: Mapping[str, ProductEntry]
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        settings: Settings,
        regions: Regions,
        sales_points: list[SalesPoint],
        producers: list[ProducerEntry],
        products: list[ProductEntry],
    ) -> Catalog:
        return cls(
            settings=settings,
            regions=regions,
            sales_points=MappingProxyType({p.id: p for p in sales_points}),
            producers=MappingProxyType({p.id: p for p in sorted(producers, key=lambda p: p.id)}),
            products=MappingProxyType({p.id: p for p in sorted(products, key=lambda p: p.id)}),
        )

    @property
    def today(self) -> dt.date:
        return self.settings.today

    @cached_property
    def communes(self) -> Mapping[str, Commune]:
        return MappingProxyType({c.code: c for c in self.regions.communes})

    @cached_property
    def legacy_districts(self) -> Mapping[str, LegacyDistrict]:
        return MappingProxyType({d.id: d for d in self.regions.legacy_districts})

    def products_of(self, producer_id: str) -> tuple[ProductEntry, ...]:
        return self._group("producer", lambda p: (p.producer_id,)).get(producer_id, ())

    def products_at(self, sales_point_id: str) -> tuple[ProductEntry, ...]:
        return self._group("sales_point", lambda p: p.record.sales_points).get(sales_point_id, ())

    def products_in_commune(self, code: str) -> tuple[ProductEntry, ...]:
        return self._group("commune", lambda p: (p.record.origin.commune,)).get(code, ())

    def _group(self, name: str, keys) -> Mapping[str, tuple[ProductEntry, ...]]:
        if name not in self._cache:
            groups: dict[str, list[ProductEntry]] = defaultdict(list)
            for product in self.products.values():
                for key in keys(product):
                    groups[key].append(product)
            self._cache[name] = MappingProxyType({k: tuple(v) for k, v in groups.items()})
        return self._cache[name]
