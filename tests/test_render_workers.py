"""Rendering on several cores writes exactly the files one process writes."""

from __future__ import annotations

import datetime as dt
import filecmp
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
