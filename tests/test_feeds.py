"""The feeds, read the way their consumers read them.

The sample catalog is built once per session with ``ocop build`` (the real
command, in a subprocess) on the fixed build day of tests/test_site_build.py,
2026-11-29. The feeds are then checked against the rules of their formats
(feeds-and-standards.md) and against the records, with what each feed should
hold worked out here from the YAML and site_config.yml, not by calling the
generator:

* Google Merchant Center XML, item by item: required attributes, length limits,
  price and availability spellings, GTIN check digits, links and images that are
  files of the built site (images opened with Pillow: at least 500 × 500), the
  same ids in every language, no services, no expired or revoked certificates;
* Meta CSV: its columns and its own spellings;
* the catalog JSON against its published JSON Schema (jsonschema), with the
  catalog's counts; the sales points' JSON Feeds against theirs;
* every Atom feed through feedparser, dates equal to the records';
* the example export profile: the configured headers and values;
* the kiosk pages' markup (the browser test drives them);
* two builds give byte-identical feeds; a scratch copy of the repository with
  ``include_expired: true`` puts expired and revoked products back, and one with
  a wrong export field fails with a message naming it.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import jsonschema
import pytest
import yaml
from ocop_catalog.outputs.feeds.opendata import parse_options
from ocop_catalog.outputs.feeds.options import FeedOptionError
from ocop_catalog.outputs.feeds.data import clip, feed_id, markdown_to_text
from PIL import Image
from siteutil import OPTIONS, REPO, SITE_URL, build_ok, certificates, copy_repository, run_build

BUILD_DAY = dt.date(2026, 11, 29)
G = "{http://base.google.com/ns/1.0}"
VALIDITY_MONTHS = 36

GOOGLE_AVAILABILITY = {"in_stock", "out_of_stock", "preorder", "backorder"}
META_AVAILABILITY = {"in_stock": "in stock", "out_of_stock": "out of stock",
                     "preorder": "preorder", "backorder": "available for order"}
META_COLUMNS = ["id", "title", "description", "availability", "condition", "price", "link",
                "image_link", "brand"]
PRICE = re.compile(r"^[1-9][0-9]* VND$")


# --------------------------------------------------------------------------
# Sources: site_config.yml and the records
# --------------------------------------------------------------------------


LANGUAGES = tuple(OPTIONS.get("languages", ["vi", "en", "zh"]))
EXPIRING_DAYS = int(OPTIONS.get("expiry_warning_days", 180))
FEEDS = OPTIONS.get("feeds") or {}



def check_options(feeds, languages):
    """The ``feeds:`` options checked as a build checks them (export columns compiled)."""
    return parse_options({"feeds": feeds}, tuple(languages))


def prefix(lang: str) -> str:
    return "" if lang == "vi" else f"{lang}/"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _text(value, lang: str) -> str | None:
    """Record text in ``lang`` (None when not written in it)."""
    if isinstance(value, str):
        return value if lang == "vi" else None
    if isinstance(value, dict):
        return value.get(lang)
    return None


class Record:
    def __init__(self, path: Path, producer: dict, certificate: dict):
        self.path = path
        self.data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.producer = producer
        self.id = self.data["id"]
        #: from the office's register of decisions (catalog/decisions/)
        self.cert = certificate

    @property
    def valid_until(self) -> dt.date:
        start = self.cert.get("valid_from") or self.cert["decision_date"]
        return self.cert.get("valid_until") or _add_months(start, VALIDITY_MONTHS)

    def status(self, day: dt.date = BUILD_DAY) -> str:
        revoked = self.cert.get("revoked")
        if revoked and revoked["date"] <= day:
            return "revoked"
        if self.valid_until < day:
            return "expired"
        return "expiring" if (self.valid_until - day).days <= EXPIRING_DAYS else "valid"

    @property
    def is_service(self) -> bool:
        return self.data["category"]["criteria_set"] == 26 or "tourism" in self.data

    @property
    def price(self) -> int | None:
        return int(self.data["price"]["amount"]) if self.data.get("price") else None

    @property
    def availability(self) -> str:
        return self.data.get("availability", "in_stock")

    def name(self, lang: str) -> str | None:
        return _text(self.data["name"], lang)

    def translated(self, lang: str) -> bool:
        return bool(self.name(lang) and (_text(self.data["description"], lang)
                                         or _text(self.data["summary"], lang)))

    def in_marketplace_feed(self, lang: str, *, google: bool, include_expired: bool = False
                            ) -> bool:
        """Whether the rules of this project put the product in a Google or Meta feed."""
        if self.is_service or self.price is None or self.availability == "discontinued":
            return False
        if not include_expired and self.status() not in ("valid", "expiring"):
            return False
        if google and self.availability in ("preorder", "backorder") and not self.data.get(
                "season_months"):
            return False
        return self.translated(lang)

    @property
    def modified(self) -> dt.date:
        cert = self.cert
        days = [self.data.get("updated"), self.data.get("listed"), cert["decision_date"],
                cert.get("valid_from"), (cert.get("revoked") or {}).get("date")]
        return max(d for d in days if d is not None and d <= BUILD_DAY)

    @property
    def published(self) -> dt.date:
        return min(self.data.get("listed") or self.cert["decision_date"], self.modified)


@cache
def records(repo: Path = REPO) -> dict[str, Record]:
    result = {}
    certified = certificates(repo)
    for producer_file in sorted((repo / "products").glob("*/producer.yml")):
        producer = yaml.safe_load(producer_file.read_text(encoding="utf-8"))
        for path in sorted(producer_file.parent.glob("*/product.yml")):
            record = Record(path, producer, certified[path.parent.name])
            result[record.id] = record
    return result


RECORDS = records()
SALES_POINTS = yaml.safe_load((REPO / "catalog" / "sales-points.yml").read_text(
    encoding="utf-8"))["sales_points"]
REGIONS = yaml.safe_load((REPO / "catalog" / "regions.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(sample_site) -> Path:
    """The sample catalog built once on 2026-11-29."""
    return sample_site


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --------------------------------------------------------------------------
# Reading the built site
# --------------------------------------------------------------------------


def site_path(url: str) -> str:
    assert url.startswith(SITE_URL), f"{url} is not under {SITE_URL}"
    return urlsplit(url[len(SITE_URL):]).path


def resolves(site: Path, url: str) -> bool:
    """Whether an absolute URL of the site is a file of the built site."""
    path = site_path(url)
    target = site / path
    if path in ("", "/") or path.endswith("/"):
        return (target / "index.html").is_file()
    return target.is_file()


@cache
def image_size(path: Path) -> tuple[str, int, int]:
    with Image.open(path) as image:
        return image.format, image.width, image.height


def google_items(site: Path, lang: str) -> list[ET.Element]:
    root = ET.parse(site / f"feeds/google/{lang}.xml").getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), f"channel without {name}"
    return channel.findall("item")


def gtin_ok(gtin: str) -> bool:
    """GS1 check digit, computed here (feeds-and-standards.md §4.1)."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        return False
    body, check = gtin[:-1], int(gtin[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def jsonld_price(site: Path, url: str) -> str | None:
    html = (site / site_path(url) / "index.html").read_text(encoding="utf-8")
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL):
        data = json.loads(block)
        if data.get("@type") == "Product":
            return (data.get("offers") or {}).get("price")
    return None


# --------------------------------------------------------------------------
# Google Merchant Center
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_google_feed_items_follow_the_specification(site, lang):
    problems = []
    items = google_items(site, lang)
    assert items, f"no items in the {lang} Google feed"
    for item in items:
        gid = item.findtext(f"{G}id") or ""
        where = f"google/{lang}.xml item {gid!r}"

        def one(name: str, item=item, where=where) -> str:
            found = item.findall(name)
            if len(found) != 1 or not (found[0].text or "").strip():
                problems.append(f"{where}: {name} given {len(found)} times or empty")
                return ""
            return found[0].text.strip()

        title, description, link = one("title"), one("description"), one("link")
        image, availability = one(f"{G}image_link"), one(f"{G}availability")
        price, brand, condition = one(f"{G}price"), one(f"{G}brand"), one(f"{G}condition")
        record = RECORDS.get(gid)
        if record is None:
            problems.append(f"{where}: id is not a product id")
            continue
        # lengths (characters, NFC)
        for name, value, limit in (("id", gid, 50), ("title", title, 150),
                                   ("description", description, 5000), ("brand", brand, 70),
                                   ("product_type", item.findtext(f"{G}product_type") or "", 750)):
            if len(value) > limit:
                problems.append(f"{where}: {name} has {len(value)} characters (> {limit})")
        # values
        if title != record.name(lang):
            problems.append(f"{where}: title {title!r} is not the {lang} name {record.name(lang)!r}")
        if not PRICE.match(price) or price != f"{record.price} VND":
            problems.append(f"{where}: price {price!r}, expected '{record.price} VND'")
        if jsonld_price(site, link) != str(record.price):
            problems.append(f"{where}: the landing page's JSON-LD price differs from {price!r}")
        if availability not in GOOGLE_AVAILABILITY or availability != record.availability:
            problems.append(f"{where}: availability {availability!r}")
        if availability in ("preorder", "backorder"):
            when = item.findtext(f"{G}availability_date") or ""
            try:
                moment = dt.datetime.fromisoformat(when)
                assert moment.tzinfo is not None and moment.date() > BUILD_DAY
                assert moment.month in record.data["season_months"]
            except (ValueError, AssertionError):
                problems.append(f"{where}: availability_date {when!r}")
        if condition != "new":
            problems.append(f"{where}: condition {condition!r}")
        producer = _text(record.producer["name"], lang) or _text(record.producer["name"], "vi")
        if not (brand == producer or (len(producer) > 70 and producer.startswith(brand))):
            problems.append(f"{where}: brand {brand!r} is not the producer")
        gtins = [g.text for g in item.findall(f"{G}gtin")]
        exists = [e.text for e in item.findall(f"{G}identifier_exists")]
        if record.data.get("gtin"):
            if gtins != [str(record.data["gtin"])] or exists or not gtin_ok(gtins[0]):
                problems.append(f"{where}: gtin {gtins}, identifier_exists {exists}")
        elif gtins or exists != ["no"]:
            problems.append(f"{where}: no GTIN, but gtin {gtins}, identifier_exists {exists}")
        category = item.findtext(f"{G}google_product_category") or ""
        if not category.isdigit():
            problems.append(f"{where}: google_product_category {category!r} is not an id")
        # links and images resolve in the built site
        if link != f"{SITE_URL}{prefix(lang)}products/{gid}/" or not resolves(site, link):
            problems.append(f"{where}: link {link}")
        extra = [e.text for e in item.findall(f"{G}additional_image_link")]
        if len(extra) > 10:
            problems.append(f"{where}: {len(extra)} additional images (> 10)")
        for url in [image, *extra]:
            if not url.isascii() or len(url) > 2000 or not resolves(site, url):
                problems.append(f"{where}: image {url} is not a file of the site")
                continue
            fmt, width, height = image_size(site / site_path(url))
            if width < 500 or height < 500:
                problems.append(f"{where}: image {url} is {width}×{height} (< 500×500)")
            if fmt != "JPEG" or not url.endswith(".jpg"):
                problems.append(f"{where}: image {url} is {fmt} (extension must match)")
        if len({image, *extra}) != 1 + len(extra):
            problems.append(f"{where}: an image is listed twice")
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_google_feed_holds_exactly_the_sellable_goods(site, lang):
    ids = [item.findtext(f"{G}id") for item in google_items(site, lang)]
    assert len(ids) == len(set(ids)), "an id is listed twice"
    expected = {pid for pid, r in RECORDS.items() if r.in_marketplace_feed(lang, google=True)}
    assert set(ids) == expected
    # services and expired or revoked certificates stay out, whatever else holds
    for pid in ids:
        assert not RECORDS[pid].is_service, f"{pid} is a tourism service"
        assert RECORDS[pid].status() in ("valid", "expiring"), (pid, RECORDS[pid].status())


def test_google_ids_are_the_same_in_every_language(site):
    by_lang = {lang: {item.findtext("link"): item.findtext(f"{G}id")
                      for item in google_items(site, lang)} for lang in LANGUAGES}
    ids = {}
    for lang, links in by_lang.items():
        for link, gid in links.items():
            product = site_path(link).rstrip("/").rsplit("/", 1)[-1]
            assert ids.setdefault(product, gid) == gid, f"{product}: id {gid} in {lang}"
    assert set(ids) == set(ids.values())
    # the translated feeds hold a subset of the Vietnamese one, never other products
    vi = set(by_lang["vi"].values())
    for lang in LANGUAGES:
        assert set(by_lang[lang].values()) <= vi


def test_every_goods_category_has_a_google_category():
    mapping = yaml.safe_load((REPO / "generator/ocop_catalog/outputs/feeds/google_categories.yml")
                             .read_text(encoding="utf-8"))
    assert all(isinstance(v, int) and v > 0 for v in mapping.values())
    for path in sorted((REPO / "generator/ocop_catalog/catalog/taxonomy").glob("qd*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for sector in data["sectors"]:
            for group in sector["groups"]:
                for item in group["sets"]:
                    if item["goods"]:
                        assert item["code"] in mapping, f"{path.name}: {item['code']} unmapped"
                    else:
                        assert item["code"] not in mapping, f"{item['code']} is not goods"


# --------------------------------------------------------------------------
# Meta
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_meta_csv_columns_and_spellings(site, lang):
    text = (site / f"feeds/meta/{lang}.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = next(csv.reader(io.StringIO(text)))
    assert header[: len(META_COLUMNS)] == META_COLUMNS
    expected = {pid for pid, r in RECORDS.items() if r.in_marketplace_feed(lang, google=False)}
    assert {row["id"] for row in rows} == expected
    problems = []
    for row in rows:
        record = RECORDS[row["id"]]
        where = f"meta/{lang}.csv {row['id']}"
        for column in META_COLUMNS:
            if not row[column].strip():
                problems.append(f"{where}: {column} is empty")
        checks = {
            "availability": (row["availability"], META_AVAILABILITY[record.availability]),
            "condition": (row["condition"], "new"),
            "price": (row["price"], f"{record.price} VND"),
            "title": (row["title"], record.name(lang)),
            "link": (row["link"], f"{SITE_URL}{prefix(lang)}products/{record.id}/"),
        }
        for what, (got, wanted) in checks.items():
            if got != wanted:
                problems.append(f"{where}: {what} {got!r}, expected {wanted!r}")
        if "_" in row["availability"]:
            problems.append(f"{where}: Meta spells availability with spaces")
        for column, limit in (("id", 100), ("title", 200), ("description", 9999),
                              ("brand", 100), ("additional_image_link", 2000)):
            if len(row[column]) > limit:
                problems.append(f"{where}: {column} longer than {limit}")
        if "<" in row["description"] or "&amp;" in row["description"] or "**" in row[
                "description"]:
            problems.append(f"{where}: description is not plain text")
        images = [row["image_link"], *filter(None, row["additional_image_link"].split(","))]
        for url in images:
            if not resolves(site, url):
                problems.append(f"{where}: image {url} missing")
            elif min(image_size(site / site_path(url))[1:]) < 500:
                problems.append(f"{where}: image {url} smaller than 500×500")
        gtin = str(record.data.get("gtin") or "")
        if row["gtin"] != gtin or (gtin and not gtin_ok(gtin)):
            problems.append(f"{where}: gtin {row['gtin']!r}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# Open data: the catalog JSON
# --------------------------------------------------------------------------


def _validator(schema: dict):
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_catalog_json_validates_against_its_published_schema(site):
    data = json.loads((site / "feeds/catalog.json").read_text(encoding="utf-8"))
    schema_url = data["$schema"]
    assert resolves(site, schema_url)
    schema = json.loads((site / site_path(schema_url)).read_text(encoding="utf-8"))
    assert schema["$id"] == schema_url
    errors = sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:20])
    assert data["version"] == schema["properties"]["version"]["const"]
    assert data["generated"] == BUILD_DAY.isoformat()


def test_catalog_json_is_compact_json_of_the_document_it_was_written_from(site):
    """catalog.json is written a product at a time (never its whole text in memory): what
    it holds is exactly the compact, UTF-8, one-line JSON of its document."""
    raw = (site / "feeds/catalog.json").read_bytes()
    data = json.loads(raw)
    assert raw == (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert raw.count(b"\n") == 1 and len(data["products"]) > 1


def test_catalog_json_holds_the_whole_catalog(site):
    data = json.loads((site / "feeds/catalog.json").read_text(encoding="utf-8"))
    producers = sorted(p.parent.name for p in (REPO / "products").glob("*/producer.yml"))
    assert [p["id"] for p in data["products"]] == sorted(RECORDS)
    assert [p["id"] for p in data["producers"]] == producers
    assert [p["id"] for p in data["sales_points"]] == [p["id"] for p in SALES_POINTS]
    assert len(data["areas"]["communes"]) == len(REGIONS["communes"])
    assert len(data["areas"]["legacy_districts"]) == len(REGIONS["legacy_districts"])
    assert [c["version"] for c in data["categories"]] == ["1048/2019", "148/2023", "26/2026"]
    for taxonomy in data["categories"]:
        sets = [s for sector in taxonomy["sectors"] for g in sector["groups"] for s in g["sets"]]
        assert sorted(s["number"] for s in sets) == list(range(1, 27))
    problems = []
    for product in data["products"]:
        record = RECORDS[product["id"]]
        if product["certification"]["status"] != record.status():
            problems.append(f"{record.id}: status {product['certification']['status']}")
        if product["certification"]["valid_until"] != record.valid_until.isoformat():
            problems.append(f"{record.id}: valid_until")
        if (product["price"] or {}).get("amount") != record.price:
            problems.append(f"{record.id}: price")
        if product["name"]["vi"] != record.name("vi"):
            problems.append(f"{record.id}: name")
        for url in [*product["url"].values(), product["short_url"], product["qr_svg"],
                    *(p["url"] for p in product["photos"]),
                    *(p["square"] for p in product["photos"])]:
            if not resolves(site, url):
                problems.append(f"{record.id}: {url} is not a file of the site")
        if len(product["photos"]) != len(record.data["photos"]):
            problems.append(f"{record.id}: {len(product['photos'])} photos")
    for point in data["sales_points"]:
        wanted = sorted(pid for pid, r in RECORDS.items()
                        if point["id"] in (r.data.get("sales_points") or []))
        if sorted(point["products"]) != wanted:
            problems.append(f"sales point {point['id']}: products {point['products']}")
        for url in [*point["feeds"].values(), point["kiosk"]]:
            if not resolves(site, url):
                problems.append(f"sales point {point['id']}: {url} missing")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# Atom
# --------------------------------------------------------------------------


def _day(text: str) -> dt.date:
    """The day of an RFC 3339 date-time, in its own offset (Vietnam's: the record's day)."""
    moment = dt.datetime.fromisoformat(text)
    assert moment.utcoffset() == dt.timedelta(hours=7), text
    return moment.date()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_atom_feeds_parse_and_carry_the_records_dates(site, lang):
    raw = (site / f"feeds/atom/{lang}.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == f"{SITE_URL}feeds/atom/{lang}.xml"
    assert any(link.rel == "self" for link in feed.feed.links)
    entries = feed.entries
    assert entries and len(entries) <= int((FEEDS.get("atom") or {}).get("entries", 100))
    # the newest changes, newest first
    newest = sorted(RECORDS.values(), key=lambda r: (r.modified, r.id), reverse=True)
    assert [e.link for e in entries] == [
        f"{SITE_URL}{prefix(lang)}products/{r.id}/" for r in newest[: len(entries)]]
    ids = [e.id for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        record = RECORDS[site_path(entry.link).rstrip("/").rsplit("/", 1)[-1]]
        assert entry.id.startswith(f"{SITE_URL}q/") and entry.id.endswith(f"/#{lang}")
        assert resolves(site, entry.id.split("#")[0]), entry.id
        assert entry.title == (record.name(lang) or record.name("vi"))
        assert _day(entry.updated) == record.modified, (record.id, entry.updated)
        assert _day(entry.published) == record.published, (record.id, entry.published)
        assert entry.get("author"), record.id
        assert resolves(site, entry.link)
    assert feed.feed.updated.startswith(max(r.modified for r in RECORDS.values()).isoformat())
    # the build's clock appears nowhere: no date after the build day
    for day in re.findall(rb"<(?:updated|published)>(\d{4}-\d{2}-\d{2})", raw):
        assert dt.date.fromisoformat(day.decode()) <= BUILD_DAY


# --------------------------------------------------------------------------
# Display points: JSON Feeds and kiosk pages
# --------------------------------------------------------------------------


def _shown_at(point_id: str) -> list[Record]:
    return [r for r in RECORDS.values() if point_id in (r.data.get("sales_points") or [])
            and r.status() in ("valid", "expiring")]


def test_sales_point_json_feeds_validate_and_list_the_products_sold_there(site):
    schema = json.loads((site / "feeds/sales-points/schema.json").read_text(encoding="utf-8"))
    validator = _validator(schema)
    problems = []
    for point in SALES_POINTS:
        for lang in LANGUAGES:
            rel = f"feeds/sales-points/{point['id']}/{lang}.json"
            items, url = [], f"{SITE_URL}{rel}"
            while url:
                feed = json.loads((site / site_path(url)).read_text(encoding="utf-8"))
                for error in validator.iter_errors(feed):
                    problems.append(f"{url}: {list(error.path)}: {error.message}")
                if feed["feed_url"] != url:
                    problems.append(f"{url}: feed_url {feed['feed_url']}")
                items += feed["items"]
                url = feed.get("next_url")
            if feed["_ocop"]["about"] != f"{SITE_URL}feeds/sales-points/schema.json":
                problems.append(f"{rel}: _ocop.about")
            shown = _shown_at(point["id"])
            if sorted(i["_ocop"]["id"] for i in items) != sorted(r.id for r in shown):
                problems.append(f"{rel}: items {[i['_ocop']['id'] for i in items]}")
            for item in items:
                record = RECORDS[item["_ocop"]["id"]]
                ocop = item["_ocop"]
                wanted = {"stars": record.cert["stars"], "status": record.status(),
                          "valid_until": record.valid_until.isoformat()}
                for key, value in wanted.items():
                    if ocop[key] != value:
                        problems.append(f"{rel} {record.id}: _ocop.{key} = {ocop[key]!r}")
                for link in (item["url"], item["image"], ocop["qr_svg"], ocop["short_url"]):
                    if not resolves(site, link):
                        problems.append(f"{rel} {record.id}: {link} missing")
                if item["date_modified"][:10] != record.modified.isoformat():
                    problems.append(f"{rel} {record.id}: date_modified {item['date_modified']}")
    assert not problems, "\n".join(problems[:40])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_kiosk_pages(site):
    kiosk = FEEDS.get("kiosk") or {}
    worker = (site / "kiosk/sw.js").read_text(encoding="utf-8")
    assert "addEventListener(\"fetch\"" in worker
    for point in SALES_POINTS:
        rel = f"kiosk/{point['id']}/index.html"
        parser = _Tags()
        parser.feed((site / rel).read_text(encoding="utf-8"))
        tags = parser.tags
        html = next(a for t, a in tags if t == "html")
        assert html["lang"] == (kiosk.get("languages") or ["vi"])[0]
        metas = {a.get("name"): a.get("content") for t, a in tags if t == "meta"}
        # a display page is not a page of its own for search engines or shared links: it
        # names the sales point's page (in its first language), which is in the sitemap
        assert "robots" not in metas
        point_page = prefix(html["lang"]) + f"sales-points/{point['id']}/"
        canonical = [a["href"] for t, a in tags if t == "link" and a.get("rel") == "canonical"]
        assert canonical == [SITE_URL + point_page], (rel, canonical)
        assert (site / point_page / "index.html").is_file(), point_page
        assert not [a for t, a in tags if t == "link" and a.get("hreflang")], rel
        og_url = [a["content"] for t, a in tags if t == "meta" and a.get("property") == "og:url"]
        assert og_url == canonical
        main = next(a for t, a in tags if t == "main")
        slides = [a for t, a in tags if t == "li" and "data-slide" in a]
        shown = sorted(_shown_at(point["id"]), key=lambda r: -r.cert["stars"])
        limit = int(kiosk.get("max_slides", 60))
        assert sorted(s["id"][len("slide-"):] for s in slides) == sorted(
            r.id for r in shown[:limit]), rel
        version = json.loads((site / f"kiosk/{point['id']}/version.json").read_text())
        assert version["version"] == main["data-version"]
        assert (site / "kiosk" / point["id"] / main["data-version-url"]).resolve() == (
            site / f"kiosk/{point['id']}/version.json").resolve()
        assert (site / "kiosk" / point["id"] / main["data-sw"]).resolve() == (
            site / "kiosk/sw.js").resolve()
        assert (site / "kiosk" / point["id"] / main["data-scope"]).resolve() == (
            site / "kiosk").resolve()
        images = [a["src"] for t, a in tags if t == "img"]
        assert len(images) == 2 * len(slides)  # photo and QR code of every slide
        for src in images:
            assert (site / "kiosk" / point["id"] / src).resolve().is_file(), (rel, src)
        assert any(src.endswith(".svg") and "/qr/" in src for src in images) or not slides


# --------------------------------------------------------------------------
# Export profiles
# --------------------------------------------------------------------------


def test_example_export_profile(site):
    profiles = FEEDS.get("exports") or []
    assert profiles, "site_config.yml ships no example export profile"
    profile = profiles[0]
    raw = (site / "feeds/exports" / profile["file"]).read_bytes()
    if profile.get("bom"):
        assert raw.startswith(b"\xef\xbb\xbf")
        raw = raw[3:]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert header == list(profile["columns"])
    expected = sorted(pid for pid, r in RECORDS.items() if not r.is_service and r.price
                      and r.status() in ("valid", "expiring"))
    columns = {name: i for i, name in enumerate(header)}

    def column_of(field: str) -> int:
        for name, spec in profile["columns"].items():
            if spec == field or (isinstance(spec, dict) and spec.get("field") == field):
                return columns[name]
        raise AssertionError(f"the example profile has no column for {field}")

    ids = [row[column_of("id")] for row in body]
    assert sorted(ids) == expected
    for row in body:
        record = RECORDS[row[column_of("id")]]
        assert len(row) == len(header)
        assert row[column_of("price.amount")] == str(record.price)
        assert row[column_of("certification.stars")] == str(record.cert["stars"])
        assert row[column_of("certification.valid_until")] == record.valid_until.isoformat()
        assert row[column_of("gtin")] == str(record.data.get("gtin") or "")
        name = row[column_of("name")]
        assert name == record.name(profile.get("language", "vi"))[:120]
        availability = next(spec for spec in profile["columns"].values()
                            if isinstance(spec, dict) and spec.get("field") == "availability")
        assert row[column_of("availability")] == availability["map"].get(
            record.availability, record.availability)
        cover = row[column_of("photos[0].square")]
        assert resolves(site, cover) and min(image_size(site / site_path(cover))[1:]) >= 500
        assert row[column_of("producer.name")] == _text(record.producer["name"], "vi")
        assert row[column_of("url")] == f"{SITE_URL}products/{record.id}/"
        for spec_name, spec in profile["columns"].items():
            if isinstance(spec, dict) and "value" in spec:
                assert row[columns[spec_name]] == str(spec["value"])
        description = next(spec for spec in profile["columns"].values()
                           if isinstance(spec, dict) and spec.get("field") == "description")
        text = row[column_of("description")]
        assert len(text) <= description.get("max_length", 10**9)
        assert "**" not in text and "](" not in text and "\n" not in text


def test_export_fields_are_checked_with_messages_that_name_the_option():
    def profile(columns):
        return {"exports": [{"name": "x", "file": "x.csv", "columns": columns}]}

    languages = ("vi", "en", "zh")
    check_options(profile({"A": "name", "B": "photos[0].square", "C": "producer.name.en",
                           "D": {"field": "category.path", "join": " > "},
                           "E": "photos.square", "F": {"value": "OCOP"}}), languages)
    cases = {
        "price.amout": ('feeds.exports[0].columns["Giá"]', "'amout'", "amount"),
        "producer.nme": ('feeds.exports[0].columns["Giá"]', "'nme'", "name"),
        "price": ('feeds.exports[0].columns["Giá"]', "is an object", "amount"),
        "price[0]": ('feeds.exports[0].columns["Giá"]', "not a list", ""),
        "__import__('os')": ('feeds.exports[0].columns["Giá"]', "not a field name", ""),
    }
    for field, (where, what, hint) in cases.items():
        with pytest.raises(FeedOptionError) as caught:
            check_options(profile({"Giá": field}), languages)
        message = str(caught.value)
        assert where in message and what in message and hint in message, message
    for options, where in (({"include_expired": "yes"}, "feeds.include_expired"),
                           ({"kiosk": {"secnds": 3}}, "feeds.kiosk.secnds"),
                           ({"google": {"languages": ["fr"]}}, "feeds.google.languages"),
                           ({"exports": [{"name": "x", "file": "../x.csv",
                                          "columns": {"A": "id"}}]}, "feeds.exports[0].file"),
                           ({"exports": [{"name": "x", "file": "x.csv",
                                          "columns": {"A": {"field": "id", "value": "1"}}}]},
                            'feeds.exports[0].columns["A"]')):
        with pytest.raises(FeedOptionError, match=re.escape(where)):
            check_options(options, languages)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def test_markdown_becomes_plain_text():
    source = ("## Cách dùng\n\nPha **3 thìa** bột với _nước ấm_ — xem "
              "[trang của HTX](https://example.com/a_b).\n\n- Một\n- Hai\n\n1. Ba\n"
              "> Trích `mã` \\*không\\* in đậm & ![ảnh](x.jpg)")
    assert markdown_to_text(source) == ("Cách dùng Pha 3 thìa bột với nước ấm — xem trang của "
                                        "HTX. Một Hai Ba Trích mã *không* in đậm & ảnh")
    assert markdown_to_text("snake_case_name và 2*3*4") == "snake_case_name và 2*3*4"


def test_long_ids_and_texts_are_cut_safely():
    long_id = "a" * 64
    short = feed_id(long_id)
    assert len(short) == 50 and short == feed_id(long_id) and short != feed_id("a" * 63 + "b")
    assert feed_id("mat-ong") == "mat-ong"
    text = "Mật ong " * 40
    cut = clip(text.strip(), 150)
    assert len(cut) <= 150 and not cut.endswith(" ") and text.startswith(cut)
    assert clip("x" * 300, 100, ellipsis=True).endswith("…")


# --------------------------------------------------------------------------
# Determinism and options that change the build
# --------------------------------------------------------------------------


def _feed_files(site: Path) -> dict[str, bytes]:
    files = {}
    for folder in ("feeds", "kiosk"):
        for path in sorted((site / folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(site).as_posix()] = path.read_bytes()
    return files


def test_two_builds_write_byte_identical_feeds(site, sample_site_again):
    second = sample_site_again
    first, again = _feed_files(site), _feed_files(second)
    assert sorted(first) == sorted(again)
    differ = sorted(name for name in first if first[name] != again[name])
    assert not differ, f"different content: {differ}"


def test_include_expired_puts_expired_and_revoked_products_back(tmp_path):
    repo = copy_repository(tmp_path / "repo", ("htx-nhan-ly", "bo-sua-tam-dao",
                                                 "du-lich-dai-dinh"))
    # the revoked milk is also discontinued: make it an ordinary product for this test
    _edit(repo / "products/bo-sua-tam-dao/sua-tuoi-tam-dao/product.yml",
          "availability: discontinued", "availability: in_stock")
    small = records(repo)
    expired = sorted(pid for pid, r in small.items() if r.status() == "expired")
    revoked = sorted(pid for pid, r in small.items() if r.status() == "revoked")
    assert expired and revoked, (expired, revoked)

    def google_ids(site_dir: Path) -> set[str]:
        return {i.findtext(f"{G}id") for i in google_items(site_dir, "vi")}

    default = tmp_path / "default"
    build_ok(repo, default)
    ids = google_ids(default)
    assert ids and not ids & {*expired, *revoked}
    assert ids == {pid for pid, r in small.items() if r.in_marketplace_feed("vi", google=True)}
    meta = (default / "feeds/meta/vi.csv").read_text(encoding="utf-8")
    assert not any(f'"{pid}"' in meta for pid in [*expired, *revoked])

    _edit(repo / "site_config.yml", "include_expired: false", "include_expired: true")
    everything = tmp_path / "everything"
    build_ok(repo, everything)
    ids = google_ids(everything)
    assert {*expired, *revoked} <= ids
    assert ids == {pid for pid, r in small.items()
                   if r.in_marketplace_feed("vi", google=True, include_expired=True)}
    labels = {i.findtext(f"{G}id"): i.findtext(f"{G}custom_label_1")
              for i in google_items(everything, "vi")}
    assert all(labels[pid] == "certificate-expired" for pid in expired)
    assert all(labels[pid] == "certificate-revoked" for pid in revoked)
    services = {pid for pid, r in small.items() if r.is_service}
    assert services and not ids & services, "services stay out even with include_expired"


def test_a_wrong_export_field_stops_the_build_with_its_name(tmp_path):
    repo = copy_repository(tmp_path / "repo", ("htx-nhan-ly",))
    _edit(repo / "site_config.yml", '"Giá (VND)": price.amount', '"Giá (VND)": price.amout')
    result = run_build(repo, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'feeds.exports[0].columns["Giá (VND)"]' in output, output[-3000:]
    assert "amout" in output and "amount" in output


@pytest.mark.parametrize("source", [
    "Mật ong &lt;script&gt;alert(1)&lt;/script&gt; rừng",
    "Mật ong &lt;img src=x onerror=alert(1)&gt; rừng",
    "Mật ong &lt;scr&lt;b&gt;ipt&gt;alert(1)&lt;/script&gt; rừng",
    "Mật ong &#60;!-- x --&#62; rừng",
])
def test_feed_text_never_becomes_markup(source):
    """Entities in a description are decoded for plain-text feeds (Meta, Google), but what
    they spell must not reach a marketplace as a tag."""
    text = markdown_to_text(source)
    assert "<" not in text.replace("< ", "") and text.startswith("Mật ong"), text
    assert markdown_to_text("a &lt; b &amp; c") == "a < b & c"


def test_open_data_counts_agree_with_each_products_reason_to_be_left_out(tmp_path):
    """The open data page counts a marketplace feed's products without asking every product
    its reason in every language (``listed_count``); the count is the products that
    ``skip_reason`` (what the feeds themselves decide by) leaves in, for every language,
    with and without expired certificates, with and without Google's need of a date."""
    from ocop_catalog.edition import EditionConfig, publish
    from ocop_catalog.edition.images import MediaOptions
    from ocop_catalog.outputs.feeds.data import feed_context
    from ocop_catalog.outputs.feeds.marketplace import listed_count, skip_reason
    from ocop_catalog.records.loader import load_catalog
    from ocop_catalog.settings import load_settings

    catalog = load_catalog(load_settings(REPO, today=BUILD_DAY)).catalog
    # photos matter only as being there: processed as small as can be
    small = MediaOptions(widths=(64,), square=500)
    edition = publish(catalog, EditionConfig(site_url=SITE_URL, root=REPO, media=small),
                      cache_dir=tmp_path, info=lambda _: None, symbols=False)
    ctx = feed_context(edition)
    reasons = set()
    for lang in edition.languages:
        for include_expired in (False, True):
            for needs_date in (True, False):
                found = [skip_reason(ctx, p, lang, include_expired, needs_date=needs_date)
                         for p in catalog.products.values()]
                reasons.update(r.split()[0] for r in found if r)
                assert listed_count(ctx, lang, include_expired, needs_date=needs_date) \
                    == found.count(None), (lang, include_expired, needs_date)
    # the sample leaves products out for every kind of reason, so each test is exercised
    assert {"expired", "revoked", "services", "not", "preorder"} <= reasons, reasons
