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
that exist there. Text cells that a spreadsheet would run as a formula
(starting with ``=``, ``@``, or ``+``/``-`` followed by letters) get a leading
apostrophe: producers' text is untrusted and these sheets are opened in Excel.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import FeedContext, clean, clip, markdown_to_text, spreadsheet_text
from .options import Column, ExportOptions, FeedOptionError, FeedOptions
from .schema import LOCALIZED_DEFS, export_schema

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


def cell(compiled: CompiledColumn, view: dict[str, Any], lang: str) -> str:
    column = compiled.column
    if column.value is not None:
        return spreadsheet_text(column.value)
    value = evaluate(view, compiled.steps, lang)
    parts = [_scalar(v, column) for v in _flatten(value)]
    text = column.join.join(p for p in parts if p)
    if not text:
        text = column.default
    if column.max_length is not None:
        text = clip(text, column.max_length, ellipsis=True)
    return spreadsheet_text(text)


def write_exports(ctx: FeedContext, options: FeedOptions, opendata: OpenData,
                  compiled: dict[int, list[CompiledColumn]], site_dir: Path) -> list[str]:
    written = []
    for index, export in enumerate(options.exports):
        columns = compiled[index]
        out = io.StringIO()
        writer = csv.writer(out, delimiter=export.delimiter, lineterminator="\r\n")
        writer.writerow([spreadsheet_text(c.column.header) for c in columns])
        count = 0
        for product in ctx.catalog.products.values():
            if export.goods_only and not ctx.is_goods(product):
                continue
            if not ctx.sellable(product, export.include_expired):
                continue
            view = opendata.export_view(product)
            writer.writerow([cell(c, view, export.language) for c in columns])
            count += 1
        target = site_dir / path(export)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = out.getvalue().encode("utf-8")
        target.write_bytes((b"\xef\xbb\xbf" if export.bom else b"") + data)
        written.append(path(export))
        log.info("feeds: %s (%s): %d rows", path(export), export.name, count)
    return written


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [x for item in value for x in _flatten(item)]
    return [] if value is None else [value]


def _scalar(value: Any, column: Column) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (dict, list)):
        text = ""
    else:
        text = str(value)
    if column.map is not None and text in column.map:
        text = column.map[text]
    if column.plain:
        text = markdown_to_text(text)
    return clean(text)


