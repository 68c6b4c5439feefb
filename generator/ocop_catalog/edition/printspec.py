"""The print specification a catalog publishes: which print assets exist, where, and
their sizes (``print_assets:`` under the ``ocop`` plugin in site_config.yml).

It belongs to the published catalog (not to the print output alone) because the
pages state it: a product page links its label and says how large its QR PNG is.
The print output (:mod:`ocop_catalog.outputs.printing`) draws the files. Options,
every length in millimetres (:data:`DEFAULTS` shows them all)::

    print_assets:
      enabled: true
      qr_size_mm: 25                 # largest size of the PNG (quiet zone included)
      font: null                     # a TrueType file, relative to the repository;
      font_bold: null                # null: the theme's DejaVu Sans (ocop/fonts/)
      second_language: en            # printed under the Vietnamese (null: none)
      label: {width_mm: 60, height_mm: 40, qr_mm: 24, padding_mm: 2.5, crop_marks: true}
      sheet: {columns: 3, rows: 8, label_width_mm: 70, label_height_mm: 37,
              margin_left_mm: 0, margin_top_mm: 0.5, pitch_x_mm: 70, pitch_y_mm: 37,
              qr_mm: 26, padding_mm: 3}
      poster: {qr_mm: 130}

``qr_mm`` is the side of the QR with its quiet zone; the module size is that
divided by the symbol's modules plus 8. Invalid options raise
:class:`PrintOptionsError` (a ``ValueError``) naming the option.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OptionError
from .qr import QUIET_ZONE
from .theme import PACKAGED, find

#: Print resolution of the QR PNGs.
DPI = 300
#: The gap between a label's edge and its QR's quiet zone.
EDGE_MM = 1.0
#: An A4 page, width and height.
A4_MM = (210.0, 297.0)

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "qr_size_mm": 25,
    "font": None,
    "font_bold": None,
    "second_language": "en",
    "label": {"width_mm": 60, "height_mm": 40, "qr_mm": 24, "padding_mm": 2.5,
              "crop_marks": True},
    "sheet": {"columns": 3, "rows": 8, "label_width_mm": 70, "label_height_mm": 37,
              "margin_left_mm": 0, "margin_top_mm": 0.5, "pitch_x_mm": None,
              "pitch_y_mm": None, "qr_mm": 26, "padding_mm": 3},
    "poster": {"qr_mm": 130},
}


class PrintOptionsError(OptionError):
    """An invalid ``print_assets`` option (reported as a build error)."""


# --------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelSpec:
    width_mm: float
    height_mm: float
    qr_mm: float
    padding_mm: float


@dataclass(frozen=True)
class SheetSpec:
    columns: int
    rows: int
    label: LabelSpec
    margin_left_mm: float
    margin_top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


@dataclass(frozen=True)
class PrintSettings:
    enabled: bool
    qr_size_mm: float
    font: Path
    font_bold: Path
    second_language: str | None
    label: LabelSpec
    crop_marks: bool
    sheet: SheetSpec
    poster_qr_mm: float


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise PrintOptionsError(f"print_assets: cannot read the font {path}: {exc.strerror}")


def _fail(name: str, wanted: str, value: Any) -> PrintOptionsError:
    return PrintOptionsError(f"print_assets: option '{name}' must be {wanted}, not {value!r}")


def _section(data: Any, name: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise _fail(name or "print_assets", "a mapping of options", data)
    unknown = sorted(str(k) for k in data if k not in defaults)
    if unknown:
        prefix = f"{name}." if name else ""
        raise PrintOptionsError(
            f"print_assets: unknown option '{prefix}{unknown[0]}' (known options: "
            + ", ".join(prefix + k for k in defaults) + ")")
    return {**defaults, **data}


def _length(values: Mapping[str, Any], key: str, name: str, low: float, high: float) -> float:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            math.isfinite(value) and low <= value <= high):
        raise _fail(name, f"a length in millimetres from {low:g} to {high:g}", value)
    return float(value)


def _count(values: Mapping[str, Any], key: str, name: str, high: int) -> int:
    value = values[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise _fail(name, f"a whole number from 1 to {high}", value)
    return value


def _flag(values: Mapping[str, Any], key: str, name: str) -> bool:
    value = values[key]
    if not isinstance(value, bool):
        raise _fail(name, "true or false", value)
    return value


#: The theme's label fonts (an override in a catalog's overrides/ replaces them).
THEME_FONTS = {"font": "ocop/fonts/DejaVuSans.ttf", "font_bold": "ocop/fonts/DejaVuSans-Bold.ttf"}


def _font_path(value: Any, name: str, root: Path, theme_dirs: Sequence[Path]) -> Path:
    if value is None:
        return find(theme_dirs, THEME_FONTS[name])
    if not isinstance(value, str) or not value.strip():
        raise _fail(name, "the path of a TrueType font file", value)
    path = Path(value)
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise PrintOptionsError(f"print_assets: option '{name}': no such font file: {path}")
    return path


def _label(values: Mapping[str, Any], prefix: str, width_key: str, height_key: str) -> LabelSpec:
    width = _length(values, width_key, f"{prefix}.{width_key}", 30, 300)
    height = _length(values, height_key, f"{prefix}.{height_key}", 20, 300)
    qr = _length(values, "qr_mm", f"{prefix}.qr_mm", 12, 300)
    padding = _length(values, "padding_mm", f"{prefix}.padding_mm", 0, 20)
    if qr > min(height - 2 * EDGE_MM - 3, width * 0.6):
        raise _fail(f"{prefix}.qr_mm", "small enough to leave room for the text and short link "
                    f"on a {width:g} × {height:g} mm label", values["qr_mm"])
    return LabelSpec(width, height, qr, padding)


def parse_options(options: Mapping[str, Any] | None, root: Path,
                  languages: Sequence[str] = ("vi", "en"),
                  theme_dirs: Sequence[Path] = (PACKAGED,)) -> PrintSettings:
    """Checked print settings from the ``print_assets`` options; ``root`` is the folder
    font paths are relative to (the repository), ``theme_dirs`` where the default fonts
    are found."""
    top = _section(options, "", DEFAULTS)
    enabled = _flag(top, "enabled", "enabled")
    qr_size = _length(top, "qr_size_mm", "qr_size_mm", 5, 500)
    font = _font_path(top["font"], "font", root, theme_dirs)
    font_bold = _font_path(top["font_bold"], "font_bold", root, theme_dirs)
    second = top["second_language"]
    if second is not None and not isinstance(second, str):
        raise _fail("second_language", "a language code of the site or null", second)
    if second == "vi" or (second is not None and second not in languages):
        if "second_language" in (options or {}):
            raise _fail("second_language",
                        f"one of the site's other languages ({', '.join(languages)}) or null",
                        second)
        second = None

    label_values = _section(top["label"], "label", DEFAULTS["label"])
    label = _label(label_values, "label", "width_mm", "height_mm")
    crop_marks = _flag(label_values, "crop_marks", "label.crop_marks")

    s = _section(top["sheet"], "sheet", DEFAULTS["sheet"])
    sheet_label = _label(s, "sheet", "label_width_mm", "label_height_mm")
    for key, default in (("pitch_x_mm", sheet_label.width_mm),
                         ("pitch_y_mm", sheet_label.height_mm)):
        if s[key] is None:
            s[key] = default
    columns = _count(s, "columns", "sheet.columns", 20)
    rows = _count(s, "rows", "sheet.rows", 40)
    page_w, page_h = A4_MM
    margin_left = _length(s, "margin_left_mm", "sheet.margin_left_mm", 0, page_w)
    margin_top = _length(s, "margin_top_mm", "sheet.margin_top_mm", 0, page_h)
    pitch_x = _length(s, "pitch_x_mm", "sheet.pitch_x_mm", sheet_label.width_mm, page_w)
    pitch_y = _length(s, "pitch_y_mm", "sheet.pitch_y_mm", sheet_label.height_mm, page_h)
    for what, page, margin, count, pitch, size, names in (
            ("columns do not fit across", page_w, margin_left, columns, pitch_x,
             sheet_label.width_mm, ("margin_left_mm", "columns", "pitch_x_mm", "label_width_mm")),
            ("rows do not fit down", page_h, margin_top, rows, pitch_y,
             sheet_label.height_mm, ("margin_top_mm", "rows", "pitch_y_mm", "label_height_mm"))):
        extent = margin + (count - 1) * pitch + size
        if extent > page + 0.01:
            m, c, p, z = (f"'sheet.{name}'" for name in names)
            raise PrintOptionsError(
                f"print_assets: the sheet's {what} an A4 page ({page:g} mm): "
                f"{m} + ({c} - 1) × {p} + {z} = {extent:g} mm")
    sheet = SheetSpec(columns, rows, sheet_label, margin_left, margin_top, pitch_x, pitch_y)

    poster = _section(top["poster"], "poster", DEFAULTS["poster"])
    poster_qr = _length(poster, "qr_mm", "poster.qr_mm", 40, 150)
    return PrintSettings(enabled, qr_size, font, font_bold, second, label, crop_marks, sheet,
                         poster_qr)


# --------------------------------------------------------------------------
# Paths and sizes (also used by the page templates)
# --------------------------------------------------------------------------


def png_path(product_id: str) -> str:
    return f"qr/{product_id}.png"


def label_path(product_id: str) -> str:
    return f"print/products/{product_id}.pdf"


def sheet_path(point_id: str) -> str:
    return f"print/sales-points/{point_id}-labels.pdf"


def poster_path(point_id: str) -> str:
    return f"print/sales-points/{point_id}-poster.pdf"


def png_geometry(modules: int, size_mm: float) -> tuple[int, int, float]:
    """(pixels per module, pixels on a side, real size in mm) of the PNG of a symbol of
    ``modules`` modules: the largest whole number of pixels per module that keeps the
    symbol and its quiet zone within ``size_mm`` at 300 dpi (at least 1)."""
    side_modules = modules + 2 * QUIET_ZONE
    limit = math.floor(size_mm / 25.4 * DPI + 1e-9)
    scale = max(1, limit // side_modules)
    pixels = scale * side_modules
    return scale, pixels, pixels / DPI * 25.4
