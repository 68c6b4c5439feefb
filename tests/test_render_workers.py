"""Rendering on several cores writes exactly the files one process writes."""

from __future__ import annotations

import datetime as dt
import filecmp
import re
from pathlib import Path

import ocop_catalog.outputs.site.pages as site_build
from ocop_catalog.records.loader import load_catalog
from ocop_catalog.settings import load_settings
from ocop_catalog.edition import Edition, EditionConfig
from ocop_catalog.outputs.site.pages import SiteBuilder, SiteOptions
from siteutil import REPO


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_two_workers_write_the_same_site_as_one(tmp_path, monkeypatch):
    catalog = load_catalog(load_settings(REPO, today=dt.date(2026, 11, 29))).catalog
    edition = Edition(catalog, EditionConfig(site_url="https://ocop.example.vn/",
                                             root=REPO))
    monkeypatch.setattr(site_build, "PAGES_PER_WORKER", 10)
    one, two = tmp_path / "one", tmp_path / "two"
    written_one = SiteBuilder(edition, SiteOptions()).write(one, workers=1)
    written_two = SiteBuilder(edition, SiteOptions()).write(two, workers=2)
    assert written_one == written_two == len(_tree(one)) - len(catalog.products)  # + QR codes
    assert _tree(one) == _tree(two)
    differing = [rel for rel in _tree(one) if not filecmp.cmp(one / rel, two / rel, shallow=False)]
    assert differing == []


def test_every_output_writes_the_same_files_on_two_cores_as_on_one(tmp_path, monkeypatch):
    """The whole pipeline (photos, pages, print, every feed) with every parallel path
    taken: QR symbols and light outputs in forked processes too."""
    import ocop_catalog.edition as edition_module
    import ocop_catalog.outputs.printing.assets as print_module
    from ocop_catalog import pipeline
    from scratch import build_catalog

    scratch = build_catalog(tmp_path / "repo")
    scratch.add_producer("htx-thu-hai")
    scratch.add_goods("htx-thu-hai", "ruou-thu-hai")
    result = load_catalog(scratch.settings())
    assert result.catalog is not None, result.issues
    config = EditionConfig(site_url="https://ocop.example.vn/",
                           root=REPO)
    options = pipeline.check_options({"feeds": {"kiosk": {"languages": ["vi", "en"]}}},
                                     result.catalog.settings.languages, REPO)
    monkeypatch.setattr(site_build, "PAGES_PER_WORKER", 5)
    monkeypatch.setattr(edition_module, "SYMBOLS_PER_WORKER", 1)
    monkeypatch.setattr(print_module, "PRODUCTS_PER_WORKER", 1)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 1)
    one, two = tmp_path / "one", tmp_path / "two"
    reports = [pipeline.build(result.catalog, site, config, options,
                              cache_dir=tmp_path / f"cache-{workers}", workers=workers)
               for site, workers in ((one, 1), (two, 2))]
    assert reports[0].files == reports[1].files
    assert reports[0].files["open data"] and reports[0].files["print"]
    assert _tree(one) == _tree(two)
    differing = [rel for rel in _tree(one) if not filecmp.cmp(one / rel, two / rel, shallow=False)]
    assert differing == []


def test_a_rebuild_that_takes_every_file_over_makes_no_qr_symbol(tmp_path, monkeypatch):
    """QR symbols are made for the files a build makes: a rebuild of the same catalog
    takes every QR code, PNG and label over and encodes none, and still writes what the
    cold build wrote."""
    import ocop_catalog.edition as edition_module
    from ocop_catalog import pipeline
    from ocop_catalog.reuse import Reuse

    from scratch import build_catalog
    from test_lots import with_lots

    scratch = build_catalog(tmp_path / "repo")
    scratch.add_producer("htx-thu-hai")
    scratch.add_goods("htx-thu-hai", "ruou-thu-hai")
    with_lots(scratch)  # lots have QR codes of their own
    catalog = load_catalog(scratch.settings()).catalog
    assert catalog is not None and any(p.record.lots for p in catalog.products.values())
    config = EditionConfig(site_url="https://ocop.example.vn/", root=REPO)
    options = pipeline.check_options({}, catalog.settings.languages, REPO)
    encoded: list[str] = []
    real = edition_module.symbol
    monkeypatch.setattr(edition_module, "symbol", lambda text: encoded.append(text) or real(text))
    cold, again = tmp_path / "cold", tmp_path / "again"
    first = Reuse(cold)
    pipeline.build(catalog, cold, config, options, cache_dir=tmp_path / "cache", workers=1,
                   reuse=first)
    assert len(encoded) >= len(catalog.products)  # the cold build drew every code
    encoded.clear()
    second = Reuse(again, cold, first.keys)
    pipeline.build(catalog, again, config, options, cache_dir=tmp_path / "cache", workers=1,
                   reuse=second)
    assert encoded == []
    assert len([rel for rel in _tree(cold) if rel.startswith("qr/lots/")]) == 2
    assert len([rel for rel in _tree(cold) if rel.endswith(".svg") and rel.startswith("qr/")]
               ) == len(catalog.products)
    assert second.taken == len(first.keys)
    assert _tree(again) == _tree(cold)
    differing = [rel for rel in _tree(cold)
                 if not filecmp.cmp(cold / rel, again / rel, shallow=False)]
    assert differing == []


def _price_change_builds(tmp_path, monkeypatch, beside_products: int
                         ) -> tuple[list[str], bool]:
    """A cold build, then an incremental build after a price change with the heavy
    outputs' forked path taken (large-catalog thresholds lowered), compared with a cold
    build of the changed catalog; the incremental build's log lines, and whether that
    build loaded the label fonts in this process (emptied of them first, as a process
    whose earlier builds drew its labels only in workers)."""
    from ocop_catalog import pipeline
    from ocop_catalog.outputs.printing import assets as print_module
    from ocop_catalog.reuse import Reuse

    from scratch import GOODS_FILE, build_catalog

    scratch = build_catalog(tmp_path / "repo")
    scratch.add_producer("htx-thu-hai")
    scratch.add_goods("htx-thu-hai", "ruou-thu-hai")
    config = EditionConfig(site_url="https://ocop.example.vn/", root=REPO)
    monkeypatch.setattr(pipeline, "PARALLEL_INCREMENTAL_FROM", 1)
    monkeypatch.setattr(print_module, "BESIDE_PRODUCTS", beside_products)

    def build(site: Path, reuse: Reuse | None, log: list[str] | None = None) -> None:
        catalog = load_catalog(scratch.settings()).catalog
        options = pipeline.check_options({}, catalog.settings.languages, REPO)
        pipeline.build(catalog, site, config, options, cache_dir=tmp_path / "cache",
                       workers=2, reuse=reuse, info=(log.append if log is not None
                                                     else lambda line: None))

    first = Reuse(tmp_path / "before")
    build(tmp_path / "before", first)
    scratch.edit(GOODS_FILE, "amount: 250000", "amount: 270000")
    log: list[str] = []
    again = Reuse(tmp_path / "after", tmp_path / "before", first.keys)
    monkeypatch.setattr(print_module, "_FONTS", {})
    build(tmp_path / "after", again, log)
    fonts_here = bool(print_module._FONTS)
    build(tmp_path / "cold", None)
    after, cold = tmp_path / "after", tmp_path / "cold"
    assert _tree(after) == _tree(cold)
    differing = [rel for rel in _tree(cold) if not filecmp.cmp(cold / rel, after / rel,
                                                             shallow=False)]
    assert differing == []
    label = next(rel for rel in _tree(after) if rel.startswith("print/products/")
                 and "mat-ong-hoa-rung" in rel and rel.endswith(".pdf"))
    assert (after / label).stat().st_ino != (tmp_path / "before" / label).stat().st_ino
    return log, fonts_here


def test_print_made_beside_the_pages_of_an_incremental_build_is_a_cold_builds(
        tmp_path, monkeypatch):
    """On a large catalog an incremental build draws the few labels and sheets a price
    changes in the light outputs' worker, beside the pages: the same files as a cold
    build (the changed product's label drawn again); the log says how long each light
    output and print took in its worker. The fonts that worker draws with were loaded in
    this process before it forked (a second build here: 'ocop serve' keeps them, where
    each rebuild's worker parsed them again, a fifth of a second)."""
    from ocop_catalog import pipeline

    log, fonts_here = _price_change_builds(tmp_path, monkeypatch, beside_products=50)
    assert fonts_here
    assert any("print:" in line and "beside the pages" in line for line in log), log
    # and how long each light output and print took in its worker, every one named
    light = [o.name for o in pipeline.OUTPUTS if o.light]
    (feeds,) = [line for line in log if line.startswith("feeds:")]
    each = " [0-9]+\\.[0-9]{2} s, ".join(map(re.escape, light)) + " [0-9]+\\.[0-9]{2} s"
    assert re.search(rf"after the other outputs \({each}\); print: [0-9]+ files, beside the "
                     r"pages \([0-9]+\.[0-9]{2} s\)$", feeds), feeds


def test_print_with_too_much_to_draw_beside_the_pages_is_drawn_after_them(
        tmp_path, monkeypatch):
    """More to draw than one worker should draw alone: nothing of the worker's is kept,
    and print runs after the pages on every core, with the same files as a cold build."""
    log, _ = _price_change_builds(tmp_path, monkeypatch, beside_products=0)
    assert not any("files, beside the pages" in line for line in log), log
    assert any(line.startswith("print: more to make") for line in log), log
    assert any(line.startswith("catalog:") and "print " in line for line in log), log
