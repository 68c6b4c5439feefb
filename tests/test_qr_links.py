"""A product's QR code, as a phone that scans it follows it.

The sample catalog is built with ``ocop build`` (a subprocess). Every product's
QR symbol (the SVG the product page shows) is rasterised and decoded with
zxing-cpp; the decoded address is mapped onto the built folder the way a
static web host serves it, and the tests follow what a visitor's browser
follows: the permanent link page, its links to every language, its
Vietnamese fallback without JavaScript. What a page should lead to is worked
out from the YAML records here, not from the generator's helpers.

A copy of part of the catalog is then changed the way the OCOP office
changes it — a product renamed, its old id kept in ``former_ids`` — and
rebuilt: the code printed before the rename and the old page address still
lead to the product.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
import zxingcpp
from siteutil import REPO, build_ok, copy_repository, svg_raster

from ocop_catalog.edition.qr import qr_matrix

SITE_URL = "https://ocop.example.vn/"
LANGS = ("vi", "en", "zh")
PREFIX = {"vi": "", "en": "en/", "zh": "zh/"}
#: Crockford base-32 in lower case, without i, l, o, u.
CODE = r"[0-9a-hjkmnp-tv-z]{4,10}"
#: A site address of 40 characters, the longest the issue sizes the symbol for.
LONG_SITE_URL = "https://ocop.sonongnghiep-phutho.gov.vn/"


def _records() -> dict[str, dict]:
    result = {}
    for path in sorted(REPO.glob("products/*/*/product.yml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        result[record["id"]] = record
    return result


RECORDS = _records()


# --------------------------------------------------------------------------
# Reading the site
# --------------------------------------------------------------------------


class _Page(HTMLParser):
    """The links, canonical, refresh and script of a small HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.canonical = None
        self.refresh = None
        self.refresh_in_noscript = False
        self.scripts: list[str] = []
        self.images: list[str] = []
        self.robots = None
        self._in = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a)
        elif tag == "link" and "canonical" in a.get("rel", "").split():
            self.canonical = a["href"]
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.refresh = a["content"]
            self.refresh_in_noscript = "noscript" in self._in
        elif tag == "meta" and a.get("name") == "robots":
            self.robots = a.get("content")
        elif tag == "img":
            self.images.append(a.get("src", ""))
        if tag not in ("meta", "link", "img", "br", "input"):
            self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def served_file(site: Path, url: str) -> Path:
    """The file a static host answers ``url`` with (folders → index.html, as it
    redirects ``/01/123`` to ``/01/123/``)."""
    assert url.startswith(SITE_URL), url
    path = urlsplit(url).path[len(urlsplit(SITE_URL).path):]
    target = site / path
    if target.is_dir() or path.endswith("/") or not path:
        target = target / "index.html"
    return target


def qr_of_product_page(site: Path, product_id: str, lang: str = "vi") -> str:
    """Decode the QR symbol the product page shows."""
    page_file = site / PREFIX[lang] / "products" / product_id / "index.html"
    page = parse(page_file)
    svgs = [src for src in page.images if src.endswith(".svg") and "qr/" in src]
    assert len(svgs) == 1, f"{page_file}: QR images {svgs}"
    svg = (page_file.parent / svgs[0]).resolve()
    found = zxingcpp.read_barcodes(svg_raster(svg.read_bytes(), 6))
    assert len(found) == 1, f"{svg}: {len(found)} symbols"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    assert found[0].ec_level in ("M", "Q", "H"), found[0].ec_level
    return found[0].text


def follow(site: Path, url: str, lang: str) -> Path:
    """Where the permanent link page sends a visitor whose browser prefers ``lang``:
    the link in that language (what the script and the visible links do)."""
    page_file = served_file(site, url)
    assert page_file.is_file(), f"{url} is not served ({page_file})"
    page = parse(page_file)
    links = {a["hreflang"]: a["href"] for a in page.links if a.get("hreflang")}
    assert set(links) == set(LANGS), f"{url}: links to {sorted(links)}"
    target = (page_file.parent / links[lang] / "index.html").resolve()
    assert target.is_file(), f"{url} → {links[lang]} does not exist"
    return target


def gtin14(gtin: str) -> str:
    return gtin.zfill(14)


@pytest.fixture(scope="module")
def site(sample_site) -> Path:
    return sample_site


# --------------------------------------------------------------------------
# 1. Every printed symbol reaches its product, in every language
# --------------------------------------------------------------------------


@pytest.mark.parametrize("product_id", sorted(RECORDS))
def test_qr_code_leads_to_the_product_in_every_language(site, product_id):
    record = RECORDS[product_id]
    url = qr_of_product_page(site, product_id)
    if record.get("gtin"):
        # GS1 Digital Link: primary key 01, the GTIN as 14 digits, no trailing slash
        assert url == f"{SITE_URL}01/{gtin14(str(record['gtin']))}"
    else:
        assert re.fullmatch(re.escape(SITE_URL) + f"q/{CODE}/", url), url
    for lang in LANGS:
        target = follow(site, url, lang)
        assert target == (site / PREFIX[lang] / "products" / product_id / "index.html").resolve()


def test_every_product_has_its_own_short_link(site):
    codes = {}
    for folder in sorted((site / "q").iterdir()):
        product = follow(site, f"{SITE_URL}q/{folder.name}/", "vi").parent.name
        assert re.fullmatch(CODE, folder.name), folder.name
        assert product not in codes.values(), f"{product} has two codes"
        codes[folder.name] = product
    assert sorted(codes.values()) == sorted(RECORDS)


def test_products_with_a_gtin_answer_at_their_gs1_digital_link_too(site):
    with_gtin = {pid: r for pid, r in RECORDS.items() if r.get("gtin")}
    assert with_gtin, "the sample has products with a GTIN"
    for pid, record in with_gtin.items():
        url = f"{SITE_URL}01/{gtin14(str(record['gtin']))}"
        for lang in LANGS:
            assert follow(site, url, lang).parent.name == pid


def test_the_short_link_page_falls_back_to_vietnamese_without_javascript(site):
    for folder in sorted((site / "q").iterdir()):
        page_file = folder / "index.html"
        page = parse(page_file)
        product = follow(site, f"{SITE_URL}q/{folder.name}/", "vi").parent.name
        vi_url = f"{SITE_URL}products/{product}/"
        assert page.canonical == vi_url
        assert page.refresh_in_noscript, "the refresh must not race the script"
        delay, _, target = page.refresh.partition(";")
        assert delay.strip() == "0"
        target = target.strip().removeprefix("url=")
        assert urljoin(f"{SITE_URL}q/{folder.name}/", target) == vi_url
        assert page.robots == "noindex"
        assert page_file.stat().st_size < 2500, "the first thing a phone loads after a scan"


def test_sales_point_poster_links_lead_to_the_sales_point(site):
    points = yaml.safe_load((REPO / "catalog" / "sales-points.yml").read_text(encoding="utf-8"))
    ids = [p["id"] for p in points["sales_points"]]
    for point in ids:
        for lang in LANGS:
            target = follow(site, f"{SITE_URL}s/{point}/", lang)
            assert target == (site / PREFIX[lang] / "sales-points" / point / "index.html").resolve()


def test_permanent_link_pages_stay_out_of_the_sitemap(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"{SITE_URL}q/" not in sitemap
    assert f"{SITE_URL}01/" not in sitemap
    assert f"{SITE_URL}s/" not in sitemap


def test_symbols_stay_small_for_a_40_character_site_address(site):
    """Version 4 (33×33 modules) at error correction M at most, as the issue asks."""
    assert len(LONG_SITE_URL) == 40
    for product_id in RECORDS:
        path = qr_of_product_page(site, product_id)[len(SITE_URL):]
        modules = len(qr_matrix(LONG_SITE_URL + path))
        assert modules <= 33, f"{product_id}: {modules} modules for {LONG_SITE_URL + path}"


def test_short_links_do_not_depend_on_the_build(site, sample_site_again):
    """Codes are assigned from the records alone: a second build gives the same ones."""
    again = sample_site_again
    assert sorted(p.name for p in (again / "q").iterdir()) == sorted(
        p.name for p in (site / "q").iterdir())


# --------------------------------------------------------------------------
# 2. A rename keeps the printed code and the old address
# --------------------------------------------------------------------------


def _producer_of(product_id: str) -> str:
    (path,) = REPO.glob(f"products/*/{product_id}/product.yml")
    return path.parent.parent.name


def test_a_renamed_product_keeps_its_qr_code_and_old_address(tmp_path):
    old, new = "ca-chua-an-hoa", "ca-chua-bi-an-hoa"
    assert not RECORDS[old].get("gtin"), "a product printed with its short link"
    producer = _producer_of(old)
    repo = copy_repository(tmp_path / "repo", (producer,))
    before = tmp_path / "before"
    build_ok(repo, before)
    printed = qr_of_product_page(before, old)

    folder = repo / "products" / producer / old
    record = (folder / "product.yml").read_text(encoding="utf-8")
    assert record.count(f"\nid: {old}\n") == 1
    record = record.replace(f"\nid: {old}\n", f"\nid: {new}\nformer_ids: [{old}]\n")
    folder.rename(folder.with_name(new))
    (folder.with_name(new) / "product.yml").write_text(record, encoding="utf-8")
    after = tmp_path / "after"
    build_ok(repo, after)

    assert qr_of_product_page(after, new) == printed, "the code changed with the rename"
    for lang in LANGS:
        assert follow(after, printed, lang) == (
            after / PREFIX[lang] / "products" / new / "index.html").resolve()
        # the old page address, in each language, sends on to the renamed page
        old_page = after / PREFIX[lang] / "products" / old / "index.html"
        page = parse(old_page)
        new_url = f"{SITE_URL}{PREFIX[lang]}products/{new}/"
        assert page.canonical == new_url
        target = page.refresh.partition(";")[2].strip().removeprefix("url=")
        assert urljoin(f"{SITE_URL}{PREFIX[lang]}products/{old}/", target) == new_url
        assert not page.refresh_in_noscript, "a fixed target needs no script"
        assert (after / PREFIX[lang] / "products" / new / "index.html").is_file()
    sitemap = (after / "sitemap.xml").read_text(encoding="utf-8")
    assert f"products/{old}/" not in sitemap
    assert f"products/{new}/" in sitemap
