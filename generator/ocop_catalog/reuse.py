"""Taking files over from the previous build when what they are made from is unchanged.

A build writes into a staging folder (:mod:`ocop_catalog.build`). An output that knows
the key of a file (:mod:`ocop_catalog.edition.keys`) asks :meth:`Reuse.take` before
making it: when an earlier build wrote the same file with the same key, the file is
taken over (left where it is in the spare, or hard-linked from the published site: no
rendering, no writing, no extra disk space) and the output goes on to the next file;
otherwise the output makes it as a cold build would. Files the new build does not make
are not in the staging folder when it is swapped in (but for a deferring build's,
:meth:`Reuse.carry_rest` below).

The staging folder is either a fresh folder or the *spare*: the site the last build
replaced, kept with its keys (:mod:`ocop_catalog.build`). A file of the spare whose key is
the one this build records stays where it is (no link, no folder to make); one whose key
changed is unlinked, then taken from the published site or made; files of the spare this
build does not record are deleted at the end (:meth:`Reuse.prune`).

Hard links share their content with the published site, so a build never edits a site
file in place: every writer writes a new file (:func:`write_new`, which unlinks what is
there first, or a temporary file and ``os.replace``). ``tests/test_architecture.py``
checks that outputs write no other way.

The previous build's keys are trusted only for a site folder that still holds exactly
the files that build wrote (names, sizes, modification times): ``ocop build`` checks
that before it hands them over, or, on a large site, before it swaps in the site built
with them (and builds again taking nothing over if the site was not so). Worker
processes record keys of their own; :meth:`Reuse.merge` gathers them, and
:meth:`Reuse.save` writes the new build's keys.

A file that prints the build day and nothing else of it (a product's page: "checked on
<day>") is keyed ``<key>@<day>``, ``<key>`` being what it shows but the day, and records
where it printed the day (:attr:`Reuse.spans`, saved with its key). On a later day, when
``<key>`` is unchanged, :meth:`Reuse.earlier` hands its writer the previous build's file,
day and places, and the writer writes the new day's text into those places instead of
making the file again (``outputs/site/pages.py``).

:meth:`Reuse.carry_rest` takes over, under the key it was made with, every file of the
previous build that this build neither recorded nor made under another name, but pages:
an ``ocop serve`` rebuild makes what a browser shows first (``pipeline.SHOWN``) and carries
the rest over as it was, for the build that follows to bring up to date (``pipeline.build``:
``defer``). A page it has not made is one the change removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import NamedTuple, TypeVar

from .records.decoded import atomic_write, read_regular, stat_signature, utf8_pieces

__all__ = ["DAY_FORMS", "Drained", "Reuse", "carried_over", "handed_back", "join_spans",
           "link_or_copy", "parse_spans", "site_file", "write_new"]

FORMAT = 2
#: What a key is (:func:`ocop_catalog.edition.keys.digest`, with ``@<day>`` for a file
#: written for a day; the empty key of a file always made again).
_KEY = re.compile(r"(?:[0-9a-f]{64}(?:@[0-9]{4}-[0-9]{2}-[0-9]{2})?)?")
#: The forms a file may print its day in: ISO, and Babel's named date formats
#: (``edition.i18n.MarkedDay``).
DAY_FORMS = ("iso", "full", "long", "medium", "short")
_FORM = "(?:" + "|".join(DAY_FORMS) + ")"
#: Where a file printed its day (:attr:`Reuse.spans`): ``<byte offset><form>``, joined by
#: commas, in order (:func:`join_spans`, :func:`parse_spans`).
SPANS = re.compile(f"[0-9]{{1,12}}{_FORM}(?:,[0-9]{{1,12}}{_FORM})*")
_PLACE = re.compile(r"([0-9]+)([a-z]+)")
#: What a page's file name ends with (:func:`carried_over`).
PAGE = ".html"
#: The most a keys file may hold to be read (it is a cache file: a link to a device or a
#: huge file is not read).
MAX_KEYS_BYTES = 1 << 30

T = TypeVar("T")


class Drained(NamedTuple):
    """What a worker process hands back (:meth:`Reuse.drain`)."""

    keys: dict[str, str]
    #: How many files were taken over from the previous build, and kept in the spare.
    taken: int
    kept: int
    #: Where files printed their day (:attr:`Reuse.spans`).
    spans: dict[str, str]
    #: The files written for a new day from the previous day's.
    redated: frozenset[str]
    #: Files made under another name (:meth:`Reuse.forget`).
    forgotten: frozenset[str] = frozenset()

    @staticmethod
    def nothing() -> Drained:
        return Drained({}, 0, 0, {}, frozenset())


def join_spans(places: Iterable[tuple[int, str]]) -> str:
    """Where a file printed its day, as :data:`SPANS` writes it: (byte offset, form)s."""
    return ",".join(f"{offset}{form}" for offset, form in places)


def parse_spans(text: str) -> list[tuple[int, str]] | None:
    """The (byte offset, form)s :func:`join_spans` wrote, or None for text it did not."""
    if not SPANS.fullmatch(text):
        return None
    return [(int(offset), form) for offset, form in _PLACE.findall(text)]


class Reuse:
    """The previous build's files and keys, and the keys of the files this build makes."""

    def __init__(self, site_dir: Path, previous: Path | None = None,
                 keys: Mapping[str, str] | None = None,
                 spare: Mapping[str, str] | None = None,
                 spans: Mapping[str, str] | None = None,
                 spare_spans: Mapping[str, str] | None = None) -> None:
        self.site_dir = Path(site_dir)
        self.previous = Path(previous) if previous is not None and keys else None
        self.old: Mapping[str, str] = keys or {}
        #: Keys of the files already in ``site_dir`` (the spare: an earlier build's site;
        #: None: ``site_dir`` is a fresh folder).
        self.spare: Mapping[str, str] = spare or {}
        self.has_spare = spare is not None
        #: Files found in the spare with the key this build records (left where they were).
        self.kept = 0
        #: Keys of the files this build made or took over, by site-relative path.
        self.keys: dict[str, str] = {}
        #: Where the previous build's files keyed for a day printed it, and where this
        #: build's do (site-relative path: :data:`SPANS`), for the next day's build.
        self.old_spans: Mapping[str, str] = (spans or {}) if self.previous is not None else {}
        #: Where the spare's files keyed for a day printed it.
        self.spare_spans: Mapping[str, str] = (spare_spans or {}) if spare is not None else {}
        self.spans: dict[str, str] = {}
        #: Files written from the previous build's with the new day's text (:meth:`earlier`,
        #: :meth:`wrote`).
        self.redated: set[str] = set()
        self.taken = 0
        self._dirs: set[str] = set()
        #: Files the build made under another name (:meth:`forget`): never carried over.
        self._forgotten: set[str] = set()
        self._site = os.fspath(self.site_dir)
        self._previous = os.fspath(self.previous) if self.previous is not None else ""
        #: The stores of parts and cards in the cache folder (``fragments/``) that the
        #: record of the build this one replaces vouches for, by name, with the SHA-256
        #: of what each held (``fragments.vouched_stores``): such a store whose stat signature
        #: differs (restored with the site from one cache entry on a fresh runner) is read
        #: when it holds that (:func:`.records.decoded.read_signed`'s ``restored``).
        self.restored: dict[str, str] = {}

    @classmethod
    def load(cls, site_dir: Path, previous: Path | None, keys_file: Path | None,
             spare: Mapping[str, str] | None = None,
             spare_spans: Mapping[str, str] | None = None) -> Reuse:
        """The previous build's keys from ``keys_file`` (nothing to take over when it is
        missing or damaged: the build is a cold one), and the keys of the spare that
        ``site_dir`` is (``ocop_catalog.build`` read and checked them) with where its files
        printed their day (``spare_spans``)."""
        spans: dict[str, str] = {}
        keys = read_keys(keys_file, spans) if previous is not None else {}
        return cls(site_dir, previous, keys, spare, spans, spare_spans)

    @property
    def incremental(self) -> bool:
        """Whether there is a previous build to take files from."""
        return self.previous is not None

    def take(self, rel: str, key: str) -> bool:
        """Record ``key`` for the file at ``rel`` (site-relative, ``/``-separated); True
        when the previous build's file was taken over (the caller makes nothing), False
        when the caller must make the file."""
        self.keys[rel] = key
        if self.has_spare:
            was = self.spare.get(rel)
            if was == key:  # the spare holds it already
                self.kept += 1
                spans = self.spare_spans.get(rel) if self.spare_spans else None
                if spans is not None:  # where the file kept there printed its day
                    self.spans[rel] = spans
                return True
            if was is not None:
                try:
                    os.unlink(f"{self._site}/{rel}")
                except FileNotFoundError:
                    pass
        if self.previous is None or self.old.get(rel) != key:
            return False
        # plain strings: tens of thousands of files, pathlib's objects cost more than links
        self._folder(rel)
        if not link_or_copy(f"{self._previous}/{rel}", f"{self._site}/{rel}"):
            return False
        self.taken += 1
        spans = self.old_spans.get(rel) if self.old_spans else None
        if spans is not None:  # where the previous build's file printed its day
            self.spans[rel] = spans
        return True

    def carry_rest(self) -> int:
        """Take over, under the key it was made with, each file of the previous build that
        this build has not recorded (a deferring build's feeds and print assets: made by
        the next build); how many were. Not a file it made under another name
        (:meth:`forget`), nor a page (:func:`carried_over`)."""
        carried = 0
        for rel, key in self.old.items() if self.previous is not None else ():
            if rel in self.keys or rel in self._forgotten or not carried_over(rel):
                continue
            if self.spare.get(rel) == key and not os.path.lexists(f"{self._site}/{rel}"):
                continue  # deleted from the spare by this build
            if self.take(rel, key):
                carried += 1
            else:  # gone from the previous build's folder: not part of this one
                self.forget(rel)
        return carried

    def wrote(self, rel: str, spans: str | None, redated: bool = False) -> None:
        """Note of a file the caller wrote (told to make it by :meth:`take`) where it
        printed its day (``spans``: :data:`SPANS`; None: nowhere), and whether it wrote it
        from the previous day's file (:meth:`earlier`)."""
        if spans:
            self.spans[rel] = spans
        if redated:
            self.redated.add(rel)

    def earlier(self, rel: str, key: str) -> tuple[bytes, str, str] | None:
        """For a file keyed ``<key>@<day>`` that :meth:`take` could not take over: the
        previous build's file at ``rel`` when it was keyed ``<key>`` for another day,
        with that day and where it printed it (:data:`SPANS`); None otherwise (the
        caller makes the file)."""
        undated, at, day = key.rpartition("@")
        old = self.old.get(rel)
        spans = self.old_spans.get(rel)
        if not at or old is None or spans is None:  # no spans without a previous build
            return None
        old_undated, _, old_day = old.rpartition("@")
        if old_undated != undated or old_day == day:
            return None
        try:
            with open(f"{self._previous}/{rel}", "rb") as file:
                return file.read(), old_day, spans
        except OSError:
            return None

    def holds(self, rel: str, key: str) -> bool:
        """Whether :meth:`take` would find ``rel`` with ``key`` (in the spare or the
        previous build), recording nothing."""
        return self.spare.get(rel) == key or (self.previous is not None
                                               and self.old.get(rel) == key)

    def take_all(self, rels: list[str], key: str) -> bool:
        """Take over all of ``rels`` (files made together) when the previous build wrote
        each of them with ``key``; False, with nothing taken or recorded, otherwise."""
        if any(self.old.get(rel) != key and self.spare.get(rel) != key for rel in rels):
            return False
        counts = self.taken, self.kept
        done: list[str] = []
        for rel in rels:
            if not self.take(rel, key):
                for name in done:  # all or nothing
                    (self.site_dir / name).unlink(missing_ok=True)
                for name in rels:
                    self.keys.pop(name, None)
                    self.spans.pop(name, None)
                self.taken, self.kept = counts
                return False
            done.append(rel)
        return True

    def forget(self, rel: str) -> None:
        """Drop the key :meth:`take` recorded for ``rel`` when the caller, told to make
        the file, makes it under another name (the file is not carried over either:
        :meth:`carry_rest`)."""
        self._forgotten.add(rel)
        self.keys.pop(rel, None)
        self.spans.pop(rel, None)

    def made(self, rel: str, key: str) -> None:
        """Record the key of a file the caller made without asking (it always makes it)."""
        self.keys[rel] = key

    def _folder(self, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._dirs:
            try:
                os.mkdir(f"{self._site}/{parent}")
            except FileExistsError:
                pass
            except FileNotFoundError:  # its own parent first
                self._folder(parent)
                os.makedirs(f"{self._site}/{parent}", exist_ok=True)
            self._dirs.add(parent)

    def drain(self) -> Drained:
        """What this process recorded since the last call (for worker processes to hand
        back)."""
        found = Drained(self.keys, self.taken, self.kept, self.spans, frozenset(self.redated),
                        frozenset(self._forgotten))
        self.keys, self.taken, self.kept, self.spans, self.redated = {}, 0, 0, {}, set()
        self._forgotten = set()
        return found

    def merge(self, found: Drained) -> None:
        keys, taken, kept, spans, redated, forgotten = found
        self._forgotten |= forgotten
        self.keys.update(keys)
        self.taken += taken
        self.kept += kept
        self.spans.update(spans)
        self.redated |= redated

    def prune(self, since_ns: int) -> int:
        """Delete the files of the spare this build did not record (and folders left
        empty); how many. A file written by this build without a key (modified at or
        after ``since_ns``: the modification time of a file made when the build started,
        by the same clock) is its own, whatever the spare said of it."""
        gone = [rel for rel in self.spare.keys() - self.keys.keys()
                if _unlink_older(f"{self._site}/{rel}", since_ns)]
        remove_empty_folders(self._site, gone)
        return len(gone)

    def save(self, keys_file: Path) -> None:
        """Write the keys of this build's files (atomically): a header line, then a line
        per file, its path, a tab and its key (a path that could be taken for another, one
        starting with a quote or holding a tab or a line break, is written as a JSON
        string), the key followed by ``#`` and where the file printed its day when it
        did (:attr:`spans`). Lines, not one JSON object: 88,000 of them at 10,000
        products are read and written in a fraction of the time."""
        keys_file = Path(keys_file)
        keys_file.parent.mkdir(parents=True, exist_ok=True)
        lines = [json.dumps({"format": FORMAT, "files": len(self.keys)})]
        spans, written = self.spans, {}
        for rel, key in sorted(self.keys.items()):
            where = spans.get(rel)
            if where:
                written[rel] = where
            if rel.startswith('"') or not rel.isprintable() or "\t" in rel:
                rel = json.dumps(rel)
            lines.append(f"{rel}\t{key}#{where}" if where else f"{rel}\t{key}")
        atomic_write(keys_file, ("\n".join(lines) + "\n").encode("utf-8"))
        _remember(keys_file, _Written(dict(self.keys), written))


def link_or_copy(source: str, target: str) -> bool:
    """Hard-link ``source`` at ``target`` (a file there is replaced: it is not one the
    spare's keys know, so never written into), or where links cannot be made (another
    file system), copy it as a new file; False when neither could be done."""
    try:
        os.link(source, target)
        return True
    except FileNotFoundError:
        return False
    except FileExistsError:
        try:
            os.unlink(target)
            os.link(source, target)
            return True
        except OSError:
            return False
    except OSError:  # another file system, or links not allowed: copy it, as a new file
        temporary = f"{target}.{os.getpid()}.tmp"
        try:
            shutil.copy2(source, temporary)
            os.replace(temporary, target)
            return True
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return False


def file_clock(folder: Path) -> int:
    """Now, as the file system dates files (its clock is coarser than ``time.time_ns``:
    a file written after this call is never dated before it)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".clock-")
    try:
        return os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)
        os.unlink(name)


def _unlink_older(path: str, since_ns: int) -> bool:
    """Unlink ``path`` if it was last modified before ``since_ns``; whether it was."""
    try:
        if os.lstat(path).st_mtime_ns >= since_ns:
            return False
        os.unlink(path)
    except OSError:  # gone, or a folder where a file was
        return False
    return True


def remove_empty_folders(site: str, removed: Iterable[str]) -> None:
    """Remove the folders of ``site`` that the removal of the files ``removed``
    (site-relative) left empty, deepest first."""
    folders: set[str] = set()
    for rel in removed:
        parent = rel.rpartition("/")[0]
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        try:
            os.rmdir(f"{site}/{folder}")
        except OSError:  # not empty
            pass


class _Written:
    """A keys file as this process wrote it: its keys and where files printed their day;
    whether :func:`read_keys` would read them back (checked when first taken, not on every
    save: ``ocop build`` never takes them)."""

    def __init__(self, keys: dict[str, str], spans: dict[str, str]) -> None:
        self.keys, self.spans = keys, spans
        self._sound: bool | None = None

    def sound(self, size: int) -> bool:
        if self._sound is None:
            self._sound = (size <= MAX_KEYS_BYTES
                           and all(_sound(rel, key) for rel, key in self.keys.items())
                           and all(_sound_span(self.keys[rel], where)
                                   for rel, where in self.spans.items()))
        return self._sound


#: The keys files this process wrote (:meth:`Reuse.save`) and where it moved them
#: (:func:`replace_keys`), by path, with their stat signature then. An ``ocop serve``
#: rebuild reads two that its last builds wrote (the published site's and the spare's):
#: while one has that signature, it is taken from here instead of read and checked again
#: (0.04-0.06 s of a rebuild at 1,000 products). The last few only.
_WRITTEN: dict[str, tuple[list[int], _Written]] = {}
_WRITTEN_KEPT = 3


def _remember(path: Path, written: _Written) -> None:
    signature = stat_signature(path)
    _WRITTEN.pop(str(path), None)
    if signature is not None:
        _WRITTEN[str(path)] = (signature, written)
        while len(_WRITTEN) > _WRITTEN_KEPT:
            del _WRITTEN[next(iter(_WRITTEN))]


def _sound(rel: str, key: str) -> bool:
    """Whether a keys file's line is one :meth:`Reuse.save` writes: a site-relative path
    of a file and a key."""
    return bool(_KEY.fullmatch(key)) and site_file(rel)


def site_file(rel: object) -> bool:
    """Whether ``rel`` is a plain site-relative path of a file, as keys files and a site's
    record list them (the spare's files are deleted by these paths, so none may lead out of
    the site)."""
    return (isinstance(rel, str) and bool(rel) and not rel.startswith("/") and "\0" not in rel
            and ".." not in rel.split("/"))


def carried_over(rel: str) -> bool:
    """Whether a deferring build (``pipeline.build``'s ``defer``) takes the previous build's
    file at ``rel`` over when it did not make it: not a page, since the outputs that write
    pages (and MkDocs) have run, so a page they did not make is one the change removed (a
    browser showing a deleted product's page reloads to the site's "not found")."""
    return not rel.endswith(PAGE)


def _sound_span(key: str, where: str) -> bool:
    """Whether where a file printed its day is written as :meth:`Reuse.save` writes it."""
    return bool(SPANS.fullmatch(where)) and "@" in key


def replace_keys(source: Path, target: Path) -> None:
    """Rename the keys file ``source`` to ``target`` (``os.replace``): what :data:`_WRITTEN`
    holds of it follows when the file is still the one written (its whole stat signature
    before the rename; a rename sets the change time, so after it the size, modification
    time, inode and device must be as they were)."""
    found = _WRITTEN.pop(str(source), None)
    before = stat_signature(source)
    os.replace(source, target)
    _WRITTEN.pop(str(target), None)
    now = stat_signature(target)
    if found is not None and before == found[0] and now is not None and \
            [now[0], now[1], now[3], now[4]] == [before[0], before[1], before[3], before[4]]:
        _remember(target, found[1])


def read_keys(keys_file: Path | None, spans: dict[str, str] | None = None) -> dict[str, str]:
    """The keys a build saved (:meth:`Reuse.save`); nothing when the file is missing,
    damaged or of another format. Where files printed their day is added to ``spans``."""
    if keys_file is None:
        return {}
    known = _WRITTEN.pop(str(keys_file), None)
    if known is not None and known[0] == stat_signature(keys_file) and known[1].sound(
            known[0][0]):
        _WRITTEN[str(keys_file)] = known
        if spans is not None:
            spans.update(known[1].spans)
        return dict(known[1].keys)
    data = read_regular(keys_file, MAX_KEYS_BYTES)
    if data is None:
        return {}
    keys: dict[str, str] = {}
    found_spans: dict[str, str] = {}  # handed over only when the whole file is sound
    try:
        head, *lines = data.decode("utf-8").split("\n")
        found = json.loads(head)
        if not (isinstance(found, dict) and found.get("format") == FORMAT
                and lines and lines.pop() == ""):  # written whole: it ends with a line break
            return {}
        for line in lines:
            rel, tab, key = line.rpartition("\t")  # a key is hex: the last tab
            if rel.startswith('"'):
                rel = json.loads(rel)
            key, mark, where = key.partition("#")
            if mark:
                if not _sound_span(key, where):
                    return {}
                found_spans[rel] = where
            if not tab or type(rel) is not str or not _sound(rel, key):
                return {}
            keys[rel] = key
    except (ValueError, RecursionError):  # not UTF-8, not JSON
        return {}
    if found.get("files") != len(keys):
        return {}
    if spans is not None:
        spans.update(found_spans)
    return keys


#: How :func:`write_new` opens a file: created, never one that is there.
_NEW = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_BINARY", 0))


def write_new(target: Path | str, data: bytes | str | Iterable[str]) -> None:
    """Write ``data`` (text as UTF-8; or pieces of text, written in turn, so that a file of
    tens of megabytes is never held whole) as a new file at ``target``: what is there is
    unlinked first, since it may be a file another site shares (a hard link), never
    written into. (Created exclusively, and unlinked only when there is something: a cold
    build's pages are written without a failed call each.)"""
    if isinstance(data, str):
        data = data.encode("utf-8")
    pieces = (data,) if isinstance(data, (bytes, bytearray, memoryview)) else utf8_pieces(data)
    try:
        fd = os.open(target, _NEW, 0o666)
    except FileExistsError:
        os.unlink(target)
        fd = os.open(target, _NEW, 0o666)
    try:
        for piece in pieces:
            view = memoryview(piece)
            while view:
                view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def handed_back(reuse: Reuse | None, work: Callable[[], T]) -> tuple[T, Drained]:
    """In a forked worker process: ``work()``'s result and the keys it recorded (and how
    many files it took over), for the parent to :meth:`Reuse.merge`. What the parent had
    recorded when it forked is its own and is not handed back."""
    if reuse is None:
        return work(), Drained.nothing()
    reuse.drain()
    return work(), reuse.drain()
