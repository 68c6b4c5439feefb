"""Parts of a file kept from the previous build, by key: what a feed says of each product.

A feed is one file that lists every product, so a change to one product changes the
file and :mod:`ocop_catalog.reuse` cannot take it over. What it says of each *other*
product is unchanged, though: an output keeps those parts (a Google item, a CSV row, a
product's JSON object) in a :class:`Fragments` store, keyed like files are
(:mod:`ocop_catalog.edition.keys`: the records the part shows), and makes again only the
parts whose key changed, then writes the whole file as a cold build would.

A store is one JSON file per output in the build's cache folder
(``<cache_dir>/fragments/<name>.json``), holding only values JSON keeps exactly (text,
numbers, lists, mappings). It holds the parts of one build, under a *base* key: what every
part depends on besides its own records (:attr:`Keys.build`, the UI strings, the output's
options). A store of another base, format or a damaged one is not read; a cold or full
build (:attr:`Reuse.incremental` false) reads none and writes its parts for the next.
``tests/test_incremental.py`` checks that a build using parts equals a cold one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .edition.images import atomic_write
from .edition.keys import digest

__all__ = ["Fragments"]

FORMAT = 1

T = TypeVar("T")


class Fragments:
    """The parts an output made in the previous build, by key, and those of this one."""

    def __init__(self, path: Path | None, base: str, *, read: bool) -> None:
        self.path = Path(path) if path is not None else None
        self.base = base
        self.old: dict[str, Any] = _read(self.path, base) if read and self.path else {}
        self.new: dict[str, Any] = {}
        #: Parts made in this build (not found in the previous one).
        self.made = 0

    def get(self, key: str, make: Callable[..., T], *args: Any) -> T:
        """The part of ``key``: the previous build's, or ``make(*args)`` (which must return
        what JSON keeps as it is: strings, numbers, None, lists, string-keyed dicts)."""
        found = self.old.get(key, _MISSING)
        if found is _MISSING:
            found = make(*args)
            self.made += 1
        self.new[key] = found
        return found

    def save(self) -> None:
        """Keep this build's parts for the next one (only the parts this build used)."""
        if self.path is None or (not self.made and self.new.keys() == self.old.keys()):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"format": FORMAT, "base": self.base, "parts": self.new},
                          ensure_ascii=False, separators=(",", ":"))
        atomic_write(self.path, data.encode("utf-8"))


def fragments(run: Any, name: str, *base: Any) -> Fragments:
    """The store of the output ``name`` for ``run`` (:class:`ocop_catalog.outputs.Run`):
    read when the build is incremental, under the base key of ``base`` (the output's
    options and anything else every part depends on) with the build's and the UI
    strings' keys. A run without keys (an output called on its own) keeps nothing."""
    keys = getattr(run, "keys", None)
    if keys is None:
        return Fragments(None, "", read=False)
    reuse = run.reuse
    return Fragments(Path(run.cache_dir) / "fragments" / f"{name}.json",
                     digest(keys.build, keys.strings, name, *base),
                     read=reuse is not None and reuse.incremental)


_MISSING = object()


def _read(path: Path, base: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            found = json.loads(fh.read())
    except (OSError, ValueError):
        return {}
    if (isinstance(found, dict) and found.get("format") == FORMAT
            and found.get("base") == base and isinstance(found.get("parts"), dict)):
        return found["parts"]
    return {}
