"""Scanning a product's QR code with a phone: headless Chromium follows the link.

The sample catalog is built once, served over HTTP by a local server (as a
static host serves it) and opened in Debian's Chromium through Playwright at
phone size, with the browser language set as a visitor's phone would set it.
The address opened is the one the product page's QR symbol decodes to
(zxing-cpp), so the test follows what is printed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from siteutil import REPO, playwright_or_skip
from test_qr_links import RECORDS, SITE_URL, qr_of_product_page

playwright_or_skip()

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
#: A product printed with its short link, one printed with its GS1 Digital Link.
SHORT = next(pid for pid, r in sorted(RECORDS.items()) if not r.get("gtin"))
GS1 = next(pid for pid, r in sorted(RECORDS.items()) if r.get("gtin"))


@pytest.fixture(scope="module")
def site(sample_site) -> Path:
    return sample_site


@pytest.fixture(scope="module")
def base_url(sample_base_url):
    return sample_base_url


def scanned(site: Path, base_url: str, product_id: str) -> str:
    """The printed address of ``product_id``, on the local server."""
    return base_url + "/" + qr_of_product_page(site, product_id)[len(SITE_URL):]


def open_as(browser, url: str, *, locale: str, javascript: bool = True, storage=None):
    context = browser.new_context(**PHONE, locale=locale, java_script_enabled=javascript)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        if storage:
            # a visitor who picked a language on the site before
            page.goto(url.split("/q/")[0].split("/01/")[0] + "/")
            page.evaluate("s => { for (const [k, v] of Object.entries(s)) "
                          "localStorage.setItem(k, v) }", storage)
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_function("() => !/\\/(q|01)\\//.test(location.pathname)", timeout=10000)
        path = urlsplit(page.url).path
        name = page.locator("h1").first.inner_text()
        lang = page.evaluate("document.documentElement.lang")
        return path, name, lang, errors
    finally:
        context.close()


def _name(product_id: str, lang: str) -> str:
    name = RECORDS[product_id]["name"]
    return name if isinstance(name, str) else name.get(lang) or name["vi"]


@pytest.mark.parametrize("product_id", [SHORT, GS1])
@pytest.mark.parametrize("locale, lang", [("en-US", "en"), ("zh-CN", "zh"),
                                           ("vi-VN", "vi"), ("fr-FR", "vi")])
def test_scan_opens_the_product_in_the_phone_language(site, base_url, browser, product_id,
                                                      locale, lang):
    path, name, page_lang, errors = open_as(browser, scanned(site, base_url, product_id),
                                            locale=locale)
    prefix = "/" if lang == "vi" else f"/{lang}/"
    assert path == f"{prefix}products/{product_id}/"
    assert page_lang == lang
    assert " ".join(name.split()) == " ".join(_name(product_id, lang).split())
    assert errors == []


@pytest.mark.parametrize("product_id", [SHORT, GS1])
def test_scan_without_javascript_still_reaches_the_product(site, base_url, browser,
                                                           product_id):
    path, name, page_lang, _ = open_as(browser, scanned(site, base_url, product_id),
                                       locale="en-US", javascript=False)
    assert path == f"/products/{product_id}/"
    assert page_lang == "vi"
    assert " ".join(name.split()) == " ".join(_name(product_id, "vi").split())


def test_the_language_picked_on_the_site_wins_over_the_phone_language(site, base_url, browser):
    path, _, page_lang, errors = open_as(browser, scanned(site, base_url, SHORT),
                                         locale="vi-VN", storage={"ocop.lang": "en"})
    assert path == f"/en/products/{SHORT}/"
    assert page_lang == "en"
    assert errors == []


def test_picking_a_language_is_remembered(site, base_url, browser):
    context = browser.new_context(**PHONE, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{base_url}/products/{SHORT}/")
        page.locator(".hd-langs > summary").click()  # the language menu (a disclosure)
        page.locator(".langs a[hreflang=zh]").click()
        page.wait_for_url(f"**/zh/products/{SHORT}/")
        assert page.evaluate("localStorage.getItem('ocop.lang')") == "zh"
        page.goto(scanned(site, base_url, GS1))
        page.wait_for_url(f"**/zh/products/{GS1}/")
    finally:
        context.close()


def test_the_sales_point_poster_link_opens_the_point_in_english(base_url, browser):
    points = yaml.safe_load((REPO / "catalog" / "sales-points.yml").read_text(encoding="utf-8"))
    point = points["sales_points"][0]["id"]
    context = browser.new_context(**PHONE, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{base_url}/s/{point}/")
        page.wait_for_url(f"**/en/sales-points/{point}/")
    finally:
        context.close()


#: The site's first-view budget for a product page (HTML, CSS, JS, fonts, main photo).
WEIGHT_BUDGET = 150 * 1024
ESSENTIALS = (".product-photo img", "h1", ".product-head .stars",
              ".product-head .cert-status .badge",
              ".product-head .product-origin a[href*='producers/']",
              ".product-head .product-origin a[href*='areas/']")


@pytest.mark.parametrize("product_id", [SHORT, GS1])
def test_the_scan_landing_shows_the_essentials_fast_and_from_this_site_only(
        site, base_url, browser, product_id):
    context = browser.new_context(**PHONE, locale="en-US")
    requests, sizes = [], []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))

        def measure(response):
            # bytes on the wire: the compressed body as the server sent it
            headers = response.headers
            if "content-length" in headers:
                sizes.append(int(headers["content-length"]))
            else:
                sizes.append(len(response.body()))

        page.on("response", measure)
        page.goto(scanned(site, base_url, product_id), wait_until="networkidle")
        page.wait_for_url(f"**/en/products/{product_id}/")
        page.wait_for_load_state("networkidle")
        for selector in ESSENTIALS + ((".product-head .product-price strong",)
                                      if RECORDS[product_id].get("price") else ()):
            loc = page.locator(selector).first
            assert loc.is_visible(), selector
            box = loc.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 740, f"{selector}: {box}"
        assert page.locator(".product-photo img").first.evaluate(
            "i => i.complete && i.naturalWidth > 0")
    finally:
        context.close()
    assert all(url.startswith(base_url) for url in requests), [
        u for u in requests if not u.startswith(base_url)]
    assert sum(sizes) <= WEIGHT_BUDGET, f"{sum(sizes)} bytes from the scan to the first view"
