"""Keeping the build cache (``.cache/ocop/``) from growing without end.

Caches are keyed by content: a price change draws a new label, an upgrade of this
program or a new font draws every label again, a replaced photo is encoded again, and
what was replaced stays in the cache unless something removes it. Two rules do:

- **Generations**: a cache whose every entry depends on one fingerprint (the print
  cache: the drawing code, fonts and print options) keeps its entries in a folder named
  by it; when another fingerprint is in use, the folders of all but the newest
  :data:`GENERATIONS_KEPT` are deleted (:func:`keep_newest`).
- **A sweep now and then** (:func:`sweep_due`, at most once per :data:`SWEEP_EVERY`
  seconds, so that a rebuild does not pay for listing the cache): an entry that no site
  links to (a published file is a hard link to its cache entry where the file system
  allows, so a cache entry with one link is in no site folder: not the published site,
  not the spare, not ``ocop serve``'s preview) and that the cache's owner does not name
  as still useful is deleted. Anything deleted by mistake is made again when needed:
  a cache holds nothing that cannot be made again.

Deleting many files takes long: folders go in a process of their own
(:func:`remove_later`), after being renamed out of the way, so that a build that needs
the same name again does not write into a folder being deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

__all__ = ["GENERATIONS_KEPT", "GRACE", "SWEEP_EVERY", "committed", "committed_issues",
           "committed_message", "delete", "discard", "entries", "keep_newest", "links",
           "mark_used", "no_links", "recent", "remove_files_later", "remove_later",
           "sweep_due", "swept", "unlinked"]

log = logging.getLogger(__name__)

#: How many generation folders of a cache are kept (the one in use among them): the
#: previous one too, for a build of the other branch or a change undone.
GENERATIONS_KEPT = 2
#: The least time between two sweeps of a cache (seconds).
SWEEP_EVERY = 24 * 3600
#: The file whose modification time says when a cache was last swept.
SWEPT = ".swept"
#: The name start of folders renamed to be deleted.
TRASH = ".trash-"
#: How long after its last use a generation folder, or a cache entry read or written, is
#: never deleted (another build may be using it: a build marks what it uses when it starts).
GRACE = 3600


def no_links(folder: Path, root: Path) -> bool:
    """Whether no part of ``folder``'s path below ``root`` (``folder`` included) is a
    symbolic link; for a folder outside ``root``, whether no part of its path is. A cache
    folder is a place a pull request can commit links to (``.cache`` itself, ``print/``, a
    generation folder): housekeeping acts only on folders with none, so that it never
    deletes through one. ``folder`` is taken as written, not normalised: the system
    resolves ``a/link/../b`` through ``link`` (a ``..`` after a link leads out of where the
    link leads), so that such a path counts as having a link."""
    folder, root = _as_written(folder), Path(os.path.abspath(root))
    try:
        parts = folder.relative_to(root).parts
    except ValueError:  # a cache outside the catalog: no link on the whole way
        root, parts = Path(folder.anchor), folder.parts[1:]
    here = root
    for part in parts:
        here = here / part
        if os.path.islink(here):
            return False
    return True


def _as_written(folder: Path | str) -> Path:
    """``folder`` as an absolute path, its ``..`` kept (:func:`no_links`)."""
    folder = Path(folder)
    return folder if folder.is_absolute() else Path(os.getcwd(), folder)


#: What a folder :func:`committed` checks is, in Vietnamese and English, for its warning.
CACHE = ("bộ nhớ đệm", "cache")
BUILT_SITE = ("thư mục trang web đã dựng", "built site's folder")


def spare_name(site_name: str) -> str:
    """The name of the spare a build keeps beside the site folder named ``site_name``."""
    return f".{site_name}.spare"


def committed(root: Path, folder: Path, what: tuple[str, str] = CACHE) -> list[str]:
    """What git tracks of the cache ``folder`` in the work tree at ``root`` (the first
    few, relative to ``root``): files under it, or a file or a link at it or at a folder on
    its way (a committed link ``.cache`` leading to committed files): a cache a pull
    request committed, whose files the build would take as its own (a drawn label, a
    processed photo, a stored page part). Nothing when ``root`` is not in a git work tree
    or the folder is outside it; a git that cannot answer (missing, or refusing a
    repository of another user) is said in a warning. Remembered while the index git
    keeps at ``root`` is unchanged (``ocop serve`` asks at every rebuild). ``what``: what
    the folder is, in Vietnamese and English, for that warning."""
    root = Path(os.path.abspath(root))
    ways = _ways(root, folder)
    if not ways:
        return []  # the catalog itself, or a folder above it: not a cache
    target = ways[-1]
    index = root / ".git" / "index"
    try:
        stamp = os.stat(index).st_mtime_ns
    except OSError:
        stamp = None
    key = (str(root), "\0".join(ways))
    if stamp is not None and _COMMITTED.get(key, (None,))[0] == stamp:
        return _COMMITTED[key][1]
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--", *ways], cwd=root, capture_output=True,
            timeout=60, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1"})
    except FileNotFoundError:  # no git here (a catalog downloaded, not cloned)
        return []
    except (OSError, subprocess.SubprocessError) as exc:
        return _cannot_check(target, exc, what)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()
        if "not a git repository" in said or "outside repository" in said:
            return []
        return _cannot_check(target, said.splitlines()[0] if said else done.returncode, what)
    on_way = set(ways)
    found = [name for name in done.stdout.decode("utf-8", "replace").split("\0")
             if name and (name in on_way or name.startswith(target + "/"))][:_SHOWN + 1]
    if stamp is not None:
        _COMMITTED[key] = (stamp, found)
    return found


def _cannot_check(folder: str, why: object, what: tuple[str, str]) -> list[str]:
    """Nothing found, said in a warning: git could not say what it tracks of ``folder``
    (``what`` it is, in Vietnamese and English)."""
    log.warning("không kiểm tra được %s '%s' có tệp commit vào kho không / "
                "could not check whether the %s '%s' has committed files: %s",
                what[0], folder, what[1], folder, why)
    return []


def _ways(root: Path, folder: Path) -> list[str]:
    """The cache ``folder`` and each folder on the way to it from ``root``, as written
    (``..`` kept: :func:`no_links`), each normalised and relative to ``root`` as git names
    paths; not ``root`` itself nor a folder above it (git would list a whole repository)."""
    written = _as_written(folder)
    try:
        parts = written.relative_to(root).parts
    except ValueError:
        parts = Path(os.path.relpath(written, root)).parts
    ways = [os.path.normpath(os.path.join(*parts[:n])).replace(os.sep, "/")
            for n in range(1, len(parts) + 1)]
    if not ways or ways[-1] == "." or all(part == ".." for part in ways[-1].split("/")):
        return []  # the folder is root itself or above it (``products/..``), whatever the way
    return [way for way in dict.fromkeys(ways)
            if way != "." and any(part != ".." for part in way.split("/"))]


def committed_message(root: Path, folder: Path, files: list[str]) -> str:
    """What a build that finds its cache ``folder`` committed (:func:`committed`) says:
    ``cache_committed`` in Vietnamese, then in English."""
    from .records.messages import render

    en, vi = render("cache_committed", _committed_params(root, folder, files))
    return "\n".join(text[:1].upper() + text[1:] + "." for text in (vi, en))


#: What the folder :func:`committed_issues` checks is, by its issue's code.
_FOLDERS = {"cache_committed": CACHE, "site_committed": BUILT_SITE}


def committed_issues(root: Path, folder: Path, code: str = "cache_committed") -> list:
    """``code`` (an error, at the first committed file) when git tracks files of the
    cache ``folder`` (:func:`committed`): what ``ocop validate`` says of a pull request
    that commits them, before a build would refuse them. ``site_committed``: of the
    built site's folder, or of the spare beside it (a build gives such a spare up and
    trusts no site other than it recorded, but says so only in its log)."""
    from .records.issues import Document  # the records' issues: not needed to build

    files = committed(root, folder, _FOLDERS[code])
    if not files:
        return []
    doc = Document(path=Path(root) / files[0], rel=files[0])
    doc.report(code, **_committed_params(root, folder, files))
    return doc.issues


def _committed_params(root: Path, folder: Path, files: list[str]) -> dict[str, str]:
    """``cache_committed``'s parameters: the cache as the catalog names it, the files
    shown, how to remove them and how to keep the cache out of git (nothing for a cache
    outside the catalog)."""
    ways = _ways(Path(os.path.abspath(root)), folder)
    rel = ways[-1]
    # a file or link git holds on the way (a committed link in the cache's place) is
    # removed by its own name; files under the cache, with the folder
    on_way = [name for name in files if name in ways]
    outside = rel.split("/")[0] == ".."
    return {"cache": f"'{rel}'",
            "files": ", ".join(files[:_SHOWN]) + (", …" if len(files) > _SHOWN else ""),
            "remove": f"git rm {' '.join(on_way)}" if on_way else f"git rm -r {rel}",
            "ignore": "" if outside else f"; keep '{rel}/' ignored in .gitignore",
            "ignore_vi": "" if outside else f"; để .gitignore bỏ qua '{rel}/'"}


#: How many committed files :func:`committed_message` names (more are said with "…";
#: :func:`committed` finds one more, to know).
_SHOWN = 5
#: :func:`committed`'s answers, with the index's modification time they were given at.
_COMMITTED: dict[tuple[str, str], tuple[int, list[str]]] = {}


def recent(path: Path | str, now: float | None = None) -> bool:
    """Whether ``path`` was modified within :data:`GRACE` (or cannot be looked at: then
    it is left alone too)."""
    try:
        return (now or time.time()) - os.stat(path, follow_symlinks=False).st_mtime < GRACE
    except OSError:
        return True


def mark_used(path: Path) -> None:
    """Give ``path`` (a cache entry a build takes) a recent time, at most every half of
    :data:`GRACE`, so that another build's sweep, which leaves recent entries alone, does
    not delete it before this build is done with it."""
    with contextlib.suppress(OSError):
        if time.time() - os.stat(path).st_mtime >= GRACE / 2:
            os.utime(path)


def links(path: Path) -> int:
    """How many hard links ``path`` has (0 if it cannot be looked at): a published file
    is a hard link to its cache entry, where the file system allows."""
    try:
        return os.stat(path, follow_symlinks=False).st_nlink
    except OSError:
        return 0


def keep_newest(cache_dir: Path, current: str, is_generation: Callable[[str], bool],
                kept: int = GENERATIONS_KEPT) -> None:
    """Mark ``cache_dir/current`` as just used and delete the generation folders of
    ``cache_dir`` (names ``is_generation`` accepts) but the ``kept`` used last and those
    used within :data:`GRACE` (a build of another site folder with other options may be
    drawing into one), with what an earlier interrupted deletion left. The caller has
    checked that ``cache_dir`` is reached through no link (:func:`no_links`). Errors are
    ignored (a read-only cache)."""
    with contextlib.suppress(OSError):
        os.utime(cache_dir / current)
    found, trash = [], []
    now = time.time()
    for entry in entries(cache_dir):
        try:
            if entry.name.startswith(TRASH):
                trash.append(Path(entry.path))
            elif (entry.is_dir(follow_symlinks=False) and entry.name != current
                  and is_generation(entry.name)):
                found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
        except OSError:
            continue
    old = [name for _, name in sorted(found, reverse=True)[kept - 1:]
           if not recent(cache_dir / name, now)]
    remove_later(*trash, *filter(None, (_renamed(cache_dir / name) for name in old)))


def discard(folder: Path) -> None:
    """Rename ``folder`` out of the way (a trash name beside it) and delete it in the
    background (:func:`remove_later`); if it cannot be renamed, it is left as it is."""
    trash = _renamed(folder)
    if trash is not None:
        remove_later(trash)


def _renamed(folder: Path) -> Path | None:
    """``folder`` renamed to a trash name beside it (None if it could not be)."""
    target = folder.with_name(f"{TRASH}{folder.name}-{os.getpid()}-{time.time_ns()}")
    try:
        os.rename(folder, target)
    except OSError:
        return None
    return target


def sweep_due(cache_dir: Path, every: float = SWEEP_EVERY) -> bool:
    """Whether ``cache_dir`` was last swept more than ``every`` seconds ago (or never)."""
    try:
        return time.time() - os.stat(cache_dir / SWEPT).st_mtime > every
    except OSError:
        return True


def swept(cache_dir: Path) -> None:
    """Record that ``cache_dir`` was just swept."""
    with contextlib.suppress(OSError):
        (cache_dir / SWEPT).touch()  # an existing file: its time set to now


def entries(folder: Path) -> Iterator[os.DirEntry]:
    """The entries of ``folder``, one at a time (a print cache holds tens of thousands);
    none if it is a symbolic link (a cache folder is a place a pull request can commit a
    link to, and a sweep must never delete through one) or cannot be listed."""
    if os.path.islink(folder):
        return
    try:
        with os.scandir(folder) as found:
            yield from found
    except OSError:
        return


def unlinked(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The regular files directly in ``folder`` whose names end in one of ``suffixes``,
    that have a single link (in no site folder: they are hard-linked into a site when
    published) and were not written within :data:`GRACE` (another build may have drawn
    one and not placed it yet). Nothing if ``folder`` is a symbolic link."""
    found = []
    now = time.time()
    for entry in entries(folder):
        if not entry.name.endswith(suffixes):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if (entry.is_file(follow_symlinks=False) and st.st_nlink == 1
                    and now - st.st_mtime >= GRACE):
                found.append(Path(entry.path))
        except OSError:
            continue
    return found


def delete(files: Iterable[Path]) -> int:
    """Delete ``files``; how many were."""
    count = 0
    for path in files:
        with contextlib.suppress(OSError):
            path.unlink()
            count += 1
    return count


def remove_files_later(folder: Path, suffixes: tuple[str, ...]) -> None:
    """Delete the regular files directly in ``folder`` whose names end in one of
    ``suffixes``, in a process of their own at the lowest CPU priority (hundreds of
    thousands of files take long)."""
    code = ("import os, sys\n"
            "suffixes = tuple(sys.argv[2:])\n"
            "for entry in os.scandir(sys.argv[1]):\n"
            "    try:\n"
            "        if entry.name.endswith(suffixes) and entry.is_file(follow_symlinks=False):\n"
            "            os.unlink(entry.path)\n"
            "    except OSError:\n"
            "        pass\n")
    nice = shutil.which("nice")
    _in_background([*([nice, "-n", "19"] if nice and os.name == "posix" else []),
                    sys.executable, "-c", code, str(folder), *suffixes])


#: Folders this process has handed to a removing process (a long-lived process, 'ocop
#: serve', finds its own swapped-out folders again at each build until they are gone).
_REMOVING: set[str] = set()


def remove_later(*folders: Path) -> None:
    """Delete ``folders`` in a process of their own that outlives this one: ``rm -rf`` at
    the lowest CPU priority where there are (a quarter faster than Python's rmtree here, and
    yielding to a build that starts meanwhile), else Python."""
    folders = tuple(f for f in folders if str(f) not in _REMOVING)  # once per process
    if not folders:
        return
    _REMOVING.update(map(str, folders))
    rm, nice = shutil.which("rm"), shutil.which("nice")
    if rm and nice and os.name == "posix":
        command = [nice, "-n", "19", rm, "-rf", "--", *map(str, folders)]
    else:
        command = [sys.executable, "-c",
                   "import shutil, sys\nfor f in sys.argv[1:]: shutil.rmtree(f, ignore_errors=True)",
                   *map(str, folders)]
    if not _in_background(command):
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _in_background(command: list[str]) -> bool:
    """Start ``command`` in a session of its own that outlives this process, with no
    input or output; whether it could be started."""
    try:
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        return False
    return True


# --------------------------------------------------------------------------
# A built site's record, as 'ocop build' keeps it (build.py) and 'ocop preview' reads it
# --------------------------------------------------------------------------

#: What the last build of each site folder was made from and wrote (one file per folder,
#: named by a hash of its path, so builds of different folders never race on one file),
#: and beside it the keys of that build's files (``<hash>.keys.json``: reuse.py).
BUILDS_DIR = ".cache/ocop/builds"


def record_of(root: Path, target: Path) -> Path:
    """The record of the site folder ``target`` (resolved) of the catalog at ``root``."""
    name = hashlib.sha256(os.fsencode(target)).hexdigest()[:24]
    return root / BUILDS_DIR / f"{name}.json"


def site_line(rel: str, stat: os.stat_result) -> str:
    """A file's line in a site's record: its path, size and modification time."""
    return f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n"


def lines_digest(lines: Iterable[str]) -> str:
    """The digest of a site's record lines, in the order a walk gives them (each folder's
    entries by name: :func:`walk_order`)."""
    # a name the file system gave that is not UTF-8 as its own bytes (valid names: UTF-8)
    return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def walk_order(rel: str) -> str:
    """The sort key that puts site-relative paths in a walk's order: each folder's entries
    by name, a folder's files where its name sorts (the separator below every character)."""
    return rel.replace("/", "\0")


#: What the record of a site folder is followed by: the files its last build wrote from the
#: previous day's with the build day's text, and nothing else changed
#: (:func:`remember_redated`).
REDATED_SUFFIX = ".redated.json"


def remember_redated(record: Path, site_digest: str | None, previous: object,
                     files: Iterable[str]) -> None:
    """Beside the ``record`` of a site whose walk gives ``site_digest``: the ``files`` its
    build wrote for the build day from the files of the site it replaced (whose walk gave
    ``previous``), with that day's text and nothing else changed. ``ocop preview`` counts
    them apart from what a change made (:func:`redated_files`); none: nothing is kept."""
    path = record.with_name(record.stem + REDATED_SUFFIX)
    files = sorted(files)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:  # a help to 'ocop preview' only: the site is published whatever happens here
        if not files or not isinstance(site_digest, str) or not isinstance(previous, str):
            path.unlink(missing_ok=True)
            return
        tmp.write_bytes(json.dumps({"site": site_digest, "previous": previous,
                                    "files": files}).encode("utf-8", "surrogateescape"))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("ocop: không ghi được %s / could not write %s (%s): 'ocop preview' will "
                    "show the pages written for the day as changed", path, path, exc)


def redated_files(record: Path, site_digest: str, previous: str) -> frozenset[str]:
    """What :func:`remember_redated` kept beside ``record`` when it is of the site whose
    walk gives ``site_digest``, written from the site whose walk gives ``previous``;
    nothing otherwise (a later build, a site changed since, another site before it)."""
    try:
        found = json.loads(record.with_name(record.stem + REDATED_SUFFIX)
                           .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(found, dict) or found.get("site") != site_digest \
            or found.get("previous") != previous or not isinstance(found.get("files"), list):
        return frozenset()
    return frozenset(rel for rel in found["files"] if isinstance(rel, str))
