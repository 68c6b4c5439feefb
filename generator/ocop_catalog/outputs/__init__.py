"""The outputs: each reads the published catalog (:mod:`ocop_catalog.edition`) and
writes its own files into the site folder, never reading another output.

:mod:`.media` the photos; :mod:`.site` the catalog pages, search index and sitemap;
:mod:`.printing` the QR codes and PDFs for print; :mod:`.feeds` one module per feed
format. The list of
outputs, in the order they run, is in :mod:`ocop_catalog.pipeline`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..edition import Edition
    from ..edition.keys import Keys
    from ..reuse import Reuse

__all__ = ["Output", "Run"]


@dataclass(frozen=True)
class Run:
    """What a build gives every output besides the edition and its options."""

    #: The build's cache folder (``cache_dir`` of the plugin options); an output keeps
    #: its cached files in a sub-folder of its own.
    cache_dir: Path
    #: Worker processes an output may use (None: one per core).
    workers: int | None = None
    info: Callable[[str], None] = logging.getLogger("ocop_catalog").info
    #: The keys of the edition's records and templates (:mod:`ocop_catalog.edition.keys`).
    keys: Keys | None = None
    #: The previous build's files an output may take over when their key is unchanged
    #: (:mod:`ocop_catalog.reuse`); None: make every file.
    reuse: Reuse | None = None
    #: The catalog's folder (the repository): an output deletes cache files only through
    #: no symbolic link below it (:func:`ocop_catalog.housekeeping.no_links`).
    root: Path | None = None


def no_options(options: Mapping[str, Any], languages: tuple[str, ...]) -> None:
    return None


def no_templates(options: Any) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class Output:
    """An output of the build, declared in its own module as ``OUTPUT``.

    ``write(edition, site_dir, options, run)`` writes its files and returns how many;
    ``options(plugin_options, languages)`` checks its part of the ``ocop`` plugin
    options (raising :class:`ocop_catalog.errors.OptionError`) and returns what
    ``write`` gets. The build checks every output's options before anything is built.
    """

    name: str
    write: Callable[[Edition, Path, Any, Run], int]
    options: Callable[[Mapping[str, Any], tuple[str, ...]], Any] = no_options
    #: A fast writer (a feed): on a large catalog the light outputs run side by side in
    #: worker processes; the others use the worker processes themselves.
    light: bool = False
    #: Needs absolute URLs: skipped, with a warning, when ``site_url`` is not set.
    absolute_urls: bool = False
    #: The theme templates it renders with its options (a light output: compiled before
    #: its worker forks, so that 'ocop serve' keeps their code from one build to the next).
    templates: Callable[[Any], tuple[str, ...]] = no_templates
    #: A heavy output's writer for an incremental build on a large catalog, run beside the
    #: pages, as the light outputs are, in a worker process (one core: it forks none): it
    #: writes what changed and returns how many files it wrote, or None, having finished
    #: nothing, when that is more than a worker should make alone; ``write`` then runs
    #: after the pages, on every core.
    beside: Callable[[Edition, Path, Any, Run], int | None] | None = None
    #: What a writer run in a worker process loads that this process can keep for its next
    #: build (print: its fonts, a fifth of a second to parse): loaded here before the
    #: workers fork from this process's second build on ('ocop serve'), so that each
    #: rebuild's worker inherits it instead of loading it again. A first build leaves it
    #: to the worker: this process has the longer way to go.
    warm: Callable[[Edition, Any, Run], None] | None = None
