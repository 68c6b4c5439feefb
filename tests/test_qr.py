"""QR codes decode, with a real decoder, to the address they were made for."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from siteutil import svg_raster

from ocop_catalog.edition.qr import QUIET_ZONE, qr_matrix, qr_svg

URLS = [
    "https://ocop.example.vn/products/mat-ong-hoa-rung/",
    "https://ocop.example.vn/en/products/thanh-long-ruot-do/",
    "https://ocop-vinh-phuc.example.vn/q/K7M2/",
]


@pytest.mark.parametrize("url", URLS)
def test_svg_decodes_to_its_url(url):
    found = zxingcpp.read_barcodes(svg_raster(qr_svg(url)))
    assert [(b.format, b.text, b.ec_level) for b in found] == [
        (zxingcpp.BarcodeFormat.QRCode, url, "M")
    ]


def test_quiet_zone_is_four_light_modules():
    svg = qr_svg(URLS[0]).decode()
    modules = len(qr_matrix(URLS[0]))
    assert f'viewBox="0 0 {modules + 2 * QUIET_ZONE} {modules + 2 * QUIET_ZONE}"' in svg
    starts = [(int(x), int(y)) for x, y in re.findall(r"M(\d+) (\d+)h", svg)]
    assert min(x for x, _ in starts) == QUIET_ZONE
    assert min(y for _, y in starts) == QUIET_ZONE
    # the finder pattern's dark top-left corner sits right inside the quiet zone
    assert qr_matrix(URLS[0])[0][:7] == [True] * 7


def test_same_url_gives_the_same_bytes():
    assert qr_svg(URLS[1]) == qr_svg(URLS[1])
