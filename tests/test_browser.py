"""What a visitor sees on a phone: the built sample catalog in headless Chromium.

The sample catalog is built once per session with ``ocop build`` (the real
command, in a subprocess) on the fixed build day 2026-11-29, served from
127.0.0.1 by a small threaded server that gzips text the way a production web
server would (so transfer sizes are realistic), and opened in Debian's
Chromium through Playwright at phone size: 360×740 CSS pixels, 2× density,
mobile viewport.

The tests assert what a visitor sees and what the browser does: the product
essentials above the fold, the language switch, diacritic-free search, the
listing filters with and without JavaScript, the in-browser certificate
re-check on a later date, no console errors, no request to another host, the
product page's first-view weight, no horizontal scrolling at 360 px and no
serious or critical axe-core accessibility violations.

axe-core is read from the ``axe-playwright-python`` package (it ships
``axe.min.js``): ``pip install axe-playwright-python==0.1.8``. Set
``AXE_CORE_JS`` to use another copy (e.g. ``node_modules/axe-core/axe.min.js``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import posixpath
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from siteutil import (REPO, STARS_LABEL, STATUS_LABEL, build_ok, certificates, copy_repository,
                      playwright_or_skip, serve)

playwright_or_skip()

pytestmark = pytest.mark.browser

#: Noon UTC on 2026-11-29, the build day of tests/test_site_build.py.
EPOCH = 1795953600
BUILD_DAY = dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)
#: A day when certificates valid at build time until 2027 have run out.
LATER = dt.datetime(2028, 6, 1, 12, tzinfo=dt.timezone.utc)

WIDTH, HEIGHT = 360, 740
PHONE = {
    "viewport": {"width": WIDTH, "height": HEIGHT},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LANGS = ("vi", "en", "zh")
PREFIX = {"vi": "/", "en": "/en/", "zh": "/zh/"}
#: First view of a product page: HTML, CSS, JS, fonts and images, compressed.
WEIGHT_BUDGET = 150 * 1024

SHOWN = {
    "vi": "Đang hiện {shown} / {total} sản phẩm",
    "en": "Showing {shown} of {total} products",
    "zh": "显示{total}种中的{shown}种",
}

#: The pages every language is checked on (path after the language prefix).
PAGES = {
    "home": "",
    "product": "products/mat-ong-hoa-rung/",
    "producer": "producers/ong-tam-dao/",
    "listing": "products/",
    "category": "categories/food/",
    "sales-point": "sales-points/ocop-tam-dao/",
    "search": "search/",
}
#: On the search page a query is typed too, so the search index and the results load.
SEARCH_QUERY = {"vi": "mat ong", "en": "honey", "zh": "蜂蜜"}
AXE_LANGS = ("vi", "en")


def _product(pid: str) -> dict:
    """The product's record, with its certificate from the register of decisions."""
    (path,) = REPO.glob(f"products/*/{pid}/product.yml")
    return {**yaml.safe_load(path.read_text(encoding="utf-8")),
            "certification": CERTIFICATES[pid]}


def _vi_price(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def _words(text: str) -> str:
    """Text with every run of white space (no-break spaces too) as one space."""
    return " ".join(text.split())


CERTIFICATES = certificates()
HONEY = _product("mat-ong-hoa-rung")
REVOKED = _product("sua-tuoi-tam-dao")


# --------------------------------------------------------------------------
# Build, serve, launch
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site_dir(sample_site) -> Path:
    return sample_site




@pytest.fixture(scope="session")
def base_url(sample_base_url) -> str:
    return sample_base_url


@dataclass
class Recorder:
    """What happened while a page was open: errors, requests, responses."""

    origin: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    responses: list = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    pending: int = 0
    last_activity: float = 0.0

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("request", self._request)
        page.on("response", lambda r: self.responses.append(r))
        page.on("requestfinished", lambda r: self._done())
        page.on("requestfailed", lambda r: (self.failed.append(f"{r.url}: {r.failure}"),
                                            self._done()))

    def _request(self, request) -> None:
        self.requests.append(request.url)
        self.pending += 1
        self.last_activity = time.monotonic()

    def _done(self) -> None:
        self.pending -= 1
        self.last_activity = time.monotonic()

    def settle(self, page, quiet: float = 0.2, timeout: float = 15.0) -> None:
        """Wait until no request has been open for ``quiet`` seconds.

        Like Playwright's "networkidle" (which always waits 500 ms), but
        shorter, so that the many page visits below stay quick.
        """
        end = time.monotonic() + timeout
        while self.pending > 0 or time.monotonic() - self.last_activity < quiet:
            assert time.monotonic() < end, f"requests still open after {timeout} s"
            page.wait_for_timeout(50)

    def _console(self, msg) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self.errors.append(f"console: {msg.text} ({where})")

    @property
    def foreign(self) -> list[str]:
        """Requests to anything but the local server."""
        return [
            url for url in self.requests
            if not url.startswith(("data:", "blob:")) and _origin(url) != self.origin
        ]

    @property
    def bad_statuses(self) -> list[str]:
        return [f"{r.status} {r.url}" for r in self.responses if r.status >= 400]

    def assert_clean(self) -> None:
        assert self.errors == [], "console errors:\n" + "\n".join(self.errors)
        assert self.foreign == [], "requests to other hosts:\n" + "\n".join(self.foreign)
        assert self.bad_statuses == [], "failed responses:\n" + "\n".join(self.bad_statuses)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def phone(browser, base_url: str, *, js: bool = True, now: dt.datetime | None = BUILD_DAY):
    """A fresh phone-sized page (no cache, no cookies) and its recorder.

    ``now`` fixes the page's clock (the build day by default, so certificate
    statuses are the ones the site was built with); ``None`` keeps the real one.
    """
    context = browser.new_context(**PHONE, java_script_enabled=js, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15000)
    rec = Recorder(origin=_origin(base_url))
    rec.attach(page)
    if now is not None and js:
        page.clock.set_fixed_time(now)
    try:
        yield page, rec
    finally:
        context.close()


def _box_on_first_screen(page, selector: str) -> dict:
    loc = page.locator(selector).first
    assert loc.is_visible(), f"{selector} is not visible"
    box = loc.bounding_box()
    assert box is not None, f"{selector} has no box"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (
        f"{selector} is not above the fold: top {box['y']:.0f}, bottom "
        f"{box['y'] + box['height']:.0f} (screen {HEIGHT} px)"
    )
    return box


# --------------------------------------------------------------------------
# Product page and language switch
# --------------------------------------------------------------------------


def test_product_page_essentials_above_the_fold(browser, base_url):
    with phone(browser, base_url) as (page, rec):
        page.goto("/products/mat-ong-hoa-rung/", wait_until="networkidle")
        assert page.evaluate("scrollY") == 0
        for selector in (
            ".product-photo img",
            "h1",
            ".product-head .stars",
            ".product-head .cert-status .badge",
            ".product-head .product-origin a[href*='producers/']",
            ".product-head .product-origin a[href*='areas/']",
            ".product-head .product-price strong",
        ):
            _box_on_first_screen(page, selector)
        assert page.locator("h1").inner_text() == HONEY["name"]["vi"]
        stars = HONEY["certification"]["stars"]
        assert page.locator(".product-head .stars").get_attribute("aria-label") == (
            STARS_LABEL["vi"].format(n=stars)
        )
        assert page.locator(".product-head .cert-status .badge").inner_text() == (
            STATUS_LABEL["vi"]["valid"]
        )
        assert _vi_price(HONEY["price"]["amount"]) in _words(
            page.locator(".product-head .product-price").inner_text()
        )
        # The photo is loaded, not a blank box.
        assert page.locator(".product-photo img").first.evaluate(  # the gallery's first
            "img => img.complete && img.naturalWidth > 0"
        )
        rec.assert_clean()


def test_language_switch_to_english_and_chinese(browser, base_url):
    with phone(browser, base_url) as (page, rec):
        page.goto("/products/mat-ong-hoa-rung/")
        assert page.locator("html").get_attribute("lang") == "vi"
        for lang in ("en", "zh"):
            page.locator(".hd-langs > summary").click()  # the language menu (a disclosure)
            link = page.locator(f"nav.langs a[hreflang='{lang}']")
            _box_on_first_screen(page, f"nav.langs a[hreflang='{lang}']")
            link.click()
            page.wait_for_url(f"**{PREFIX[lang]}products/mat-ong-hoa-rung/")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").inner_text() == HONEY["name"][lang]
            assert page.locator(".product-head .cert-status .badge").inner_text() == (
                STATUS_LABEL[lang]["valid"]
            )
            current = page.locator("nav.langs [aria-current='page']")
            assert current.get_attribute("lang") == lang
        rec.assert_clean()


# --------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------


def _search(page, query: str, expect: str):
    """Type ``query`` into the search box; return the result link whose text has ``expect``."""
    box = page.locator("main form.ocop-search input[name=q]")
    box.click()
    box.press_sequentially(query)
    # the results of the whole query, not of a prefix typed on the way (the status names it)
    page.wait_for_function(
        "q => (document.querySelector('.ocop-search-status') || {}).textContent"
        " && document.querySelector('.ocop-search-status').textContent.includes(q)",
        arg=query, timeout=15000)
    pattern = re.compile(expect, re.IGNORECASE)
    hit = page.locator("ol.ocop-search-results > li > a", has_text=pattern)
    hit.first.wait_for(state="visible", timeout=15000)
    return hit


def test_search_without_diacritics_finds_and_opens_the_product(browser, base_url):
    name = _product("thanh-long-ruot-do")["name"]["vi"]
    with phone(browser, base_url) as (page, rec):
        page.goto("/search/")
        hit = _search(page, "thanh long ruot do", "Thanh long ruột đỏ")
        hit.first.click()
        page.wait_for_url("**/products/thanh-long-ruot-do/")
        assert page.locator("h1").inner_text() == name

        page.goto("/search/")
        hit = _search(page, "tra hoa vang", "trà hoa vàng")
        hrefs = hit.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert any(h.startswith("/products/") for h in hrefs), hrefs
        rec.assert_clean()


def test_english_search_finds_honey(browser, base_url):
    with phone(browser, base_url) as (page, rec):
        page.goto("/en/search/")
        hit = _search(page, "honey", "honey")
        hrefs = hit.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert "/en/products/mat-ong-hoa-rung/" in hrefs, hrefs
        assert len(hrefs) >= 2, hrefs
        assert all(h.startswith("/en/products/") for h in hrefs), hrefs
        status = page.locator(".ocop-search-status").inner_text()
        assert "honey" in status, status
        rec.assert_clean()


# --------------------------------------------------------------------------
# Listing filters, with and without JavaScript
# --------------------------------------------------------------------------

VISIBLE_CARDS = """() => Array.from(document.querySelectorAll('[data-listing] > .card'))
  .filter(c => c.checkVisibility())
  .map(c => ({stars: c.dataset.stars, status: c.dataset.status,
              href: c.querySelector('a').getAttribute('href')}))"""
CARD = re.compile(r'<li class="card" data-stars="(\d)"[^>]* data-status="(\w+)"[^>]*>\s*'
                  r'<a href="([^"]+)"')


def _listing_pages(site_dir: Path, lang: str) -> list[str]:
    """The product list's pages in ``lang``, as a visitor without JavaScript follows them."""
    pages, path = [], f"{PREFIX[lang]}products/"
    while path:
        pages.append(path)
        html = (site_dir / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
        following = re.search(r'<a href="([^"]+)" rel="next"', html)
        path = posixpath.normpath(posixpath.join(path, following.group(1))) + "/" if following \
            else None
    return pages


def _built_cards(site_dir: Path, lang: str = "vi") -> list[dict[str, str]]:
    """Every card of the product list as built (stars, status, product path)."""
    cards = []
    for path in _listing_pages(site_dir, lang):
        html = (site_dir / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
        for stars, status, href in CARD.findall(html):
            cards.append({"stars": stars, "status": status,
                          "href": posixpath.normpath(posixpath.join(path, href)) + "/"})
    return cards


def test_listing_filters_search_every_page(browser, base_url, site_dir):
    built = _built_cards(site_dir)
    pages = _listing_pages(site_dir, "vi")
    assert len(pages) >= 2, "the sample's product list should be long enough to have pages"
    total = len(built)
    with phone(browser, base_url) as (page, rec):
        page.goto("/products/")
        form = page.locator("form[data-filters]")
        assert form.is_visible()
        own = page.evaluate(VISIBLE_CARDS)
        assert 10 < len(own) < total
        shown = page.locator(".shown")
        assert page.locator("nav.pager").is_visible()
        form.locator("[data-filters-toggle]").click()  # on a phone the choices are folded

        # A filter searches the whole list, not only this page.
        form.locator("select[name=stars]").select_option("4")
        four = sorted(c["href"] for c in built if c["stars"] == "4")
        assert 0 < len(four) < total
        page.wait_for_function(f"() => document.querySelectorAll('[data-listing] > .card')"
                               f".length === {len(four)}")
        cards = page.evaluate(VISIBLE_CARDS)
        assert sorted(c["href"] for c in cards) == four
        assert any(c["href"] not in {o["href"] for o in own} for c in cards), (
            "no 4-star product from another page was found")
        assert shown.inner_text() == SHOWN["vi"].format(shown=len(four), total=total)
        assert page.locator("nav.pager").is_hidden()

        form.locator("input[name=valid]").check()
        valid_four = sorted(c["href"] for c in built
                            if c["stars"] == "4" and c["status"] in ("valid", "expiring"))
        assert 0 < len(valid_four) < len(four)  # the sample has expired 4-star products
        page.wait_for_function(f"() => document.querySelectorAll('[data-listing] > .card')"
                               f".length === {len(valid_four)}")
        cards = page.evaluate(VISIBLE_CARDS)
        assert sorted(c["href"] for c in cards) == valid_four
        assert shown.inner_text() == SHOWN["vi"].format(shown=len(valid_four), total=total)
        # Every card left says so in words too.
        labels = page.locator("[data-listing] > .card [data-status-label]").all_inner_texts()
        assert set(labels) <= {STATUS_LABEL["vi"]["valid"], STATUS_LABEL["vi"]["expiring"]}

        # More matches than a page holds: a page's worth, then "show more".
        form.locator("select[name=stars]").select_option("")
        valid = sorted(c["href"] for c in built if c["status"] in ("valid", "expiring"))
        size = len(own)
        assert len(valid) > size
        page.wait_for_function(f"() => document.querySelectorAll('[data-listing] > .card')"
                               f".length === {size}")
        more = page.locator("[data-more]")
        assert more.is_visible()
        more.click()
        page.wait_for_function(f"() => document.querySelectorAll('[data-listing] > .card')"
                               f".length === {len(valid)}")
        assert more.is_hidden()
        cards = page.evaluate(VISIBLE_CARDS)
        assert sorted(c["href"] for c in cards) == valid
        # a card fetched from another page still leads to its product
        last = page.locator("[data-listing] > .card a").last
        target = last.get_attribute("href")
        last.click()
        page.wait_for_url(f"**{target}")
        assert page.locator("h1").is_visible()

        page.go_back()
        page.goto("/products/")
        form.locator("[data-filters-toggle]").click()
        form.locator("input[name=valid]").check()
        form.locator("button[type=reset]").click()
        page.wait_for_function(f"() => document.querySelectorAll('[data-listing] > .card')"
                               f".length === {len(own)}")
        assert page.evaluate(VISIBLE_CARDS) == own
        assert page.locator("nav.pager").is_visible()
        rec.assert_clean()


def test_listing_filters_fall_back_to_this_page_when_other_pages_fail(browser, base_url,
                                                                       site_dir):
    """Offline, or a newer build half-deployed: the filters still work on the cards of
    the page at hand, and the pager stays, instead of an empty list."""
    built = _built_cards(site_dir)
    with phone(browser, base_url) as (page, rec):
        page.route("**/products/page/**", lambda route: route.abort())
        page.goto("/products/")
        own = page.evaluate(VISIBLE_CARDS)
        form = page.locator("form[data-filters]")
        form.locator("[data-filters-toggle]").click()
        form.locator("select[name=stars]").select_option("4")
        four_here = sorted(c["href"] for c in own if c["stars"] == "4")
        assert 0 < len(four_here) < len([c for c in built if c["stars"] == "4"])
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-listing] > .card:not([hidden])').length"
            f" === {len(four_here)} && !document.querySelector('nav.pager').hidden")
        assert sorted(c["href"] for c in page.evaluate(VISIBLE_CARDS)) == four_here
        assert page.locator(".shown").inner_text() == SHOWN["vi"].format(
            shown=len(four_here), total=len(own))
        assert not [e for e in rec.errors if e.startswith("pageerror")]
        form.locator("button[type=reset]").click()
        page.wait_for_function(
            f"() => document.querySelectorAll('[data-listing] > .card:not([hidden])').length"
            f" === {len(own)}")


def test_without_javascript_listing_and_product_still_work(browser, base_url, site_dir):
    with phone(browser, base_url, js=False) as (page, rec):
        page.goto("/products/")
        assert page.locator("form[data-filters]").is_hidden()
        cards = page.locator("[data-listing] > .card")
        total = cards.count()
        assert total > 10
        assert len(page.locator("[data-listing] > .card:visible").all()) == total
        # the pager leads on to the rest of the list
        page.locator("nav.pager a[rel=next]").click()
        page.wait_for_url("**/products/page/2/")
        rest = len(page.locator("[data-listing] > .card:visible").all())
        assert rest > 0 and total + rest <= len(_built_cards(site_dir))

        page.goto("/products/mat-ong-hoa-rung/")
        assert page.locator("h1").inner_text() == HONEY["name"]["vi"]
        _box_on_first_screen(page, "h1")
        _box_on_first_screen(page, ".product-head .cert-status .badge")
        _box_on_first_screen(page, ".product-head .product-price strong")
        assert page.locator(".product-head .cert-status .badge").inner_text() == (
            STATUS_LABEL["vi"]["valid"]
        )
        assert _vi_price(HONEY["price"]["amount"]) in _words(
            page.locator(".product-head .product-price").inner_text()
        )
        assert rec.foreign == []
        assert rec.bad_statuses == []


def _listing_page_with(site_dir: Path, lang: str, pid: str) -> str:
    for path in _listing_pages(site_dir, lang):
        html = (site_dir / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
        if f"products/{pid}/\"" in html.split("data-listing", 1)[1]:
            return path
    raise AssertionError(f"{pid} is on no page of the product list")


# --------------------------------------------------------------------------
# The certificate status is re-checked against the visitor's date
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_certificate_recheck_on_a_later_date(browser, base_url, site_dir, lang):
    path = f"{PREFIX[lang]}products/mat-ong-hoa-rung/"
    built = (site_dir / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert 'data-status="valid"' in built  # valid when the site was built...
    with phone(browser, base_url, now=LATER) as (page, rec):
        page.goto(path)
        badge = page.locator(".product-head [data-cert] [data-status-label]")
        assert badge.inner_text() == STATUS_LABEL[lang]["expired"]  # ...expired by now
        note = page.locator(".product-head [data-cert] [data-status-note]").inner_text()
        assert note and STATUS_LABEL[lang]["valid"] not in note
        assert page.locator(".cert [data-cert] [data-status-label]").inner_text() == (
            STATUS_LABEL[lang]["expired"]
        )

        page.goto(f"{PREFIX[lang]}products/sua-tuoi-tam-dao/")
        assert REVOKED["certification"]["revoked"]
        assert page.locator(".product-head [data-cert] [data-status-label]").inner_text() == (
            STATUS_LABEL[lang]["revoked"]
        )

        # The listing's cards are re-checked too, in words and not only in colour.
        for pid, status in (("mat-ong-hoa-rung", "expired"), ("sua-tuoi-tam-dao", "revoked")):
            page.goto(_listing_page_with(site_dir, lang, pid))
            card = page.locator("[data-listing] > .card", has=page.locator(
                f"a[href$='products/{pid}/']"))
            assert card.get_attribute("data-status") == status
            assert card.locator("[data-status-label]").inner_text() == STATUS_LABEL[lang][status]
        rec.assert_clean()


def test_cards_recheck_with_the_sites_own_warning_window(browser, tmp_path):
    """A catalog that warns 400 days ahead: the browser's re-check of listing cards uses
    the site's window, not a default, so a card built "expiring" stays "expiring"."""
    producers = [p.name for p in (REPO / "products").iterdir() if p.is_dir()]
    repo = copy_repository(tmp_path / "repo", producers)
    config = repo / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "expiry_warning_days: 180", "expiry_warning_days: 400"), encoding="utf-8")
    site = tmp_path / "site"
    build_ok(repo, site)
    built = _built_cards(site)
    late = [c for c in built if c["status"] == "expiring" and
            (dt.date.fromisoformat(_valid_until(site, c["href"])) - BUILD_DAY.date()).days > 180]
    assert late, "no product expires between 180 and 400 days after the build day"
    with serve(site) as base, phone(browser, base) as (page, rec):
        for path in _listing_pages(site, "vi"):
            page.goto(path)
            expected = {c["href"]: c["status"] for c in built}
            shown = {posixpath.normpath(posixpath.join(path, c["href"])) + "/": c["status"]
                     for c in page.evaluate(VISIBLE_CARDS)}
            assert shown and shown == {href: expected[href] for href in shown}
        rec.assert_clean()


def _valid_until(site: Path, href: str) -> str:
    html = (site / href.lstrip("/") / "index.html").read_text(encoding="utf-8")
    return re.search(r'data-cert data-status="\w+" data-valid-until="([\d-]+)"', html).group(1)


# --------------------------------------------------------------------------
# Every page, in every language: errors, hosts, width, accessibility
# --------------------------------------------------------------------------


def _axe_source() -> str | None:
    env = os.environ.get("AXE_CORE_JS")
    if env:
        return Path(env).read_text(encoding="utf-8")
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec and spec.origin:
        path = Path(spec.origin).with_name("axe.min.js")
        if path.is_file():
            return path.read_text(encoding="utf-8")
    local = REPO / "node_modules" / "axe-core" / "axe.min.js"
    return local.read_text(encoding="utf-8") if local.is_file() else None


AXE_JS = _axe_source()
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                              summary: n.failureSummary}))}));
}"""


@dataclass
class Visit:
    url: str
    errors: list[str]
    foreign: list[str]
    bad_statuses: list[str]
    scroll_width: int
    violations: list[dict] | None


_VISITS: dict[tuple[str, str], Visit] = {}


def visit(browser, base_url: str, lang: str, key: str) -> Visit:
    """Open one page once per session and keep what the tests below check."""
    if (lang, key) in _VISITS:
        return _VISITS[(lang, key)]
    url = PREFIX[lang] + PAGES[key]
    with phone(browser, base_url) as (page, rec):
        page.goto(url)
        rec.settle(page)
        if key == "search":
            _search(page, SEARCH_QUERY[lang], ".")
            rec.settle(page)
        violations = None
        if AXE_JS is not None and lang in AXE_LANGS:
            page.add_script_tag(content=AXE_JS)
            violations = page.evaluate(AXE_RUN)
        result = Visit(
            url=url,
            errors=list(rec.errors),
            foreign=rec.foreign,
            bad_statuses=rec.bad_statuses,
            scroll_width=page.evaluate("document.documentElement.scrollWidth"),
            violations=violations,
        )
    _VISITS[(lang, key)] = result
    return result


ALL_PAGES = [pytest.param(lang, key, id=f"{lang}-{key}") for lang in LANGS for key in PAGES]
AXE_PAGES = [pytest.param(lang, key, id=f"{lang}-{key}") for lang in AXE_LANGS for key in PAGES]


@pytest.mark.parametrize(("lang", "key"), ALL_PAGES)
def test_no_console_errors_and_no_third_party_requests(browser, base_url, lang, key):
    v = visit(browser, base_url, lang, key)
    assert v.errors == [], f"{v.url}: console errors:\n" + "\n".join(v.errors)
    assert v.foreign == [], f"{v.url}: requests to other hosts:\n" + "\n".join(v.foreign)
    assert v.bad_statuses == [], f"{v.url}: failed responses:\n" + "\n".join(v.bad_statuses)


@pytest.mark.parametrize(("lang", "key"), ALL_PAGES)
def test_no_horizontal_scrolling_at_360px(browser, base_url, lang, key):
    v = visit(browser, base_url, lang, key)
    assert v.scroll_width <= WIDTH, f"{v.url} is {v.scroll_width} px wide at {WIDTH} px"


@pytest.mark.skipif(
    AXE_JS is None,
    reason="needs axe-core: pip install axe-playwright-python==0.1.8 (ships axe.min.js), "
    "or set AXE_CORE_JS to an axe.min.js",
)
@pytest.mark.parametrize(("lang", "key"), AXE_PAGES)
def test_no_serious_accessibility_violations(browser, base_url, lang, key):
    v = visit(browser, base_url, lang, key)
    bad = [x for x in v.violations if x["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"{x['impact']} {x['id']}: {x['help']}\n"
        + "\n".join(f"    {n['target']}" for n in x["nodes"][:8])
        for x in bad
    )
    assert not bad, f"{v.url}: axe-core found serious or critical violations:\n{report}"


# --------------------------------------------------------------------------
# Weight of the product page's first view
# --------------------------------------------------------------------------

_KINDS = {"html": "text/html", "css": "text/css", "js": "javascript", "font": "font/",
          "image": "image/"}


def _kind(response) -> str:
    ctype = response.headers.get("content-type", "")
    return next((kind for kind, part in _KINDS.items() if part in ctype), ctype or "?")


def test_product_page_first_view_weight(browser, base_url):
    with phone(browser, base_url) as (page, rec):
        page.goto("/products/mat-ong-hoa-rung/", wait_until="networkidle")
        weights: dict[str, int] = {}
        lines = []
        for response in rec.responses:
            kind = _kind(response)
            size = int(response.headers.get("content-length") or len(response.body()))
            weights[kind] = weights.get(kind, 0) + size
            encoding = response.headers.get("content-encoding", "identity")
            lines.append(f"  {size:>8,} B  {kind:<6} {encoding:<8} "
                         f"{urlsplit(response.url).path}")
        total = sum(weights.values())
        breakdown = "\n".join(
            [(f"product page first view ({WIDTH}x{HEIGHT} @2x): {total:,} B "
              f"(budget {WEIGHT_BUDGET:,} B)")]
            + [f"  {kind}: {size:,} B" for kind, size in sorted(weights.items())]
            + ["responses:"] + lines
        )
        print(breakdown)
        assert set(weights) <= set(_KINDS), breakdown
        assert total <= WEIGHT_BUDGET, breakdown
        rec.assert_clean()
