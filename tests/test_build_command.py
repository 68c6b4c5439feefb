"""``ocop build`` on a small scratch catalog: it builds, skips when nothing
changed, and rebuilds when a record changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ocop_catalog import cli
from scratch import GOODS_FILE, build_catalog
from siteutil import REPO, build_scratch_with



def _build(root: Path, site: Path, capsys) -> str:
    assert cli.main(["build", "-f", str(root / "site_config.yml"), "-d", str(site)]) == 0
    return capsys.readouterr().out


def test_build_skips_when_nothing_changed_and_rebuilds_after_a_change(tmp_path, capsys,
                                                                      monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772323200")  # 2026-03-01, the scratch day
    scratch = build_catalog(tmp_path / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    site = tmp_path / "site"

    assert "Site built in" in _build(scratch.root, site, capsys)
    page = site / "products" / "mat-ong-hoa-rung" / "index.html"
    first = page.stat().st_mtime_ns

    assert "up to date" in _build(scratch.root, site, capsys)
    assert page.stat().st_mtime_ns == first  # nothing was written

    scratch.edit(GOODS_FILE, "  amount: 250000", "  amount: 260000")
    later = scratch.path(GOODS_FILE).stat().st_mtime_ns + 10**9
    os.utime(scratch.path(GOODS_FILE), ns=(later, later))
    assert "Site built in" in _build(scratch.root, site, capsys)
    assert "260.000" in page.read_text(encoding="utf-8")


def test_a_bad_listing_page_size_fails_the_build_with_its_name(tmp_path):
    result = build_scratch_with(tmp_path, "      listing_page_size: 0\n")
    assert result.returncode != 0
    assert "'listing_page_size' must be 1 or more" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()
