"""The built site, as a visitor or a search engine sees it.

The sample catalog is built once per session with ``ocop build`` (the real
command, in a subprocess) on a fixed build date, 2026-11-29, given through
SOURCE_DATE_EPOCH. The tests then read the output the way a browser or a
crawler does: HTML through a real parser (``html.parser``), the sitemap
through ``xml.etree``, JSON-LD through ``json``. What a page should say is
worked out here from the YAML records and the source tree (certificate
status, prices, categories…), never by calling the generator's own helpers.

A second build of the same catalog checks that the output is byte for byte
the same; a small copy of the repository with a broken record checks that a
failed build leaves the previous site alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import posixpath
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from siteutil import (CONFIG, OPTIONS, REPO, SITE_URL, STARS_LABEL, STATUS_LABEL, build_ok,
                      certificates, copy_repository, run_build)
import yaml

BUILD_DAY = dt.date(2026, 11, 29)
DEFAULT_LANG = "vi"
VALIDITY_MONTHS = 36

#: The sentence that the product may no longer carry the OCOP mark.
MARK_FORBIDDEN = {
    "vi": {"expired": "không còn được dùng nhãn OCOP", "revoked": "không được dùng nhãn OCOP"},
    "en": {"expired": "may no longer carry the OCOP mark",
           "revoked": "may not carry the OCOP mark"},
    "zh": {"expired": "不得再使用OCOP标志", "revoked": "不得使用OCOP标志"},
}
SCHEMA_AVAILABILITY = {
    "in_stock": "https://schema.org/InStock",
    "out_of_stock": "https://schema.org/OutOfStock",
    "preorder": "https://schema.org/PreOrder",
    "backorder": "https://schema.org/BackOrder",
    "discontinued": "https://schema.org/Discontinued",
}


# --------------------------------------------------------------------------
# The sources: site_config.yml and the records
# --------------------------------------------------------------------------


LANGUAGES: tuple[str, ...] = tuple(OPTIONS.get("languages", ["vi", "en", "zh"]))
EXPIRING_DAYS = int(OPTIONS.get("expiry_warning_days", 180))
PAGE_SIZE = int(OPTIONS.get("listing_page_size", 48))
#: The word for "page" in a paged listing's title (theme/ocop/i18n, pager.page).
PAGE_WORD = {"vi": "Trang 2", "en": "Page 2", "zh": "第 2 页"}


def prefix(lang: str) -> str:
    return "" if lang == DEFAULT_LANG else f"{lang}/"


@dataclass(frozen=True)
class Product:
    id: str
    folder: Path
    data: dict
    producer: dict

    @property
    def cert(self) -> dict:
        """Its certificate, from the office's register of decisions."""
        return CERTIFICATES[self.id]

    @property
    def stars(self) -> int:
        return int(self.cert["stars"])

    def name(self, lang: str) -> str | None:
        return self.data["name"].get(lang)

    @property
    def price(self) -> int | None:
        """The goods price, or the price per person of a tourism service."""
        if self.data.get("price"):
            return int(self.data["price"]["amount"])
        tourism = self.data.get("tourism") or {}
        return int(tourism["price_per_person"]) if tourism.get("price_per_person") else None

    @property
    def valid_until(self) -> dt.date:
        cert = self.cert
        if cert.get("valid_until"):
            return cert["valid_until"]
        start = cert.get("valid_from") or cert["decision_date"]
        return _add_months(start, VALIDITY_MONTHS)

    def status(self, today: dt.date = BUILD_DAY) -> str:
        revoked = self.cert.get("revoked")
        if revoked and revoked["date"] <= today:
            return "revoked"
        end = self.valid_until
        if end < today:
            return "expired"
        if (end - today).days <= EXPIRING_DAYS:
            return "expiring"
        return "valid"


def _add_months(day: dt.date, months: int) -> dt.date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _load_products(repo: Path = REPO) -> dict[str, Product]:
    products = {}
    for path in sorted((repo / "products").glob("*/*/product.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        producer = yaml.safe_load((path.parent.parent / "producer.yml").read_text(encoding="utf-8"))
        products[path.parent.name] = Product(path.parent.name, path.parent, data, producer)
    return products


CERTIFICATES = certificates()
PRODUCTS = _load_products()
PRODUCT_IDS = sorted(PRODUCTS)


def _authored_paths(repo: Path = REPO) -> dict[str, set[str]]:
    """Language-independent URL paths of the authored pages → languages they exist in."""
    docs = repo / CONFIG.get("docs_dir", "docs")
    result: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        folder = docs / prefix(lang) if prefix(lang) else docs
        for md in sorted(folder.glob("*.md")):
            path = "" if md.stem == "index" else f"{md.stem}/"
            result.setdefault(path, set()).add(lang)
    return result


AUTHORED = _authored_paths()


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# A small DOM over html.parser
# --------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
BLOCKS = {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
          "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
          "main", "nav", "ol", "p", "pre", "section", "table", "ul"}
RAW_TEXT = {"script", "style", "template"}


class Element:
    __slots__ = ("tag", "attrs", "children", "parent", "line")

    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None, line: int):
        self.tag, self.attrs, self.parent, self.line = tag, attrs, parent, line
        self.children: list[Element | str] = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs} line {self.line}>"

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None,
                 where: Callable[[Element], bool] | None = None, **attrs: str | bool):
        """Descendants (and self) by tag, class and attributes (True: present)."""
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if cls is not None and cls not in el.classes:
                continue
            if any((name.replace("_", "-") not in el.attrs) if value is True
                   else el.attrs.get(name.replace("_", "-")) != value
                   for name, value in attrs.items()):
                continue
            if where is not None and not where(el):
                continue
            yield el

    def find(self, *args, **kwargs) -> Element | None:
        return next(self.find_all(*args, **kwargs), None)

    def one(self, *args, **kwargs) -> Element:
        found = list(self.find_all(*args, **kwargs))
        assert len(found) == 1, f"expected one {args} {kwargs} in {self!r}, found {len(found)}"
        return found[0]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self, *, skip: Callable[[Element], bool] | None = None) -> str:
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in RAW_TEXT and not (skip and skip(child)):
                    walk(child)

        if self.tag in RAW_TEXT:
            return "".join(c for c in self.children if isinstance(c, str))
        walk(self)
        return "".join(parts)

    def visible_text(self) -> str:
        """Text a reader sees: no hidden elements, spaces normalized."""
        return normalize(self.text(skip=lambda el: "hidden" in el.attrs))


def normalize(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None, 0)
        self.stack = [self.root]

    def _close_until(self, tag: str, stop: set[str]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            name = self.stack[i].tag
            if name == tag:
                del self.stack[i:]
                return
            if name in stop:
                return

    def handle_starttag(self, tag: str, attrs) -> None:
        # The HTML rules for optional end tags that matter here.
        if tag == "li":
            self._close_until("li", {"ul", "ol"})
        elif tag in ("dt", "dd"):
            self._close_until("dt", {"dl"})
            self._close_until("dd", {"dl"})
        elif tag == "option":
            self._close_until("option", {"select"})
        if tag in BLOCKS:
            self._close_until("p", {"div", "section", "article", "li", "td", "dd", "body"})
        el = Element(tag, {k: (v if v is not None else "") for k, v in attrs},
                     self.stack[-1], self.getpos()[0])
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


# --------------------------------------------------------------------------
# The built site
# --------------------------------------------------------------------------

SKIP_SCHEMES = {"mailto", "tel", "data", "javascript", "sms", "geo"}


@dataclass
class Link:
    page: str  # site-relative file of the page
    tag: str
    attr: str
    url: str
    line: int
    element: Element


@dataclass
class Site:
    root: Path
    _docs: dict[str, Element] = field(default_factory=dict)

    # -- files and URLs ----------------------------------------------------

    @cached_property
    def html_files(self) -> list[str]:
        """Every HTML page a visitor can reach (not 404.html)."""
        files = []
        for path in sorted(self.root.rglob("*.html")):
            rel = path.relative_to(self.root).as_posix()
            if rel == "404.html":
                continue
            files.append(rel)
        return files

    def is_redirect(self, rel: str) -> bool:
        """A permanent-link page (QR short link, GS1 path, former address): it sends the
        visitor on with a refresh (in <noscript> when a script picks the language)."""
        return any((m.get("http-equiv") or "").lower() == "refresh"
                   for m in self.doc(rel).find_all("meta"))

    def noindex(self, rel: str) -> bool:
        """A page kept out of search engines (the contribution form, a lot's page)."""
        return any(m.get("name") == "robots" and "noindex" in (m.get("content") or "")
                   for m in self.doc(rel).find_all("meta"))

    def canonical_elsewhere(self, rel: str) -> bool:
        """A page that names another page as the one to index (a sales point's kiosk
        screen names the sales point's page)."""
        own = self.absolute(self.url_path(rel))
        return any(link.get("href") != own for link in self.doc(rel).find_all(
            "link", rel="canonical"))

    @cached_property
    def all_html_files(self) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))

    def doc(self, rel: str) -> Element:
        if rel not in self._docs:
            self._docs[rel] = parse_html((self.root / rel).read_text(encoding="utf-8"))
        return self._docs[rel]

    def page(self, url_path: str) -> Element:
        return self.doc(url_path + "index.html")

    @staticmethod
    def url_path(rel: str) -> str:
        """Site-relative URL of a page file: ``en/products/x/index.html`` → ``en/products/x/``;
        ``01/<gtin>/10/<lot>.html`` → ``01/<gtin>/10/<lot>`` (a lot's page: static hosts
        serve ``<path>.html`` at the path without the extension)."""
        if rel.endswith("index.html"):
            return rel[: -len("index.html")]
        return rel[: -len(".html")] if rel.endswith(".html") and rel != "404.html" else rel

    @staticmethod
    def split_lang(url_path: str) -> tuple[str, str]:
        head, _, rest = url_path.partition("/")
        if head in LANGUAGES and head != DEFAULT_LANG:
            return head, rest
        return DEFAULT_LANG, url_path

    def exists(self, site_path: str) -> bool:
        """Whether a site-relative path (file, or folder URL) is served."""
        if site_path in ("", "."):
            return (self.root / "index.html").is_file()
        target = self.root / site_path
        if site_path.endswith("/") or target.is_dir():
            return (target / "index.html").is_file()
        return target.is_file() or (self.root / f"{site_path}.html").is_file()

    def file_of(self, site_path: str) -> str:
        if site_path in ("", ".") or site_path.endswith("/") or (self.root / site_path).is_dir():
            return posixpath.join(site_path.rstrip("/"), "index.html").lstrip("/")
        if not (self.root / site_path).is_file() and (self.root / f"{site_path}.html").is_file():
            return f"{site_path}.html"
        return site_path

    def resolve(self, page_rel: str, url: str) -> tuple[str | None, str]:
        """(site-relative path, fragment) of a link on a page; path None when external.

        A path that leaves the site (too many ``../``) comes back as ``"../…"``.
        """
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            if url.startswith(SITE_URL):
                return unquote(urlsplit(url[len(SITE_URL):]).path), parts.fragment
            return None, parts.fragment
        path = unquote(parts.path)
        if not path:
            return page_rel, parts.fragment
        site_root = urlsplit(SITE_URL).path
        if path.startswith("/"):
            if not path.startswith(site_root):
                return "../" + path, parts.fragment
            joined = path[len(site_root):]
        else:
            joined = posixpath.join(posixpath.dirname(page_rel), path)
        trailing = "/" if path.endswith("/") else ""
        normal = posixpath.normpath(joined) if joined else "."
        if normal == ".":
            return "", parts.fragment
        if normal.startswith(".."):
            return normal, parts.fragment
        return normal + trailing, parts.fragment

    def absolute(self, url_path: str) -> str:
        """The address of a site path, percent-encoded (a lot code may hold '+', '%'…)."""
        return SITE_URL + quote(url_path, safe="/")

    # -- what pages link to -------------------------------------------------

    def links(self, rel: str) -> Iterator[Link]:
        for el in self.doc(rel).iter():
            for attr in ("href", "src", "action", "poster", "data"):
                value = el.get(attr)
                if value is not None and not (attr == "data" and el.tag != "object"):
                    yield Link(rel, el.tag, attr, value.strip(), el.line, el)
            for attr in ("srcset", "imagesrcset"):
                value = el.get(attr)
                if value:
                    for candidate in value.split(","):
                        candidate = candidate.strip()
                        if candidate:
                            yield Link(rel, el.tag, attr, candidate.split()[0], el.line, el)

    def hreflang(self, rel: str) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        head = self.doc(rel).find("head")
        assert head is not None, f"{rel}: no <head>"
        for link in head.find_all("link", hreflang=True):
            if "alternate" in (link.get("rel") or "").split():
                result.setdefault(link.get("hreflang"), []).append(link.get("href"))
        return result

    def ids(self, rel: str) -> set[str]:
        doc = self.doc(rel)
        return {el.get("id") for el in doc.find_all(id=True)} | {
            el.get("name") for el in doc.find_all("a", name=True)}


@pytest.fixture(scope="session")
def site(sample_site) -> Site:
    """The sample catalog, built once with ``ocop build`` on 2026-11-29."""
    return Site(sample_site)


# --------------------------------------------------------------------------
# 1. Product pages
# --------------------------------------------------------------------------


def _vi_price(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " ₫"


def _en_price(amount: int) -> str:
    return f"₫{amount:,}"


PRICE_FORMAT = {"vi": _vi_price, "en": _en_price, "zh": _en_price}


def product_doc(site: Site, lang: str, product_id: str) -> Element:
    url_path = f"{prefix(lang)}products/{product_id}/"
    assert site.exists(url_path), f"no page for {product_id} in {lang}: {url_path}index.html"
    return site.page(url_path)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("product_id", PRODUCT_IDS)
def test_product_page_shows_name_stars_price_and_status(site, lang, product_id):
    product = PRODUCTS[product_id]
    doc = product_doc(site, lang, product_id)
    where = f"{prefix(lang)}products/{product_id}/"

    assert doc.one("html").get("lang") == lang, where

    # Name: in the page's language, else the Vietnamese name marked lang="vi".
    h1 = doc.one("h1")
    name = product.name(lang)
    if name:
        assert normalize(h1.text()) == normalize(name), where
        marked = [el for el in h1.find_all(lang=True) if el.get("lang") != lang]
        assert not marked, f"{where}: translated name marked as another language: {marked}"
    else:
        vi_spans = list(h1.find_all(lang="vi"))
        assert vi_spans, f"{where}: untranslated name not marked lang=vi"
        assert normalize(vi_spans[0].text()) == normalize(product.name("vi")), where

    # Stars: written and drawn.
    head = doc.one("div", cls="product-head")
    label = STARS_LABEL[lang].format(n=product.stars)
    stars_line = head.one("p", cls="product-stars")
    assert label in stars_line.visible_text(), where
    drawn = stars_line.one(role="img")
    assert drawn.get("aria-label") == label, where
    off = "".join(el.text() for el in drawn.find_all(cls="off"))
    on = drawn.text(skip=lambda el: "off" in el.classes)
    assert (on, off) == ("★" * product.stars, "☆" * (5 - product.stars)), where

    # Price, formatted for the language.
    if product.price is not None:
        price_text = head.one("p", cls="product-price").visible_text()
        assert PRICE_FORMAT[lang](product.price) in price_text, (where, price_text)

    # Certificate status as of the build day, with the right warning.
    status = product.status()
    box = head.one("div", cls="cert-status")
    assert normalize(box.one(data_status_label=True).text()) == STATUS_LABEL[lang][status], (
        f"{where}: status should be {status}")
    note = box.visible_text()
    for bad_status, sentence in MARK_FORBIDDEN[lang].items():
        if status == bad_status:
            assert sentence in note, f"{where}: {status} but no '{sentence}' in {note!r}"
        elif status in ("valid", "expiring"):
            assert sentence not in note, f"{where}: {status} but says '{sentence}'"
    cert = doc.one("section", cls="cert")
    until = cert.one("dd", data_valid_until_text=True).one("time")  # the seal's "valid until"
    assert until.get("datetime") == product.valid_until.isoformat(), where
    compact = cert.one("div", cls="cert-status")
    assert normalize(compact.one(data_status_label=True).text()) == STATUS_LABEL[lang][status]


def test_every_product_folder_has_a_page_in_every_language(site):
    missing = [f"{prefix(lang)}products/{pid}/" for pid in PRODUCT_IDS for lang in LANGUAGES
               if not site.exists(f"{prefix(lang)}products/{pid}/")]
    assert not missing
    for lang in LANGUAGES:
        built = {p.name for p in (site.root / prefix(lang) / "products").iterdir()
                 if p.is_dir() and p.name != "page"}  # products/page/<n>/: the list's pages
        assert built == set(PRODUCT_IDS), f"{lang}: product pages and records differ"


def test_the_sample_covers_every_certificate_status():
    """Otherwise the status tests above would prove less than they seem to."""
    assert {p.status() for p in PRODUCTS.values()} == {"valid", "expiring", "expired", "revoked"}


# --------------------------------------------------------------------------
# 2. Language switch
# --------------------------------------------------------------------------


def _switch_links(doc: Element) -> list[Element]:
    links = []
    for nav in doc.find_all("nav", cls="langs"):
        links += nav.find_all("a", hreflang=True)
    links += doc.find_all("a", cls="md-select__link", hreflang=True)  # Material's switch
    return links


def test_language_switch_leads_to_the_same_page_in_the_other_languages(site):
    problems = []
    for rel in site.html_files:
        lang, path = site.split_lang(site.url_path(rel))
        exists_in = {code for code in LANGUAGES if site.exists(prefix(code) + path)}
        links = _switch_links(site.doc(rel))
        seen = set()
        for a in links:
            code = a.get("hreflang")
            target, _ = site.resolve(rel, a.get("href"))
            if code == lang:
                if target not in (site.url_path(rel), rel):
                    problems.append(f"{rel}: link to its own language goes to {target}")
                continue
            seen.add(code)
            if target != prefix(code) + path:
                problems.append(f"{rel}: {code} switch goes to {target!r}, "
                                f"expected {prefix(code) + path!r}")
            elif not site.exists(target):
                problems.append(f"{rel}: {code} switch goes to a missing page {target}")
        if seen != exists_in - {lang}:
            problems.append(f"{rel}: switch offers {sorted(seen)}, page exists in "
                            f"{sorted(exists_in - {lang})}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# 3. hreflang and canonical
# --------------------------------------------------------------------------


def test_every_page_has_absolute_reciprocal_hreflang_and_canonical(site):
    problems = []
    alternates: dict[str, dict[str, str]] = {}
    for rel in site.html_files:
        url_path = site.url_path(rel)
        lang, path = site.split_lang(url_path)
        own = site.absolute(url_path)
        doc = site.doc(rel)
        if site.is_redirect(rel):
            # not a page of its own: canonical to where it leads, kept out of indexes
            # (tests/test_qr_links.py follows these)
            canonical = [l.get("href") for l in doc.find_all("link", rel="canonical")]
            robots = [m.get("content") for m in doc.find_all("meta") if m.get("name") == "robots"]
            if robots != ["noindex"] or len(canonical) != 1 or not site.exists(
                    canonical[0][len(SITE_URL):]):
                problems.append(f"{rel}: redirect page with canonical {canonical}, "
                                f"robots {robots}")
            continue
        if doc.one("html").get("lang") != lang:
            problems.append(f"{rel}: <html lang={doc.one('html').get('lang')!r}>, expected {lang}")
        canonical = [l.get("href") for l in doc.find_all("link", rel="canonical")]
        kiosk = re.fullmatch(r"kiosk/([^/]+)/", path)
        if kiosk:
            # a display screen shows its sales point's page: that page is the one to index
            point_page = site.absolute(prefix(lang) + f"sales-points/{kiosk.group(1)}/")
            if canonical != [point_page] or not site.exists(point_page[len(SITE_URL):]):
                problems.append(f"{rel}: canonical {canonical}, expected [{point_page!r}]")
            if site.hreflang(rel):
                problems.append(f"{rel}: a kiosk page with hreflang links {site.hreflang(rel)}")
            continue
        if canonical != [own]:
            problems.append(f"{rel}: canonical {canonical}, expected [{own!r}]")
        found = site.hreflang(rel)
        for code, hrefs in found.items():
            if len(hrefs) > 1:
                problems.append(f"{rel}: hreflang {code} given {len(hrefs)} times: {hrefs}")
            for href in hrefs:
                if not href.startswith(SITE_URL):
                    problems.append(f"{rel}: hreflang {code} href {href!r} is not absolute "
                                    f"under {SITE_URL}")
        exists_in = {code for code in LANGUAGES if site.exists(prefix(code) + path)}
        expected = {code: site.absolute(prefix(code) + path) for code in exists_in}
        if DEFAULT_LANG in exists_in:
            expected["x-default"] = expected[DEFAULT_LANG]
        flat = {code: hrefs[-1] for code, hrefs in found.items()}
        if flat != expected:
            problems.append(f"{rel}: hreflang {flat}, expected {expected}")
        if flat.get(lang) != own:
            problems.append(f"{rel}: its own language {lang} is not listed as itself")
        alternates[own] = flat
    # Reciprocity: if A says B is its 'en' version, B says A is its version in A's language.
    for own, flat in alternates.items():
        lang = site.split_lang(own[len(SITE_URL):])[0]
        for code, other in flat.items():
            if code == "x-default":
                continue
            back = alternates.get(other)
            if back is None:
                problems.append(f"{own}: {code} alternate {other} is not a page of the site")
            elif back.get(lang) != own:
                problems.append(f"{own} → {code} {other}, but {other} gives "
                                f"{lang} = {back.get(lang)}")
    assert not problems, "\n".join(problems[:50]) + f"\n({len(problems)} problems)"


def test_authored_pages_exist_in_their_languages(site):
    for path, langs in AUTHORED.items():
        for lang in langs:
            assert site.exists(prefix(lang) + path), f"authored page {prefix(lang) + path} missing"


# --------------------------------------------------------------------------
# 4. sitemap.xml and 13. robots.txt
# --------------------------------------------------------------------------

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _sitemap_urls(site: Site) -> dict[str, dict[str, str]]:
    """loc → {hreflang: href}, following a sitemap index if there is one."""
    root = ET.parse(site.root / "sitemap.xml").getroot()
    files = [root]
    if root.tag == f"{SM}sitemapindex":
        files = []
        for loc in root.iter(f"{SM}loc"):
            assert loc.text.startswith(SITE_URL)
            files.append(ET.parse(site.root / loc.text[len(SITE_URL):]).getroot())
    result: dict[str, dict[str, str]] = {}
    for urlset in files:
        assert urlset.tag == f"{SM}urlset"
        for url in urlset.findall(f"{SM}url"):
            loc = url.findtext(f"{SM}loc").strip()
            assert loc not in result, f"{loc} listed twice in the sitemap"
            links = {}
            for link in url.findall(f"{XHTML}link"):
                assert link.get("rel") == "alternate"
                assert link.get("hreflang") not in links, f"{loc}: hreflang twice"
                links[link.get("hreflang")] = link.get("href")
            result[loc] = links
    return result


def test_sitemap_lists_every_page_with_its_hreflang_alternates(site):
    entries = _sitemap_urls(site)
    problems = []
    for loc, links in entries.items():
        if not loc.startswith(SITE_URL):
            problems.append(f"{loc}: not under {SITE_URL}")
            continue
        path = loc[len(SITE_URL):]
        if not site.exists(path):
            problems.append(f"{loc}: no such file in the site")
            continue
        page_links = {code: hrefs[-1] for code, hrefs in site.hreflang(site.file_of(path)).items()}
        if links != page_links:
            problems.append(f"{loc}: sitemap alternates {links} != page's {page_links}")
    listed = {loc[len(SITE_URL):] for loc in entries}
    for rel in site.html_files:
        if site.is_redirect(rel) or site.noindex(rel) or site.canonical_elsewhere(rel):
            if site.url_path(rel) in listed:
                problems.append(f"{rel} is a redirect, noindex or canonical-elsewhere page, "
                                "but in the sitemap")
        elif site.url_path(rel) not in listed:
            problems.append(f"{rel} is not in the sitemap")
    assert not problems, "\n".join(problems[:50]) + f"\n({len(problems)} problems)"


def test_robots_txt_points_to_the_sitemap(site):
    lines = (site.root / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {SITE_URL}sitemap.xml" in lines
    assert "Disallow: /" not in lines


# --------------------------------------------------------------------------
# 5. JSON-LD and 6. Open Graph on product pages
# --------------------------------------------------------------------------


def _jsonld(doc: Element) -> list[dict]:
    return [json.loads(s.text()) for s in doc.find_all("script", type="application/ld+json")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_product_jsonld(site, lang):
    problems = []
    for pid in PRODUCT_IDS:
        product = PRODUCTS[pid]
        doc = product_doc(site, lang, pid)
        where = f"{prefix(lang)}products/{pid}/"
        products = [d for d in _jsonld(doc) if d.get("@type") == "Product"]
        if len(products) != 1:
            problems.append(f"{where}: {len(products)} JSON-LD Product blocks")
            continue
        data = products[0]
        checks = {
            "name = h1": (data.get("name"), normalize(doc.one("h1").text())),
            "url": (data.get("url"), site.absolute(where)),
            "brand": (data.get("brand", {}).get("name"),
                      product.producer["name"].get(lang) or product.producer["name"]["vi"]),
            # the OCOP certificate first; the others (docs/records.md, passport) after it
            "stars": ((data.get("hasCertification") or [{}])[0].get("certificationRating", {})
                      .get("ratingValue"), product.stars),
        }
        gtin = str(product.data.get("gtin") or "")
        if len(gtin) == 13:
            checks["gtin13"] = (data.get("gtin13"), gtin)
        if product.price is not None:
            offers = data.get("offers") or {}
            price = offers.get("price")
            checks["price digits"] = (isinstance(price, str) and price.isdigit(), True)
            checks["price"] = (str(price), str(product.price))
            checks["currency"] = (offers.get("priceCurrency"), "VND")
            availability = product.data.get("availability")
            if availability:
                checks["availability"] = (offers.get("availability"),
                                          SCHEMA_AVAILABILITY[availability])
        for what, (got, wanted) in checks.items():
            if got != wanted:
                problems.append(f"{where}: {what}: {got!r} != {wanted!r}")
        images = data.get("image") or []
        if product.data.get("photos") and not images:
            problems.append(f"{where}: no image in JSON-LD")
        for url in images if isinstance(images, list) else [images]:
            if not url.startswith(SITE_URL) or not site.exists(url[len(SITE_URL):]):
                problems.append(f"{where}: JSON-LD image {url} is not a file of the site")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_product_open_graph(site, lang):
    problems = []
    for pid in PRODUCT_IDS:
        product = PRODUCTS[pid]
        doc = product_doc(site, lang, pid)
        where = f"{prefix(lang)}products/{pid}/"
        meta = {}
        for m in doc.one("head").find_all("meta", property=True):
            meta.setdefault(m.get("property"), m.get("content"))
        wanted = {
            "og:type": "product",
            "og:title": product.name(lang) or product.name("vi"),
            "og:url": site.absolute(where),
        }
        if product.data.get("price"):
            wanted["product:price:amount"] = str(product.data["price"]["amount"])
            wanted["product:price:currency"] = "VND"
        for key, value in wanted.items():
            if meta.get(key) != value:
                problems.append(f"{where}: {key} = {meta.get(key)!r}, expected {value!r}")
        image = meta.get("og:image")
        if product.data.get("photos") and (
                not image or not image.startswith(SITE_URL)
                or not site.exists(image[len(SITE_URL):])):
            problems.append(f"{where}: og:image {image!r} is not a file of the site")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# 7. Links and third-party requests
# --------------------------------------------------------------------------

#: rel values of <link> that make the browser fetch or connect.
FETCHING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "preconnect",
                 "dns-prefetch", "icon", "apple-touch-icon", "manifest", "prerender"}


def _is_resource(link: Link) -> bool:
    """Whether the browser loads this URL by itself when showing the page."""
    el = link.element
    if el.tag == "link":
        return bool(FETCHING_RELS & set((el.get("rel") or "").lower().split()))
    if link.attr in ("src", "srcset", "imagesrcset", "poster", "data"):
        return True
    return False


def test_no_broken_internal_links_and_no_third_party_requests(site):
    broken, third_party, external = [], [], set()
    for rel in site.all_html_files:
        for link in site.links(rel):
            url = link.url
            scheme = urlsplit(url).scheme.lower()
            if scheme in SKIP_SCHEMES:
                continue
            target, fragment = site.resolve(rel, url)
            where = f"{rel}:{link.line} <{link.tag} {link.attr}={url!r}>"
            if target is None:
                external.add(url)
                if _is_resource(link):
                    third_party.append(where)
                continue
            if target.startswith(".."):
                broken.append(f"{where} leaves the site")
                continue
            if not site.exists(target):
                broken.append(f"{where} → {target} does not exist")
                continue
            if fragment and link.tag == "a":
                file = site.file_of(target)
                if file.endswith(".html") and fragment not in site.ids(file):
                    broken.append(f"{where} → no #{fragment} in {file}")
    assert not third_party, "resources from other hosts:\n" + "\n".join(third_party)
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:60])
    # Only plain links go elsewhere, and they are real web addresses.
    assert all(urlsplit(u).scheme in ("http", "https") for u in external), sorted(external)


def test_stylesheets_load_nothing_from_other_hosts(site):
    offenders = []
    for css in site.root.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for marker in ("url(http", "url('http", 'url("http', "url(//", "url('//", 'url("//',
                       "@import"):
            if marker in text:
                offenders.append(f"{css.relative_to(site.root)}: {marker}")
    assert not offenders, offenders


# --------------------------------------------------------------------------
# 10. Listings work without JavaScript
# --------------------------------------------------------------------------


def _page_cards(site: Site, rel: str) -> list[tuple[str, Element]]:
    """(product id, card) of each card on a page; checks each links to a product page."""
    lang, _ = site.split_lang(site.url_path(rel))
    result = []
    for card in site.doc(rel).find_all("li", cls="card"):
        assert "hidden" not in card.attrs, f"{rel}: a card is hidden without JavaScript"
        links = [site.resolve(rel, a.get("href"))[0] for a in card.find_all("a", href=True)]
        products = [t for t in links if t and t.startswith(f"{prefix(lang)}products/")]
        assert products, f"{rel}: card without a product link"
        target = products[0]
        assert site.exists(target), f"{rel}: card links to missing {target}"
        pid = target[len(f"{prefix(lang)}products/"):].strip("/")
        assert pid in PRODUCTS, f"{rel}: card for unknown product {pid}"
        result.append((pid, card))
    return result


def _cards(site: Site, rel: str) -> list[tuple[str, Element]]:
    """The cards of a whole listing, following its pager from page to page as a visitor
    without JavaScript would."""
    result, seen = [], set()
    while rel is not None and rel not in seen:
        seen.add(rel)
        result += _page_cards(site, rel)
        following = site.doc(rel).find("a", rel="next")
        rel = site.resolve(rel, following.get("href"))[0] + "index.html" if following else None
    return result


def _check_listing_markup(site: Site, rel: str) -> None:
    doc = site.doc(rel)
    listing = doc.one("ul", data_listing=True)
    assert "hidden" not in listing.attrs and not any(
        "hidden" in a.attrs for a in listing.ancestors()), f"{rel}: listing hidden"
    for form in doc.find_all("form", data_filters=True):  # rendered where ocop.js runs them,
        # so that nothing moves when it starts (ocop.css hides them without JavaScript)
        assert "hidden" not in form.attrs, f"{rel}: filters inserted by JavaScript"
    for empty in doc.find_all(data_empty=True):
        assert "hidden" in empty.attrs, f"{rel}: 'no products' message shown without JavaScript"


def _category_of(site: Site, lang: str, pid: str) -> str | None:
    """The category listing a product page says the product belongs to."""
    rel = f"{prefix(lang)}products/{pid}/index.html"
    targets = {site.resolve(rel, a.get("href"))[0]
               for a in site.doc(rel).find_all("a", href=True)}
    groups = {t for t in targets if t and t.startswith(f"{prefix(lang)}categories/")
              and t.count("/") == prefix(lang).count("/") + 3}
    assert len(groups) <= 1, f"{rel}: links to several categories {groups}"
    return groups.pop() if groups else None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_listings_show_every_product_without_javascript(site, lang):
    p = prefix(lang)
    rel = f"{p}products/index.html"
    _check_listing_markup(site, rel)
    cards = _cards(site, rel)
    assert sorted(pid for pid, _ in cards) == PRODUCT_IDS
    for pid, card in cards:  # the badge says the status as of the build day
        badge = card.one(data_status_label=True)
        assert normalize(badge.text()) == STATUS_LABEL[lang][PRODUCTS[pid].status()], (rel, pid)

    # Category pages list exactly the products whose page names that category.
    category_of = {pid: _category_of(site, lang, pid) for pid in PRODUCT_IDS}
    groups = {g for g in category_of.values() if g}
    assert groups, "no product page links to a category"
    for group in sorted(groups):
        rel = group + "index.html"
        _check_listing_markup(site, rel)
        listed = sorted(pid for pid, _ in _cards(site, rel))
        assert listed == sorted(pid for pid, g in category_of.items() if g == group), rel
    sectors = {posixpath.dirname(g.rstrip("/")) + "/" for g in groups}
    for sector in sorted(sectors):
        rel = sector + "index.html"
        _check_listing_markup(site, rel)
        listed = sorted(pid for pid, _ in _cards(site, rel))
        assert listed == sorted(pid for pid, g in category_of.items()
                                if g and g.startswith(sector)), rel

    # Star and area listings, from the records alone.
    for stars in (3, 4, 5):
        rel = f"{p}stars/{stars}/index.html"
        _check_listing_markup(site, rel)
        assert sorted(pid for pid, _ in _cards(site, rel)) == sorted(
            pid for pid in PRODUCT_IDS if PRODUCTS[pid].stars == stars), rel
    communes = {str(PRODUCTS[pid].data["origin"]["commune"]) for pid in PRODUCT_IDS}
    for code in sorted(communes):
        rel = f"{p}areas/{code}/index.html"
        _check_listing_markup(site, rel)
        assert sorted(pid for pid, _ in _cards(site, rel)) == sorted(
            pid for pid in PRODUCT_IDS
            if str(PRODUCTS[pid].data["origin"]["commune"]) == code), rel


@pytest.mark.parametrize("lang", LANGUAGES)
def test_long_listings_are_split_into_pages(site, lang):
    """The sample's product list (46 products, 24 a page in site_config.yml) has two pages:
    numbered links, previous/next, a title and address of their own, in the sitemap and
    with hreflang alternates; the list's filter data has every product, in order."""
    p = prefix(lang)
    first, second = f"{p}products/index.html", f"{p}products/page/2/index.html"
    size = PAGE_SIZE
    assert size < len(PRODUCT_IDS) < 2 * size
    assert len(_page_cards(site, first)) == size
    assert len(_page_cards(site, second)) == len(PRODUCT_IDS) - size
    for rel, number in ((first, 1), (second, 2)):
        doc = site.doc(rel)
        pager = doc.one("nav", cls="pager")
        current = pager.one("a", aria_current="page")
        assert current.text() == str(number)
        assert site.resolve(rel, current.get("href"))[0] + "index.html" == rel
        other = second if number == 1 else first
        link = pager.one("a", rel="next" if number == 1 else "prev")
        assert site.resolve(rel, link.get("href"))[0] + "index.html" == other
        title = doc.one("title").text()
        assert (PAGE_WORD[lang] in title) == (number == 2), title
        alternates = {a.get("hreflang"): a.get("href") for a in doc.find_all("link", rel="alternate")}
        assert alternates[lang] == SITE_URL + site.url_path(rel)
    assert SITE_URL + site.url_path(second) in _sitemap_urls(site)

    data = json.loads((site.root / p / "products" / "listing.json").read_text(encoding="utf-8"))
    cards = _cards(site, first)
    assert len(data["items"]) == len(cards) == len(PRODUCT_IDS)
    for (pid, card), item in zip(cards, data["items"]):
        stars, category, area, price, until, revoked, decided = item
        assert str(stars) == card.get("data-stars"), pid
        assert category == card.get("data-category") and area == card.get("data-area"), pid
        assert ("" if price is None else str(price)) == card.get("data-price"), pid
        assert until == card.get("data-valid-until"), pid
        assert revoked == (card.get("data-revoked") or ""), pid
        assert decided == card.get("data-decided"), pid
    # a listing that fits on one page has no pager and no data file
    group = next(g for g in (_category_of(site, lang, pid) for pid in PRODUCT_IDS) if g)
    assert site.doc(group + "index.html").find("nav", cls="pager") is None
    assert not (site.root / group / "listing.json").exists()


def test_every_card_on_every_page_links_to_an_existing_product(site):
    count = 0
    for rel in site.html_files:
        count += len(_page_cards(site, rel))
    assert count > len(PRODUCT_IDS) * len(LANGUAGES)


# --------------------------------------------------------------------------
# 11. Product pages stay out of the authored pages' navigation
# --------------------------------------------------------------------------


def test_authored_pages_have_no_product_links_in_their_navigation(site):
    """Authored pages are in the catalog's frame (its menu, not a MkDocs navigation tree
    that would list every product page)."""
    checked = 0
    for path, langs in AUTHORED.items():
        for lang in langs:
            rel = prefix(lang) + path + "index.html"
            doc = site.doc(rel)
            navs = list(doc.find_all("nav"))
            assert any("menu" in nav.classes for nav in navs), f"{rel}: no catalog menu"
            for nav in navs:
                for a in nav.find_all("a", href=True):
                    target, _ = site.resolve(rel, a.get("href"))
                    product_page = re.search(r"(^|/)products/(?!page/)[^/]+/$", target or "")
                    assert not product_page, f"{rel}: navigation links to {a.get('href')}"
            checked += 1
    assert checked >= 2


# --------------------------------------------------------------------------
# 12. Untranslated descriptions
# --------------------------------------------------------------------------


def _strings(lang: str) -> dict:
    return yaml.safe_load((REPO / "theme" / "ocop" / "i18n" / f"{lang}.yml").read_text("utf-8"))


def _first_words(markdown_text: str, n: int = 8) -> str:
    first = markdown_text.strip().split("\n\n")[0]
    for mark in "*_`#>[]":
        first = first.replace(mark, "")
    return " ".join(first.split()[:n])


def _main_elements(doc: Element) -> list[Element]:
    """The elements directly in <main>, in order."""
    return [c for c in doc.one("main").children if isinstance(c, Element)]


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != DEFAULT_LANG])
def test_untranslated_description_is_shown_in_vietnamese_with_a_note(site, lang):
    """A product without a description in the page's language shows the Vietnamese one,
    marked lang="vi", under one notice at the top of the page, and no note after it."""
    notice_text = normalize(_strings(lang)["notice.untranslated"])
    missing = [pid for pid in PRODUCT_IDS if lang not in PRODUCTS[pid].data["description"]]
    if lang == "zh":
        assert missing, "the sample should have a product without a Chinese description"
    for pid in PRODUCT_IDS:
        description = PRODUCTS[pid].data["description"]
        doc = product_doc(site, lang, pid)
        where = f"{prefix(lang)}products/{pid}/"
        section = doc.one("section", cls="description")
        notices = list(doc.find_all(cls="untranslated-notice"))
        assert len(notices) <= 1, where
        # no note inside the page: the only one is the notice, the first thing in <main>
        assert not list(doc.find_all(cls="translation-note")), where
        assert notice_text not in normalize(doc.one("article").text()), where
        if pid in missing:
            assert len(notices) == 1, f"{where}: no notice although not translated"
            assert _main_elements(doc)[0] is notices[0], f"{where}: notice not at the top"
            assert normalize(notices[0].text()) == notice_text, where
            assert notices[0].get("lang") == lang, where
            body = list(section.find_all("div", lang="vi"))
            assert body, f"{where}: Vietnamese description not marked lang=vi"
            assert _first_words(description["vi"]) in normalize(body[0].text()), where
        else:
            assert not list(section.find_all(lang="vi")), where
            assert _first_words(description[lang]) in normalize(section.text()), where
        fallbacks = [el for el in doc.one("main").iter()
                     if el.classes & {"ocop-fallback", "ocop-fallback-block"}]
        assert all(el.get("lang") == "vi" for el in fallbacks), where
        assert bool(notices) == bool(fallbacks), f"{where}: notice without fallback or back"


# --------------------------------------------------------------------------
# 8. Determinism
# --------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def test_two_builds_are_byte_identical(site, sample_site_again):
    second = sample_site_again
    first_files, second_files = _tree(site.root), _tree(second)
    only_first = sorted(set(first_files) - set(second_files))
    only_second = sorted(set(second_files) - set(first_files))
    differ = sorted(name for name in set(first_files) & set(second_files)
                    if first_files[name].read_bytes() != second_files[name].read_bytes())
    assert not (only_first or only_second or differ), (
        f"only in the first build: {only_first}\nonly in the second build: {only_second}\n"
        f"different content: {differ}")


# --------------------------------------------------------------------------
# 9. Atomic build
# --------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in _tree(root).items()}


def _small_repository(dest: Path) -> Path:
    return copy_repository(dest, ("htx-an-hoa", "bo-sua-tam-dao"))


def test_failed_build_leaves_the_previous_site_untouched(tmp_path):
    repo = _small_repository(tmp_path / "repo")
    site_dir = tmp_path / "public"
    (site_dir / "products" / "old").mkdir(parents=True)
    (site_dir / "index.html").write_text("<p>the previous site</p>", encoding="utf-8")
    (site_dir / "products" / "old" / "index.html").write_text("old", encoding="utf-8")
    before = _snapshot(site_dir)

    # the decision recognising the tomatoes (the copy keeps only what it says of them)
    rel = certificates(repo)["ca-chua-an-hoa"]["file"]
    record = repo / rel
    good = record.read_text(encoding="utf-8")
    assert good.count("\n  - product: ca-chua-an-hoa\n    stars: 3\n") == 1, good
    assert good.count("stars:") == 1, good
    broken = good.replace("\n    stars: 3\n", "\n    stars: 9\n")
    line = broken[: broken.index("    stars: 9")].count("\n") + 1
    record.write_text(broken, encoding="utf-8")

    def fails() -> None:
        result = run_build(repo, site_dir)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        where = f"{rel}:{line}:"
        assert where in output, f"no {where} in the build output:\n{output}"
        assert "recognises[0].stars" in output, output
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
        assert not leftovers, f"staging folders left behind: {leftovers}"

    fails()
    assert _snapshot(site_dir) == before, "a failed build changed the previous site"

    record.write_text(good, encoding="utf-8")
    cut_short = tmp_path / ".public.old-1"  # an old site whose deletion was cut short
    (cut_short / "products").mkdir(parents=True)
    (cut_short / "products" / "index.html").write_text("old", encoding="utf-8")
    build_ok(repo, site_dir)
    assert not (site_dir / "products" / "old").exists(), "the new site kept old files"
    for lang in LANGUAGES:
        assert (site_dir / prefix(lang) / "products" / "ca-chua-an-hoa" / "index.html").is_file()
    assert "the previous site" not in (site_dir / "index.html").read_text(encoding="utf-8")
    # the old site was swapped out and is deleted by a background process
    deadline = time.monotonic() + 30
    while [p for p in tmp_path.iterdir() if p.name.startswith(".")]:
        assert time.monotonic() < deadline, "the old site was not deleted"
        time.sleep(0.05)
    built = _snapshot(site_dir)

    record.write_text(broken, encoding="utf-8")
    fails()
    assert _snapshot(site_dir) == built, "a failed build changed the previous site"
