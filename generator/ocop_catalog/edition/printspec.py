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
      fallback_fonts: []             # TrueType files for characters the fonts lack
                                     # (e.g. a CJK font for second_language: zh)
      second_language: en            # printed under the Vietnamese (null: none)
      colour: null                   # the labels' band, "#rrggbb"; null: the site's own
                                     # colour (--green in the theme's assets/ocop.css)
      label: {width_mm: 60, height_mm: 40, qr_mm: 24, padding_mm: 2.5, crop_marks: true,
              bleed_mm: 3}
      sheet: {columns: 3, rows: 8, label_width_mm: 70, label_height_mm: 37,
              margin_left_mm: 0, margin_top_mm: 0.5, pitch_x_mm: 70, pitch_y_mm: 37,
              qr_mm: 26, padding_mm: 3}
      poster: {qr_mm: 130}

``qr_mm`` is the side of the QR with its quiet zone; the module size is that
divided by the symbol's modules plus 8. ``label`` sizes are the trim size (what the
product page states); the label's PDF adds ``bleed_mm`` of bleed on every side
(its BleedBox; the coloured band runs into it) and, with ``crop_marks``, a slug with
crop marks outside the bleed. Invalid options raise :class:`PrintOptionsError` (a
``ValueError``) naming the option.

Fonts must have TrueType outlines (``.ttf``, or the first font of a ``.ttc``): the
PDFs embed subsets of them. The theme's DejaVu Sans covers Vietnamese and English, not
Chinese, Japanese or Korean: a catalog that prints ``second_language: zh`` names a CJK
TrueType font in ``fallback_fonts``; characters no font has are left out.

The colour of the band is the site's: the ``--green`` custom property of the theme's
``assets/ocop.css`` (an ``overrides/assets/ocop.css`` changes both), which is the
header's and the links' colour; ``colour`` sets another for print only. The text on
the band is white or black, whichever contrasts more (at least 4.5:1 either way).
"""

from __future__ import annotations

import hashlib
import math
import re
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
#: The slug of a label with crop marks: the marks run from ``bleed_mm`` + 0.5 mm to
#: ``SLUG_MM`` - 0.5 mm outside the trim (at least 5 mm beyond the bleed).
SLUG_MM = 8.0

#: The theme's style sheet, whose ``--green`` is the site's colour (its header, menu and
#: links) and the print assets' unless ``colour`` is given.
STYLESHEET = "assets/ocop.css"
#: The site's colour where a style sheet does not say it (the packaged one's).
SITE_COLOUR = "#1b5e20"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SITE_COLOUR = re.compile(r"--green\s*:\s*(#[0-9a-fA-F]{6})\b")

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "qr_size_mm": 25,
    "font": None,
    "font_bold": None,
    "fallback_fonts": [],
    "second_language": "en",
    "colour": None,
    "label": {"width_mm": 60, "height_mm": 40, "qr_mm": 24, "padding_mm": 2.5,
              "crop_marks": True, "bleed_mm": 3},
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
    #: Bleed around the product label's trim, on every side.
    bleed_mm: float = 3.0
    #: The catalog's colour, "#rrggbb" (the ``colour`` option or the site's).
    colour: str = SITE_COLOUR
    #: Fonts for the characters ``font`` and ``font_bold`` lack, first wins.
    fallback_fonts: tuple[Path, ...] = ()

    @property
    def slug_mm(self) -> float:
        """What the product label's PDF adds around the trim on each side: the bleed,
        and with crop marks the slug they stand in."""
        return max(SLUG_MM, self.bleed_mm + 5) if self.crop_marks else self.bleed_mm


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
    if value is None and name in THEME_FONTS:
        return find(theme_dirs, THEME_FONTS[name])
    if not isinstance(value, str) or not value.strip():
        raise _fail(name, "the path of a TrueType font file", value)
    path = Path(value)
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise PrintOptionsError(f"print_assets: option '{name}': no such font file: {path}")
    return path


def site_colour(theme_dirs: Sequence[Path] = (PACKAGED,)) -> str:
    """The site's colour, "#rrggbb": the first ``--green: #rrggbb`` of the theme's style
    sheet (an override's first), :data:`SITE_COLOUR` if it has none."""
    try:
        found = _SITE_COLOUR.search(find(theme_dirs, STYLESHEET).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        found = None
    return found.group(1).lower() if found else SITE_COLOUR


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
    and the style sheet that gives the site's colour are found."""
    top = _section(options, "", DEFAULTS)
    enabled = _flag(top, "enabled", "enabled")
    qr_size = _length(top, "qr_size_mm", "qr_size_mm", 5, 500)
    font = _font_path(top["font"], "font", root, theme_dirs)
    font_bold = _font_path(top["font_bold"], "font_bold", root, theme_dirs)
    fallback = top["fallback_fonts"]
    if fallback is None:
        fallback = []
    if isinstance(fallback, str) or not isinstance(fallback, Sequence) or len(fallback) > 8:
        raise _fail("fallback_fonts", "a list of at most 8 TrueType font files", fallback)
    fallback_fonts = tuple(_font_path(f, "fallback_fonts", root, theme_dirs) for f in fallback)
    colour = top["colour"]
    if colour is None:
        colour = site_colour(theme_dirs)
    elif not isinstance(colour, str) or not _HEX.match(colour):
        raise _fail("colour", 'a colour written "#rrggbb" (or null: the site\'s, --green '
                    'in assets/ocop.css)', colour)
    colour = colour.lower()
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
    bleed = _length(label_values, "bleed_mm", "label.bleed_mm", 0, 10)

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
                         poster_qr, bleed, colour, fallback_fonts)


# --------------------------------------------------------------------------
# Paths and sizes (also used by the page templates)
# --------------------------------------------------------------------------


def png_path(product_id: str) -> str:
    return f"qr/{product_id}.png"


def label_path(product_id: str) -> str:
    return f"print/products/{product_id}.pdf"


def lot_file_name(code: str) -> str:
    """A lot code as a file name that any file system and URL take as it is: characters
    other than A-Z a-z 0-9 . _ - become "_", followed then by a short hash of the code
    (so that two codes never share a file)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", code)
    if safe != code or safe.startswith("."):
        safe = f"{safe}-{hashlib.sha256(code.encode()).hexdigest()[:8]}"
    return safe


def lot_label_path(product_id: str, code: str) -> str:
    """A production lot's label: its own QR code (the lot's GS1 Digital Link)."""
    return f"print/lots/{product_id}/{lot_file_name(code)}.pdf"


def lot_png_path(product_id: str, code: str) -> str:
    """A production lot's QR code as a PNG at 300 dpi."""
    return f"qr/lots/{product_id}/{lot_file_name(code)}.png"


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
