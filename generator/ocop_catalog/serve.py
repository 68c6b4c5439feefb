"""``ocop serve``: the site as ``ocop build`` makes it, served locally, rebuilt on every change.

Every build, the first one and each one after a change, is :func:`ocop_catalog.build.build_site`
run in this process: the same incremental path as ``ocop build`` (files whose key did
not change are taken over, the rest made, then one atomic swap), into a preview folder of
its own (``<cache_dir>/preview``), with ``site_url`` set to the local address so that
absolute links (feeds, QR targets, the sitemap) lead to the preview. The preview folder
keeps its files and keys between sessions: starting ``ocop serve`` again after an edit
remakes only what the edit changed.

MkDocs' live-reload server serves the folder and watches ``products/``, the authored
pages, the theme folders and ``site_config.yml``. A rebuild after a change comes in two
builds: the first makes what a browser shows (the catalog's pages and photos, kiosk pages,
the form) and takes every other file over as the last build left it (``build_site``'s
``defer``: the feeds and print assets); once it is swapped in, a browser showing a page
reloads, and a second build brings the rest up to date, unless another change is already
waiting (whose own second build follows it). Each build is swapped in whole. Until the
second is, a new product's page links to print assets not made yet, and a deleted
product's are still there. A build that fails (an invalid record, a template error) is
reported and the preview stays as it was, as with ``ocop build``.

Staying in one process is what makes a rebuild quick: no interpreter start and no imports,
and the Jinja templates are compiled once for the session (:mod:`ocop_catalog.edition.theme`
keeps their code in memory by source).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.livereload import LiveReloadServer

from .build import BuildFailed, build_site, unreadable
from .edition.theme import OVERRIDES
from .mkdocs_plugin import say_nothing_again, say_warnings_once
from .parallel import unfreeze
from .records.history import CATALOG_JSON
from .settings import plugin_options

__all__ = ["PREVIEW", "serve"]

log = logging.getLogger("mkdocs.commands.serve")

#: The preview folder, under the catalog's cache folder.
PREVIEW = "preview"
#: What a change under which triggers a rebuild (besides the config file and docs_dir).
_WATCHED = ("products", "catalog", "theme", OVERRIDES)
#: Seconds without a further change before a rebuild starts, when changes are told by
#: the kernel (:func:`_live_server`).
NOTIFIED_BUILD_DELAY = 0.03


def serve(config_file: Path, dev_addr: str = "127.0.0.1:8000", *,
          open_in_browser: bool = False) -> None:
    """Build ``config_file``'s catalog into its preview folder, serve it at ``dev_addr``
    and rebuild it whenever an input changes, until interrupted. Raises
    :class:`BuildFailed` when the first build fails with no earlier preview to serve, the
    configuration cannot be read, or another ``ocop serve`` previews the same catalog."""
    config_file = Path(config_file).resolve()
    root = config_file.parent
    try:
        config = load_config(config_file=str(config_file), dev_addr=dev_addr)
        cache_dir = plugin_options(config_file).get("cache_dir") or ".cache/ocop"
    except (MkDocsException, Abort, yaml.YAMLError) as exc:
        raise unreadable(config_file, exc, "nothing is served") from None
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path or "/"
    server_url = _server_url(host, port, mount_path)
    _check_free(host, port)  # before a first build that may take minutes
    site_dir = (root / str(cache_dir) / PREVIEW).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(site_dir.with_name(f"{PREVIEW}.lock"))
    for former in (site_dir.with_name("serve"), site_dir.with_name("serve.keys.json")):
        shutil.rmtree(former, ignore_errors=True)  # where an earlier 'ocop serve' kept its files
        if former.is_file():
            former.unlink()
    # clashes (ids, GTINs, printed codes) are decided by the published site, as when
    # building it, not by the preview of earlier edits
    published = Path(config.site_dir) / CATALOG_JSON
    say_warnings_once(root)  # after the first build, a save's new warnings only

    def build(defer: bool = False) -> bool:
        try:
            _, built = build_site(config_file, site_dir, site_url=server_url,
                                  published=published, own=True, defer=defer)
        finally:
            unfreeze()  # the build froze its catalog: let the collector have it back
        return built

    def attempt(defer: bool, failed: str) -> bool | None:
        """A build; None when it failed (said; the preview stays as it was)."""
        try:
            return build(defer)
        except BuildFailed as exc:
            log.error("ocop serve: %s%s", failed, exc)
        except Exception as exc:  # noqa: BLE001 - a template, a disk: said, not raised
            log.error("ocop serve: %sthe rebuild failed, the preview is unchanged (%s: %s)",
                      failed, type(exc).__name__, exc)
        return None

    def rebuild() -> None:
        # the pages first, when the browsers can be told to reload once they are in
        early = _can_show(server)
        built = attempt(early, "")
        if built is False:
            log.info("no input changed; the preview is up to date")
        if not built or not early:
            return
        _show_built(server)  # the browsers reload now; the feeds and print assets follow
        if _changed_again(server):
            log.info("ocop serve: another change came; the feeds and print assets are made "
                     "after its pages")
            return
        say_nothing_again(root)  # the records the first build has just reported on
        if attempt(False, "the feeds and print assets: ") is not None:
            log.info("ocop serve: the feeds and print assets are up to date too")

    server = None
    try:
        if not build():
            log.info("no input changed; the preview is up to date")
    except BuildFailed as exc:
        if not (site_dir / "index.html").is_file():
            raise
        log.error("ocop serve: %s; serving the preview built before", exc)

    def error_page(code: int) -> bytes | None:  # the catalog's own 404 page
        page = site_dir / "404.html"
        return page.read_bytes() if code == 404 and page.is_file() else None

    watched = [config_file, Path(config.docs_dir), *(root / name for name in _WATCHED),
               *map(Path, config.watch)]
    paths = [p for p in dict.fromkeys(p.resolve() for p in watched) if p.exists()]
    server = _live_server(rebuild, host, port, site_dir, mount_path, error_page, paths)
    reloads = logging.getLogger("mkdocs.livereload")
    reloads.addFilter(_RELOADED)
    log.info("ocop serve: the preview is at %s", server_url)
    try:
        server.serve(open_in_browser=open_in_browser)
    except KeyboardInterrupt:
        log.info("Shutting down...")
    finally:
        reloads.removeFilter(_RELOADED)
        server.shutdown()
        lock.close()


def _can_show(server: LiveReloadServer | None) -> bool:
    """Whether :func:`_show_built` can tell ``server``'s browsers to reload (it has the
    attributes of MkDocs 1.6's ``LiveReloadServer`` that takes)."""
    return all(hasattr(server, name) for name in
               ("_epoch_cond", "_wanted_epoch", "_visible_epoch"))


def _show_built(server: LiveReloadServer | None) -> bool:
    """Have the browsers reload now, as MkDocs' server does when its builder returns: its
    pages are served again as the site now is (MkDocs 1.6's ``LiveReloadServer`` holds
    every request while a build runs, until the epoch it shows is the one the build began
    as). False, with nothing done, for a server without those attributes (a rebuild is
    then one build, after which the browsers reload)."""
    if not _can_show(server):
        return False
    cond = server._epoch_cond
    with cond:
        server._visible_epoch = server._wanted_epoch
        cond.notify_all()
    log.info("ocop serve: the pages are up to date; reloading browsers")
    _RELOADED.said = True
    return True


class _Reloaded(logging.Filter):
    """MkDocs' "Reloading browsers" when its builder returns, left out after a rebuild
    whose pages :func:`_show_built` had the browsers reload for (and said so): there is no
    second reload."""

    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.said and record.getMessage().endswith("Reloading browsers"):
            self.said = False
            return False
        return True


_RELOADED = _Reloaded()


def _changed_again(server: LiveReloadServer) -> bool:
    """Whether a change is waiting for the next build (MkDocs' server's flag)."""
    cond = getattr(server, "_rebuild_cond", None)
    if cond is None:
        return False
    with cond:
        return bool(getattr(server, "_want_rebuild", False))


def _live_server(rebuild, host: str, port: int, site_dir: Path, mount_path: str,
                 error_page, paths: list[Path]) -> LiveReloadServer:
    """MkDocs' live-reload server over ``site_dir``, rebuilding when a file under ``paths``
    changes. Changes are told by the kernel (inotify) where it can: MkDocs' server polls
    every watched file twice a second, which costs a fifth of a core at 1,000 products
    and two thirds at 10,000, all session long, and sees a change only at the next poll.
    Where inotify is missing or its watches run out, it polls."""
    def server() -> LiveReloadServer:
        made = _Server(builder=rebuild, host=host, port=port, root=str(site_dir),
                       mount_path=mount_path)
        made.error_handler = error_page
        return made

    why = _cannot_notify(paths)
    if why is None:
        notified = server()
        # how long the server waits for a change to be followed by another before it
        # builds (MkDocs: 0.1 s, for its polling): the kernel tells of each change as it
        # happens, and an editor's save is over within milliseconds; a change that goes
        # on longer (a checkout, a large photo copied slowly) may start a build early,
        # which is said and replaced by the build that follows the last change
        notified.build_delay = NOTIFIED_BUILD_DELAY
        try:
            notified.observer = _ChangeObserver()
            for path in paths:
                notified.watch(str(path))
            if paths:
                notified.observer.start()  # now, to fall back if it cannot watch everything
            return notified
        except (OSError, TypeError) as exc:  # out of inotify instances; an older watchdog
            why = getattr(exc, "strerror", None) or str(exc)
            with contextlib.suppress(Exception):
                notified.observer.stop()
            notified.server_close()
    log.info("ocop serve: watching for changes by polling (%s)", why)
    polled = server()
    for path in paths:
        polled.watch(str(path))
    return polled


class _Server(LiveReloadServer):
    """MkDocs' live-reload server, announcing the length of the file it sends. MkDocs'
    asks the size of the file at the path after opening it: a build swapped in between
    (the build of the feeds and print assets after an edit's pages, while browsers load
    them) has it announce the new file's length and send the old file's bytes, which
    leaves a browser waiting for more, or reading the rest as the next response; and a
    file no longer at its path then was an error (500), where it is now served as the site
    now is (the new file, or "not found")."""

    def _serve_request(self, environ, start_response):
        said = []

        def hold(status, headers, exc_info=None):  # told once the body is known
            said.append((status, headers, exc_info))
            return lambda data: None  # WSGI's write(), which MkDocs' server never calls

        try:
            body = super()._serve_request(environ, hold)
        except FileNotFoundError:  # gone from the path between its open and its size (a
            # swap by two renames; a file the new site no longer has): as the site now is
            said.clear()
            body = super()._serve_request(environ, hold)
        if said:
            status, headers, exc_info = said[0]
            size = _open_size(body)
            if size is not None:
                headers = [(name, str(size) if name.lower() == "content-length" else value)
                           for name, value in headers]
            start_response(status, headers, exc_info)
        return body


def _open_size(body) -> int | None:
    """The size of the open file ``body`` sends (a ``wsgiref`` file wrapper), if it is one."""
    try:
        return os.fstat(body.filelike.fileno()).st_size
    except (AttributeError, OSError, ValueError):  # not a file (a page read whole: bytes)
        return None


def _cannot_notify(paths: list[Path]) -> str | None:
    """Why inotify cannot watch ``paths`` (None: it can). It needs a watch per folder, and
    watchdog leaves out, without a word, the folders it has no watch left for: with fewer
    than twice as many watches as folders (the limit is per user, and editors use them
    too), polling is the safe choice."""
    if _ChangeObserver is None:
        return "inotify is not available here"
    folders = 0
    for path in paths:
        if path.is_dir():
            folders += 1 + sum(len(dirs) for _, dirs, _ in os.walk(path))
    try:
        limit = int(Path("/proc/sys/fs/inotify/max_user_watches").read_text())
    except (OSError, ValueError):
        return "the inotify watch limit cannot be read"
    if 2 * folders > limit:
        return (f"{folders} folders to watch and an inotify limit of {limit} watches; raise "
                "fs.inotify.max_user_watches to be told of changes at once")
    return None


try:
    if not sys.platform.startswith("linux"):
        raise ImportError("inotify is Linux's")
    from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirModifiedEvent,
                                 DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                                 FileDeletedEvent, FileModifiedEvent, FileMovedEvent)
    from watchdog.observers.inotify import InotifyObserver
except Exception:  # noqa: BLE001 - not Linux, a libc without inotify, an older watchdog
    _ChangeObserver = None
else:
    #: What counts as a change: not the opening and reading of files, which every build
    #: does to the files it watches (and would set off another build).
    _CHANGES = (FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent,
                FileClosedEvent, DirCreatedEvent, DirDeletedEvent, DirModifiedEvent,
                DirMovedEvent)

    class _ChangeObserver(InotifyObserver):  # type: ignore[no-redef]
        """inotify, told only of changes; started once (by :func:`_live_server`, then
        MkDocs' server starts it again: nothing to do)."""

        def schedule(self, event_handler, path, *, recursive=False, event_filter=None,
                     **options):
            return super().schedule(event_handler, path, recursive=recursive,
                                    event_filter=_CHANGES, **options)

        def start(self) -> None:
            if not self.is_alive():
                super().start()


def _server_url(host: str, port: int, mount_path: str) -> str:
    return f"http://[{host}]:{port}{mount_path}" if ":" in host else \
        f"http://{host}:{port}{mount_path}"


def _check_free(host: str, port: int) -> None:
    """Raise :class:`BuildFailed` when ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise BuildFailed(f"cannot listen on {_server_url(host, port, '/')} "
                              f"({exc.strerror or exc}); choose another with -a HOST:PORT"
                              ) from None


def _lock(path: Path):
    """Hold ``path`` locked for the session: one ``ocop serve`` per preview folder."""
    handle = open(path, "a+b")  # noqa: SIM115 - held until the session ends
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        return handle
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise BuildFailed("another 'ocop serve' is previewing this catalog (stop it first, "
                          "or run this one from another copy)") from None
    return handle
