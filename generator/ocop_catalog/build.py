"""``ocop build``: run MkDocs with the ocop plugin, atomically.

The site is built into a staging folder beside the target
(``.<site>.building-<pid>-<random>``); only when the build succeeds does it take
the target's place, so a failed or interrupted build (invalid records, a template
error, Ctrl-C, a full disk) leaves the previous site untouched. The swap is one
step where the system has one (Linux ``renameat2`` with ``RENAME_EXCHANGE``:
the two folders trade places atomically); elsewhere it is two renames, and a
build that finds the site missing and a swapped-out old site beside it (the
machine stopped between the two) puts the old site back before anything else.
Staging folders of builds that were killed are removed by the next build.

A build is skipped when nothing changed since the last build of the same folder:
the same input *contents* (records, photos, authored pages, theme, configuration,
this package), the same build date and options, and a site folder that still
holds exactly the files that build wrote (names, sizes and modification times).
A modification time alone is never trusted: an input file is read again unless its
whole stat signature (size, modification and change times, inode, device) is the one
recorded when it was last read, and no program can set a change time back. A damaged or
partly deleted site is rebuilt.

Otherwise the build is incremental: every file an output knows the key of (what it is
made from: :mod:`ocop_catalog.edition.keys`) and whose key is the one the last build
recorded is not made again (:mod:`ocop_catalog.reuse`); the rest is made as in a cold
build (but for a deferring build's: ``ocop serve``'s first after an edit, which makes the
pages and takes every other file over as the last build left it, ``build_site``'s
``defer``). The staging folder is then the *spare* (below): the site the last build
replaced, in which files whose key is unchanged stay, changed ones are unlinked and
linked from the published site or made, and files the new build does not make are
deleted; a build that has no spare to claim (the first after a cold build, a fresh
checkout with the site restored) makes one of hard links to the published site's files
while it loads the records, and a build that cannot (no hard links on the disk) writes
into a fresh folder into which unchanged files are hard-linked (or copied) from the
published site as they are taken over. The swap is the same, so an interrupted
incremental build leaves the published site as it was too (a hard link shares the
file, and no build writes into an existing file). The keys are trusted only when the
site folder holds exactly what the last build wrote (on a large site whose inputs
changed, the build goes on while that is found out, and nothing is swapped in unless it
was so); ``--full`` (``full=True``) makes every file again. Two builds of the same
folder never run at once: the second waits.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from stat import S_ISDIR

import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException

from .edition.images import IMAGES, atomic_write
from .edition.keys import LIBRARIES, code_key
from .edition.theme import OVERRIDES, PACKAGED
from .fragments import vouched_stores
from .housekeeping import (BUILDS_DIR, BUILT_SITE, committed, discard, lines_digest, no_links,
                           record_of, remember_redated, remove_later, site_line, spare_name,
                           walk_order)
from .parallel import can_fork, collector_off, forked_pool, unfreeze
from .records.decoded import FileDigests, signature_of, signed_sha, stat_signature
from .records.memo import NAME as MEMO_NAME, REGISTER_NAME
from .records.history import CATALOG_JSON
from .reuse import (carried_over, file_clock, link_or_copy, read_keys, remove_empty_folders,
                    replace_keys, site_file)
from .settings import build_date, plugin_options


log = logging.getLogger("mkdocs.commands.build")


class BuildFailed(Exception):
    pass


class PublishedInterrupt(KeyboardInterrupt):
    """Ctrl-C came while the new site was being swapped in and recorded: that was
    finished first (a site swapped in but not recorded would be called unchanged, and
    the next build would take nothing over), so the new site is published."""

    def __init__(self, site_dir: Path) -> None:
        super().__init__(str(site_dir))
        self.site_dir = site_dir


def unreadable(config_file: Path, exc: Exception, outcome: str) -> BuildFailed:
    """The failure of a configuration that cannot be read (MkDocs' :class:`Abort` has
    logged its errors already)."""
    reason = "see the errors above" if isinstance(exc, Abort) else str(exc).strip()
    return BuildFailed(f"{Path(config_file).name} cannot be used, {outcome} ({reason})")


def build_site(
    config_file: Path, site_dir: Path | None = None, *, strict: bool = False,
    full: bool = False, site_url: str | None = None, published: Path | None = None,
    own: bool = False, defer: bool = False,
) -> tuple[Path, bool]:
    """Build the site of ``config_file`` into ``site_dir``.

    Files whose key is unchanged since the last build of the same folder are taken over
    from it (:mod:`ocop_catalog.reuse`), unless ``full`` or the folder no longer
    holds exactly what that build wrote. ``site_url`` replaces the configured one
    (``ocop serve``: the local address); ``published`` is the catalog JSON that clashes
    are decided by (default: the one of the site being replaced). Returns the folder and
    whether it was built (False: it was up to date). A configuration that cannot be read
    raises :class:`BuildFailed` too. The catalog the build loaded stays frozen out of the
    cycle collector's reach (:func:`.parallel.freeze`): unfreezing it costs a collection of
    all of it (a second at 10,000 products, at the exit of ``ocop build``), so a caller that
    goes on, such as ``ocop serve``, unfreezes it (:func:`.parallel.unfreeze`, which
    remembers that nothing is frozen any more) when it is done with it.

    ``own``: the folder is this process's own between its builds (``ocop serve``'s
    preview: hidden, and no second session of the same copy can start): when its record
    is still the one this process's last build of it wrote, the folder is trusted to be
    as that build left it without walking it (a tenth of a second at 1,000 products,
    over a second of two processes at 10,000); another program's build of it writes
    another record, and is noticed.

    ``defer`` (``ocop serve``, after an edit): an incremental build makes only what a
    browser shows (the catalog's pages and photos, kiosk pages, the form: ``pipeline.SHOWN``)
    and takes every other file of the site over as the last build left it
    (``pipeline.build``; :func:`_carry_unkeyed`): the feeds and print assets are the last
    build's (a page that build had and this one does not make is gone). Its record
    says its inputs are not yet built, so the next build of the folder is not skipped, and
    brings everything up to date.
    """
    _show_mkdocs_messages()
    overrides = {"site_url": site_url} if site_url is not None else {}
    try:
        config = load_config(config_file=str(config_file), strict=strict, **overrides)
        target = Path(site_dir or config.site_dir).resolve()
        root = Path(config_file).resolve().parent
    except (MkDocsException, Abort, yaml.YAMLError, ValueError) as exc:
        raise unreadable(config_file, exc, "nothing was built") from None

    @functools.cache
    def inputs(restored: str | None = None) -> str:
        """The inputs' fingerprint (worked out while the site is walked, once);
        ``restored``: the SHA-256 the record of the site gives the files' digests."""
        try:
            return _fingerprint(root, Path(config_file), strict, Path(config.docs_dir),
                                config.site_url, restored)
        except (MkDocsException, Abort, yaml.YAMLError, ValueError) as exc:
            raise unreadable(config_file, exc, "nothing was built") from None

    record = record_of(root, target)
    with _exclusive(record.with_suffix(".lock"), target):  # one build of a folder at a time
        attempts, link = 1, True
        while True:
            try:
                return _build_into(config, target, record, inputs, full, published, own,
                                   defer, link)
            except (_SpareIncomplete, _SiteChanged) as exc:
                # a file the spare's keys promised was not there (a spare damaged by
                # hand): it is gone now, build again without it; or the published site
                # was changed since it was built (found by the walk that went on beside
                # the build): build again taking nothing over. Either time with a fresh
                # configuration.
                if attempts == _ATTEMPTS:
                    raise BuildFailed(f"{exc}; nothing was built, the previous site is "
                                      "unchanged") from None
                attempts += 1
                unfreeze()  # the attempt's catalog: the collector's again
                changed = isinstance(exc, _SiteChanged)
                log.warning("%s; building again %s", exc,
                            "taking nothing over" if changed else "without it")
                full = full or changed
                # a spare made of the published site that was not whole: none again
                link = link and not getattr(exc, "linked", False)
                config = load_config(config_file=str(config_file), strict=strict, **overrides)


#: The site digest this process's last build of a folder recorded, by the folder's
#: record (build_site: ``own``).
_BUILT_HERE: dict[Path, str] = {}


#: Builds of a folder in one ``ocop build``: the first, and again without the spare it
#: claimed, without one made of the published site, or taking nothing over (each can only
#: happen once: the spare is gone, none is made, nothing is taken).
_ATTEMPTS = 4


class _SiteChanged(Exception):
    """The published site is not as its build left it (found after the build began)."""

    def __str__(self) -> str:
        return "the published site was changed since it was built"


class _SpareIncomplete(Exception):
    def __init__(self, linked: bool = False) -> None:
        super().__init__()
        #: The spare was made of the published site by this build (:class:`_LinkedSpare`).
        self.linked = linked

    def __str__(self) -> str:
        return "the spare site was incomplete"


def _build_into(config, target: Path, record: Path, fingerprint: Callable[..., str],
                full: bool, published: Path | None, own: bool = False,
                defer: bool = False, link: bool = True) -> tuple[Path, bool]:
    _recover(target)
    for stale in record.parent.glob(f".{record.stem}.*.keys.json"):  # of builds cut short
        if not _running(stale.name.partition(".building-")[2]):
            stale.unlink(missing_ok=True)
    last = _last_build(record)
    if own and last.get("site") is not None and _BUILT_HERE.get(record) == last.get("site"):
        # the folder as this process's last build of it left it (build_site: ``own``)
        with collector_off():
            inputs = fingerprint(_vouched(last, "memos").get(DIGESTS))
        if last.get("inputs") == inputs and target.is_dir():
            _still_vouching(record, last, config)
            return target, False
        return _build_once(config, target, record, last, inputs,
                           target.is_dir() and not full, published, defer=defer, link=link)
    size = last.get("files")
    walk = _SiteWalk(target, False, size if type(size) is int else 0, beside=True)
    try:
        with collector_off():  # lists of paths and digests: no cycles to collect
            # while a large site is walked in other processes
            inputs = fingerprint(_vouched(last, "memos").get(DIGESTS))
    except BaseException:
        walk.cancel()
        raise
    if walk.pending and last.get("inputs") != inputs:
        # the inputs changed, so there is a build to do whatever the walk finds
        if full or last.get("site") is None:  # and nothing of the site to trust
            walk.cancel()
            return _build_once(config, target, record, last, inputs, False, published)
        # the walk goes on beside the build (at 10,000 products, two processes for about
        # two seconds), which trusts the published site as recorded until the walk's
        # result is checked, before the swap: a site changed since its build is built
        # again, taking nothing over (_SiteChanged). The build forks its own workers
        # meanwhile, as the light outputs' pool already runs beside the pages' pool.
        try:
            return _build_trusting(config, target, record, last, inputs, published, walk,
                                   defer, link)
        finally:
            walk.cancel()
    site_now = walk.result()
    untouched = isinstance(last, dict) and site_now is not None and last.get("site") == site_now
    if untouched and last.get("inputs") == inputs:
        _still_vouching(record, last, config)
        return target, False
    return _build_once(config, target, record, last, inputs, untouched and not full, published,
                       defer=defer, link=link)


def _still_vouching(record: Path, last: dict[str, object], config) -> None:
    """After a build found nothing to do: the inputs' digests, which working out the
    fingerprint may have written again (blob ids added), listed in the record with what
    they hold now, so that the next build on a fresh runner can take them (the record is
    saved with the cache entry whether a build ran or not)."""
    memos = _vouched(last, "memos")
    if not memos:
        return
    root = Path(config.config_file_path).resolve().parent
    path = root / DIGESTS
    sha = signed_sha(path, signature_of(path), memos.get(DIGESTS))
    if sha != memos.get(DIGESTS):
        if sha is None:
            memos.pop(DIGESTS, None)
        else:
            memos[DIGESTS] = sha
        _remember_build(record, {**last, "memos": memos})


def _build_trusting(config, target: Path, record: Path, last: dict[str, object], inputs: str,
                    published: Path | None, walk: _SiteWalk,
                    defer: bool = False, link: bool = True) -> tuple[Path, bool]:
    """:func:`_build_once`, trusting the published site to be as its record says while
    ``walk`` finds out: its result is checked before the swap."""
    def check() -> None:
        if walk.result() != last.get("site"):
            raise _SiteChanged

    try:
        return _build_once(config, target, record, last, inputs, True, published, check,
                           defer, link)
    except Exception as exc:
        # what the build found wrong may come from a site not as recorded: then it is
        # built again taking nothing over, as when the check finds it
        if not isinstance(exc, _SiteChanged):
            check()
        raise


def _build_once(config, target: Path, record: Path, last: dict[str, object], inputs: str,
                trusted: bool, published: Path | None,
                check: Callable[[], None] | None = None,
                defer: bool = False, link: bool = True) -> tuple[Path, bool]:
    """Build into a staging folder (the spare, brought up to date, when the published
    site and its keys are ``trusted``: the site the last build replaced, or with ``link``,
    when there is none, one made of the published site's files, :class:`_LinkedSpare`)
    and swap it in; ``check`` raises, with nothing swapped, when the trust turns out
    misplaced. ``defer``: see :func:`build_site`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    keys_in = record.with_suffix(".keys.json") if trusted else None
    plugin = config.plugins["ocop"] if "ocop" in config.plugins else None
    # the spare is brought up to date by the catalog's outputs: only when they run
    catalog_built = plugin is not None and bool(plugin.config.enabled)
    spare = _claim_spare(target, record, keys_in is not None and catalog_built,
                         Path(config.config_file_path).resolve().parent)
    linked: _LinkedSpare | None = None
    if spare is None and link and keys_in is not None and catalog_built:
        made = _link_spare(target, keys_in, last)
        if made is not None:
            spare, linked = made
    try:
        mkdocs_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-{os.getpid()}-",
                                           dir=target.parent))
    except BaseException:  # Ctrl-C too: the claimed spare is not left behind
        if linked is not None:
            linked.drop()
        elif spare:
            remove_later(spare[0])
        raise
    # without a spare, MkDocs and the catalog write into one fresh folder; with one, the
    # catalog's files go to the spare and MkDocs' few files join them when it is done
    staging = spare[0] if spare else mkdocs_dir
    keys_out = record.with_name(f".{record.stem}.{staging.name}.keys.json")
    # the stores of parts the record of the site taken over vouches for
    vouched = _vouched(last) if keys_in is not None else {}
    memos = _vouched(last, "memos") if keys_in is not None else {}
    since = 0
    try:
        config.site_dir = str(mkdocs_dir)
        if plugin is not None:  # clashes are decided by the site this build replaces
            plugin.config.published = str(published or target / CATALOG_JSON)
            plugin.config.incremental = {
                "previous": str(target) if keys_in else None,
                "keys_in": str(keys_in) if keys_in else None,
                "keys_out": str(keys_out),
                "site": str(staging) if spare else None,
                "spare": spare[1] if spare else None,
                "spare_spans": spare[2] if spare else None,
                # a spare still being made: the catalog's outputs wait for it (None: it
                # could not be, and they write beside MkDocs' files)
                "spare_made": linked.result if linked is not None else None,
                # deferring needs the unkeyed files of the site it carries over listed
                "defer": defer and isinstance(last.get("unkeyed"), list),
                "stores": vouched,
                "memos": memos}
        # by the file system's clock: a folder of the spare this build changes is dated after
        # (a spare made of the published site: once made, before the outputs write into it)
        since = file_clock(target.parent) if spare and linked is None else 0
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
        if linked is not None:
            made_at = linked.result()
            if made_at is None:  # not made (and on its way out): the catalog's files are
                # with MkDocs', as the plugin was told
                spare, staging = None, mkdocs_dir
            else:
                since = made_at
        if spare:
            if not isinstance(getattr(plugin, "written_keys", None), dict):
                raise BuildFailed("the catalog's files were not written (the ocop plugin "
                                  "did not run); nothing was built, the previous site is "
                                  "unchanged")
            _join(mkdocs_dir, staging)
        deferred = bool(getattr(plugin, "deferred", None))
        if deferred:  # the outputs left to the next build: their files without a key too
            _carry_unkeyed(target, staging, last.get("unkeyed"))
    except (MkDocsException, Abort) as exc:
        _discard(staging, mkdocs_dir, keys_out, linked)
        reason = "see the errors above" if isinstance(exc, Abort) else str(exc)
        raise BuildFailed(f"nothing was built, the previous site is unchanged ({reason})") from None
    except BaseException:
        _discard(staging, mkdocs_dir, keys_out, linked)
        raise
    files: list[str] = []
    written = getattr(plugin, "written_keys", None)
    # Ctrl-C is held back from here to the record of the new site: until the swap it ends
    # the build with nothing swapped; after it, once the record is written
    publishing, interrupted = contextlib.ExitStack(), []
    try:
        interrupted = publishing.enter_context(_publishing())
        if spare and isinstance(written, dict):
            # the spare brought up to date: its files are this build's keyed files and what
            # this build wrote into folders it changed, so only those folders are listed
            site_digest, missing = _digest_of(staging, written, spare[1], since, files)
        else:  # the same once swapped in (names, sizes, times)
            site_digest = _SiteWalk(staging, True, len(written or ())).result(files)
            missing = ()
        if check is not None:  # first: a site not as recorded explains a missing file too
            check()
        if missing:
            raise _SpareIncomplete(linked is not None)
        if interrupted:
            raise KeyboardInterrupt
    except BaseException as exc:  # Ctrl-C too
        publishing.close()
        _discard(staging, mkdocs_dir, keys_out, linked)
        if interrupted and not isinstance(exc, KeyboardInterrupt):
            raise KeyboardInterrupt from None  # not built again (_SiteChanged): stopped
        raise
    _BUILT_HERE.pop(record, None)  # the record no longer says what is in the folder
    with publishing:
        replaced = _swap(staging, target)
        keys_file = record.with_suffix(".keys.json")
        if replaced is not None:  # the site just replaced: the next build's spare, if trusted
            _keep_spare(replaced, target, record, keys_in, last.get("unkeyed"))
        if keys_out.is_file():
            replace_keys(keys_out, keys_file)
        else:
            keys_file.unlink(missing_ok=True)
        # a deferring build has not built its inputs yet: no fingerprint is None, so the
        # next build is not skipped
        state: dict[str, object] = {"inputs": None if deferred else inputs,
                                    "site": site_digest, "files": len(files)}
        if plugin is not None:  # the stores of parts and memos as this build leaves them
            state["stores"] = vouched_stores(plugin.cache_dir, vouched)
            state["memos"] = vouched_memos(Path(config.config_file_path).resolve().parent,
                                           plugin.cache_dir, memos)
        # what the spare of a later build must delete first; kept only when every key names
        # a file of the site as the walk names it (else that spare would not be what its
        # keys say)
        if isinstance(written, dict) and not written.keys() - set(files):
            state["unkeyed"] = [rel for rel in files if rel not in written]
        _remember_build(record, state)
        # the pages written only for the build day: what 'ocop preview' counts apart
        redated = getattr(plugin, "redated_files", None)
        remember_redated(record, site_digest, last.get("site") if keys_in else None,
                         redated if isinstance(redated, set) else ())
        _BUILT_HERE[record] = site_digest
    if interrupted:
        raise PublishedInterrupt(target)
    return target, True


@contextlib.contextmanager
def _publishing() -> Iterator[list[int]]:
    """Ctrl-C (SIGINT) held back while the body runs: the list says whether one came.
    Only Python's own Ctrl-C handler is replaced (a SIGINT that is ignored stays ignored,
    another program's handler stays), and only in the main thread, where handlers can be
    set."""
    caught: list[int] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield caught
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield caught
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _exclusive(lock_file: Path, target: Path):
    """Hold ``lock_file`` locked: a second build of the same folder waits for the first
    (both would take files over from, and swap, the same site)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # not on POSIX: no lock
            yield
            return
        locked = True
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logging.getLogger("mkdocs").info(
                "another build of %s is running: waiting for it to end", target)
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network and shared folders)
            locked = False
        try:
            yield
        finally:
            if locked:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _discard(staging: Path, mkdocs_dir: Path, keys_out: Path,
             linked: _LinkedSpare | None = None) -> None:
    """What a failed or interrupted build leaves: nothing (a claimed spare too: it was
    half brought up to date; a whole site, deleted in the background; a spare ``linked``
    from the published site: stopped, and deleted at once when it was made in this
    process)."""
    shutil.rmtree(mkdocs_dir, ignore_errors=True)
    if linked is not None and staging == linked.folder:
        linked.drop()
    else:
        if linked is not None:  # not made (on its way out already): stopped
            linked.cancel()
        if staging != mkdocs_dir:
            remove_later(staging)
    keys_out.unlink(missing_ok=True)


# --------------------------------------------------------------------------
# Up-to-date check: nothing changed, nothing to do
# --------------------------------------------------------------------------

_INPUTS = ("products", "catalog", "theme", OVERRIDES)
_CHUNK = 1 << 20


#: Libraries whose version can change what a build writes or accepts.
_LIBRARIES = LIBRARIES


def _fingerprint(root: Path, config_file: Path, strict: bool, docs_dir: Path,
                 site_url: str | None = None, restored: str | None = None) -> str:
    """Every input of a build, by content: files under products/, catalog/ (or docs_dir),
    theme/ and overrides/, fonts the print options name, the configuration, this
    package's code, data and theme, the libraries' versions, the options, the site's
    address and the date. The files' digests are remembered (:class:`.FileDigests`, with
    git's blob ids for a fresh checkout; ``restored``: the SHA-256 of the memo the record
    of the site the build takes over gives)."""
    digest = hashlib.sha256()
    options = plugin_options(config_file)
    digest.update(f"{strict}|{build_date(options.get('build_date'))}|{site_url}\n".encode())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=-\n".encode())
    package = Path(__file__).resolve().parent
    sources = [(str(config_file), config_file.name)]
    folders = [(root / folder, folder) for folder in _INPUTS]
    if docs_dir.resolve() != (root / "catalog").resolve():
        folders.append((docs_dir, "docs_dir"))
    for folder, name in folders:
        sources += _files(str(folder), name)
    prints = options.get("print_assets")
    for key in ("font", "font_bold", "fallback_fonts"):
        value = prints.get(key) if isinstance(prints, dict) else None
        for i, path in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(path, str) and path:
                sources.append((str(root / path), f"print_assets.{key}.{i}"))
    sources += [(path, name) for path, name in _files(str(package), "package")
                if name.endswith((".py", ".yml"))]
    sources += _files(str(PACKAGED), "package-theme")
    known = FileDigests(root / DIGESTS, _file_digest, root=root, restored=restored)
    for path, name in sorted(sources, key=lambda source: source[1]):
        # this package's code as it was imported: a process that builds again ('ocop
        # serve') runs that code, edited or not, and must not record an edit as built
        found = _RUNNING.get(path) if name.startswith("package/") else None
        if found is None:
            try:
                found = known.digest(path)
            except OSError:  # not a file (a folder named like a font, a broken link), gone
                found = None
            if found is not None and name.startswith("package/"):
                _RUNNING[path] = found
        if found is not None:
            digest.update(f"{name}\0{found}\n".encode())
    known.save()
    return digest.hexdigest()


#: Digests of this package's files as first read by this process (:func:`_fingerprint`).
_RUNNING: dict[str, str] = {}


def _files(folder: str, name: str) -> list[tuple[str, str]]:
    """Every file under ``folder`` as (path, ``name/relative/path``); nothing if there is
    no such folder. Links to folders are not followed (a link to a file is read)."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                found += _files(entry.path, f"{name}/{entry.name}")
            else:
                found.append((entry.path, f"{name}/{entry.name}"))
        except OSError:
            continue
    return found


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


#: From this many files (as the last build recorded), a site is walked in two forked
#: processes (each top-level folder in one).
WALK_PARALLEL_FROM = 20_000
#: How much lower the priority of the processes walking a large published site is.
WALK_NICENESS = 19


class _SiteWalk:
    """What the site folder ``target`` holds, as a digest of every file's path, size and
    modification time (None: no site; a build records it after writing, so that a later
    change is seen). A site of ``size`` files or more is walked in forked processes while
    this one goes on until :meth:`result`; with ``beside``, at the lowest priority (a walk
    whose result is wanted at the end of a build, not at once)."""

    def __init__(self, target: Path, with_files: bool, size: int, *,
                 beside: bool = False) -> None:
        self._lines: list[str] | None = None
        self._files: list[str] = []
        self._with_files = with_files
        self._pool = self._pending = None
        #: Stopped before its end (:meth:`cancel`): it has no result.
        self._cancelled = False
        if not target.is_dir():
            return
        self._lines = []
        if size < WALK_PARALLEL_FROM or not can_fork():
            _walk_tree(str(target), "", self._lines, self._files if with_files else None)
            return
        # the top level here, each folder under it in a worker, in name order
        self._top = []
        folders = []
        for entry in sorted(os.scandir(target), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                self._top.append(len(folders))
                folders.append((entry.path, f"{entry.name}/", with_files))
            else:
                self._top.append(_file_line("", entry, None))
        self._stack = contextlib.ExitStack()
        with collector_off():  # the workers inherit it off: they make no cycles
            # beside a build, at the lowest priority: what they find is wanted before its
            # swap, while this process works out the inputs' fingerprint and loads the
            # records meanwhile, on the same cores (docs/performance.md, "2026-12-07,
            # morning"); a build with nothing to do waits for them, with the cores idle
            self._pool = self._stack.enter_context(
                forked_pool(2, niceness=WALK_NICENESS if beside else 0))
        self._pending = self._pool.map_async(_walk_forked, folders, chunksize=1)

    @property
    def pending(self) -> bool:
        """Whether the walk goes on in other processes (until :meth:`result`)."""
        return self._pending is not None

    def cancel(self) -> None:
        """Stop the walk's processes, if any, without waiting for them."""
        if self._pending is not None:
            self._pending = None
            self._cancelled = True
            self._stack.close()

    def result(self, files: list[str] | None = None) -> str | None:
        """The digest (None: no site); the files' site-relative paths added to ``files``."""
        if self._cancelled:  # what it found so far is not the site
            raise RuntimeError("the walk of the site was cancelled")
        if self._pending is not None:
            try:
                found = self._pending.get()
            finally:
                self._pending = None
                self._stack.close()
            for item in self._top:
                if type(item) is int:
                    lines, names = found[item]
                    self._lines.append(lines)
                    self._files += names
                else:
                    self._lines.append(item)
                    if self._with_files:  # a file at the top, as its line says
                        self._files.append(item.partition("\0")[0])
        if self._lines is None:
            return None
        if files is not None:
            files += self._files
        return lines_digest(self._lines)


def _digest_of(site: Path, keyed: Iterable[str], spare_keyed: Iterable[str], since_ns: int,
               files: list[str]) -> tuple[str, set[str]]:
    """The digest a walk of the spare ``site`` gives (:class:`_SiteWalk`) once this build
    brought it up to date, without listing every folder: it holds the build's ``keyed``
    files (those it kept, took or made) and what the build wrote without a key, which is
    in folders it changed (modified at or after ``since_ns``, by the file system's clock:
    writing, linking or deleting a file changes its folder's time; the spare's other
    unkeyed files were deleted when it was claimed), so only those folders are listed, and
    folders in them that hold no keyed file walked; folders that held keyed files of the
    spare (``spare_keyed``) and hold none of this build's are walked too, where they are
    left (a file written there changed that folder, not the one above). The files' paths
    are added to ``files`` in the walk's order; returned with the digest: the keyed files
    that are not there. (A file this misses costs the next build its incrementality: its
    walk finds a site other than recorded, whose keys it does not trust.)"""
    base = os.fspath(site)
    names = set(keyed)
    folders = _folders_of(names)
    found: set[str] = set()
    walked = ""
    for folder in sorted(_folders_of(spare_keyed) - folders):  # a folder before those in it
        path = f"{base}/{folder}"
        if (walked and folder.startswith(walked)) or not os.path.isdir(path) \
                or os.path.islink(path):
            continue
        found.update(_names_under(path, f"{folder}/"))
        walked = f"{folder}/"
    broken: set[str] = set()  # not folders (a link, a file, gone): what is under is missing
    for folder in folders:
        path = f"{base}/{folder}" if folder else base
        try:
            stat = os.lstat(path)
            if not S_ISDIR(stat.st_mode):
                broken.add(folder)
                continue
            if stat.st_mtime_ns < since_ns:
                continue
            entries = list(os.scandir(path))
        except OSError:
            broken.add(folder)
            continue
        prefix = f"{folder}/" if folder else ""
        for entry in entries:
            rel = prefix + entry.name
            if not entry.is_dir(follow_symlinks=False):
                found.add(rel)
            elif rel not in folders:  # a folder of unkeyed files only: all of it
                found.update(_names_under(entry.path, f"{rel}/"))
    lines, missing = [], set()
    # a walk lists each folder's entries by name, a folder's files where its name sorts:
    # as the paths sort with the separator below every character
    for rel in sorted(names | found, key=walk_order):
        if broken:
            folder = rel.rpartition("/")[0]
            while folder and folder not in broken:
                folder = folder.rpartition("/")[0]
            if folder:
                missing.add(rel)
                continue
        try:
            stat = os.lstat(f"{base}/{rel}")
        except OSError:
            missing.add(rel)
            continue
        if S_ISDIR(stat.st_mode):
            missing.add(rel)
            continue
        files.append(rel)
        lines.append(site_line(rel, stat))
    return lines_digest(lines), missing & names


def _vouched(last: dict[str, object], what: str = "stores") -> dict[str, str]:
    """The stores (or, ``what`` "memos", the memos) the record ``last`` vouches for
    (:func:`.fragments.vouched_stores`, :func:`vouched_memos`), as far as it reads as one."""
    stores = last.get(what)
    if not isinstance(stores, dict):
        return {}
    return {name: sha for name, sha in stores.items()
            if type(name) is str and type(sha) is str and len(sha) == 64}


#: The inputs' digests (:func:`_fingerprint`), from the catalog's folder.
DIGESTS = f"{BUILDS_DIR}/digests.json"


def vouched_memos(root: Path, cache_dir: Path, vouched: dict[str, str]) -> dict[str, str]:
    """The memos a build vouches for, by path from the catalog's folder ``root``, with the
    SHA-256 of what each holds as its signature says: the inputs' digests, the producer
    folders' and the register's outcomes and the photos' digests
    (:func:`.records.decoded.signed_sha`: written here, or vouched for by the record of the
    site the build took over, ``vouched``, with the same SHA-256). Kept in the build's
    record, as the stores are (:func:`.fragments.vouched_stores`): a build on a fresh
    checkout takes what these memos say of files whose contents git describes as they
    were (:mod:`.records.blobs`)."""
    files = [root / DIGESTS, cache_dir / MEMO_NAME, cache_dir / REGISTER_NAME]
    with contextlib.suppress(OSError):
        files += sorted((cache_dir / IMAGES).glob("sources-*.json"))
    found: dict[str, str] = {}
    for path in files:
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            continue
        if not no_links(path.parent, root):
            continue
        sha = signed_sha(path, signature_of(path), vouched.get(name))
        if sha is not None:
            found[name] = sha
    return found


def _folders_of(names: Iterable[str]) -> set[str]:
    """The folders (site-relative, ``""`` the site itself) that hold the files ``names``."""
    folders = {""}
    for rel in names:
        folder = rel.rpartition("/")[0]
        while folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _names_under(folder: str, prefix: str) -> Iterator[str]:
    """The files under ``folder``, as ``prefix`` and their path in it (links not
    followed: a link is a file)."""
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            yield from _names_under(entry.path, f"{prefix}{entry.name}/")
        else:
            yield prefix + entry.name


def _walk_tree(folder: str, prefix: str, lines: list[str], files: list[str] | None) -> None:
    """Add a line per file under ``folder`` to ``lines``, in name order (links are not
    followed: a link is recorded as itself)."""
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            _walk_tree(entry.path, f"{prefix}{entry.name}/", lines, files)
        else:
            lines.append(_file_line(prefix, entry, files))


def _file_line(prefix: str, entry: os.DirEntry, files: list[str] | None) -> str:
    if files is not None:
        files.append(prefix + entry.name)
    return site_line(prefix + entry.name, entry.stat(follow_symlinks=False))


def _walk_forked(task: tuple[str, str, bool]) -> tuple[str, list[str]]:
    folder, prefix, with_files = task
    lines: list[str] = []
    files: list[str] = []
    _walk_tree(folder, prefix, lines, files if with_files else None)
    return "".join(lines), files


def _last_build(record: Path) -> dict[str, object]:
    try:
        found = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _remember_build(record: Path, state: dict[str, str | None]) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_name(f".{record.name}.{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, record)


# --------------------------------------------------------------------------
# The swap, and what interrupted builds left behind
# --------------------------------------------------------------------------


def _swap(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` in place of ``target``: in one step where the system can exchange
    two folders, else with two renames. The folder that now holds the old site (None:
    there was none), for the caller to keep as the spare or delete."""
    os.chmod(staging, 0o755)
    if not target.exists():
        os.replace(staging, target)
        return None
    if _exchange(staging, target):
        return staging  # now the old site
    # named by the time of the swap: the newest is the one to put back (_recover)
    old = target.with_name(f".{target.name}.old-{time.time_ns()}-{os.getpid()}-"
                           f"{secrets.token_hex(4)}")
    os.replace(target, old)
    try:
        os.replace(staging, target)  # a stop in between: the next build restores ``old``
    except BaseException:
        os.replace(old, target)
        raise
    return old


# --------------------------------------------------------------------------
# The spare: the site the last build replaced, brought up to date by the next
# --------------------------------------------------------------------------
#
# Hard-linking every unchanged file into a fresh staging folder costs a link and, for
# most pages, a folder per file (83,000 files and 51,000 folders at 10,000 products),
# and the replaced site then has to be deleted. Instead the replaced site is kept beside
# the target (``.<site>.spare``) with its files' keys, and the next build claims it as
# its staging folder (a rename: a build cut short leaves a staging folder, which the
# build after deletes): files whose key is unchanged since the spare was published stay
# where they are, the others are unlinked and then linked from the published site or
# made (reuse.py). The spare shares most files with the published site, so nothing is
# ever written into a file of it: writers unlink first (reuse.write_new). The spare is
# used only when the published site was trusted when it was replaced (its keys become
# the spare's), the same code built it (keys of other code match nothing), its keys and
# list of unkeyed files can be read, the catalog's outputs run (they update it), it is
# the very folder the last build kept (its stat signature) and git tracks nothing
# in it; anything else and it is deleted. Like the published site between builds, it is
# trusted to be as the build that published it left it: it is hidden, and no program
# of this package writes into it but the build that claims it. A build with no spare to
# claim makes one of the published site's files, as hard links (_LinkedSpare).


def _spare_files(target: Path, record: Path) -> tuple[Path, Path, Path]:
    """The spare folder, its keys and what else it holds (its build's unkeyed files)."""
    return (target.with_name(spare_name(target.name)), record.with_suffix(".spare-keys.json"),
            record.with_suffix(".spare.json"))


def _claim_spare(target: Path, record: Path, trusted: bool, root: Path
                 ) -> tuple[Path, dict[str, str], dict[str, str]] | None:
    """The spare, renamed to this build's staging folder with the files its keys do not
    cover deleted, its files' keys and where those keyed for a day printed it
    (:attr:`.reuse.Reuse.spans`); None (and the spare on its way out) when there is
    none or it cannot be trusted (``trusted``: the published site's keys are, and the
    catalog's outputs will bring the spare up to date), or it is not the folder the last
    build kept (its stat signature, with its inode and change time, :func:`_keep_spare`),
    or git tracks files in it (a pull request committed them: a work tree that lasts
    between builds takes them into the kept folder itself, which its identity does not
    tell; the catalog at ``root``)."""
    folder, keys_file, state_file = _spare_files(target, record)
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = None
    state_file.unlink(missing_ok=True)  # a spare is claimed once
    spans: dict[str, str] = {}
    keys = read_keys(keys_file, spans)
    keys_file.unlink(missing_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        return None
    found = stat_signature(folder)  # before the rename, which changes its change time
    tracked = committed(root, folder, BUILT_SITE) if trusted else []
    if tracked:
        rel = os.path.relpath(folder, root)
        log.warning("'%s' có tệp đã commit vào kho (%s): không dùng làm bản dựng dự phòng, "
                    "đã xoá / '%s' holds files committed to the repository (%s): not used "
                    "as the spare, deleted", rel, ", ".join(tracked), rel, ", ".join(tracked))
        trusted = False
    claimed = target.with_name(f".{target.name}.building-{os.getpid()}-"
                               f"{secrets.token_hex(4)}")
    try:
        os.rename(folder, claimed)
    except OSError:
        return None
    unkeyed = state.get("unkeyed") if isinstance(state, dict) else None
    try:
        if (trusted and keys and isinstance(unkeyed, list) and state.get("code") == code_key()
                and found is not None and state.get("folder") == found
                and _delete_unkeyed(claimed, unkeyed)):
            return claimed, keys, spans
    except BaseException:  # Ctrl-C while deleting: not left behind either
        remove_later(claimed)
        raise
    remove_later(claimed)
    return None


def _delete_unkeyed(folder: Path, unkeyed: list) -> bool:
    """Delete the files ``unkeyed`` lists (site-relative) under ``folder``, and the folders
    that leaves empty; False when the list is not one of plain relative paths of files."""
    base = os.fspath(folder)
    for rel in unkeyed:
        if not site_file(rel):
            return False
        try:
            os.unlink(f"{base}/{rel}")
        except FileNotFoundError:
            pass
        except OSError:  # a folder where a file was: not the spare its state says
            return False
    remove_empty_folders(base, unkeyed)
    return True


#: A published site of at least this many files is linked into a spare in a forked
#: process, while this one goes on with the build (:class:`_LinkedSpare`); a smaller one
#: here, at once (a few hundredths of a second).
LINK_FORKED_FROM = 5_000


def _link_spare(target: Path, keys_in: Path, last: dict[str, object]
                ) -> tuple[tuple[Path, dict[str, str], dict[str, str]], _LinkedSpare] | None:
    """A spare made of the published site ``target``, whose keys (``keys_in``) and record
    (``last``: the files its build wrote without a key) are trusted, for a build that has no
    spare to claim: the spare as :func:`_claim_spare` gives one, and what makes it; None
    when the record does not list those files, or the keys cannot be read."""
    unkeyed = last.get("unkeyed")
    if not isinstance(unkeyed, list) or not all(site_file(rel) for rel in unkeyed):
        return None
    spans: dict[str, str] = {}
    keys = read_keys(keys_in, spans)
    if not keys or not target.is_dir() or target.is_symlink():
        return None
    folder = target.with_name(f".{target.name}.building-{os.getpid()}-{secrets.token_hex(4)}")
    size = last.get("files")
    linked = _LinkedSpare(target, folder, unkeyed, size if type(size) is int else 0)
    if linked.done and linked.result() is None:
        return None
    return (folder, keys, spans), linked


class _LinkedSpare:
    """A spare made of the published site: a folder of hard links to each of its files
    but those its build wrote without a key, for a build that has no spare to claim (the
    first incremental build after a cold one; a fresh runner, whose cache entry holds the
    site without the spare; a site moved to another disk). Without one, every file the
    build takes over is linked into a fresh folder one by one as the pages are worked out,
    beside the page workers, and the new site walked whole to record it; made here, it is
    the kernel's work while this process loads the configuration and the records,
    and the build goes on as with a spare (files whose key is unchanged stay; the record
    of the new site lists only the folders the build changed). The published site's files
    are shared, never written into (writers unlink first, as with any spare:
    ``tests/test_spare.py``), and it is trusted as the published site is: a site found
    changed since its build (:class:`_SiteChanged`) is built again taking nothing over.
    A site of :data:`LINK_FORKED_FROM` files or more is linked in a forked process, which
    :meth:`result` waits for."""

    def __init__(self, target: Path, folder: Path, unkeyed: list, size: int) -> None:
        self.folder = folder
        self.done = False
        #: Made in this process (a small site): deleted at once if the build fails.
        self.here = False
        self._since: int | None = None
        self._pending = None
        task = (os.fspath(target), os.fspath(folder), unkeyed)
        self._stack = contextlib.ExitStack()
        if size >= LINK_FORKED_FROM and can_fork():
            try:
                with collector_off():  # the worker inherits it off: it makes no cycles
                    pool = self._stack.enter_context(forked_pool(1))
                self._pending = pool.apply_async(_link_site, (task,))
                return
            except OSError:  # no process to spare (a limit reached): here, then
                self._stack.close()
        self.here = True
        try:
            since = _link_site(task)
        except BaseException:  # Ctrl-C while it links: not left behind
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._finish(since)

    def result(self) -> int | None:
        """When the spare was made, by the file system's clock (a folder of it the build
        changes is dated at or after it: :func:`_digest_of`); None when it could not be
        (a file system without hard links, a full disk): what was made of it is on its
        way out, and the build goes on without a spare."""
        if not self.done:
            try:
                found = self._pending.get()
            except Exception:  # noqa: BLE001 - the worker's failure: no spare
                found = None
            finally:
                self._pending = None
                self._stack.close()
            self._finish(found)
        return self._since

    def cancel(self) -> None:
        """Stop making it (the build stopped or failed: the caller discards the folder)."""
        if self._pending is not None:
            self._pending = None
            self._stack.close()
        self.done = True

    def drop(self) -> None:
        """Stop making it and delete it: at once when made here (a small site), else in
        the background."""
        self.cancel()
        if self.here:
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            remove_later(self.folder)

    def _finish(self, since: int | None) -> None:
        self.done, self._since = True, since
        if since is None:
            self.drop()


def _link_site(task: tuple[str, str, list]) -> int | None:
    """Make ``folder`` a tree of hard links to the files of the site ``target``, less the
    files ``unkeyed`` lists; the file system's clock once it is made, or None when a link or
    a folder could not be made, or the site holds a symbolic link."""
    target, folder, unkeyed = task
    try:
        _link_tree(target, folder)
        if not _delete_unkeyed(Path(folder), unkeyed):
            return None
        return file_clock(Path(folder).parent)
    except (OSError, RecursionError):
        return None


def _link_tree(source: str, into: str) -> None:
    """A build writes no symbolic link: one in the published site was put there since its
    build (the walk beside the build may not have told yet), and in the spare it would take
    the build's unlinking and writing outside the site (a folder linked elsewhere): none is
    made then."""
    os.mkdir(into)
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_symlink():
                raise OSError(errno.ELOOP, "a symbolic link in the published site",
                              entry.path)
            if entry.is_dir(follow_symlinks=False):
                _link_tree(entry.path, f"{into}/{entry.name}")
            else:
                os.link(entry.path, f"{into}/{entry.name}", follow_symlinks=False)


def _keep_spare(replaced: Path, target: Path, record: Path, keys_in: Path | None,
                unkeyed: object) -> None:
    """Keep the site just replaced as the next build's spare when its keys were trusted
    (``keys_in``, the published site's) and its unkeyed files are known; else delete it."""
    folder, keys_file, state_file = _spare_files(target, record)
    if keys_in is None or not isinstance(unkeyed, list) or not keys_in.is_file():
        remove_later(replaced)
        return
    try:
        replace_keys(keys_in, keys_file)
        os.rename(replaced, folder)
    except OSError:
        remove_later(replaced)
        return
    # last, with the folder's identity as renamed: a stop before leaves a spare with no
    # state, given up by the next build; a folder at its place that is not this one (a
    # '.site.spare/' a pull request committed, in a checkout whose cache folder a CI cache
    # restored with this state) is given up too, its files never published by their keys
    made = stat_signature(folder)  # a checkout or a copy has another inode and change time
    try:
        if made is None:
            raise OSError("the spare cannot be looked at")
        atomic_write(state_file, json.dumps({"code": code_key(), "unkeyed": unkeyed,
                                             "folder": made}).encode())
    except OSError:  # no state written (the claim of this build removed the last one)
        discard(folder)



def _carry_unkeyed(target: Path, staging: Path, unkeyed: object) -> None:
    """Link into ``staging`` each file the published site's build wrote without a key
    (``unkeyed``, as its record lists them: the feeds written whole, the resolver's files)
    that is not there once this build is done: a deferring build's (:func:`build_site`),
    which leaves the outputs that wrote them to the next build (not a page:
    ``reuse.carried_over``)."""
    if not isinstance(unkeyed, list):
        return
    base, site, made = os.fspath(staging), os.fspath(target), set()
    for rel in unkeyed:
        if not site_file(rel) or not carried_over(rel):
            continue
        into = f"{base}/{rel}"
        if os.path.lexists(into):
            continue
        folder = rel.rpartition("/")[0]
        try:
            if folder and folder not in made:
                os.makedirs(f"{base}/{folder}", exist_ok=True)
                made.add(folder)
        except OSError:  # a file where its folder would be: the next build makes it
            continue
        link_or_copy(f"{site}/{rel}", into)  # gone: the next build makes it


def _join(mkdocs_dir: Path, staging: Path) -> None:
    """Move the files MkDocs wrote into ``staging``, where the catalog's files are. The
    catalog writes after MkDocs and its file wins where both wrote one, as in one folder;
    the spare's files were deleted or made again first, so a file there is this build's."""
    base = os.fspath(mkdocs_dir)
    for folder, _dirs, names in os.walk(base):
        rel = os.path.relpath(folder, base)
        into = staging if rel == "." else staging / rel
        for name in names:
            if not os.path.lexists(into / name):
                into.mkdir(parents=True, exist_ok=True)
                os.replace(os.path.join(folder, name), into / name)
    shutil.rmtree(mkdocs_dir, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically with ``renameat2(RENAME_EXCHANGE)``; False where the
    system or file system cannot (then nothing was changed)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint)
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _recover(target: Path) -> None:
    """Mend what stopped builds left beside ``target``: put back an old site if the site
    itself is missing (a swap cut short), delete leftover old sites and the staging
    folders of builds that are no longer running."""
    if not target.parent.is_dir():
        return
    old, staging = [], []
    old_prefix, staging_prefix = f".{target.name}.old-", f".{target.name}.building-"
    for path in target.parent.iterdir():
        if path.is_symlink() or not path.is_dir():
            continue
        if path.name.startswith(old_prefix):
            old.append(path)
        elif path.name.startswith(staging_prefix) and not _running(path.name[len(staging_prefix):]):
            staging.append(path)
    if old and not target.exists():
        newest = max(old, key=lambda p: _swapped_at(p.name[len(old_prefix):]))
        os.replace(newest, target)
        old.remove(newest)
    remove_later(*sorted(old), *sorted(staging))


def _swapped_at(suffix: str) -> int:
    """When an old site was swapped out, from its name (0: a name without the time)."""
    found = re.match(r"(\d{16,})-", suffix)
    return int(found.group(1)) if found else 0


def _running(suffix: str) -> bool:
    """Whether the build that made a staging folder (its pid starts the suffix) runs."""
    found = re.match(r"(\d+)-", suffix)
    if not found:
        return False
    pid = int(found.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _show_mkdocs_messages() -> None:
    logger = logging.getLogger("mkdocs")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
