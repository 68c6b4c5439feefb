"""Photos already decoded: a photo whose file is unchanged since it last decoded cleanly
is not decoded again (decoding every photo is most of what checking a large catalog costs).

"Unchanged" is the file's stat signature: size, modification time, change time, inode
and device. The change time (ctime) is set by the kernel on every change of a file's
content or metadata and cannot be set back by a program, so a photo rewritten with its
old modification time restored, or a fresh checkout of the repository, is decoded again;
only the file that decoded cleanly, untouched since, is skipped. The list lives in the
build's cache folder (``decoded.json``): a build or ``ocop validate`` records every photo
the catalog accepted after checking it, and forked workers read the list they inherited.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["Decoded", "atomic_write", "read_regular", "stat_signature"]

NAME = "decoded.json"
FORMAT = 1


def stat_signature(path: Path | str) -> list[int] | None:
    """What stands for a file's content while it is unchanged: size, modification and
    change times (ns), inode, device; None if it cannot be read. The kernel sets the change
    time on every change of content or metadata and no program can set it back, so a file
    edited with its old modification time restored has a new signature."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def read_regular(path: Path | str, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link, a pipe or a device) of at
    most ``limit`` bytes; None otherwise or when it cannot be read. For cache files, which
    a pull request could replace by anything."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, so readers see all
    or nothing (readable by all, as a site's files are). Raises OSError, the temporary
    file removed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class Decoded:
    """The photos that decoded cleanly, by path, with their stat signature then."""

    def __init__(self, file: Path | None = None, known: dict[str, list[int]] | None = None):
        self.file = file
        self.known = known or {}

    @classmethod
    def load(cls, cache_dir: Path | None) -> Decoded:
        if cache_dir is None:
            return cls()
        file = Path(cache_dir) / NAME
        try:
            found = json.loads(file.read_text(encoding="utf-8"))
            known = found["photos"] if found.get("format") == FORMAT else {}
        except (OSError, ValueError, KeyError, AttributeError):
            known = {}
        return cls(file, known if isinstance(known, dict) else {})

    def unchanged(self, path: Path) -> bool:
        """Whether ``path`` decoded cleanly before and has not changed since."""
        was = self.known.get(str(path))
        return was is not None and was == stat_signature(path)

    def save(self, paths: Iterable[Path]) -> None:
        """Remember ``paths`` (photos that passed every check, decoding included) and
        forget the rest; nothing is written without a cache folder."""
        if self.file is None:
            return
        known = {str(p): sig for p in paths if (sig := stat_signature(p)) is not None}
        if known == self.known:
            return
        self.known = known
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.file, json.dumps({"format": FORMAT, "photos": known},
                                               sort_keys=True).encode("utf-8"))
        except OSError:  # a read-only cache: decode again next time
            pass
