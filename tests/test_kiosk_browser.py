"""The sales-point kiosk in headless Chromium: slides, keys, touch, layouts, offline.

The sample catalog is built once with ``ocop build`` on the build day of the
other site tests (2026-11-29), served from 127.0.0.1 by tests/siteutil.py's
server and opened in Debian's Chromium through Playwright, with the page's
clock fixed on the build day (the kiosk hides certificates that run out by the
screen's date). The tests look at what a screen at a sales point does:

* the slides advance by themselves, and the arrow keys and space step through;
* the service worker caches the slides and photos on the first load: with the
  network off *and* the server stopped, a reload still shows the slides with
  their photos and QR codes, and the keys still work;
* a landscape screen puts the photo beside the words, a portrait one above;
* a swipe or a tap steps through on a touch screen;
* when the network comes back after the catalog changed, the page reloads
  itself and shows the change;
* no console errors and no request to another host.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from siteutil import playwright_or_skip, serve

playwright_or_skip()

pytestmark = pytest.mark.browser

EPOCH = 1795953600  # noon UTC on 2026-11-29
BUILD_DAY = dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)
LANDSCAPE = {"width": 1280, "height": 720}
PORTRAIT = {"width": 720, "height": 1280}


@pytest.fixture(scope="session")
def kiosk_site(sample_site) -> Path:
    return sample_site




def _point(site: Path) -> tuple[str, list[str]]:
    """The sales point with the most slides, and its slides' ids in order."""
    best = ("", [])
    for page in sorted(site.glob("kiosk/*/index.html")):
        ids = re.findall(r'<li class="slide" id="([^"]+)"', page.read_text(encoding="utf-8"))
        if len(ids) > len(best[1]):
            best = (page.parent.name, ids)
    assert len(best[1]) >= 3, "no kiosk with three slides to step through"
    return best


class Console:
    """Console errors, uncaught exceptions and requests to other hosts of a page."""

    def __init__(self, page, origin: str):
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.foreign.append(r.url)
                if not r.url.startswith(("data:", "blob:")) and _origin(r.url) != origin
                else None)

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)
        assert self.foreign == [], self.foreign


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def screen(browser, base_url: str, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.clock.set_fixed_time(BUILD_DAY)
    console = Console(page, _origin(base_url))
    try:
        yield context, page, console
    finally:
        context.close()


def current(page) -> str:
    return page.locator("#kiosk").get_attribute("data-current")


def visible_slides(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('[data-slide]')]
        .filter(s => getComputedStyle(s).visibility === 'visible'
                     && getComputedStyle(s).opacity !== '0').map(s => s.id)""")


def active_images_loaded(page) -> list[int]:
    return page.evaluate("""() => [...document.querySelectorAll('.slide.is-active img')]
        .map(i => i.complete ? i.naturalWidth : 0)""")


def wait_until_cached(page) -> int:
    page.wait_for_selector("#kiosk[data-offline-ready]", state="attached", timeout=20000)
    return int(page.locator("#kiosk").get_attribute("data-offline-ready"))


# --------------------------------------------------------------------------


def test_slides_advance_step_with_keys_and_keep_working_offline(browser, kiosk_site):
    point, ids = _point(kiosk_site)
    server = ExitStack()
    base = server.enter_context(serve(kiosk_site))
    with server, screen(browser, base, LANDSCAPE) as (context, page, console):
        page.goto(f"{base}/kiosk/{point}/?seconds=1", wait_until="domcontentloaded")
        assert current(page) == ids[0]
        cached = wait_until_cached(page)
        # the page, its version file, style, icon, script and two images per slide
        assert cached >= 2 * len(ids) + 4, cached

        # by itself, one slide a second, in order
        shown = current(page)
        page.wait_for_function("id => document.querySelector('#kiosk').dataset.current !== id",
                               arg=shown, timeout=5000)
        assert current(page) == ids[(ids.index(shown) + 1) % len(ids)]
        page.locator("[data-action=pause]").click()  # keys only from here
        assert page.locator("[data-action=pause]").get_attribute("aria-pressed") == "true"
        at = ids.index(current(page))
        page.keyboard.press("ArrowRight")
        assert current(page) == ids[(at + 1) % len(ids)]
        page.keyboard.press("ArrowLeft")
        assert current(page) == ids[at]
        page.locator("body").click(position={"x": 5, "y": 5})  # focus off the button
        page.keyboard.press("Space")
        assert current(page) == ids[(at + 1) % len(ids)]
        page.wait_for_timeout(900)  # the fade
        assert visible_slides(page) == [current(page)]
        assert min(active_images_loaded(page)) > 0
        console.assert_clean()

        # every slide's photo and QR code is in the kiosk's cache
        sources = page.evaluate("""() => [...document.querySelectorAll('[data-slide] img')]
            .map(i => new URL(i.getAttribute('src'), location.href).href)""")
        missing = page.evaluate("""async urls => {
            const cache = await caches.open(document.querySelector('#kiosk').dataset.cache);
            const out = [];
            for (const u of urls) if (!(await cache.match(u, {ignoreVary: true}))) out.push(u);
            return out; }""", sources)
        assert missing == []

        # The network drops and the server is gone: the screen is reloaded anyway.
        server.close()
        context.set_offline(True)
        page.reload()
        page.wait_for_selector(".slide.is-active")
        assert page.locator("[data-offline]").is_visible()
        assert len(page.locator("[data-slide]").all()) == len(ids)
        loaded = """() => [...document.querySelectorAll('.slide.is-active img')]
            .every(i => i.complete && i.naturalWidth > 0)"""
        page.wait_for_function(loaded, timeout=5000)
        first = current(page)
        page.keyboard.press("ArrowRight")
        assert current(page) == ids[(ids.index(first) + 1) % len(ids)]
        page.wait_for_function(loaded, timeout=5000)
        page.wait_for_function("id => document.querySelector('#kiosk').dataset.current !== id",
                               arg=current(page), timeout=5000)  # still advancing by itself
        page.wait_for_function(loaded, timeout=5000)
        console.assert_clean()


@pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_landscape_and_portrait_layouts(browser, kiosk_site, viewport):
    point, _ = _point(kiosk_site)
    with serve(kiosk_site) as base, screen(browser, base, viewport) as (_, page, console):
        page.goto(f"{base}/kiosk/{point}/")
        slide = page.locator(".slide.is-active")
        photo = slide.locator(".slide-photo img").bounding_box()
        name = slide.locator(".slide-name").bounding_box()
        qr = slide.locator(".slide-qr img").bounding_box()
        stars = slide.locator(".slide-stars").bounding_box()
        if viewport is LANDSCAPE:
            assert photo["x"] + photo["width"] <= name["x"] + 1, (photo, name)
        else:
            assert photo["y"] + photo["height"] <= name["y"] + 1, (photo, name)
        for box in (photo, name, qr, stars):  # all on the screen, nothing to scroll
            assert box["x"] >= 0 and box["y"] >= 0
            assert box["x"] + box["width"] <= viewport["width"] + 1
            assert box["y"] + box["height"] <= viewport["height"] + 1
        assert qr["width"] >= 0.15 * min(viewport.values()), "QR code too small to scan"
        assert page.evaluate("document.scrollingElement.scrollHeight") <= viewport["height"]
        console.assert_clean()


def test_swipe_and_tap_on_a_touch_screen(browser, kiosk_site):
    point, ids = _point(kiosk_site)
    with serve(kiosk_site) as base, screen(browser, base, PORTRAIT, has_touch=True) as (
            _, page, console):
        page.goto(f"{base}/kiosk/{point}/?seconds=600")
        assert current(page) == ids[0]
        width, height = PORTRAIT["width"], PORTRAIT["height"]
        page.touchscreen.tap(width * 0.85, height * 0.5)
        assert current(page) == ids[1]
        page.touchscreen.tap(width * 0.1, height * 0.5)
        assert current(page) == ids[0]
        swipe = """([x0, x1, y]) => {
            const el = document.querySelector('[data-slides]');
            const touch = x => new Touch({identifier: 1, target: el, clientX: x, clientY: y});
            el.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(x0)],
                changedTouches: [touch(x0)], bubbles: true, cancelable: true}));
            el.dispatchEvent(new TouchEvent('touchend', {touches: [],
                changedTouches: [touch(x1)], bubbles: true, cancelable: true}));
        }"""
        page.evaluate(swipe, [width * 0.8, width * 0.2, height * 0.5])  # to the left: next
        assert current(page) == ids[1]
        page.evaluate(swipe, [width * 0.2, width * 0.8, height * 0.5])  # to the right: back
        assert current(page) == ids[0]
        console.assert_clean()


def test_picks_up_changes_when_the_network_comes_back(browser, kiosk_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(kiosk_site, site, copy_function=os.link)  # files are replaced, not edited
    point, _ = _point(site)
    page_file = site / "kiosk" / point / "index.html"
    version_file = site / "kiosk" / point / "version.json"
    with serve(site) as base, screen(browser, base, LANDSCAPE) as (context, page, console):
        page.goto(f"{base}/kiosk/{point}/")
        wait_until_cached(page)
        old = page.locator("#kiosk").get_attribute("data-version")
        context.set_offline(True)
        page.wait_for_selector("[data-offline]:not([hidden])")

        # the office publishes a change while the screen is offline
        html = page_file.read_text(encoding="utf-8").replace(old, "changed-version")
        html = re.sub(r'(<h1 id="kiosk-title" class="kiosk-point"><span lang="vi">)[^<]*',
                      r"\1Điểm bán đã đổi tên", html)
        page_file.unlink()
        page_file.write_text(html, encoding="utf-8")
        version_file.unlink()
        version_file.write_text('{"version":"changed-version"}\n', encoding="utf-8")
        page.wait_for_timeout(300)
        assert page.locator("#kiosk").get_attribute("data-version") == old

        context.set_offline(False)  # the "online" event: the page checks and reloads
        page.wait_for_function(
            "() => document.querySelector('#kiosk')?.dataset.version === 'changed-version'",
            timeout=20000)
        assert "Điểm bán đã đổi tên" in page.locator("h1").inner_text()
        page.wait_for_selector("[data-offline]", state="hidden")
        console.assert_clean()


# --------------------------------------------------------------------------
# Real screens: edge to edge, legible from two metres, no controls in signage mode
# --------------------------------------------------------------------------

FULL_HD = {"width": 1920, "height": 1080}
FULL_HD_PORTRAIT = {"width": 1080, "height": 1920}
#: Everything drawn on the screen, with its box and (for text) its font size.
SCREEN = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {x: r.x, y: r.y, right: r.right, bottom: r.bottom}; };
  const slide = document.querySelector('.slide.is-active');
  const texts = [];
  for (const el of document.querySelectorAll('#kiosk *')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3 && n.data.trim()).length;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (text && r.width && r.height && style.visibility === 'visible' && style.opacity !== '0'
        && !el.closest('[hidden]') && (!el.closest('.slide') || el.closest('.slide.is-active')))
      texts.push({tag: el.tagName, cls: el.className, size: parseFloat(style.fontSize)});
  }
  const buttons = [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null);
  return {
    inner: [innerWidth, innerHeight],
    scroll: [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight],
    kiosk: box(document.querySelector('#kiosk')),
    bar: box(document.querySelector('.kiosk-bar')),
    slides: box(document.querySelector('[data-slides]')),
    progress: box(document.querySelector('.kiosk-progress')),
    photo: box(slide.querySelector('.slide-photo')),
    img: box(slide.querySelector('.slide-photo img')),
    fit: getComputedStyle(slide.querySelector('.slide-photo img')).objectFit,
    qr: box(slide.querySelector('.slide-qr img')),
    texts, buttons: buttons.length,
  };
}"""


@pytest.mark.parametrize("viewport", [FULL_HD, FULL_HD_PORTRAIT], ids=["1920x1080", "1080x1920"])
def test_a_signage_screen_is_filled_edge_to_edge_legibly_without_controls(
        browser, kiosk_site, viewport):
    point, ids = _point(kiosk_site)
    width, height = viewport["width"], viewport["height"]
    with serve(kiosk_site) as base, screen(browser, base, viewport, has_touch=True) as (
            _, page, console):
        page.goto(f"{base}/kiosk/{point}/?signage=1&seconds=600")
        page.wait_for_function("() => [...document.querySelectorAll('.slide.is-active img')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        s = page.evaluate(SCREEN)
        # the whole screen, nothing to scroll
        assert s["inner"] == [width, height] and s["scroll"] == [width, height], s
        assert (s["kiosk"]["x"], s["kiosk"]["y"], s["kiosk"]["right"], s["kiosk"]["bottom"]) == (
            0, 0, width, height)
        # bar, slides and progress bar stacked without a gap, from the top to the bottom
        assert s["bar"]["y"] == 0 and s["bar"]["x"] == 0 and s["bar"]["right"] == width
        assert s["slides"]["y"] == pytest.approx(s["bar"]["bottom"], abs=0.5)
        assert s["progress"]["y"] == pytest.approx(s["slides"]["bottom"], abs=0.5)
        assert s["progress"]["bottom"] == pytest.approx(height, abs=0.5)
        # the photo covers its part of the screen: from the left edge, the whole slide's
        # height beside the words (landscape) or its whole width above them (portrait)
        photo, img = s["photo"], s["img"]
        assert s["fit"] == "cover" and img == photo, s
        assert photo["x"] == 0 and photo["y"] == pytest.approx(s["slides"]["y"], abs=0.5)
        if width > height:
            assert photo["bottom"] == pytest.approx(s["slides"]["bottom"], abs=0.5)
            assert photo["right"] >= 0.5 * width
        else:
            assert photo["right"] == width and photo["bottom"] >= s["slides"]["y"] + 0.4 * height
        # on the screen: the QR code, large enough to scan from a step away
        qr = s["qr"]
        assert qr["right"] <= width and qr["bottom"] <= s["slides"]["bottom"]
        assert qr["right"] - qr["x"] >= 0.2 * min(width, height)
        # every text legible from two metres: at least 2.2 % of the screen's height
        small = [t for t in s["texts"] if t["size"] < 0.022 * height - 0.01]
        assert s["texts"] and not small, small
        # signage: no button on the screen, no pointer; keys and touch still step
        assert s["buttons"] == 0 and page.locator("[data-controls]").is_hidden()
        assert page.evaluate("getComputedStyle(document.querySelector('.slide')).cursor") == (
            "none")
        page.keyboard.press("ArrowRight")
        assert current(page) == ids[1]
        page.touchscreen.tap(width * 0.1, height * 0.6)
        assert current(page) == ids[0]
        console.assert_clean()
