"""Print assets per production lot: a label and a 300-dpi PNG with the lot's own QR code,
met as a print shop and a phone meet them.

The label is the one the lot's page links; it is rendered with poppler at 300 and 150 dpi
and its QR decoded with zxing-cpp. The text it must hold is recomputed from the records
(products/*/*/product.yml) as GS1 Digital Link writes it: the site's address, /01/ and the
GTIN as 14 digits, /10/ and the lot code percent-encoded, and ``?17=<YYMMDD>`` (AI 17,
expiry) when the lot has an expiry; without a GTIN, the lot under the product's short link.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
import zxingcpp
from PIL import Image
from siteutil import SITE_URL
from test_lots import LOTS
from test_print_assets import (
    DPI,
    LABEL_MM,
    LABEL_QR_MM,
    LOW_DPI,
    MM,
    PNG_MM,
    box,
    check_geometry,
    decode,
    flat,
    modules_of,
    needs_poppler,
    pdf_info,
    pdf_text,
    rasterize,
)


def expected_target(record: dict, lot: dict, short_code: str) -> str:
    segment = quote(str(lot["code"]), safe="")
    if record.get("gtin"):
        url = f"{SITE_URL}01/{str(record['gtin']).zfill(14)}/10/{segment}"
        return url + (f"?17={lot['expires']:%y%m%d}" if lot.get("expires") else "")
    return f"{SITE_URL}q/{short_code}/10/{segment}"


def lot_page(site: Path, record: dict, lot: dict) -> tuple[Path, str]:
    """The lot's Vietnamese page and its short code (for a product without a GTIN)."""
    if record.get("gtin"):
        return site / f"01/{str(record['gtin']).zfill(14)}/10/{lot['code']}.html", ""
    [page] = site.glob(f"q/*/10/{lot['code']}.html")
    return page, page.parent.parent.name


def linked_label(site: Path, page: Path) -> Path:
    html = page.read_text(encoding="utf-8")
    [href] = re.findall(r'<a href="([^"]+)" download data-lot-label-pdf>', html)
    rel = page.relative_to(site).as_posix()
    return site / urljoin(rel, href)


@needs_poppler
@pytest.mark.parametrize("index", range(len(LOTS)), ids=[str(x[2]["code"]) for x in LOTS])
def test_each_lot_label_carries_the_lots_digital_link(sample_site, tmp_path, index):
    product_id, record, lot = LOTS[index]
    page, short = lot_page(sample_site, record, lot)
    target = expected_target(record, lot, short)
    pdf = linked_label(sample_site, page)
    info = pdf_info(pdf)
    w, h = LABEL_MM
    trim = box(info, "TrimBox")
    assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx((w * MM, h * MM), abs=0.01)
    for dpi in (DPI, LOW_DPI):
        [image] = rasterize(pdf, tmp_path, dpi)
        found = decode(image)
        assert [(b.text, b.ec_level) for b in found] == [(target, "M")], (pdf.name, dpi)
        check_geometry(image, found[0], LABEL_QR_MM / (modules_of(found[0]) + 8),
                       f"{pdf.name} at {dpi} dpi", dpi)
    text = flat(pdf_text(pdf))
    assert flat(record["name"]["vi"]) in text
    assert flat(str(lot["code"])) in text
    if lot.get("expires"):  # whole, whatever the label has to cut
        assert flat(f"HSD/EXP {lot['expires']:%d/%m/%Y}") in text
    # the address under the QR, to type: whole, on as many lines as it takes
    typed = target.split("://", 1)[1].split("?")[0]
    assert flat(typed).replace(" ", "") in text.replace(" ", ""), (typed, text)
    # the PNG beside it, for packaging designers: the same symbol at 300 dpi
    png = sample_site / "qr" / "lots" / product_id / (pdf.stem + ".png")
    image = Image.open(png)
    assert image.info["dpi"] == pytest.approx((DPI, DPI), abs=0.5)
    assert image.width * 25.4 / DPI <= PNG_MM + 0.01
    [barcode] = zxingcpp.read_barcodes(image.convert("L"))
    assert barcode.text == target
