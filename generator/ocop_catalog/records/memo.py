"""Producer folders and the register of decisions already loaded: a folder whose files
are all unchanged since it last loaded without an error is not read, parsed, validated and
checked again.

The unit is one producer folder (``products/<producer>/``): its producer entry, its
product entries and their documents (issues, texts left out, the positions the
catalog-wide checks use). A folder's outcome is taken from the memo only when both

- every file and folder under it (records and photos, recursively) is listed with
  the same stat signature as when it was loaded: size, modification and change times,
  inode, device (as :mod:`.decoded` does for photos). The kernel sets the change time
  on every change of a file and no program can set it back, and on a fresh checkout it
  is unpredictable, so a memo committed by a pull request under the cache folder never
  matches a file of that checkout; a folder holding a symbolic link is never memoised;
- and the memo's key is the one of this load (:func:`memo_key`): the code of the
  ``records`` and ``catalog`` packages and of the modules they import (``settings``,
  ``parallel``), the versions of the libraries that read and check records (and
  Python's), the settings the checks read (every compared field of
  :class:`~ocop_catalog.settings.Settings`: root, languages, photo limits…, but the
  build date), what :class:`~.checks.Context` holds of the regions and sales points, and
  :data:`FORMAT`. Anything else differs: every folder is loaded as if there were no memo;
- and the build date is one of the days its outcome was found to hold for: a folder's
  checks compare a few of its dates with the build day (a certification's issue and
  end), each comparison narrowing the days its outcome stays the same
  (:attr:`.checks.Context.days`), which the memo keeps with it; a new build day reads
  again only the folders a comparison goes the other way on.

A folder whose load had an error is not memoised (it is read again on every load and
its errors said). The memo is JSON, never pickle: the cache folder is a place a pull
request can write to, and reading it must not run code. Records are stored as
pydantic's JSON (``model_dump_json(exclude_unset=True)``) and rebuilt with
``model_validate_json`` under the same validation context; a record is stored only if
that gives back an equal record (validated in full), and a stored record that does not
validate, or any entry not as written here, makes that folder a miss. A remembered
record's translated texts, in the shape this program stores them, are taken as they are
(:data:`.text.STORED`: not checked character by character again); for them, what
guards a taken folder is the stat signatures of its files, which only this program on
this machine could have recorded. The exceptions are the positions the
catalog-wide checks and the register's warnings report at: those are read only when
something is reported there (a folder's thousands of them cost every build 0.3 s at
10,000 products), and ones that cannot be read as positions (a list of paths, lines and
columns) leave the document without positions: what is reported at it is reported at
the start of its file, until a file of the folder changes and it is loaded again.
Issues are stored as found (messages, positions, excerpts), so warnings are said on
every build.

The file is ``records.json`` in the build's cache folder (``Settings.cache_path``; None,
as for ``ocop validate``: no memo, every folder is checked): a JSON header line (format,
key), then a line per folder: its name as a JSON string, a tab, its entry as JSON (ASCII:
no tab or line break in either). A folder taken from the memo is written back as the line
it was read from, so that a build after a one-product edit does not encode every other
folder's entry again. The loader looks folders up and writes the file in the main
process; forked workers load only the missed folders and hand back what to remember.

The register of decisions (``catalog/decisions/``) is remembered the same way, as one unit
(:class:`RegisterMemo`, ``register.json``): taken when every file under it has its
signature and the key is this load's with the build date (:func:`dated_key`: what it says
of certificates follows the day), and kept only when no decision file had an error; a
decision's positions, as a folder's documents', are read when a check or a warning reports
at them. Catalog-wide checks (ids, GTINs, QR codes and lots unique, the register against the
products) run on every load.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from PIL import Image

from ..catalog.model import ProducerEntry, ProductEntry
from .checks import Context
from .blobs import settled
from .decoded import read_vouched, restored_sha, signature_of, write_signed
from .issues import Document, Excerpt, Issue
from .models import Decision, Producer, Product
from .photos import ImageInfo
from .register import DECISIONS_DIR, Entry, Register
from .text import PUBLISHED, STORED, PublishedLanguages
from .yamlsource import Locations

__all__ = ["FolderMemo", "RegisterMemo", "contents", "encode", "json_digest", "listing",
           "memo_key", "outcome", "settled_files"]

NAME = "records.json"
#: The register's memo (:class:`RegisterMemo`), beside the folders'.
REGISTER_NAME = "register.json"
#: Changes whenever what is stored, or how it is read back, changes.
FORMAT = 5
#: A folder with more files and folders than this is not memoised (listed every load).
MAX_ENTRIES = 20_000
#: The most the memo file may hold to be read (a cache file a pull request replaced by a
#: link to a device or a huge file is not read).
MAX_MEMO_BYTES = 1 << 30

#: The code a folder's outcome depends on, under the package: the records and catalog
#: packages and the modules they import (``tests/test_records_memo.py`` checks that they
#: import nothing else of the package).
CODE = ("records", "catalog", "settings.py", "parallel.py")
#: Libraries that read, validate or check records.
LIBRARIES = ("pydantic", "pydantic-core", "pillow", "pyyaml", "vietnam-provinces")

_PACKAGE = Path(__file__).resolve().parent.parent

Files = dict[str, Any]


class At(NamedTuple):
    """A stored position: 0-based line and column, as PyYAML's marks hold them."""

    line: int
    column: int


# --------------------------------------------------------------------------
# What a folder's outcome depends on
# --------------------------------------------------------------------------


def listing(folder: Path) -> Files | None:
    """Every file and folder under ``folder``: relative path → stat signature (folders:
    None, their path ending in ``/``). None: not to be memoised (a symbolic link, an
    unreadable folder, too many entries)."""
    if folder.is_symlink():
        return None
    found: Files = {}
    todo = [(str(folder), "")]
    try:
        while todo:
            where, prefix = todo.pop()
            with os.scandir(where) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if entry.is_symlink():
                        return None
                    if entry.is_dir(follow_symlinks=False):
                        found[rel + "/"] = None
                        todo.append((entry.path, rel + "/"))
                    else:
                        st = entry.stat(follow_symlinks=False)
                        found[rel] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino,
                                      st.st_dev]
                    if len(found) > MAX_ENTRIES:
                        return None
    except OSError:
        return None
    return found


def contents(name: str, files: Files | None, blobs: Mapping[str, str],
             before_ns: int) -> dict[str, str] | None:
    """The blob id of every file of the folder ``name`` (from the catalog's folder) as
    ``blobs`` (:func:`.blobs.git_blobs`) gives them, by the files' paths in ``files`` (its
    listing); None when one has none or changed lately (:func:`.blobs.settled`: a
    listing taken after git answered that equals the one taken before the folder was
    read says that what git describes was read)."""
    if files is None:
        return None
    found = {}
    for rel, signature in files.items():
        if signature is None:
            continue
        blob = blobs.get(f"{name}/{rel}")
        if blob is None or not settled(signature, before_ns):
            return None
        found[rel] = blob
    return found


def _same_files(stored: Any, files: Files, before_ns: int) -> bool:
    """Whether the listing ``stored`` (as a memo holds it) names the files and folders of
    ``files`` (as listed now), each file of the same size and last changed well before
    ``before_ns`` (:func:`.blobs.settled`): what taking an entry by its files' contents
    needs besides their blob ids."""
    return (type(stored) is dict and stored.keys() == files.keys()
            and all(stored[rel] is None if signature is None else
                    settled(signature, before_ns) and type(stored[rel]) is list
                    and stored[rel][:1] == signature[:1]
                    for rel, signature in files.items()))


def settled_files(files: Files | None, before_ns: int) -> Iterator[bool]:
    """For each file of the listing ``files`` (none: one False), whether it last changed
    well before ``before_ns`` (:func:`.blobs.settled`)."""
    if files is None:
        yield False
        return
    for signature in files.values():
        if signature is not None:
            yield settled(signature, before_ns)


@cache
def code_digest() -> str:
    """The code and library versions of :data:`CODE` and :data:`LIBRARIES`."""
    sha = hashlib.sha256(f"python={sys.version}\n".encode())
    for library in LIBRARIES:
        try:
            sha.update(f"{library}={metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            sha.update(f"{library}=-\n".encode())
    files: list[Path] = []
    for name in CODE:
        path = _PACKAGE / name
        files += ([path] if path.is_file() else
                  [p for pattern in ("*.py", "*.yml") for p in path.rglob(pattern)])
    for path in sorted(files):
        sha.update(f"{path.relative_to(_PACKAGE).as_posix()}\0".encode())
        sha.update(hashlib.sha256(path.read_bytes()).digest())
    return sha.hexdigest()


def memo_key(ctx: Context) -> str:
    """What every folder's outcome depends on besides its own files and the build date
    (module docstring)."""
    settings = {f.name: getattr(ctx.settings, f.name)
                for f in dataclasses.fields(ctx.settings) if f.compare and f.name != "today"}
    data = [
        FORMAT,
        code_digest(),
        Image.MAX_IMAGE_PIXELS,
        sorted(settings.items()),
        [[code, _dump(commune)] for code, commune in ctx.communes.items()],
        sorted(ctx.districts),
        sorted(ctx.sales_points),
    ]
    text = json.dumps(data, ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def dated_key(key: str, ctx: Context) -> str:
    """:func:`memo_key` ``key`` and the build date: the register's key."""
    return hashlib.sha256(f"{key}\0{ctx.settings.today.isoformat()}".encode()).hexdigest()


def _dump(value: Any) -> Any:
    dump = getattr(value, "model_dump_json", None)
    return dump() if dump is not None else repr(value)


# --------------------------------------------------------------------------
# Storing an outcome
# --------------------------------------------------------------------------


def outcome(producer: ProducerEntry | None, products: list[ProductEntry],
            docs: list[Document], ctx: Context) -> dict[str, Any] | None:
    """What to remember of one folder's load (JSON-ready, without its files), or None
    when it is not to be remembered: an error, or a record that does not come back
    equal from its JSON. ``docs``: the producer's document, then its products', light
    (the loader's ``_light``); ``ctx.days``: the build days the folder's checks hold
    for (:attr:`.checks.Context.days`)."""
    if producer is None or len(docs) != len(products) + 1:
        return None
    if any(doc.has_errors for doc in docs) or docs[0].rel != producer.source:
        return None
    try:
        first, end = ctx.days
        stored = {"days": [first.isoformat() if first is not None else None,
                           end.isoformat() if end is not None else None],
                  "producer": {**_record(producer.record, ctx),
                               "logo": _image(producer.logo, producer.folder),
                               **_doc(docs[0])},
                  "products": []}
        for entry, doc in zip(products, docs[1:]):
            if doc.rel != entry.source or entry.folder.parent != producer.folder:
                return None
            stored["products"].append({
                "folder": entry.folder.name, **_record(entry.record, ctx),
                "photos": [_image(photo, entry.folder) for photo in entry.photos],
                **_doc(doc)})
    except _NotStored:
        return None
    return stored


class _NotStored(Exception):
    pass


def _record(record: Producer | Product | Decision, ctx: Context) -> dict[str, str]:
    try:
        text = record.model_dump_json(exclude_unset=True)
        again = _validate(type(record), text, ctx, remember=False)
    except Exception:  # noqa: BLE001 - a value pydantic cannot write or read back
        raise _NotStored from None
    if again != record:
        raise _NotStored
    # the record itself is what its text validates to in this process: no second copy
    # of every record kept (tens of megabytes at 10,000 products)
    _VALIDATED.remember((type(record), text, ctx.settings.languages), record)
    return {"record": text}


def _validate(model: type[Producer | Product | Decision], text: Any, ctx: Context,
              remember: bool = True, stored: bool = False):
    """The record ``text`` validates to: for a text this process validated before, that
    record (the text was validated in full when it was first stored, by this process or
    the one that wrote the memo); else validated in full, or with ``stored`` (a text
    the memo stored, being taken) with its translated texts taken as written
    (:data:`.text.STORED`)."""
    key = (model, text, ctx.settings.languages)
    record = _VALIDATED.now.get(key) or _VALIDATED.before.get(key)
    if record is None:
        published = PublishedLanguages(ctx.settings.languages)
        record = model.model_validate_json(text, context={PUBLISHED: published,
                                                          STORED: stored})
        if published.ignored:
            raise ValueError("stored texts in unpublished languages")
    if remember:
        _VALIDATED.remember(key, record)
    return record


def json_digest(record: Any) -> str | None:
    """The SHA-256 (hex) of ``record.model_dump_json(exclude_unset=True)``, if this
    process has that text at hand: the record was stored in the memo by this process or
    taken from it, in one of the last two loads (its text is what it was validated from,
    or written as). None for any other record (one a forked worker loaded comes back as
    a new object), whose text the caller makes (:mod:`..edition.keys` keys records by it:
    a build after a one-product edit does not write every other record's JSON again)."""
    return _VALIDATED.digest(record)


class _Validated:
    """Records validated from their stored JSON in this process, by model, text and
    published languages: the same text validates to the same (frozen) record, so that
    'ocop serve', which loads the catalog again after every edit, validates only the
    records it has not seen. Kept for the last two loads (:meth:`FolderMemo.load` moves
    them on), so that what an edit replaced does not pile up; with each, the digest of
    its text (:func:`json_digest`), by the record's identity (the entry holds the
    record, so that identity is never another's while it is there)."""

    def __init__(self) -> None:
        self.now: dict[tuple, Producer | Product] = {}
        self.before: dict[tuple, Producer | Product] = {}
        self.digests: dict[int, tuple[Producer | Product, str]] = {}
        self.digests_before: dict[int, tuple[Producer | Product, str]] = {}

    def remember(self, key: tuple, record: Producer | Product) -> None:
        self.now[key] = record
        if id(record) not in self.digests:  # a record of the load before keeps its digest
            found = self.digest(record) or hashlib.sha256(key[1].encode()).hexdigest()
            self.digests[id(record)] = (record, found)

    def digest(self, record: Any) -> str | None:
        """:func:`json_digest`: the record's, if it is one of the last two loads'."""
        for digests in (self.digests, self.digests_before):
            found = digests.get(id(record))
            if found is not None and found[0] is record:
                return found[1]
        return None

    def next_load(self) -> None:
        self.before, self.now = self.now, {}
        self.digests_before, self.digests = self.digests, {}


_VALIDATED = _Validated()


def _image(info: ImageInfo | None, folder: Path) -> list | None:
    if info is None:
        return None
    try:
        rel = info.path.relative_to(folder).as_posix()
    except ValueError:
        raise _NotStored from None
    return [rel, info.width, info.height, info.format, info.size]


def _path(path: tuple) -> list:
    if not all(type(part) in (str, int) for part in path):
        raise _NotStored
    return list(path)


def _doc(doc: Document) -> dict[str, Any]:
    """A light document's issues, texts left out and positions (the loader's ``_light``
    keeps those of the fields the catalog-wide checks report at)."""
    return {
        "issues": [[i.file, i.line, i.column, i.field, i.severity, i.code, i.message_en,
                    i.message_vi, list(i.excerpt) if i.excerpt is not None else None]
                   for i in doc.issues],
        "ignored": dict(doc.ignored),
        "values": [[_path(path), m.line, m.column] for path, m in doc.where.values.items()],
        "keys": [[_path(path), m.line, m.column] for path, m in doc.where.keys.items()],
    }


# --------------------------------------------------------------------------
# The memo
# --------------------------------------------------------------------------


class FolderMemo:
    """The folders remembered by a previous load with the same :func:`memo_key`."""

    def __init__(self, file: Path, key: str, ctx: Context,
                 folders: dict[str, str] | None = None, vouched: bool = False) -> None:
        self.file = file
        self.key = key
        self.ctx = ctx
        #: Each remembered folder's entry, as the file holds it (its files' listing, their
        #: contents and its outcome, as JSON texts apart by tabs), by name.
        self.folders = folders or {}
        #: Whether this program vouches for the memo (:func:`.decoded.read_vouched`): only
        #: then is a folder taken by its files' contents (:meth:`take_by_content`).
        self.vouched = vouched
        #: The folders taken by their contents, with their files as listed now.
        self.retaken: dict[str, Files] = {}
        #: The contents of folders taken by their files' signatures whose entry had none
        #: (their files had changed lately when they were loaded): :meth:`describe`.
        self.described: dict[str, dict[str, str]] = {}
        self._root = str(ctx.settings.root).rstrip("/") + "/"

    @classmethod
    def load(cls, cache_dir: Path | None, ctx: Context) -> FolderMemo | None:
        """The memo in ``cache_dir`` (empty if missing, unreadable or of another key);
        None without a cache folder."""
        if cache_dir is None:
            return None
        _VALIDATED.next_load()
        file = Path(cache_dir) / NAME
        key = memo_key(ctx)
        try:
            folders, vouched = read_memo(file, key, restored_sha(ctx.settings.restored,
                                                                 ctx.settings.root, file))
        except Exception:  # noqa: BLE001 - missing, damaged, not JSON, too deep…: no memo
            folders, vouched = {}, False
        return cls(file, key, ctx, folders, vouched)

    def name(self, folder: Path) -> str:
        """``folder`` relative to the catalog (as POSIX text; a folder elsewhere: whole)."""
        text, root = str(folder), self._root
        if text.startswith(root) and os.sep == "/":  # what relative_to gives, for less
            return text[len(root):]
        try:
            return folder.relative_to(self.ctx.settings.root).as_posix()
        except ValueError:
            return folder.as_posix()

    def take(self, folder: Path, files: Files | None, before_ns: int | None = None):
        """``(producer, products, documents)`` as a fresh load of ``folder`` gives them
        (documents light: no data, no source; their positions made when first asked
        for, :class:`_StoredLocations`), if remembered for exactly ``files``; else None.
        An entry stored while a file of the folder had just changed (its contents
        ``false``: a rewrite within the same tick of the file system's clock keeps the
        signature) is not taken once the files have settled (``before_ns``, when the load
        began: :func:`.blobs.settled`): the folder is read again, once."""
        text = self.folders.get(self.name(folder))
        if files is None or text is None:
            return None
        try:
            listed, known, outcome_text = text.split("\t", 2)
            if json.loads(listed) != files:
                return None
            if known == "false" and before_ns is not None \
                    and all(settled_files(files, before_ns)):
                return None
            return self._outcome(folder, outcome_text, files)
        except Exception:  # noqa: BLE001 - anything outcome() did not write: load it
            return None

    def take_by_content(self, folder: Path, files: Files | None, blobs: Mapping[str, str],
                        before_ns: int):
        """As :meth:`take`, for a folder whose files' stat signatures differ from the
        memo's (a fresh checkout): taken when the memo is vouched for and every file of
        the folder is there with the blob id (``blobs``: :func:`.blobs.git_blobs`, by path
        from the catalog) and size it was stored with, and last changed well before the
        load began (``before_ns``: :func:`.blobs.settled`). Its line is then written with
        the files' signatures as listed now (:meth:`save`)."""
        name = self.name(folder)
        contents = self._stored_contents(folder, files, before_ns)
        if contents is None or any(blobs.get(f"{name}/{rel}") != blob
                                   for rel, blob in contents.items()):
            return None
        try:
            text = self.folders[name]
            found = self._outcome(folder, text.split("\t", 2)[2], files)
        except Exception:  # noqa: BLE001 - anything save() did not write: load it
            return None
        if found is not None:
            self.retaken[name] = files
        return found

    def may_take_by_content(self, folder: Path, files: Files | None, before_ns: int) -> bool:
        """Whether :meth:`take_by_content` may take ``folder`` with the blob ids git gives
        (so that git is asked only about folders it may: not about one just edited)."""
        return self._stored_contents(folder, files, before_ns) is not None

    def _stored_contents(self, folder: Path, files: Files | None,
                         before_ns: int) -> dict[str, str] | None:
        """The contents stored for ``folder`` (blob id by file) when the memo is vouched
        for and the folder holds the same files and folders, of the same sizes, each last
        changed well before the load began (``before_ns``: :func:`.blobs.settled`)."""
        text = self.folders.get(self.name(folder))
        if not self.vouched or files is None or text is None:
            return None
        try:
            listed, known, _ = text.split("\t", 2)
            stored, contents = json.loads(listed), json.loads(known)
            if (not _same_files(stored, files, before_ns) or type(contents) is not dict
                    or contents.keys() != {rel for rel, sig in files.items() if sig is not None}
                    or not all(type(blob) is str for blob in contents.values())):
                return None
        except Exception:  # noqa: BLE001 - anything save() did not write: load it
            return None
        return contents

    def undescribed(self, folder: Path) -> bool:
        """Whether the entry of ``folder`` has no contents (:func:`contents`)."""
        text = self.folders.get(self.name(folder), "")
        at = text.find("\t")
        return at >= 0 and text.startswith("null\t", at + 1)

    def describe(self, folder: Path, known: dict[str, str]) -> None:
        """Give the entry of ``folder``, taken by its files' signatures, the contents
        ``known`` (worked out for the files as listed now: :func:`contents`)."""
        self.described[self.name(folder)] = known

    def _outcome(self, folder: Path, text: str, files: Files):
        stored = json.loads(text)
        if not isinstance(stored, dict) or not self._today_in(stored["days"]):
            return None
        return self._rebuild(folder, stored, files)

    def _today_in(self, days: Any) -> bool:
        """Whether the build day is one of ``days`` (``[first, end)``, ISO dates or None)."""
        first, end = days
        today = self.ctx.settings.today.isoformat()  # ISO dates compare as text
        return (first is None or (type(first) is str and len(first) == 10 and first <= today)) \
            and (end is None or (type(end) is str and len(end) == 10 and today < end))

    def _rebuild(self, folder: Path, stored: dict, files: Files):
        ctx = self.ctx
        subfolders = sorted(rel[:-1] for rel in files if rel.endswith("/")
                            and "/" not in rel[:-1] and not rel.startswith((".", "_")))
        if [p["folder"] for p in stored["products"]] != subfolders:
            raise ValueError("not the folder's products")
        head = stored["producer"]
        doc = self._document(folder / "producer.yml", head)
        producer = ProducerEntry(_validate(Producer, head["record"], ctx, stored=True),
                                 folder, doc.rel,
                                 _photo(head["logo"], folder, "", files))
        docs, products = [doc], []
        for item in stored["products"]:
            place = folder / item["folder"]
            doc = self._document(place / "product.yml", item)
            photos = tuple(_photo(p, place, item["folder"] + "/", files) for p in item["photos"])
            if None in photos:
                raise ValueError("a photo without its data")
            docs.append(doc)
            products.append(ProductEntry(_validate(Product, item["record"], ctx, stored=True),
                                         folder.name,
                                         place, doc.rel, photos))
        return producer, products, docs

    def _document(self, path: Path, stored: dict) -> Document:
        return _light_document(path, self.name(path), stored)

    def save(self, folders: list[Path], taken: set[Path],
             loaded: Mapping[Path, tuple[Files, dict[str, str] | bool | None, str]]
             ) -> None:
        """Remember the folders of this load: those ``taken`` from the memo as they were
        (with their files as listed now, if taken by their contents), those ``loaded``
        without error with their files as listed before they were read, their contents
        (blob ids by file, or None: :func:`contents`) and their outcome (as :func:`encode`
        wrote it); forget the rest. Nothing is written without a change. The file is
        written from text, folder by folder, so that a large catalog's memo is never a
        second tree of objects in memory; a folder taken from the memo is written as the
        line it was read from, its listing replaced if taken by content. It is written
        with its signature (:func:`.decoded.write_signed`), which vouches for it."""
        names = {self.name(folder) for folder in taken}
        if not loaded and not self.retaken and not self.described \
                and names == set(self.folders):
            return
        lines = [encode({"format": FORMAT, "key": self.key})]
        for folder in folders:
            name = self.name(folder)
            if folder in taken:
                text = self.folders[name]
                if name in self.retaken:
                    text = f"{encode(self.retaken[name])}\t{text.partition(chr(9))[2]}"
                elif name in self.described:
                    listed, _, rest = text.partition("\t")
                    text = "\t".join([listed, encode(self.described[name]),
                                      rest.partition("\t")[2]])
                lines.append(f"{encode(name)}\t{text}")
            elif folder in loaded:
                files, known, stored = loaded[folder]
                if not (stored.startswith("{") and len(stored) > 2):
                    continue
                # known: blob ids by file; None: git could not say; False: a file had
                # just changed (taken, but read again once settled: take)
                lines.append(f"{encode(name)}\t{encode(files)}\t{encode(known)}\t{stored}")
        text = "\n".join(lines) + "\n"
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_signed(self.file, text.encode("utf-8"), signature_of(self.file))
        except (OSError, ValueError):  # a read-only cache: load every folder next time
            pass


class RegisterMemo:
    """The register of decisions (``catalog/decisions/``) as a load read and checked it,
    remembered as one unit beside the folders' memo (``register.json``): taken when every
    file and folder under it is listed with the signature it had when it was read (as a
    producer folder is, :func:`listing`) under the same :func:`memo_key`, and only when
    no decision file had an error. What is kept of each decision: its record as
    pydantic's JSON (stored only if it validates back equal), the issues found while it
    was read and its texts checked (warnings), the texts left out and every position
    written, which the register's checks report at. The checks against the products run
    on every load.

    The file holds a JSON header line (format, key), then the register's files (under the
    name ``""``) and a line per decision (under its path in the folder), each read and
    written one at a time, so that a large register is never a second tree of objects in
    memory."""

    def __init__(self, file: Path, key: str, ctx: Context, stored: dict[str, str],
                 vouched: bool = False) -> None:
        self.file = file
        self.key = key
        self.ctx = ctx
        #: The remembered register as the file holds it: its files' listing and their
        #: contents (``""``: a JSON list of both) and each decision's entry, as JSON text,
        #: by name (empty: nothing remembered).
        self.stored = stored
        #: Whether this program vouches for the memo: only then is it taken by its files'
        #: contents (:meth:`take`).
        self.vouched = vouched
        self._root = ctx.settings.root

    @classmethod
    def load(cls, cache_dir: Path | None, ctx: Context,
             key: str | None = None) -> RegisterMemo | None:
        """The memo in ``cache_dir`` (empty if missing, unreadable or of another key);
        None without a cache folder. ``key``: :func:`memo_key`, if worked out already (the
        register's is that with the build date: :func:`dated_key`)."""
        if cache_dir is None:
            return None
        file = Path(cache_dir) / REGISTER_NAME
        key = dated_key(key or memo_key(ctx), ctx)
        try:
            found, vouched = read_memo(file, key, restored_sha(ctx.settings.restored,
                                                               ctx.settings.root, file))
        except Exception:  # noqa: BLE001 - missing, damaged, not JSON…: no memo
            found, vouched = {}, False
        return cls(file, key, ctx, found, vouched)

    def take(self, files: Files | None, blobs: Callable[[], Mapping[str, str]] | None = None,
             before_ns: int = 0) -> Register | None:
        """The register (its documents light: no data, no source), as reading it gives it,
        if remembered for exactly ``files``; else None. With ``blobs`` (what
        :func:`.blobs.git_blobs` gives, asked for when needed), a memo vouched for is also
        taken when the files' signatures differ but their contents are those stored
        (:func:`contents`, ``before_ns`` when the load began); it is then written again
        with the files as listed now."""
        if files is None or "" not in self.stored:
            return None
        try:
            listed, known = json.loads(self.stored[""])
            if listed == files and known is False and all(settled_files(files, before_ns)):
                return None  # stored while a file had just changed: read again, once
            if listed != files:
                if not (self.vouched and blobs is not None and type(known) is dict
                        and _same_files(listed, files, before_ns)
                        and contents(DECISIONS_DIR, files, blobs(), before_ns) == known):
                    return None
                retaken = encode([files, known])
            else:
                retaken = None
            found = Register([], [], set())
            for rel, text in self.stored.items():
                if not rel:
                    continue
                if rel not in files:  # a file of the folder, as listed
                    raise LookupError("a decision that is not in the folder")
                item = json.loads(text)
                doc = _light_document(self._root / DECISIONS_DIR / rel,
                                      f"{DECISIONS_DIR}/{rel}", item)
                found.docs.append(doc)
                found.entries.append(Entry(doc, _validate(Decision, item["record"], self.ctx,
                                                          stored=True)))
        except Exception:  # noqa: BLE001 - anything save() did not write: read the files
            return None
        if retaken is not None:  # written again with the files as listed now (save)
            self.stored[""] = retaken
            self.retaken = True
        return found

    #: Taken by its files' contents (:meth:`take`), or described (:meth:`describe`): to be
    #: written again.
    retaken = False

    def undescribed(self) -> bool:
        """Whether the register remembered has no contents (its files had changed lately
        when it was read)."""
        try:
            return json.loads(self.stored[""])[1] is None
        except Exception:  # noqa: BLE001 - nothing remembered, or not as written here
            return False

    def describe(self, files: Files, known: dict[str, str]) -> None:
        """Give the register, taken by its files' signatures ``files``, the contents
        ``known`` (:func:`contents`)."""
        self.stored[""] = encode([files, known])
        self.retaken = True

    def save(self, files: Files | None, read: Register | None,
             known: dict[str, str] | bool | None = None) -> None:
        """Remember the register as read from ``files`` (listed before it was read) with
        their contents (``known``: :func:`contents`): each decision file's document, with
        the warnings of its reading and its texts' checks, and its decision; nothing when
        a file had an error (forgotten then) or when it is remembered already. With
        ``read`` None: the register was taken by its contents; written with its files as
        listed now."""
        if read is None:
            if self.retaken:
                self._write(self.stored)
            return
        stored: dict[str, str] = {}
        if (files is not None and len(read.entries) == len(read.docs)
                and not any(doc.has_errors for doc in read.docs)):
            try:
                stored[""] = encode([files, known])
                for entry in read.entries:
                    rel = entry.doc.path.relative_to(self._root / DECISIONS_DIR).as_posix()
                    stored[rel] = encode({**_record(entry.decision, self.ctx),
                                          **_doc(entry.doc)})
            except (_NotStored, ValueError):
                stored = {}
        if stored == self.stored:
            return
        self._write(stored)
        self.stored = stored

    def _write(self, stored: dict[str, str]) -> None:
        lines = [encode({"format": FORMAT, "key": self.key}),
                 *(f"{encode(name)}\t{text}" for name, text in stored.items())]
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_signed(self.file, ("\n".join(lines) + "\n").encode("utf-8"),
                         signature_of(self.file))
        except (OSError, ValueError):  # a read-only cache: read the register next time
            pass


def _light_document(path: Path, rel: str, stored: dict) -> Document:
    """A document as :func:`_doc` stored it: its issues (warnings only), texts left out
    and positions (made when first asked for: :class:`_StoredLocations`), without its data
    and source."""
    issues = []
    for (file, line, column, field, severity, code, en, vi, excerpt) in stored["issues"]:
        if severity != "warning":
            raise ValueError("only loads without errors are remembered")
        issues.append(Issue(_text(file), _int(line), _int(column), _text(field), severity,
                            _text(code), _text(en), _text(vi),
                            None if excerpt is None else Excerpt(_text(excerpt[0]),
                                                                 _int(excerpt[1]))))
    ignored = {_text(lang): _int(count) for lang, count in stored["ignored"].items()}
    where = _StoredLocations(stored["values"], stored["keys"])
    return Document(path=path, rel=rel, where=where, issues=issues, ignored=ignored)


def read_memo(file: Path, key: str, restored: str | None = None
              ) -> tuple[dict[str, str], bool]:
    """The folders' entries (text, by folder name) of the memo ``file`` if it is of
    :data:`FORMAT` and ``key`` (nothing otherwise), and whether this program vouches for
    it (:func:`.decoded.read_vouched`: its signature, or ``restored``, the SHA-256 the
    record of the site the build takes over gives it). Raises on a file that is not one."""
    data, vouched = read_vouched(file, MAX_MEMO_BYTES, signature_of(file), restored)
    if data is None:  # missing, not a regular file (a link, a pipe), or too large
        return {}, False
    head, _, body = data.decode("utf-8").partition("\n")
    found = json.loads(head)
    if not (isinstance(found, dict) and found.get("format") == FORMAT
            and found.get("key") == key):
        return {}, False
    folders: dict[str, str] = {}
    for line in body.split("\n"):
        name, tab, entry = line.partition("\t")
        if tab:
            folders[_text(json.loads(name))] = entry
    return folders, vouched


def encode(value: Any) -> str:
    """JSON text as the memo file holds it (ASCII, no spaces)."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _photo(stored: Any, folder: Path, prefix: str, files: Files) -> ImageInfo | None:
    if stored is None:
        return None
    rel, width, height, fmt, size = stored
    if files.get(prefix + _text(rel)) is None:  # a file of the folder, not a folder
        raise LookupError("a photo that is not in the folder")
    return ImageInfo(folder / rel, _int(width), _int(height), _text(fmt), _int(size))


class _StoredLocations(Locations):
    """A remembered document's positions, as :func:`_doc` stored them, turned into marks
    when first asked for: only a catalog-wide check that finds a clash, or a warning of
    the register (a certificate that expired), reports at them, and making the marks of
    every document of a 10,000-product catalog took 0.3 s of every build. A stored
    position that is not as :func:`_doc` writes it (the memo changed by hand) leaves the
    document without positions: what is reported at it is reported at the start of its
    file (:meth:`.Locations.find`). Made with the stored tables only:
    ``dataclasses.replace`` does not apply to it."""

    def __init__(self, values: Any, keys: Any) -> None:
        super().__init__()
        del self.values, self.keys  # made when first asked for (__getattr__)
        self._stored = (values, keys)

    def __getattr__(self, name: str) -> Any:
        """``values`` or ``keys``, made (with the other) when first asked for; a table
        given before then is kept."""
        stored = self.__dict__.get("_stored")
        if name not in ("values", "keys") or stored is None:
            raise AttributeError(name)
        try:
            made = _marks(stored[0]), _marks(stored[1])
        except (TypeError, ValueError):
            made = {}, {}
        self.__dict__.setdefault("values", made[0])
        self.__dict__.setdefault("keys", made[1])
        del self.__dict__["_stored"]
        return self.__dict__[name]


def _marks(stored: Any) -> dict[tuple, At]:
    marks = {}
    for path, line, column in stored:
        if type(path) is not list or not all(type(part) in (str, int) for part in path):
            raise ValueError("a path part that is neither text nor a number")
        marks[tuple(path)] = At(_int(line), _int(column))
    return marks


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("not text")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("not a whole number")
    return value
