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
                                             theme_dir=REPO / "theme", root=REPO))
    monkeypatch.setattr(site_build, "PAGES_PER_WORKER", 10)
    one, two = tmp_path / "one", tmp_path / "two"
    written_one = SiteBuilder(edition, SiteOptions()).write(one, workers=1)
    written_two = SiteBuilder(edition, SiteOptions()).write(two, workers=2)
    assert written_one == written_two == len(_tree(one)) - len(catalog.products)  # + QR codes
    assert _tree(one) == _tree(two)
    differing = [rel for rel in _tree(one) if not filecmp.cmp(one / rel, two / rel, shallow=False)]
    assert differing == []
