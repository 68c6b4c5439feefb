"""Print assets: QR PNGs at 300 dpi, product labels, shelf-label sheets, posters.

For every product:

* ``qr/<id>.png``: its QR symbol (error correction M, quiet zone of 4
  modules) as a 1-bit PNG at 300 dpi, with a whole number of pixels per
  module chosen so that the symbol with its quiet zone is as large as
  possible without exceeding ``qr_size_mm`` (:func:`png_geometry` gives the
  real size, which the product page states);
* ``print/products/<id>.pdf``: one label a producer can send to a print shop
  (the catalog's name on a band of its colour, name in Vietnamese and English,
  OCOP stars, price and unit, producer, the QR and the short link written under
  it): TrimBox the label's size, a bleed around it (3 mm by default; the band runs
  into it; BleedBox), crop marks outside the bleed and the trim size stated below.

For every sales point with products:

* ``print/sales-points/<id>-labels.pdf``: A4 sheets of shelf labels for the
  products sold there, laid out for common die-cut label sheets (3 × 8 labels
  of 70 × 37 mm by default, like Avery 3474 or Tanex);
* ``print/sales-points/<id>-poster.pdf``: an A4 poster "scan to see every
  OCOP product sold here" whose QR leads to the point's page.

The options (``print_assets:``) are the edition's print specification
(:mod:`ocop_catalog.edition.printspec`): the pages state the sizes they set.

PDFs are drawn by :mod:`ocop_catalog.outputs.printing.drawing` (TrueType subsets
embedded with ReportLab's fonts, no Type 3 fonts), in worker processes, and every file is cached
under the cache folder by a hash of everything that shapes its bytes, so a rebuild
draws only what changed. The cache keeps one folder per :func:`fingerprint` (the
drawing code, fonts and options: :func:`_open_store`), the last two used
(:func:`ocop_catalog.housekeeping.keep_newest`), and once a day what no site links to
and no sheet of this catalog would place is deleted from it (:func:`_sweep`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import struct
import sys
import zlib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from functools import cached_property
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageOps

from ...edition import Edition
from ...edition.images import atomic_write, place, regular_file
from ...edition import printspec
from ...edition.printspec import (DPI, EDGE_MM, LabelSpec, PrintOptionsError, PrintSettings,
                                  SheetSpec, file_digest, label_path, lot_label_path,
                                  lot_png_path, png_geometry, png_path, poster_path, sheet_path)
from ...edition.qr import DRAWING_VERSION, QUIET_ZONE, dark_runs, symbol
from ...edition.keys import Keys, digest
from ...housekeeping import (delete, discard, entries, keep_newest, links, no_links, recent,
                             remove_files_later, sweep_due, swept, unlinked)
from ...parallel import can_fork, forked_pool, shared
from ...records.decoded import read_signed, write_signed
from ...reuse import Reuse, write_new
from .. import Output, Run
from . import drawing
from .drawing import A4, MM, SCALE, Drawing, Page, Style, ink_on, rgb, write_pdf

log = logging.getLogger("ocop_catalog.outputs.printing")

#: Changes whenever the same input could give different bytes (caches key on it): the
#: drawing code itself (this module and the PDF drawing) and its libraries are part of it.
PRINT_VERSION = "|".join((
    "print-2", drawing.ENGINE, DRAWING_VERSION, f"Pillow {PIL.__version__}",
    hashlib.sha256(b"".join(Path(module.__file__).read_bytes()
                            for module in (sys.modules[__name__], drawing,
                                           printspec))).hexdigest(),
))


def fingerprint(settings: PrintSettings) -> str:
    """Everything of the settings, fonts and drawing code that shapes a file's bytes."""
    digest = hashlib.sha256(PRINT_VERSION.encode())
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, Path):  # a font: its content, wherever the checkout is
            value = file_digest(value)
        elif isinstance(value, tuple) and all(isinstance(v, Path) for v in value):
            value = tuple(file_digest(v) for v in value)
        digest.update(f"{f.name}={value!r}\n".encode())
    return digest.hexdigest()


#: Fewer products than this per worker process are drawn in one process.
PRODUCTS_PER_WORKER = 100
#: How far inside a die-cut sheet label's edges its band stays (sheets are cut off by a
#: millimetre or so, and office printers cannot print to the paper's edge).
SHEET_INSET_MM = 1.5


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def qr_png(n: int, pixels: bytes, scale: int) -> bytes:
    """The symbol (as :func:`symbol` gives it) as a 1-bit greyscale PNG at 300 dpi (pHYs),
    ``scale`` pixels a module, with its quiet zone."""
    side = n + 2 * QUIET_ZONE
    width = side * scale
    # one pixel row per module row, widened and packed 8 pixels a byte (1 = white) by
    # Pillow; each is then repeated ``scale`` times (PNG filter "up": a row of zeros)
    image = ImageOps.expand(Image.frombytes("L", (n, n), pixels), QUIET_ZONE, 255)
    packed = image.resize((width, side), Image.Resampling.NEAREST).convert(
        "1", dither=Image.Dither.NONE).tobytes()
    stride = (width + 7) // 8
    same = b"\x02" + bytes(stride)
    rows = b"".join(b"\x00" + packed[i * stride:(i + 1) * stride] + same * (scale - 1)
                    for i in range(side))
    per_metre = round(DPI / 0.0254)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 1, 0, 0, 0, 0)),
        _png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        _png_chunk(b"IDAT", zlib.compress(rows, 6)),
        _png_chunk(b"IEND", b""),
    ))


# --------------------------------------------------------------------------
# What a label says
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelText:
    """The words and the QR text of a product label (input of its drawing)."""

    product_id: str
    target: str  # what the QR holds
    url: str  # the short link, to type
    name: str
    name2: str  # in the second language, or ""
    stars: int
    stars_text: str
    price: str
    unit: str
    producer: str
    #: The catalog's name and short name (identity), on the label's band.
    brand: str = ""
    brand_short: str = ""


_UNCLEAN = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def _clean(text: str) -> str:
    """One line of text: control characters and runs of white space made single spaces."""
    if text.isprintable() and "  " not in text:
        # no control character, no white space but single ASCII spaces (every other is
        # not printable): what the substitution would give back unchanged (most texts)
        return text.strip()
    return _UNCLEAN.sub(" ", text).strip()


def _typed(url: str) -> str:
    return re.sub(r"^https?://", "", url)


def label_text(edition: Edition, product, second: str | None) -> LabelText:
    """What ``product``'s labels say: Vietnamese, and ``second`` where the record has it."""
    r = product.record
    vi = edition.translator("vi")
    name = _clean(r.name("vi"))
    stars_text = vi("stars.label", n=product.certification.stars)
    name2 = unit2 = ""
    if second:
        t2 = edition.translator(second)
        if t2.has(r.name) and _clean(r.name(second)) != name:
            name2 = _clean(r.name(second))
        stars_text += " · " + t2("stars.label", n=product.certification.stars)
    amount = r.offer_price
    price = vi.price(amount) if amount else ""
    unit = ""
    if r.price:
        unit = vi("product.per", unit=_clean(r.price.unit("vi")))
        if second and t2.has(r.price.unit) and r.price.unit(second) != r.price.unit("vi"):
            unit2 = _clean(r.price.unit(second))
    elif amount:  # a tourism service's price per person
        unit = vi("print.per_person")
        if second:
            unit2 = t2("print.per_person")
    if unit2:
        unit += f" ({unit2})"
    producer = _clean(edition.producer_of(product).record.name("vi"))
    return LabelText(product.id, edition.qr_target(product), _typed(edition.short_url(product)),
                     name, name2, product.certification.stars, _clean(stars_text),
                     _clean(price), unit, producer, *_brand(edition))


def lot_label_text(edition: Edition, product, lot, second: str | None) -> LabelText:
    """A lot's label: the product's, with the lot's QR code (its GS1 Digital Link, with
    ``?17=<YYMMDD>`` when it has an expiry) and, where the price stands, the lot code and
    its dates (NSX: production, HSD: expiry; in English too)."""
    base = label_text(edition, product, second)
    vi = edition.translator("vi")
    dates: list[str] = []  # the expiry first: if the label cuts a line, it cuts the other date
    if lot.expires:
        dates.append(f"HSD/EXP {lot.expires.strftime('%d/%m/%Y')}")
    if lot.produced:
        dates.append(f"NSX/MFG {lot.produced.strftime('%d/%m/%Y')}")
    target = edition.lot_qr_target(product, lot)
    return replace(base, target=target, url=_typed(target.partition("?")[0]),
                   price=_clean(vi("lot.title", lot=lot.code)), unit=" · ".join(dates))


def _brand(edition: Edition) -> tuple[str, str]:
    """The catalog's name and short name in Vietnamese (``identity:``)."""
    vi = edition.translator("vi")
    return _clean(vi("site.name")), _clean(vi("site.short_name"))


# --------------------------------------------------------------------------
# Text layout
# --------------------------------------------------------------------------

ELLIPSIS = "…"
#: Baseline below the top of a line, and line advance, in ems (DejaVu's accented
#: capitals reach 1.03 em, descenders 0.23 em).
ASCENT = 1.0
LEADING = 1.2
DESCENT = 0.25


def _ellipsize(font: Style, text: str, size: float, width: float) -> str:
    """``text``, or as much of it as fits in ``width`` points followed by "…"."""
    if font.width(text, size) <= width:
        return text
    text = text[:_fitting(font, text, size, width - font.width(ELLIPSIS, size))]
    return text.rstrip(" ,.;:·-/(") + ELLIPSIS if text else ""


def _fitting(font: Style, text: str, size: float, width: float) -> int:
    """How many characters of ``text`` fit in ``width`` points."""
    limit = width / (size * SCALE)
    return bisect_right(list(accumulate(map(font.advance.get, text, repeat(0)))), limit)


def wrap(font: Style, text: str, size: float, width: float, max_lines: int,
         first_width: float | None = None) -> list[str]:
    """``text`` in at most ``max_lines`` lines of ``width`` points, broken after spaces
    and hyphens (inside a word only if it must), ellipsis at the end if cut. The first
    line may be narrower (``first_width``); it is "" when not even a word fits there."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        room = first_width if first_width is not None and not lines else width
        if font.width(rest, size) <= room:
            lines.append(rest)
            break
        if len(lines) == max_lines - 1:
            lines.append(_ellipsize(font, rest, size, room))
            break
        cut = _fitting(font, rest, size, room)
        space = rest.rfind(" ", 0, cut + 1)
        hyphen = rest.rfind("-", 1, cut)
        end = max(space, hyphen + 1 if hyphen > 0 else -1)
        if end <= 0:
            if room < width:  # start on the next, full line
                lines.append("")
                continue
            end = max(cut, 1)
        lines.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    return lines


@dataclass
class _Block:
    """Lines of one font and size; a line may end in a smaller regular part."""

    #: (font key, text, size, regular text after it, its size)
    lines: list[tuple[str, str, float, str, float]]
    #: whether every word is shown (not cut with an ellipsis)
    whole: bool = True

    @property
    def height(self) -> float:
        return sum(line[2] * LEADING for line in self.lines)


def _text_block(fonts, key, text, size, width, max_lines) -> _Block:
    lines = wrap(fonts[key], text, size, width, max_lines)
    whole = not (lines and lines[-1].endswith(ELLIPSIS) and not text.endswith(ELLIPSIS))
    return _Block([(key, line, size, "", 0.0) for line in lines], whole)


def _pair_line(fonts, first: str, second: str, size: float, small: float,
               width: float, max_lines: int = 1) -> _Block:
    """A bold part (stars, price) followed by a smaller regular part that goes on to
    further lines (up to ``max_lines`` in all) if it must, cut to ``width``."""
    bold, regular = fonts["B"], fonts["R"]
    first = _ellipsize(bold, first, size, width)
    second = second.strip()
    if not second:
        return _Block([("B", first, size, "", small)])
    rest = width - bold.width(first + " ", size)
    parts = wrap(regular, second, small, width, max_lines, first_width=max(rest, 0.0))
    if not parts:
        return _Block([("B", first, size, "", small)])
    lines = [("B", first, size, " " + parts[0] if parts[0] else "", small)]
    lines += [("R", part, small, "", 0.0) for part in parts[1:]]
    return _Block(lines)


def _draw_blocks(d: Drawing, fonts, blocks: list[_Block], x: float, top: float,
                 gap: float, align_width: float | None = None) -> float:
    """Draw ``blocks`` (black) from ``top`` down; the y below the last line. Centred in
    ``align_width`` when given."""
    y = top
    for i, block in enumerate(blocks):
        if i:
            y -= gap
        for key, text, size, second, small in block.lines:
            baseline = y - ASCENT * size
            left = x
            if align_width is not None:
                line_w = fonts[key].width(text, size) + (
                    fonts["R"].width(second, small) if second else 0)
                left = x + (align_width - line_w) / 2
            d.text(key, size, left, baseline, text)
            if second:
                d.text("R", small, left + fonts[key].width(text, size), baseline, second)
            y -= size * LEADING
    return y


def _url_lines(font: Style, url: str, width: float) -> tuple[list[str], float]:
    size = 6.5
    while size > 4.5 and font.width(url, size) > width:
        size -= 0.25
    if font.width(url, size) <= width:
        return [url], size
    host, _, path = url.partition("/")
    if font.width(path, size) <= width:
        return [_ellipsize(font, host + "/", size, width), path], size
    # a longer path (a lot's Digital Link, 01/<GTIN>/10/<lot>): broken after a "/", on
    # two lines at most
    parts, lines = re.findall(r"[^/]*/|[^/]+$", path), [""]
    for part in parts:
        if lines[-1] and len(lines) < 2 and font.width(lines[-1] + part, size) > width:
            lines.append("")
        lines[-1] += part
    return [_ellipsize(font, host + "/", size, width),
            *(_ellipsize(font, line, size, width) for line in lines)], size


#: Font-size scales tried, largest first, to show the names whole: (scale, lines of the
#: name, of the second name, of the producer, of the stars and of the price lines).
_WHOLE = tuple((scale, 3, 3, 2, 2) for scale in (1.0, 0.92, 0.85, 0.78))
#: Then, for names too long for the label, fewer lines until the text fits (cut).
_FITS = ((1.0, 3, 2, 2, 2), (0.92, 3, 2, 1, 1), (0.85, 2, 2, 1, 1), (0.78, 2, 1, 1, 1),
         (0.72, 2, 1, 1, 1), (0.72, 1, 1, 1, 1), (0.66, 1, 1, 1, 1))


def _label_blocks(fonts, text: LabelText, width: float, scale: float, name_lines: int,
                  name2_lines: int, producer_lines: int, pair_lines: int) -> list[_Block]:
    blocks = [_text_block(fonts, "B", text.name, 9 * scale, width, name_lines)]
    if text.name2:
        blocks.append(_text_block(fonts, "R", text.name2, 7 * scale, width, name2_lines))
    blocks.append(_pair_line(fonts, "★" * text.stars, text.stars_text,
                             8 * scale, 6 * scale, width, pair_lines))
    if text.price:
        blocks.append(_pair_line(fonts, text.price, text.unit, 8.5 * scale,
                                 6.5 * scale, width, pair_lines))
    blocks.append(_text_block(fonts, "R", text.producer, 6.5 * scale, width, producer_lines))
    return blocks


def _band_height(h: float) -> float:
    """The height of the catalog's band on a label ``h`` points high."""
    return min(max(h * 0.12, 4 * MM), 7 * MM)


def _brand_line(fonts, text: LabelText, size: float, width: float) -> str:
    """The catalog's name if it fits ``width``, else its short name (cut if it must)."""
    bold = fonts["B"]
    for name in (text.brand, text.brand_short):
        if name and bold.width(name, size) <= width:
            return name
    return _ellipsize(bold, text.brand_short or text.brand, size, width)


def draw_label(fonts, spec: LabelSpec, text: LabelText, qr: tuple, n: int, colour: str, *,
               bleed: float = 0.0, inset: float = 0.0) -> Drawing:
    """A label of ``spec``'s size with its origin at the bottom-left corner. Its top is
    a band of the catalog's ``colour`` with the catalog's name, running ``bleed``
    points past the top, left and right edges (a label to be cut), or kept ``inset``
    points inside them (a label on a die-cut sheet, which may be cut a little off)."""
    d = Drawing()
    w, h = spec.width_mm * MM, spec.height_mm * MM
    pad, edge = spec.padding_mm * MM, EDGE_MM * MM
    regular = fonts["R"]
    band_h = _band_height(h)
    band_bottom = h - inset - band_h

    # the QR (at the right) and the short link under it; below the band if they fit
    # there, else the band stops left of the QR's quiet zone
    side = spec.qr_mm * MM
    lines, url_size = _url_lines(regular, text.url, side)
    url_h = len(lines) * url_size * LEADING
    room = band_bottom - 2 * edge
    full_band = room >= side + url_h
    if full_band:
        qy = edge + url_h + (room - side - url_h) / 2
    else:
        side = min(side, h - 2 * edge - url_h)
        qy = (h + url_h - side) / 2  # centred top to bottom: away from the edges
    qx = w - edge - side
    d.qr(qr, n, qx, qy, side)
    y = qy
    for line in lines:
        y -= url_size * LEADING
        lw = regular.width(line, url_size)
        d.text("R", url_size, qx + (side - lw) / 2, y + DESCENT * url_size, line)

    # the band and the catalog's name on it
    fill = rgb(colour)
    x0 = inset if inset else -bleed
    x1 = (w - inset if inset else w + bleed) if full_band else qx - edge
    top = h - inset if inset else h + bleed
    d.rect(x0, band_bottom, x1 - x0, top - band_bottom, fill, radius=MM if inset else 0.0)
    size = min(8.0, band_h * 0.45)
    left = max(pad, inset + 1.2 * MM)
    brand = _brand_line(fonts, text, size, x1 - left - 1.2 * MM)
    cap = 0.73 * size  # DejaVu's capital height
    d.text("B", size, left, band_bottom + (band_h - cap) / 2, brand, ink_on(fill))

    # the words, in the column left of the QR, under the band
    width = qx - pad - 0.5 * MM
    gap = 1.2 * MM
    avail = band_bottom - gap - pad
    blocks: list[_Block] = []
    names = 2 if text.name2 else 1
    for fit in _WHOLE:
        blocks = _label_blocks(fonts, text, width, *fit)
        if all(b.whole for b in blocks[:names]) and _stack_height(blocks, 1.2) <= avail:
            break
    else:
        for fit in _FITS:
            blocks = _label_blocks(fonts, text, width, *fit)
            if _stack_height(blocks, 1.2) <= avail:
                break
        else:
            # still too tall (a very small label): the producer goes, then the second
            # name, then whatever is at the bottom
            blocks.pop()
            if text.name2 and _stack_height(blocks, 1.2) > avail:
                blocks.pop(1)
            while len(blocks) > 1 and _stack_height(blocks, 1.2) > avail:
                blocks.pop()
    _draw_blocks(d, fonts, blocks, pad,
                 band_bottom - gap - max(0.0, avail - _stack_height(blocks, 1.2)) / 2, 1.2)
    return d


def _stack_height(blocks: list[_Block], gap: float) -> float:
    if not blocks:
        return 0.0
    height = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
    last = blocks[-1].lines[-1][2] if blocks[-1].lines else 0
    return height - last * (LEADING - ASCENT - DESCENT)


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


def product_label_pdf(fonts, settings: PrintSettings, text: LabelText, qr: tuple,
                      n: int) -> bytes:
    """The label, its bleed, and with crop marks the slug they stand in."""
    spec = settings.label
    bleed, slug = settings.bleed_mm * MM, settings.slug_mm * MM
    label = draw_label(fonts, spec, text, qr, n, settings.colour, bleed=bleed)
    w, h = spec.width_mm * MM, spec.height_mm * MM
    d = Drawing()
    d.place(label, slug, slug)
    if settings.crop_marks:
        near, far = bleed + 0.5 * MM, slug - 0.5 * MM  # outside the bleed
        marks = []
        for x in (slug, slug + w):
            marks += [(x, slug - far, x, slug - near), (x, slug + h + near, x, slug + h + far)]
        for y in (slug, slug + h):
            marks += [(slug - far, y, slug - near, y), (slug + w + near, y, slug + w + far, y)]
        d.lines(marks, 0.25)
        # outside the bleed: the trim size below (it must be read whole), which
        # product this is above
        size, room, regular = 5.0, w - 4 * MM, fonts["R"]
        trim = f"{spec.width_mm:g} × {spec.height_mm:g} mm"
        notes = [f"Kích thước cắt / Trim size: {trim}" + (
            f" · bleed {settings.bleed_mm:g} mm" if bleed else ""), f"Trim: {trim}"]
        note = next((n for n in notes if regular.width(n, size) <= room), notes[-1])
        middle = (slug - bleed) / 2 - 0.35 * size  # a baseline halfway through the slug
        for line, y in ((note, middle), (_ellipsize(regular, text.product_id, size, room),
                                         slug + h + bleed + middle)):
            d.text("R", size, slug + (w - regular.width(line, size)) / 2, y, line)
    trim = (slug, slug, slug + w, slug + h)
    bleed_box = (slug - bleed, slug - bleed, slug + w + bleed, slug + h + bleed)
    page = Page(d, w + 2 * slug, h + 2 * slug, trim, bleed_box)
    return write_pdf(fonts, [page], title=text.name, author=text.brand)


def sheet_page(sheet: SheetSpec, labels: Sequence[Drawing]) -> Drawing:
    """One A4 page of shelf labels (at most ``sheet.per_page``), where the sheet's labels
    are."""
    page_h = A4[1]
    lh = sheet.label.height_mm * MM
    d = Drawing()
    for i, label in enumerate(labels):
        row, col = divmod(i, sheet.columns)
        x = (sheet.margin_left_mm + col * sheet.pitch_x_mm) * MM
        y = page_h - (sheet.margin_top_mm + row * sheet.pitch_y_mm) * MM - lh
        d.place(label, x, y)
    return d


def _sorted_characters(found: dict[str, set[str]]) -> dict[str, str]:
    return {name: "".join(sorted(chars)) for name, chars in sorted(found.items())}


@dataclass(frozen=True)
class PosterText:
    point_id: str
    target: str
    url: str
    site_name: str
    title: str
    title2: str
    name: str
    name2: str
    address: str
    count: str
    #: The office that keeps the catalog, with its contact (from the identity options).
    office: str = ""


def poster_text(edition: Edition, point, second: str | None) -> PosterText:
    vi = edition.translator("vi")
    t2 = edition.translator(second) if second else None
    commune = edition.catalog.communes[point.address.commune]
    street = _clean(point.address.street("vi")) if point.address.street else ""
    address = ", ".join(x for x in (street, _clean(commune.name("vi"))) if x)
    n = len(edition.catalog.products_at(point.id))
    count = vi("print.poster_count", n=n)
    name2 = ""
    if t2 and t2.has(point.name) and _clean(point.name(second)) != _clean(point.name("vi")):
        name2 = _clean(point.name(second))
    if t2:
        count += " · " + t2("print.poster_count", n=n)
    target = edition.point_qr_target(point)
    office = " · ".join(_clean(vi(key)) for key in ("office.name", "office.phone",
                                                     "office.email", "office.website")
                        if vi(key) != key and vi(key))
    return PosterText(point.id, target, _typed(target), _clean(vi("site.name")),
                      _clean(vi("print.poster_title")),
                      _clean(t2("print.poster_title")) if t2 else "",
                      _clean(point.name("vi")), name2, address, _clean(count), office)


def poster_pdf(fonts, settings: PrintSettings, text: PosterText, qr: tuple, n: int) -> bytes:
    """An A4 poster: the catalog's name on a band of its colour, what to do, the QR
    (``poster.qr_mm``), its short link, the point; 18 mm margins, which office
    printers reach."""
    page_w, page_h = A4
    margin = 18 * MM
    width = page_w - 2 * margin
    side = settings.poster_qr_mm * MM
    url_size = 16.0
    while url_size > 9 and fonts["R"].width(text.url, url_size) > width:
        url_size -= 0.5
    url = _ellipsize(fonts["R"], text.url, url_size, width)
    gap = 7 * MM
    band_pad = 3 * MM

    def layout(scale: float):
        site = [_text_block(fonts, "B", text.site_name, 16 * scale, width - 2 * band_pad, 2)]
        head = [_text_block(fonts, "B", text.title, 30 * scale, width, 3)]
        if text.title2:
            head.append(_text_block(fonts, "R", text.title2, 20 * scale, width, 2))
        foot = [_text_block(fonts, "B", text.name, 24 * scale, width, 3)]
        if text.name2:
            foot.append(_text_block(fonts, "R", text.name2, 16 * scale, width, 2))
        if text.address:
            foot.append(_text_block(fonts, "R", text.address, 12 * scale, width, 2))
        foot.append(_text_block(fonts, "R", text.count, 12 * scale, width, 1))
        if text.office:
            foot.append(_text_block(fonts, "R", text.office, 10 * scale, width, 2))
        height = (_stack_height(site, 0) + 2 * band_pad + 6 * MM + _stack_height(head, 4)
                  + gap + side + url_size * LEADING + gap + _stack_height(foot, 5))
        fits = height <= page_h - 2 * margin
        return site, head, foot, fits, fits and all(b.whole for b in head + foot[:2])

    # the largest text that shows every word, else the largest that fits
    layouts = [layout(scale) for scale in (1.0, 0.85, 0.7, 0.6, 0.5)]
    site, head, foot, _, _ = next((x for x in layouts if x[4]),
                                  next((x for x in layouts if x[3]), layouts[-1]))
    d = Drawing()
    fill = rgb(settings.colour)
    band_h = _stack_height(site, 0) + 2 * band_pad
    d.rect(margin, page_h - margin - band_h, width, band_h, fill, radius=2 * MM)
    ink = ink_on(fill)
    y = page_h - margin - band_pad
    for key, line, size, _, _ in site[0].lines:
        lw = fonts[key].width(line, size)
        d.text(key, size, margin + (width - lw) / 2, y - ASCENT * size, line, ink)
        y -= size * LEADING
    y = _draw_blocks(d, fonts, head, margin, page_h - margin - band_h - 6 * MM, 4, width)
    qx, qy = (page_w - side) / 2, y - gap - side
    d.qr(qr, n, qx, qy, side)
    uw = fonts["R"].width(url, url_size)
    d.text("R", url_size, (page_w - uw) / 2, qy - url_size * ASCENT, url)
    _draw_blocks(d, fonts, foot, margin, qy - url_size * LEADING - gap, 5, width)
    return write_pdf(fonts, [Page(d, page_w, page_h)], title=f"{text.title} · {text.name}",
                     author=text.site_name)


# --------------------------------------------------------------------------
# Fonts, once per build (and shared with worker processes by fork)
# --------------------------------------------------------------------------

#: The label fonts loaded in this process by the digests of their files, the latest used
#: last; at most :data:`FONTS_KEPT` (a process that builds again, ``ocop serve``, while
#: the office tries one font file after another, keeps the last few, not every one).
_FONTS: dict[tuple[str, ...], dict[str, Style]] = {}
FONTS_KEPT = 2


def load_fonts(settings: PrintSettings, print_cache: Path) -> dict[str, Style]:
    """The label fonts, prepared (cached under the print cache's ``fonts/``) and
    registered."""
    paths = (("font", settings.font), ("font_bold", settings.font_bold),
             *(("fallback_fonts", path) for path in settings.fallback_fonts))
    key = tuple(file_digest(path) for _, path in paths)
    if key in _FONTS:
        _FONTS[key] = _FONTS.pop(key)  # the latest used, last
    else:
        while len(_FONTS) >= FONTS_KEPT:
            del _FONTS[next(iter(_FONTS))]
        drawing.keep_faces(face.name for styles in _FONTS.values()
                           for style in styles.values() for face in style.faces)
        faces: dict[str, list[drawing.Face]] = {}
        prepared = print_cache / "fonts"
        for option, path in paths:
            try:
                faces.setdefault(option, []).append(drawing.load_face(path, prepared))
            except ValueError as exc:
                raise PrintOptionsError(f"print_assets: option '{option}': {exc}") from None
        fallback = faces.get("fallback_fonts", [])
        _FONTS[key] = {"R": Style([*faces["font"], *fallback]),
                       "B": Style([*faces["font_bold"], *fallback])}
    return _FONTS[key]


# --------------------------------------------------------------------------
# Writing, cached and in worker processes
# --------------------------------------------------------------------------


def _key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@dataclass
class _Plan:
    settings: PrintSettings
    #: :func:`fingerprint` of the settings
    fingerprint: str
    fonts: dict[str, Style]
    site_dir: Path
    cache_dir: Path
    texts: list[LabelText]
    #: ids of the products whose shelf label a sheet to draw needs
    sheet_products: frozenset[str]
    #: (kind, point id, cache key, (title, products' label texts) or poster text)
    documents: list[tuple[str, str, str, Any]]
    #: the shelf labels the sheets to draw need (by product id), drawn by any process
    fragments: dict[str, Drawing]
    #: the products' QR symbols (by product id), from the edition
    symbols: Callable[[str], tuple[int, bytes]]
    #: whether kept labels and pages whose stat signature differs may be read by the
    #: SHA-256 their own signatures hold (:func:`_kept_file`): an incremental build whose
    #: record of the site taken over lists any store (:attr:`.Reuse.restored`)
    restored: bool = False

    @cached_property
    def face_names(self) -> frozenset[str]:
        """The names of the faces the styles draw with."""
        return frozenset(face.name for style in self.fonts.values() for face in style.faces)


def _cached(plan: _Plan, key: str, ext: str, target: str, draw) -> None:
    """Put the file cached as ``key`` at ``target`` in the site, drawing (and caching) it
    first if it is not cached. The site file and the cached one are hard links to one file
    where the file system allows, so tens of thousands of files are written once: a cached
    file is linked into the site (one call when the site has no file there, as in a new
    site), and a file drawn is written into the site, then linked into the cache whole (a
    build never sees a cached file half written). Only a regular file counts as cached
    (:func:`ocop_catalog.edition.images.regular_file`); anything else there is replaced by
    the file drawn. See :func:`ocop_catalog.edition.images.place`."""
    cached = plan.cache_dir / f"{key}.{ext}"
    site_file = plan.site_dir / target
    if regular_file(cached):
        try:
            os.link(cached, site_file)
            return
        except FileNotFoundError:  # the site's folder not made yet (or the entry swept)
            if regular_file(cached):
                site_file.parent.mkdir(parents=True, exist_ok=True)
                place(cached, site_file)
                return
        except OSError:  # a file there (a spare site's: replaced atomically), or no links
            place(cached, site_file)
            return
    data = draw()
    try:
        write_new(site_file, data)
    except FileNotFoundError:  # the site's folder not made yet
        site_file.parent.mkdir(parents=True, exist_ok=True)
        write_new(site_file, data)
    try:
        os.link(site_file, cached)
    except FileExistsError:  # another build cached it meanwhile (the same bytes), or a
        if not regular_file(cached):  # link or folder a pull request put there: replaced
            with contextlib.suppress(OSError):  # a folder: left, never a cached file
                place(site_file, cached)
    except OSError:  # the cache's folder deleted meanwhile, or no links here: a copy
        with contextlib.suppress(OSError):
            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cached, data)


def _symbol_of(plan: _Plan, product_id: str) -> Callable[[], list]:
    """``[pixels, dark runs, modules on a side]`` of the product's QR symbol, made when
    first asked for (a kept label needs none)."""
    made: list = []

    def modules() -> list:
        if not made:
            n, pixels = plan.symbols(product_id)
            made.extend((pixels, tuple(dark_runs(n, pixels)), n))
        return made

    return modules


def _product_share(plan: _Plan, index: int, count: int):
    """Write the PNG and label of every ``count``-th product; the shelf-label drawings
    the sheets need."""
    s = plan.settings
    fonts = plan.fonts
    fragments = {}
    for text in plan.texts[index::count]:
        modules = _symbol_of(plan, text.product_id)

        def png(modules=modules):
            pixels, _, n = modules()
            return qr_png(n, pixels, png_geometry(n, s.qr_size_mm)[0])

        _cached(plan, _key(PRINT_VERSION, "png", text.target, s.qr_size_mm), "png",
                png_path(text.product_id), png)
        _cached(plan, _key(plan.fingerprint, "label", text), "pdf", label_path(text.product_id),
                lambda text=text, modules=modules: product_label_pdf(fonts, s, text,
                                                                     *modules()[1:]))
        if text.product_id in plan.sheet_products:
            fragments[text.product_id] = _shelf_label(plan, text, modules)
    return fragments


#: Where shelf labels drawn for sheets are kept (in the print cache), and the ending of the
#: file beside each that holds its stat signature as this program wrote it.
SHELF_LABELS = "shelf-labels"
SIGNATURE = ".sig"


def _shelf_label(plan: _Plan, text: LabelText, modules) -> Drawing:
    """A product's shelf label as the sheets place it, drawn once for all builds: a sheet
    that lists a changed product is written again with the other labels as they were
    drawn before. A kept label is read back only if its file has the stat signature it had
    when this program wrote it (the change time included, which no program can set back
    and a checkout makes unpredictable: a file a pull request commits under the cache
    folder does not match in practice; or holds what the SHA-256 recorded with it says, in
    an incremental build whose record of the site taken over lists any store:
    :func:`_kept_file`) and if it
    checks out op by op
    (:func:`.drawing.drawing_from_json`, the second line of defence); otherwise it is
    drawn again."""
    s = plan.settings
    name = _shelf_label_name(plan.fingerprint, text)
    path = plan.cache_dir / SHELF_LABELS / name
    data = _kept_file(plan, name)
    found = drawing.drawing_from_json(data, plan.fonts) if data is not None else None
    if found is None:
        found = draw_label(plan.fonts, s.sheet.label, text, *modules()[1:], s.colour,
                           inset=SHEET_INSET_MM * MM)
        _keep(path, drawing.drawing_json(found))
    return found


def _shelf_label_name(fingerprint: str, text: LabelText) -> str:
    """The name of a product's shelf label kept in the print cache."""
    return f"{_key(fingerprint, 'shelf', text)}.json"


#: The name ending of a sheet's page kept in the print cache (beside the shelf labels).
SHEET_PAGE = ".page"


def _sheet_chunks(settings: PrintSettings, products: Sequence[LabelText]
                  ) -> list[Sequence[LabelText]]:
    """The labels of each page of a sheet."""
    per = settings.sheet.per_page
    return [products[i:i + per] for i in range(0, len(products), per)]


def _sheet_page_name(fingerprint: str, point_id: str, chunk: Sequence[LabelText]) -> str:
    """The name a sheet's page is kept under in the print cache: its sheet's and its
    labels (two sheets with a page of the same labels may give their characters other
    codes), and the compression's library."""
    return _key(fingerprint, zlib.ZLIB_RUNTIME_VERSION, "sheet-page", point_id,
                chunk) + SHEET_PAGE


@dataclass(frozen=True)
class _KeptPage:
    #: what its characters were given their codes by (:func:`_sorted_characters` of
    #: every page of its sheet, as :func:`_key` makes it)
    codes: str
    #: the characters the page draws, by face name
    chars: dict[str, str]
    #: its content stream, and that compressed (:attr:`.drawing.Page.kept`)
    stream: tuple[str, bytes]


def _sheet(plan: _Plan, point_id: str, title: str, products: Sequence[LabelText],
           label: Callable[[LabelText], Drawing]) -> bytes:
    """The sheet of shelf labels of a sales point: as many A4 pages as they need
    (:func:`sheet_page`), each drawn or, where it holds the same labels as a page kept in
    the print cache by an earlier sheet of the point and its characters have the same
    codes, placed as it was (a changed price redraws its page alone; a character new to
    the sheet, every page). The pages drawn are kept."""
    s, fonts = plan.settings, plan.fonts
    chunks = _sheet_chunks(s, products)
    names = [_sheet_page_name(plan.fingerprint, point_id, chunk) for chunk in chunks]
    stored = [_kept_page(plan, name) for name in names]
    drawings: list[Drawing | None] = [None] * len(chunks)
    chars: list[dict[str, str]] = []
    for i, chunk in enumerate(chunks):
        if stored[i] is None:
            drawings[i] = sheet_page(s.sheet, [label(t) for t in chunk])
            chars.append(_sorted_characters(drawing.characters(fonts, drawings[i].ops)))
        else:
            chars.append(stored[i].chars)
    every: dict[str, set[str]] = {}
    for page_chars in chars:
        for name, text in page_chars.items():
            every.setdefault(name, set()).update(text)
    characters = _sorted_characters(every)
    codes = _key(characters)  # sorted already
    pages = []
    for i, (chunk, was) in enumerate(zip(chunks, stored)):
        if was is not None and was.codes != codes:  # kept with other codes: drawn again
            drawings[i] = sheet_page(s.sheet, [label(t) for t in chunk])
        pages.append(Page(drawings[i], *A4, kept=was.stream if drawings[i] is None else None))
    streams: list[tuple[str, bytes] | None] = []
    data = write_pdf(fonts, pages, title=title, author=products[0].brand,
                     characters=characters, streams=streams)
    for name, page_chars, stream in zip(names, chars, streams):
        if stream is not None:
            head = json.dumps({"codes": codes, "chars": page_chars}, ensure_ascii=True,
                              separators=(",", ":")).encode("ascii")
            _keep(plan.cache_dir / SHELF_LABELS / name, head + b"\n" + stream[1])
    return data


def _kept_page(plan: _Plan, name: str) -> _KeptPage | None:
    """A sheet's page kept in the cache by an earlier sheet, if its signature vouches for
    it (as a shelf label's: :func:`_kept_file`) and it reads back as one: its
    content stream is placed in the PDF as it is, so it must be made of what
    :func:`.drawing.write_pdf` writes alone (:func:`.drawing.content_ok`); else None."""
    raw = _kept_file(plan, name)
    if raw is None:
        return None
    try:
        head, _, deflated = raw.partition(b"\n")
        found = json.loads(head)
        inflate = zlib.decompressobj()
        data = inflate.decompress(deflated, drawing.MAX_CONTENT + 1)
        if not inflate.eof or inflate.unused_data or len(data) > drawing.MAX_CONTENT:
            return None
        text = data.decode("ascii")
    except (OSError, zlib.error, ValueError, RecursionError):
        return None
    if not (isinstance(found, dict) and type(found.get("codes")) is str
            and isinstance(found.get("chars"), dict) and drawing.content_ok(text)):
        return None
    chars = found["chars"]
    if not all(type(k) is str and k in plan.face_names and type(v) is str
               for k, v in chars.items()):
        return None
    return _KeptPage(found["codes"], chars, (text, deflated))


def _kept_file(plan: _Plan, name: str) -> bytes | None:
    """The bytes of a shelf label or sheet page kept in the print cache, if the signature
    file beside it vouches for it (:func:`.records.decoded.read_signed`; or, in an
    incremental build whose record of the site taken over lists any store,
    :attr:`.Reuse.restored`, by the SHA-256 that signature holds: the record does not list
    kept labels, but a file of the print cache is taken by the name of its content anyway,
    so one planted here gains nothing; it is a regular file of a sane size, not a link, a
    pipe or a device a pull request left there)."""
    path = plan.cache_dir / SHELF_LABELS / name
    return read_signed(path, 2 * drawing.MAX_CONTENT, path.with_name(name + SIGNATURE),
                       restored=plan.restored)


def _keep(path: Path, data: bytes) -> None:
    """Write a shelf label or sheet page into the print cache with its signature file
    beside it: a file is vouched for by its own, so that a build reads only the signatures
    of what it places (a single index of every kept file was read and written whole by
    every build, and grows with every price a catalog ever had)."""
    path.parent.mkdir(parents=True, exist_ok=True)  # its folder may have been deleted
    write_signed(path, data, path.with_name(path.name + SIGNATURE))


def _document(plan: _Plan, i: int) -> None:
    """Write the ``i``-th sales-point document (drawn unless cached)."""
    kind, point_id, key, data = plan.documents[i]
    fonts, s = plan.fonts, plan.settings
    if kind == "labels":
        title, products = data

        def label(text: LabelText) -> Drawing:
            found = plan.fragments.get(text.product_id)  # drawn with the product's files
            if found is None:
                # this process's copy of the plan: a product on several sheets, once
                found = plan.fragments[text.product_id] = _shelf_label(
                    plan, text, _symbol_of(plan, text.product_id))
            return found

        def sheet():
            return _sheet(plan, point_id, title, products, label)

        _cached(plan, key, "pdf", sheet_path(point_id), sheet)
        return

    def poster():
        n, pixels = symbol(data.target)
        return poster_pdf(fonts, s, data, tuple(dark_runs(n, pixels)), n)

    _cached(plan, key, "pdf", poster_path(point_id), poster)


def _forked_products(index: int, count: int):
    return _product_share(shared("plan"), index, count)


def _forked_document(i: int) -> None:
    _document(shared("plan"), i)


def _print_cache(run: Run) -> Path:
    """The print cache of a build (drawn files, prepared fonts under ``fonts/``)."""
    return run.cache_dir / "print"


def write(edition: Edition, site_dir: Path, options: None, run: Run) -> int:
    return write_print_assets(edition, site_dir, _print_cache(run), workers=run.workers,
                              keys=run.keys, reuse=run.reuse)


#: The most an incremental build draws beside its pages, in one worker process (else it
#: draws after them, on every core): products' labels and QR PNGs, and documents (a
#: sales point's sheet of shelf labels takes about a third of a second).
BESIDE_PRODUCTS = 50
BESIDE_DOCUMENTS = 4


def write_beside(edition: Edition, site_dir: Path, options: None, run: Run) -> int | None:
    """:func:`write` in a worker process, beside the pages of an incremental build: None,
    with nothing drawn, when there is more to draw than :data:`BESIDE_PRODUCTS` and
    :data:`BESIDE_DOCUMENTS`."""
    return write_print_assets(edition, site_dir, _print_cache(run), workers=1,
                              keys=run.keys, reuse=run.reuse,
                              at_most=(BESIDE_PRODUCTS, BESIDE_DOCUMENTS))


def write_print_assets(edition: Edition, site_dir: Path, cache_dir: Path, *,
                       workers: int | None = None, keys: Keys | None = None,
                       reuse: Reuse | None = None,
                       at_most: tuple[int, int] | None = None) -> int | None:
    """Write every print asset of the edition's print specification into ``site_dir``
    (cached under ``cache_dir``); the number of files written. With ``reuse`` (and
    ``keys``), a product's PNG and label, a point's sheet and poster whose key is unchanged
    are taken over from the previous build, and nothing is worked out for them. With
    ``at_most`` (products, documents), None and nothing drawn when more products than that
    have files not taken over, or more documents than that are not in the print cache (a
    product's lot labels are not counted: they are few, and kept in the cache)."""
    settings = edition.print_spec
    if not settings.enabled:
        return 0
    key = fingerprint(settings)
    store, due = _open_store(Path(cache_dir), key, edition.catalog.settings.root)
    fonts = load_fonts(settings, cache_dir)
    for folder in ("qr", "print/products", "print/sales-points"):
        (site_dir / folder).mkdir(parents=True, exist_ok=True)

    second = settings.second_language
    keyed = reuse is not None and keys is not None

    def taken(rel: str, *parts: Any) -> bool:
        # no print file shows the build date: a new day leaves them alone (a label shows
        # its product's card, whose key holds the certificate's status on the day)
        return keyed and reuse.take(rel, digest(keys.undated, keys.strings, key, *parts))

    files = 0
    pending = []
    for product in edition.all_products:
        files += 2
        png = taken(png_path(product.id), "png", edition.qr_target(product))
        label = keyed and taken(label_path(product.id), "label", keys.card(product))
        if not (png and label):
            pending.append(product)
    texts = [label_text(edition, p, second) for p in pending]
    by_id = {t.product_id: t for t in texts}

    def text_of(product) -> LabelText:  # once per product (on several sheets: once)
        found = by_id.get(product.id)
        if found is None:
            found = by_id[product.id] = label_text(edition, product, second)
        return found

    documents = []
    for point in edition.catalog.sales_points.values():
        at = edition.catalog.products_at(point.id)
        if at:
            files += 1
            if not (keyed and taken(sheet_path(point.id), "sheet", keys.point(point.id),
                                    keys.cards(at))):
                products = [text_of(p) for p in at]
                title = f"Nhãn kệ hàng / Shelf labels · {_clean(point.name('vi'))}"
                documents.append(("labels", point.id,
                                  _key(key, "sheet", title, products),
                                  (title, products)))
        files += 1
        if not (keyed and taken(poster_path(point.id), "poster", keys.point(point.id),
                                len(at))):  # the poster says how many products
            poster = poster_text(edition, point, second)
            documents.append(("poster", point.id, _key(key, "poster", poster),
                              poster))
    missing = {d[2] for d in documents if not (store / f"{d[2]}.pdf").is_file()}
    if at_most is not None and (len(pending) > at_most[0] or len(missing) > at_most[1]):
        return None
    # the shelf labels of the sheets to draw: those of products whose own files are made
    # are drawn (or read) with them; the others, by the process that draws the sheet
    sheet_products = frozenset(t.product_id for kind, _, key, data in documents
                               if kind == "labels" and key in missing for t in data[1])
    plan = _Plan(settings, key, fonts, site_dir, store, texts, sheet_products, documents,
                 {}, edition.qr_symbol,
                 restored=reuse is not None and reuse.incremental and bool(reuse.restored))

    lots = 0
    for product, lot in edition.lots:  # a few per product: drawn here, cached like the rest
        text = lot_label_text(edition, product, lot, second)
        for folder in (lot_label_path, lot_png_path):
            (site_dir / folder(product.id, lot.code)).parent.mkdir(parents=True, exist_ok=True)

        def lot_png(product=product, lot=lot):
            n, pixels = edition.lot_symbol(product, lot)  # made only when not cached
            return qr_png(n, pixels, png_geometry(n, settings.qr_size_mm)[0])

        def lot_label(product=product, lot=lot, text=text):
            n, pixels = edition.lot_symbol(product, lot)
            return product_label_pdf(fonts, settings, text, tuple(dark_runs(n, pixels)), n)

        _cached(plan, _key(PRINT_VERSION, "png", text.target, settings.qr_size_mm), "png",
                lot_png_path(product.id, lot.code), lot_png)
        _cached(plan, _key(key, "lot-label", text), "pdf", lot_label_path(product.id, lot.code),
                lot_label)
        lots += 2

    count = max(1, min(workers or os.cpu_count() or 1, len(texts) // PRODUCTS_PER_WORKER or 1))
    forked = count > 1 and can_fork()
    if not forked:
        plan.fragments.update(_product_share(plan, 0, 1))
    else:
        with forked_pool(count, plan=plan) as pool:
            for fragments in pool.starmap(_forked_products, [(i, count) for i in range(count)]):
                plan.fragments.update(fragments)
    # the sheets: in as many processes as there are, whatever the products' shares were
    sheets = max(1, min(workers or os.cpu_count() or 1, len(documents)))
    if sheets == 1 or not can_fork():
        for i in range(len(documents)):
            _document(plan, i)
    else:
        # biggest sheets first, so that the processes finish together
        order = sorted(range(len(documents)),
                       key=lambda i: -len(documents[i][3][1]) if documents[i][0] == "labels" else 0)
        with forked_pool(sheets, plan=plan) as pool:
            for _ in pool.imap_unordered(_forked_document, order, chunksize=1):
                pass
    if due:
        # print files are hard links to their cache entries unless the file system refused
        # (then copies: every entry has one link, and only kept labels and pages are swept)
        linked = any(links(site_dir / png_path(p.id)) > 1 for p in edition.all_products[:1])
        _sweep(plan, {point.id: [text_of(p) for p in edition.catalog.products_at(point.id)]
                      for point in edition.catalog.sales_points.values()}, linked)
    return files + lots


def _open_store(cache_dir: Path, key: str, root: Path) -> tuple[Path, bool]:
    """The print cache's folder of the fingerprint ``key``, made if need be, and whether
    it is to be swept (:func:`_sweep`): it may be tidied, reached through no symbolic link
    below ``root`` (:func:`ocop_catalog.housekeeping.no_links`; a generation folder that is
    a link, as a pull request could commit one, is set aside and made again), and a sweep
    is due. When it may be tidied, the folders of other fingerprints but the last used
    are deleted, and the layout of earlier versions (every file in one folder) too."""
    store = cache_dir / key[:16]
    if os.path.islink(store) and no_links(cache_dir, root):
        discard(store)  # the link itself: renamed, then removed (never followed)
    store.mkdir(parents=True, exist_ok=True)
    tidy = no_links(store, root)
    if tidy:
        keep_newest(cache_dir, store.name, re.compile(r"[0-9a-f]{16}").fullmatch)
        legacy = cache_dir / SHELF_LABELS
        if legacy.is_dir() and not os.path.islink(legacy):
            discard(legacy)
            remove_files_later(cache_dir, _LEGACY)
    return store, tidy and sweep_due(store)


#: The endings of the files earlier versions kept directly in the print cache.
_LEGACY = (".png", ".pdf")


def _sweep(plan: _Plan, sheets: dict[str, list[LabelText]], linked: bool) -> None:
    """Delete from the print cache's folder what no site holds and no sheet would place:
    with ``linked`` (print files are hard links to their entries), PNGs and PDFs with a
    single link (in no site folder: :func:`~ocop_catalog.housekeeping.unlinked`); kept
    shelf labels and sheet pages (with their signatures) other than those of ``sheets``,
    each sales point's products' label texts in order. Nothing written within
    :data:`~ocop_catalog.housekeeping.GRACE` (another build's). Files the earlier layout
    left beside the folders (a deletion cut short) go too."""
    removed = delete(unlinked(plan.cache_dir, (".png", ".pdf"))) if linked else 0
    live = set()
    for point_id, products in sheets.items():
        live.update(_shelf_label_name(plan.fingerprint, text) for text in products)
        live.update(_sheet_page_name(plan.fingerprint, point_id, chunk)
                    for chunk in _sheet_chunks(plan.settings, products))
    folder = plan.cache_dir / SHELF_LABELS
    removed += delete([folder / entry.name for entry in entries(folder)
                       if entry.name.removesuffix(SIGNATURE) not in live
                       and not recent(entry.path)])
    cache_dir = plan.cache_dir.parent
    if any(entry.name.endswith(_LEGACY) for entry in entries(cache_dir)):
        # what a deletion of the earlier layout that was cut short (a runner stopped) left
        remove_files_later(cache_dir, _LEGACY)
    swept(plan.cache_dir)
    if removed:
        log.info("print cache: %d files no site or sheet uses were deleted", removed)


def warm(edition: Edition, options: None, run: Run) -> None:
    """The fonts :func:`write_beside` draws with, loaded in this process (``Output.warm``)."""
    if edition.print_spec.enabled:
        load_fonts(edition.print_spec, _print_cache(run))


OUTPUT = Output("print", write, beside=write_beside, warm=warm)
