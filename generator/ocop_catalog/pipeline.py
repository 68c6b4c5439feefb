"""The build, from the catalog to the site folder: the only place that knows the outputs.

    records ──(records.loader)──▶ Catalog ──(edition.publish)──▶ Edition ──▶ outputs

:data:`OUTPUTS` lists the outputs (heavy ones in the order they run). Each is declared in its
own module as ``OUTPUT`` (:class:`ocop_catalog.outputs.Output`): a writer that
takes the edition, the site folder, its own options and the run, and a parser of
its options. :func:`check_options` checks every output's options before anything
is built; :func:`build` publishes the edition, runs every output and times each.
The heavy outputs (photos, pages, print; pages and print use the worker
processes themselves) run one after another. The light ones (the feeds) run side by
side in forked worker processes on a large catalog (:data:`PARALLEL_FROM`; an
incremental build from :data:`PARALLEL_INCREMENTAL_FROM`, in one worker fewer than there
are cores), started before the heavy ones and running beside them (the pages output spends
seconds in the parent alone); on a small catalog, after them in this process. In an
incremental build on a large catalog, a heavy output with a writer for it (``beside``: print)
makes what changed in a forked process of its own started with them, instead of after the
pages, unless that is more than one process should make alone (:func:`_finish_light`).
With ``defer`` (``ocop serve``'s rebuilds), an incremental build runs only the outputs of
the pages a browser shows (:data:`SHOWN`) and takes the previous build's other files over
as they were (:meth:`.Reuse.carry_rest`), for the build that follows to bring up to date.
Neither MkDocs nor the command line is known here: the MkDocs plugin and the CLI are
adapters over this module.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog.model import Catalog
from .edition import EditionConfig, publish
from .edition.keys import Keys
from .edition.printspec import parse_options as print_spec
from .edition.theme import load_compiled, save_compiled, theme_dirs
from .outputs import Output, Run, form, media, resolver
from .reuse import Drained, Reuse, handed_back
from .outputs import site as pages
from .outputs.feeds import atom, display, google, meta, opendata
from .outputs.printing import assets as printing
from .parallel import can_fork, collector_off, forked_pool, frozen, shared

__all__ = ["OUTPUTS", "Report", "build", "check_options"]

log = logging.getLogger("ocop_catalog.pipeline")

#: Every output: the heavy ones in the order they run, the light ones largest first.
OUTPUTS: tuple[Output, ...] = (
    media.OUTPUT,
    pages.OUTPUT,
    printing.OUTPUT,
    display.OUTPUT,
    opendata.OUTPUT,
    google.OUTPUT,
    meta.OUTPUT,
    atom.OUTPUT,
    form.OUTPUT,
    resolver.OUTPUT,
)

#: The outputs of the pages a browser shows (catalog pages and photos, kiosk pages, the
#: contribution form): those a deferring build (:func:`build`'s ``defer``) runs. Not print
#: (a new product's page links to its label before the next build makes it) nor the feeds.
SHOWN = frozenset({media.OUTPUT.name, pages.OUTPUT.name, display.OUTPUT.name,
                   form.OUTPUT.name})

#: Catalogs with fewer products run their light outputs in one process; an incremental
#: build, whose pages output spends most of its time in this process (keys, listings, the
#: search index) with the workers idle, runs them beside it from the smaller figure.
PARALLEL_FROM = 2000
PARALLEL_INCREMENTAL_FROM = 300

#: Whether this process has run :func:`build` before: from its second build on, the
#: outputs' ``warm`` is loaded here before the light outputs' workers fork.
_HAS_BUILT = False


@dataclass
class Report:
    """What a build wrote and how long each step took."""

    #: Files written, by output name.
    files: dict[str, int] = field(default_factory=dict)
    #: Seconds, by step: ``edition`` (photos processed, QR codes made in a cold build), each heavy
    #: output by name, and ``feeds`` for the light outputs together (on a large catalog,
    #: where they run beside the heavy ones: how long they went on after those).
    timings: dict[str, float] = field(default_factory=dict)
    #: Seconds each light output took (in its worker, or in this process on a small
    #: catalog) and each heavy one made beside the pages in its worker, by output name;
    #: none for a heavy one made after the pages after all.
    light: dict[str, float] = field(default_factory=dict)
    #: The outputs a deferring build left to the next one (``defer``), by name.
    deferred: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return self.files.get(pages.OUTPUT.name, 0)


def check_options(options: Mapping[str, Any], languages: tuple[str, ...],
                  root: Path) -> dict[str, Any]:
    """Every output's options checked (and the print specification, which pages state
    too), by output name; raises :class:`ocop_catalog.errors.OptionError`. Cheap: call it
    when the build starts, to fail before any page is built."""
    print_spec(options.get("print_assets"), root, languages, theme_dirs(root))
    return {output.name: output.options(options, languages) for output in OUTPUTS}


def build(catalog: Catalog, site_dir: Path, config: EditionConfig,
          options: Mapping[str, Any], *, cache_dir: Path, workers: int | None = None,
          info: Callable[[str], None] = log.info, reuse: Reuse | None = None,
          defer: bool = False) -> Report:
    """Publish ``catalog`` and write every output (with ``defer``, see below) into
    ``site_dir``; ``options`` are :func:`check_options`' result. With ``reuse``, files
    whose key is unchanged since the previous build are taken over from it
    (:mod:`ocop_catalog.reuse`), and ``reuse.keys`` holds every keyed file's key
    afterwards. With ``defer`` too (and a previous build), only the outputs in
    :data:`SHOWN` run, and every other keyed file of the previous build is taken over as
    it was (``report.deferred`` names the outputs left; the caller carries their unkeyed
    files over)."""
    global _HAS_BUILT
    report = Report()
    clock = time.perf_counter()
    built_before, _HAS_BUILT = _HAS_BUILT, True
    load_compiled(cache_dir, catalog.settings.root)  # the templates earlier builds compiled

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.timings[name] = now - clock
        clock = now

    # an incremental build makes the QR symbols of the files it makes, when it makes them
    edition = publish(catalog, config, cache_dir=cache_dir, workers=workers, info=info,
                      symbols=reuse is None or not reuse.incremental)
    lap("edition")
    run = Run(cache_dir=cache_dir, workers=workers, info=info, keys=Keys(edition), reuse=reuse,
              root=catalog.settings.root)
    site_dir = Path(site_dir)
    light, skipped = [], []
    if defer and reuse is not None and reuse.incremental:
        report.deferred = [output.name for output in OUTPUTS if output.name not in SHOWN]
    for output in OUTPUTS:
        if output.name in report.deferred:
            continue
        if output.absolute_urls and not edition.urls.site_url:
            skipped.append(output.name)
        elif output.light:
            light.append(output)
    if skipped:
        log.warning("site_url is not set in site_config.yml; %s need absolute URLs, so "
                    "none were written", ", ".join(skipped))
    skipped += report.deferred
    # an incremental build's heavy outputs that can make what changed in a worker, beside
    # the pages (print: a few labels and sheets, instead of after the pages on one core)
    beside = [output for output in OUTPUTS if output.beside is not None and not output.light
              and output.name not in skipped] if reuse is not None and reuse.incremental else []
    tasks = [(output, True) for output in beside] + [(output, False) for output in light]
    if reuse is not None and tasks:
        # every record's key (products, cards, producers, sales points), worked out once
        # here: the light outputs' workers and the pages' inherit them instead of each
        # working them out again (two thirds of a second of a core at 10,000 products)
        run.keys.catalog
    for output in light:
        # the templates the light outputs render, compiled here, where their code is kept
        # for the next build in this process ('ocop serve'; a worker's would be lost)
        for name in output.templates(options[output.name]):
            for used in run.keys.uses(name):
                run.keys.env.get_template(used)
    with contextlib.ExitStack() as stack:
        # the edition, its keys and templates live as long as the build: out of the
        # collector's walks (each full one walked all of them: a second of a
        # 10,000-product rebuild) and of the forked workers' copies, as the catalog is
        # once loaded; back to the collector when the build is over
        stack.enter_context(frozen())
        # on a large catalog the light outputs start first, in forked workers, and run
        # beside the heavy ones: those spend much of their time in this process alone
        # (keys, listings, the search index), with a core to spare
        pending = _start_light(tasks, edition, site_dir, options, run, stack,
                               warm=built_before) if tasks else None
        started = {output.name for output, _ in tasks} if pending is not None else set()
        for output in OUTPUTS:
            if not output.light and output.name not in skipped and output.name not in started:
                report.files[output.name] = output.write(edition, site_dir,
                                                         options[output.name], run)
                lap(output.name)
        if pending is not None:
            written, again = _finish_light(tasks, pending, run, report.light)
            report.files.update(written)
            lap("feeds")
            info(f"feeds: {sum(written[o.name] for o in light)} files, done "
                 f"{report.timings['feeds']:.2f} s after the other outputs"
                 f"{_each(report.light, light)}"
                 + "".join(f"; {o.name}: {written[o.name]} files, beside the pages "
                           f"({report.light[o.name]:.2f} s)"
                           for o in beside if o.name in written))
            for output in again:  # too much to make in one worker: here, on every core
                info(f"{output.name}: more to make than one worker beside the pages should; "
                     "made after them")
                report.files[output.name] = output.write(edition, site_dir,
                                                         options[output.name], run)
                lap(output.name)
        elif light:
            written = _run_light(light, edition, site_dir, options, run, report.light)
            report.files.update(written)
            lap("feeds")
            info(f"feeds: {sum(written.values())} files, done {report.timings['feeds']:.2f} s "
                 f"after the other outputs{_each(report.light, light)}")
    save_compiled(cache_dir, catalog.settings.root)
    if report.deferred:
        carried = reuse.carry_rest()
        info(f"deferred: {', '.join(report.deferred)}; {carried} files taken over as the "
             "previous build made them, for the next build to bring up to date")
    if reuse is not None and reuse.incremental:
        info(f"incremental: {reuse.taken + reuse.kept} of {len(reuse.keys)} keyed files "
             "taken over from the previous build"
             + (f", {len(reuse.redated)} written again for the build day"
                if reuse.redated else ""))
    info(f"catalog: {report.pages} pages, {len(edition.images)} photos; "
         + ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items()))
    return report


def _each(seconds: Mapping[str, float], outputs: list[Output]) -> str:
    """`` (display points 0.51 s, open data 4.20 s, …)``: how long each light output took
    (each has its time: only a heavy output made beside the pages can be made again)."""
    if not outputs:
        return ""
    return " (" + ", ".join(f"{o.name} {seconds[o.name]:.2f} s" for o in outputs) + ")"


def _light_state(tasks: list[tuple[Output, bool]], edition, site_dir: Path,
                 options: Mapping[str, Any], run: Run) -> dict[str, Any]:
    return {"tasks": tasks, "edition": edition, "site_dir": site_dir,
            "options": options, "run": run}


def _start_light(tasks: list[tuple[Output, bool]], edition, site_dir: Path,
                 options: Mapping[str, Any], run: Run, stack: contextlib.ExitStack, *,
                 warm: bool = False):
    """Start the light outputs, and the heavy ones to run beside the pages (each task: an
    output and whether it is one of those), in forked worker processes (their files do not
    depend on how many), to be collected by :func:`_finish_light`; None on a small catalog
    or where processes cannot be forked (then :func:`_run_light` writes the light ones in
    this process, and the heavy ones are written as usual). With ``warm``, each output's
    ``warm`` runs here first, so that the workers inherit what it loads."""
    cores = min(len(tasks), run.workers or os.cpu_count() or 1)
    incremental = run.reuse is not None and run.reuse.incremental
    if (cores < 2 or not can_fork() or len(edition.all_products)
            < (PARALLEL_INCREMENTAL_FROM if incremental else PARALLEL_FROM)):
        return None
    # an incremental build leaves this process a core of its own: it has the longer way
    # to go (keys, listings, the search index, then the pages' workers)
    workers = cores - 1 if incremental else cores
    if warm:  # what the workers would load again, kept in this process (Output.warm)
        for output, _ in tasks:
            if output.warm is not None:
                output.warm(edition, options[output.name], run)
    state = _light_state(tasks, edition, site_dir, options, run)
    beside = [i for i, (_, is_beside) in enumerate(tasks) if is_beside]
    light = [i for i, (_, is_beside) in enumerate(tasks) if not is_beside]
    started = []
    with collector_off():  # the workers inherit it off
        if beside:
            # in a process of their own, idle once they are done: the light outputs' workers
            # are as many as without them (one more would take cores from the pages'
            # workers when a template change makes thousands of pages)
            pool = stack.enter_context(forked_pool(1, light=state))
            started.append((beside, pool.map_async(_light_forked, beside, chunksize=1)))
        if light:
            pool = stack.enter_context(forked_pool(workers, light=state))
            started.append((light, pool.map_async(_light_forked, light, chunksize=1)))
    return started


def _finish_light(tasks: list[tuple[Output, bool]], pending, run: Run,
                  seconds: dict[str, float]) -> tuple[dict[str, int], list[Output]]:
    """Wait for the tasks :func:`_start_light` started: files written, by output, and the
    outputs that found too much to make beside the pages (nothing of theirs is kept);
    how long each took goes into ``seconds``."""
    results: dict[int, tuple] = {}
    for indexes, started in pending:
        results.update(zip(indexes, started.get()))
    counts, again = {}, []
    for i, (output, _) in enumerate(tasks):
        (count, took), keys = results[i]
        if count is None:
            again.append(output)
            continue
        counts[output.name] = count
        seconds[output.name] = took
        if run.reuse is not None:  # the keys of files the worker took or made
            run.reuse.merge(keys)
    return counts, again


def _run_light(outputs: list[Output], edition, site_dir: Path, options: Mapping[str, Any],
               run: Run, seconds: dict[str, float]) -> dict[str, int]:
    """Write the light outputs in this process (how long each took into ``seconds``)."""
    state = _light_state([(output, False) for output in outputs], edition, site_dir,
                         options, run)
    with collector_off():
        done = [_light(state, i) for i in range(len(outputs))]
    seconds.update((output.name, took) for output, (_, took) in zip(outputs, done))
    return {output.name: count for output, (count, _) in zip(outputs, done)}


def _light(state: dict[str, Any], index: int) -> tuple[int | None, float]:
    """Run a task: what its writer returns, and how many seconds it took."""
    output, beside = state["tasks"][index]
    write = output.beside if beside else output.write
    start = time.perf_counter()
    count = write(state["edition"], state["site_dir"], state["options"][output.name],
                  state["run"])
    return count, time.perf_counter() - start


def _light_forked(index: int) -> tuple[tuple[int | None, float], Drained]:
    state = shared("light")
    return handed_back(state["run"].reuse, lambda: _light(state, index))
