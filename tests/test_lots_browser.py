"""A production lot's QR code scanned with a phone: headless Chromium opens the lot's GS1
Digital Link on a local server that serves the built sample as GitHub Pages, Netlify and
Cloudflare Pages do (``/a/b`` from ``a/b.html``, a folder redirected to ``/a/b/``, missing
paths answered by ``404.html`` with status 404).

What a visitor must read is recomputed from the records (products/*/*/product.yml), not
taken from the build: the lot's state on the visitor's day (the browser's clock is set,
so the re-check in ocop.js is what is tested), in the visitor's language; and a lot the
build has never seen lands on its product's page saying there are no details for it.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from siteutil import GzipHandler, playwright_or_skip, serve
from test_lots import GTIN_LOTS, LOTS, state_on

playwright_or_skip()

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
LABELS = {"vi": {"in_date": "Còn hạn sử dụng", "expired": "Đã hết hạn sử dụng",
                 "recalled": "Đã bị thu hồi"},
          "en": {"in_date": "In date", "expired": "Expired", "recalled": "Recalled"}}
UNKNOWN = {"vi": "Chưa có thông tin về lô {lot}", "en": "No details for lot {lot}"}


def printed_path(record: dict, lot: dict) -> str:
    """/01/<GTIN-14>/10/<lot, percent-encoded> as GS1 Digital Link writes it."""
    return f"/01/{str(record['gtin']).zfill(14)}/10/{quote(str(lot['code']), safe='')}"


class StaticHost(GzipHandler):
    """GitHub Pages / Netlify / Cloudflare Pages rules for what a path serves."""

    def send_head(self):
        parts = urlsplit(self.path)
        local = Path(self.translate_path(parts.path))
        if not parts.path.endswith("/") and not local.exists() and \
                Path(str(local) + ".html").is_file():
            self.path = parts.path + ".html" + (f"?{parts.query}" if parts.query else "")
            return super().send_head()
        if local.exists() or parts.path.endswith("/") and (local / "index.html").is_file():
            return super().send_head()
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@pytest.fixture(scope="module")
def host(sample_site):
    with serve(sample_site, StaticHost) as url:
        yield url


def test_the_sample_has_lots_in_date_expired_and_recalled():
    build_day = dt.date(2026, 11, 29)
    assert {state_on(lot, build_day) for _, _, lot in GTIN_LOTS} == {
        "in_date", "expired", "recalled"}
    assert any(not r.get("gtin") for _, r, _ in LOTS), "a lot of a product without GTIN"


def visit(browser, url: str, *, locale: str, day: dt.date | None = None,
          until: str = "() => document.readyState === 'complete'"):
    context = browser.new_context(**PHONE, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if day is not None:
        page.clock.set_fixed_time(dt.datetime.combine(day, dt.time(9)))
    page.goto(url)
    page.wait_for_function(until, timeout=10000)
    page.wait_for_load_state("load")
    return context, page, errors


@pytest.mark.parametrize("day", [None, dt.date(2026, 9, 1), dt.date(2028, 4, 1)],
                         ids=["today", "2026-09-01", "2028-04-01"])
def test_each_lot_page_shows_the_lot_and_its_state_on_the_visitors_day(browser, host, day):
    on = day or dt.date.today()
    for product_id, record, lot in GTIN_LOTS:
        url = host + printed_path(record, lot)
        context, page, errors = visit(browser, url, locale="vi-VN", day=day)
        try:
            assert unquote(urlsplit(page.url).path) == unquote(printed_path(record, lot))
            assert page.locator("h1").inner_text() == record["name"]["vi"]
            assert page.locator("[data-lot-code]").inner_text() == str(lot["code"])
            assert page.locator("[data-lot-label]").inner_text() == \
                LABELS["vi"][state_on(lot, on)], (lot["code"], on)
            if lot.get("recall"):
                assert record and page.get_by_text(lot["recall"]["reason"]["vi"]).count() == 1
            link = page.locator("a.lot-product")
            assert link.get_attribute("href") and page.evaluate(
                "a => new URL(a.href).pathname", link.element_handle()) == \
                f"/products/{product_id}/"
            assert errors == []
        finally:
            context.close()


def test_the_lot_page_opens_in_the_visitors_language_with_the_query_kept(browser, host):
    _, record, lot = GTIN_LOTS[0]
    url = host + printed_path(record, lot) + "?17=281231"
    context, page, errors = visit(browser, url, locale="en-GB",
                                  until="() => location.pathname.startsWith('/en/')")
    try:
        assert urlsplit(page.url).query == "17=281231"
        assert page.locator("h1").inner_text() == record["name"]["en"]
        assert page.locator("[data-lot-label]").inner_text() == \
            LABELS["en"][state_on(lot, dt.date.today())]
        assert errors == []
    finally:
        context.close()


def landed(page) -> str:
    return unquote(urlsplit(page.url).path)


@pytest.mark.parametrize("locale, lang", [("vi-VN", "vi"), ("en-US", "en")])
def test_a_lot_the_build_never_saw_lands_on_its_product_page(browser, host, locale, lang):
    product_id, record, _ = GTIN_LOTS[0]
    gtin14 = str(record["gtin"]).zfill(14)
    prefix = "" if lang == "vi" else f"/{lang}"
    for lot in ("NEW&26", "X-1"):
        url = f"{host}/01/{gtin14}/10/{quote(lot, safe='')}?17=271231"
        context, page, errors = visit(browser, url, locale=locale,
                                      until="() => location.pathname.includes('/products/')")
        try:
            assert landed(page) == f"{prefix}/products/{product_id}/"
            notice = page.locator("[data-lot-unknown]")
            assert notice.is_visible()
            assert notice.inner_text().startswith(UNKNOWN[lang].format(lot=lot))
            assert errors == []
        finally:
            context.close()


def test_other_digital_link_forms_walk_up_to_the_product(browser, host):
    product_id, record, _ = GTIN_LOTS[0]
    gtin = str(record["gtin"])
    for path in (f"/01/{gtin.lstrip('0')}", f"/01/{gtin.zfill(14)}/21/SERIAL42"):
        context, page, _ = visit(browser, host + path, locale="vi-VN",
                                 until="() => location.pathname.includes('/products/')")
        try:
            assert landed(page) == f"/products/{product_id}/"
            assert page.locator("[data-lot-unknown]").is_hidden()
        finally:
            context.close()


def test_a_lot_without_gtin_walks_up_under_the_short_link(browser, host, sample_site):
    product_id, _, lot = next(x for x in LOTS if not x[1].get("gtin"))
    pages = sorted(sample_site.glob(f"q/*/10/{lot['code']}.html"))
    assert len(pages) == 1, pages
    code = pages[0].parent.parent.name
    context, page, _ = visit(browser, f"{host}/q/{code}/10/{lot['code']}", locale="vi-VN")
    try:
        assert page.locator("[data-lot-code]").inner_text() == lot["code"]
    finally:
        context.close()
    context, page, _ = visit(browser, f"{host}/q/{code}/10/UNSEEN", locale="vi-VN",
                             until="() => location.pathname.includes('/products/')")
    try:
        assert landed(page) == f"/products/{product_id}/"
        assert "UNSEEN" in page.locator("[data-lot-unknown]").inner_text()
    finally:
        context.close()


def test_an_unknown_gtin_stays_on_the_not_found_page(browser, host):
    context, page, _ = visit(browser, f"{host}/01/00000000000017/10/A1", locale="vi-VN",
                             until="() => location.pathname === '/01/00000000000017/'")
    try:
        page.wait_for_timeout(500)  # no loop: it stays
        assert landed(page) == "/01/00000000000017/"
        assert page.locator("main:visible h1").count() == 1
    finally:
        context.close()
