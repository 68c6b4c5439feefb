"""Taking files over from the previous build when what they are made from is unchanged.

A build writes into a fresh staging folder (:mod:`ocop_catalog.build`). An output
that knows the key of a file (:mod:`ocop_catalog.edition.keys`) asks :meth:`Reuse.take`
before making it: when the previous build wrote the same file with the same key, the
file is hard-linked from the published site into the staging folder (no rendering, no
writing, no extra disk space) and the output goes on to the next file; otherwise the
output makes it as a cold build would. Files the new build does not make are simply
not in the staging folder, so they disappear when it is swapped in.

Hard links share their content with the published site, so a build never edits a site
file in place: every writer writes a new file (``write_bytes`` on a path that does not
exist yet in the staging folder, or a temporary file and ``os.replace``).

The previous build's keys are trusted only for a site folder that still holds exactly
the files that build wrote (names, sizes, modification times): ``ocop build`` checks
that before it hands them over. Worker processes record keys of their own;
:meth:`Reuse.merge` gathers them, and :meth:`Reuse.save` writes the new build's keys.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

__all__ = ["Reuse", "handed_back"]

FORMAT = 1

T = TypeVar("T")


class Reuse:
    """The previous build's files and keys, and the keys of the files this build makes."""

    def __init__(self, site_dir: Path, previous: Path | None = None,
                 keys: Mapping[str, str] | None = None) -> None:
        self.site_dir = Path(site_dir)
        self.previous = Path(previous) if previous is not None and keys else None
        self.old: Mapping[str, str] = keys or {}
        #: Keys of the files this build made or took over, by site-relative path.
        self.keys: dict[str, str] = {}
        self.taken = 0
        self._dirs: set[str] = set()
        self._site = os.fspath(self.site_dir)
        self._previous = os.fspath(self.previous) if self.previous is not None else ""

    @classmethod
    def load(cls, site_dir: Path, previous: Path | None, keys_file: Path | None) -> Reuse:
        """The previous build's keys from ``keys_file`` (nothing to take over when it is
        missing or damaged: the build is a cold one)."""
        keys: dict[str, str] = {}
        if previous is not None and keys_file is not None:
            try:
                found = json.loads(Path(keys_file).read_text(encoding="utf-8"))
                if found.get("format") == FORMAT and isinstance(found.get("keys"), dict):
                    keys = found["keys"]
            except (OSError, ValueError, AttributeError):
                keys = {}
        return cls(site_dir, previous, keys)

    @property
    def incremental(self) -> bool:
        """Whether there is a previous build to take files from."""
        return self.previous is not None

    def take(self, rel: str, key: str) -> bool:
        """Record ``key`` for the file at ``rel`` (site-relative, ``/``-separated); True
        when the previous build's file was taken over (the caller makes nothing), False
        when the caller must make the file."""
        self.keys[rel] = key
        if self.previous is None or self.old.get(rel) != key:
            return False
        # plain strings: tens of thousands of files, pathlib's objects cost more than links
        source, target = f"{self._previous}/{rel}", f"{self._site}/{rel}"
        self._folder(rel)
        try:
            os.link(source, target)
        except FileNotFoundError:
            return False
        except OSError:  # another file system, or links not allowed: copy it
            try:
                shutil.copy2(source, target)
            except OSError:
                return False
        self.taken += 1
        return True

    def take_all(self, rels: list[str], key: str) -> bool:
        """Take over all of ``rels`` (files made together) when the previous build wrote
        each of them with ``key``; False, with nothing taken or recorded, otherwise."""
        if self.previous is None or any(self.old.get(rel) != key for rel in rels):
            return False
        taken: list[str] = []
        for rel in rels:
            if not self.take(rel, key):
                for done in taken:  # all or nothing
                    (self.site_dir / done).unlink(missing_ok=True)
                    self.taken -= 1
                for name in rels:
                    self.keys.pop(name, None)
                return False
            taken.append(rel)
        return True

    def forget(self, rel: str) -> None:
        """Drop the key :meth:`take` recorded for ``rel`` when the caller, told to make
        the file, makes it under another name."""
        self.keys.pop(rel, None)

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

    def drain(self) -> tuple[dict[str, str], int]:
        """The keys recorded in this process since the last call, and how many files were
        taken over (for worker processes to hand back)."""
        keys, taken = self.keys, self.taken
        self.keys, self.taken = {}, 0
        return keys, taken

    def merge(self, found: tuple[dict[str, str], int]) -> None:
        keys, taken = found
        self.keys.update(keys)
        self.taken += taken

    def save(self, keys_file: Path) -> None:
        """Write the keys of this build's files (atomically)."""
        keys_file = Path(keys_file)
        keys_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = keys_file.with_name(f".{keys_file.name}.{os.getpid()}")
        tmp.write_text(json.dumps({"format": FORMAT, "keys": dict(sorted(self.keys.items()))},
                                  ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, keys_file)


def handed_back(reuse: Reuse | None, work: Callable[[], T]
                ) -> tuple[T, tuple[dict[str, str], int]]:
    """In a forked worker process: ``work()``'s result and the keys it recorded (and how
    many files it took over), for the parent to :meth:`Reuse.merge`. What the parent had
    recorded when it forked is its own and is not handed back."""
    if reuse is None:
        return work(), ({}, 0)
    reuse.drain()
    return work(), reuse.drain()
