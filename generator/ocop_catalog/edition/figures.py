"""The OCOP office's numbers, computed once from the published :class:`~.Edition`.

What the statistics page (``outputs/site``) and the office report (``ocop report``)
both show, so that they always agree. Plain frozen dataclasses holding keys and codes
(status names, star counts, taxonomy ids, commune codes, former district ids,
producer types, sales point ids): no HTML, no translated labels; the outputs name
them in their language.

API summary::

    from ocop_catalog.edition.figures import figures, expiring_within

    f = figures(edition)            # Figures, cached per edition (computed once)
    f.today                         # the build date every figure is judged on
    f.products                      # published products (every certificate state)
    f.active                        # of them, valid or expiring on f.today
    f.by_state                      # (Count("valid", n), Count("expiring", n),
                                    #  Count("expired", n), Count("revoked", n)): all four
    f.by_stars                      # Count("3"|"4"|"5", products, active): all three
    f.by_sector                     # Count(sector id of the 26/2026 taxonomy, …), taxonomy order
    f.by_group                      # GroupCount(sector id, group id, products, active)
    f.unclassified                  # products whose criteria set maps to no 26/2026 set
    f.by_commune                    # Count(commune code, …), most products first
    f.by_district                   # Count(former district id, …), regions.yml order;
                                    #  key "" = communes whose former districts are not
                                    #  filled in. A commune formed from several former
                                    #  districts counts in each (as the area pages do).
    f.by_producer_type              # TypeCount("HTX"|"DN"|"THT"|"HKD", producers, products,
                                    #  active): all four, model order
    f.producers                     # producers with at least one published product
    f.by_year                       # YearCount(year, new, rerated): recognitions in the
                                    #  register per year of the decision (new: the
                                    #  product's first recognition; rerated: a later one,
                                    #  re-rating or upgrade), oldest year first
    f.revocations_by_year           # YearCount(year, revoked, 0) … (new = revocations)
    f.sales_points                  # sales / display points listed
    f.by_point                      # PointCount(point id, kind, products, active), the
                                    #  catalog's order
    f.expiring                      # expiring_within(edition, f.expiry_months), 12 months
    f.targets                       # Progress per target of the configuration (below)

    expiring_within(edition, months) -> tuple[ExpiringMonth, ...]
        Certificates not revoked whose validity ends between f.today and f.today +
        ``months`` months (inclusive), grouped by the month they end:
        ExpiringMonth(year, month, products=(Expiry(product_id, valid_until, stars,
        status), …) by end date then id).

    recognitions(edition) -> tuple[Recognised, ...]
        Every recognition of a published product in the register, oldest first:
        Recognised(product_id, producer_id, date, stars, new). ``new``: see by_year.

Targets (``targets:`` of the ocop plugin options, parsed by :mod:`.targets` into
``EditionConfig.targets``) give, per plan period (``from``..``to`` years, both
included), numbers for indicators (:data:`.targets.INDICATORS`). Each becomes a
``Progress(target, indicators=(IndicatorProgress(key, target, achieved), …))``;
achieved in the period is counted from the register:

* ``products_3_stars``: products first recognised (3★ or more) in the period;
* ``products_4_stars`` / ``products_5_stars``: products recognised with 4★ (5★) or
  more in the period that held no such recognition before it;
* ``producers``: producers whose first recognised product was first recognised in
  the period (new economic organisations);
* ``sales_points``: sales and display points listed now (the records carry no opening
  date, so this is not limited to the period).

Only published products count (the register's decisions on products whose records
are not in the catalog are not seen here).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog import certificates as certs
from ..catalog.taxonomy import CURRENT_VERSION, load_taxonomies
from .targets import INDICATORS, Target

if TYPE_CHECKING:
    from . import Edition

__all__ = ["Count", "ExpiringMonth", "Expiry", "Figures", "GroupCount", "IndicatorProgress",
           "PointCount", "Progress", "Recognised", "TypeCount", "YearCount",
           "EXPIRY_MONTHS", "PRODUCER_TYPES", "STATES", "STARS", "expiring_within",
           "figures", "recognitions"]

#: Certificate states, in the order the figures give them.
STATES: tuple[str, ...] = ("valid", "expiring", "expired", "revoked")
STARS: tuple[int, ...] = (3, 4, 5)
#: Producer types (legal forms), in the order of the record model.
PRODUCER_TYPES: tuple[str, ...] = ("HTX", "DN", "THT", "HKD")
#: How far ahead :attr:`Figures.expiring` looks, in months.
EXPIRY_MONTHS = 12


@dataclass(frozen=True)
class Count:
    """Products under one key: all published ones, and those valid or expiring today."""

    key: str
    products: int
    active: int = 0


@dataclass(frozen=True)
class GroupCount:
    sector: str
    group: str
    products: int
    active: int


@dataclass(frozen=True)
class TypeCount:
    type: str
    producers: int
    products: int
    active: int


@dataclass(frozen=True)
class YearCount:
    year: int
    new: int
    rerated: int

    @property
    def total(self) -> int:
        return self.new + self.rerated


@dataclass(frozen=True)
class PointCount:
    point: str
    kind: str
    products: int
    active: int


@dataclass(frozen=True)
class Expiry:
    product: str
    valid_until: dt.date
    stars: int
    status: str


@dataclass(frozen=True)
class ExpiringMonth:
    year: int
    month: int
    products: tuple[Expiry, ...]


@dataclass(frozen=True)
class Recognised:
    product: str
    producer: str
    date: dt.date
    stars: int
    new: bool
    #: What the register says the rating was (first, upgrade, re_rating), if it says.
    evaluation: str | None = None


@dataclass(frozen=True)
class IndicatorProgress:
    key: str
    target: int
    achieved: int

    @property
    def percent(self) -> int:
        """Achieved as a whole percentage of the target (may exceed 100)."""
        return round(100 * self.achieved / self.target) if self.target else 0


@dataclass(frozen=True)
class Progress:
    target: Target
    indicators: tuple[IndicatorProgress, ...]
    #: ``done`` (the period is over), ``current`` (it includes the build year) or
    #: ``future``.
    state: str = "current"


@dataclass(frozen=True)
class Figures:
    today: dt.date
    products: int
    active: int
    by_state: tuple[Count, ...]
    by_stars: tuple[Count, ...]
    by_sector: tuple[Count, ...]
    by_group: tuple[GroupCount, ...]
    unclassified: int
    by_commune: tuple[Count, ...]
    by_district: tuple[Count, ...]
    by_producer_type: tuple[TypeCount, ...]
    producers: int
    by_year: tuple[YearCount, ...]
    revocations_by_year: tuple[YearCount, ...]
    sales_points: int
    by_point: tuple[PointCount, ...]
    expiring: tuple[ExpiringMonth, ...]
    targets: tuple[Progress, ...]
    #: How far ahead :attr:`expiring` looks, in months.
    expiry_months: int = EXPIRY_MONTHS


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def figures(edition: Edition) -> Figures:
    """The edition's figures, computed once per edition."""
    found = _CACHE.get(edition)
    if found is None:
        found = _CACHE[edition] = _compute(edition)
    return found


def _compute(edition: Edition) -> Figures:
    catalog = edition.catalog
    products = edition.all_products
    status = {p.id: edition.status(p) for p in products}
    active_ids = {pid for pid, s in status.items() if s in certs.ACTIVE}

    def count(groups: dict[str, list[str]], keys) -> tuple[Count, ...]:
        return tuple(Count(k, len(groups.get(k, ())),
                           sum(1 for pid in groups.get(k, ()) if pid in active_ids))
                     for k in keys)

    by_state = Counter(status.values())
    stars: dict[str, list[str]] = defaultdict(list)
    sectors: dict[str, list[str]] = defaultdict(list)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    communes: dict[str, list[str]] = defaultdict(list)
    districts: dict[str, list[str]] = defaultdict(list)
    types: dict[str, list[str]] = defaultdict(list)
    unclassified = 0
    for p in products:
        stars[str(p.certification.stars)].append(p.id)
        browse = p.browse_category
        if browse is None:
            unclassified += 1
        else:
            sectors[browse.sector.id].append(p.id)
            groups[(browse.sector.id, browse.group.id)].append(p.id)
        code = p.record.origin.commune
        communes[code].append(p.id)
        for district in catalog.communes[code].legacy_districts or ("",):
            districts[district].append(p.id)
        types[edition.producer_of(p).record.type].append(p.id)

    taxonomy = load_taxonomies()[CURRENT_VERSION]
    group_order = list(dict.fromkeys((s.sector.id, s.group.id) for s in taxonomy.sets.values()))
    region_order = {c.code: i for i, c in enumerate(catalog.regions.communes)}
    district_keys = [d.id for d in catalog.regions.legacy_districts if d.id in districts]
    if "" in districts:
        district_keys.append("")
    producer_ids = {p.producer_id for p in products}
    producer_types = Counter(catalog.producers[pid].record.type for pid in producer_ids)

    recognised = recognitions(edition)
    years: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in recognised:
        years[r.date.year][0 if r.new else 1] += 1
    revoked_years = Counter(p.certification.revoked.date.year for p in products
                            if p.certification.revoked is not None
                            and p.certification.revoked.date <= edition.today)

    points = tuple(PointCount(point.id, point.kind, len(catalog.products_at(point.id)),
                              sum(1 for p in catalog.products_at(point.id)
                                  if p.id in active_ids))
                   for point in catalog.sales_points.values())

    return Figures(
        today=edition.today,
        products=len(products),
        active=len(active_ids),
        by_state=tuple(Count(s, by_state.get(s, 0), by_state.get(s, 0) if s in certs.ACTIVE
                             else 0) for s in STATES),
        by_stars=count(stars, [str(n) for n in STARS]),
        by_sector=count(sectors, [s.id for s in taxonomy.sectors if s.id in sectors]),
        by_group=tuple(GroupCount(sector, group, len(groups[(sector, group)]),
                                  sum(1 for pid in groups[(sector, group)] if pid in active_ids))
                       for sector, group in group_order if (sector, group) in groups),
        unclassified=unclassified,
        by_commune=count(communes, sorted(communes, key=lambda c: (
            -len(communes[c]), region_order.get(c, len(region_order)), c))),
        by_district=count(districts, district_keys),
        by_producer_type=tuple(TypeCount(t, producer_types.get(t, 0), len(types.get(t, ())),
                                         sum(1 for pid in types.get(t, ()) if pid in active_ids))
                               for t in PRODUCER_TYPES),
        producers=len(producer_ids),
        by_year=tuple(YearCount(y, *years[y]) for y in sorted(years)),
        revocations_by_year=tuple(YearCount(y, n, 0) for y, n in sorted(revoked_years.items())),
        sales_points=len(catalog.sales_points),
        by_point=points,
        expiring=expiring_within(edition, EXPIRY_MONTHS),
        targets=tuple(_progress(t, recognised, len(catalog.sales_points), edition.today)
                      for t in edition.config.targets),
    )


def recognitions(edition: Edition) -> tuple[Recognised, ...]:
    """Every recognition of a published product in the register (up to the build date),
    oldest first (then by product id). A recognition is ``new`` when the register says
    ``evaluation: first``, or, when it says nothing, when it is the product's first
    recognition in the register; ``re_rating`` and ``upgrade`` are not new."""
    found = []
    for p in edition.all_products:
        first = True
        for ref in p.certification.history:
            if ref.kind != "recognition" or ref.date > edition.today:
                continue
            evaluation = ref.evaluation
            new = evaluation == "first" if evaluation else first
            found.append(Recognised(p.id, p.producer_id, ref.date, ref.stars or 0, new,
                                    evaluation))
            first = False
    return tuple(sorted(found, key=lambda r: (r.date, r.product)))


def expiring_within(edition: Edition, months: int) -> tuple[ExpiringMonth, ...]:
    """Certificates not revoked whose validity ends from the build date to ``months``
    months after it (both included), by the month they end."""
    today = edition.today
    limit = certs.add_months(today, months)
    by_month: dict[tuple[int, int], list[Expiry]] = defaultdict(list)
    for p in edition.all_products:
        state = edition.status(p)
        until = edition.valid_until(p)
        if state in certs.ACTIVE and today <= until <= limit:
            by_month[(until.year, until.month)].append(
                Expiry(p.id, until, p.certification.stars, state))
    return tuple(ExpiringMonth(y, m, tuple(sorted(items, key=lambda e: (e.valid_until,
                                                                       e.product))))
                 for (y, m), items in sorted(by_month.items()))


def _progress(target: Target, recognised: tuple[Recognised, ...], sales_points: int,
              today: dt.date) -> Progress:
    start, end = target.start, target.end

    def first_reaching(stars: int) -> dict[str, dt.date]:
        """Products by the day they first held ``stars`` or more (a renewal at the same
        level, ``re_rating``, is not reaching it: they held it before the register)."""
        firsts: dict[str, dt.date | None] = {}
        for r in recognised:  # oldest first
            if r.stars >= stars and r.product not in firsts:
                firsts[r.product] = None if r.evaluation == "re_rating" else r.date
        return {k: v for k, v in firsts.items() if v is not None}

    def in_period(days) -> int:
        return sum(1 for day in days if start <= day.year <= end)

    first_new: dict[str, dt.date] = {}
    for r in recognised:
        if r.new:
            first_new.setdefault(r.product, r.date)
    # a new economic organisation: a producer whose earliest recognition in the register
    # is a first rating (one whose earliest is a renewal held OCOP stars before)
    earliest: dict[str, Recognised] = {}
    for r in recognised:  # oldest first
        earliest.setdefault(r.producer, r)
    producer_first = {k: r.date for k, r in earliest.items() if r.new}
    achieved = {
        "products_3_stars": in_period(first_new.values()),
        "products_4_stars": in_period(first_reaching(4).values()),
        "products_5_stars": in_period(first_reaching(5).values()),
        "producers": in_period(producer_first.values()),
        "sales_points": sales_points,
    }
    state = "done" if end < today.year else "future" if start > today.year else "current"
    return Progress(target, tuple(IndicatorProgress(key, number, achieved[key])
                                  for key, number in target.numbers.items()
                                  if key in INDICATORS), state)
