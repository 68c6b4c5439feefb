"""The national OCOP product taxonomy, one data file per decision.

Each decision sorts products into sectors, groups and 26 criteria sets ("bộ
sản phẩm") numbered 1 to 26. A record names its set by (version, number); the
set's ``maps_to`` gives the 26/2026 set that the catalog browses it under.
The data ships with the package as ``qd*.yml`` files beside this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ...records.text import Localized, Text

CURRENT_VERSION = "26/2026"
SET_NUMBERS = range(1, 27)

# Data file of each version, oldest decision first
_FILES = {
    "1048/2019": "qd1048-2019.yml",
    "148/2023": "qd148-2023.yml",
    "26/2026": "qd26-2026.yml",
}

# --------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sector:
    """A sector, numbered with a Roman numeral (I Thực phẩm)."""

    id: str
    number: str
    name: Localized


@dataclass(frozen=True)
class Group:
    """A group within a sector (I.1 Thực phẩm tươi sống)."""

    id: str
    number: str
    name: Localized


@dataclass(frozen=True)
class CriteriaSet:
    """One of the 26 criteria sets of a decision: the leaf category."""

    number: int
    code: str
    position: str
    name: Localized
    group: Group
    sector: Sector
    maps_to: int | None
    goods: bool
    version: str

    def path(self, lang: str) -> list[str]:
        """Sector, group and set names in ``lang``, or in Vietnamese.

        A set that is a whole group (position I.6) is named once, as the group.
        """
        names = [self.sector.name, self.group.name]
        if self.position != self.group.number:
            names.append(self.name)
        return [name.resolve(lang).text for name in names]


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """The taxonomy of one decision; ``sets`` is keyed and ordered by number."""

    version: str
    decision: Localized
    sectors: tuple[Sector, ...]
    sets: Mapping[int, CriteriaSet]

    def get(self, number: int) -> CriteriaSet | None:
        """The set with this number, or None."""
        return self.sets.get(number)


# --------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------


@cache
def load_taxonomies() -> Mapping[str, Taxonomy]:
    """All taxonomies by version ("1048/2019", "148/2023", "26/2026").

    Raises:
        ValueError: a data file is malformed or its numbering is broken.
    """
    taxonomies = {version: _load(version, name) for version, name in _FILES.items()}
    _check_mapping(taxonomies)
    return MappingProxyType(taxonomies)


def data_file(version: str) -> str:
    """The name of the data file of ``version`` ("qd26-2026.yml"), beside this module."""
    return _FILES[version]


def criteria_set_of(category) -> CriteriaSet | None:
    """The set a record's ``category`` (criteria version and set number) names, or None
    when the version or the number is unknown."""
    taxonomy = load_taxonomies().get(category.criteria_version)
    return taxonomy.get(category.criteria_set) if taxonomy else None


def browse_set(version: str, number: int) -> CriteriaSet | None:
    """The 26/2026 set that set ``number`` of ``version`` is browsed under.

    Returns None for an unknown or unmapped set; an unknown version is a KeyError.
    """
    taxonomies = load_taxonomies()
    found = taxonomies[version].get(number)
    if found is None or found.maps_to is None:
        return None
    return taxonomies[CURRENT_VERSION].sets[found.maps_to]


# --------------------------------------------------------------------------
# Helper functions
# --------------------------------------------------------------------------


def _load(version: str, filename: str) -> Taxonomy:
    """Read, validate and build the taxonomy of one data file."""
    raw = _read(filename)
    if raw.version != version:
        raise ValueError(f"{filename}: version is {raw.version!r}, expected {version!r}")
    sets: dict[int, CriteriaSet] = {}
    for item in _iter_sets(raw):
        _check_set(item, sets, filename)
        sets[item.number] = item
    missing = sorted(set(SET_NUMBERS) - sets.keys())
    if missing:
        raise ValueError(f"{filename}: sets {missing} are missing")
    sectors = tuple(Sector(s.id, s.number, s.name) for s in raw.sectors)
    ordered = MappingProxyType(dict(sorted(sets.items())))
    return Taxonomy(raw.version, raw.decision, sectors, ordered)


def _read(filename: str) -> _RawTaxonomy:
    """Parse and schema-check one data file."""
    text = files(__name__).joinpath(filename).read_text(encoding="utf-8")
    try:
        return _RawTaxonomy.model_validate(yaml.load(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise ValueError(f"{filename}: {exc}") from exc
    except ValidationError as exc:
        errors = (f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{filename}: " + "; ".join(errors)) from None


def _iter_sets(raw: _RawTaxonomy) -> Iterator[CriteriaSet]:
    """The sets of a parsed file, with their group and sector attached."""
    for s in raw.sectors:
        sector = Sector(s.id, s.number, s.name)
        for g in s.groups:
            group = Group(g.id, g.number, g.name)
            for c in g.sets:
                yield CriteriaSet(group=group, sector=sector, version=raw.version, **dict(c))


def _check_set(item: CriteriaSet, seen: Mapping[int, CriteriaSet], filename: str) -> None:
    """Raise ValueError if a set is out of range, repeated or misplaced."""
    where = f"{filename}: set {item.number} ({item.code})"
    if item.number not in SET_NUMBERS:
        raise ValueError(f"{where}: number must be 1 to 26")
    if item.number in seen:
        raise ValueError(f"{where}: number is used twice")
    if any(other.code == item.code for other in seen.values()):
        raise ValueError(f"{where}: code is used twice")
    group, sector = item.group.number, item.sector.number
    if not group.startswith(sector + "."):
        raise ValueError(f"{where}: group {group} is not in sector {sector}")
    if item.position != group and not item.position.startswith(group + "."):
        raise ValueError(f"{where}: position {item.position} is not in group {group}")


def _check_mapping(taxonomies: Mapping[str, Taxonomy]) -> None:
    """Raise ValueError unless every maps_to names an existing current set."""
    current = taxonomies[CURRENT_VERSION].sets
    for taxonomy in taxonomies.values():
        for item in taxonomy.sets.values():
            where = f"{taxonomy.version} set {item.number}"
            if taxonomy.version == CURRENT_VERSION and item.maps_to != item.number:
                raise ValueError(f"{where}: a current set must map to itself")
            if item.maps_to is not None and item.maps_to not in current:
                raise ValueError(f"{where}: maps to unknown {CURRENT_VERSION} set {item.maps_to}")


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _RawSet(_Raw):
    number: int
    code: str
    position: str
    name: Text
    maps_to: int | None
    goods: bool


class _RawGroup(_Raw):
    id: str
    number: str
    name: Text
    sets: list[_RawSet]


class _RawSector(_Raw):
    id: str
    number: str
    name: Text
    groups: list[_RawGroup]


class _RawTaxonomy(_Raw):
    version: str
    decision: Text
    sectors: list[_RawSector]
