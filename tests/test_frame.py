"""One frame for every page: header, menu, footer, sharing tags, the 404 page, the sitemap.

Catalog pages, the authored pages (Markdown, rendered by MkDocs) and the 404 page share the
catalog's frame (``theme/ocop/base.html``, ``partials/header.html``,
``partials/footer.html``). What is checked, on the sample built once per session
(``sample_site``):

- every HTML page carries Open Graph and Twitter card tags (product pages their photo and
  price, a tourism service's per person), read with lxml;
- ``sitemap.xml`` validates against the sitemaps.org 0.9 schema with the xhtml namespace
  (``tests/xsd/``, written from the protocol: nothing is downloaded) and its ``lastmod``
  days are the ones the records give, worked out here from the records;
- in Debian's Chromium at 360×740: the header fits (no sideways scrolling, the short name on
  one line, every menu item reachable once the menu is open, a search button that opens
  search, a compact language menu), authored pages carry the catalog's header and footer
  and request nothing that is missing or on another host, the 404 page speaks the language
  of the address (Vietnamese without JavaScript) with a search form, a link home and the
  office, served with status 404 as a host would; axe-core finds nothing serious there.

The W3C checker covers these pages in tests/test_html_valid.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from lxml import etree, html

from ocop_catalog.catalog.certificates import VALIDITY_MONTHS, add_months
from ocop_catalog.outputs.site.sitemap import write_sitemaps
from siteutil import (BUILD_EPOCH, OPTIONS, REPO, SITE_URL, GzipHandler, certificates,
                      decisions, serve)

LANGS = tuple(OPTIONS.get("languages", ["vi", "en", "zh"]))
PREFIX = {lang: "" if lang == "vi" else f"{lang}/" for lang in LANGS}
OG_LOCALE = {"vi": "vi_VN", "en": "en_US", "zh": "zh_CN"}
BUILD_DAY = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.timezone.utc).date()
EXPIRING_DAYS = int(OPTIONS.get("expiry_warning_days", 180))
XSD = Path(__file__).with_name("xsd")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: The authored pages of the sample (language-independent path → languages).
AUTHORED = {}
for _md in sorted((REPO / "catalog").rglob("*.md")):
    _rel = _md.relative_to(REPO / "catalog")
    _lang = _rel.parts[0] if len(_rel.parts) > 1 else "vi"
    AUTHORED.setdefault(f"{_md.stem}/", set()).add(_lang)


def strings(lang: str) -> dict:
    return yaml.safe_load((REPO / "theme/ocop/i18n" / f"{lang}.yml").read_text("utf-8"))


OFFICE = OPTIONS["identity"]["office"]["name"]
SHORT_NAME = OPTIONS["identity"]["short_name"]
MENU_KEYS = ("nav.products", "nav.categories", "nav.areas", "nav.sales_points",
             "nav.producers", "nav.statistics", "nav.search", "nav.about", "nav.mark")


# --------------------------------------------------------------------------
# Sharing tags on every page
# --------------------------------------------------------------------------

REQUIRED = ("og:title", "og:type", "og:url", "og:description", "og:image", "og:image:alt",
            "og:site_name", "og:locale", "twitter:card")
#: A permanent link's page (QR short link, GS1 path, former address) is kept small: what a
#: sharing site needs to follow og:url to the page it leads to, which has the rest.
REQUIRED_ON_LINKS = ("og:title", "og:type", "og:url", "og:image", "og:site_name", "og:locale",
                     "twitter:card")


def _meta(doc) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in doc.iter("meta"):
        key = m.get("property") or m.get("name")
        if key:
            found.setdefault(key, []).append(m.get("content") or "")
    return found


def _records() -> dict[str, dict]:
    return {path.parent.name: yaml.safe_load(path.read_text("utf-8"))
            for path in REPO.glob("products/*/*/product.yml")}


RECORDS = _records()


def test_every_page_has_open_graph_and_twitter_tags(sample_site):
    problems, pages = [], sorted(sample_site.rglob("*.html"))
    assert len(pages) > 400
    for path in pages:
        rel = path.relative_to(sample_site).as_posix()
        doc = html.fromstring(path.read_bytes())
        meta = _meta(doc)
        link_page = "refresh" in {(m.get("http-equiv") or "").lower() for m in doc.iter("meta")}
        required = REQUIRED_ON_LINKS if link_page else REQUIRED
        missing = [key for key in required if not any(v.strip() for v in meta.get(key, []))]
        if missing:
            problems.append(f"{rel}: no {', '.join(missing)}")
            continue
        if link_page:
            canonical = doc.xpath("string(//link[@rel='canonical']/@href)")
            if meta["og:url"] != [canonical]:
                problems.append(f"{rel}: og:url {meta['og:url']} is not where it leads")
        for key in ("og:url", "og:image"):
            if not meta[key][0].startswith(SITE_URL):
                problems.append(f"{rel}: {key} {meta[key][0]!r} is not an address of the site")
        image = meta["og:image"][0][len(SITE_URL):]
        if not (sample_site / image).is_file():
            problems.append(f"{rel}: og:image {image} is not a file of the site")
        lang = doc.get("lang")
        if meta["og:locale"] != [OG_LOCALE[lang]]:
            problems.append(f"{rel}: og:locale {meta['og:locale']} for a page in {lang}")
        # the other languages the page exists in (its hreflang links)
        others = {link.get("hreflang") for link in doc.iter("link")
                  if link.get("rel") == "alternate" and link.get("hreflang") not in (
                      lang, "x-default", None)}
        wanted = sorted(OG_LOCALE[code] for code in others)
        if rel != "404.html" and "noindex" not in " ".join(meta.get("robots", [])) \
                and sorted(meta.get("og:locale:alternate", [])) != wanted:
            problems.append(f"{rel}: og:locale:alternate {meta.get('og:locale:alternate')}, "
                            f"expected {wanted}")
        product = re.fullmatch(r"(?:(?:en|zh)/)?products/([^/]+)/index\.html", rel)
        if product and product.group(1) in RECORDS:
            problems += _product_tags(rel, RECORDS[product.group(1)], meta)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def _product_tags(rel: str, record: dict, meta: dict[str, list[str]]) -> list[str]:
    problems = []
    if meta["og:type"] != ["product"]:
        problems.append(f"{rel}: og:type {meta['og:type']}")
    if "/media/" not in meta["og:image"][0]:
        problems.append(f"{rel}: og:image {meta['og:image'][0]} is not the product's photo")
    price = (record.get("price") or {}).get("amount") or (
        record.get("tourism") or {}).get("price_per_person")
    if price and meta.get("product:price:amount") != [str(price)]:
        problems.append(f"{rel}: product:price:amount {meta.get('product:price:amount')}, "
                        f"expected {price}")
    if price and meta.get("product:price:currency") != ["VND"]:
        problems.append(f"{rel}: product:price:currency {meta.get('product:price:currency')}")
    return problems


def test_tourism_services_share_their_price_per_person(sample_site):
    services = [pid for pid, r in RECORDS.items() if (r.get("tourism") or {}).get(
        "price_per_person") and not r.get("price")]
    assert services, "the sample should have a tourism service with a price per person"
    for pid in services:
        doc = html.fromstring((sample_site / "products" / pid / "index.html").read_bytes())
        assert _meta(doc)["product:price:amount"] == [
            str(RECORDS[pid]["tourism"]["price_per_person"])], pid


# --------------------------------------------------------------------------
# sitemap.xml: the sitemaps.org schema, lastmod from the records
# --------------------------------------------------------------------------


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def test_sitemap_validates_against_the_sitemaps_schema(sample_site):
    schema = _schema("sitemap.xsd")
    doc = etree.parse(str(sample_site / "sitemap.xml"))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    assert root.nsmap == {None: SM.strip("{}"), "xhtml": "http://www.w3.org/1999/xhtml"}
    # the schema is not lax: a misplaced lastmod or an unknown element fails
    broken = etree.fromstring(etree.tostring(root))
    first = broken.find(f"{SM}url")
    first.append(etree.fromstring(f'<lastmod xmlns="{SM.strip("{}")}">2026-01-01</lastmod>'))
    assert not schema.validate(broken)


def test_a_sitemap_index_validates_too(tmp_path):
    pages = [(f"p{i}/", {"vi": f"p{i}/", "en": f"en/p{i}/"},
              dt.date(2026, 1, i + 1) if i % 2 else None) for i in range(5)]
    names = write_sitemaps(tmp_path, "https://ocop.example.org/", pages, max_urls=2)
    assert names == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    index = etree.parse(str(tmp_path / "sitemap.xml"))
    schema = _schema("siteindex.xsd")
    assert schema.validate(index), schema.error_log
    assert [e.text for e in index.iter(f"{SM}lastmod")] == ["2026-01-02", "2026-01-04"]
    for name in names[1:]:
        sitemap = _schema("sitemap.xsd")
        assert sitemap.validate(etree.parse(str(tmp_path / name))), sitemap.error_log


def test_the_404_page_links_from_the_path_the_site_is_published_under():
    from ocop_catalog.outputs.site.frame import site_path

    assert site_path("https://ocop.example.vn/") == "/"
    assert site_path("https://ocop.example.vn") == "/"
    assert site_path("https://org.github.io/ocop-lao-cai") == "/ocop-lao-cai/"
    assert site_path("https://org.github.io/a/b/") == "/a/b/"
    assert site_path("") == "/"


def _expected_lastmod() -> dict[str, dt.date]:
    """Each published product's last change by its records: ``updated``, ``listed``, every
    decision naming it, the start of its certificate's validity, and the day its status on
    the build day began (expiring, expired); never after the build day."""
    certs, result = certificates(), {}
    named: dict[str, list[dt.date]] = {}
    for decision in decisions().values():
        for part in ("recognises", "revokes"):
            for item in decision.get(part) or ():
                named.setdefault(item["product"], []).append(decision["date"])
                if item.get("date"):
                    named[item["product"]].append(item["date"])
    for pid, cert in certs.items():
        record = RECORDS[pid]
        start = cert["valid_from"] or cert["decision_date"]
        until = cert["valid_until"] or add_months(start, VALIDITY_MONTHS)
        days = [record.get("updated"), record.get("listed"), start, *named.get(pid, [])]
        revoked = (cert.get("revoked") or {}).get("date")
        if revoked and revoked <= BUILD_DAY:
            days.append(revoked)
        elif until < BUILD_DAY:
            days.append(until + dt.timedelta(days=1))
        elif (until - BUILD_DAY).days <= EXPIRING_DAYS:
            days.append(until - dt.timedelta(days=EXPIRING_DAYS))
        result[pid] = max(d for d in days if d is not None and d <= BUILD_DAY)
    return result


def test_sitemap_lastmod_comes_from_the_records(sample_site):
    root = etree.parse(str(sample_site / "sitemap.xml")).getroot()
    lastmod = {}
    for url in root.iter(f"{SM}url"):
        day = url.findtext(f"{SM}lastmod")
        lastmod[url.findtext(f"{SM}loc")[len(SITE_URL):]] = (
            dt.date.fromisoformat(day) if day else None)
    expected = _expected_lastmod()
    products = {pid: day for pid, day in expected.items()
                if f"products/{pid}/" in lastmod}
    assert len(products) > 30
    for pid, day in products.items():
        for lang in LANGS:
            assert lastmod[f"{PREFIX[lang]}products/{pid}/"] == day, (lang, pid)
    newest = max(products.values())
    for lang in LANGS:
        # pages that show every product: the newest; a producer: the newest of its own
        assert lastmod[PREFIX[lang]] == newest
        assert lastmod[f"{PREFIX[lang]}products/"] == newest
        for producer in (REPO / "products").iterdir():
            own = [products[p.name] for p in producer.iterdir() if p.name in products]
            if own:
                assert lastmod[f"{PREFIX[lang]}producers/{producer.name}/"] == max(own)
        # pages the records cannot date have none
        assert lastmod[f"{PREFIX[lang]}search/"] is None
    for path, langs in AUTHORED.items():
        for lang in langs:
            assert lastmod[PREFIX[lang] + path] is None
    assert all(day is None or day <= BUILD_DAY for day in lastmod.values())


# --------------------------------------------------------------------------
# The frame of authored pages and of the 404 page, as written
# --------------------------------------------------------------------------


def _frame_pages(site: Path) -> list[Path]:
    pages = [site / "404.html"]
    for path, langs in AUTHORED.items():
        pages += [site / PREFIX[lang] / path / "index.html" for lang in langs]
    return pages


def test_authored_pages_and_the_404_page_are_in_the_catalog_frame(sample_site):
    for page in _frame_pages(sample_site):
        doc = html.fromstring(page.read_bytes())
        where = page.relative_to(sample_site).as_posix()
        assert not doc.xpath("//*[contains(@class, 'md-')]"), f"{where}: Material's markup"
        assert doc.xpath("//header[@class='site-header']//a[@class='brand']"), where
        for lang in LANGS if page.name == "404.html" else (doc.get("lang"),):
            ui = strings(lang)
            labels = {a.text_content() for a in doc.xpath(
                f"//div[@data-lang='{lang}']//nav[@class='menu']//a"
                if page.name == "404.html" else "//nav[@class='menu']//a")}
            assert labels == {ui[key] for key in MENU_KEYS}, f"{where} ({lang}): menu {labels}"
        footer = " ".join(f.text_content() for f in doc.xpath("//footer[@class='site-footer']"))
        assert OFFICE["vi"] in footer or OFFICE.get(doc.get("lang"), "") in footer, where
        # every style sheet, script and icon it asks for is a file of the site
        for element in doc.xpath("//link[@rel='stylesheet' or @rel='icon'] | //script[@src]"):
            ref = element.get("href") or element.get("src")
            base = "/" if page.name == "404.html" else "/" + where
            target = urlsplit(urljoin(base, ref)).path.lstrip("/")
            assert (sample_site / target).is_file(), f"{where}: asks for missing {ref}"
    # Material's scripts, style sheets and search workers are not shipped
    assert not (sample_site / "assets/javascripts").exists()
    assert not (sample_site / "assets/stylesheets").exists()
    assert not list(sample_site.glob("sitemap.xml.gz"))


# --------------------------------------------------------------------------
# In the browser: a phone, and a host that answers missing addresses with 404.html
# --------------------------------------------------------------------------


class NotFoundHandler(GzipHandler):
    """The sample site's files, and its 404.html with status 404 for any other address, as
    GitHub Pages, Netlify or an nginx ``error_page 404`` serve it."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url(sample_site):
    with serve(sample_site, NotFoundHandler) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from siteutil import chromium

    with chromium() as instance:
        yield instance


PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@contextmanager
def _page(browser, base_url, *, js=True, viewport=None):
    options = dict(PHONE) if viewport is None else {"viewport": viewport}
    context = browser.new_context(**options, java_script_enabled=js, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(10000)
    seen = {"responses": [], "requests": [], "errors": []}
    page.on("response", lambda r: seen["responses"].append(r))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("pageerror", lambda exc: seen["errors"].append((str(exc), "")))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(
        (m.text, (m.location or {}).get("url", ""))))
    try:
        yield page, seen
    finally:
        context.close()


def _assert_clean(seen, base_url, document: str | None = None):
    """No console error, no request to another host, no failed response (but the 404
    page's own document, whose status is 404 on purpose)."""
    errors = [text for text, url in seen["errors"] if not document or url != document]
    assert errors == [], errors
    foreign = [u for u in seen["requests"] if not u.startswith((base_url, "data:"))]
    assert foreign == [], foreign
    bad = [f"{r.status} {r.url}" for r in seen["responses"]
           if r.status >= 400 and r.url != document]
    assert bad == [], bad


def _check_header(page, lang: str, where: str):
    """The header at 360 px: nothing sideways, the short name whole on one line, a compact
    language button, every menu item reachable once the menu is opened."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{where}: {width} px wide"
    header = "div.l10n:not([hidden]) .site-header" if page.locator(".l10n").count() \
        else ".site-header"
    short = page.locator(f"{header} .brand-short")
    assert short.is_visible() and short.inner_text() == SHORT_NAME.get(lang, SHORT_NAME["vi"])
    line = page.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)",
                         short.element_handle())
    assert short.bounding_box()["height"] < 1.5 * line, f"{where}: the name wraps"
    assert page.evaluate("e => e.scrollWidth <= e.clientWidth",
                         page.locator(f"{header} .brand").element_handle()), \
        f"{where}: the name is cut"
    langs = page.locator(f"{header} .hd-langs > summary").bounding_box()
    assert langs["height"] <= 48 and langs["x"] + langs["width"] <= 360, f"{where}: {langs}"
    menu = page.locator(f"{header} .hd-menu > summary")
    assert menu.is_visible()
    menu.click()
    links = page.locator(f"{header} nav.menu a")
    assert links.count() == len(MENU_KEYS)
    for i in range(links.count()):
        link = links.nth(i)
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 360, (
            f"{where}: menu item {link.inner_text()!r} at {box}")
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a')?.href",
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert hit == link.evaluate("a => a.href"), f"{where}: {link.inner_text()!r} covered"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("Escape")
    assert not links.first.is_visible()


HEADER_PAGES = [("vi", "/"), ("en", "/en/products/mat-ong-hoa-rung/"), ("zh", "/zh/products/"),
                ("vi", "/about-ocop/"), ("en", "/en/no-such-page/")]


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "path"), HEADER_PAGES,
                         ids=[f"{lang}-{path.strip('/') or 'home'}" for lang, path in HEADER_PAGES])
def test_the_header_fits_a_phone(browser, base_url, lang, path):
    with _page(browser, base_url) as (page, seen):
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == lang
        _check_header(page, lang, path)
        _assert_clean(seen, base_url, base_url + path)


@pytest.mark.browser
def test_the_search_button_opens_search(browser, base_url):
    with _page(browser, base_url) as (page, seen):
        page.goto("/about-ocop/")
        page.locator(".hd-search > summary").click()
        box = page.locator(".hd-search input[name=q]")
        assert box.is_visible()
        # ocop.js focuses it on the details' "toggle" event, which the browser fires as a
        # task after the click (a busy machine may not have run it yet when click returns)
        page.wait_for_function("document.activeElement && document.activeElement.name === 'q'",
                               timeout=5000)
        assert page.evaluate("document.activeElement.name") == "q"
        box.fill("mat ong")
        box.press("Enter")
        page.wait_for_url("**/search/?q=mat+ong")
        page.locator("ol.ocop-search-results > li").first.wait_for(state="visible")
        _assert_clean(seen, base_url)


@pytest.mark.browser
def test_the_language_menu_leads_to_the_same_page(browser, base_url):
    with _page(browser, base_url) as (page, seen):
        page.goto("/ocop-mark/")
        page.locator(".hd-langs > summary").click()
        page.locator("nav.langs a[hreflang=zh]").click()
        page.wait_for_url("**/zh/ocop-mark/")
        assert page.locator("nav.langs [aria-current=page]").get_attribute("lang") == "zh"
        # one disclosure open at a time
        page.locator(".hd-langs > summary").click()
        page.locator(".hd-search > summary").click()
        assert page.evaluate("document.querySelector('.hd-langs').open") is False
        _assert_clean(seen, base_url)


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/about-ocop/", "/en/ocop-mark/"])
def test_an_authored_page_asks_for_nothing_missing_or_foreign(browser, base_url, path):
    with _page(browser, base_url) as (page, seen):
        page.goto(path, wait_until="networkidle")
        assert page.locator("header.site-header").is_visible()
        lang = page.evaluate("document.documentElement.lang")
        assert OFFICE.get(lang, OFFICE["vi"]) in page.locator("footer.site-footer").inner_text()
        _assert_clean(seen, base_url)
        sizes = {urlsplit(r.url).path: int(r.headers.get("content-length") or len(r.body()))
                 for r in seen["responses"]}
        print(f"{path} first view: {sum(sizes.values()):,} B {sizes}")
        assert set(sizes) == {path, "/assets/ocop.css", "/assets/ocop.js",
                              "/assets/images/favicon.png"}, sizes
        assert sum(sizes.values()) < 20 * 1024


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_404_page_speaks_the_language_of_the_address(browser, base_url, lang):
    ui, path = strings(lang), f"/{PREFIX[lang]}khong-co-trang-nay/"
    with _page(browser, base_url) as (page, seen):
        response = page.goto(path)
        assert response.status == 404
        assert page.evaluate("document.documentElement.lang") == lang
        main = page.locator("main:visible")
        assert main.count() == 1
        assert main.locator("h1").inner_text() == ui["frame.notfound_title"]
        assert ui["frame.notfound_withdrawn"] in main.inner_text()
        assert page.title().startswith(ui["frame.notfound_title"])
        search = main.locator("form[role=search]")
        assert search.locator("input[name=q]").is_visible()
        action = search.evaluate("f => new URL(f.action).pathname")
        assert action == f"/{PREFIX[lang]}search/"
        home = main.locator("a.notfound-home")
        assert home.inner_text() == ui["frame.notfound_home"]
        assert home.evaluate("a => new URL(a.href).pathname") == f"/{PREFIX[lang]}"
        footer = page.locator("footer.site-footer:visible").inner_text()
        assert OFFICE.get(lang, OFFICE["vi"]) in footer
        assert page.locator("footer.site-footer:visible a[href^='mailto:']").count() == 1
        _assert_clean(seen, base_url, base_url + path)
        # searching from it opens the search page in that language
        search.locator("input[name=q]").fill("mat ong")
        search.locator("input[name=q]").press("Enter")
        page.wait_for_url(f"**/{PREFIX[lang]}search/?q=mat+ong")


@pytest.mark.browser
def test_the_404_page_without_javascript_is_vietnamese(browser, base_url):
    with _page(browser, base_url, js=False) as (page, seen):
        assert page.goto("/en/no-such-page/").status == 404
        assert page.locator("main:visible h1").inner_text() == strings("vi")[
            "frame.notfound_title"]
        assert page.locator("main:visible form[role=search] input").is_visible()


@pytest.mark.browser
def test_a_wide_screen_shows_the_menu_and_languages_without_a_click(browser, base_url):
    with _page(browser, base_url, viewport={"width": 1280, "height": 800}) as (page, seen):
        page.goto("/en/about-ocop/")
        assert not page.locator(".hd-menu > summary").is_visible()
        links = page.locator("nav.menu a")
        assert links.count() == len(MENU_KEYS)
        for i in range(links.count()):
            assert links.nth(i).is_visible()
        assert page.locator("nav.langs a[hreflang=vi]").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        _assert_clean(seen, base_url)


def _axe_source() -> str | None:
    env = os.environ.get("AXE_CORE_JS")
    if env:
        return Path(env).read_text(encoding="utf-8")
    spec = importlib.util.find_spec("axe_playwright_python")
    path = Path(spec.origin).with_name("axe.min.js") if spec and spec.origin else None
    return path.read_text(encoding="utf-8") if path and path.is_file() else None


AXE = _axe_source()


@pytest.mark.browser
@pytest.mark.skipif(AXE is None, reason="needs axe-core: pip install axe-playwright-python==0.1.8")
@pytest.mark.parametrize("path", ["/about-ocop/", "/zh/no-such-page/"])
def test_no_serious_accessibility_violations_on_authored_and_404_pages(browser, base_url, path):
    with _page(browser, base_url) as (page, seen):
        page.goto(path)
        for opened in ("", ".hd-menu > summary"):
            if opened:
                page.locator(f"{'div.l10n:not([hidden]) ' if 'no-such' in path else ''}"
                             f"{opened}").click()
            page.add_script_tag(content=AXE)
            violations = page.evaluate("""async () => (await axe.run(document,
                {resultTypes: ['violations']})).violations.map(v => ({id: v.id,
                impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))""")
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            assert not bad, f"{path} {opened}: {bad}"


# --------------------------------------------------------------------------
# Hostile identity texts stay text in the frame (MkDocs' pages too)
# --------------------------------------------------------------------------

HOSTILE = {
    "name": {"vi": 'OCOP <script>alert("name")</script> & "Q"'},
    "short_name": {"vi": "<b>OCOP</b>"},
    "footer_note": {"vi": "</p><script>alert('note')</script>"},
    "office": {"name": {"vi": "<img src=x onerror=alert(1)>"}, "email": "a@example.org"},
}


def test_hostile_identity_texts_are_escaped_in_every_frame(tmp_path):
    from scratch import build_catalog
    from siteutil import run_build

    scratch = build_catalog(tmp_path / "repo")
    config = yaml.safe_load(scratch.read("site_config.yml").replace("!ENV", ""))
    options = next(p["ocop"] for p in config["plugins"] if "ocop" in p)
    options["identity"] = HOSTILE
    scratch.write("site_config.yml", yaml.safe_dump(config, allow_unicode=True))
    scratch.write("catalog/about-ocop.md", "# Về OCOP\n\nVăn bản.\n")
    site = tmp_path / "site"
    result = run_build(scratch.root, site)
    assert result.returncode == 0, result.stderr
    pages = [site / "about-ocop/index.html", site / "404.html", site / "index.html",
             next(site.glob("q/*/index.html"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for raw in ("<script>alert", "<b>OCOP</b>", "<img src=x", "</p><script>"):
            assert raw not in text, f"{page.relative_to(site)}: {raw!r} unescaped"
        doc = html.fromstring(text.encode("utf-8"))
        assert not doc.xpath("//script[contains(., 'alert')] | //img[@onerror] | //header//b")
    about = html.fromstring((site / "about-ocop/index.html").read_bytes())
    assert about.xpath("string(//a[@class='brand']/span[@class='brand-short'])") == "<b>OCOP</b>"
    assert _meta(about)["og:site_name"] == [HOSTILE["name"]["vi"]]
