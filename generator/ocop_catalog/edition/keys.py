"""What each published file is made from, as a key: the ledger of incremental builds.

A file of the site is rebuilt when its key changes and taken over from the previous
build (:class:`ocop_catalog.reuse.Reuse`) when it does not. A key is the
SHA-256 of everything the file is made from, in a canonical form (:func:`digest`):

- :attr:`Keys.undated`: what every file depends on. This package's code and data
  (not its theme: templates have keys of their own), the versions of the libraries
  that shape what is written, the edition's configuration (site address, identity,
  authored pages, print options, targets…), the catalog settings and the region's
  geography. :attr:`Keys.build` is that and the build date: the key of files that
  print the day or work something out from it besides certificate and lot states (the
  statistics and open data pages, pages drawn by an override). Files
  that do neither are keyed by :attr:`Keys.undated`, so that a new build day leaves
  them alone (the statuses they show are in their records' keys): :meth:`Keys.day_of`
  says which, by the templates that draw a file (those of :data:`DAY_FREE_TEMPLATES`,
  each with every template it uses the packaged one: an override may print the day).
  Product and lot pages print the day and work nothing else out from it but what their
  records' keys hold: they are keyed ``<key without the day>@<day>`` and carried over to
  a later day with its text written where they printed it (:meth:`Keys.carried`,
  :meth:`ocop_catalog.reuse.Reuse.earlier`).
- :meth:`Keys.template`: a template and every template it includes, imports or extends
  (found in its syntax tree), as the theme folders resolve them; a template that names
  another by a variable depends on the whole theme. :attr:`Keys.strings`: the UI
  strings of every language.
- the records a file shows: :meth:`Keys.product` (the record, its photos as processed,
  its certificate from the register and its status on the build date, its permanent
  code, its lots and their states, which of its other certifications have expired),
  :meth:`Keys.producer`, :meth:`Keys.point`, and :meth:`Keys.card` (what a product's card
  shows: the product and its producer).

Outputs combine these with their own options and the file's own data (its path,
language, page number…). A key leaves nothing out on purpose: a dependency it misses
makes an incremental build differ from a cold one, which ``tests/test_incremental.py``
checks after a series of changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import jinja2
from pydantic import BaseModel

from ..catalog.passport import certification_expired
from ..records.memo import json_digest
from .theme import PACKAGED, referenced

if TYPE_CHECKING:
    from ..catalog.model import ProductEntry
    from . import Edition

#: The template of a product's listing card (rendered by the pages output, named by none).
CARD_TEMPLATE = "partials/card.html"

#: Packaged templates that neither print the build date nor work anything out from it but
#: certificate statuses, which are in their records' keys (cards, producers, sales points)
#: or in what a page shows (``SiteBuilder.shown``); the card template, which listings
#: show, among them. A file drawn by these alone (and by the templates they use, all
#: packaged) is keyed without the day (:meth:`Keys.day_of`); every other (a product's
#: page: "checked on <day>"; the statistics; the open data page; a lot's; any template a
#: theme adds) has it. ``tests/test_incremental.py`` reads them for it.
DAY_FREE_TEMPLATES = frozenset({
    "home.html", "listing.html", "producer.html", "producers.html", "categories.html",
    "areas.html", "sales_points.html", "sales_point.html", "search.html", "redirect.html",
    "404.html", "kiosk.html", "form.html", CARD_TEMPLATE})
#: Packaged templates that print the build day and work out nothing else from it that their
#: records' keys leave out (a product's page and a lot's): a file drawn by these is keyed
#: without the day, ``@<day>`` added, and carried over to a later day with the day's text
#: written where it printed it (:meth:`Keys.carried`).
CARRIED_OVER = frozenset({"product.html", "lot.html"})

__all__ = ["CARRIED_OVER", "DAY_FREE_TEMPLATES", "LIBRARIES", "Keys", "code_key", "digest",
           "digest_keys", "plain"]

#: Libraries whose version can change what a build writes or accepts.
LIBRARIES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pillow", "pydantic",
             "babel", "feedgen", "fonttools", "reportlab", "rl_accel", "zxing-cpp",
             "vietnam-provinces", "pyyaml", "xlsxwriter")

_PACKAGE = Path(__file__).resolve().parent.parent


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data that says everything it holds, the same in every
    process: dataclasses field by field (with their class), models as the SHA-256 of
    pydantic's JSON of them (with their class), mappings in their order, sets sorted,
    dates and paths as text. (How a type is made plain is
    worked out once per type: keys are made for every record and page of a build.)"""
    make = _PLAIN_BY_TYPE.get(type(value))
    if make is None:
        make = _PLAIN_BY_TYPE[type(value)] = _plain_of(type(value))
    return make(value)


def _itself(value: Any) -> Any:
    return value


def _model(value: BaseModel) -> Any:
    """Every field given (its other fields are the model's defaults, the same for the
    same code), in order, by pydantic's serializer, as the SHA-256 of its JSON: a
    record's JSON is kilobytes of text, which the key's own JSON would escape again (a
    third of the cost of a product's key). A record the records memo stored or gave
    back has that digest already (:func:`.memo.json_digest`: the text it keeps is this
    one), so a build after an edit writes the JSON of the edited records only."""
    found = json_digest(value)
    if found is not None:
        return [type(value).__name__, {"sha256": found}]
    try:
        text = value.model_dump_json(exclude_unset=True)
    except ValueError:  # a value the serializer cannot write: field by field
        return [type(value).__name__, [[name, plain(item)] for name, item in value]]
    return [type(value).__name__, {"sha256": hashlib.sha256(text.encode()).hexdigest()}]


def _no_key(value: Any) -> Any:
    raise TypeError(f"no key for a {type(value).__name__}")


def _plain_of(kind: type) -> Callable[[Any], Any]:
    """How :func:`plain` makes a value of type ``kind`` plain."""
    if kind is type(None) or issubclass(kind, (str, int, float, bool)):
        return _itself
    if issubclass(kind, BaseModel):
        return _model
    # containers: an item plain() gives back as it is (text, a number, None) is taken
    # without a call (most fields, keys and items are)
    if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
        name = kind.__name__
        names = tuple(f.name for f in dataclasses.fields(kind) if f.compare)
        # every field at once (attrgetter of one name gives the value, not a tuple)
        fields = operator.attrgetter(*names) if len(names) > 1 else \
            lambda value: tuple(getattr(value, n) for n in names)
        return lambda value: [name, [[n, x if type(x) in _AS_IS else plain(x)]
                                     for n, x in zip(names, fields(value))]]
    if issubclass(kind, Mapping):
        return lambda value: {"{}": [[k if type(k) in _AS_IS else plain(k),
                                      v if type(v) in _AS_IS else plain(v)]
                                     for k, v in value.items()]}
    if issubclass(kind, (list, tuple)):
        return lambda value: [x if type(x) in _AS_IS else plain(x) for x in value]
    if issubclass(kind, (set, frozenset)):
        return lambda value: {"set": sorted((plain(item) for item in value), key=_canonical)}
    if issubclass(kind, (dt.date, dt.datetime, dt.time)):
        return lambda value: value.isoformat()
    if issubclass(kind, PurePath):
        return lambda value: value.as_posix()
    if issubclass(kind, Enum):
        return lambda value: [type(value).__name__, plain(value.value)]
    if issubclass(kind, (bytes, bytearray)):
        return lambda value: {"sha256": hashlib.sha256(value).hexdigest()}
    return _no_key


#: Types :func:`plain` gives back as they are.
_AS_IS = frozenset({str, int, float, bool, type(None)})

#: :func:`_plain_of` by type, worked out when a type is first met.
_PLAIN_BY_TYPE: dict[type, Callable[[Any], Any]] = {}


#: json.dumps' way of writing a key's data, made once (json.dumps makes an encoder per
#: call when given options: a third of the cost of a small key).
_canonical: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def digest(*values: Any) -> str:
    """The key of ``values`` (hex SHA-256 of their :func:`plain` form); strings that are
    keys already are taken as they are."""
    try:
        joined = "".join(values)  # text only (JSON writes text of any kind as text)
    except TypeError:
        return hashlib.sha256(_canonical(plain(values)).encode("utf-8")).hexdigest()
    if values and (joined.isalnum() or (joined.isprintable() and '"' not in joined
                                        and "\\" not in joined)):
        # text JSON writes as it is (keys, dates, paths: no quote, backslash or control
        # character; JSON escapes nothing else here): their JSON array, written directly
        # (an empty string among them is written as JSON writes it, too)
        return hashlib.sha256(('["' + '","'.join(values) + '"]').encode("utf-8")).hexdigest()
    return hashlib.sha256(_canonical(values).encode("utf-8")).hexdigest()  # plain already


def digest_keys(keys: list[str]) -> str:
    """:func:`digest` of ``keys``, which are keys already (64 hex digits each: nothing of
    theirs needs checking or escaping), as ``digest(*keys)`` would hash them."""
    return hashlib.sha256(('["' + '","'.join(keys) + '"]').encode("ascii")).hexdigest() \
        if keys else digest()


@cache
def code_key() -> str:
    """This package's code and data (its ``*.py`` and ``*.yml``; the theme has keys of its
    own) and the versions of the libraries that shape what a build writes."""
    sha = hashlib.sha256()
    for library in LIBRARIES:
        try:
            sha.update(f"{library}={metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            sha.update(f"{library}=-\n".encode())
    files = sorted(p for pattern in ("*.py", "*.yml") for p in _PACKAGE.rglob(pattern)
                   if "theme" not in p.relative_to(_PACKAGE).parts[:1])
    for path in files:
        sha.update(f"{path.relative_to(_PACKAGE).as_posix()}\0".encode())
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


class Keys:
    """The keys of one edition's records and templates, each worked out once."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        catalog = edition.catalog
        # the theme folders are not a key of their own: each template's is its content
        config = dataclasses.replace(edition.config, theme_dirs=())
        #: what every file depends on, but the build date (statuses on the build date are
        #: in the records' keys)
        self.undated = digest(code_key(), config, dataclasses.replace(catalog.settings,
                                                                      today=None),
                              catalog.regions)
        #: that and the build date: for files that print the day or work from it
        self.build = digest(self.undated, edition.today)
        self.strings = digest(edition.strings)
        self._env: jinja2.Environment | None = None
        self._templates: dict[str, str] = {}
        self._uses: dict[str, tuple[str, ...]] = {}
        #: the file each template was read from (None: not found); templates whose
        #: references are not all plain names
        self._files: dict[str, str | None] = {}
        self._by_variable: set[str] = set()
        self._days: dict[tuple[str, ...], str | None] = {}
        self._packaged: dict[str, bool] = {}
        self._carried: dict[tuple[str, ...], bool] = {}
        self._products: dict[str, str] = {}
        self._producers: dict[str, str] = {}
        self._points: dict[str, str] = {}
        self._cards: dict[str, str] = {}
        self._producer_cards: dict[str, str] = {}
        self._neighbourhoods: dict[str, str] = {}
        self._theme: str | None = None

    # -- the theme ------------------------------------------------------------------

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:
            self._env = self.edition.templates()
        return self._env

    def template(self, name: str) -> str:
        """``name`` and every template it uses, by content."""
        found = self._templates.get(name)
        if found is None:
            sources: dict[str, str] = {}
            if not self._closure(name, sources):
                found = self.theme
                self._by_variable.add(name)
            else:
                found = digest(sorted(sources.items()))
            self._templates[name] = found
            self._uses[name] = tuple(sorted(name for name, text in sources.items() if text))
        return found

    def uses(self, name: str) -> tuple[str, ...]:
        """The templates ``name`` uses, itself included (those its syntax tree names: all
        of them unless it names one by a variable)."""
        self.template(name)
        return self._uses[name]

    def _closure(self, name: str, sources: dict[str, str]) -> bool:
        """Add ``name``'s source and its references' to ``sources``; False when a
        reference is not a plain name (then only the whole theme will do)."""
        if name in sources:
            return True
        try:
            source, file, _uptodate = self.env.loader.get_source(self.env, name)
        except jinja2.TemplateNotFound:
            sources[name] = ""
            self._files[name] = None
            return True
        sources[name] = source
        self._files[name] = file
        # the names remembered by source for later builds (:func:`.theme.load_compiled`)
        for ref in referenced(self.env, name, file, source):
            if ref is None or not self._closure(ref, sources):
                return False
        return True

    def packaged(self, name: str) -> bool:
        """Whether ``name`` and every template it uses are the packaged theme's (none
        from the catalog's ``overrides/``, none named by a variable); worked out once per
        template (a card's key asks it of the card template, for every product)."""
        found = self._packaged.get(name)
        if found is None:
            self.template(name)
            # each the packaged file of its own name (not an override linked to another)
            folder = os.path.join(_packaged_dir(), "ocop")
            found = self._packaged[name] = name not in self._by_variable and all(
                self._files.get(used) is not None
                and os.path.realpath(self._files[used]) == os.path.join(folder, used)
                for used in {name, *self.uses(name)})
        return found

    def day_of(self, *templates: str) -> str | None:
        """The build date (ISO) for the key of a file drawn by ``templates``; None when
        each is one of :data:`DAY_FREE_TEMPLATES` and :meth:`packaged` (the file is then
        keyed with :attr:`undated`, and only what its records' keys say of the day)."""
        found = self._days.get(templates, "")
        if found == "":
            free = all(t in DAY_FREE_TEMPLATES and self.packaged(t) for t in templates)
            found = self._days[templates] = None if free else self.edition.today.isoformat()
        return found

    def carried(self, template: str, *others: str) -> bool:
        """Whether a file drawn by ``template`` and ``others`` (the card template, for a
        page that shows cards) is carried over to a later day: ``template`` one of
        :data:`CARRIED_OVER` and :meth:`packaged` (an override may work anything out from
        the day; the packaged ones print it only where they mark it,
        ``tests/test_incremental.py``), ``others`` keyed without the day (:meth:`day_of`)."""
        found = self._carried.get((template, *others))
        if found is None:
            found = self._carried[(template, *others)] = (
                template in CARRIED_OVER and self.packaged(template)
                and (not others or self.day_of(*others) is None))
        return found

    @property
    def theme(self) -> str:
        """Every file of the theme folders (first wins), by content."""
        if self._theme is None:
            files: dict[str, bytes] = {}
            for folder in self.edition.theme_dirs:
                for path in sorted(Path(folder).rglob("*")):
                    rel = path.relative_to(folder).as_posix()
                    if path.is_file() and rel not in files:
                        files[rel] = hashlib.sha256(path.read_bytes()).digest()
            self._theme = digest(sorted(files.items()))
        return self._theme

    # -- records --------------------------------------------------------------------

    def product(self, product: ProductEntry) -> str:
        """The product as published on the build date: its record, photos (as processed),
        certificate and its status, permanent code, lots and their states, which of its
        other certifications (VietGAP, organic…) have expired (the passport, the JSON-LD)."""
        found = self._products.get(product.id)
        if found is None:
            e = self.edition
            lots = [(lot, e.lot_state(lot), e.lot_has_page(lot)) for lot in product.record.lots]
            expired = [certification_expired(c, e.today) for c in product.record.certifications]
            found = self._products[product.id] = digest(
                product.record, product.producer_id, product.photos, product.certification,
                product.qr_code, e.status(product), e.modified(product),
                [_image(e.photo(photo.path)) for photo in product.photos], lots, expired)
        return found

    def producer(self, producer_id: str) -> str:
        found = self._producers.get(producer_id)
        if found is None:
            entry = self.edition.catalog.producers[producer_id]
            logo = self.edition.photo(entry.logo.path) if entry.logo else None
            found = self._producers[producer_id] = digest(entry, _image(logo))
        return found

    def point(self, point_id: str) -> str:
        found = self._points.get(point_id)
        if found is None:
            found = self._points[point_id] = digest(
                self.edition.catalog.sales_points[point_id])
        return found

    def card(self, product: ProductEntry) -> str:
        """What a product's card shows: the product and its producer. A card template from
        the catalog's ``overrides/`` may read anything the templates see (the whole
        catalog): its cards are keyed by every record too (:attr:`_records`), so that no
        page shows a card drawn from records that have changed since."""
        found = self._cards.get(product.id)
        if found is None:
            mine = self.product(product), self.producer(product.producer_id)
            found = self._cards[product.id] = digest(*mine) if self.packaged(CARD_TEMPLATE) \
                else digest(*mine, self._records)
        return found

    @cached_property
    def _records(self) -> str:
        """Every product, producer and sales point (not through their cards, unlike
        :attr:`catalog`, whose cards may be keyed by this)."""
        catalog = self.edition.catalog
        return digest([self.product(p) for p in self.edition.all_products],
                      [self.producer(pid) for pid in catalog.producers],
                      [self.point(pid) for pid in catalog.sales_points])

    def cards(self, products: Iterable[ProductEntry]) -> str:
        """The cards of ``products``, in their order (keys of keys: hashed as they are)."""
        if not isinstance(products, (list, tuple)):
            products = list(products)  # looked at twice below, maybe
        places = self.edition.places(products)  # listings of thousands, every page of them
        return digest_keys([self.card(p) for p in products] if places is None
                           else list(map(self._edition_cards.__getitem__, places)))

    @cached_property
    def _edition_cards(self) -> list[str]:
        """The card of each of the edition's products, in its order (by place:
        :meth:`.Edition.places`)."""
        return [self.card(p) for p in self.edition.all_products]

    def neighbourhood(self, product: ProductEntry) -> str:
        """What a product's own page shows: the product, its producer, its sales points
        and the cards of its producer's other products (worked out once per product)."""
        found = self._neighbourhoods.get(product.id)
        if found is None:
            found = self._neighbourhoods[product.id] = digest(
                self.product(product), self.producer(product.producer_id),
                [self.point(pid) for pid in product.record.sales_points],
                self.producer_cards(product.producer_id))
        return found

    def producer_cards(self, producer_id: str) -> str:
        """The cards of every product of a producer (worked out once per producer)."""
        found = self._producer_cards.get(producer_id)
        if found is None:
            found = self._producer_cards[producer_id] = self.cards(
                self.edition.catalog.products_of(producer_id))
        return found

    @property
    def catalog(self) -> str:
        """Every product, producer and sales point: for pages that count or list them all."""
        found = self.__dict__.get("_catalog")
        if found is None:
            catalog = self.edition.catalog
            found = self.__dict__["_catalog"] = digest(
                self._edition_cards,  # every product's, in the catalog's order
                [self.producer(pid) for pid in catalog.producers],
                [self.point(pid) for pid in catalog.sales_points])
        return found


@cache
def _packaged_dir() -> str:
    """The packaged theme's folder, as the file system names it (links resolved)."""
    return os.path.realpath(PACKAGED)


def _image(image: Any) -> str | None:
    """A processed photo's key: its digest stands for the source bytes and every setting
    that shapes its files (:mod:`.images`)."""
    return None if image is None else image.digest
