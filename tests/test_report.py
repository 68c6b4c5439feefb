"""``ocop report``: the OCOP office's workbook and CSV files, as the office opens them.

The workbook is read back with openpyxl, the CSV files with Python's csv module, and
both are checked against numbers recomputed here from the sample's YAML (products,
producers, regions and the register of decisions), never from the code that wrote
them. One check opens the workbook in LibreOffice (skipped when it is not installed).
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest
import yaml
from ocop_catalog import cli
from scratch import GOODS_FILE, PRODUCER_FILE, build_catalog
from scratch import TODAY as SCRATCH_TODAY
from siteutil import REPO

DAY = dt.date(2026, 11, 29)  # the sample's build day
LATER = dt.date(2027, 6, 1)
SHEETS = ("summary", "products", "expiring", "revocations", "areas")
STATE_VI = {"valid": "Còn hiệu lực", "expiring": "Sắp hết hạn", "expired": "Đã hết hạn",
            "revoked": "Đã bị thu hồi"}
STATE_EN = {"valid": "Valid", "expiring": "Expiring", "expired": "Expired",
            "revoked": "Revoked"}
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


# --------------------------------------------------------------------------
# Running the command
# --------------------------------------------------------------------------


def run_report(root: Path, *args: str) -> tuple[int, str, str]:
    """``ocop report ARGS`` in the catalog at ``root``: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        mp.chdir(root)
        try:
            status = cli.main(["report", *args])
        except SystemExit as exc:  # usage errors
            status = exc.code
    return status, out.getvalue(), err.getvalue()


class Report:
    def __init__(self, folder: Path, day: dt.date, lang: str, stdout: str) -> None:
        self.folder, self.day, self.lang, self.stdout = folder, day, lang, stdout
        stem = f"ocop-report-{day.isoformat()}-{lang}"
        self.xlsx = folder / f"{stem}.xlsx"
        self.csv = {key: folder / f"{stem}-{key}.csv" for key in SHEETS}
        self.book = openpyxl.load_workbook(self.xlsx)

    def sheet(self, key: str):
        return self.book.worksheets[SHEETS.index(key)]

    def rows(self, key: str) -> list[dict]:
        """The sheet's rows as {header: value}."""
        ws = self.sheet(key)
        values = list(ws.iter_rows(values_only=True))
        headers = values[0]
        return [dict(zip(headers, row)) for row in values[1:]]


def report_of(root: Path, out: Path, day: dt.date, lang: str = "vi") -> Report:
    status, stdout, stderr = run_report(root, "--out", str(out), "--date", day.isoformat(),
                                        "--lang", lang)
    assert status == 0, stdout + stderr
    return Report(out, day, lang, stdout)


@pytest.fixture(scope="module")
def vi(tmp_path_factory) -> Report:
    return report_of(REPO, tmp_path_factory.mktemp("report") / "vi", DAY)


@pytest.fixture(scope="module")
def records() -> Records:
    return Records(REPO)


# --------------------------------------------------------------------------
# The records, read independently of the package
# --------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class Records:
    """The sample's records as plain YAML, and what they say on a day."""

    def __init__(self, root: Path) -> None:
        self.producers = {p.parent.name: load(p) for p in root.glob("products/*/producer.yml")}
        self.products = {}
        self.producer_of = {}
        for path in root.glob("products/*/*/product.yml"):
            self.products[path.parent.name] = load(path)
            self.producer_of[path.parent.name] = path.parent.parent.name
        regions = load(root / "catalog/regions.yml")
        self.communes = {c["code"]: c for c in regions["communes"]}
        self.districts = {d["id"]: d for d in regions["legacy_districts"]}
        self.district_order = [d["id"] for d in regions["legacy_districts"]]
        events = defaultdict(list)
        for path in sorted((root / "catalog/decisions").glob("*.yml")):
            decision = load(path)
            for item in decision.get("recognises") or ():
                events[item["product"]].append((decision["date"], 0, decision, item))
            for item in decision.get("revokes") or ():
                events[item["product"]].append((item.get("date", decision["date"]), 1,
                                                decision, item))
        self.certificate = {}
        for product in self.products:
            recognition, revocation = None, None
            for day, kind, decision, item in sorted(events[product], key=lambda e: e[:2]):
                if kind == 0:
                    recognition, revocation = (decision, item), None
                elif revocation is None:
                    revocation = (day, decision, item)
            self.certificate[product] = (recognition, revocation)
        options = next(e["ocop"] for e in load(root / "site_config.yml")["plugins"]
                       if isinstance(e, dict) and "ocop" in e)
        self.warning_days = options.get("expiry_warning_days", 180)
        self.targets = options.get("targets") or []
        self.sales_points = load(root / "catalog/sales-points.yml")["sales_points"]
        #: when each product was first recognised as a new product (evaluation: first)
        self.first_rated = {}
        for product, found in events.items():
            days = [day for day, kind, _, item in found
                    if kind == 0 and item.get("evaluation") == "first"]
            if days and product in self.products:
                self.first_rated[product] = min(days)

    def published(self) -> list[str]:
        return sorted(p for p, (recognition, _) in self.certificate.items() if recognition)

    def valid_until(self, product: str) -> dt.date:
        decision, item = self.certificate[product][0]
        end = item.get("valid_until") or decision.get("valid_until")
        start = item.get("valid_from") or decision.get("valid_from") or decision["date"]
        return end or add_months(start, 36)

    def state(self, product: str, day: dt.date) -> str:
        revocation = self.certificate[product][1]
        if revocation and revocation[0] <= day:
            return "revoked"
        end = self.valid_until(product)
        if end < day:
            return "expired"
        return "expiring" if (end - day).days <= self.warning_days else "valid"

    def district_ids(self, product: str) -> list[str]:
        return self.communes[self.products[product]["origin"]["commune"]]["legacy_districts"]


# --------------------------------------------------------------------------
# The sheets against the records
# --------------------------------------------------------------------------


def test_the_workbook_has_the_five_sheets_with_frozen_headers_and_filters(vi):
    assert [ws.title for ws in vi.book.worksheets] == [
        "Tổng hợp", "Sản phẩm", "Sắp hết hạn", "Thu hồi", "Theo địa bàn"]
    for ws in vi.book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(ws.column_dimensions[letter].width >= 8
                   for letter in "ABCDE"), f"{ws.title}: columns not sized"
        assert all(cell.font.b for cell in ws[1]), f"{ws.title}: header row not bold"


def test_every_product_with_its_certificate_and_state(vi, records):
    rows = {r["Mã sản phẩm"]: r for r in vi.rows("products")}
    assert sorted(rows) == records.published()
    for product, row in rows.items():
        record = records.products[product]
        producer = records.producers[records.producer_of[product]]
        decision, item = records.certificate[product][0]
        commune = records.communes[record["origin"]["commune"]]
        legacy = record["origin"].get("legacy")
        districts = [legacy["district"]] if legacy else records.district_ids(product)
        assert row["Tên sản phẩm"] == record["name"]["vi"]
        assert row["Chủ thể"] == producer["name"]["vi"]
        assert row["Xã, phường"] == commune["name"]["vi"]
        assert row["Huyện cũ"] == "; ".join(records.districts[d]["name"]["vi"]
                                            for d in districts)
        assert row["Số sao"] == item["stars"]
        assert row["Số quyết định"] == decision["number"]
        assert row["Ngày quyết định"].date() == decision["date"]
        assert row["Cơ quan ban hành"] == decision["issuer"]["vi"]
        assert row["Hiệu lực đến"].date() == records.valid_until(product)
        assert row["Trạng thái"] == STATE_VI[records.state(product, DAY)]
        assert row["Bộ tiêu chí (quyết định)"] == record["category"]["criteria_version"]
        assert row["Bộ sản phẩm"] and row["Ngành"]


def expiring_on(records: Records, day: dt.date, months: int) -> list[str]:
    limit = add_months(day, months)
    return sorted(p for p in records.published()
                  if records.state(p, day) in ("valid", "expiring")
                  and day <= records.valid_until(p) <= limit)


def test_expiring_certificates_by_month_with_the_producers_contact(vi, records):
    rows = vi.rows("expiring")
    windows = {m: expiring_on(records, DAY, m) for m in (3, 6, 12)}
    assert windows[3], "the sample should have certificates ending within 3 months"
    assert sorted(r["Mã sản phẩm"] for r in rows) == windows[12]
    months = [r["Tháng hết hạn"] for r in rows]
    assert months == sorted(months), "rows are grouped by the month they end"
    for row in rows:
        product = row["Mã sản phẩm"]
        until = records.valid_until(product)
        assert row["Hiệu lực đến"].date() == until
        assert row["Tháng hết hạn"] == until.strftime("%Y-%m")
        assert row["Trong vòng (tháng)"] == min(m for m, ids in windows.items()
                                                if product in ids)
        contact = records.producers[records.producer_of[product]]["contact"]
        assert row["Điện thoại"] == contact.get("phone")
        assert row["Email"] == contact.get("email")
        assert row["Zalo"] == contact.get("zalo")
        assert row["Trạng thái"] == STATE_VI[records.state(product, DAY)]
    # the command says how many, Vietnamese first, then English
    counts = " / ".join(str(len(windows[m])) for m in (3, 6, 12))
    out = vi.stdout
    assert f"hết hạn trong 3 / 6 / 12 tháng tới: {counts}" in out
    assert f"expiring in the next 3 / 6 / 12 months: {counts}" in out
    assert out.index("Đã ghi báo cáo") < out.index("wrote the report")
    assert str(vi.xlsx.name) in out


def test_revocations_with_decision_date_and_reason(vi, records):
    expected = {p: records.certificate[p][1] for p in records.published()
                if records.state(p, DAY) == "revoked"}
    assert expected, "the sample has a revoked certificate"
    rows = {r["Mã sản phẩm"]: r for r in vi.rows("revocations")}
    assert set(rows) == set(expected)
    for product, (day, decision, item) in expected.items():
        row = rows[product]
        assert row["Số quyết định thu hồi"] == decision["number"]
        assert row["Ngày quyết định thu hồi"].date() == decision["date"]
        assert row["Thu hồi từ ngày"].date() == day
        assert row["Lý do"] == " ".join(item["reason"]["vi"].split())
        assert row["Cơ quan ban hành"] == decision["issuer"]["vi"]


def test_counts_by_area(vi, records):
    products = records.published()
    active = {p for p in products if records.state(p, DAY) in ("valid", "expiring")}
    communes, districts = defaultdict(set), defaultdict(set)
    for p in products:
        communes[records.products[p]["origin"]["commune"]].add(p)
        for d in records.district_ids(p) or [""]:
            districts[d].add(p)
    rows = vi.rows("areas")
    by_commune = {r["Mã"]: r for r in rows if r["Cấp"] == "Xã, phường (hiện nay)"}
    by_district = {r["Mã"]: r for r in rows if r["Cấp"] == "Huyện cũ"}
    assert len(by_commune) + len(by_district) == len(rows)
    assert set(by_commune) == set(communes)
    for code, ids in communes.items():
        assert by_commune[code]["Số sản phẩm"] == len(ids)
        assert (by_commune[code]["Còn hiệu lực"] or 0) == len(ids & active)
        assert by_commune[code]["Địa bàn"] == records.communes[code]["name"]["vi"]
    assert set(by_district) == set(districts)
    for district, ids in districts.items():
        assert by_district[district]["Số sản phẩm"] == len(ids)
        assert by_district[district]["Địa bàn"] == records.districts[district]["name"]["vi"]
        assert (by_district[district]["Còn hiệu lực"] or 0) == len(ids & active)


def test_summary_counts(vi, records):
    products = records.published()
    states = Counter(records.state(p, DAY) for p in products)
    stars = Counter(records.certificate[p][0][1]["stars"] for p in products)
    rows = vi.rows("summary")
    item = {(r["Nhóm"], r["Chỉ tiêu"]): r for r in rows}
    overview = f"Tổng quan, tính đến ngày {DAY.isoformat()}"
    assert item[(overview, "Sản phẩm OCOP đã công bố")]["Số lượng"] == len(products)
    assert item[(overview, "Còn hiệu lực (kể cả sắp hết hạn)")]["Số lượng"] == (
        states["valid"] + states["expiring"])
    producers = {records.producer_of[p] for p in products}
    assert item[(overview, "Chủ thể có sản phẩm OCOP")]["Số lượng"] == len(producers)
    for months in (3, 6, 12):
        assert item[(overview, f"Hết hạn trong {months} tháng tới")]["Số lượng"] == len(
            expiring_on(records, DAY, months))
    for state, word in STATE_VI.items():
        assert item[("Sản phẩm theo trạng thái giấy chứng nhận", word)]["Số lượng"] == (
            states[state])
    for n in (3, 4, 5):
        assert item[("Sản phẩm theo hạng sao", f"{n} sao")]["Số lượng"] == stars[n]
    types = Counter(records.producers[p]["type"] for p in producers)
    names = {"HTX": "Hợp tác xã", "DN": "Doanh nghiệp", "THT": "Tổ hợp tác",
             "HKD": "Hộ kinh doanh"}
    for code, name in names.items():
        assert item[("Chủ thể theo loại hình", name)]["Số lượng"] == types[code]


def test_the_sample_targets(vi, records):
    """Each target of site_config.yml: its numbers, and what is achieved where the records
    say it plainly (products first rated in the period, sales points listed)."""
    assert records.targets, "the sample configures targets"
    rows = vi.rows("summary")
    names = {"products_3_stars": "Sản phẩm mới đạt 3 sao trở lên",
             "products_4_stars": "Sản phẩm đạt 4 sao trở lên",
             "products_5_stars": "Sản phẩm đạt 5 sao",
             "producers": "Chủ thể kinh tế mới có sản phẩm OCOP",
             "sales_points": "Điểm giới thiệu và bán sản phẩm OCOP"}
    for target in records.targets:
        start, end = target.get("from", target.get("year")), target.get("to", target.get("year"))
        period = f"năm {start}" if start == end else f"giai đoạn {start}–{end}"
        section = f"Mục tiêu {period}: {target['name']['vi']}"
        mine = {r["Chỉ tiêu"]: r for r in rows if r["Nhóm"] == section}
        assert set(mine) == {names[k] for k in target if k in names}, section
        for key, name in names.items():
            if key in target:
                assert mine[name]["Mục tiêu"] == target[key]
        if "products_3_stars" in target:
            achieved = sum(1 for day in records.first_rated.values()
                           if start <= day.year <= end)
            assert mine[names["products_3_stars"]]["Số lượng"] == achieved
        if "sales_points" in target:
            achieved = len(records.sales_points)
            row = mine[names["sales_points"]]
            assert row["Số lượng"] == achieved
            assert row["Tỷ lệ đạt (%)"] == round(100 * achieved / target["sales_points"])


# --------------------------------------------------------------------------
# The CSV files
# --------------------------------------------------------------------------


def as_csv_text(value) -> str:
    """What the CSV holds for a workbook cell: dates as YYYY-MM-DD, text that starts like
    a formula with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n",
                                                "\uff1d", "\uff0b", "\uff0d", "\uff20"):
        return "'" + value
    return str(value)


def test_the_csv_files_are_the_workbook_sheets(vi):
    for key in SHEETS:
        raw = vi.csv[key].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{key}: no byte order mark for Excel"
        with open(vi.csv[key], encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        sheet = [[as_csv_text(v) for v in row]
                 for row in vi.sheet(key).iter_rows(values_only=True)]
        assert table == sheet, key
        assert len(table) >= 2, f"{key}: no rows"


# --------------------------------------------------------------------------
# Other dates and languages; the same bytes twice
# --------------------------------------------------------------------------


def test_a_later_date_judges_the_certificates_on_that_day(vi, records, tmp_path):
    later = report_of(REPO, tmp_path / "later", LATER)
    rows = {r["Mã sản phẩm"]: r["Trạng thái"] for r in later.rows("products")}
    before = {r["Mã sản phẩm"]: r["Trạng thái"] for r in vi.rows("products")}
    lapsed = [p for p in records.published()
              if records.state(p, DAY) in ("valid", "expiring")
              and records.state(p, LATER) == "expired"]
    assert lapsed, "the sample should have a certificate ending between the two dates"
    for product in records.published():
        assert rows[product] == STATE_VI[records.state(product, LATER)]
    for product in lapsed:
        assert before[product] != rows[product] == "Đã hết hạn"
    summary = {r["Chỉ tiêu"]: r for r in later.rows("summary")}
    assert f"Tổng quan, tính đến ngày {LATER.isoformat()}" in {
        r["Nhóm"] for r in later.rows("summary")}
    assert summary["Hết hạn trong 3 tháng tới"]["Số lượng"] == len(
        expiring_on(records, LATER, 3))


def test_english_headers_and_texts(records, tmp_path):
    en = report_of(REPO, tmp_path / "en", DAY, "en")
    assert [ws.title for ws in en.book.worksheets] == [
        "Summary", "Products", "Expiring", "Revocations", "By area"]
    rows = en.rows("products")
    assert list(rows[0])[:3] == ["Product id", "Product name", "Producer"]
    for row in rows:
        record = records.products[row["Product id"]]
        assert row["Product name"] == record["name"].get("en") or record["name"]["vi"]
        assert row["State"] == STATE_EN[records.state(row["Product id"], DAY)]
    with open(en.csv["expiring"], encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["Month of expiry", "Within (months)", "Valid until"]


def test_two_runs_write_the_same_bytes(vi, tmp_path):
    again = report_of(REPO, tmp_path / "again", DAY)
    assert again.xlsx.read_bytes() == vi.xlsx.read_bytes()
    for key in SHEETS:
        assert again.csv[key].read_bytes() == vi.csv[key].read_bytes(), key
    assert vi.book.properties.created.date() == DAY


# --------------------------------------------------------------------------
# Hostile text, where the report goes, targets
# --------------------------------------------------------------------------

HOSTILE_PRODUCER = '=HYPERLINK("https://evil.example/","Bấm")'
HOSTILE_PRODUCT = "@SUM(1,1)"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    scratch = build_catalog(tmp_path_factory.mktemp("hostile") / "repo")
    scratch.edit(PRODUCER_FILE, "vi: HTX Ong mật Tam Đảo", f"vi: '{HOSTILE_PRODUCER}'")
    scratch.edit(GOODS_FILE, "vi: Mật ong hoa rừng Tam Đảo", f"vi: '{HOSTILE_PRODUCT}'")
    scratch.edit("site_config.yml", "      photo_min_side: 500\n",
                 "      photo_min_side: 500\n      targets:\n"
                 "        - {from: 2025, to: 2026, products_3_stars: 4, products_4_stars: 2,"
                 " producers: 1}\n")
    status, stdout, stderr = run_report(scratch.root, "--date", SCRATCH_TODAY.isoformat())
    assert status == 0, stdout + stderr
    folder = scratch.root / "reports" / SCRATCH_TODAY.isoformat()
    return scratch, Report(folder, SCRATCH_TODAY, "vi", stdout)


def test_a_formula_in_a_record_stays_text(hostile):
    _, report = hostile
    seen = set()
    for ws in report.book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: a formula"
                if cell.value in (HOSTILE_PRODUCER, HOSTILE_PRODUCT):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    seen.add(cell.value)
    assert seen == {HOSTILE_PRODUCER, HOSTILE_PRODUCT}
    with open(report.csv["products"], encoding="utf-8-sig", newline="") as fh:
        cells = {c for row in csv.reader(fh) for c in row}
    assert "'" + HOSTILE_PRODUCER in cells and "'" + HOSTILE_PRODUCT in cells
    assert HOSTILE_PRODUCER not in cells and HOSTILE_PRODUCT not in cells


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed "
                    "(apt-get install libreoffice-calc-nogui)")
def test_libreoffice_opens_the_workbook_and_runs_no_formula(hostile, tmp_path):
    _, report = hostile
    profile = tmp_path / "profile"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "fods", "--outdir", str(tmp_path), str(report.xlsx)],
        capture_output=True, text=True, timeout=180, check=False)
    converted = tmp_path / (report.xlsx.stem + ".fods")
    assert converted.is_file(), done.stdout + done.stderr
    tree = ET.parse(converted)
    tables = [t.get(f"{{{TABLE}}}name") for t in tree.iter(f"{{{TABLE}}}table")]
    assert tables == [ws.title for ws in report.book.worksheets]
    texts = []
    for cell in tree.iter(f"{{{TABLE}}}table-cell"):
        assert cell.get(f"{{{TABLE}}}formula") is None, ET.tostring(cell)[:200]
        texts.append("".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p")))
    assert HOSTILE_PRODUCER in texts and HOSTILE_PRODUCT in texts


def test_the_report_goes_to_reports_and_never_into_the_site(hostile):
    scratch, report = hostile
    assert report.xlsx.is_file() and all(p.is_file() for p in report.csv.values())
    assert not (scratch.root / "site").exists()
    status, _, err = run_report(scratch.root, "--out", "site/report")
    assert status == 2 and "outside" in err and not (scratch.root / "site").exists()
    # the repository and a new catalog keep reports out of git
    assert "/reports/" in (REPO / ".gitignore").read_text(encoding="utf-8").split()
    starter = REPO / "generator/ocop_catalog/starter/gitignore.txt"
    assert "reports/" in starter.read_text(encoding="utf-8").split()


def test_nothing_of_the_report_is_in_the_built_site(sample_site):
    names = [p.name for p in sample_site.rglob("*")]
    assert not [n for n in names if n.startswith("ocop-report") or n.endswith(".xlsx")
                and "report" in n]


def test_progress_against_the_targets(hostile):
    scratch, report = hostile
    # recomputed from the scratch register: every decision in 2025-2026 recognises a
    # product for the first time
    recognised = []
    for path in (scratch.root / "catalog/decisions").glob("*.yml"):
        decision = load(path)
        recognised += [(decision["date"], item["stars"]) for item in decision["recognises"]]
    in_period = [stars for day, stars in recognised if 2025 <= day.year <= 2026]
    expected = {"Sản phẩm mới đạt 3 sao trở lên": (4, len(in_period)),
                "Sản phẩm đạt 4 sao trở lên": (2, sum(1 for s in in_period if s >= 4)),
                "Chủ thể kinh tế mới có sản phẩm OCOP": (1, 1)}
    rows = {r["Chỉ tiêu"]: r for r in report.rows("summary")
            if r["Nhóm"] == "Mục tiêu giai đoạn 2025–2026"}
    assert set(rows) == set(expected)
    for name, (target, achieved) in expected.items():
        assert rows[name]["Mục tiêu"] == target
        assert rows[name]["Số lượng"] == achieved
        assert rows[name]["Tỷ lệ đạt (%)"] == round(100 * achieved / target)


def test_records_with_errors_write_no_report(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    scratch.edit(GOODS_FILE, "vi: Mật ong hoa rừng Tam Đảo", "vi: ''")
    status, _, err = run_report(scratch.root, "--date", SCRATCH_TODAY.isoformat())
    assert status == 1 and "ocop validate" in err
    assert re.search(r"hồ sơ có \d+ lỗi.*/ the records have \d+ error", err)
    assert not (scratch.root / "reports").exists()


def test_a_broken_report_strings_file_is_named_not_a_traceback(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    scratch.write("overrides/ocop/report/en.yml", "sheet.products: [\n")
    status, _, err = run_report(scratch.root, "--lang", "en", "--out", str(tmp_path / "out"),
                                  "--date", SCRATCH_TODAY.isoformat())
    assert status == 1 and "Traceback" not in err
    assert "overrides/ocop/report/en.yml" in err and "line 2" in err
    assert "key: text" in err and "khóa: văn bản" in err
    assert not (tmp_path / "out").exists()
