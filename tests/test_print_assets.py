"""Print assets: QR PNGs, product labels, shelf-label sheets and posters, checked the
way a printer and a phone would meet them.

The sample catalog is built once with ``ocop build`` (the real command, in a
subprocess). PNGs are decoded with zxing-cpp; PDFs are rendered to 300-dpi
rasters with poppler's ``pdftoppm`` and every QR on them is decoded. Geometry
is measured on the rasters (decoders forgive a missing quiet zone, printed
labels do not): the module size against the size the options ask for, and
four white modules all around the symbol; every QR also decodes at 150 dpi.
Text is read back with ``pdftotext``, fonts listed with ``pdffonts`` (TrueType
subsets, all embedded: what a print shop's preflight accepts), page boxes with
``pdfinfo -box``, the catalog's colour read off a colour raster. The expected QR
texts come from the edition (``qr_target``); that they lead to the right pages is
checked on the built site, through the redirect pages the QR addresses point at.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import time
import types
import unicodedata
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import datetime as dt

import pytest
import zxingcpp
from ocop_catalog.outputs.printing import assets as printing
from ocop_catalog.outputs.printing import drawing
from ocop_catalog.records.decoded import stat_signature
from ocop_catalog.records.loader import load_catalog
from ocop_catalog.edition.qr import qr_matrix
from ocop_catalog.settings import load_settings
from ocop_catalog.edition import Edition, EditionConfig, printspec
from PIL import Image
from scratch import GOODS, GOODS_FILE, SERVICE, build_catalog
from siteutil import BUILD_EPOCH, OPTIONS, REPO, SITE_URL, build_scratch_with

LANGUAGES = ("vi", "en", "zh")
DPI = 300
LOW_DPI = 150  # a cheap office print, or a photo of one
MM = 72 / 25.4
A4_POINTS = (595.28, 841.89)

# The documented defaults (edition/printspec.py's docstring), written out here on purpose.
PNG_MM = 25
LABEL_MM = (60, 40)
LABEL_QR_MM = 24
SLUG_MM = 8
BLEED_MM = 3
SHEET_QR_MM = 26
SHEET_LABEL_MM = (70, 37)
POSTER_QR_MM = 130

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext", "pdfinfo", "pdffonts")),
    reason="poppler-utils (pdftoppm, pdftotext, pdfinfo, pdffonts) is not installed",
)


def sample_identity() -> dict:
    """The ``identity:`` of the sample's site_config.yml."""
    return OPTIONS["identity"]


def sample_colour() -> tuple[int, int, int]:
    """The site's colour, as 8-bit RGB: the ``--green`` of the theme's style sheet (what
    the header is drawn in), read here on its own."""
    css = (REPO / "theme" / "assets" / "ocop.css").read_text(encoding="utf-8")
    root = css[css.index(":root {"):]
    colour = re.search(r"--green:\s*(#[0-9a-fA-F]{6});", root[:root.index("}")]).group(1)
    assert re.search(r"\.site-header \{[^}]*background: var\(--green\)", css)
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG 2 contrast ratio of two 8-bit RGB colours."""
    def lum(c):
        lin = [v / 255 / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4
               for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((lum(a), lum(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(sample_site) -> Path:
    """The sample catalog, built once with ``ocop build``."""
    return sample_site


def make_edition(root: Path, print_options=None) -> Edition:
    """The edition of the catalog at ``root`` (without photos), with ``print_options``."""
    result = load_catalog(load_settings(root))
    assert result.catalog is not None, result.issues
    return Edition(result.catalog, EditionConfig(site_url=SITE_URL,
                                                 print_options=print_options or {}, root=REPO))


def built_edition(print_options=None) -> Edition:
    """The sample's edition as ``ocop build`` makes it on the build day: its identity,
    UI strings too."""
    from ocop_catalog.edition.identity import parse_identity

    today = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.timezone.utc).date()
    result = load_catalog(load_settings(REPO, today=today))
    assert result.catalog is not None, result.issues
    return Edition(result.catalog, EditionConfig(
        site_url=SITE_URL, print_options=print_options or OPTIONS.get("print_assets") or {},
        root=REPO, identity=parse_identity(OPTIONS["identity"], LANGUAGES)))


@pytest.fixture(scope="session")
def edition() -> Edition:
    """The edition of the sample catalog (for the expected QR texts)."""
    return make_edition(REPO)


def write_assets(edition: Edition, site: Path, cache: Path, options=None, workers=1) -> int:
    """The print assets of ``edition``, or of the same catalog with ``options``."""
    if options is not None:
        edition = Edition(edition.catalog, EditionConfig(
            site_url=SITE_URL, print_options=options, root=REPO))
    return printing.write_print_assets(edition, site, cache, workers=workers)


# --------------------------------------------------------------------------
# Reading rasters, PDFs and pages
# --------------------------------------------------------------------------


def rasterize(pdf: Path, out: Path, dpi: int = DPI, colour: bool = False) -> list[Image.Image]:
    """Every page of ``pdf`` as a greyscale (or RGB) raster, with pdftoppm (no warnings
    allowed)."""
    out.mkdir(parents=True, exist_ok=True)
    prefix = out / f"{pdf.stem}-{dpi}"
    done = subprocess.run(["pdftoppm", "-r", str(dpi), *([] if colour else ["-gray"]),
                           str(pdf), str(prefix)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and not done.stderr, f"pdftoppm {pdf.name}: {done.stderr}"
    ext = "ppm" if colour else "pgm"
    pages = sorted(out.glob(f"{prefix.name}-*.{ext}"),
                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(p).convert("RGB" if colour else "L") for p in pages]


def pdf_fonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table: name, type, encoding, emb, sub, uni per font."""
    done = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0 and not done.stderr, f"pdffonts {pdf.name}: {done.stderr}"
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["name", "type"], done.stdout
    fonts = []
    for line in lines[2:]:
        # the type may have spaces ("CID TrueType"): read the fixed columns from the right
        *left, emb, sub, uni, _, _ = line.split()
        fonts.append({"name": left[0], "type": " ".join(left[1:-1]), "encoding": left[-1],
                      "emb": emb, "sub": sub, "uni": uni})
    return fonts


def pdf_text(pdf: Path, *args: str) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr, f"pdftotext {pdf.name}: {done.stderr}"
    return done.stdout.decode("utf-8")


def pdf_info(pdf: Path) -> dict[str, str]:
    done = subprocess.run(["pdfinfo", "-box", str(pdf)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr, f"pdfinfo {pdf.name}: {done.stderr}"
    return dict(re.findall(r"^([^:]+):\s+(.*)$", done.stdout, re.MULTILINE))


def box(info: dict[str, str], name: str) -> tuple[float, ...]:
    return tuple(float(v) for v in info[name].split())


def words_of(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page index, xMin, yMin, xMax, yMax, word) of every word, y growing downwards."""
    result = []
    pages = pdf_text(pdf, "-bbox").split("<page ")[1:]
    for index, page in enumerate(pages):
        for *coords, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                                        r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page):
            result.append((index, *map(float, coords), word))
    return result


def reading_order(words: list[tuple[float, float, str]]) -> list[str]:
    """(bottom, left, word) sorted into lines (bottoms within 1.5 pt), each left to right."""
    lines: list[list[tuple[float, float, str]]] = []
    for word in sorted(words):
        if lines and word[0] - lines[-1][0][0] <= 1.5:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [w for line in lines for _, _, w in sorted(line, key=lambda w: w[1])]


def flat(text: str) -> str:
    """Text as one line, NFC, without hyphens (pdftotext joins a word hyphenated at the
    end of a line without its hyphen)."""
    return " ".join(unicodedata.normalize("NFC", text).replace("-", "").split())


def modules_of(barcode) -> int:
    """Modules on a side, from the version the decoder read."""
    return 17 + 4 * int(barcode.extra["Version"])


def symbol_box(image: Image.Image, barcode) -> tuple[int, int, int, int]:
    """The dark extent (x0, y0, x1, y1; x1, y1 exclusive) of a decoded symbol: the
    decoder's corners, refined to the first and last dark pixels around them."""
    pts = [barcode.position.top_left, barcode.position.top_right,
           barcode.position.bottom_left, barcode.position.bottom_right]
    xs, ys = [p.x for p in pts], [p.y for p in pts]
    window = (max(0, min(xs) - 4), max(0, min(ys) - 4),
              min(image.width, max(xs) + 5), min(image.height, max(ys) + 5))
    dark = image.crop(window).point(lambda v: 255 if v < 128 else 0).getbbox()
    assert dark, "no dark pixels where the decoder found the symbol"
    return (window[0] + dark[0], window[1] + dark[1], window[0] + dark[2], window[1] + dark[3])


def check_geometry(image: Image.Image, barcode, module_mm: float, where: str,
                   dpi: int = DPI) -> None:
    """The symbol's module size is ``module_mm`` (within a pixel) and four modules of
    white surround it."""
    n = modules_of(barcode)
    assert n == len(qr_matrix(barcode.text)), where
    x0, y0, x1, y1 = symbol_box(image, barcode)
    expected = module_mm * dpi / 25.4
    for extent in (x1 - x0, y1 - y0):
        assert abs(extent / n - expected) < 1, (
            f"{where}: module {extent / n:.2f} px, expected {expected:.2f} px")
    quiet = int(4 * expected) - 1  # the outermost pixel may be grey from anti-aliasing
    ring = (x0 - quiet, y0 - quiet, x1 + quiet, y1 + quiet)
    assert ring[0] >= 0 and ring[1] >= 0 and ring[2] <= image.width and ring[3] <= image.height, (
        f"{where}: the quiet zone leaves the page")
    area = image.crop(ring)
    # blank the symbol (and the pixel around it, grey where its edges fall between pixels)
    area.paste(255, (quiet - 1, quiet - 1, quiet + (x1 - x0) + 1, quiet + (y1 - y0) + 1))
    darkest = area.getextrema()[0]
    assert darkest >= 128, f"{where}: something dark ({darkest}) in the 4-module quiet zone"


def decode(image: Image.Image) -> list:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [b for b in found if b.valid]


def page_for(site: Path, url: str) -> Path:
    """The file a site URL is served from."""
    assert url.startswith(SITE_URL), url
    path = url[len(SITE_URL):]
    return site / (path + "index.html" if path.endswith("/") or not path else
                   path + "/index.html")


def links(page: Path) -> dict[str, str]:
    """hreflang → href of the language links of a redirect page."""
    html = page.read_text(encoding="utf-8")
    return {lang: href for href, lang in
            re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', html)}


def resolve(site: Path, page: Path, href: str) -> Path:
    folder = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(folder, href))
    return site / target / "index.html" if href.endswith("/") else site / target


def expected_product_page(site: Path, lang: str, product_id: str) -> Path:
    prefix = "" if lang == "vi" else f"{lang}/"
    return site / f"{prefix}products/{product_id}/index.html"


# --------------------------------------------------------------------------
# 1. QR PNGs
# --------------------------------------------------------------------------


def test_every_product_has_a_300_dpi_png_that_decodes_to_its_target(site, edition):
    limit = int(PNG_MM / 25.4 * DPI)
    for product in edition.all_products:
        path = site / "qr" / f"{product.id}.png"
        image = Image.open(path)
        assert image.format == "PNG" and image.mode in ("1", "L"), path.name
        assert image.info["dpi"] == pytest.approx((DPI, DPI), abs=0.01), path.name
        gray = image.convert("L")
        found = decode(gray)
        target = edition.qr_target(product)
        assert [(b.text, b.ec_level) for b in found] == [(target, "M")], path.name
        n = modules_of(found[0])

        # size: within the stated size, and as large as whole pixels per module allow
        assert image.width == image.height <= limit, path.name
        assert image.width + (n + 8) > limit, f"{path.name}: a larger module would still fit"

        # geometry, exactly: the finder pattern's top-left dark pixel sits 4 modules in
        bbox = gray.point(lambda v: 255 if v < 128 else 0).getbbox()
        x0, y0 = bbox[0], bbox[1]
        assert x0 == y0, path.name
        assert x0 % 4 == 0
        module = x0 // 4
        assert image.width == module * (n + 8), f"{path.name}: not a whole number of px"
        assert bbox[2:] == (image.width - 4 * module, image.height - 4 * module), path.name
        # the finder pattern's top edge: 7 dark modules, then a light one
        row = [gray.getpixel((x, y0)) for x in range(x0, x0 + 8 * module)]
        assert all(v == 0 for v in row[:7 * module]) and all(v == 255 for v in row[7 * module:])
        # every pixel of the quiet zone is white
        assert gray.crop((0, 0, image.width, y0)).getextrema() == (255, 255)
        assert gray.crop((0, 0, x0, image.height)).getextrema() == (255, 255)


def test_decoded_png_urls_reach_every_language_page_through_a_redirect(site, edition):
    for product in edition.all_products:
        found = decode(Image.open(site / "qr" / f"{product.id}.png").convert("L"))
        url = found[0].text
        assert urlsplit(url).path.rstrip("/").split("/")[-2] in ("q", "01"), url
        redirect = page_for(site, url)
        assert redirect.is_file(), f"{url}: no page at {redirect.relative_to(site)}"
        targets = links(redirect)
        assert set(targets) == set(LANGUAGES), redirect
        for lang, href in targets.items():
            assert resolve(site, redirect, href) == expected_product_page(site, lang, product.id)
            assert resolve(site, redirect, href).is_file()
        html = redirect.read_text(encoding="utf-8")
        refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html).group(1)
        assert resolve(site, redirect, refresh) == expected_product_page(site, "vi", product.id)


def test_product_page_offers_the_svg_png_and_label_downloads(site, edition):
    for product in edition.all_products:
        for lang in LANGUAGES:
            page = expected_product_page(site, lang, product.id)
            html = page.read_text(encoding="utf-8")
            section = re.search(r'<section class="qr".*?</section>', html, re.DOTALL).group(0)
            hrefs = {Path(h).suffix: h for h in re.findall(r'href="([^"]+)"', section)}
            assert set(hrefs) == {".svg", ".png", ".pdf"}, (page, hrefs)
            for href in hrefs.values():
                assert resolve(site, page, href).is_file(), (page, href)
            png = Image.open(resolve(site, page, hrefs[".png"]))
            real = f"{png.width / DPI * 25.4:.1f}"
            stated = re.search(r'\.png" download>([^<]+)<', section).group(1)
            number = real.replace(".", ",") if lang == "vi" else real
            assert f"{number} mm" in stated or f"{number} 毫米" in stated, (page, stated)


# --------------------------------------------------------------------------
# 2. Product labels
# --------------------------------------------------------------------------


@needs_poppler
def test_product_labels_decode_measure_and_read(site, edition, tmp_path):
    identity = sample_identity()

    def check(product):
        pdf = site / "print" / "products" / f"{product.id}.pdf"
        info = pdf_info(pdf)
        assert info["Pages"] == "1"
        w, h = LABEL_MM
        slug, bleed = SLUG_MM * MM, BLEED_MM * MM
        assert box(info, "MediaBox") == pytest.approx(
            (0, 0, w * MM + 2 * slug, h * MM + 2 * slug), abs=0.01)
        trim = box(info, "TrimBox")
        assert trim == pytest.approx((slug, slug, slug + w * MM, slug + h * MM), abs=0.01)
        assert box(info, "BleedBox") == pytest.approx(
            (slug - bleed, slug - bleed, slug + w * MM + bleed, slug + h * MM + bleed), abs=0.01)
        target = edition.qr_target(product)
        for dpi in (DPI, LOW_DPI):
            [page] = rasterize(pdf, tmp_path / product.id, dpi)
            found = decode(page)
            assert [(b.text, b.ec_level) for b in found] == [(target, "M")], (pdf.name, dpi)
            check_geometry(page, found[0], LABEL_QR_MM / (modules_of(found[0]) + 8),
                           f"{pdf.name} at {dpi} dpi", dpi)

        raw = pdf_text(pdf)
        # the catalog's name (or its short name where the name does not fit), diacritics
        # and all, as written in site_config.yml
        assert identity["name"]["vi"] in raw or identity["short_name"]["vi"] in raw, raw
        text = flat(raw)
        record = product.record
        assert flat(record.name("vi")) in text, (pdf.name, text)
        if record.name.get("en") and record.name["en"] != record.name["vi"]:
            assert flat(record.name["en"]) in text, (pdf.name, text)
        assert flat(edition.short_url(product).split("://")[1]) in text
        assert f"{LABEL_MM[0]} × {LABEL_MM[1]} mm" in text  # the trim size, stated
        assert "★" * product.certification.stars in text
        if record.price:
            assert flat(edition.translator("vi").price(record.price.amount)) in text
        elif not (record.tourism and record.tourism.price_per_person):
            assert "₫" not in text
        # every word inside the trim box (pdftotext's y grows downwards), but for the
        # notes in the slug, which stay clear of the bleed
        height = box(info, "MediaBox")[3]
        x0, y0, x1, y1 = trim[0], height - trim[3], trim[2], height - trim[1]
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                           r'yMax="([\d.]+)">([^<]*)</word>', pdf_text(pdf, "-bbox"))
        assert words
        notes = []
        for *coords, word in words:
            wx0, wy0, wx1, wy1 = map(float, coords)
            if wy0 > y1 + bleed or wy1 < y0 - bleed:
                notes.append(word)
                continue
            assert x0 <= wx0 and wx1 <= x1 and y0 <= wy0 and wy1 <= y1, (pdf.name, word)
        assert product.id in " ".join(notes) or "…" in " ".join(notes), notes

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(check, edition.all_products))


# --------------------------------------------------------------------------
# 3. Shelf-label sheets and posters
# --------------------------------------------------------------------------


@needs_poppler
def test_label_sheets_carry_every_product_sold_at_the_point(site, edition, tmp_path):
    catalog = edition.catalog

    def check(point):
        products = catalog.products_at(point.id)
        pdf = site / "print" / "sales-points" / f"{point.id}-labels.pdf"
        if not products:
            assert not pdf.exists()
            return
        info = pdf_info(pdf)
        assert int(info["Pages"]) == -(-len(products) // 24)
        assert box(info, "MediaBox")[2:] == pytest.approx(A4_POINTS, abs=0.01)
        decoded = []
        for number, page in enumerate(rasterize(pdf, tmp_path / point.id), 1):
            found = decode(page)
            assert 1 <= len(found) <= 24
            for barcode in found:
                assert barcode.ec_level == "M"
                check_geometry(page, barcode, SHEET_QR_MM / (modules_of(barcode) + 8),
                               f"{pdf.name} page {number}")
            decoded += [b.text for b in found]
        assert sorted(decoded) == sorted(edition.qr_target(p) for p in products), pdf.name
        low = [b.text for page in rasterize(pdf, tmp_path / point.id, LOW_DPI)
               for b in decode(page)]
        assert sorted(low) == sorted(decoded), f"{pdf.name} at {LOW_DPI} dpi"

        # the words on each label, in the order of the products (row by row, 3 × 8)
        slots: dict[int, list[tuple[float, float, str]]] = {}
        for page, *coords, word in words_of(pdf):
            x, y = (coords[0] + coords[2]) / 2, (coords[1] + coords[3]) / 2
            col, row = int(x // (SHEET_LABEL_MM[0] * MM)), int(y // (SHEET_LABEL_MM[1] * MM))
            slots.setdefault(page * 24 + row * 3 + col, []).append((coords[3], coords[0], word))
        assert len(slots) == len(products)
        for i, p in enumerate(products):
            text = flat(" ".join(reading_order(slots[i])).replace("- ", "-"))
            assert flat(p.record.name("vi")) in text, (pdf.name, p.id, text)
            if p.record.name.get("en"):
                assert flat(p.record.name["en"]) in text, (pdf.name, p.id, text)
            assert flat(edition.producer_of(p).record.name("vi"))[:12] in text, (pdf.name, p.id)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(check, catalog.sales_points.values()))


@needs_poppler
def test_posters_lead_to_the_sales_point_page(site, edition, tmp_path):
    catalog = edition.catalog

    def check(point):
        pdf = site / "print" / "sales-points" / f"{point.id}-poster.pdf"
        info = pdf_info(pdf)
        assert info["Pages"] == "1"
        assert box(info, "MediaBox")[2:] == pytest.approx(A4_POINTS, abs=0.01)
        for dpi in (DPI, LOW_DPI):
            [page] = rasterize(pdf, tmp_path / point.id, dpi)
            found = decode(page)
            assert [(b.text, b.ec_level) for b in found] == [
                (edition.point_qr_target(point), "M")], (pdf.name, dpi)
            check_geometry(page, found[0], POSTER_QR_MM / (modules_of(found[0]) + 8),
                           f"{pdf.name} at {dpi} dpi", dpi)
        redirect = page_for(site, found[0].text)
        targets = links(redirect)
        assert set(targets) == set(LANGUAGES)
        for lang, href in targets.items():
            prefix = "" if lang == "vi" else f"{lang}/"
            page_path = site / prefix / "sales-points" / point.id / "index.html"
            assert resolve(site, redirect, href) == page_path
            assert page_path.is_file()
        raw = pdf_text(pdf)
        assert sample_identity()["name"]["vi"] in raw, raw  # on the band, whole
        text = flat(raw)
        assert "Quét để xem mọi sản phẩm OCOP bán tại đây" in text
        assert "Scan to see every OCOP product sold here" in text
        assert flat(point.name("vi")) in text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(check, catalog.sales_points.values()))


def test_sales_point_pages_link_the_sheet_and_poster(site, edition):
    for point in edition.catalog.sales_points.values():
        for lang in LANGUAGES:
            prefix = "" if lang == "vi" else f"{lang}/"
            page = site / prefix / "sales-points" / point.id / "index.html"
            html = page.read_text(encoding="utf-8")
            section = re.search(r'<section class="print".*?</section>', html, re.DOTALL).group(0)
            hrefs = re.findall(r'href="([^"]+)"', section)
            names = sorted(Path(h).name for h in hrefs)
            assert names == [f"{point.id}-labels.pdf", f"{point.id}-poster.pdf"], page
            for href in hrefs:
                assert resolve(site, page, href).is_file(), (page, href)


# --------------------------------------------------------------------------
# 3b. What a print shop's preflight checks
# --------------------------------------------------------------------------


def _kind(pdf: Path) -> str:
    # a product's label, a production lot's (print/lots/<product>/<lot>.pdf), a sheet, a poster
    return "label" if pdf.parent.name == "products" or pdf.parent.parent.name == "lots" \
        else pdf.stem.rsplit("-", 1)[1]


@needs_poppler
def test_every_pdf_embeds_subsets_of_truetype_fonts_never_type_3(site):
    pdfs = sorted((site / "print").rglob("*.pdf"))
    assert {_kind(p) for p in pdfs} == {"label", "labels", "poster"}

    def fonts_of(pdf):
        fonts = pdf_fonts(pdf)
        assert fonts, pdf.name
        for font in fonts:
            assert font["type"] == "TrueType", (pdf.name, font)  # no Type 3, no Type 1
            assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), (
                pdf.name, font)  # embedded, subset, with a ToUnicode map
            assert re.fullmatch(r"[A-Z]{6}\+DejaVuSans(-Bold)?", font["name"]), font
        names = [f["name"] for f in fonts]
        assert len(set(names)) == len(names), (pdf.name, names)
        return names

    with ThreadPoolExecutor(4) as pool:
        names = list(pool.map(fonts_of, pdfs))
    # a subset's name comes from the glyphs it holds: labels with other letters never
    # share one (a print shop imposing many labels on a sheet keeps them apart)
    labels = [n for p, n in zip(pdfs, names) if _kind(p) == "label"]
    assert len({name for n in labels for name in n}) > len(labels)


#: The theme's label fonts.
FONTS = REPO / "theme" / "ocop" / "fonts"
FONT_FILES = re.compile(rb"/Length1 (\d+) >>\nstream\n(.*?)\nendstream", re.DOTALL)


def test_every_embedded_font_carries_the_licence_of_its_font_file(site):
    """A subset's name table (the licence with it) is packed once per process and put
    between the blocks packed for each subset (drawing._pack_program): unpacked, every
    embedded font is a whole TrueType font with its declared length, the glyphs of what
    the label prints, and the name records of the font file it was made from."""
    from io import BytesIO

    from fontTools.ttLib import TTFont

    def records(font):
        return {(r.nameID, r.platformID, r.platEncID, r.langID): r.string
                for r in font["name"].names}

    # the font file's Windows records (the Macintosh ones, legacy, are left when a font is
    # prepared: drawing.prepare_font)
    source = {name: {k: v for k, v in records(TTFont(FONTS / f"{name}.ttf")).items()
                     if k[1] == 3}
              for name in ("DejaVuSans", "DejaVuSans-Bold")}
    assert all(any(key[0] == 13 for key in found) for found in source.values())  # licence
    pdfs = sorted((site / "print" / "products").glob("*.pdf"))[:6] + sorted(
        (site / "print" / "sales-points").glob("*.pdf"))[:2]
    for pdf in pdfs:
        found = FONT_FILES.findall(pdf.read_bytes())
        assert len(found) >= 2, pdf.name  # regular and bold
        for length, packed in found:
            program = zlib.decompress(packed)
            assert len(program) == int(length), pdf.name
            font = TTFont(BytesIO(program))
            family = font["name"].getDebugName(6).split("+")[-1]
            assert records(font) == source[family], (pdf.name, family)
            glyf = font["glyf"]  # every outline reads; the label's letters are drawn
            assert sum(glyf[g].numberOfContours > 0 for g in font.getGlyphOrder()) > 10


BOX = ("xMin", "yMin", "xMax", "yMax")


def test_a_prepared_font_draws_every_glyph_as_its_font_file(tmp_path):
    """drawing.prepare_font drops hinting and layout tables without decoding the glyphs:
    every glyph of the prepared file draws the outline of the font file's glyph of the same
    number (components drawn in place), with its advance and the bounding box the file
    states for it, and no glyph keeps instructions (one without contours is left empty). A
    file cut short, or one that is no font, is refused, naming it."""
    from io import BytesIO

    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    for name in ("DejaVuSans", "DejaVuSans-Bold"):
        source_path = FONTS / f"{name}.ttf"
        source = TTFont(source_path)
        prepared = TTFont(BytesIO(drawing.prepare_font(source_path, tmp_path).read_bytes()))
        assert not {"fpgm", "prep", "cvt ", "GSUB", "GPOS", "kern"} & set(prepared.keys())
        before, after = source.getGlyphSet(), prepared.getGlyphSet()
        names_before, names_after = source.getGlyphOrder(), prepared.getGlyphOrder()
        assert len(names_before) == len(names_after) > 5000
        glyf = prepared["glyf"]
        for old, new in zip(names_before, names_after):
            drawn_before, drawn_after = (DecomposingRecordingPen(before),
                                         DecomposingRecordingPen(after))
            before[old].draw(drawn_before)
            after[new].draw(drawn_after)
            assert drawn_after.value == drawn_before.value, (name, old)
            assert after[new].width == before[old].width, (name, old)
            program = getattr(glyf[new], "program", None)
            assert program is None or not program.getBytecode(), (name, old)
            # the bounding box each glyph states (a reader places the glyph by it and its
            # left side bearing): the font file's
            if glyf[new].numberOfContours:
                assert [getattr(glyf[new], k) for k in BOX] == \
                    [getattr(source["glyf"][old], k) for k in BOX], (name, old)
        assert prepared["maxp"].maxSizeOfInstructions == 0
    # a glyph without contours but with instructions (hinted space): empty once they are
    # dropped, not its header alone
    from fontTools.ttLib.tables import ttProgram
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    font = TTFont(FONTS / "DejaVuSans.ttf", recalcBBoxes=False)
    space = font.getGlyphOrder().index("space")
    hinted = Glyph()
    hinted.numberOfContours, hinted.xMin, hinted.yMin, hinted.xMax, hinted.yMax = 0, 0, 0, 0, 0
    hinted.program = ttProgram.Program()
    hinted.program.fromBytecode(b"\xb0\x01")  # PUSHB[0] 1
    font["glyf"].glyphs["space"] = hinted
    font.save(tmp_path / "hinted-space.ttf")

    def length(path: Path) -> int:
        offsets = TTFont(path)["loca"].locations
        return offsets[space + 1] - offsets[space]

    assert length(tmp_path / "hinted-space.ttf") == 14
    assert length(drawing.prepare_font(tmp_path / "hinted-space.ttf", tmp_path)) == 0
    whole = (FONTS / "DejaVuSans.ttf").read_bytes()
    for i, data in enumerate((whole[: len(whole) // 3], b"not a font" * 100)):
        damaged = tmp_path / f"damaged-{i}.ttf"
        damaged.write_bytes(data)
        with pytest.raises(ValueError, match="cannot read the font .*damaged"):
            drawing.prepare_font(damaged, tmp_path)


def test_a_font_program_packs_to_its_bytes_whatever_its_table_directory():
    ok = bytearray(b"\0\1\0\0\0\2" + b"\0" * 6)
    ok += b"glyf" + bytes(4) + (44).to_bytes(4, "big") + (6).to_bytes(4, "big")
    ok += b"name" + bytes(4) + (50).to_bytes(4, "big") + (9).to_bytes(4, "big")
    ok += b"GLYPHS" + b"LICENCE!!" + b"tail"
    broken = bytearray(ok)
    broken[12 + 16 + 12:12 + 16 + 16] = (10 ** 6).to_bytes(4, "big")  # past the end
    for program in (bytes(ok), bytes(broken), b"", b"\0" * 11, bytes(ok[:20])):
        assert zlib.decompress(drawing._pack_program(program)) == program
    assert drawing._table(bytes(ok), b"name") == (50, 59)
    assert drawing._table(bytes(broken), b"name") is None
    # the name table's blocks are packed once, and each subset's placed around them
    drawing._NAME_BLOCKS.clear()
    other = bytes(ok).replace(b"GLYPHS", b"glyphs")
    assert zlib.decompress(drawing._pack_program(other)) == other
    assert list(drawing._NAME_BLOCKS) == [b"LICENCE!!"]
    assert zlib.decompress(drawing._pack_program(bytes(ok))) == bytes(ok)
    assert len(drawing._NAME_BLOCKS) == 1


@needs_poppler
def test_the_catalog_colour_runs_into_the_label_bleed(site, edition, tmp_path):
    colour = sample_colour()  # the site's header colour, not Material's palette

    def near(pixel, expected, where):
        assert max(abs(a - b) for a, b in zip(pixel, expected)) <= 8, (where, pixel, expected)

    product = edition.all_products[0]
    [page] = rasterize(site / "print" / "products" / f"{product.id}.pdf", tmp_path, LOW_DPI,
                       colour=True)
    px = LOW_DPI / 25.4

    def at(x_mm, y_mm):  # from the page's top-left corner
        return page.getpixel((round(x_mm * px), round(y_mm * px)))

    slug, bleed, (w, h) = SLUG_MM, BLEED_MM, LABEL_MM
    near(at(slug + 1, slug + 1), colour, "the band, inside the trim")
    near(at(slug - 2, slug - 2), colour, "the bleed at the top-left corner")
    near(at(slug + w / 2, slug - 2), colour, "the bleed above the label")
    near(at(slug + w + 2, slug + 1), colour, "the bleed right of the label")
    near(at(slug - bleed - 0.7, slug + 1), (255, 255, 255), "beyond the bleed")
    near(at(slug + 1, slug + h - 1), (255, 255, 255), "the label's bottom")
    near(at(slug - 2, slug + h + 2), (255, 255, 255), "the bleed below the label")

    # the shelf labels' bands stay inside their labels, the poster's inside its margins
    point = next(p for p in edition.catalog.sales_points if edition.catalog.products_at(p))
    [sheet] = rasterize(site / "print" / "sales-points" / f"{point}-labels.pdf", tmp_path,
                        LOW_DPI, colour=True)[:1]
    near(sheet.getpixel((round(2.4 * px), round(3.6 * px))), colour, "a shelf label's band")
    near(sheet.getpixel((round(0.7 * px), round(3.6 * px))), (255, 255, 255),
         "a shelf label's edge")
    [poster] = rasterize(site / "print" / "sales-points" / f"{point}-poster.pdf", tmp_path,
                         LOW_DPI, colour=True)
    near(poster.getpixel((round(21 * px), round(21 * px))), colour, "the poster's band")
    near(poster.getpixel((round(15 * px), round(21 * px))), (255, 255, 255),
         "the poster's margin")


@needs_poppler
def test_the_white_name_on_the_sites_colour_reads_at_4_5_to_1(site, tmp_path):
    """The band of the build's labels is the site's colour and the catalog's name on it is
    white, at least 4.5:1 (WCAG AA for text)."""
    colour = sample_colour()
    product = min(p.name for p in (site / "print" / "products").glob("*.pdf"))
    [page] = rasterize(site / "print" / "products" / product, tmp_path, DPI, colour=True)
    band = page.crop(tuple(round(v * DPI / 25.4) for v in (
        SLUG_MM, SLUG_MM, SLUG_MM + LABEL_MM[0] / 2, SLUG_MM + 4)))
    colours = band.getcolors(1 << 16)
    assert max(colours)[1] == colour  # mostly the band
    letters = [c for _, c in colours if min(c) >= 250]
    assert letters, "no white letters on the band"
    assert contrast(colour, (255, 255, 255)) >= 4.5


def test_the_site_colour_comes_from_the_themes_style_sheet(tmp_path):
    """One source: the ``--green`` of ``assets/ocop.css``, an override's first; a style
    sheet without it gives the packaged colour; the ``colour`` option wins over both."""
    packaged = printspec.PACKAGED
    assert printspec.site_colour((packaged,)) == "#" + bytes(sample_colour()).hex()
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "ocop.css").write_text(":root { --green: #7B1FA2; }\n", "utf-8")
    assert printspec.site_colour((tmp_path, packaged)) == "#7b1fa2"
    spec = printspec.parse_options({}, REPO, ("vi", "en"), (tmp_path, packaged))
    assert spec.colour == "#7b1fa2"
    spec = printspec.parse_options({"colour": "#12345A"}, REPO, ("vi", "en"), (tmp_path, packaged))
    assert spec.colour == "#12345a"
    (tmp_path / "assets" / "ocop.css").write_text("body { color: #000; }\n", "utf-8")
    assert printspec.site_colour((tmp_path, packaged)) == printspec.SITE_COLOUR


@needs_poppler
def test_the_colour_option_wins_and_the_text_on_it_stays_readable(edition, tmp_path):
    site = tmp_path / "site"
    write_assets(edition, site, tmp_path / "cache", {"colour": "#12345A"})
    product = edition.all_products[0]
    [page] = rasterize(site / "print" / "products" / f"{product.id}.pdf", tmp_path, DPI,
                       colour=True)
    band = page.crop(tuple(round(v * DPI / 25.4) for v in (
        SLUG_MM, SLUG_MM, SLUG_MM + LABEL_MM[0] / 2, SLUG_MM + 4)))
    colours = band.getcolors(1 << 16)
    assert max(colours)[1] == (0x12, 0x34, 0x5A)  # mostly the band
    assert (255, 255, 255) in {c for _, c in colours}  # and white letters on it


def test_another_process_writes_the_same_bytes_as_the_build(site, tmp_path):
    """Nothing of a run (worker processes, caches, font registration, dates) gets into a
    file: the print assets written here, from empty caches in two processes, are the
    build's byte for byte."""
    out = tmp_path / "site"
    write_assets(built_edition(), out, tmp_path / "cache", workers=2)
    written = _tree(out)
    assert len(written) > 100
    built = {name: (site / name).read_bytes() for name in written}
    assert [n for n in written if written[n] != built[n]] == []


# --------------------------------------------------------------------------
# 4. Caching, determinism, other options, untrusted text
# --------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_input_same_bytes_and_a_rebuild_draws_nothing(edition, tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    written = write_assets(edition, first, tmp_path / "cache-a", {}, workers=2)
    write_assets(edition, second, tmp_path / "cache-b", {}, workers=1)
    products, points = len(edition.all_products), len(edition.catalog.sales_points)
    a, b = _tree(first), _tree(second)
    lots = sum(len(p.record.lots) for p in edition.all_products)  # a label and a PNG each
    assert len(a) == written == 2 * products + 2 * lots + points + sum(
        1 for p in edition.catalog.sales_points if edition.catalog.products_at(p))
    assert a == b  # byte for byte, whatever the number of worker processes

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew a file that is in the cache")

    for name in ("qr_png", "product_label_pdf", "sheet_page", "poster_pdf", "draw_label"):
        monkeypatch.setattr(printing, name, no_drawing)
    cache = sorted((tmp_path / "cache-a").iterdir())
    third = tmp_path / "c"
    write_assets(edition, third, tmp_path / "cache-a", {}, workers=1)
    assert _tree(third) == a
    assert sorted((tmp_path / "cache-a").iterdir()) == cache


def test_symbol_is_the_qr_module_encoding(edition):
    for product in edition.all_products[:10]:
        target = edition.qr_target(product)
        n, pixels = printing.symbol(target)
        assert [[pixels[y * n + x] == 0 for x in range(n)] for y in range(n)] == qr_matrix(target)


@needs_poppler
def test_long_name_without_english_missing_glyphs_and_no_price(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    # DejaVu Sans has the snowman (in a second Type 3 subfont), not the Chinese or the
    # mathematical letter: those are left out
    long_name = ("Mật ong ☃ hoa 蜂蜜 rừng𝔘 nguyên chất thu hoạch thủ công trên đỉnh núi Tam "
                 "Đảo bởi các hộ thành viên Hợp tác xã Ong mật Tam Đảo theo phương pháp "
                 "truyền thống không pha trộn đường")
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n  en: Tam Dao wild-flower honey\n",
                 f"  vi: {long_name}\n")
    edition = make_edition(scratch.root)
    site = tmp_path / "site"
    write_assets(edition, site, tmp_path / "cache", {}, workers=1)

    pdf = site / "print" / "products" / f"{GOODS}.pdf"
    info = pdf_info(pdf)
    trim = box(info, "TrimBox")
    height = box(info, "MediaBox")[3]
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">([^<]*)</word>', pdf_text(pdf, "-bbox"))
    inside = []
    for *coords, word in words:
        wx0, wy0, wx1, wy1 = map(float, coords)
        if wy0 > height - trim[1] or wy1 < height - trim[3]:
            continue  # the notes in the slug: trim size, product id
        assert trim[0] <= wx0 and wx1 <= trim[2], word
        assert height - trim[3] <= wy0 and wy1 <= height - trim[1], word
        inside.append(word)
    text = " ".join(inside)
    brand = edition.translator("vi")("site.name")  # the catalog's name, on the band
    assert text.startswith(f"{brand} Mật ong ☃ hoa rừng nguyên"), text
    assert "…" in text  # cut, with an ellipsis
    [page] = rasterize(pdf, tmp_path / "raster")
    found = decode(page)
    assert [b.text for b in found] == [edition.qr_target(edition.catalog.products[GOODS])]
    check_geometry(page, found[0], LABEL_QR_MM / (modules_of(found[0]) + 8), pdf.name)

    # the tourism service has no price: its label says so by saying nothing of one
    service = pdf_text(site / "print" / "products" / f"{SERVICE}.pdf")
    assert "mỗi người" in service  # its price per person
    sheet = site / "print" / "sales-points"
    assert sorted(p.name for p in sheet.iterdir()) == sorted(
        [f"{p}-poster.pdf" for p in edition.catalog.sales_points]
        + [f"{p}-labels.pdf" for p in edition.catalog.sales_points
           if edition.catalog.products_at(p)])


NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def truetype_cjk(text: str, out: Path) -> Path:
    """A TrueType font of the characters of ``text`` made from the system's Noto Sans CJK
    SC, whose CFF outlines PDFs cannot embed as TrueType: converted to quadratic curves
    (what a catalog would do with a CJK font of its choice, or take one in .ttf)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont, newTable

    font = next(f for f in (TTFont(str(NOTO_CJK), fontNumber=i, lazy=True) for i in range(4))
                if f["name"].getBestFamilyName() == "Noto Sans CJK SC")
    options = Options()
    options.name_IDs, options.layout_features = ["*"], []
    subsetter = Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    order, glyphs = font.getGlyphOrder(), font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion, maxp.maxZones = 0x00010000, 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\0\1\0\0"
    font.save(out)
    return out


def supplementary_font(out: Path, characters: str) -> Path:
    """A TrueType font that draws each of ``characters`` (beyond U+FFFF, which only a
    format 12 cmap can hold) with DejaVu Sans's glyph of a letter: what a font of CJK
    Extension B characters or of historic scripts is to the label's drawing."""
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    font = TTFont(str(FONTS / "DejaVuSans.ttf"))
    subsetter = Subsetter(Options())
    subsetter.populate(text="HOK")
    subsetter.subset(font)
    glyphs = [font.getBestCmap()[ord(c)] for c in "HOK"]
    table = CmapSubtable.newSubtable(12)
    table.platformID, table.platEncID, table.language = 3, 10, 0
    table.cmap = {ord(c): glyphs[i % len(glyphs)] for i, c in enumerate(characters)}
    font["cmap"].tables.append(table)
    font.save(out)
    return out


@needs_poppler
def test_characters_beyond_the_basic_plane_read_back_from_a_label(tmp_path):
    """A fallback font that has characters beyond U+FFFF: the label draws them, and its
    ToUnicode map gives them back as they were written (UTF-16 surrogate pairs)."""
    rare = "\U00020000\U0002A6D6\U0001F41D"  # two CJK Extension B ideographs and a bee
    scratch = build_catalog(tmp_path / "repo")
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n",
                 f"  vi: Mật ong {rare} Tam Đảo\n")
    edition = make_edition(scratch.root)
    site = tmp_path / "site"
    font = supplementary_font(tmp_path / "rare.ttf", rare)
    write_assets(edition, site, tmp_path / "cache", {"fallback_fonts": [str(font)]}, workers=1)
    pdf = site / "print" / "products" / f"{GOODS}.pdf"
    text = flat(pdf_text(pdf))
    assert f"Mật ong {rare} Tam Đảo" in text, text
    assert all((f["emb"], f["sub"], f["uni"]) == ("yes", "yes", "yes")
               for f in pdf_fonts(pdf))


@needs_poppler
@pytest.mark.skipif(not NOTO_CJK.is_file(), reason="fonts-noto-cjk is not installed")
def test_chinese_prints_with_a_fallback_font_and_a_cff_font_is_refused(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  en: Tam Dao wild-flower honey\n  zh: 三岛野花蜂蜜\n")
    edition = make_edition(scratch.root)
    cjk = truetype_cjk("三岛野花蜂蜜星", tmp_path / "cjk.ttf")
    site = tmp_path / "site"
    options = {"second_language": "zh", "fallback_fonts": [str(cjk)]}
    write_assets(edition, site, tmp_path / "cache", options, workers=1)

    pdf = site / "print" / "products" / f"{GOODS}.pdf"
    text = flat(pdf_text(pdf))
    assert "Mật ong hoa rừng Tam Đảo" in text and "三岛野花蜂蜜" in text, text
    fonts = pdf_fonts(pdf)
    assert {f["type"] for f in fonts} == {"TrueType"}
    assert all((f["emb"], f["sub"], f["uni"]) == ("yes", "yes", "yes") for f in fonts), fonts
    assert any(f["name"].endswith("+NotoSansCJKsc-Regular") for f in fonts), fonts
    [page] = rasterize(pdf, tmp_path / "raster", LOW_DPI)
    assert [b.text for b in decode(page)] == [edition.qr_target(edition.catalog.products[GOODS])]

    # without it the Chinese is left out; a CFF font is refused, naming the option
    write_assets(edition, tmp_path / "plain", tmp_path / "cache", {"second_language": "zh"})
    plain = flat(pdf_text(tmp_path / "plain" / "print" / "products" / f"{GOODS}.pdf"))
    assert "Mật ong hoa rừng Tam Đảo" in plain and "蜂蜜" not in plain
    with pytest.raises(printspec.PrintOptionsError, match="'fallback_fonts'.*TrueType outlines"):
        write_assets(edition, tmp_path / "cff", tmp_path / "cache",
                     {"second_language": "zh", "fallback_fonts": [str(NOTO_CJK)]})


@needs_poppler
def test_sheet_layout_is_configurable_and_spreads_over_pages(edition, tmp_path):
    point = max(edition.catalog.sales_points.values(),
                key=lambda p: len(edition.catalog.products_at(p.id)))
    products = edition.catalog.products_at(point.id)
    options = {"sheet": {"columns": 2, "rows": 4, "label_width_mm": 99.1,
                         "label_height_mm": 67.7, "margin_left_mm": 4.65,
                         "margin_top_mm": 13.1, "pitch_x_mm": 101.6, "pitch_y_mm": 67.7,
                         "qr_mm": 40},
               "label": {"crop_marks": False}, "qr_size_mm": 30}
    site = tmp_path / "site"
    write_assets(edition, site, tmp_path / "cache", options, workers=1)
    pdf = site / "print" / "sales-points" / f"{point.id}-labels.pdf"
    pages = rasterize(pdf, tmp_path / "raster")
    assert len(pages) == -(-len(products) // 8) > 1
    decoded = []
    for page in pages:
        found = decode(page)
        for barcode in found:
            check_geometry(page, barcode, 40 / (modules_of(barcode) + 8), pdf.name)
        decoded += [b.text for b in found]
    assert sorted(decoded) == sorted(edition.qr_target(p) for p in products)
    # no crop marks: the label and its bleed, nothing else
    label = pdf_info(site / "print" / "products" / f"{products[0].id}.pdf")
    assert box(label, "MediaBox") == pytest.approx((0, 0, 66 * MM, 46 * MM), abs=0.01)
    assert box(label, "BleedBox") == box(label, "MediaBox")
    assert box(label, "TrimBox") == pytest.approx((3 * MM, 3 * MM, 63 * MM, 43 * MM), abs=0.01)
    png = Image.open(site / "qr" / f"{products[0].id}.png")
    assert png.width <= int(30 / 25.4 * DPI)


@pytest.mark.parametrize("options, named", [
    ({"qr_size_mm": "big"}, "qr_size_mm"),
    ({"qr_size_mm": -3}, "qr_size_mm"),
    ({"colour": "red"}, "colour"),
    ({"sheet": {"columns": 0}}, "sheet.columns"),
    ({"sheet": {"columns": 4}}, "sheet.columns"),
    ({"sheet": {"rows": 2.5}}, "sheet.rows"),
    ({"sheet": {"label_width_mm": 10}}, "sheet.label_width_mm"),
    ({"sheet": {"qr_mm": 60}}, "sheet.qr_mm"),
    ({"sheet": "3x8"}, "sheet"),
    ({"label": {"crop_marks": "yes"}}, "label.crop_marks"),
    ({"label": {"bleed_mm": 12}}, "label.bleed_mm"),
    ({"label": {"trim_mm": 3}}, "label.trim_mm"),
    ({"colour": "#12345"}, "colour"),
    ({"colour": 0x123456}, "colour"),
    ({"fallback_fonts": "fonts/cjk.ttf"}, "fallback_fonts"),
    ({"fallback_fonts": ["fonts/missing.ttf"]}, "fallback_fonts"),
    ({"font": "fonts/missing.ttf"}, "font"),
    ({"font_bold": 12}, "font_bold"),
    ({"second_language": "fr"}, "second_language"),
    ({"poster": {"qr_mm": 400}}, "poster.qr_mm"),
])
def test_invalid_options_are_named(options, named):
    with pytest.raises(ValueError, match=re.escape(f"'{named}'")):
        printspec.parse_options(options, REPO, LANGUAGES)


def test_a_bad_option_fails_the_build_with_its_name(tmp_path):
    result = build_scratch_with(tmp_path, "      search: false\n"
                                          "      print_assets:\n        sheet: {columns: many}\n")
    assert result.returncode != 0
    assert "'sheet.columns'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def test_print_assets_can_be_turned_off_and_the_second_language_too(edition, tmp_path):
    assert write_assets(edition, tmp_path / "off", tmp_path / "cache",
                        {"enabled": False}) == 0
    assert not (tmp_path / "off").exists()
    settings = printspec.parse_options({"second_language": None}, REPO, LANGUAGES)
    product = edition.all_products[0]
    text = printing.label_text(edition, product, settings.second_language)
    assert text.name2 == "" and "star" not in text.stars_text


def _store(cache: Path) -> Path:
    """The print cache's folder of the options last drawn with (one per fingerprint)."""
    return max((p for p in cache.iterdir() if re.fullmatch(r"[0-9a-f]{16}", p.name)),
               key=lambda p: p.stat().st_mtime_ns)


def _sheet_files_in_cache(site: Path, cache: Path) -> list[Path]:
    """The cached PDFs the site's shelf-label sheets are hard links to."""
    inodes = {p.stat().st_ino for p in (site / "print" / "sales-points").glob("*.pdf")
              if "poster" not in p.name}
    return [p for p in _store(cache).glob("*.pdf") if p.stat().st_ino in inodes]


def test_a_sheet_drawn_again_places_the_shelf_labels_kept_from_before(edition, tmp_path,
                                                                     monkeypatch):
    """A sheet written again (a product it lists changed) draws no label: each is read
    back from the print cache, and the sheet comes out byte for byte as before. A kept
    label that changed on disk (as a pull request committing cache files would leave it)
    is not used: it is drawn again."""
    from ocop_catalog.outputs.printing import drawing

    cache, first = tmp_path / "cache", tmp_path / "a"
    write_assets(edition, first, cache, {}, workers=1)
    sheets = _sheet_files_in_cache(first, cache)
    assert len(sheets) == sum(1 for p in edition.catalog.sales_points
                              if edition.catalog.products_at(p))
    kept = sorted((_store(cache) / printing.SHELF_LABELS).glob("*.json"))
    # each trusted by its signature beside it, recorded when it was written: its stat
    # signature and the SHA-256 of what it holds
    assert all(json.loads(p.with_name(p.name + printing.SIGNATURE).read_bytes())
               == [*stat_signature(p), hashlib.sha256(p.read_bytes()).hexdigest()]
               for p in kept)
    assert len(kept) == len({p.id for point in edition.catalog.sales_points
                             for p in edition.catalog.products_at(point)})
    for sheet in sheets:
        sheet.unlink()

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew a shelf label that is in the cache")

    with monkeypatch.context() as patched:
        patched.setattr(printing, "draw_label", no_drawing)
        write_assets(edition, tmp_path / "b", cache, {}, workers=1)
    assert _tree(tmp_path / "b") == _tree(first)

    # a kept label replaced by another file (same name, another price): drawn again (the
    # sheets' kept pages gone, so that their labels are read)
    for page in (_store(cache) / printing.SHELF_LABELS).glob(f"*{printing.SHEET_PAGE}"):
        page.unlink()
    forged = kept[0]
    ops = json.loads(forged.read_bytes())
    forged.unlink()
    forged.write_text(json.dumps(ops).replace("₫", "₫ 1"), encoding="utf-8")
    again = _sheet_files_in_cache(tmp_path / "b", cache)
    assert len(again) == len(sheets)
    for sheet in again:
        sheet.unlink()
    drawn: list[str] = []
    real = printing.draw_label
    monkeypatch.setattr(printing, "draw_label",
                        lambda *a, **k: drawn.append(a[2].product_id) or real(*a, **k))
    write_assets(edition, tmp_path / "c", cache, {}, workers=1)
    assert len(drawn) == 1
    assert _tree(tmp_path / "c") == _tree(first)
    assert drawing.drawing_from_json(forged.read_bytes(), {"R", "B"}) is not None


MANY_PAGES = {"sheet": {"columns": 1, "rows": 2}}  # two labels a page: sheets of many pages


def _sheet_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext)."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8").split("\f")[:-1]


@needs_poppler
def test_a_sheet_written_again_places_its_unchanged_pages_as_they_were(edition, tmp_path,
                                                                      monkeypatch):
    """A sheet whose one product changed draws that product's page alone and places its
    other pages as the cache kept them: byte for byte the sheet a cold build draws. A
    character new to the sheet gives every character another code: every page is drawn."""
    cache = tmp_path / "cache"
    write_assets(edition, tmp_path / "a", cache, MANY_PAGES)
    point = max(edition.catalog.sales_points,
                key=lambda p: len(edition.catalog.products_at(p)))
    at = edition.catalog.products_at(point)
    assert len(at) >= 5  # three pages at least
    sheet = f"print/sales-points/{point}-labels.pdf"
    changed = at[len(at) // 2].id
    real_text = printing.label_text

    def priced(price):
        def label_text(edition, product, second):
            text = real_text(edition, product, second)
            return printing.replace(text, price=price) if product.id == changed else text
        return label_text

    drawn: list[int] = []
    real_page = printing.sheet_page
    monkeypatch.setattr(printing, "sheet_page",
                        lambda sheet, labels: drawn.append(len(labels)) or real_page(sheet, labels))
    # another product's price (characters the sheet has), then a character it has not
    second = printspec.parse_options(MANY_PAGES, REPO, LANGUAGES).second_language
    prices = [real_text(edition, p, second).price for p in at]
    other = next(p for p in prices if p and p != prices[len(at) // 2])
    for price, new_character in ((other, False), ("Ω 9", True)):
        monkeypatch.setattr(printing, "label_text", priced(price))
        drawn.clear()
        write_assets(edition, tmp_path / f"kept-{price}", cache, MANY_PAGES)
        kept_sheet = (tmp_path / f"kept-{price}" / sheet).read_bytes()
        sheets_drawn = sum(1 for p in edition.catalog.sales_points
                           if any(x.id == changed for x in edition.catalog.products_at(p)))
        pages = -(-len(at) // 2)
        if new_character:  # every page of the sheets with it (this one among them)
            assert len(drawn) >= pages
        else:  # the changed product's page, on each of its sheets
            assert len(drawn) == sheets_drawn
        drawn.clear()
        write_assets(edition, tmp_path / f"cold-{price}", tmp_path / f"cold-cache-{price}",
                     MANY_PAGES)
        cold_sheet = (tmp_path / f"cold-{price}" / sheet).read_bytes()
        assert len(drawn) >= pages  # the cold build drew every page
        assert kept_sheet == cold_sheet
        texts = _sheet_pages(kept_sheet)
        assert len(texts) == pages
        assert price in texts[len(at) // 2 // 2]  # the changed label's page says it


def test_the_print_cache_keeps_what_a_site_or_a_sheet_uses_and_deletes_the_rest(
        edition, tmp_path, monkeypatch):
    """Once a day (the first build, then when the sweep is due), the print cache's folder
    loses what no site links to and what no sheet of the catalog would place: a label or
    sheet drawn for a price that changed since, once the site that had it is gone. What a
    site or a sheet uses stays: a later build draws no label again."""
    from ocop_catalog import housekeeping

    cache = tmp_path / "cache"
    write_assets(edition, tmp_path / "a", cache, MANY_PAGES)
    store = _store(cache)
    assert (store / housekeeping.SWEPT).is_file()  # the first build swept (nothing to do)
    point = max(edition.catalog.sales_points, key=lambda p: len(edition.catalog.products_at(p)))
    changed = edition.catalog.products_at(point)[0].id
    real_text = printing.label_text
    monkeypatch.setattr(printing, "label_text", lambda e, product, second: printing.replace(
        real_text(e, product, second), price="1.234.567 ₫") if product.id == changed
        else real_text(e, product, second))
    write_assets(edition, tmp_path / "b", cache, MANY_PAGES)
    shelf = store / printing.SHELF_LABELS
    before = {p.name for p in store.iterdir()} | {p.name for p in shelf.iterdir()}
    shutil.rmtree(tmp_path / "a")  # the site of the old price is gone (swapped out)
    # not due yet: nothing deleted
    write_assets(edition, tmp_path / "c", cache, MANY_PAGES)
    assert {p.name for p in store.iterdir()} | {p.name for p in shelf.iterdir()} == before
    stamp = store / housekeeping.SWEPT
    later = time.time() + housekeeping.GRACE + 60  # the clock of a day later (an hour will do)
    monkeypatch.setattr(housekeeping, "time", types.SimpleNamespace(
        time=lambda: later, time_ns=lambda: int(later * 1e9)))
    # drawn a moment before by another build and not placed yet: not deleted
    fresh = store / "0123456789abcdef0123456789abcdef.pdf"
    fresh.write_bytes(b"%PDF another build's")
    os.utime(fresh, (later - 10, later - 10))
    before.add(fresh.name)
    os.utime(stamp, (0, 0))
    write_assets(edition, tmp_path / "d", cache, MANY_PAGES)
    after = {p.name for p in store.iterdir()} | {p.name for p in shelf.iterdir()}
    assert fresh.is_file()
    fresh.unlink()
    after.add(fresh.name)
    gone = before - after
    # the old price's label PDF, its shelf label (and signature), its pages and sheets
    assert any(n.endswith(".pdf") for n in gone)
    assert any(n.endswith(".json") for n in gone) and any(n.endswith(".json.sig") for n in gone)
    assert any(n.endswith(printing.SHEET_PAGE) for n in gone)
    assert not after - before - {housekeeping.SWEPT}
    # what is left: files in a site, and a shelf label (with its signature) per product on
    # a sheet and a page per sheet page
    assert all(p.stat().st_nlink > 1 for p in store.iterdir() if p.suffix in (".pdf", ".png")
               and p != fresh)
    labels = {p.name for p in shelf.glob("*.json")}
    assert len(labels) == len({p.id for q in edition.catalog.sales_points
                               for p in edition.catalog.products_at(q)})
    assert {p.name for p in shelf.glob("*.sig")} == {n + printing.SIGNATURE for n in
                                                      labels | {p.name for p in shelf.glob(
                                                          f"*{printing.SHEET_PAGE}")}}
    # nothing a sheet needs was deleted: sheets drawn again place every kept label and page
    for sheet in _sheet_files_in_cache(tmp_path / "d", cache):
        sheet.unlink()

    def no_drawing(*args, **kwargs):
        raise AssertionError("drew a shelf label or page that the sweep should have kept")

    monkeypatch.setattr(printing, "draw_label", no_drawing)
    monkeypatch.setattr(printing, "sheet_page", no_drawing)
    write_assets(edition, tmp_path / "e", cache, MANY_PAGES)
    assert _tree(tmp_path / "e") == _tree(tmp_path / "d")


def test_the_print_cache_sweep_keeps_every_file_where_sites_hold_copies(edition, tmp_path,
                                                                        monkeypatch):
    """Where the file system cannot hard-link the site's print files to the cache (other
    devices), every cache entry has a single link: the sweep then deletes none of them."""
    from ocop_catalog import housekeeping

    def no_links(source, target, **_):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)  # a site and a cache on other devices
    cache = tmp_path / "cache"
    write_assets(edition, tmp_path / "a", cache, {})
    store = _store(cache)
    drawn = sorted(p.name for p in store.iterdir() if p.suffix in (".png", ".pdf"))
    assert drawn and all(p.stat().st_nlink == 1 for p in store.iterdir() if p.is_file())
    later = time.time() + housekeeping.GRACE + 60
    monkeypatch.setattr(housekeeping, "time", types.SimpleNamespace(
        time=lambda: later, time_ns=lambda: int(later * 1e9)))
    os.utime(store / housekeeping.SWEPT, (0, 0))
    write_assets(edition, tmp_path / "b", cache, {})
    assert (store / housekeeping.SWEPT).stat().st_mtime > 0  # it did sweep
    assert sorted(p.name for p in store.iterdir() if p.suffix in (".png", ".pdf")) == drawn


def test_a_link_committed_in_the_print_cache_is_never_published(edition, tmp_path):
    """A pull request can commit files in the cache folder, and a cached file's name
    follows from what it shows. A symbolic link there (to a file of the checkout, however
    it is written) is not a cached file: the site gets the file drawn, never the link or
    what it leads to, and the link in the cache is replaced by that file."""
    cache = tmp_path / "cache"
    write_assets(edition, tmp_path / "a", cache, {})
    store = _store(cache)
    secret = tmp_path / "secret.txt"
    secret.write_text("token=hunter2\n", encoding="utf-8")
    drawn = sorted(p for p in store.iterdir() if p.suffix in (".png", ".pdf"))
    for i, entry in enumerate(drawn):
        entry.unlink()  # a link in its place: absolute, relative, or leading nowhere
        entry.symlink_to(secret if i % 3 == 0 else os.path.relpath(secret, store)
                         if i % 3 == 1 else "../../../.git/config")
    site = tmp_path / "b"
    write_assets(edition, site, cache, {})
    published = [p for p in site.rglob("*") if p.suffix in (".png", ".pdf")]
    assert len(published) == len(drawn)
    assert not any(p.is_symlink() for p in published)
    assert all(p.read_bytes()[:4] in (b"\x89PNG", b"%PDF") for p in published)
    assert not any(b"hunter2" in p.read_bytes() for p in published)
    # the cache holds the files drawn now, each the site's file (hard links)
    assert all(not p.is_symlink() and p.is_file() for p in drawn)
    inodes = {p.stat().st_ino for p in published}
    assert all(p.stat().st_ino in inodes for p in drawn)


def test_the_print_cache_sweep_deletes_nothing_through_a_link(edition, tmp_path):
    """A cache folder is a place a pull request can commit to: links there (the print
    cache folder itself, a generation folder, the kept shelf labels' folder) are never
    followed by a sweep or a rotation, whatever the folder they lead to holds."""
    from ocop_catalog import housekeeping

    def precious(name: str) -> Path:
        folder = tmp_path / name
        for rel in ("abcdef0123456789/x.webp", ".trash-y/z", "shelf-labels/a.json",
                    "0123456789abcdef0123456789abcdef.pdf", "a.json", "b.pdf"):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(b"precious")
            os.utime(folder / rel, (0, 0))
        return folder

    def intact(folder: Path) -> bool:
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                      if p.is_file() and "precious" == p.read_text(errors="replace")) == sorted(
            ["abcdef0123456789/x.webp", ".trash-y/z", "shelf-labels/a.json",
             "0123456789abcdef0123456789abcdef.pdf", "a.json", "b.pdf"])

    # the print cache folder is a link (to a folder like a site's media)
    media = precious("media")
    cache = tmp_path / "cache-link"
    cache.symlink_to(media, target_is_directory=True)
    write_assets(edition, tmp_path / "a", cache, {})
    time.sleep(1)  # what a background deletion would have done by now
    assert intact(media)

    # a generation folder, and the kept shelf labels' folder, are links
    cache = tmp_path / "cache"
    write_assets(edition, tmp_path / "b", cache, {})
    store = _store(cache)
    shutil.rmtree(store / printing.SHELF_LABELS)
    labels = precious("labels")
    (store / printing.SHELF_LABELS).symlink_to(labels, target_is_directory=True)
    os.utime(store / housekeeping.SWEPT, (0, 0))
    write_assets(edition, tmp_path / "c", cache, {})
    assert (store / housekeeping.SWEPT).stat().st_mtime > 0  # it did sweep
    name = store.name
    shutil.rmtree(store)
    elsewhere = precious("elsewhere")
    (cache / name).symlink_to(elsewhere, target_is_directory=True)
    write_assets(edition, tmp_path / "d", cache, {})
    assert (cache / name).is_dir() and not (cache / name).is_symlink()  # made again
    time.sleep(1)
    assert intact(labels) and intact(elsewhere)
    assert _tree(tmp_path / "d") == _tree(tmp_path / "b")


def test_the_print_cache_keeps_the_files_of_the_last_two_options_used(edition, tmp_path):
    """Every file in the print cache depends on the drawing code, fonts and options: each
    such generation has a folder, and only the two used last are kept. A cache of the
    layout earlier versions wrote (one folder of everything) is set aside whole."""
    from ocop_catalog import housekeeping

    cache = tmp_path / "cache"
    (cache / printing.SHELF_LABELS).mkdir(parents=True)
    (cache / "0123456789abcdef0123456789abcdef.pdf").write_bytes(b"%PDF old layout")
    generations = []
    third = {"sheet": {"columns": 2, "rows": 5}}
    for i, options in enumerate(({}, MANY_PAGES, third)):
        write_assets(edition, tmp_path / f"site-{i}", cache, options)
        generations.append(_store(cache).name)
        os.utime(cache / generations[-1], ns=(i * 10**9, i * 10**9))  # in order of use
    assert len(set(generations)) == 3

    def kept() -> set[str]:  # (fonts: prepared once per process)
        return {p.name for p in cache.iterdir()
                if not p.name.startswith(housekeeping.TRASH)} - {"fonts"}

    assert kept() == set(generations[1:])  # the first options' folder is on its way out
    for _ in range(50):  # the old layout's files go in the background
        if not any(p.name.endswith(".pdf") for p in cache.iterdir()):
            break
        time.sleep(0.1)
    assert not any(p.name.endswith(".pdf") for p in cache.iterdir())
    # a folder used within the grace period is kept, even if not among the last two: a
    # build of another site folder may be drawing into it
    now = time.time()
    os.utime(cache / generations[1], (now - 10, now - 10))
    os.utime(cache / generations[2], (now - 5, now - 5))
    write_assets(edition, tmp_path / "site-3", cache, {"sheet": {"columns": 1, "rows": 3}})
    assert kept() == {*generations[1:], _store(cache).name}
    # the files of a folder kept stay usable: nothing is drawn again
    def no_drawing(*args, **kwargs):
        raise AssertionError("drew a file the print cache holds")

    with pytest.MonkeyPatch.context() as patched:
        for name in ("draw_label", "sheet_page", "product_label_pdf", "qr_png"):
            patched.setattr(printing, name, no_drawing)
        write_assets(edition, tmp_path / "again", cache, third)
    assert _tree(tmp_path / "again") == _tree(tmp_path / "site-2")


def test_a_kept_sheet_page_is_placed_only_as_this_program_wrote_it(edition, tmp_path,
                                                                   monkeypatch):
    """A kept page reaches the PDF as it is: a file that changed since it was written (as
    a pull request committing cache files would leave it) is not read, and a content
    stream with anything but the operators the drawing writes does not check out."""
    from ocop_catalog.outputs.printing import drawing

    cache = tmp_path / "cache"
    write_assets(edition, tmp_path / "a", cache, MANY_PAGES)
    pages = sorted((_store(cache) / printing.SHELF_LABELS).glob(f"*{printing.SHEET_PAGE}"))
    assert pages
    head, _, deflated = pages[0].read_bytes().partition(b"\n")
    content = zlib.decompress(deflated).decode("ascii")
    assert "BT" in content and " Tj" in content and " re" in content
    assert drawing.content_ok(content)
    for bad in ("/Im1 Do", "<< /Type /XObject >>", "endstream", "(x) Tj\nBI ID",
                "(unclosed Tj", "1e9 0 m", "/F1+0 9 Tf (\\9) Tj", "\u0663 0 1 1 re",
                "% a comment", "[(a) 3 (b)] TJ", "<414243> Tj", "/Fx 9 Tf", "1 0 obj"):
        assert not drawing.content_ok(content + "\n" + bad + "\n"), bad
    assert not drawing.content_ok(["0 g"]) and not drawing.content_ok(b"0 g")
    assert not drawing.content_ok("(" + "\\111" * 40 + " Tj")  # at once: no backtracking
    # a forged page (the same name, another content): drawn again, the sheet as before;
    # even with its signature recorded beside it as if this program had written it (its
    # content does not check out)
    pages[0].unlink()
    pages[0].write_bytes(head + b"\n" + zlib.compress(content.encode() + b"\n/Im1 Do\n"))
    signature_file = pages[0].with_name(pages[0].name + printing.SIGNATURE)
    signature_file.write_text(json.dumps(stat_signature(pages[0])), encoding="utf-8")
    for sheet in _sheet_files_in_cache(tmp_path / "a", cache):
        sheet.unlink()
    drawn: list[int] = []
    real_page = printing.sheet_page
    monkeypatch.setattr(printing, "sheet_page",
                        lambda sheet, labels: drawn.append(1) or real_page(sheet, labels))
    write_assets(edition, tmp_path / "b", cache, MANY_PAGES)
    assert len(drawn) == 1
    assert _tree(tmp_path / "b") == _tree(tmp_path / "a")


def test_a_kept_shelf_label_that_does_not_check_out_is_not_read(edition):
    """What is read back from the cache reaches a PDF's content stream: only the shapes a
    drawing has, with text styles the fonts have and a QR path of rectangles alone."""
    from ocop_catalog.outputs.printing import drawing

    d = drawing.Drawing()
    d.text("R", 9.5, 1.25, 2, "Mật ong <b>(x)</b> \\ 蜂蜜")
    d.rect(0, 0, 10.5, 3, (0.1, 0.2, 0.3), radius=1.5)
    d.lines([(0, 0, 1, 1)], 0.25)
    d.qr(((0, 0, 3), (1, 2, 1)), 21, 1, 1, 20)
    outer = drawing.Drawing()
    outer.place(d, 5, 6)
    data = drawing.drawing_json(outer)
    back = drawing.drawing_from_json(data, {"R", "B"})
    assert back is not None and drawing.drawing_json(back) == data

    def forged(transform) -> bytes:
        ops = json.loads(data)
        transform(ops[0][1])
        return json.dumps(ops).encode()

    def inject(ops):
        ops[3][1] += "\nBT /F1 12 Tf 9 9 Td (x) Tj ET"

    def style(ops):
        ops[0][1] = "Z"

    def huge(ops):
        ops[0][2] = 1e400

    def kind(ops):
        ops.append(["image", "/etc/passwd"])

    def large(ops):  # finite, but more than ReportLab writes
        ops[1][1] = 1e25

    def unhashable_style(ops):
        ops[0][1] = ["R"]

    def other_digits(ops):  # digits, but not ASCII ones
        ops[3][1] = "\u0663 0 1 1 re"

    def bright(ops):
        ops[0][6] = [0, 0, 2]

    def colour(ops):
        ops[1][5] = [0, 0]

    for bad in (forged(inject), forged(style), forged(huge), forged(kind), forged(colour),
                forged(large), forged(unhashable_style), forged(other_digits), forged(bright),
                b"[" * 50 + b"]" * 50, b"not json", b'{"ops": []}',
                json.dumps([["place", [["place", [["place", [["place", [["place", [], 0, 0]],
                            0, 0]], 0, 0]], 0, 0]], 0, 0]]).encode()):
        assert drawing.drawing_from_json(bad, {"R", "B"}) is None, bad[:80]


def test_a_process_that_builds_again_keeps_only_the_fonts_it_used_last(tmp_path, monkeypatch):
    """'ocop serve' loads the label fonts once per version of their files; while the
    office tries one font after another, the process keeps the sets it used last
    (``FONTS_KEPT``) and forgets the faces none of them draws with, where it kept every
    font it had been given."""
    from fontTools.ttLib import TTFont
    from ocop_catalog.outputs.printing import drawing

    monkeypatch.setattr(printing, "_FONTS", {})
    monkeypatch.setattr(drawing, "_FACES", {})
    monkeypatch.setattr(drawing, "_TTFONTS", {})
    fonts = REPO / "generator" / "ocop_catalog" / "theme" / "ocop" / "fonts"
    bold = fonts / "DejaVuSans-Bold.ttf"
    variants = []
    for i in range(3):  # three versions of one font, as an office would try them
        font = TTFont(fonts / "DejaVuSans.ttf")
        font["name"].setName(f"Thử {i}", 1, 3, 1, 0x409)
        variants.append(tmp_path / f"font-{i}.ttf")
        font.save(variants[-1])

    def load(path: Path) -> dict:
        settings = types.SimpleNamespace(font=path, font_bold=bold, fallback_fonts=())
        return printing.load_fonts(settings, tmp_path / "print")

    first, second = load(variants[0]), load(variants[1])
    assert load(variants[0]) is first  # loaded once, and now the one used last
    third = load(variants[2])
    assert printing.FONTS_KEPT == 2 and len(printing._FONTS) == 2
    faces = {first["R"].faces[0].name, third["R"].faces[0].name, first["B"].faces[0].name}
    assert set(drawing._FACES) == set(drawing._TTFONTS) == faces  # the second's gone
    assert load(variants[0]) is first and load(variants[1]) is not second  # second forgotten
    regular = {styles["R"].faces[0].name for styles in (first, second, third)}
    assert len(regular) == 3
    kept = {face.name for styles in printing._FONTS.values() for style in styles.values()
            for face in style.faces}
    assert kept < regular | {first["B"].faces[0].name}
    assert set(drawing._FACES) == set(drawing._TTFONTS) == kept
    # what is kept draws: each face its ReportLab font
    assert first["R"].width("Mật ong", 10) > 0
    assert all(drawing._TTFONTS[name].face.charWidths for name in kept)
