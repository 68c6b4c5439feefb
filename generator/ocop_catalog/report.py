"""The OCOP office's report (``ocop report``): one Excel workbook and the same sheets as CSV.

Not a site output: nothing of it is published. It reads the :class:`~.edition.Edition`
of the report date (published without processing photos, :func:`report_edition`) and
its figures (:mod:`.edition.figures`, the numbers the statistics page shows too), and
writes five sheets (docs/report.md):

``summary``      the figures of the day and the progress against the ``targets:``
``products``     every published product: producer, area, category, stars, decision,
                 validity and state on the report date
``expiring``     certificates that end within 3, 6 and 12 months, by month, with the
                 producer's contact (phone, e-mail, Zalo) for outreach
``revocations``  revoked certificates: decision, date, reason
``areas``        products by commune and by former district

Headers and labels come from the theme's report strings (``ocop/report/<lang>.yml``,
Vietnamese by default), record texts in the same language (Vietnamese where a record
has none). Every text cell is written as text: in the workbook with ``write_string``
(never a formula; one that starts like a formula gets Excel's quote prefix), in the CSV
through :func:`~.outputs.feeds.data.spreadsheet_text` like every CSV the build writes.
Same records and date, same bytes: the workbook's creation date is the report date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
import yaml

from .catalog.model import ProductEntry
from .catalog.taxonomy import CURRENT_VERSION, load_taxonomies
from .edition import Edition, EditionConfig
from .edition.figures import Figures, expiring_within, figures
from .edition.targets import parse_targets
from .edition.theme import theme_dirs
from .errors import OptionError
from .outputs.feeds.data import clean, spreadsheet_text
from .records.history import CATALOG_JSON, from_catalog_json
from .records.loader import LoadResult, load_catalog
from .records.text import DEFAULT_LANGUAGE, Localized
from .settings import CONFIG_FILE, load_settings, plugin_options, site_dir

__all__ = ["LANGUAGES", "SHEETS", "WINDOWS", "Sheet", "build_sheets", "csv_bytes",
           "expiring_counts", "file_names", "report_edition", "report_strings",
           "write_report", "write_workbook"]

#: Languages the report's strings are written in (ocop/report/<lang>.yml of the theme).
LANGUAGES = ("vi", "en")
#: The sheets, in the workbook's order; also the CSV files' names.
SHEETS = ("summary", "products", "expiring", "revocations", "areas")
#: How far ahead the expiring sheet and the command's message look, in months.
WINDOWS = (3, 6, 12)
#: The catalog's folder the report goes in by default (reports/<date>/; kept out of git).
DEFAULT_DIR = "reports"

#: Where the report's strings are, in each theme folder.
STRINGS_DIR = Path("ocop") / "report"

Cell = str | int | dt.date | None


@dataclass(frozen=True)
class Sheet:
    key: str  # one of SHEETS
    title: str  # the sheet's name in the report's language
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


class Strings:
    """The report's strings in one language: that language's, then Vietnamese, then the
    key itself."""

    def __init__(self, lang: str, tables: Mapping[str, Mapping[str, str]]) -> None:
        self.lang = lang
        self._own = tables.get(lang, {})
        self._default = tables.get(DEFAULT_LANGUAGE, {})

    def __call__(self, key: str, **params: object) -> str:
        text = self._own.get(key) or self._default.get(key) or key
        for name, value in params.items():
            text = text.replace("{" + name + "}", str(value))
        return text


class ReportError(OptionError):
    """A report strings file that cannot be read; the message names it and the fix."""


def report_strings(theme_dirs: Sequence[Path], lang: str) -> Strings:
    """The report's strings from the theme folders (a catalog's ``overrides/`` first);
    raises :class:`ReportError` for a file that is not ``key: text`` lines."""
    return strings_from(theme_dirs, lang, STRINGS_DIR, "docs/report.md")


def strings_from(theme_dirs: Sequence[Path], lang: str, folder: Path, docs: str) -> Strings:
    """Strings in ``lang`` (then Vietnamese) from ``folder/<lang>.yml`` of the theme
    folders, a catalog's ``overrides/`` first (the report's, the preview's: ``docs`` says
    them); raises :class:`ReportError` for a file that is not ``key: text`` lines."""
    tables: dict[str, dict[str, str]] = {}
    for code in dict.fromkeys((DEFAULT_LANGUAGE, lang)):
        merged: dict[str, str] = {}
        for theme in reversed(tuple(theme_dirs)):
            path = theme / folder / f"{code}.yml"
            if path.is_file():
                merged.update(_strings_file(path, folder, docs))
        tables[code] = merged
    return Strings(lang, tables)


def _strings_file(path: Path, folder: Path, docs: str) -> dict[str, str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        data, problem = None, (f"YAML error at line {mark.line + 1}, column {mark.column + 1}"
                               if mark is not None else type(exc).__name__)
    else:
        data = {} if data is None else data  # an empty file: no strings
        problem = "" if isinstance(data, dict) else f"not a mapping: {type(data).__name__}"
    if problem or not all(isinstance(v, (str, int, float)) for v in data.values()):
        raise ReportError(
            f"{path}: không đọc được các chuỗi; mỗi dòng cần dạng 'khóa: văn bản' như "
            f"{folder.as_posix()}/vi.yml của giao diện / cannot read the strings "
            f"({problem or 'a value is not text'}); write one 'key: text' line per "
            f"string, as in the theme's {folder.as_posix()}/vi.yml ({docs})")
    return {str(k): str(v) for k, v in data.items()}


def report_edition(root: Path, day: dt.date) -> tuple[Edition | None, LoadResult]:
    """The catalog at ``root`` published for ``day``, without processing a photo (a
    report shows none): None when the records have errors (the result says which).
    Raises :class:`~.edition.targets.TargetsError` for a wrong ``targets:`` option."""
    published = from_catalog_json(site_dir(root) / CATALOG_JSON)  # as ocop validate does
    result = load_catalog(load_settings(root, today=day, published=published))
    if result.catalog is None:
        return None, result
    options = plugin_options(root / CONFIG_FILE) if (root / CONFIG_FILE).is_file() else {}
    config = EditionConfig(theme_dirs=theme_dirs(root), root=root,
                           targets=parse_targets(options.get("targets"), result.languages
                                                 or result.catalog.settings.languages))
    return Edition(result.catalog, config), result


# --------------------------------------------------------------------------
# The sheets, from the edition
# --------------------------------------------------------------------------


def build_sheets(edition: Edition, s: Strings) -> tuple[Sheet, ...]:
    """Every sheet of the report of ``edition`` (its build date is the report date)."""
    f = figures(edition)
    report = _Report(edition, s, f)
    return (report.summary(), report.products(), report.expiring(), report.revocations(),
            report.areas())


class _Report:
    def __init__(self, edition: Edition, s: Strings, f: Figures) -> None:
        self.e, self.s, self.f, self.lang = edition, s, f, s.lang

    def text(self, value: Localized | None) -> str:
        return clean(value(self.lang)) if value else ""

    def sheet(self, key: str, columns: Sequence[str], rows) -> Sheet:
        return Sheet(key, self.s(f"sheet.{key}"), tuple(self.s(f"col.{c}") for c in columns),
                     tuple(tuple(row) for row in rows))

    # -- summary ----------------------------------------------------------------

    def summary(self) -> Sheet:
        s, f = self.s, self.f
        rows: list[tuple[Cell, ...]] = []

        def add(section: str, item: str, count: int, active: int | None = None,
                target: int | None = None, percent: int | None = None) -> None:
            rows.append((section, item, count, active, target, percent))

        overview = s("section.overview", date=f.today.isoformat())
        add(overview, s("item.products"), f.products, f.active)
        add(overview, s("item.active"), f.active)
        add(overview, s("item.producers"), f.producers)
        add(overview, s("item.sales_points"), f.sales_points)
        for months in WINDOWS:
            add(overview, s("item.expiring", months=months),
                _count(expiring_within(self.e, months)))
        for c in f.by_state:
            add(s("section.state"), s(f"state.{c.key}"), c.products)
        for c in f.by_stars:
            add(s("section.stars"), s("item.stars", n=c.key), c.products, c.active)
        sectors = {sector.id: sector for sector in load_taxonomies()[CURRENT_VERSION].sectors}
        for c in f.by_sector:
            add(s("section.sector"), self.text(sectors[c.key].name), c.products, c.active)
        if f.unclassified:
            add(s("section.sector"), s("item.unclassified"), f.unclassified)
        for t in f.by_producer_type:
            add(s("section.producers_by_type"), s(f"type.{t.type}"), t.producers)
        for t in f.by_producer_type:
            add(s("section.producer_type"), s(f"type.{t.type}"), t.products, t.active)
        revoked = {y.year: y.new for y in f.revocations_by_year}
        for year in sorted({y.year for y in f.by_year} | set(revoked)):
            counts = next((y for y in f.by_year if y.year == year), None)
            if counts is not None:
                add(s("section.year"), s("item.year_new", year=year), counts.new)
                add(s("section.year"), s("item.year_rerated", year=year), counts.rerated)
            if year in revoked:
                add(s("section.year"), s("item.year_revoked", year=year), revoked[year])
        for progress in f.targets:
            target = progress.target
            start, end = target.start, target.end
            section = (s("section.target", period=start) if start == end
                       else s("section.targets", period=f"{start}–{end}"))
            name = clean(target.name_in(self.lang))
            if name:
                section = f"{section}: {name}"
            for indicator in progress.indicators:
                add(section, s(f"target.{indicator.key}"), indicator.achieved, None,
                    indicator.target, indicator.percent)
        return self.sheet("summary", ("section", "item", "count", "active", "target",
                                      "percent"), rows)

    # -- products -----------------------------------------------------------------

    def products(self) -> Sheet:
        rows = []
        for p in self.e.all_products:
            cert = p.certification
            category = p.criteria_set
            producer = self.e.producer_of(p).record
            rows.append((
                p.id, self.text(p.record.name), self.text(producer.name),
                self.s(f"type.{producer.type}"), self.commune(p), self.district(p),
                self.text(category.sector.name) if category else "",
                self.text(category.name) if category else "",
                cert.criteria_version or p.record.category.criteria_version,
                cert.stars, cert.decision_number, cert.decision_date, self.text(cert.issuer),
                self.e.valid_until(p), self.s(f"state.{self.e.status(p)}")))
        return self.sheet("products", (
            "id", "name", "producer", "producer_type", "commune", "district", "sector",
            "category", "criteria_version", "stars", "decision_number", "decision_date",
            "issuer", "valid_until", "state"), rows)

    def commune(self, p: ProductEntry) -> str:
        return self.text(self.e.commune_of(p).name)

    def district(self, p: ProductEntry) -> str:
        """The former district the record names (as older certificates print it), else
        those the commune was formed from."""
        legacy = p.record.origin.legacy
        ids = (legacy.district,) if legacy else self.e.commune_of(p).legacy_districts
        districts = self.e.catalog.legacy_districts
        return "; ".join(self.text(districts[d].name) if d in districts else d for d in ids)

    # -- expiring ------------------------------------------------------------------

    def expiring(self) -> Sheet:
        within: dict[str, int] = {}
        for months in reversed(WINDOWS):  # the narrowest window a certificate ends in
            for month in expiring_within(self.e, months):
                for expiry in month.products:
                    within[expiry.product] = months
        rows = []
        products = self.e.catalog.products
        for month in expiring_within(self.e, max(WINDOWS)):
            for expiry in month.products:
                p = products[expiry.product]
                producer = self.e.producer_of(p).record
                contact = producer.contact
                rows.append((
                    f"{month.year:04d}-{month.month:02d}", within[expiry.product],
                    expiry.valid_until, p.id, self.text(p.record.name), expiry.stars,
                    self.s(f"state.{expiry.status}"), self.text(producer.name),
                    clean(producer.representative), clean(contact.phone or ""),
                    clean(contact.email or ""), clean(contact.zalo or ""), self.commune(p)))
        return self.sheet("expiring", (
            "month", "within", "valid_until", "id", "name", "stars", "state", "producer",
            "representative", "phone", "email", "zalo", "commune"), rows)

    # -- revocations -----------------------------------------------------------------

    def revocations(self) -> Sheet:
        rows = []
        revoked = [p for p in self.e.all_products if self.e.status(p) == "revoked"]
        for p in sorted(revoked, key=lambda p: (p.certification.revoked.date, p.id)):
            cert = p.certification
            revocation = cert.revoked
            decision = next((ref for ref in cert.history if ref.kind == "revocation"
                             and ref.number == revocation.decision_number), None)
            rows.append((
                p.id, self.text(p.record.name), self.text(self.e.producer_of(p).record.name),
                cert.stars, revocation.decision_number, revocation.decision_date,
                revocation.date, self.text(decision.issuer) if decision else "",
                self.text(revocation.reason)))
        return self.sheet("revocations", (
            "id", "name", "producer", "stars", "revocation_number", "revocation_date",
            "revoked_from", "issuer", "reason"), rows)

    # -- areas -----------------------------------------------------------------------

    def areas(self) -> Sheet:
        catalog = self.e.catalog
        level = self.s("level.commune")
        rows: list[tuple[Cell, ...]] = [
            (level, c.key, self.text(catalog.communes[c.key].name), c.products, c.active)
            for c in self.f.by_commune]
        level = self.s("level.district")
        for c in self.f.by_district:
            name = (self.text(catalog.legacy_districts[c.key].name) if c.key
                    else self.s("area.unknown"))
            rows.append((level, c.key, name, c.products, c.active))
        return self.sheet("areas", ("level", "code", "area", "products", "active"), rows)


def _count(months) -> int:
    return sum(len(month.products) for month in months)


def expiring_counts(edition: Edition) -> dict[int, int]:
    """Certificates (not revoked) that end within each of :data:`WINDOWS` months."""
    return {months: _count(expiring_within(edition, months)) for months in WINDOWS}


# --------------------------------------------------------------------------
# Writing: the workbook and the CSV files
# --------------------------------------------------------------------------


def file_names(day: dt.date, lang: str) -> tuple[str, dict[str, str]]:
    """The workbook's file name and each sheet's CSV file name."""
    stem = f"ocop-report-{day.isoformat()}-{lang}"
    return f"{stem}.xlsx", {key: f"{stem}-{key}.csv" for key in SHEETS}


def write_report(sheets: Sequence[Sheet], out_dir: Path, day: dt.date, lang: str
                 ) -> list[Path]:
    """The workbook and the CSV files of ``sheets`` in ``out_dir`` (made if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook_name, csv_names = file_names(day, lang)
    written = [out_dir / workbook_name]
    write_workbook(sheets, written[0], day)
    for sheet in sheets:
        path = out_dir / csv_names[sheet.key]
        path.write_bytes(csv_bytes(sheet))
        written.append(path)
    return written


#: Column widths, in characters.
MIN_WIDTH, MAX_WIDTH = 8, 60


def write_workbook(sheets: Sequence[Sheet], path: Path, day: dt.date) -> None:
    created = dt.datetime(day.year, day.month, day.day)
    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "default_date_format": "yyyy-mm-dd"})
    workbook.set_properties({"created": created})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top",
                                  "bg_color": "#E8F0E0", "bottom": 1})
    quoted = workbook.add_format({"quote_prefix": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    used: set[str] = set()
    for sheet in sheets:
        ws = workbook.add_worksheet(_sheet_name(sheet.title, sheet.key, used))
        for col, title in enumerate(sheet.headers):
            ws.write_string(0, col, title, header)
        for r, row in enumerate(sheet.rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    value = str(value)
                if isinstance(value, int):
                    ws.write_number(r, col, value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, col, dt.datetime(value.year, value.month, value.day),
                                      date)
                else:  # text, never a formula: the quote prefix says "this is text"
                    text = str(value)
                    formula_like = spreadsheet_text(text) != text
                    ws.write_string(r, col, text, quoted if formula_like else None)
        for col, width in enumerate(_widths(sheet)):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(sheet.rows), 1), max(len(sheet.headers) - 1, 0))
    workbook.close()


def _sheet_name(title: str, key: str, used: set[str]) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, not quoted, unique."""
    name = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip(" '")[:31].strip()
    if not name or name.casefold() in used:
        name = key
    used.add(name.casefold())
    return name


def _widths(sheet: Sheet) -> list[float]:
    widths = []
    for col, title in enumerate(sheet.headers):
        longest = max([len(word) for word in title.split()] + [len(title) * 0.6] +
                      [len(_csv_cell(row[col])) for row in sheet.rows])
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return spreadsheet_text(str(value))


def csv_bytes(sheet: Sheet) -> bytes:
    """The sheet as CSV: UTF-8 with a byte order mark (so Excel reads Vietnamese right),
    comma-separated, CRLF line ends, dates as YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")
