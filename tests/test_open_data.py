"""The open data page, feed autodiscovery, /feeds/ and the export profiles' Excel sheets,
as an integrator, a feed reader and a marketplace's upload would see them.

Every number the page states is checked against the file it names, counted with the
consumer's own tool (feedparser for Atom and RSS, json for catalog.json and the JSON
Feeds, csv and openpyxl for the sheets, lxml for the kiosk slides and the sitemap), never
with the code that wrote the page. An .xlsx profile is compared cell by cell with the
CSV of the same columns, and opened in LibreOffice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import jsonschema
import openpyxl
import pytest
from lxml import html as lhtml
from ocop_catalog.errors import OptionError
from ocop_catalog.outputs.feeds.data import spreadsheet_text
from ocop_catalog.outputs.feeds.options import parse_options as parse_feed_options
from ocop_catalog.outputs.site.opendata import parse_open_data
from scratch import GOODS_FILE, PRODUCER_FILE, build_catalog
from siteutil import BUILD_EPOCH, REPO, build_ok, ocop_options, site_config

CONFIG = site_config()
OPTIONS = ocop_options(CONFIG)
SITE_URL = CONFIG["site_url"].rstrip("/") + "/"
LANGUAGES = OPTIONS["languages"]
BUILD_DAY = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.timezone(dt.timedelta(hours=7))).date()
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _prefix(lang: str) -> str:
    return "" if lang == "vi" else f"{lang}/"


def _doc(path: Path):
    return lhtml.fromstring(path.read_bytes())


def _file_of(site: Path, page: str, href: str) -> Path | None:
    """The file in ``site`` a link on the page at site path ``page`` leads to; None for
    another host."""
    url = urljoin(SITE_URL + page, href)
    if not url.startswith(SITE_URL):
        return None
    rel = urlsplit(url).path[len(urlsplit(SITE_URL).path):]
    target = site / rel
    return target / "index.html" if rel.endswith("/") or rel == "" else target


def _rows(site: Path, lang: str) -> dict[str, int]:
    doc = _doc(site / _prefix(lang) / "open-data" / "index.html")
    return {tr.get("data-path"): int(tr.get("data-items")) for tr in doc.iter("tr")
            if tr.get("data-path")}


# --------------------------------------------------------------------------
# Counting items as each consumer does
# --------------------------------------------------------------------------


def _count(site: Path, path: str) -> int:
    file = site / path
    if path == "sitemap.xml":
        root = ET.parse(file).getroot()
        return sum(1 for e in root if e.tag.endswith("}url"))
    if path.endswith("/"):  # a kiosk page: its slides
        return len(_doc(file / "index.html").xpath("//li[@data-slide]"))
    if path.endswith(".xml"):
        parsed = feedparser.parse(file.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        return len(parsed.entries)
    if path == "feeds/catalog.json":
        return len(json.loads(file.read_text(encoding="utf-8"))["products"])
    if path.endswith(".json"):  # a JSON Feed: every page, following next_url
        items, data = 0, json.loads(file.read_text(encoding="utf-8"))
        while True:
            items += len(data["items"])
            if "next_url" not in data:
                return items
            data = json.loads((site / data["next_url"][len(SITE_URL):]).read_text("utf-8"))
    if path.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(file, read_only=True).worksheets[0]
        return sum(1 for _ in sheet.iter_rows()) - 1
    text = file.read_text(encoding="utf-8-sig")
    delimiter = "\t" if path.endswith(".tsv") else ","
    return sum(1 for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)) - 1


def _published(site: Path) -> set[str]:
    """What the build published for machines, found on disk: the files the page must list."""
    found = {"sitemap.xml"}
    feeds = site / "feeds"
    for file in feeds.rglob("*"):
        rel = file.relative_to(site).as_posix()
        if file.is_dir() or rel == "feeds/index.html" or rel.endswith("schema.json"):
            continue
        if re.search(r"-\d+\.json$", rel):  # a JSON Feed's later page (next_url)
            continue
        found.add(rel)
    for kiosk in (site / "kiosk").glob("*/index.html"):
        found.add(kiosk.parent.relative_to(site).as_posix() + "/")
    return found


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_published_feed_is_listed_with_the_items_it_holds(sample_site, lang):
    rows = _rows(sample_site, lang)
    assert set(rows) == _published(sample_site)
    wrong = {path: (stated, _count(sample_site, path)) for path, stated in rows.items()
             if _count(sample_site, path) != stated}
    assert wrong == {}, "stated vs in the file: " + repr(wrong)
    assert all(n > 0 for n in rows.values()), rows


def test_the_page_says_when_under_what_licence_whom_to_ask_and_how_often(sample_site):
    open_data = OPTIONS["open_data"]
    for lang in LANGUAGES:
        doc = _doc(sample_site / _prefix(lang) / "open-data" / "index.html")
        built = doc.xpath("//time[@data-key='built']")[0]
        assert built.get("datetime") == BUILD_DAY.isoformat()
        licence = doc.xpath("//dd[@data-key='licence']/a")[0]
        assert (licence.text, licence.get("href"), licence.get("rel")) == (
            open_data["licence"]["name"], open_data["licence"]["url"], "license")
        contact = doc.xpath("//dd[@data-key='contact']/a")[0]
        assert contact.get("href") == "mailto:" + open_data["contact"]
        rebuilt = doc.xpath("//dd[@data-key='rebuilt']")[0].text_content()
        assert rebuilt == open_data["rebuilt"].get(lang, open_data["rebuilt"]["vi"])
        assert doc.get("lang") == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_link_on_the_page_leads_to_a_file_of_the_site(sample_site, lang):
    page = f"{_prefix(lang)}open-data/"
    doc = _doc(sample_site / page / "index.html")
    links = [a.get("href") for a in doc.iter("a") if a.get("href")]
    links += [e.get("href") for e in doc.iter("link") if e.get("href")]
    missing = []
    for href in links:
        if href.startswith(("mailto:", "tel:")):
            continue
        target = _file_of(sample_site, page, href)
        if target is not None and not target.is_file():
            missing.append(href)
    assert missing == []
    # the addresses shown are the site's absolute URLs of the same files
    shown = [a.text_content() for a in doc.xpath("//tr[@data-path]//a")]
    assert shown and all(text.startswith(SITE_URL) for text in shown)


def test_feeds_folder_has_an_index_that_leads_to_the_open_data_page(sample_site):
    index = sample_site / "feeds" / "index.html"
    doc = _doc(index)
    refresh = doc.xpath("//meta[@http-equiv='refresh']")[0].get("content")
    target = refresh.split("url=", 1)[1]
    assert _file_of(sample_site, "feeds/", target) == sample_site / "open-data" / "index.html"
    choices = {a.get("hreflang"): _file_of(sample_site, "feeds/", a.get("href"))
               for a in doc.iter("a")}
    assert choices == {lang: sample_site / _prefix(lang) / "open-data" / "index.html"
                       for lang in LANGUAGES}


def test_schemas_point_to_the_open_data_page_and_nothing_outside_the_site(sample_site):
    page_url = SITE_URL + "en/open-data/"
    for name in ("feeds/catalog.schema.json", "feeds/sales-points/schema.json"):
        schema = json.loads((sample_site / name).read_text(encoding="utf-8"))
        assert page_url in schema["description"], name
    assert (sample_site / "en" / "open-data" / "index.html").is_file()
    # the page links each schema; catalog.json validates against its own
    schema = json.loads((sample_site / "feeds/catalog.schema.json").read_text("utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(
        json.loads((sample_site / "feeds/catalog.json").read_text("utf-8")))
    doc = _doc(sample_site / "open-data" / "index.html")
    assert {_file_of(sample_site, "open-data/", a.get("href")).relative_to(sample_site).as_posix()
            for a in doc.xpath("//a[@data-schema]")} == {
        "feeds/catalog.schema.json", "feeds/sales-points/schema.json"}
    # no file of the site names a file of the engine's repository (docs/*.md…)
    stray = []
    for file in sample_site.rglob("*"):
        if file.suffix in (".html", ".json", ".xml", ".txt", ".js", ".csv"):
            text = file.read_text(encoding="utf-8", errors="replace")
            stray += [f"{file.relative_to(sample_site)}: {m}"
                      for m in re.findall(r"\bdocs/[\w-]+\.md\b", text)]
    assert stray == []


# --------------------------------------------------------------------------
# The footer and the heads of every page
# --------------------------------------------------------------------------


FOOTER_PAGES = ["", "products/", "products/mat-ong-hoa-rung/", "categories/", "areas/",
                "producers/", "sales-points/", "sales-points/go-vinh-phuc/", "search/",
                "statistics/", "open-data/", "about-ocop/"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_of_page_links_the_open_data_page_in_its_footer(sample_site, lang):
    expected = sample_site / _prefix(lang) / "open-data" / "index.html"
    checked = 0
    for path in FOOTER_PAGES:
        page = _prefix(lang) + path
        file = sample_site / page / "index.html"
        if path == "about-ocop/" and not file.is_file():
            continue  # an authored page not translated into this language
        links = _doc(file).xpath("//footer//p[@class='site-open-data']/a")
        assert len(links) == 1, page
        assert _file_of(sample_site, page, links[0].get("href")) == expected, page
        checked += 1
    assert checked >= len(FOOTER_PAGES) - 1
    # the 404 page: one footer per language, links from the site's path
    blocks = _doc(sample_site / "404.html").xpath(f"//div[@data-lang='{lang}']")
    link = blocks[0].xpath(".//footer//p[@class='site-open-data']/a")[0].get("href")
    assert _file_of(sample_site, "", link.lstrip("/")) == expected


def test_an_authored_page_is_among_the_pages_checked(sample_site):
    about = _doc(sample_site / "about-ocop" / "index.html")
    assert about.xpath("//footer//p[@class='site-open-data']/a")
    assert about.xpath("//head/link[@type='application/atom+xml']")


def test_page_heads_announce_the_feeds_that_exist_in_their_language(sample_site):
    parsed: dict[Path, object] = {}
    kinds = {"application/atom+xml": 0, "application/feed+json": 0}
    pages = 0
    for file in sample_site.rglob("index.html"):
        doc = _doc(file)
        page = file.parent.relative_to(sample_site).as_posix() + "/"
        page = "" if page == "./" else page
        lang = doc.get("lang")
        for link in doc.xpath("//head/link[@rel='alternate'][@type]"):
            kind = link.get("type")
            assert kind in kinds, (page, kind)
            target = _file_of(sample_site, page, link.get("href"))
            assert target is not None and target.is_file(), (page, link.get("href"))
            assert target.stem == lang, (page, target)  # the feed in the page's language
            assert link.get("title"), page
            kinds[kind] += 1
            if target not in parsed:
                if kind == "application/atom+xml":
                    feed = feedparser.parse(target.read_bytes())
                    assert not feed.bozo and feed.version == "atom10" and feed.entries
                    assert feed.feed.language == lang
                else:  # feedparser 6 reads no JSON Feed: JSON and the feed's own schema
                    feed = json.loads(target.read_text(encoding="utf-8"))
                    assert feed["version"] == "https://jsonfeed.org/version/1.1"
                    assert feed["language"] == lang and feed["items"]
                parsed[target] = feed
        pages += 1
    assert pages > 100
    assert kinds["application/atom+xml"] >= pages // 2  # every catalog and authored page
    point_pages = [sample_site / _prefix(lang) / "sales-points" / p.name / "index.html"
                   for p in (sample_site / "sales-points").iterdir() if p.is_dir()
                   and p.name != "page" for lang in LANGUAGES]
    for file in point_pages:
        feeds = _doc(file).xpath("//head/link[@type='application/feed+json']")
        assert len(feeds) == 1, file


# --------------------------------------------------------------------------
# Export profiles as Excel workbooks
# --------------------------------------------------------------------------


def _xlsx_profiles() -> list[dict]:
    return [p for p in OPTIONS["feeds"]["exports"] if p["file"].endswith(".xlsx")]


def _cells(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_sample_has_an_excel_profile_that_a_spreadsheet_reads(sample_site):
    profiles = _xlsx_profiles()
    assert profiles, "the sample gives one .xlsx export profile"
    for profile in profiles:
        book = openpyxl.load_workbook(sample_site / "feeds" / "exports" / profile["file"])
        assert book.sheetnames == [profile.get("sheet", profile["name"])]
        assert book.properties.created.date() == BUILD_DAY
        rows = _cells(book.worksheets[0])
        assert rows[0] == list(profile["columns"])
        assert book.worksheets[0].freeze_panes == "A2"
        price = list(profile["columns"].values()).index("price.amount")
        catalog = json.loads((sample_site / "feeds/catalog.json").read_text("utf-8"))
        prices = {p["id"]: p["price"]["amount"] for p in catalog["products"] if p["price"]}
        ids = list(profile["columns"].values()).index("id")
        for row in rows[1:]:
            assert type(row[price]) is int and row[price] == prices[row[ids]]


def test_two_builds_write_the_same_workbook(sample_site, sample_site_again):
    for profile in _xlsx_profiles():
        name = Path("feeds/exports") / profile["file"]
        assert (sample_site / name).read_bytes() == (sample_site_again / name).read_bytes()


PAYLOADS = ['=HYPERLINK("https://evil.example/","Bấm")', "@SUM(1,1)", "-2+3", "＝1+1"]


@pytest.fixture(scope="module")
def twin_sheets(tmp_path_factory):
    """A scratch catalog with formulas in its texts, built with the sample's Excel profile
    and the same columns as a CSV profile."""
    tmp = tmp_path_factory.mktemp("twins")
    scratch = build_catalog(tmp / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    scratch.edit("site_config.yml", "theme:\n  name: material\n",
                 "theme:\n  name: material\n  custom_dir: theme\n")
    profile = dict(_xlsx_profiles()[0])
    twin = {**profile, "file": "twin.csv", "name": "twin"}
    twin.pop("sheet", None)
    import yaml
    block = yaml.safe_dump({"feeds": {"exports": [profile, twin]}}, allow_unicode=True,
                           sort_keys=False)
    block = "".join("      " + line + "\n" for line in block.splitlines())
    scratch.edit("site_config.yml", "      photo_min_side: 500\n",
                 "      photo_min_side: 500\n" + block)
    scratch.edit(GOODS_FILE, "vi: Mật ong hoa rừng Tam Đảo", f"vi: '{PAYLOADS[0]}'")
    scratch.edit(GOODS_FILE, "    Mật ong được **quay**", f"    {PAYLOADS[2]} Mật ong được **quay**")
    scratch.edit(PRODUCER_FILE, "vi: HTX Ong mật Tam Đảo", f"vi: '{PAYLOADS[1]}'")
    build_ok(scratch.root, tmp / "site")
    return tmp / "site" / "feeds" / "exports" / profile["file"], \
        tmp / "site" / "feeds" / "exports" / "twin.csv"


def test_the_workbook_holds_what_the_csv_of_the_same_columns_holds(twin_sheets):
    xlsx, csv_file = twin_sheets
    rows = _cells(openpyxl.load_workbook(xlsx).worksheets[0])
    with csv_file.open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = list(csv.reader(handle))
    assert len(rows) == len(csv_rows) > 1
    as_text = [[spreadsheet_text("" if v is None else str(v)) for v in row] for row in rows]
    assert as_text == csv_rows
    texts = {v for row in rows for v in row if isinstance(v, str)}
    assert PAYLOADS[0] in texts and PAYLOADS[1] in texts  # as written: no apostrophe
    assert any(isinstance(v, str) and v.startswith(PAYLOADS[2]) for v in texts)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed "
                    "(apt-get install libreoffice-calc-nogui)")
def test_libreoffice_opens_the_workbook_and_runs_no_formula(twin_sheets, tmp_path):
    xlsx, _ = twin_sheets
    profile = tmp_path / "profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "fods", "--outdir", str(tmp_path), str(xlsx)],
        capture_output=True, text=True, timeout=180, check=False)
    converted = tmp_path / (xlsx.stem + ".fods")
    assert converted.is_file(), done.stdout + done.stderr
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    cells = [(c.get(f"{{{table}}}formula"),
              "".join("".join(p.itertext()) for p in c.iter(f"{{{text_ns}}}p")))
             for c in ET.parse(converted).iter(f"{{{table}}}table-cell")]
    assert [f for f, _ in cells if f] == []
    texts = {t for _, t in cells}
    assert PAYLOADS[0] in texts and PAYLOADS[1] in texts


# --------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "where"), [
    ("CC BY", "open_data"),
    ({"licence": "CC BY"}, "open_data.licence"),
    ({"licence": {"name": "CC BY", "url": "ftp://x"}}, "open_data.licence.url"),
    ({"contact": "gọi văn phòng"}, "open_data.contact"),
    ({"rebuilt": {"en": "daily"}}, "open_data.rebuilt.vi"),
    ({"rebuilt": "daily\u202e"}, "open_data.rebuilt.vi"),
    ({"cadence": "daily"}, "open_data.cadence"),
])
def test_a_wrong_open_data_option_is_named_in_both_languages(raw, where):
    with pytest.raises(OptionError) as caught:
        parse_open_data(raw, ("vi", "en"))
    message = str(caught.value)
    lines = message.splitlines()
    assert len(lines) == 2 and all(line.strip().startswith(where + ":") for line in lines)
    assert "docs/configuration.md" in message


def test_open_data_options_are_optional_and_a_plain_text_counts_for_every_language():
    assert parse_open_data(None, ("vi",)).rebuilt_in("vi") == ""
    options = parse_open_data({"rebuilt": "hằng ngày / daily", "contact": "https://x.vn/lien-he"},
                              ("vi", "en"))
    assert options.rebuilt_in("en") == "hằng ngày / daily"
    assert options.contact == "https://x.vn/lien-he"


@pytest.mark.parametrize(("profile", "fragment"), [
    ({"file": "a.xlsx", "format": "csv"}, "does not match format"),
    ({"file": "a.csv", "format": "xlsx"}, "does not match format"),
    ({"file": "a.xlsx", "format": "ods"}, "use csv"),
    ({"file": "a.xlsx", "sheet": 3}, "sheet"),
])
def test_a_wrong_excel_profile_stops_the_build(profile, fragment):
    raw = {"exports": [{"name": "x", "columns": {"A": "id"}, **profile}]}
    with pytest.raises(OptionError, match=fragment) as caught:
        parse_feed_options(raw, ("vi",))
    vi, en = str(caught.value).splitlines()  # in Vietnamese, then in English
    assert vi.startswith("feeds.exports[0].") and en.strip().startswith("feeds.exports[0].")


def test_a_sheet_name_excel_refuses_is_made_acceptable():
    raw = {"exports": [{"name": "Shopee: [mới]/2026 and a name longer than Excel allows",
                        "file": "a.xlsx", "columns": {"A": "id"}}]}
    sheet = parse_feed_options(raw, ("vi",)).exports[0].sheet
    assert len(sheet) <= 31 and not set(sheet) & set("[]:*?/\\")


# --------------------------------------------------------------------------
# In the browser, on a phone
# --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_footer_leads_to_the_page_and_it_fits_a_phone(browser, sample_site,
                                                          sample_base_url, lang):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  base_url=sample_base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/" + _prefix(lang))
        link = page.locator("footer .site-open-data a")
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_url(f"**/{_prefix(lang)}open-data/")
        title = {"vi": "Dữ liệu mở", "en": "Open data"}[lang]
        assert page.locator("h1").inner_text() == title
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        rows = page.locator("tr[data-path]")
        assert rows.count() == len(_rows(sample_site, lang))
        # the feed a reader discovers from the page answers, and is the page's language's
        href = page.evaluate(
            "document.querySelector('link[type=\"application/atom+xml\"]').href")
        answer = page.request.get(href)
        assert answer.ok and f'xml:lang="{lang}"' in answer.text()
        assert errors == []
    finally:
        context.close()

