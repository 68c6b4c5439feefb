"""Read a catalog repository, validate every record, and build the catalog.

``load_catalog(settings)`` reads ``catalog/regions.yml``,
``catalog/sales-points.yml``, every ``products/<producer>/producer.yml`` and
``products/<producer>/<product>/product.yml`` and the office's register of decisions
``catalog/decisions/*.yml`` (which gives each product its certificate: a product no
decision names is left out), reports every problem it finds
(not just the first) and returns the immutable :class:`Catalog` when there are
no errors. Texts in languages the site does not publish are left out of the
catalog and counted (``LoadResult.ignored``, said in one note: ``LoadResult.note``).

With a cache folder (``Settings.cache_path``, set by the build), a producer folder whose
files are unchanged since it last loaded without an error is taken from the memo of
:mod:`.memo` instead of being read and checked again (its warnings included), and photos
that decoded cleanly are not decoded again (:mod:`.decoded`); the catalog-wide checks run
on every load. Without one (``ocop validate``) everything is read and checked. It never
writes to the repository, only to the cache folder.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from . import checks, photos, register
from ..catalog.model import Catalog, ProducerEntry, ProductEntry
from ..catalog.certificates import gtin14
from .blobs import git_blobs, remember_unanswered, unanswered
from .decoded import Decoded
from .history import Published
from .issues import (Document, IgnoredTexts, Issue, Note, format_path, unpublished_note,
                     with_excerpts)
from . import memo as memos
from .modelerrors import report_validation_error
from ..parallel import can_fork, collector_off, forked_pool, shared
from ..parallel import freeze as freeze_loaded
from .photos import check_image, resolve_inside
from .models import RECORD_FILES, RECORD_MAX_BYTES, Producer, Product, Regions, SalesPoints
from ..settings import Settings
from .text import PUBLISHED, PublishedLanguages
from .yamlsource import Locations, YamlProblem, read_yaml

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger(__name__)

REGIONS_FILE = "catalog/regions.yml"
SALES_POINTS_FILE = "catalog/sales-points.yml"


@dataclass(frozen=True)
class LoadResult:
    catalog: Catalog | None
    issues: tuple[Issue, ...]
    #: Texts in languages the site does not publish, left out (per file and language).
    ignored: tuple[IgnoredTexts, ...] = ()
    #: The site's languages.
    languages: tuple[str, ...] = ()

    def note(self, ignored: Iterable[IgnoredTexts] | None = None) -> Note | None:
        """The one note on the ``ignored`` texts (default: all of them), or None."""
        return unpublished_note(self.ignored if ignored is None else ignored, self.languages)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if not i.is_error)


def read_record(path: Path, root: Path, model: type[M],
                languages: tuple[str, ...] | None = None) -> tuple[Document, M | None]:
    """Read and validate one record file; problems go into the document. Texts in
    languages not among ``languages`` (if given) are left out and counted in
    ``Document.ignored``."""
    doc = Document(path=path, rel=_relative(path, root))
    if path.is_symlink() and resolve_inside(root, _relative(path, root)) is None:
        doc.report("record_outside", record=path.name)
        return doc, None
    link = linked_part(path, root, OFFICE_DIR)
    if link is not None:
        doc.report("record_symlink", record=doc.rel, link=link)
        return doc, None
    limit = RECORD_MAX_BYTES[RECORD_FILES[model]]
    try:
        with open(path, "rb") as fh:  # never more than the limit, however large the file
            data = fh.read(limit + 1)
            size = max(len(data), os.fstat(fh.fileno()).st_size)
        if size > limit:
            doc.report("file_too_large", size=f"{size / 1024:,.0f}", record=RECORD_FILES[model],
                       limit=f"{limit / 1024:,.0f}")
            return doc, None
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        doc.report("file_unreadable", detail=f"byte {exc.start}: {exc.reason}")
        return doc, None
    except OSError as exc:
        doc.report("file_unreadable", detail=exc.strerror or str(exc))
        return doc, None
    doc.source = text
    try:
        doc.data, doc.where = read_yaml(text)
    except YamlProblem as problem:
        doc.report(problem.code, problem.path, mark=problem.mark, **problem.params)
        return doc, None
    if doc.data is None:
        doc.report("empty_file", record=RECORD_FILES[model])
        return doc, None
    published = PublishedLanguages(languages) if languages is not None else None
    try:
        return doc, model.model_validate(doc.data, context={PUBLISHED: published})
    except ValidationError as exc:
        report_validation_error(doc, exc, model)
        return doc, None
    finally:
        if published is not None:
            doc.ignored = published.ignored


#: The office's folder: no record under it may be a symbolic link, even one that stays
#: inside the repository (a link to a file in a producer's folder would let that
#: producer edit the register of decisions without the office's review).
OFFICE_DIR = "catalog"


def linked_part(path: Path, root: Path, folder: str) -> str | None:
    """The first symbolic link on the way from ``root`` to ``path`` (the path itself
    included) when ``path`` is under ``root/folder``, relative to ``root``; else None."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if not parts or parts[0] != folder:
        return None
    at = root
    for part in parts:
        at = at / part
        if at.is_symlink():
            return at.relative_to(root).as_posix()
    return None


def check_raw_photos(doc: Document, settings: Settings) -> None:
    """Check the photos of a product whose record failed validation, as far as readable.

    So that a producer sees photo problems in the same run as the typing mistakes.
    """
    photos = doc.data.get("photos") if isinstance(doc.data, dict) else None
    if not isinstance(photos, list):
        return
    for index, photo in enumerate(photos):
        name = photo.get("file") if isinstance(photo, dict) else None
        if isinstance(name, str) and name:
            check_image(doc, doc.path.parent, name, ("photos", index, "file"), settings)


def load_catalog(settings: Settings, *, freeze: bool = False) -> LoadResult:
    """Validate the whole catalog under ``settings.root``. With ``freeze``, what was
    loaded is moved out of the cycle collector's reach (:func:`.parallel.freeze`: a build
    keeps its catalog to the end, and the collector would walk all of it at once)."""
    # loading makes only tree-shaped data: cycle collection during it is wasted time
    with collector_off():
        result = _load(settings)
        if freeze and result.catalog is not None:
            # everything loading made is new to the collector, whose next pass would walk
            # all of it (a fifth of a second at 10,000 products): frozen before it is back
            freeze_loaded()
        return result


def _load(settings: Settings) -> LoadResult:
    root = settings.root
    docs: list[Document] = []
    languages = settings.languages
    regions_doc, regions = read_record(root / REGIONS_FILE, root, Regions, languages)
    points_doc, points = read_record(root / SALES_POINTS_FILE, root, SalesPoints, languages)
    docs += [regions_doc, points_doc]
    ctx = checks.Context.build(settings, regions, points)
    if regions is not None:
        checks.check_regions(regions_doc, regions, ctx)
    if points is not None:
        checks.check_sales_points(points_doc, points, ctx)

    folders = list(_subfolders(settings.products_dir))
    photos.DECODED = decoded = Decoded.load(settings.cache_path)
    memo = memos.FolderMemo.load(settings.cache_path, ctx)
    producers, products, producer_docs, listed = _load_producers_memoised(folders, ctx, memo)
    decoded.save([photo.path for p in products for photo in p.photos]
                 + [p.logo.path for p in producers if p.logo])
    docs += producer_docs
    _check_unique_products(products, docs, settings.published)
    products = _certify(products, docs, folders, ctx, listed,
                        memos.RegisterMemo.load(settings.cache_path, ctx,
                                                memo.key if memo is not None else None))

    # the line of each issue that was found on a light document (one read in another
    # process, or taken from the memo): read from its file, as a full document has it
    issues = tuple(sorted(with_excerpts((issue for doc in docs for issue in doc.issues),
                                        root)))
    ignored = tuple(sorted(IgnoredTexts(doc.rel, lang, count)
                           for doc in docs for lang, count in doc.ignored.items()))
    catalog = None
    if regions is not None and points is not None and not any(i.is_error for i in issues):
        catalog = Catalog.create(settings, regions, list(points.sales_points), producers, products)
    return LoadResult(catalog, issues, ignored, languages)


def _certify(products: list[ProductEntry], docs: list[Document], folders: list[Path],
             ctx: checks.Context, listed: Mapping[Path, memos.Files | None] | None = None,
             memo: memos.RegisterMemo | None = None) -> list[ProductEntry]:
    """Read the register of decisions (from the ``memo`` when it has it for exactly the
    register's files) and give each product its certificate; the products no decision
    names are reported and left out. ``listed``: the producer folders' files as the memo
    listed them (their product folders are not listed again)."""
    settings = ctx.settings
    found = _read_register(ctx, memo)
    docs += found.docs
    for path in register.other_files(settings.root):  # a decision.yaml is not read: say so
        doc = Document(path=path, rel=_relative(path, settings.root))
        doc.report("decision_file_ignored", value=path.name, suggestion=path.stem + ".yml",
                   folder=register.DECISIONS_DIR)
        docs.append(doc)
    known = [register.KnownProduct(p.id, p.record.former_ids, p.record.category.criteria_version,
                                   p.source) for p in products]
    names, listed = set(), listed or {}
    for folder in folders:
        files = listed.get(folder)
        names.update(_listed_subfolders(files) if files is not None
                     else (f.name for f in _subfolders(folder)))
    certificates = register.certify(found.entries, known, names, settings,
                                    {doc.rel: doc for doc in docs})
    register.report_unrated({doc.rel: doc for doc in docs}, known, certificates, found)
    return [replace(p, certification=certificates[p.id]) for p in products
            if p.id in certificates]


def _read_register(ctx: checks.Context, memo: memos.RegisterMemo | None) -> register.Register:
    """The register, its decisions' texts checked: taken from the ``memo`` when it holds
    it for exactly the files of the register's folder (listed before they are read), else
    read and checked, and remembered when no file has an error."""
    folder = ctx.settings.root / register.DECISIONS_DIR
    before = time.time_ns()
    files = memos.listing(folder) if memo is not None and folder.is_dir() else None
    root = ctx.settings.root
    taken = memo.take(files, lambda: git_blobs(root, [register.DECISIONS_DIR]),
                      before) if memo is not None else None
    if taken is not None:
        if not memo.retaken and memo.undescribed():  # git could not say, when it was read
            known = _described(root, before, {register.DECISIONS_DIR: (folder, files)})
            if isinstance(known[register.DECISIONS_DIR], dict):
                memo.describe(files, known[register.DECISIONS_DIR])
        memo.save(files, None)  # with the files as listed now, if taken by their contents
        return taken
    found = register.read_register(ctx.settings, read_record)
    for entry in found.entries:
        checks.check_texts(entry.doc, entry.decision, ctx)
    if memo is not None:
        known = _described(root, before, {register.DECISIONS_DIR: (folder, files)})
        memo.save(files, found, known[register.DECISIONS_DIR])
    return found


def _frozen(files: memos.Files) -> tuple:
    """A folder's listing as a key (:func:`.blobs.unanswered`)."""
    return tuple(sorted((rel, None if sig is None else tuple(sig))
                        for rel, sig in files.items()))


#: Below this many producer folders, loading in one process is faster than forking.
PARALLEL_FROM = 200


def _load_producers_memoised(folders: list[Path], ctx: checks.Context,
                             memo: memos.FolderMemo | None):
    """Load the producer folders, each taken from the ``memo`` if it has it for exactly
    the folder's files (:mod:`.memo`), the others read; the memo is then saved with
    this load's folders. Producers, products and documents in folder order, and each
    folder's files as listed (:func:`.memo.listing`; none without a memo)."""
    if memo is None:
        found = _load_producers_in_parallel(folders, ctx, remember=False)
        return found[0], found[1], found[2], {}
    taken: dict[Path, tuple] = {}
    listings: dict[Path, memos.Files | None] = {}
    before = time.time_ns()  # what changed since is not described by git's blob ids
    for folder in folders:
        files = listings[folder] = memos.listing(folder)  # before anything is read
        hit = memo.take(folder, files, before)
        if hit is not None:
            taken[folder] = hit
    root = ctx.settings.root
    missed = [folder for folder in folders if folder not in taken]
    # a fresh checkout: folders whose files hold what the memo stored (git is asked only
    # about folders the memo may take so: not about one just edited, in 'ocop serve')
    candidates = [folder for folder in missed
                  if memo.may_take_by_content(folder, listings[folder], before)]
    if candidates:
        blobs = git_blobs(root, [memo.name(folder) for folder in candidates])
        for folder in candidates:
            hit = memo.take_by_content(folder, listings[folder], blobs, before)
            if hit is not None:
                taken[folder] = hit
        log.info("records: %d of %d producer folders taken from the memo by what git says "
                 "their files hold", len(memo.retaken), len(folders))
    todo = [folder for folder in folders if folder not in taken]
    producers, products, docs, outcomes = _load_producers_in_parallel(todo, ctx, remember=True)
    for producer, mine, light in taken.values():
        producers.append(producer)
        products += mine
        docs += light
    # folders taken by their signatures whose files had changed lately when they were
    # loaded, so that their entry has no contents: described now that they have settled
    undescribed = [folder for folder in taken if memo.name(folder) not in memo.retaken
                   and memo.undescribed(folder)]
    known = _described(root, before, {memo.name(folder): (folder, listings[folder])
                                      for folder in [*outcomes, *undescribed]})
    for folder in undescribed:
        if isinstance(known[memo.name(folder)], dict):
            memo.describe(folder, known[memo.name(folder)])
    memo.save(folders, set(taken), {folder: (listings[folder], known[memo.name(folder)], outcome)
                                    for folder, outcome in outcomes.items()
                                    if listings[folder] is not None})
    if not taken:
        return producers, products, docs, listings
    return (sorted(producers, key=lambda p: p.folder), sorted(products, key=lambda p: p.folder),
            sorted(docs, key=lambda d: d.rel), listings)


def _described(root: Path, before: int,
               folders: Mapping[str, tuple[Path, memos.Files | None]]
               ) -> dict[str, dict[str, str] | bool | None]:
    """The contents of ``folders`` (by name from the catalog's folder ``root``: the folder
    and its files as listed before they were read) as git's index describes them
    (:func:`.memo.contents`, one git for all), for a later build on a fresh checkout
    (:meth:`.memo.FolderMemo.take_by_content`, :meth:`.memo.RegisterMemo.take`), by name:
    None when git cannot (not asked again in this process while the folder is unchanged:
    :func:`.blobs.unanswered`), or a file changed while the folder was read (listed again
    after git answered); False when a file had just changed (the folder is read again
    once it has settled)."""
    found: dict[str, dict[str, str] | bool | None] = {}
    asked: dict[str, tuple] = {}
    for name, (_, files) in folders.items():
        if files is None:
            found[name] = None
        elif not all(memos.settled_files(files, before)):
            found[name] = False
        elif unanswered(key := (str(root), name, _frozen(files))):
            found[name] = None
        else:
            asked[name] = key
    blobs = git_blobs(root, list(asked)) if asked else {}
    for name, key in asked.items():
        folder, files = folders[name]
        known = memos.contents(name, files, blobs, before)
        if known is None:
            remember_unanswered(key)
        elif memos.listing(folder) != files:
            known = None  # changed while it was read
        found[name] = known
    return found


def _load_producers_in_parallel(folders: list[Path], ctx: checks.Context, remember: bool):
    """Load producer folders on all cores; the same result as one process, in order.
    With ``remember``, also what the memo is to keep of each folder loaded without error
    (folder → :func:`.memo.outcome` as JSON text)."""
    workers = min(os.cpu_count() or 1, len(folders) // PARALLEL_FROM)
    if workers < 2 or not can_fork():
        return _load_producers(folders, ctx, remember)
    with forked_pool(workers, folders=folders, ctx=ctx, remember=remember) as pool:
        shares = pool.starmap(_load_share, [(i, workers) for i in range(workers)])
    # back in folder order, as one process reads them (the first of two duplicates wins)
    producers = sorted((p for share in shares for p in share[0]), key=lambda p: p.folder)
    products = sorted((p for share in shares for p in share[1]), key=lambda p: p.folder)
    docs = sorted((d for share in shares for d in share[2]), key=lambda d: d.rel)
    outcomes = {folder: found for share in shares for folder, found in share[3].items()}
    return producers, products, docs, outcomes


def _load_share(index: int, count: int):
    producers, products, docs, outcomes = _load_producers(
        shared("folders")[index::count], shared("ctx"), shared("remember"))
    return producers, products, [_light(doc) for doc in docs], outcomes


#: Fields whose positions the catalog-wide checks report (see _check_unique_products).
#: (``category``: the register's ``decision_criteria_mismatch`` is said at the product too.)
_CATALOG_WIDE = frozenset({("id",), ("former_ids",), ("gtin",), ("qr_code",), ("category",)})


def _light(doc: Document) -> Document:
    """A document without its data, keeping the positions the catalog-wide checks use."""
    where = Locations(
        values={p: m for p, m in doc.where.values.items() if p[:1] in _CATALOG_WIDE},
        keys={p: m for p, m in doc.where.keys.items() if p[:1] in _CATALOG_WIDE},
    )
    return Document(path=doc.path, rel=doc.rel, where=where, issues=doc.issues,
                    ignored=doc.ignored)  # no source


def _load_producers(folders: list[Path], ctx: checks.Context, remember: bool = False):
    producers: list[ProducerEntry] = []
    products: list[ProductEntry] = []
    docs: list[Document] = []
    outcomes: dict[Path, str] = {}
    for folder in folders:
        mine: list[Document] = []
        ctx.new_days()  # the build days its checks hold for (the memo keeps them)
        producer = _load_producer(folder, ctx, mine)
        if producer is not None:
            producers.append(producer)
        first = len(products)
        for product_folder in _subfolders(folder):
            product = _load_product(product_folder, ctx, mine, producer is not None)
            if product is not None:
                products.append(product)
        docs += mine
        if remember:  # now, before the catalog-wide checks add their issues
            found = memos.outcome(producer, products[first:], [_light(d) for d in mine], ctx)
            if found is not None:  # as JSON text: one object to hand back, not thousands
                outcomes[folder] = memos.encode(found)
    return producers, products, docs, outcomes


def _load_producer(folder: Path, ctx: checks.Context, docs: list[Document]):
    path = folder / "producer.yml"
    if not path.is_file():
        doc = Document(path=path, rel=_relative(path, ctx.settings.root))
        doc.report("missing_record", record="producer.yml")
        docs.append(doc)
        return None
    doc, producer = read_record(path, ctx.settings.root, Producer, ctx.settings.languages)
    docs.append(doc)
    if producer is None:
        return None
    logo = checks.check_producer(doc, producer, ctx)
    return ProducerEntry(producer, folder, doc.rel, logo)


def _load_product(folder: Path, ctx: checks.Context, docs: list[Document], has_producer: bool):
    path = folder / "product.yml"
    doc = Document(path=path, rel=_relative(path, ctx.settings.root))
    if not path.is_file():
        doc.report("missing_record", record="product.yml")
        docs.append(doc)
        return None
    doc, product = read_record(path, ctx.settings.root, Product, ctx.settings.languages)
    docs.append(doc)
    if not has_producer:
        doc.report("unknown_producer", value=folder.parent.name)
    if product is None:
        check_raw_photos(doc, ctx.settings)
        return None
    photos = checks.check_product(doc, product, ctx)
    return ProductEntry(product, folder.parent.name, folder, doc.rel, photos)


def _check_unique_products(products: list[ProductEntry], docs: list[Document],
                           published: Published | None) -> None:
    """Ids (with former ids), GTINs and QR codes are each one product's. A clash is
    blamed on the record that introduces it, decided by what is already ``published``
    (see :mod:`.history`), never by the order folders sort in: a record taking what a
    published product holds is refused and the published product is not; a clash
    between records none of which published it is reported on each of them. A
    published product that no longer has its QR code is refused too."""
    by_path = {doc.rel: doc for doc in docs}
    holders: dict[tuple[str, str], list[tuple[ProductEntry, tuple]]] = {}
    for entry in products:
        record = entry.record
        fields: list[tuple[tuple[str, str], tuple]] = [(("id", record.id), ("id",))]
        fields += [(("id", old), ("former_ids", i)) for i, old in enumerate(record.former_ids)]
        if record.gtin:  # 0893… and 893… are the same item
            fields.append((("gtin", gtin14(record.gtin)), ("gtin",)))
        fields.append((("code", entry.qr_code), ("qr_code",) if record.qr_code
                       else ("former_ids", 0) if record.former_ids else ("id",)))
        for claim, path in fields:
            holders.setdefault(claim, []).append((entry, path))

    reported: set[str] = set()  # entries whose id clash was reported
    for claim, held in holders.items():
        kind, value = claim
        owner = published.owner(claim) if published is not None else None
        if len(held) == 1 and (owner is None or (held[0][0].id == owner.id and
                                                 held[0][0].producer_id == owner.producer)):
            continue  # one record holds it, published by no other product: the usual case
        # one place per record: the last, if a record holds the claim twice itself
        held = list({id(entry): (entry, path) for entry, path in held}.values())
        if owner is not None:
            # the published product itself (its producer and id), else the one record of
            # that producer renamed from it; never more than one
            mine = [h for h in held if h[0].producer_id == owner.producer]
            same = [h for h in mine if h[0].id == owner.id]
            renamed = [h for h in mine if owner.id in h[0].record.former_ids]
            rightful = same if len(same) == 1 else renamed if len(renamed) == 1 else []
            wrong = [h for h in held if h not in rightful]
        elif len(held) > 1 or len(holders[claim]) > 1:
            wrong = held
        else:
            continue
        for entry, path in wrong:
            if kind == "code" and entry.id in reported and not entry.record.qr_code:
                continue  # its code comes from an id already reported as taken
            if kind == "id":
                reported.add(entry.id)
            shown = entry.record.gtin if kind == "gtin" else value
            if owner is not None:
                by_path[entry.source].report(f"taken_{_CLAIMS[kind]}", path, value=shown,
                                             other=owner.id, source=published.source)
            else:
                others = sorted({e.source for e, _ in held if e is not entry})
                # the same record twice (an id among its own former ids)
                other = ", ".join(others) if others else "this record"
                by_path[entry.source].report(f"duplicate_{_CLAIMS[kind]}", path, value=shown,
                                             other=other)
    if published is not None:
        _check_codes_kept(products, by_path, published)
    _check_lots_unique(products, by_path, published)


def _check_lots_unique(products: list[ProductEntry], by_path: dict[str, Document],
                       published: Published | None) -> None:
    """A lot code is one lot's within its product. When a record lists a code twice,
    the entry that is the published lot (the same code and production date) keeps it and
    the other gets ``taken_lot``; when none is published, each gets ``duplicate_lot``."""
    for entry in products:
        lots = entry.record.lots
        places: dict[str, list[int]] = {}
        for index, lot in enumerate(lots):
            places.setdefault(lot.code, []).append(index)
        repeated = {code: at for code, at in places.items() if len(at) > 1}
        if not repeated:
            continue
        before: dict[str, str] = {}
        if published is not None:
            for old in published.find(entry.producer_id, entry.record.id,
                                      entry.record.former_ids):
                for code, produced in old.lots:
                    before.setdefault(code, produced)
        doc = by_path[entry.source]
        for code, at in repeated.items():
            rightful = [i for i in at if code in before and before[code] == (
                lots[i].produced.isoformat() if lots[i].produced else "")]
            if len(rightful) == 1:
                for i in at:
                    if i != rightful[0]:
                        doc.report("taken_lot", ("lots", i, "code"), value=code,
                                   other=before[code] or "—", source=published.source)
                continue
            for i in at:
                others = ", ".join(format_path(("lots", j, "code")) for j in at if j != i)
                doc.report("duplicate_lot", ("lots", i, "code"), value=code, other=others)


_CLAIMS = {"id": "id", "gtin": "gtin", "code": "qr_code"}


def _check_codes_kept(products: list[ProductEntry], by_path: dict[str, Document],
                      published: Published) -> None:
    """A published product (the same id, or renamed with the old id in former_ids) keeps
    the QR code printed on its packaging."""
    for entry in products:
        record = entry.record
        for before in published.find(entry.producer_id, record.id, record.former_ids):
            if before.code != entry.qr_code:
                path = (("qr_code",) if record.qr_code
                        else ("former_ids", 0) if record.former_ids else ("id",))
                by_path[entry.source].report("qr_code_changed", path, value=before.code,
                                             other=before.id, source=published.source,
                                             new=entry.qr_code)


def _listed_subfolders(files: memos.Files) -> list[str]:
    """The names :func:`_subfolders` gives, from a folder's listing (:func:`.memo.listing`:
    a folder's path ends in ``/``; a listing has no symbolic links)."""
    return [rel[:-1] for rel in files
            if rel.endswith("/") and rel.count("/") == 1 and not rel.startswith((".", "_"))]


def _subfolders(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
