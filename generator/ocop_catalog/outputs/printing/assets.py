"""Print assets: QR PNGs at 300 dpi, product labels, shelf-label sheets, posters.

For every product:

* ``qr/<id>.png``: its QR symbol (error correction M, quiet zone of 4
  modules) as a 1-bit PNG at 300 dpi, with a whole number of pixels per
  module chosen so that the symbol with its quiet zone is as large as
  possible without exceeding ``qr_size_mm`` (:func:`png_geometry` gives the
  real size, which the product page states);
* ``print/products/<id>.pdf``: one label a producer can send to a printer
  (name in Vietnamese and English, OCOP stars, price and unit, producer, the
  QR and the short link written under it), with crop marks and the trim
  size stated around it.

For every sales point with products:

* ``print/sales-points/<id>-labels.pdf``: A4 sheets of shelf labels for the
  products sold there, laid out for common die-cut label sheets (3 × 8 labels
  of 70 × 37 mm by default, like Avery 3474 or Tanex);
* ``print/sales-points/<id>-poster.pdf``: an A4 poster "scan to see every
  OCOP product sold here" whose QR leads to the point's page.

The options (``print_assets:``) are the edition's print specification
(:mod:`ocop_catalog.edition.printspec`): the pages state the sizes they set.

Speed: drawing is done by :mod:`ocop_catalog.outputs.printing.pdf` (Type 3 fonts of only the
glyphs used, no font subsetting), in worker processes, and every file is
cached under the cache folder by a hash of everything that shapes its bytes,
so a rebuild draws only what changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import sys
import zlib
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageOps

from ...edition import Edition
from ...edition.images import atomic_write, place
from ...edition import printspec
from ...edition.printspec import (DPI, EDGE_MM, LabelSpec, PrintOptionsError, PrintSettings,
                                  SheetSpec, file_digest, label_path, png_geometry, png_path,
                                  poster_path, sheet_path)
from ...edition.qr import DRAWING_VERSION, QUIET_ZONE, symbol
from ...parallel import can_fork, forked_pool, shared
from .. import Output, Run
from . import pdf
from .pdf import MM, Document, Drawing, Font

#: Changes whenever the same input could give different bytes (caches key on it): the
#: drawing code itself (this module and the PDF writer) is part of it.
PRINT_VERSION = "|".join((
    "print-1", pdf.WRITER_VERSION, DRAWING_VERSION, f"Pillow {PIL.__version__}",
    hashlib.sha256(b"".join(Path(module.__file__).read_bytes()
                            for module in (sys.modules[__name__], pdf, printspec))).hexdigest(),
))


def fingerprint(settings: PrintSettings) -> str:
    """Everything of the settings, fonts and drawing code that shapes a file's bytes."""
    digest = hashlib.sha256(PRINT_VERSION.encode())
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, Path):  # a font: its content, wherever the checkout is
            value = file_digest(value)
        digest.update(f"{f.name}={value!r}\n".encode())
    return digest.hexdigest()


#: Fewer products than this per worker process are drawn in one process.
PRODUCTS_PER_WORKER = 100


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


def _clean(text: str) -> str:
    """One line of text: control characters and runs of white space made single spaces."""
    return re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", " ", text).strip()


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
                     _clean(price), unit, producer)


# --------------------------------------------------------------------------
# Text layout
# --------------------------------------------------------------------------

ELLIPSIS = "…"
#: Baseline below the top of a line, and line advance, in ems (DejaVu's accented
#: capitals reach 1.03 em, descenders 0.23 em).
ASCENT = 1.0
LEADING = 1.2
DESCENT = 0.25


def _ellipsize(font: Font, text: str, size: float, width: float) -> str:
    """``text``, or as much of it as fits in ``width`` points followed by "…"."""
    if font.width(text, size) <= width:
        return text
    text = text[:_fitting(font, text, size, width - font.width(ELLIPSIS, size))]
    return text.rstrip(" ,.;:·-/(") + ELLIPSIS if text else ""


def _fitting(font: Font, text: str, size: float, width: float) -> int:
    """How many characters of ``text`` fit in ``width`` points."""
    limit = width / (size * pdf.SCALE)
    return bisect_right(list(accumulate(map(font.advance.get, text, repeat(0)))), limit)


def wrap(font: Font, text: str, size: float, width: float, max_lines: int,
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
    """Draw ``blocks`` from ``top`` down; the y below the last line. Centred in
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


def _qr_ops(modules: str, n: int, x: float, y: float, side: float) -> str:
    """The symbol with its quiet zone in a square of ``side`` points at (x, y)."""
    m = side / (n + 2 * QUIET_ZONE)
    return (f"q {pdf.num(m)} 0 0 {pdf.num(m)} {pdf.num(x + QUIET_ZONE * m)} "
            f"{pdf.num(y + QUIET_ZONE * m)} cm\n{modules}\nf Q")


def _url_lines(font: Font, url: str, width: float) -> tuple[list[str], float]:
    size = 6.5
    while size > 4.5 and font.width(url, size) > width:
        size -= 0.25
    if font.width(url, size) <= width:
        return [url], size
    host, _, path = url.partition("/")
    lines = [_ellipsize(font, host + "/", size, width), _ellipsize(font, path, size, width)]
    return lines, size


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


def draw_label(fonts, spec: LabelSpec, text: LabelText, modules: str, n: int) -> Drawing:
    """A label of ``spec``'s size with its origin at the bottom-left corner."""
    d = Drawing(fonts)
    w, h = spec.width_mm * MM, spec.height_mm * MM
    pad, edge = spec.padding_mm * MM, EDGE_MM * MM
    regular = fonts["R"]

    # the QR (at the right) and the short link under it
    side = spec.qr_mm * MM
    lines, url_size = _url_lines(regular, text.url, side)
    url_h = len(lines) * url_size * LEADING
    side = min(side, h - 2 * edge - url_h)
    # the QR and its link centred top to bottom: away from the edges printers cannot reach
    qx, qy = w - edge - side, (h + url_h - side) / 2
    d.raw(_qr_ops(modules, n, qx, qy, side))
    y = qy
    for line in lines:
        y -= url_size * LEADING
        lw = regular.width(line, url_size)
        d.text("R", url_size, qx + (side - lw) / 2, y + DESCENT * url_size, line)

    # the words, in the column left of the QR
    width = qx - pad - 0.5 * MM
    avail = h - 2 * pad
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
    _draw_blocks(d, fonts, blocks, pad, h - pad - max(0.0, avail - _stack_height(blocks, 1.2)) / 2,
                 1.2)
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


def product_label_pdf(fonts, settings: PrintSettings, text: LabelText, modules: str,
                      n: int) -> bytes:
    spec = settings.label
    label = draw_label(fonts, spec, text, modules, n)
    w, h = spec.width_mm * MM, spec.height_mm * MM
    slug = 8 * MM if settings.crop_marks else 0.0
    d = Drawing(fonts)
    d.place(label, slug, slug)
    if slug:
        marks = []
        for x in (slug, slug + w):
            for y0, y1 in ((slug - 7 * MM, slug - 2 * MM), (slug + h + 2 * MM, slug + h + 7 * MM)):
                marks.append(f"{pdf.num(x)} {pdf.num(y0)} m {pdf.num(x)} {pdf.num(y1)} l")
        for y in (slug, slug + h):
            for x0, x1 in ((slug - 7 * MM, slug - 2 * MM), (slug + w + 2 * MM, slug + w + 7 * MM)):
                marks.append(f"{pdf.num(x0)} {pdf.num(y)} m {pdf.num(x1)} {pdf.num(y)} l")
        d.raw("q 0.25 w 0 G\n" + "\n".join(marks) + "\nS Q")
        # the trim size first (it must be read whole), then which product this is
        size, room, regular = 5.0, w - 4 * MM, fonts["R"]
        trim = f"{spec.width_mm:g} × {spec.height_mm:g} mm"
        note = f"Kích thước cắt / Trim size: {trim}"
        if regular.width(note, size) > room:
            note = f"Trim: {trim}"
        note = _ellipsize(regular, f"{note} · {text.product_id}", size, room)
        nw = regular.width(note, size)
        d.text("R", size, slug + (w - nw) / 2, slug - 5 * MM, note)
    doc = Document(fonts, title=text.name, level=3)  # ten thousand of them: faster
    trim = (slug, slug, slug + w, slug + h) if slug else None
    doc.add_page(d, w + 2 * slug, h + 2 * slug, trim)
    return doc.tobytes()


def sheet_pdf(fonts, sheet: SheetSpec, labels: Sequence[Drawing], title: str) -> bytes:
    """Shelf labels on as many A4 pages as they need."""
    page_w, page_h = pdf.A4
    doc = Document(fonts, title=title)
    lh = sheet.label.height_mm * MM
    for start in range(0, len(labels), sheet.per_page):
        d = Drawing(fonts)
        for i, label in enumerate(labels[start:start + sheet.per_page]):
            row, col = divmod(i, sheet.columns)
            x = (sheet.margin_left_mm + col * sheet.pitch_x_mm) * MM
            y = page_h - (sheet.margin_top_mm + row * sheet.pitch_y_mm) * MM - lh
            d.place(label, x, y)
        doc.add_page(d, page_w, page_h)
    return doc.tobytes()


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


def poster_pdf(fonts, settings: PrintSettings, text: PosterText, modules: str, n: int) -> bytes:
    """An A4 poster: what to do, the QR (``poster.qr_mm``), its short link, the point."""
    page_w, page_h = pdf.A4
    margin = 18 * MM
    width = page_w - 2 * margin
    side = settings.poster_qr_mm * MM
    url_size = 16.0
    while url_size > 9 and fonts["R"].width(text.url, url_size) > width:
        url_size -= 0.5
    url = _ellipsize(fonts["R"], text.url, url_size, width)
    gap = 7 * MM

    def layout(scale: float):
        site = [_text_block(fonts, "R", text.site_name, 12 * scale, width, 1)]
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
        height = (_stack_height(site, 0) + 5 * MM + _stack_height(head, 4) + gap + side
                  + url_size * LEADING + gap + _stack_height(foot, 5))
        fits = height <= page_h - 2 * margin
        return site, head, foot, fits, fits and all(b.whole for b in head + foot[:2])

    # the largest text that shows every word, else the largest that fits
    layouts = [layout(scale) for scale in (1.0, 0.85, 0.7, 0.6, 0.5)]
    site, head, foot, _, _ = next((x for x in layouts if x[4]),
                                  next((x for x in layouts if x[3]), layouts[-1]))
    d = Drawing(fonts)
    d.raw("0.3 g")
    y = _draw_blocks(d, fonts, site, margin, page_h - margin, 0, width)
    d.raw("0 g")
    y = _draw_blocks(d, fonts, head, margin, y - 5 * MM, 4, width)
    qx, qy = (page_w - side) / 2, y - gap - side
    d.raw(_qr_ops(modules, n, qx, qy, side))
    uw = fonts["R"].width(url, url_size)
    d.text("R", url_size, (page_w - uw) / 2, qy - url_size * ASCENT, url)
    _draw_blocks(d, fonts, foot, margin, qy - url_size * LEADING - gap, 5, width)
    doc = Document(fonts, title=f"{text.title} · {text.name}")
    doc.add_page(d, page_w, page_h)
    return doc.tobytes()


# --------------------------------------------------------------------------
# Fonts, once per build (and shared with worker processes by fork)
# --------------------------------------------------------------------------

_FONTS: dict[tuple[str, str], dict[str, Font]] = {}


def load_fonts(settings: PrintSettings) -> dict[str, Font]:
    key = (file_digest(settings.font), file_digest(settings.font_bold))
    if key not in _FONTS:
        try:
            fonts = {"R": Font(settings.font), "B": Font(settings.font_bold)}
        except ValueError as exc:
            raise PrintOptionsError(f"print_assets: option 'font' or 'font_bold': {exc}")
        for font in fonts.values():
            font.warm(pdf.PRIMARY)
        _FONTS[key] = fonts
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
    fonts: dict[str, Font]
    site_dir: Path
    cache_dir: Path
    texts: list[LabelText]
    #: ids of the products whose shelf label a sheet to draw needs
    sheet_products: frozenset[str]
    #: (kind, point id, cache key, (title, products' label texts) or poster text)
    documents: list[tuple[str, str, str, Any]]
    fragments: dict[str, tuple[list[str], dict[str, set[str]]]]
    #: the products' QR symbols (by product id), from the edition
    symbols: Callable[[str], tuple[int, bytes]]


def _cached(plan: _Plan, key: str, ext: str, target: str, draw) -> None:
    """Put the file cached as ``key`` at ``target`` in the site, drawing (and caching) it
    first if it is not cached. The site file is a hard link to the cached one where the
    file system allows (see :func:`ocop_catalog.edition.images.place`), so tens of thousands of
    files are written once."""
    cached = plan.cache_dir / f"{key}.{ext}"
    if not cached.is_file():
        atomic_write(cached, draw())
    place(cached, plan.site_dir / target)


def _product_share(plan: _Plan, index: int, count: int):
    """Write the PNG and label of every ``count``-th product; the shelf-label drawings
    the sheets need."""
    s = plan.settings
    fonts = plan.fonts
    fragments = {}
    for text in plan.texts[index::count]:
        made: list = []

        def modules(text=text, made=made):
            """(pixels, path, modules on a side) of the product's symbol, made once."""
            if not made:
                n, pixels = plan.symbols(text.product_id)
                made.extend((pixels, pdf.qr_path(n, pixels), n))
            return made

        def png():
            pixels, _, n = modules()
            return qr_png(n, pixels, png_geometry(n, s.qr_size_mm)[0])

        _cached(plan, _key(PRINT_VERSION, "png", text.target, s.qr_size_mm), "png",
                png_path(text.product_id), png)
        _cached(plan, _key(plan.fingerprint, "label", text), "pdf", label_path(text.product_id),
                lambda text=text: product_label_pdf(fonts, s, text, *modules()[1:]))
        if text.product_id in plan.sheet_products:
            label = draw_label(fonts, s.sheet.label, text, *modules()[1:])
            fragments[text.product_id] = (label.ops, label.used)
    return fragments


def _document(plan: _Plan, i: int) -> None:
    """Write the ``i``-th sales-point document (drawn unless cached)."""
    kind, point_id, key, data = plan.documents[i]
    fonts, s = plan.fonts, plan.settings
    if kind == "labels":
        title, products = data

        def sheet():
            labels = [Drawing(fonts, *plan.fragments[t.product_id]) for t in products]
            return sheet_pdf(fonts, s.sheet, labels, title)

        _cached(plan, key, "pdf", sheet_path(point_id), sheet)
        return

    def poster():
        n, pixels = symbol(data.target)
        return poster_pdf(fonts, s, data, pdf.qr_path(n, pixels), n)

    _cached(plan, key, "pdf", poster_path(point_id), poster)


def _forked_products(index: int, count: int):
    return _product_share(shared("plan"), index, count)


def _forked_document(i: int) -> None:
    _document(shared("plan"), i)


def write(edition: Edition, site_dir: Path, options: None, run: Run) -> int:
    return write_print_assets(edition, site_dir, run.cache_dir / "print", workers=run.workers)


def write_print_assets(edition: Edition, site_dir: Path, cache_dir: Path, *,
                       workers: int | None = None) -> int:
    """Write every print asset of the edition's print specification into ``site_dir``
    (cached under ``cache_dir``); the number of files written."""
    settings = edition.print_spec
    if not settings.enabled:
        return 0
    fonts = load_fonts(settings)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for folder in ("qr", "print/products", "print/sales-points"):
        (site_dir / folder).mkdir(parents=True, exist_ok=True)

    second = settings.second_language
    key = fingerprint(settings)
    texts = [label_text(edition, p, second) for p in edition.all_products]
    by_id = {t.product_id: t for t in texts}
    documents = []
    for point in edition.catalog.sales_points.values():
        products = [by_id[p.id] for p in edition.catalog.products_at(point.id)]
        if products:
            title = f"Nhãn kệ hàng / Shelf labels · {_clean(point.name('vi'))}"
            documents.append(("labels", point.id,
                              _key(key, "sheet", title, products),
                              (title, products)))
        poster = poster_text(edition, point, second)
        documents.append(("poster", point.id, _key(key, "poster", poster),
                          poster))
    missing = {d[2] for d in documents if not (cache_dir / f"{d[2]}.pdf").is_file()}
    sheet_products = frozenset(t.product_id for kind, _, key, data in documents
                               if kind == "labels" and key in missing for t in data[1])
    plan = _Plan(settings, key, fonts, site_dir, cache_dir, texts, sheet_products, documents,
                 {}, edition.qr_symbol)

    count = max(1, min(workers or os.cpu_count() or 1, len(texts) // PRODUCTS_PER_WORKER or 1))
    if count == 1 or not can_fork():
        plan.fragments.update(_product_share(plan, 0, 1))
        for i in range(len(documents)):
            _document(plan, i)
    else:
        with forked_pool(count, plan=plan) as pool:
            for fragments in pool.starmap(_forked_products, [(i, count) for i in range(count)]):
                plan.fragments.update(fragments)
        # biggest sheets first, so that the processes finish together
        order = sorted(range(len(documents)),
                       key=lambda i: -len(documents[i][3][1]) if documents[i][0] == "labels" else 0)
        with forked_pool(count, plan=plan) as pool:
            list(pool.imap_unordered(_forked_document, order, chunksize=1))
    return 2 * len(texts) + len(documents)


OUTPUT = Output("print", write)
