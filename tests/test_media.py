"""The sample's published photos: what a free static host has to carry, what pages, feeds
and exports point at, and what a browser shows (docs/configuration.md, "media")."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from ocop_catalog.edition.images import DEFAULT_WIDTHS
from PIL import Image
from scratch import GOODS
from siteutil import build_scratch_with

#: The most published media the sample may take per product (three photos each, most).
BUDGET_PER_PRODUCT = 400 * 1024
#: A media URL as any page, feed, export or index writes it (relative or absolute).
MEDIA_URL = re.compile(r"media/([0-9a-f]{16})/([A-Za-z0-9._-]+)")
#: Files a consumer reads as text (pages, feeds, search index, kiosk, host files).
TEXT_SUFFIXES = {".html", ".json", ".xml", ".csv", ".tsv", ".txt", ".js", ".webmanifest"}
WEBP_NAME = re.compile(r"^\d+\.webp$")


def _product_count(site: Path) -> int:
    return len(json.loads((site / "feeds" / "catalog.json").read_text("utf-8"))["products"])


def _published(site: Path) -> dict[str, int]:
    """Every file under media/, as "<folder>/<name>", with its size."""
    return {f"{p.parent.name}/{p.name}": p.stat().st_size
            for p in (site / "media").rglob("*") if p.is_file()}


def _referenced(site: Path) -> dict[str, set[str]]:
    """Every media file named anywhere in the site ("<folder>/<name>" → where)."""
    found: dict[str, set[str]] = {}

    def scan(text: str, where: str) -> None:
        for folder, name in MEDIA_URL.findall(text):
            found.setdefault(f"{folder}/{name}", set()).add(where)

    for path in site.rglob("*"):
        if not path.is_file() or "media" in path.relative_to(site).parts[:1]:
            continue
        rel = path.relative_to(site).as_posix()
        if path.suffix in TEXT_SUFFIXES or path.name in ("_headers", "_redirects"):
            scan(path.read_text("utf-8", errors="replace"), rel)
        elif path.suffix == ".xlsx":  # the marketplace sheets: every XML part of the book
            with zipfile.ZipFile(path) as book:
                for part in book.namelist():
                    if part.endswith(".xml"):
                        scan(book.read(part).decode("utf-8"), f"{rel}:{part}")
    return found


def test_published_media_per_product_fits_a_free_host(sample_site):
    published = _published(sample_site)
    products = _product_count(sample_site)
    per_product = sum(published.values()) / products
    assert per_product <= BUDGET_PER_PRODUCT, (
        f"{per_product / 1024:.0f} KiB of media per product ({len(published)} files for "
        f"{products} products); at most {BUDGET_PER_PRODUCT // 1024} KiB")
    # by default a photo is WebPs for pages and one square JPEG for marketplaces, no more
    folders = Counter(key.split("/")[0] for key in published)
    for key in published:
        name = key.split("/")[1]
        assert WEBP_NAME.match(name) or name == "square.jpg", key
    assert max(folders.values()) <= len(DEFAULT_WIDTHS) + 1, folders.most_common(3)


def test_every_media_file_named_anywhere_exists_and_every_published_one_is_used(sample_site):
    published, referenced = _published(sample_site), _referenced(sample_site)
    missing = {key: sorted(where)[:3] for key, where in referenced.items()
               if key not in published}
    assert not missing, f"{len(missing)} media files named but not published: {missing}"
    unused = sorted(set(published) - set(referenced))
    assert not unused, f"{len(unused)} published media files nothing uses: {unused[:10]}"
    # the consumers whose formats are fixed get what they accept
    for key, where in referenced.items():
        kinds = {w.split("/")[1] for w in where if w.startswith("feeds/")}
        if kinds & {"google", "meta", "exports"}:  # marketplaces: JPEG (Meta takes no WebP)
            assert key.endswith("/square.jpg"), (key, sorted(where)[:3])


def test_every_published_media_file_is_what_its_name_says(sample_site):
    for path in (sample_site / "media").rglob("*"):
        if path.is_file():
            with Image.open(path) as image:
                assert image.format == ("JPEG" if path.suffix == ".jpg" else "WEBP"), path
                if path.name == "square.jpg":
                    assert image.width == image.height >= 500, path
                else:
                    assert image.width == int(path.stem), path


def test_jpeg_fallbacks_and_extra_widths_are_opt_in(tmp_path):
    result = build_scratch_with(tmp_path, "      media: {jpeg_fallback: true, "
                                          "widths: [360, 720, 1080, 1440]}\n")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    page = (site / "products" / GOODS / "index.html").read_text("utf-8")
    picture = re.search(r"<picture.*?</picture>", page, re.DOTALL).group(0)
    source = re.search(r'<source type="image/webp" srcset="([^"]+)"', picture).group(1)
    img = re.search(r'<img src="([^"]+)" srcset="([^"]+)"', picture)
    assert source.count(".webp ") >= 2 and img.group(1).endswith(".jpg")
    assert [c.split()[0].rsplit(".", 1)[1] for c in img.group(2).split(", ")] == [
        "jpg"] * source.count(".webp ")
    for url in [img.group(1), *(c.split()[0] for c in img.group(2).split(", "))]:
        assert (site / "products" / GOODS / url).resolve().is_file(), url

    wrong = build_scratch_with(tmp_path / "wrong", "      media: {widths: [360, 20000]}\n")
    assert wrong.returncode != 0
    assert "media.widths: cần một danh sách" in wrong.stderr
    assert "media.widths: expected a list of 1 to 8 widths" in wrong.stderr


@pytest.mark.browser
@pytest.mark.parametrize("device", [
    {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True},
    {"viewport": {"width": 1366, "height": 768}},
], ids=["360px-2x", "1366px-1x"])
def test_the_product_photo_loads_sharp_in_chromium(browser, sample_base_url, device):
    context = browser.new_context(**device, base_url=sample_base_url)
    try:
        page = context.new_page()
        page.goto("/products/mat-ong-hoa-rung/")
        img = page.locator(".product-photo img").first
        img.evaluate("i => i.decode()")
        loaded, src, shown, offered = img.evaluate(
            "i => [i.complete && i.naturalWidth > 0, i.currentSrc,"
            " i.getBoundingClientRect().width * devicePixelRatio, i.srcset]")
        assert loaded, src
        assert src.endswith(".webp") and src.rsplit("/", 1)[1] in offered
        # the file chosen has at least as many pixels as the photo takes on the screen
        assert int(src.rsplit("/", 1)[1].split(".")[0]) >= shown, (src, shown)
    finally:
        context.close()
