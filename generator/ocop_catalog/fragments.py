"""Parts of a file kept from the previous build, by key: what a feed says of each product.

A feed is one file that lists every product, so a change to one product changes the
file and :mod:`ocop_catalog.reuse` cannot take it over. What it says of each *other*
product is unchanged, though: an output keeps those parts (a Google item, a CSV row, a
product's JSON object) in a :class:`Fragments` store, keyed like files are
(:mod:`ocop_catalog.edition.keys`: the records the part shows), and makes again only the
parts whose key changed, then writes the whole file as a cold build would.

A store is a file in the build's cache folder
(``<cache_dir>/fragments/<name>-<base>.json``): a JSON header line, then a line per part
(its key, a tab, the part's JSON), holding the parts of one build under a *base* key: what
every part depends on besides its own records (:attr:`Keys.undated`, the UI strings, the
output's options; the month of the build day for Google's, whose pre-orders are dated by
it: a new day alone keeps every part). An output keeps the stores of its last two bases (an
``ocop serve`` preview, whose site address differs, and ``ocop build``'s site do not push
each other out). It is read only

- by an incremental build (:attr:`Reuse.incremental`; a cold or ``--full`` build reads
  none and writes its parts for the next), under the same base;
- while the file has the stat signature recorded beside it when this program wrote it
  (``<name>.signature``: size, times, inode, device; the change time is set by the kernel
  and cannot be set back, so a store committed by a pull request or edited by hand does
  not match), as the print cache's shelf labels are; or, when the record of the site the
  build takes over vouches for it (:attr:`.Reuse.restored`: the cache restored with that
  site on a fresh runner, from one ``actions/cache`` entry), while it holds what the
  SHA-256 recorded there says;
- part by part, each read when it is asked for and checked by the output's ``check`` (its
  shape: text, a list of cells…) before it is used; a part that fails is made again.

A part taken over is written back as the line it was read from, so that a build that
changed one product writes its feeds' stores without encoding the others' parts again.

:class:`KeptTexts` is a store of the same format for texts an output needs only now and
then: the listing cards earlier builds rendered, which the pages read only when they are
to make many listing pages again, and write when they rendered many cards.

``tests/test_incremental.py`` checks that a build using parts equals a cold one.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .edition.keys import digest
from .housekeeping import no_links
from .records.decoded import read_signed, signature_of, signed_sha, utf8_pieces, write_signed

__all__ = ["Fragments", "KeptTexts", "fragments"]

FORMAT = 2

T = TypeVar("T")


def _anything(value: Any) -> bool:
    return True


class Fragments:
    """The parts an output made in the previous build, by key, and those of this one."""

    def __init__(self, path: Path | None, base: str, *, read: bool,
                 check: Callable[[Any], bool] = _anything, root: Path | None = None,
                 restored: Mapping[str, str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.base = base
        #: The catalog's folder: older stores are deleted only through no link below it.
        self.root = root
        self.check = check
        #: The previous build's parts, as JSON text, by key.
        self.old: dict[str, str] = _read(self.path, base, (restored or {}).get(
            self.path.name)) if read and self.path else {}
        #: This build's parts, as JSON text, by key.
        self.new: dict[str, str] = {}
        #: Parts made in this build (not found in the previous one, or not sound).
        self.made = 0

    def get(self, key: str, make: Callable[..., T], *args: Any) -> T:
        """The part of ``key``: the previous build's if it passes ``check``, else
        ``make(*args)``, which must return what JSON keeps as it is (text, numbers, None,
        lists, text-keyed mappings: a tuple comes back from the store as a list)."""
        text = self.old.get(key)
        if text is not None:
            try:
                found = json.loads(text)
            except (ValueError, RecursionError):
                pass
            else:
                if self.check(found):
                    self.new[key] = text
                    return found
        made = make(*args)
        self.made += 1
        self.new[key] = json.dumps(made, ensure_ascii=False, separators=(",", ":"))
        return made

    def save(self) -> None:
        """Keep this build's parts for the next one (only the parts this build used);
        nothing when they are the previous build's, or the cache cannot be written."""
        if self.path is None or (not self.made and self.new.keys() == self.old.keys()):
            return
        with contextlib.suppress(OSError):  # a read-only cache: made again next time
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_signed(self.path, self._lines(), signature_of(self.path))
            _forget_older(self.path, self.root)

    def _lines(self) -> Iterator[bytes]:
        """The store's text as UTF-8, a piece at a time (a store of tens of megabytes is
        never a second copy in memory): its header, then a line per part. A key that
        would break its line is not kept (keys are digests)."""
        yield json.dumps({"format": FORMAT, "base": self.base}, ensure_ascii=True).encode()
        yield from utf8_pieces(f"\n{key}\t{text}" for key, text in self.new.items()
                               if "\t" not in key and "\n" not in key)


class KeptTexts:
    """Texts an output made in earlier builds, by key, in a store of the :class:`Fragments`
    format (the same signature, base and slots), for an output that needs them only now
    and then and would rather not pay for reading them every build (the pages' listing
    cards: ``outputs/site/pages.py``): :meth:`read` takes from the file only the texts of
    the keys asked for, :meth:`write` writes it anew. A text whose key is not there, or
    that is not text, is made again by the caller."""

    def __init__(self, path: Path, base: str, root: Path | None = None,
                 restored: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.base = base
        self.root = root
        #: The SHA-256 of what the store held when the build that recorded the site taken
        #: over vouched for it (:attr:`.Reuse.restored`), or None.
        self.restored = (restored or {}).get(self.path.name)
        #: The texts read (JSON text, by key).
        self.found: dict[str, str] = {}

    def read(self, keys: Collection[str]) -> None:
        """Read the stored texts of ``keys`` (nothing without a store of this program and
        base): the file is scanned as bytes, and only those lines decoded (a store of
        60,000 cards, at 20,000 products, is 70 MB)."""
        self.found = {}
        wanted = {key.encode("utf-8"): key for key in keys}
        for key, text in self._lines():
            name = wanted.get(key)
            if name is not None:
                try:
                    self.found[name] = text.decode("utf-8")
                except UnicodeDecodeError:
                    continue

    def get(self, key: str) -> str | None:
        """The stored text of ``key`` (read by :meth:`read`), or None."""
        text = self.found.get(key)
        if text is None:
            return None
        try:
            found = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return found if type(found) is str else None

    def write(self, made: Iterable[tuple[str, str]],
              keep: Callable[[str], bool] | None = None) -> None:
        """Write the store anew: the texts ``made`` (key, text), and with ``keep`` the
        stored ones whose key it accepts (copied as they are; the others are of records
        that changed since), a line at a time."""
        made = dict(made) if keep is not None else made
        # read before the store is written: its signature goes first (write_signed)
        old = self._data() if keep is not None else None

        def pieces() -> Iterator[bytes]:
            yield json.dumps({"format": FORMAT, "base": self.base}, ensure_ascii=True).encode()
            if old is not None:
                for key, text in _split(*old):
                    name = key.decode("utf-8", "replace")
                    if name not in made and keep(name):
                        yield b"\n" + key + b"\t" + text
            yield from utf8_pieces(
                f"\n{key}\t" + json.dumps(text, ensure_ascii=False, separators=(",", ":"))
                for key, text in (made.items() if isinstance(made, dict) else made)
                if "\t" not in key and "\n" not in key)  # keys are digests

        with contextlib.suppress(OSError):  # a read-only cache: made again next time
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_signed(self.path, pieces(), signature_of(self.path))
            _forget_older(self.path, self.root)

    def _lines(self) -> Iterator[tuple[bytes, bytes]]:
        """The store's (key, JSON text) lines as bytes (none: :meth:`_data`)."""
        data = self._data()
        return _split(*data) if data is not None else iter(())

    def _data(self) -> tuple[bytes, int] | None:
        """The store's bytes and where its first line after the header starts, if it is
        this program's (its signature) and of this base; None otherwise."""
        data = read_signed(self.path, MAX_STORE_BYTES, signature_of(self.path),
                           restored=self.restored or False)
        if data is None:
            return None
        end = data.find(b"\n")
        try:
            head = json.loads(data[:end] if end >= 0 else data)
        except (ValueError, RecursionError):
            return None
        if end < 0 or not _of(head, self.base):
            return None
        return data, end + 1


def _of(head: object, base: str) -> bool:
    """Whether a store's header line (as JSON) is of this program's format and ``base``."""
    return isinstance(head, dict) and head.get("format") == FORMAT and head.get("base") == base


def _split(data: bytes, at: int) -> Iterator[tuple[bytes, bytes]]:
    """The (key, text) of each ``key<tab>text`` line of ``data`` from ``at`` on, a line at
    a time."""
    size = len(data)
    while at < size:
        end = data.find(b"\n", at)
        if end < 0:
            end = size
        tab = data.find(b"\t", at, end)
        if tab > at:
            yield data[at:tab], data[tab + 1:end]
        at = end + 1


def fragments(run: Any, name: str, *base: Any,
              check: Callable[[Any], bool] = _anything) -> Fragments:
    """The store of the output ``name`` for ``run`` (:class:`ocop_catalog.outputs.Run`):
    read when the build is incremental, under the base key of ``base`` (the output's
    options and anything else every part depends on) with the build's and the UI
    strings' keys; ``check`` tells a sound part. A run without keys (an output called on
    its own) keeps nothing."""
    keys = getattr(run, "keys", None)
    if keys is None:
        return Fragments(None, "", read=False)
    reuse = run.reuse
    # the build but its date: a part's key holds its records', which hold the statuses on
    # the build day; an output whose parts read the day otherwise puts it in ``base``
    key = digest(keys.undated, keys.strings, name, *base)
    return Fragments(Path(run.cache_dir) / STORES / f"{name}-{key[:16]}.json", key,
                     read=reuse is not None and reuse.incremental, check=check,
                     root=getattr(run, "root", None),
                     restored=getattr(reuse, "restored", None)
                     if reuse is not None and reuse.incremental else None)


#: The folder of the build's cache folder that holds the stores (feed parts, cards).
STORES = "fragments"


def vouched_stores(cache_dir: Path, vouched: Mapping[str, str]) -> dict[str, str]:
    """The stores in ``cache_dir`` (:data:`STORES`) a build vouches for, by file name, with
    the SHA-256 of what each holds as its signature says
    (:func:`.records.decoded.write_signed`): those whose file has the stat signature
    recorded beside it (written by this program here), and those the record of the site
    the build took over vouched for (``vouched``) whose signature still holds that SHA-256
    (their bytes are checked against it when read). Kept in the build's record
    (``build._remember_build``): the next build reads a store whose stat signature differs
    from its signature's (the cache restored with the site on a fresh runner, as
    ``actions/cache`` restores it) only when it is one of these and holds what its SHA-256
    here says (:attr:`.Reuse.restored`), so only the stores this program wrote with that
    site, byte for byte; not one put there since (a pull request's, in a checkout that git
    cannot check), whatever signature it comes with, nor one that stayed beside a build
    that did not read it."""
    folder = Path(cache_dir) / STORES
    found: dict[str, str] = {}
    try:
        if folder.is_symlink() or Path(cache_dir).is_symlink():
            return found
        stores = [Path(entry.path) for entry in os.scandir(folder)
                  if entry.name.endswith(".json")]
    except OSError:
        return found
    for store in stores:
        sha = signed_sha(store, signature_of(store), vouched.get(store.name))
        if sha is not None:
            found[store.name] = sha
    return dict(sorted(found.items()))


#: The most a store may hold to be read (a cache file a pull
#: request replaced by a link to a device or a huge file is not read).
MAX_STORE_BYTES = 1 << 30
#: Stores kept per output (the newest; the one just written among them).
SLOTS = 2


def _forget_older(path: Path, root: Path | None) -> None:
    """Delete the output's stores but the newest :data:`SLOTS` (``path`` among them), when
    their folder is reached through no symbolic link below the catalog's folder ``root``
    (through none at all without it): a pull request can commit ``.cache`` or
    ``fragments/`` as a link to a folder elsewhere (:func:`.housekeeping.no_links`)."""
    folder = path.parent
    if not no_links(folder, root if root is not None else Path(os.path.abspath(folder)).anchor):
        return
    name = path.stem.rpartition("-")[0]
    stores = sorted((p for p in path.parent.glob(f"{name}-*.json") if p != path),
                    key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in stores[SLOTS - 1:]:
        old.unlink(missing_ok=True)
        signature_of(old).unlink(missing_ok=True)


def _read(path: Path, base: str, restored: str | None = None) -> dict[str, str]:
    """The parts (JSON text, by key) of the store at ``path`` if it is this program's (its
    signature; or it holds what the SHA-256 ``restored`` says: :attr:`.Reuse.restored`) and
    of ``base``; nothing otherwise."""
    data = read_signed(path, MAX_STORE_BYTES, signature_of(path),
                       restored=restored or False)
    if data is None:
        return {}
    try:
        # "\n" only: JSON escapes it in strings, not U+2028, which splitlines() splits at
        head, _, body = data.decode("utf-8").partition("\n")
        found = json.loads(head)
    except (ValueError, RecursionError):
        return {}
    if not _of(found, base):
        return {}
    parts = {}
    for line in body.split("\n"):
        key, tab, text = line.partition("\t")
        if tab:
            parts[key] = text
    return parts
