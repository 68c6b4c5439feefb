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
  not match), as the print cache's shelf labels are;
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
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from .edition.keys import digest
from .records.decoded import read_signed, utf8_pieces, write_signed

__all__ = ["Fragments", "KeptTexts", "fragments"]

FORMAT = 2

T = TypeVar("T")


def _anything(value: Any) -> bool:
    return True


class Fragments:
    """The parts an output made in the previous build, by key, and those of this one."""

    def __init__(self, path: Path | None, base: str, *, read: bool,
                 check: Callable[[Any], bool] = _anything) -> None:
        self.path = Path(path) if path is not None else None
        self.base = base
        self.check = check
        #: The previous build's parts, as JSON text, by key.
        self.old: dict[str, str] = _read(self.path, base) if read and self.path else {}
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
            write_signed(self.path, self._lines(), _signature_file(self.path))
            _forget_older(self.path)

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
    and then and would rather not pay for reading them every build: the store is read
    when :meth:`read` is first called, and written whole by :meth:`write`, which the
    output calls when it has made enough texts anew to be worth keeping (the pages'
    listing cards: ``outputs/site/pages.py``). A text whose key is not there, or that is
    not text, is made again by the caller."""

    def __init__(self, path: Path | None, base: str) -> None:
        self.path = Path(path) if path is not None else None
        self.base = base
        self._found: dict[str, str] | None = None

    def read(self) -> dict[str, str]:
        """The stored texts, as JSON text by key (read on the first call; empty without a
        store of this program and base)."""
        if self._found is None:
            self._found = _read(self.path, self.base) if self.path is not None else {}
        return self._found

    def get(self, key: str) -> str | None:
        """The stored text of ``key`` (after :meth:`read`), or None."""
        text = (self._found or {}).get(key)
        if text is None:
            return None
        try:
            found = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return found if type(found) is str else None

    def write(self, made: Mapping[str, str], keep: Callable[[str], bool] | None = None
              ) -> None:
        """Keep the texts ``made`` (by key) and those of the store whose key ``keep``
        accepts (the others are of records that changed since; without ``keep``, none),
        instead of what it held; written a line at a time (tens of megabytes at 10,000
        products are never a second copy in memory)."""
        if self.path is None:
            return
        old = self.read() if keep is not None else {}

        def lines() -> Iterator[str]:
            yield json.dumps({"format": FORMAT, "base": self.base}, ensure_ascii=True)
            for key, text in old.items():
                if key not in made and keep(key):
                    yield f"\n{key}\t{text}"
            for key, text in made.items():
                if "\t" not in key and "\n" not in key:  # keys are digests
                    yield f"\n{key}\t" + json.dumps(text, ensure_ascii=False,
                                                     separators=(",", ":"))

        with contextlib.suppress(OSError):  # a read-only cache: made again next time
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_signed(self.path, utf8_pieces(lines()), _signature_file(self.path))
            _forget_older(self.path)
        self._found = None


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
    return Fragments(Path(run.cache_dir) / "fragments" / f"{name}-{key[:16]}.json", key,
                     read=reuse is not None and reuse.incremental, check=check)


#: The most a store may hold to be read (a cache file a pull
#: request replaced by a link to a device or a huge file is not read).
MAX_STORE_BYTES = 1 << 30
#: Stores kept per output (the newest; the one just written among them).
SLOTS = 2


def _signature_file(path: Path) -> Path:
    return path.with_suffix(".signature")


def _forget_older(path: Path) -> None:
    """Delete the output's stores but the newest :data:`SLOTS` (``path`` among them)."""
    name = path.stem.rpartition("-")[0]
    stores = sorted((p for p in path.parent.glob(f"{name}-*.json") if p != path),
                    key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in stores[SLOTS - 1:]:
        old.unlink(missing_ok=True)
        _signature_file(old).unlink(missing_ok=True)


def _read(path: Path, base: str) -> dict[str, str]:
    """The parts (JSON text, by key) of the store at ``path`` if it is this program's (its
    signature) and of ``base``; nothing otherwise."""
    data = read_signed(path, MAX_STORE_BYTES, _signature_file(path))
    if data is None:
        return {}
    try:
        # "\n" only: JSON escapes it in strings, not U+2028, which splitlines() splits at
        head, _, body = data.decode("utf-8").partition("\n")
        found = json.loads(head)
    except (ValueError, RecursionError):
        return {}
    if not (isinstance(found, dict) and found.get("format") == FORMAT
            and found.get("base") == base):
        return {}
    parts = {}
    for line in body.split("\n"):
        key, tab, text = line.partition("\t")
        if tab:
            parts[key] = text
    return parts
