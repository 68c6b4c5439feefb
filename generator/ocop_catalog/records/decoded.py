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
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .blobs import git_blobs, remember_unanswered, unanswered

__all__ = ["Decoded", "FileDigests", "atomic_write", "read_regular", "read_signature",
           "read_signed", "read_vouched", "restored_sha", "signature_of", "signed_sha",
           "stat_signature", "write_signed"]

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


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (or its pieces, in turn: a large file is never held whole) to
    ``path`` through a temporary file beside it, so readers see all or nothing (readable
    by all, as a site's files are). Raises OSError, the temporary file removed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                for piece in data:
                    fh.write(piece)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def utf8_pieces(parts: Iterable[str], size: int = 1 << 18) -> Iterator[bytes]:
    """``parts`` as UTF-8, joined into pieces of about ``size`` characters: a file of tens
    of megabytes written (:func:`atomic_write`, :func:`.reuse.write_new`) without its whole
    text or bytes held at once."""
    buffer: list[str] = []
    held = 0
    for part in parts:
        buffer.append(part)
        held += len(part)
        if held >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, held = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def write_signed(path: Path, data: bytes | Iterable[bytes], signature_file: Path) -> None:
    """Write ``data`` to the cache file ``path`` (atomically) and, to ``signature_file``,
    which vouches for it (:func:`read_signed`), its stat signature and the SHA-256 of what
    it holds; the old signature goes first, so that there is no moment at which it vouches
    for the new file. Raises OSError."""
    signature_file.unlink(missing_ok=True)
    sha = hashlib.sha256()
    if isinstance(data, (bytes, bytearray, memoryview)):
        sha.update(data)
    else:
        data = _hashed(data, sha)
    atomic_write(path, data)
    if (signature := stat_signature(path)) is not None:
        atomic_write(signature_file, json.dumps([*signature, sha.hexdigest()]).encode("ascii"))


def _hashed(pieces: Iterable[bytes], sha: Any) -> Iterator[bytes]:
    for piece in pieces:
        sha.update(piece)
        yield piece


def read_signature(signature_file: Path | str) -> list | None:
    """What :func:`write_signed` wrote to ``signature_file``: the stat signature, then
    (since it records one) the SHA-256; None when it is not a regular file holding that."""
    recorded = read_regular(signature_file, 1 << 10)
    try:
        found = json.loads(recorded) if recorded is not None else None
    except (ValueError, RecursionError):
        return None
    return found if isinstance(found, list) and len(found) in (5, 6) else None


def read_signed(path: Path, limit: int, signature_file: Path, *,
                restored: str | bool = False) -> bytes | None:
    """The bytes of the cache file ``path`` if it is a regular file of at most ``limit``
    bytes and ``signature_file`` vouches for it (:func:`write_signed` wrote both): it holds
    the stat signature the file has (a file a pull request committed, a hand edited or a
    copy has another). Else, with ``restored`` a SHA-256 (hex) that the caller has from
    what it trusts (the record of the site the build takes over: ``fragments.vouched_stores``), when
    the file holds what it says; with ``restored`` True, when the file holds what the
    signature's own SHA-256 says (print's kept labels: see ``_kept_file``). Else None.
    ``restored`` is for a cache restored with the site the build takes over, from one
    ``actions/cache`` entry on a fresh runner, where every file is new
    (docs/architecture.md, "Caches on a fresh runner")."""
    found = read_signature(signature_file)
    if found is None:
        return None
    if found[:5] == stat_signature(path):
        return read_regular(path, limit)
    if restored is True:
        expected = found[5] if len(found) == 6 else None
    else:
        expected = restored or None
    if type(expected) is not str or not _HEX64.fullmatch(expected):
        return None
    data = read_regular(path, limit)
    if data is None or hashlib.sha256(data).hexdigest() != expected:
        return None
    return data


def read_vouched(path: Path, limit: int, signature_file: Path,
                 restored: str | None = None) -> tuple[bytes | None, bool]:
    """The bytes of the cache file ``path`` (a regular file of at most ``limit`` bytes;
    None: there is none) and whether this program vouches for them: ``signature_file``
    holds the file's stat signature (written here by :func:`write_signed`), or the
    SHA-256 ``restored`` (hex: from the record of the site the build takes over) is what
    the file holds. A memo whose entries are keyed by stat signatures, which no other
    machine can give, is read either way; what it keys by content (git's blob ids,
    :mod:`.blobs`) is used only when it is vouched for."""
    found = read_signature(signature_file)
    if found is not None and found[:5] == stat_signature(path):
        return read_regular(path, limit), True
    data = read_regular(path, limit)
    if (data is not None and type(restored) is str and _HEX64.fullmatch(restored)
            and hashlib.sha256(data).hexdigest() == restored):
        return data, True
    return data, False


def signed_sha(path: Path, signature_file: Path, vouched: str | None = None) -> str | None:
    """The SHA-256 the signature beside the cache file ``path`` records
    (:func:`write_signed`) when the file has that signature's stat (written here), or when
    that SHA-256 is ``vouched`` (what the record of the site the build took over says of
    it, its bytes checked when read); else None. What a build's record lists of the files
    it vouches for."""
    signed = read_signature(signature_file)
    if signed is None or len(signed) != 6 or type(signed[5]) is not str:
        return None
    if signed[:5] == stat_signature(path) or (vouched is not None and vouched == signed[5]):
        return signed[5]
    return None


def restored_sha(restored: Mapping[str, str] | None, root: Path | None,
                 file: Path) -> str | None:
    """The SHA-256 that ``restored`` (the memos the record of the site the build takes
    over vouches for, by path from the catalog's folder ``root``: ``Settings.restored``)
    gives the cache file ``file``; None when it gives none."""
    if not restored or root is None:
        return None
    try:
        return restored.get(Path(file).relative_to(root).as_posix())
    except ValueError:
        return None


def signature_of(path: Path) -> Path:
    """Where :func:`write_signed` keeps the signature of the cache file ``path``."""
    return path.with_suffix(".signature")


class FileDigests:
    """Files' digests (``digest_of(path)``: the SHA-256 of what a file holds) remembered in
    the cache file ``file`` with their stat signatures: a file whose signature is the one
    recorded when it was read is not read again. Such a file is a cache file a pull request
    could commit: its entries are of no use to one (the change time of a checked-out file
    is not what was recorded, and no program can set it), and an entry that is not as
    written here is ignored. As git does, a digest is not remembered for a file changed in
    the :data:`RACY_NS` before it was read (a rewrite of the same size within one tick of
    the file system's clock would keep its signature), nor for one that changed while it
    was read. :meth:`save` keeps the files asked for since it was made, and only those.

    With ``root`` (the catalog's folder, in a git work tree), each remembered file under it
    also gets the blob id git's index gives it (:mod:`.blobs`), and a file whose stat
    signature differs (a fresh checkout) is not read again when git gives it the same blob
    id and size, **if the cache file is vouched for** (:func:`read_vouched`: its signature,
    or ``restored``, the SHA-256 the record of the site the build takes over gives it)."""

    #: How recent a file's modification or change time may be for its digest to be kept.
    RACY_NS = 2_000_000_000
    #: The most the cache file may hold to be read.
    MAX_BYTES = 1 << 30

    def __init__(self, file: Path, digest_of: Callable[[str], str], *,
                 root: Path | None = None, restored: str | None = None) -> None:
        self.file = Path(file)
        self.digest_of = digest_of
        self.started = time.time_ns()
        data, self.vouched = read_vouched(self.file, self.MAX_BYTES, signature_of(self.file),
                                          restored)
        try:
            found = json.loads(data) if data is not None else None
        except (ValueError, RecursionError):
            found = None
        self.known: dict[str, object] = found if isinstance(found, dict) else {}
        self.seen: dict[str, list] = {}
        self._prefix = str(root).rstrip(os.sep) + os.sep if root is not None else None
        self._root = root
        self._blobs: dict[str, str] | None = None

    def digest(self, path: Path | str) -> str:
        """``path``'s digest, remembered or worked out (``digest_of``'s errors raised)."""
        key = os.fspath(path)
        signature = stat_signature(key)
        was = self.known.get(key)
        if (signature is not None and isinstance(was, list) and len(was) in (6, 7)
                and type(was[5]) is str and _HEX64.fullmatch(was[5])):
            blob = was[6] if len(was) == 7 and type(was[6]) is str else None
            if was[:5] == signature:
                self.seen[key] = [*signature, was[5], blob]
                return was[5]
            if (blob is not None and self.vouched and was[0] == signature[0]
                    and self._settled(signature) and self._blob(key) == blob):
                self.seen[key] = [*signature, was[5], blob]
                return was[5]
        found = self.digest_of(key)
        if (signature is not None and stat_signature(key) == signature
                and self._settled(signature)):
            self.seen[key] = [*signature, found, None]
        return found

    def _settled(self, signature: list[int]) -> bool:
        """Whether a file of stat ``signature`` last changed :data:`RACY_NS` or more before
        this was made."""
        return max(signature[1], signature[2]) < self.started - self.RACY_NS

    def _rel(self, key: str) -> str | None:
        """``key`` from ``root``, as git names it; None outside it (a path through ``..``,
        as a font option may give, too)."""
        if self._prefix is None or not key.startswith(self._prefix):
            return None
        rel = key[len(self._prefix):].replace(os.sep, "/")
        return None if ".." in rel.split("/") or "." in rel.split("/") else rel

    def _blob(self, key: str) -> str | None:
        """What git's index says ``key`` holds (asked once, for the whole folder)."""
        rel = self._rel(key)
        if rel is None:
            return None
        if self._blobs is None:
            self._blobs = git_blobs(self._root)
        return self._blobs.get(rel)

    def _add_blobs(self) -> None:
        """Give the files asked for without a blob id (read this time, or remembered when
        git could not describe them), under ``root``, the blob ids git's index gives them,
        when their stat is still the one they were read with (after git answered)."""
        todo = {rel: key for key, was in self.seen.items()
                if was[6] is None and (rel := self._rel(key)) is not None
                and not unanswered((str(self._root), rel, *was[:5]))}
        if not todo:
            return
        blobs = self._blobs if self._blobs is not None else git_blobs(self._root, list(todo))
        for rel, key in todo.items():
            blob = blobs.get(rel)
            if blob is not None and stat_signature(key) == self.seen[key][:5]:
                self.seen[key] = [*self.seen[key][:6], blob]
            elif blob is None:
                remember_unanswered((str(self._root), rel, *self.seen[key][:5]))

    def save(self) -> bool:
        """Write the files' digests asked for, if they are not what the file holds; whether
        it was written (a read-only cache: they are worked out again next time)."""
        self._add_blobs()  # files remembered when git could not describe them, too
        if self.seen == self.known:
            return False
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_signed(self.file, json.dumps(self.seen, ensure_ascii=False,
                                               separators=(",", ":")).encode("utf-8"),
                         signature_of(self.file))
        except OSError:
            return False
        return True


_HEX64 = re.compile(r"[0-9a-f]{64}")


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
