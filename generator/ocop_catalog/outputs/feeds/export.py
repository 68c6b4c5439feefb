"""Export profiles: a marketplace's bulk-upload sheet from a column map, without code.

A profile in site_config.yml names a file and its columns; each column takes
a *field* of the product, written as a path into the product object of
``feeds/catalog.json`` (documented by its JSON Schema and docs/feeds.md)::

    feeds:
      exports:
        - name: shopee
          file: shopee-vi.csv          # written as feeds/exports/shopee-vi.csv
          language: vi
          columns:
            "Tên sản phẩm": name
            "Giá": price.amount
            "Ảnh bìa": photos[0].square
            "Tình trạng": {field: availability, map: {in_stock: Còn hàng}}

The path language is small and safe (no expressions, nothing evaluated):

* ``a.b.c`` walks objects: ``price.amount``, ``certification.stars``,
  ``producer.name`` (the product's producer), ``commune.name`` (its commune);
* ``a[n]`` takes the n-th item of a list (from 0): ``photos[0].square``;
  a field of a list without ``[n]`` takes it from every item
  (``photos.square``: all photos), joined by ``join`` (default ``", "``);
* text written per language is given in the profile's ``language`` (else
  Vietnamese); ``name.en`` picks a language explicitly.

A column is a path, or a mapping with ``field:`` (a path) or ``value:`` (the same
text on every row) and optionally ``default:`` (for a missing value), ``map:``
(replace values, e.g. availability codes by the marketplace's words),
``join:``, ``max_length:`` (cut at a word, with "…") and ``plain: true``
(Markdown to plain text, for descriptions).

Every path is checked against the schema before anything is written, and a
wrong one stops the build with a message naming the option and the fields
that exist there. In a CSV or TSV file, text cells that a spreadsheet would run
as a formula (starting with ``=``, ``+``, ``-``, ``@``…) get a leading apostrophe:
producers' text is untrusted and these sheets are opened in Excel.

A profile whose file ends in ``.xlsx`` (``format: xlsx``) is an Excel workbook
(XlsxWriter), as Shopee, TikTok Shop and Lazada take: one worksheet named by
``sheet:`` (else the profile's name), the headers in bold on the first row (kept
in view), a row per product in the same order and with the same texts as the CSV
would have. Text is written as text cells (``write_string``: never a formula, so
no apostrophe is needed), a field that is a single number as a number. The
workbook's creation date is the build day, so two builds write the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from ...catalog.model import ProductEntry
from ...fragments import Fragments
from .data import FeedContext, clean, clip, markdown_to_text, spreadsheet_text
from .options import Column, ExportOptions, FeedOptionError, FeedOptions
from .schema import LOCALIZED_DEFS, export_schema
from ...reuse import write_new

if TYPE_CHECKING:
    from .opendata import OpenData

log = logging.getLogger("ocop_catalog.outputs.feeds")

EXPORT_DIR = "feeds/exports"
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d{1,4}\])*)$")
_INDEX = re.compile(r"\[(\d{1,4})\]")


@dataclass(frozen=True)
class Step:
    kind: str  # "key", "index" or "lang"
    value: Any = None


@dataclass(frozen=True)
class CompiledColumn:
    column: Column
    steps: tuple[Step, ...]


def path(export: ExportOptions) -> str:
    return f"{EXPORT_DIR}/{export.file}"


def check_exports(options: FeedOptions, languages: tuple[str, ...]) -> dict[int, list]:
    """Every export profile's columns, compiled; raises FeedOptionError on a bad field."""
    return {i: compile_columns(e, i, languages) for i, e in enumerate(options.exports)}


def compile_columns(export: ExportOptions, index: int,
                    languages: tuple[str, ...]) -> list[CompiledColumn]:
    schema = export_schema()
    compiled = []
    for column in export.columns:
        where = f'feeds.exports[{index}].columns["{column.header}"]'
        steps: tuple[Step, ...] = ()
        if column.field is not None:
            steps = compile_path(column.field, schema, languages, where)
        compiled.append(CompiledColumn(column, steps))
    return compiled


def compile_path(text: str, schema: dict[str, Any], languages: tuple[str, ...],
                 where: str) -> tuple[Step, ...]:
    """The steps of a field path, checked against ``schema``."""
    if not text:
        raise FeedOptionError(f"{where}: the field is empty")
    defs = schema["$defs"]
    node = schema
    steps: list[Step] = []
    walked: list[str] = []
    for raw in text.split("."):
        match = _SEGMENT.match(raw.strip())
        if not match:
            raise FeedOptionError(
                f"{where}: {text!r}: {raw!r} is not a field name (letters, digits and _, "
                "optionally followed by [n])")
        name, indexes = match.group(1), _INDEX.findall(match.group(2))
        node, lang_step = _resolve(node, defs)
        if lang_step:
            if name in languages:
                steps.append(Step("lang", name))
                walked.append(name)
                node = _localized_value(node)
                if indexes:
                    node = _index(node, defs, text, where, steps, indexes)
                continue
            steps.append(Step("lang", None))
            node = _localized_value(node)
            node, _ = _resolve(node, defs)
        while node.get("type") == "array":  # a field of every item of a list
            node, _ = _resolve(node["items"], defs)
        properties = node.get("properties")
        if not properties or name not in properties:
            here = ".".join(walked) or "a product"
            known = ", ".join(sorted(properties)) if properties else "none (not an object)"
            raise FeedOptionError(f"{where}: unknown field {text!r}: {here} has no "
                                  f"{name!r}; its fields: {known}")
        steps.append(Step("key", name))
        walked.append(name)
        node = properties[name]
        if indexes:
            node = _index(node, defs, text, where, steps, indexes)
    node, lang_step = _resolve(node, defs)
    if lang_step:
        steps.append(Step("lang", None))
        node, _ = _resolve(_localized_value(node), defs)
    while node.get("type") == "array":
        node, _ = _resolve(node["items"], defs)
    if node.get("type") == "object" and node.get("properties"):
        raise FeedOptionError(f"{where}: {text!r} is an object; pick one of its fields: "
                              + ", ".join(sorted(node["properties"])))
    return tuple(steps)


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``node`` with $refs followed and null alternatives dropped; and whether it is
    text per language."""
    localized = False
    for _ in range(10):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            localized = localized or name in LOCALIZED_DEFS
            node = defs[name]
        elif "anyOf" in node:
            options = [o for o in node["anyOf"] if o.get("type") != "null"]
            node = options[0]
        else:
            break
    return node, localized


def _localized_value(node: dict[str, Any]) -> dict[str, Any]:
    value = node.get("additionalProperties")
    return value if isinstance(value, dict) else {"type": "string"}


def _index(node, defs, text, where, steps, indexes):
    for number in indexes:
        node, _ = _resolve(node, defs)
        if node.get("type") != "array":
            raise FeedOptionError(f"{where}: {text!r}: [{number}] on a field that is not "
                                  "a list")
        steps.append(Step("index", int(number)))
        node = node["items"]
    return node


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def evaluate(value: Any, steps: tuple[Step, ...], lang: str) -> Any:
    """The value at a compiled path (a list where the path went through a list)."""
    for position, step in enumerate(steps):
        if value is None:
            return None
        if isinstance(value, list) and step.kind != "index":
            rest = steps[position:]
            return [evaluate(item, rest, lang) for item in value]
        if step.kind == "key":
            value = value.get(step.value) if isinstance(value, dict) else None
        elif step.kind == "index":
            value = value[step.value] if isinstance(value, list) and step.value < len(
                value) else None
        else:  # text per language
            if not isinstance(value, dict):
                return None
            wanted = step.value or lang
            value = value.get(wanted) if wanted in value else (
                None if step.value else value.get("vi"))
    return value


def cell_value(compiled: CompiledColumn, view: dict[str, Any], lang: str) -> str | int | float:
    """A cell as the sheet holds it: its text, or a number when the field is one number
    (as written, not replaced by ``map:`` or ``default:``)."""
    column = compiled.column
    if column.value is not None:
        return column.value
    value = evaluate(view, compiled.steps, lang)
    items = _flatten(value)
    parts = [_scalar(v, column) for v in items]
    if len(items) == 1 and isinstance(items[0], (int, float)) \
            and not isinstance(items[0], bool) and parts[0] == _number_text(items[0]) \
            and (column.max_length is None or len(parts[0]) <= column.max_length):
        number = items[0]
        return int(number) if isinstance(number, float) and number.is_integer() else number
    text = column.join.join(p for p in parts if p)
    if not text:
        text = column.default
    if column.max_length is not None:
        text = clip(text, column.max_length, ellipsis=True)
    return text


def cell(compiled: CompiledColumn, view: dict[str, Any], lang: str) -> str:
    """A CSV cell: the cell's text, made safe from formulas."""
    value = cell_value(compiled, view, lang)
    return spreadsheet_text(value if isinstance(value, str) else _number_text(value))


def export_products(ctx: FeedContext, export: ExportOptions) -> list[ProductEntry]:
    """The products of an export profile's rows, in the catalog's order: goods with a
    price (unless ``goods_only: false``) whose certificate is valid (unless
    ``include_expired``)."""
    return [p for p in ctx.catalog.products.values()
            if (ctx.is_goods(p) or not export.goods_only)
            and ctx.sellable(p, export.include_expired)]


def write_exports(ctx: FeedContext, options: FeedOptions, opendata: OpenData,
                  compiled: dict[int, list[CompiledColumn]], site_dir: Path,
                  parts: Fragments | None = None) -> list[str]:
    """Write every export profile's sheet; a product's row is taken from ``parts`` (the
    previous build's, by :meth:`OpenData.export_key`) when there."""
    written = []
    for index, export in enumerate(options.exports):
        columns = compiled[index]
        products = export_products(ctx, export)
        headers = [c.column.header for c in columns]
        rows = (parts.get(f"{index}:{opendata.export_key(p)}", _row, opendata, columns, p,
                          export.language)
                if parts is not None and opendata.keys is not None
                else _row(opendata, columns, p, export.language)
                for p in products)
        if export.format == "xlsx":
            data = xlsx_bytes(export, headers, rows, ctx.today)
        else:
            data = csv_bytes(export, headers, rows)
        target = site_dir / path(export)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_new(target, data)
        written.append(path(export))
        log.info("feeds: %s (%s): %d rows", path(export), export.name, len(products))
    return written


def sound_row(value: Any) -> bool:
    """Whether a kept export row is one :func:`_row` makes: a list of cells."""
    return type(value) is list and all(type(cell) in (str, int, float) for cell in value)


def _row(opendata: OpenData, columns: list[CompiledColumn], product: ProductEntry,
         lang: str) -> list[str | int | float]:
    view = opendata.export_view(product)
    return [cell_value(c, view, lang) for c in columns]


def csv_bytes(export: ExportOptions, headers: list[str], rows) -> bytes:
    """The CSV (or TSV) file: every cell safe from formulas, UTF-8 (with a BOM if asked)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=export.delimiter, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(h) for h in headers])
    for row in rows:
        writer.writerow([spreadsheet_text(v if isinstance(v, str) else _number_text(v))
                         for v in row])
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" if export.bom else b"") + data


#: The most characters an Excel cell holds.
XLSX_MAX_TEXT = 32_767


def xlsx_bytes(export: ExportOptions, headers: list[str], rows, day: dt.date) -> bytes:
    """The Excel workbook: one sheet, headers in bold, text as text cells (never formulas),
    numbers as numbers; created on ``day`` (the build day), so that the bytes depend on
    the input only."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})
    book.set_properties({"title": export.name,
                         "created": dt.datetime(day.year, day.month, day.day)})
    sheet = book.add_worksheet(export.sheet)
    bold = book.add_format({"bold": True})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, clip(header, XLSX_MAX_TEXT), bold)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(number, col, clip(value, XLSX_MAX_TEXT, ellipsis=True))
            else:
                sheet.write_number(number, col, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [] if value is None else [value]


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _scalar(value: Any, column: Column) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = _number_text(value)
    elif isinstance(value, (dict, list)):
        text = ""
    else:
        text = str(value)
    if column.map is not None and text in column.map:
        text = column.map[text]
    if column.plain:
        text = markdown_to_text(text)
    return clean(text)


