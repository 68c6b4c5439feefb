"""``ocop serve``: the site as ``ocop build`` makes it, served locally, rebuilt on every change.

Every build, the first one and each one after a change, is :func:`ocop_catalog.build.build_site`
run in this process: the same incremental path as ``ocop build`` (files whose key did
not change are taken over, the rest made, then one atomic swap), into a preview folder of
its own (``<cache_dir>/preview``), with ``site_url`` set to the local address so that
absolute links (feeds, QR targets, the sitemap) lead to the preview. The preview folder
keeps its files and keys between sessions: starting ``ocop serve`` again after an edit
remakes only what the edit changed.

MkDocs' live-reload server serves the folder and watches ``products/``, the authored
pages, the theme folders and ``site_config.yml``; a browser showing a page reloads when
the build that follows a change is swapped in. A build that fails (an invalid record, a
template error) is reported and the preview stays as it was, as with ``ocop build``.

Staying in one process is what makes a rebuild quick: no interpreter start and no imports,
and the Jinja templates are compiled once for the session (:mod:`ocop_catalog.edition.theme`
keeps their code in memory by source).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.livereload import LiveReloadServer
from mkdocs.config import load_config

from .build import BuildFailed, build_site
from .edition.theme import OVERRIDES, PACKAGED
from .settings import plugin_options

__all__ = ["PREVIEW", "serve"]

log = logging.getLogger("mkdocs.commands.serve")

#: The preview folder, under the catalog's cache folder.
PREVIEW = "preview"
#: What a change under which triggers a rebuild (besides the config file and docs_dir).
_WATCHED = ("products", "catalog", "theme", OVERRIDES)


def serve(config_file: Path, dev_addr: str = "127.0.0.1:8000", *,
          open_in_browser: bool = False) -> None:
    """Build ``config_file``'s catalog into its preview folder, serve it at ``dev_addr``
    and rebuild it whenever an input changes, until interrupted."""
    config_file = Path(config_file).resolve()
    root = config_file.parent
    config = load_config(config_file=str(config_file), dev_addr=dev_addr)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path or "/"
    server_url = f"http://{host}:{port}{mount_path}" if ":" not in host else \
        f"http://[{host}]:{port}{mount_path}"
    cache_dir = plugin_options(config_file).get("cache_dir") or ".cache/ocop"
    site_dir = (root / str(cache_dir) / PREVIEW).resolve()

    def build() -> None:
        _, built = build_site(config_file, site_dir, site_url=server_url)
        if not built:
            log.info("no input changed; the preview is up to date")

    def rebuild() -> None:  # the errors are said; the preview stays as it was
        try:
            build()
        except BuildFailed as exc:
            log.error("ocop serve: %s", exc)

    try:
        build()
    except BuildFailed as exc:
        if not (site_dir / "index.html").is_file():
            raise
        log.error("ocop serve: %s; serving the preview built before", exc)
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir),
                              mount_path=mount_path)

    def error_page(code: int) -> bytes | None:  # the catalog's own 404 page
        page = site_dir / "404.html"
        return page.read_bytes() if code == 404 and page.is_file() else None

    server.error_handler = error_page
    watched = [config_file, Path(config.docs_dir), *(root / name for name in _WATCHED)]
    for path in dict.fromkeys(p.resolve() for p in watched):
        if path.exists() and path != PACKAGED:
            server.watch(str(path))
    try:
        server.serve(open_in_browser=open_in_browser)
    except KeyboardInterrupt:
        log.info("Shutting down...")
    finally:
        server.shutdown()
