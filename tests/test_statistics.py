"""The statistics page (``statistics/`` in every language) and the home page's counts.

Every number the page shows is recomputed here from the sample's records alone (the
YAML of products, producers, regions, sales points, the register of decisions and the
taxonomy files, read with ``yaml`` and dates), never through the code that drew the
page, and compared with the page's tables; every bar of every chart is checked against
its table (its length proportional to the number); the SVG is well-formed, with a title
and a text alternative; progress against the ``targets:`` of site_config.yml is
recomputed from the register; the page fits a 360 px phone in Chromium.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import lxml.html
import pytest
import yaml
from siteutil import BUILD_EPOCH, OPTIONS, REPO, decisions

from ocop_catalog.edition.targets import TargetsError, parse_targets

TODAY = dt.datetime.fromtimestamp(BUILD_EPOCH, dt.timezone.utc).date()
WARNING_DAYS = OPTIONS.get("expiry_warning_days", 180)
LANGS = OPTIONS.get("languages", ["vi", "en", "zh"])
TAXONOMY = REPO / "generator" / "ocop_catalog" / "catalog" / "taxonomy"
FILES = {"1048/2019": "qd1048-2019.yml", "148/2023": "qd148-2023.yml",
         "26/2026": "qd26-2026.yml"}
SVG = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------
# The records, read independently
# --------------------------------------------------------------------------


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _taxonomy() -> dict[tuple[str, int], tuple[str, str] | None]:
    """(criteria version, set number) → (sector id, group id) of the 26/2026 set it is
    browsed under, or None."""
    where: dict[str, dict[int, tuple[str, str, int | None]]] = {}
    for version, name in FILES.items():
        sets = {}
        for sector in _load(TAXONOMY / name)["sectors"]:
            for group in sector["groups"]:
                for s in group["sets"]:
                    sets[s["number"]] = (sector["id"], group["id"], s.get("maps_to"))
        where[version] = sets
    return {(version, number): (None if maps is None else where["26/2026"][maps][:2])
            for version, sets in where.items() for number, (_, _, maps) in sets.items()}


class Records:
    """What the office would count by hand from the files."""

    def __init__(self) -> None:
        self.producers = {}
        self.products = {}
        for path in sorted((REPO / "products").glob("*/producer.yml")):
            self.producers[path.parent.name] = _load(path)
        for path in sorted((REPO / "products").glob("*/*/product.yml")):
            record = _load(path)
            record["producer"] = path.parent.parent.name
            self.products[record["id"]] = record
        self.regions = _load(REPO / "catalog" / "regions.yml")
        self.points = _load(REPO / "catalog" / "sales-points.yml")["sales_points"]
        # every decision naming a product: (day it takes effect, kind, decision, item)
        self.events: dict[str, list] = defaultdict(list)
        for path, decision in decisions().items():
            for item in decision.get("recognises") or ():
                self.events[item["product"]].append(
                    (decision["date"], 0, str(path), decision, item))
            for item in decision.get("revokes") or ():
                self.events[item["product"]].append(
                    (item.get("date") or decision["date"], 1, str(path), decision, item))
        for events in self.events.values():
            events.sort(key=lambda e: e[:3])
        # published: a product record some recognition names
        self.published = sorted(pid for pid in self.products
                                if any(kind == 0 for _, kind, *_ in self.events.get(pid, ())))
        self.category = _taxonomy()

    def status(self, pid: str) -> str:
        recognition, revoked = None, None
        for day, kind, _, decision, item in self.events[pid]:
            if kind == 0:
                recognition, revoked = (decision, item), None
            elif recognition is not None:
                revoked = day
        decision, item = recognition
        if revoked is not None and revoked <= TODAY:
            return "revoked"
        until = self.valid_until(pid)
        if until < TODAY:
            return "expired"
        return "expiring" if (until - TODAY).days <= WARNING_DAYS else "valid"

    def latest(self, pid: str):
        return [(d, i) for _, kind, _, d, i in self.events[pid] if kind == 0][-1]

    def stars(self, pid: str) -> int:
        return self.latest(pid)[1]["stars"]

    def valid_until(self, pid: str) -> dt.date:
        decision, item = self.latest(pid)
        until = item.get("valid_until") or decision.get("valid_until")
        start = item.get("valid_from") or decision.get("valid_from") or decision["date"]
        return until or _add_months(start, 36)

    def active(self, pid: str) -> bool:
        return self.status(pid) in ("valid", "expiring")

    def browse(self, pid: str) -> tuple[str, str] | None:
        c = self.products[pid]["category"]
        return self.category[(c["criteria_version"], c["criteria_set"])]

    def districts(self, pid: str) -> list[str]:
        code = self.products[pid]["origin"]["commune"]
        commune = next(c for c in self.regions["communes"] if c["code"] == code)
        return list(commune.get("legacy_districts") or [""])

    def recognitions(self) -> list[tuple[dt.date, str, int, bool, str | None]]:
        """(date, product, stars, new, evaluation) of every recognition of a published
        product: new when the register says 'first', or says nothing and it is the
        product's first recognition."""
        found = []
        for pid in self.published:
            first = True
            for day, kind, _, decision, item in self.events[pid]:
                if kind:
                    continue
                evaluation = item.get("evaluation")
                found.append((day, pid, item["stars"],
                              evaluation == "first" if evaluation else first, evaluation))
                first = False
        return sorted(found, key=lambda r: (r[0], r[1]))


@pytest.fixture(scope="module")
def records() -> Records:
    return Records()


# --------------------------------------------------------------------------
# The page, as a reader (or a screen reader) gets it
# --------------------------------------------------------------------------


def _page(site: Path, lang: str = "vi"):
    prefix = "" if lang == "vi" else f"{lang}/"
    return lxml.html.parse(str(site / prefix / "statistics" / "index.html")).getroot()


def _number(text: str) -> int:
    digits = re.sub(r"\D", "", text)
    assert digits, f"no number in {text!r}"
    return int(digits)


def _table(page, chart: str) -> dict[str, list[int]]:
    """The numbers of each row of the table below a chart, by the row's key."""
    tables = page.xpath(f"//table[@data-chart='{chart}']")
    assert len(tables) == 1, chart
    return {row.get("data-key"): [_number(td.text_content()) for td in row.xpath("td")
                                  if not td.xpath(".//ul")]
            for row in tables[0].xpath("tbody/tr")}


def _counted(pairs) -> dict[str, list[int]]:
    return {key: list(values) for key, values in pairs}


def test_every_number_is_the_records(sample_site, records):
    r = records
    pub = r.published
    page = _page(sample_site)
    summary = {dd.get("data-key"): _number(dd.text_content())
               for dd in page.xpath("//dl[@class='stats-summary']//dd")}
    producers = {r.products[p]["producer"] for p in pub}
    assert summary == {"products": len(pub), "active": sum(map(r.active, pub)),
                       "producers": len(producers), "sales_points": len(r.points)}

    states = Counter(r.status(p) for p in pub)
    assert _table(page, "chart-state") == {s: [states[s]] for s in
                                           ("valid", "expiring", "expired", "revoked")}

    def by(key_of) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for p in pub:
            for key in key_of(p):
                row = found.setdefault(key, [0, 0])
                row[0] += 1
                row[1] += r.active(p)
        return found

    stars = by(lambda p: [str(r.stars(p))])
    assert _table(page, "chart-stars") == {str(n): stars.get(str(n), [0, 0]) for n in (3, 4, 5)}
    assert _table(page, "chart-sector") == by(lambda p: [r.browse(p)[0]] if r.browse(p) else [])
    assert _table(page, "chart-group") == by(lambda p: [r.browse(p)[1]] if r.browse(p) else [])
    assert _table(page, "chart-district") == by(r.districts)
    assert _table(page, "chart-commune") == by(lambda p: [r.products[p]["origin"]["commune"]])
    # the commune chart: most products first
    communes = list(_table(page, "chart-commune").values())
    assert communes == sorted(communes, key=lambda v: -v[0])

    types = by(lambda p: [r.producers[r.products[p]["producer"]]["type"]])
    type_producers = Counter(r.producers[q]["type"] for q in producers)
    assert _table(page, "chart-type") == {
        t: [type_producers[t], *types.get(t, [0, 0])] for t in ("HTX", "DN", "THT", "HKD")}

    years: dict[str, list[int]] = {}
    for day, _, _, new, _ in r.recognitions():
        if day <= TODAY:
            row = years.setdefault(str(day.year), [0, 0, 0])
            row[0 if new else 1] += 1
            row[2] += 1
    assert _table(page, "chart-year") == years
    assert sum(v[0] for v in years.values()) > 0 and sum(v[1] for v in years.values()) > 0

    points = {pt["id"]: [sum(1 for p in pub if pt["id"] in r.products[p].get("sales_points", ())),
                         sum(1 for p in pub if pt["id"] in r.products[p].get("sales_points", ())
                             and r.active(p))] for pt in r.points}
    assert _table(page, "chart-point") == points

    limit = _add_months(TODAY, 12)
    months: dict[str, list[str]] = defaultdict(list)
    for p in pub:
        if r.active(p) and TODAY <= r.valid_until(p) <= limit:
            months[r.valid_until(p).strftime("%Y-%m")].append(p)
    assert _table(page, "chart-expiry") == {m: [len(ps)] for m, ps in sorted(months.items())}
    listed = {row.get("data-key"): sorted(li.get("data-product") for li in row.xpath(".//li"))
              for row in page.xpath("//table[@data-chart='chart-expiry']/tbody/tr")}
    assert listed == {m: sorted(ps) for m, ps in months.items()}


def test_progress_against_the_targets_of_the_configuration(sample_site, records):
    r = records
    targets = OPTIONS["targets"]
    assert targets, "the sample shows targets"
    recognised = [x for x in r.recognitions() if x[0] <= TODAY]
    first_new = {}
    for day, pid, _, new, _ in recognised:
        if new:
            first_new.setdefault(pid, day)

    def reaching(stars: int) -> dict[str, dt.date]:
        found: dict[str, dt.date | None] = {}
        for day, pid, n, _, evaluation in recognised:
            if n >= stars and pid not in found:
                found[pid] = None if evaluation == "re_rating" else day
        return {k: v for k, v in found.items() if v}

    earliest: dict[str, tuple] = {}
    for day, pid, _, new, _ in recognised:
        earliest.setdefault(r.products[pid]["producer"], (day, new))
    for lang in LANGS:
        page = _page(sample_site, lang)
        sections = page.xpath("//section[@data-target]")
        assert len(sections) == len(targets)
        for index, target in enumerate(targets):
            start = target.get("from", target.get("year"))
            end = target.get("to", target.get("year"))

            def within(days) -> int:
                return sum(1 for d in days if start <= d.year <= end)

            achieved = {
                "products_3_stars": within(first_new.values()),
                "products_4_stars": within(reaching(4).values()),
                "products_5_stars": within(reaching(5).values()),
                "producers": within(d for d, new in earliest.values() if new),
                "sales_points": len(r.points),
            }
            expected = {key: [n, achieved[key], round(100 * achieved[key] / n)]
                        for key, n in target.items() if key in achieved}
            assert _table(page, f"chart-target-{index}") == expected, (lang, index)
            if lang == "vi":
                assert target["name"]["vi"] in sections[index].text_content()
    # the sample's numbers make a real comparison: some indicator reached, some not
    percents = [row[2] for row in _table(_page(sample_site), "chart-target-0").values()]
    assert min(percents) < 100 <= max(percents)


def _svg(figure_svg) -> ET.Element:
    """A chart's SVG as an XML parser reads it (well-formed, or this fails)."""
    return ET.fromstring(lxml.html.tostring(figure_svg, encoding="unicode"))


@pytest.mark.parametrize("lang", LANGS)
def test_each_bar_is_as_long_as_its_number(sample_site, lang):
    page = _page(sample_site, lang)
    svgs = page.xpath("//svg[@role='img']")
    tables = page.xpath("//table[@data-chart]")
    assert len(svgs) == len(tables) >= 10
    for svg_node in svgs:
        chart = svg_node.get("aria-labelledby").split()[0].removesuffix("-title")
        svg = _svg(svg_node)
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text.strip() and desc.text.strip()
        table = page.xpath(f"//table[@data-chart='{chart}']")[0]
        rows = {tr.get("data-key"): tr for tr in table.xpath("tbody/tr")}
        groups = svg.findall(f"{SVG}g")
        assert [g.get("data-key") for g in groups] == list(rows), chart
        ratios = []
        for g in groups:
            cells = [_number(td.text_content()) for td in rows[g.get("data-key")].xpath("td")]
            label = rows[g.get("data-key")].xpath("th")[0].text_content().split("(")[0].strip()
            assert label[:20].rstrip("…") in desc.text, (chart, label)  # the alternative
            bars = [rect for rect in g.findall(f"{SVG}rect") if "bar" in rect.get("class")]
            track = [rect for rect in g.findall(f"{SVG}rect")
                     if rect.get("class") == "chart-track"]
            if chart.startswith("chart-target"):  # target, achieved, percent
                target, achieved = cells[0], cells[1]
                full = float(track[0].get("width"))
                assert float(bars[0].get("width")) == pytest.approx(
                    full * min(achieved / target, 1), abs=0.02), (chart, g.get("data-key"))
                continue
            # the parts of a stacked bar (new, re-rated) follow the table's columns
            values = cells[:len(bars)] if len(bars) > 1 else \
                [cells[0] if chart != "chart-type" else cells[1]]
            x = 0.0
            for rect, value in zip(bars, values):
                width = float(rect.get("width"))
                assert float(rect.get("x")) == pytest.approx(x, abs=0.02)
                x += width
                if value:
                    ratios.append(width / value)
                else:
                    assert width == 0
        if ratios:
            assert max(ratios) - min(ratios) < 0.01 * max(ratios), (chart, ratios)
            assert max(ratios) > 0


def test_the_page_is_the_same_on_every_build(sample_site, sample_site_again):
    for lang in LANGS:
        prefix = "" if lang == "vi" else f"{lang}/"
        first = (sample_site / prefix / "statistics" / "index.html").read_bytes()
        assert first == (sample_site_again / prefix / "statistics" / "index.html").read_bytes()


def test_the_page_is_in_the_menu_and_loads_nothing_from_elsewhere(sample_site):
    for lang in LANGS:
        page = _page(sample_site, lang)
        assert page.xpath("//nav[@class='menu']//a[contains(@href, 'statistics/')]")
        assert not page.xpath("//script[not(@type='application/ld+json')][not(@src)]"
                              "[contains(., 'svg')]")
        for node in page.xpath("//svg//*[@href or @src]"):
            raise AssertionError(f"a chart refers to {lxml.html.tostring(node)!r}")


def test_home_page_says_how_many_certificates_are_valid(sample_site, records):
    r = records
    counts = lxml.html.parse(str(sample_site / "index.html")).getroot().xpath(
        "//p[@class='counts']")[0].text_content()
    active = sum(map(r.active, r.published))
    assert active < len(r.published)  # the sample has expired and revoked ones
    assert f"{len(r.published)} sản phẩm OCOP, {active} còn hiệu lực" in counts
    en = lxml.html.parse(str(sample_site / "en" / "index.html")).getroot().xpath(
        "//p[@class='counts']")[0].text_content()
    assert f"{len(r.published)} OCOP products, {active} with a valid certificate" in en


def test_the_page_fits_a_360_px_phone(browser, sample_base_url):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        for lang in LANGS:
            prefix = "" if lang == "vi" else f"{lang}/"
            page.goto(f"{sample_base_url.rstrip('/')}/{prefix}statistics/")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{lang}: the page is {width} px wide"
            # the charts are drawn at a readable size: a bar label at least 12 px high
            size = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
                '.chart-label')].map(e => e.getBoundingClientRect().height))""")
            assert size >= 12, f"{lang}: chart labels {size} px high"
            assert page.locator("svg[role=img]").first.is_visible()
    finally:
        page.close()


# --------------------------------------------------------------------------
# The targets: option
# --------------------------------------------------------------------------


def test_targets_are_read_from_the_configuration():
    (plan, year) = parse_targets([
        {"name": {"vi": "Kế hoạch", "en": "Plan"}, "from": 2021, "to": 2025,
         "products_3_stars": 70, "producers": 15},
        {"year": 2026, "sales_points": 12}], ("vi", "en", "zh"))
    assert (plan.start, plan.end, dict(plan.numbers)) == (2021, 2025, {
        "products_3_stars": 70, "producers": 15})
    assert plan.name_in("zh") == "Kế hoạch" and plan.name_in("en") == "Plan"
    assert (year.start, year.end, dict(year.numbers)) == (2026, 2026, {"sales_points": 12})
    assert parse_targets(None) == ()


@pytest.mark.parametrize("value, where, words", [
    ({"from": 2021}, "targets", "danh sách"),
    ([{"from": 2025, "to": 2021, "producers": 1}], "targets[0].to", "trước năm bắt đầu"),
    ([{"year": 2026}], "targets[0]", "chưa có chỉ tiêu"),
    ([{"year": 2026, "producer": 3}], "targets[0].producer", "khóa không có"),
    ([{"year": 2026, "producers": -1}], "targets[0].producers", "số nguyên dương"),
    ([{"year": 2026, "producers": "10"}], "targets[0].producers", "số nguyên dương"),
    ([{"year": "2026", "producers": 1}], "targets[0].year", "cần một năm"),
    ([{"year": 2026, "from": 2025, "to": 2026, "producers": 1}], "targets[0]", "cả hai"),
    ([{"producers": 1}], "targets[0]", "thiếu năm"),
    ([{"year": 2026, "producers": 1, "name": {"en": "x"}}], "targets[0].name", "tiếng Việt"),
])
def test_a_wrong_target_says_where_and_how_to_fix_it_in_both_languages(value, where, words):
    with pytest.raises(TargetsError) as caught:
        parse_targets(value)
    vi, en = str(caught.value).split("\n")
    assert vi.startswith(f"{where}: ") and words in vi
    assert en.strip().startswith(f"{where}: ") and "docs/configuration.md" in en
    assert not re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", en)


def test_a_build_with_a_wrong_target_stops_with_the_message(tmp_path):
    from siteutil import build_scratch_with

    result = build_scratch_with(tmp_path, "      targets:\n        - {from: 2025, to: 2021, "
                                          "producers: 3}\n")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "targets[0].to" in output and "Traceback" not in output
