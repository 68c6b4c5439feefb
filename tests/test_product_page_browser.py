"""The product page a visitor can trust, in headless Chromium: the certificate as a seal,
stars that grey out when a certificate lapses, the "report wrong information" link, the
photo strip and the bar at the foot of a phone's screen, the producer's Zalo and Facebook.

The sample catalog is the session's build (tests/conftest.py, build day 2026-11-29); one
small scratch catalog is built for the ``report_url`` option. Pages are opened with the
clock fixed on the build day, or on a later day to see the browser's own re-check.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from siteutil import REPO, SITE_URL, build_ok, certificates, decisions, playwright_or_skip, serve

playwright_or_skip()

pytestmark = pytest.mark.browser

BUILD_DAY = dt.datetime(2026, 11, 29, 12, tzinfo=dt.timezone.utc)
#: A day when the honey's certificate (valid until 2027) has run out.
LATER = dt.datetime(2028, 6, 1, 12, tzinfo=dt.timezone.utc)
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

HONEY = "mat-ong-hoa-rung"          # valid; 3 photos; sold at sales points; Zalo, Facebook
EXPIRED = "gao-ngon-phu-xuan"       # expired; its decision is published on the web
REVOKED = "sua-tuoi-tam-dao"        # revoked by a later decision
CERTS = certificates()
#: Gold stars (ocop.css --gold) of a certificate that may carry the mark.
GOLD = "rgb(166, 99, 0)"


def _source_urls() -> dict[str, str]:
    """Each product's recognising decision's source_url, read from the register."""
    found = {}
    for decision in decisions().values():
        for item in decision.get("recognises") or ():
            if decision.get("source_url"):
                found[item["product"]] = decision["source_url"]
    return found


SOURCE_URLS = _source_urls()


@contextmanager
def opened(browser, base: str, path: str, *, device=PHONE, now=BUILD_DAY, js=True):
    context = browser.new_context(**device, java_script_enabled=js, base_url=base)
    page = context.new_page()
    page.set_default_timeout(10000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    if js and now is not None:
        page.clock.set_fixed_time(now)
    try:
        page.goto(path)
        yield context, page
        assert errors == [], errors
    finally:
        context.close()


def _stars_style(locator) -> tuple[str, str, str]:
    """(data-stars-status, colour, text-decoration-line) of drawn stars, as computed."""
    return tuple(locator.evaluate(
        "s => [s.dataset.starsStatus, getComputedStyle(s).color,"
        " getComputedStyle(s).textDecorationLine]"))


def _greyed(style) -> bool:
    """Grey (red = green = blue) and struck through."""
    _, colour, line = style
    r, g, b = (int(x) for x in re.findall(r"\d+", colour)[:3])
    return r == g == b and "line-through" in line


# --------------------------------------------------------------------------
# The seal
# --------------------------------------------------------------------------


def test_the_seal_names_stars_status_decision_issuer_validity_and_the_check(
        browser, sample_site, sample_base_url):
    cert = CERTS[EXPIRED]
    source = SOURCE_URLS[EXPIRED]
    with opened(browser, sample_base_url, f"/en/products/{EXPIRED}/") as (_, page):
        seal = page.locator("section.seal")
        assert seal.is_visible()
        assert seal.locator(".seal-mark").inner_text().startswith("OCOP")  # a text mark
        assert seal.locator("img").count() == 0  # never the official logo's image
        assert seal.locator("h2").inner_text() == "OCOP certificate"
        assert seal.locator(".seal-stars").inner_text().endswith(f"{cert['stars']}-star OCOP")
        assert seal.locator("[data-status-label]").inner_text() == "Expired"
        decision = seal.locator("[data-decision] a")
        assert decision.inner_text() == cert["decision_number"]
        assert decision.get_attribute("href") == source
        assert f"published at {urlsplit(source).hostname}" in seal.locator(
            "[data-decision]").inner_text()
        assert seal.locator("[data-issuer]").inner_text().startswith(cert["issuer"]["en"])
        until = seal.locator("[data-valid-until-text] time")
        assert until.get_attribute("datetime") == "2024-02-17"
        assert until.inner_text() == "February 17, 2024"
        checked = seal.locator("[data-seal-checked]")
        assert checked.inner_text() == ("Checked against the OCOP office's register of "
                                        "decisions on November 29, 2026.")
        assert checked.get_attribute("data-rechecked-on") is None  # the build day: as built

    # A decision the register gives no address for is not a link; a revoked product's
    # decisions are listed, the latest first.
    with opened(browser, sample_base_url, f"/products/{REVOKED}/") as (_, page):
        seal = page.locator("section.seal")
        assert seal.locator("[data-decision] a").count() == 0
        assert CERTS[REVOKED]["decision_number"] in seal.locator("[data-decision]").inner_text()
        history = seal.locator(".seal-history li").all_inner_texts()
        assert len(history) == 2
        assert "thu hồi" in history[0] and CERTS[REVOKED]["revoked"]["decision_number"] in (
            history[0])
        assert f"công nhận {CERTS[REVOKED]['stars']} sao" in history[1]


def test_checked_on_follows_the_browsers_recheck_and_lapsed_stars_grey_out(
        browser, sample_base_url):
    with opened(browser, sample_base_url, f"/products/{HONEY}/", now=LATER) as (_, page):
        seal = page.locator("section.seal")
        assert seal.locator("[data-status-label]").inner_text() == "Đã hết hạn"
        assert seal.get_attribute("data-seal-status") == "expired"
        checked = seal.locator("[data-seal-checked]")
        assert checked.get_attribute("data-rechecked-on") == "2028-06-01"
        assert checked.inner_text() == (
            "Trình duyệt của bạn đã kiểm tra lại ngày 1 tháng 6, 2028 theo các ngày ở trên "
            "(sổ quyết định được đối chiếu ngày 29 tháng 11, 2026).")
        for stars in (page.locator(".product-head .stars"), seal.locator(".stars")):
            assert _greyed(_stars_style(stars)), _stars_style(stars)
    # ... and its card, where the producer lists it
    with opened(browser, sample_base_url, "/producers/ong-tam-dao/", now=LATER) as (_, page):
        card = page.locator(".card", has=page.locator(f"a[href$='products/{HONEY}/']"))
        assert card.get_attribute("data-status") == "expired"
        assert _greyed(_stars_style(card.locator(".stars")))


@pytest.mark.parametrize("pid, producer, status", [
    (EXPIRED, "htx-nhan-ly", "expired"), (REVOKED, "bo-sua-tam-dao", "revoked")])
def test_expired_and_revoked_stars_are_grey_and_struck_on_page_and_card(
        browser, sample_base_url, pid, producer, status):
    with opened(browser, sample_base_url, f"/products/{pid}/") as (_, page):
        for stars in (page.locator(".product-head .stars"), page.locator(".seal .stars")):
            style = _stars_style(stars)
            assert style[0] == status and style[1] != GOLD and _greyed(style), style
    with opened(browser, sample_base_url, f"/producers/{producer}/") as (_, page):
        card = page.locator(".card", has=page.locator(f"a[href$='products/{pid}/']"))
        style = _stars_style(card.locator(".stars"))
        assert style[0] == status and _greyed(style), style
        valid = page.locator(".card[data-status=valid] .stars").first  # its sibling: gold
        assert _stars_style(valid)[1:] == (GOLD, "none")


#: For each drawn star group: the text and computed style of the stars earned and not
#: earned, and the first opaque background behind them.
_STAR_PARTS = """s => {
  const off = s.querySelector('.off');
  const style = e => [getComputedStyle(e).color, getComputedStyle(e).textDecorationLine];
  let node = s, bg = 'rgb(255, 255, 255)';
  for (; node; node = node.parentElement) {
    const c = getComputedStyle(node).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  }
  return {text: s.textContent, off: off.textContent, on_style: style(s),
          off_style: style(off), off_display: getComputedStyle(off).display, background: bg};
}"""


def _luminance(rgb: str) -> float:
    channels = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("pid", [HONEY, EXPIRED])
def test_stars_not_earned_are_hollow_with_text_contrast_and_lapsed_ones_still_struck(
        browser, sample_base_url, pid):
    """pa11y (WCAG 1.4.3) reads the stars as text: those not earned need 4.5:1 on what is
    behind them (they were #c9c9c9, 1.66:1); they read as "not earned" by their hollow
    shape; a lapsed certificate's stars stay grey and struck, unlike a valid one's."""
    n = CERTS[pid]["stars"]
    assert n < 5, "the sample product should have stars not earned"
    lapsed = pid != HONEY
    with opened(browser, sample_base_url, f"/products/{pid}/") as (_, page):
        groups = page.locator("main .stars")
        assert groups.count() >= 2  # the page's head and the seal (and cards)
        for i in range(groups.count()):
            parts = groups.nth(i).evaluate(_STAR_PARTS)
            if "product-head" not in groups.nth(i).evaluate(
                    "s => s.closest('.product-head, .seal') ? 'product-head' : ''"):
                continue  # other products' cards: their own counts
            assert parts["text"] == "★" * n + "☆" * (5 - n), parts
            assert parts["off"] == "☆" * (5 - n), parts
            off_colour, off_line = parts["off_style"]
            assert _contrast(off_colour, parts["background"]) >= 4.5, parts
            on_colour, on_line = parts["on_style"]
            if lapsed:
                # the line through the group is drawn across its inline children too
                assert "line-through" in on_line and parts["off_display"] == "inline", parts
                assert on_colour != GOLD, parts
            else:
                assert on_colour == GOLD and on_line == off_line == "none", parts
                assert _contrast(on_colour, parts["background"]) >= 4.5, parts


# --------------------------------------------------------------------------
# Report wrong information
# --------------------------------------------------------------------------


def _query(href: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(href).query, strict_parsing=True).items()}


def test_the_report_link_mails_the_office_with_the_product_and_page(
        browser, sample_base_url):
    for lang, prefix, text, subject, body in (
            ("vi", "/", "Báo thông tin sai", "Báo thông tin sai: Mật ong hoa rừng Tam Đảo",
             "Sản phẩm: Mật ong hoa rừng Tam Đảo (mat-ong-hoa-rung)\r\nTrang: {url}\r\n"),
            ("en", "/en/", "Report wrong information",
             "Wrong information: Tam Dao wild-flower honey",
             "Product: Tam Dao wild-flower honey (mat-ong-hoa-rung)\r\nPage: {url}\r\n")):
        path = f"{prefix}products/{HONEY}/"
        with opened(browser, sample_base_url, path) as (_, page):
            link = page.locator("a[data-report]")
            assert link.is_visible() and link.inner_text() == text
            href = link.get_attribute("href")
            assert href.startswith("mailto:ocop@example.vn?subject="), href
            assert not re.search(r"[\s<>\"]", href) and "%20" in href  # percent-encoded
            query = _query(href)
            assert query["subject"] == subject, lang
            url = SITE_URL + path.lstrip("/")
            assert query["body"].startswith(body.format(url=url)), query["body"]


@pytest.fixture(scope="module")
def report_site(tmp_path_factory):
    """A scratch catalog whose report_url is a form elsewhere, and whose product's name
    holds characters that would break a URL written as is."""
    import shutil

    from scratch import GOODS_FILE, build_catalog

    tmp = tmp_path_factory.mktemp("report")
    scratch = build_catalog(tmp / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    scratch.edit("site_config.yml", "theme:\n  name: material\n",
                 "theme:\n  name: material\n  custom_dir: theme\n")
    scratch.edit("site_config.yml", "      photo_min_side: 500\n",
                 "      photo_min_side: 500\n      report_url: \"https://forms.example.org/"
                 "report?product={product}&id={id}&page={url}\"\n")
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n",
                 "  vi: \"Mật ong & sáp #1 Tam Đảo?\"\n")
    build_ok(scratch.root, tmp / "site")
    return tmp / "site"


def test_report_url_is_filled_in_url_encoded(browser, report_site):
    name = "Mật ong & sáp #1 Tam Đảo?"
    page_url = "https://ocop.example.vn/products/mat-ong-hoa-rung/"
    with serve(report_site) as base, opened(browser, base, "/products/mat-ong-hoa-rung/") as (
            _, page):
        link = page.locator("a[data-report]")
        assert link.inner_text() == "Báo thông tin sai"
        href = link.get_attribute("href")
        assert href == ("https://forms.example.org/report?product=" + quote(name, safe="")
                        + "&id=mat-ong-hoa-rung&page=" + quote(page_url, safe=""))
        assert _query(href) == {"product": name, "id": "mat-ong-hoa-rung", "page": page_url}


# --------------------------------------------------------------------------
# Photos and the bar at the foot of a phone's screen
# --------------------------------------------------------------------------

TRACK = "[data-gallery-track]"
STRIP = """() => { const t = document.querySelector('[data-gallery-track]');
  return {left: t.scrollLeft, width: t.clientWidth, count: t.children.length,
          current: [...document.querySelectorAll('[data-gallery-dot]')]
                   .findIndex(d => d.getAttribute('aria-current') === 'true')}; }"""


def _swipe(context, page, dx: float, index: int) -> None:
    """A finger dragged sideways across the photo (real touch events, a move every 16 ms),
    until the strip has scrolled to photo ``index`` (a busy machine may drop a first
    gesture that starts before the page's first frames)."""
    page.wait_for_load_state("load")
    track = page.locator(TRACK)
    cdp = context.new_cdp_session(page)
    for _ in range(3):
        box = track.bounding_box()
        x, y = box["x"] + box["width"] * (0.8 if dx < 0 else 0.2), box["y"] + box["height"] / 2
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for i in range(1, 11):
            page.wait_for_timeout(16)
            cdp.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": [{"x": x + dx * i / 10, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        for _ in range(30):  # polled: without JavaScript the page runs no script to wait on
            if abs(track.evaluate("(t, i) => t.scrollLeft - i * t.clientWidth", index)) < 1:
                return
            page.wait_for_timeout(50)


def _settled_on(page, index: int) -> dict:
    page.wait_for_function(
        """i => { const t = document.querySelector('[data-gallery-track]');
                  return Math.abs(t.scrollLeft - i * t.clientWidth) < 1; }""", arg=index)
    page.wait_for_timeout(100)  # the last scroll event
    return page.evaluate(STRIP)


def test_photo_strip_swipes_snaps_and_works_with_keys_and_without_javascript(
        browser, sample_base_url):
    with opened(browser, sample_base_url, f"/products/{HONEY}/") as (context, page):
        track = page.locator(TRACK)
        assert track.evaluate("t => getComputedStyle(t).scrollSnapType") == "x mandatory"
        assert track.locator("li").first.evaluate(
            "s => getComputedStyle(s).scrollSnapAlign") == "start"
        strip = page.evaluate(STRIP)
        assert (strip["count"], strip["current"], strip["left"]) == (3, 0, 0)
        assert page.locator("[data-gallery-nav]").is_visible()
        # a short swipe to the left snaps to the whole next photo, which loads
        _swipe(context, page, -120, 1)
        assert _settled_on(page, 1)["current"] == 1
        second = track.locator("li").nth(1).locator("img")
        second.evaluate("i => i.decode()")
        assert abs(second.bounding_box()["x"] - track.bounding_box()["x"]) < 1
        # the arrows, the dots (the last arrow goes round to the first photo)
        page.locator("[data-gallery-next]").click()
        assert _settled_on(page, 2)["current"] == 2
        page.locator("[data-gallery-next]").click()
        assert _settled_on(page, 0)["current"] == 0
        page.locator("[data-gallery-dot='2']").click()
        assert _settled_on(page, 2)["current"] == 2
        # the keyboard: the strip takes the focus; arrows, Home and End
        assert track.get_attribute("tabindex") == "0"
        track.focus()
        page.keyboard.press("Home")
        assert _settled_on(page, 0)["current"] == 0
        page.keyboard.press("ArrowRight")
        assert _settled_on(page, 1)["current"] == 1
        page.keyboard.press("End")
        assert _settled_on(page, 2)["current"] == 2
        page.keyboard.press("ArrowLeft")
        assert _settled_on(page, 1)["current"] == 1

    # Without JavaScript: no arrows or dots, the same strip scrolls under a finger.
    with opened(browser, sample_base_url, f"/products/{HONEY}/", js=False) as (context, page):
        assert page.locator("[data-gallery-nav]").is_hidden()
        track = page.locator(TRACK)
        first = track.locator("li").nth(0).bounding_box()
        _swipe(context, page, -120, 1)  # snapped to the second photo
        assert track.locator("li").nth(1).bounding_box()["x"] == pytest.approx(first["x"],
                                                                                abs=1)


LAYOUT_SHIFT = """() => new Promise(done => {
  let total = 0;
  new PerformanceObserver(list => { for (const e of list.getEntries()) total += e.value; })
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(total), 300);
})"""
#: The bottom of the lowest thing on the page a visitor can read or use (not the bar).
LAST_CONTENT = """() => {
  let bottom = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('[data-buybar]') || el.children.length) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.height && getComputedStyle(el).visibility === 'visible')
      bottom = Math.max(bottom, r.bottom);
  }
  return bottom; }"""


def test_buy_bar_on_phones_covers_nothing_and_is_not_on_desktop(browser, sample_base_url):
    with opened(browser, sample_base_url, f"/products/{HONEY}/") as (_, page):
        page.wait_for_load_state("load")
        bar = page.locator("[data-buybar]")
        assert bar.is_visible()
        box = bar.bounding_box()
        assert (box["x"], box["width"]) == (0, 360) and box["y"] + box["height"] == pytest.approx(
            740, abs=1)
        links = bar.locator("a")
        assert links.all_inner_texts() == ["Mua ở đâu", "Gọi", "Zalo"]
        assert [links.nth(i).get_attribute("href") for i in range(3)] == [
            "#buy", "tel:+84000000021", "https://zalo.me/0000000021"]
        assert min(links.nth(i).bounding_box()["height"] for i in range(3)) >= 44
        price = page.locator(".product-head .product-price strong").bounding_box()
        assert price["y"] + price["height"] <= box["y"]  # the first screen's price shows
        assert page.evaluate(LAYOUT_SHIFT) == 0  # fixed from the first paint: nothing moves
        # "where to buy" scrolls to the sales points, clear of the bar
        links.nth(0).click()
        page.wait_for_url(f"**/products/{HONEY}/#buy")
        page.wait_for_timeout(300)
        heading = page.locator("#buy-title").bounding_box()
        assert 0 <= heading["y"] and heading["y"] + heading["height"] <= box["y"]
        # at the very end of the page the last line is above the bar
        page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
        page.wait_for_timeout(100)
        assert page.evaluate(LAST_CONTENT) <= bar.bounding_box()["y"]
        assert bar.bounding_box() == box  # where it was

    with opened(browser, sample_base_url, f"/products/{HONEY}/", device=DESKTOP) as (_, page):
        assert page.locator("[data-buybar]").is_hidden()
        assert page.evaluate("getComputedStyle(document.body).paddingBottom") == "0px"


def test_producer_zalo_and_facebook_on_product_and_producer_pages(browser, sample_base_url):
    expected = {"zalo": "https://zalo.me/0000000021",
                "facebook": "https://www.facebook.com/ongtamdao.example"}
    for path in (f"/products/{HONEY}/", "/producers/ong-tam-dao/"):
        with opened(browser, sample_base_url, path, device=DESKTOP) as (_, page):
            for kind, href in expected.items():
                link = page.locator(f"a[data-{kind}]")
                assert link.is_visible(), (path, kind)
                assert link.get_attribute("href") == href, (path, kind)
    # a Zalo contact written as a link
    with opened(browser, sample_base_url, "/producers/tra-hoa-vang-tam-dao/",
                device=DESKTOP) as (_, page):
        assert page.locator("a[data-zalo]").get_attribute("href") == "https://zalo.me/0000000022"


def test_sample_sources_are_what_the_tests_assume():
    """The sample products these tests open are in the states they are opened for."""
    assert Path(REPO / "products/ong-tam-dao/producer.yml").is_file()
    assert EXPIRED in SOURCE_URLS and REVOKED not in SOURCE_URLS
    assert CERTS[REVOKED].get("revoked") and HONEY not in SOURCE_URLS
