"""PDF drawing for the print assets, with ReportLab.

Labels, shelf-label sheets and posters are drawn as :class:`Drawing` s, lists of
operations in points with the origin at the bottom left, and written out by
:func:`write_pdf` through ReportLab's canvas. ReportLab embeds each TrueType font as
a subset of only the glyphs a document uses (``pdffonts``: TrueType, embedded,
subset, with a ToUnicode map), which is what print shops' preflight expects. It was
chosen over fpdf2 by measuring: fpdf2 parses the whole font again for every document
and subsets it with fontTools, about 20 times slower per label. A drawing is plain
data that does not depend on the document it ends up in, so a shelf label drawn in
one worker process can be placed on a sheet written by another.

Fonts (:func:`load_face`): every configured TrueType file is prepared once
(:func:`prepare_font`: hinting instructions and OpenType layout tables, which
printed text at print resolution does not use, are dropped with fontTools; the
result is cached by content), then registered with ReportLab. A text style
(:class:`Style`: ``"R"`` regular, ``"B"`` bold) is a chain of fonts, the configured
one and then the fallback fonts; each character is drawn with the first that has it,
and characters none has are left out (never a crash, never a box). Text is passed to
ReportLab as text, never as PDF syntax, so no record text can break out of a string.

Black (text, QR symbols, crop marks) and white are DeviceGray, printed with black ink
alone; only the catalog's colour is RGB.

Output is deterministic: ReportLab's invariant mode with a fixed date and document
id (:func:`_fixed_date`), prepared fonts that keep their own dates, and subset names (``ABCDEF+DejaVuSans``) derived from the glyphs a subset holds, so
two labels merged by a print shop's imposition never share a name for different
subsets.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any
from pathlib import Path

import fontTools
import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfgen.canvas import Canvas

try:  # ReportLab's C accelerator (reportlab[accel]): numbers are written by it
    from _rl_accel import version as _ACCEL
except ImportError:  # pragma: no cover (a dependency; ReportLab works without it, slower)
    _ACCEL = "none"

from ...edition.images import atomic_write
from ...edition.printspec import A4_MM
from ...edition.qr import QUIET_ZONE

MM = 72 / 25.4
#: ISO A4 in points.
A4 = (A4_MM[0] * MM, A4_MM[1] * MM)
#: Text-space units per glyph unit: advances are in thousandths of an em.
SCALE = 1 / 1000
#: What draws the PDFs (part of every cache key).
ENGINE = f"reportlab {reportlab.Version}, rl_accel {_ACCEL}, fontTools {fontTools.version}"

# Compressed streams as binary, not also ASCII85-encoded (a quarter larger), in every
# document of this process (nothing else here uses ReportLab).
rl_config.useA85 = 0
#: Changes whenever a prepared font could differ for the same file.
PREPARE_VERSION = "print-font-2"

Colour = tuple[float, float, float]
BLACK: Colour = (0.0, 0.0, 0.0)
WHITE: Colour = (1.0, 1.0, 1.0)


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------


def prepare_font(source: Path, cache_dir: Path) -> Path:
    """``source`` without hinting instructions and OpenType layout tables (every glyph
    and every name record kept: the licence travels with the font), cached under
    ``cache_dir`` by content: the same outlines, embedded subsets a third smaller."""
    data = source.read_bytes()
    key = hashlib.sha256(b"|".join((PREPARE_VERSION.encode(), ENGINE.encode(), data)))
    target = cache_dir / f"{key.hexdigest()[:32]}.ttf"
    if target.is_file():
        return target
    # imported here, where a font is prepared (once per font file and version): a tenth of
    # a second of every process that builds or checks a catalog otherwise
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont as FontFile

    try:
        # recalcTimestamp: the prepared file keeps the source's date (not the time, or
        # SOURCE_DATE_EPOCH, of the build that prepared it)
        font = FontFile(io.BytesIO(data), fontNumber=0, lazy=False, recalcTimestamp=False)
        outlines = "glyf" in font
    except Exception as exc:  # noqa: BLE001 (fontTools raises many kinds for a bad file)
        raise ValueError(f"cannot read the font {source}: {exc}") from None
    if not outlines:
        raise ValueError(f"the font {source} has no TrueType outlines (an OpenType/CFF "
                         "font, which PDFs embed otherwise): use a .ttf")
    try:
        options = Options()
        options.hinting = False
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "kern", "MATH",
                                "hdmx", "VDMX", "LTSH", "gasp", "FFTM", "DSIG"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.recalc_bounds = False
        options.prune_unicode_ranges = False
        subsetter = Subsetter(options)
        subsetter.populate(glyphs=font.getGlyphOrder())
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    except Exception as exc:  # noqa: BLE001 (fontTools raises many kinds for a bad file)
        raise ValueError(f"cannot read the font {source}: {exc}") from None
    atomic_write(target, out.getvalue())
    return target


def _subset_tag(font_name: str, codes: Sequence[int]) -> bytes:
    """Six capital letters from the characters of a subset (PDF's subset prefix)."""
    digest = hashlib.sha256(f"{font_name}|{','.join(map(str, codes))}".encode()).digest()
    return bytes(65 + b % 26 for b in digest[:6])


class _Font(ttfonts.TTFont):
    """ReportLab's TrueType font with subset names derived from their characters
    (ReportLab numbers them AAAAAA, AAAAAB… in every document)."""

    def addObjects(self, doc):  # ReportLab's name
        state = self.state.get(doc)
        tags = [_subset_tag(self.fontName, s) for s in (state.subsets if state else ())]
        numbered = ttfonts.SUBSETN
        ttfonts.SUBSETN = lambda n: tags[n]
        try:
            super().addObjects(doc)
        finally:
            ttfonts.SUBSETN = numbered


@dataclass(frozen=True)
class Face:
    """A registered font: its ReportLab name and its characters' advances."""

    name: str
    advance: Mapping[str, float]


_FACES: dict[str, Face] = {}


def _face(prepared: Path) -> Face:
    name = "ocop-" + prepared.stem[:16]
    if name not in _FACES:
        try:
            # codes given in order of use, not ASCII's own (shorter /Widths to write)
            font = _Font(name, str(prepared), asciiReadable=False)
        except Exception as exc:  # noqa: BLE001 (ReportLab's TTFError and others)
            raise ValueError(f"cannot use the font {prepared}: {exc}") from None
        pdfmetrics.registerFont(font)
        advance = {chr(c): float(w) for c, w in font.face.charWidths.items()
                   if c >= 0x20 and c in font.face.charToGlyph
                   and not 0x7F <= c < 0xA0 and c not in (0xAD,)}
        _FACES[name] = Face(name, advance)
    return _FACES[name]


class Style:
    """A chain of faces: each character is drawn with the first that has it."""

    def __init__(self, faces: Sequence[Face]):
        self.faces = tuple(faces)
        #: character → advance in thousandths of an em (characters some face has)
        self.advance: dict[str, float] = {}
        self._face: dict[str, str] = {}
        for face in reversed(self.faces):
            self.advance.update(face.advance)
            self._face.update(dict.fromkeys(face.advance, face.name))
        self._first = frozenset(self.faces[0].advance)

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` at ``size`` points (characters no face has count nothing)."""
        return sum(map(self.advance.get, text, repeat(0))) * size * SCALE

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` as (face name, text) runs; characters no face has left out."""
        if self._first.issuperset(text):  # the usual case
            return [(self.faces[0].name, text)] if text else []
        result: list[tuple[str, str]] = []
        for ch in text:
            name = self._face.get(ch)
            if name is None:
                continue
            if result and result[-1][0] == name:
                result[-1] = (name, result[-1][1] + ch)
            else:
                result.append((name, ch))
        return result


def load_face(path: Path, cache_dir: Path) -> Face:
    """The font file at ``path``, prepared (cached under ``cache_dir``) and registered
    (raises ``ValueError`` for a font that cannot be used)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    return _face(prepare_font(path, cache_dir))


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


@dataclass
class Drawing:
    """Drawing operations, in points from the bottom-left corner; plain data (it can be
    pickled and placed on any page)."""

    ops: list[tuple] = field(default_factory=list)

    def text(self, key: str, size: float, x: float, y: float, text: str,
             colour: Colour = BLACK) -> None:
        """``text`` in style ``key`` at ``size`` points, baseline starting at (x, y)."""
        if text:
            self.ops.append(("text", key, size, x, y, text, colour))

    def rect(self, x: float, y: float, width: float, height: float, colour: Colour,
             radius: float = 0.0) -> None:
        """A filled rectangle (with rounded corners of ``radius``)."""
        self.ops.append(("rect", x, y, width, height, colour, radius))

    def lines(self, segments: Iterable[tuple[float, float, float, float]],
              width: float) -> None:
        """Black lines of ``width`` points, each (x0, y0, x1, y1)."""
        self.ops.append(("lines", tuple(segments), width))

    def qr(self, runs: tuple[tuple[int, int, int], ...], n: int, x: float, y: float,
           side: float) -> None:
        """An ``n`` × ``n`` QR symbol (its dark runs (row from the top, column, length))
        with its quiet zone in a square of ``side`` points at (x, y). Kept as the PDF
        path it becomes (one string, not hundreds of tuples: a catalog's shelf labels are
        handed between processes and held until their sheets are written)."""
        rects = "\n".join(f"{col} {n - 1 - row} {length} 1 re" for row, col, length in runs)
        self.ops.append(("qr", rects, n, x, y, side))

    def place(self, other: Drawing, x: float, y: float) -> None:
        """``other`` drawn with its origin at (x, y)."""
        self.ops.append(("place", tuple(other.ops), x, y))


# A drawing as JSON, for the print cache: a shelf label is drawn once and placed on the
# sheets of later builds too. The cache folder is one a pull request could write to, so
# what is read back is checked op by op (shapes, types, styles; the QR path is the only
# text that reaches the content stream as PDF syntax, and it must be rectangles): any
# file that does not pass is drawn again.

#: A QR op's path, as :meth:`Drawing.qr` writes it: whole-module rectangles (ASCII digits).
_QR_PATH = re.compile(r"(?:[0-9]{1,3} [0-9]{1,3} [0-9]{1,3} 1 re)"
                      r"(?:\n[0-9]{1,3} [0-9]{1,3} [0-9]{1,3} 1 re)*")
#: The largest number a drawing read back may hold, in points (an A4 page is 842 high;
#: ReportLab refuses to write very large numbers).
_MAX_NUMBER = 10_000.0
#: How deep ``place`` ops may nest in a drawing read back.
_MAX_DEPTH = 4


def drawing_json(d: Drawing) -> bytes:
    """``d`` as JSON (numbers as Python writes them, so they read back exactly)."""
    return json.dumps(d.ops, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def drawing_from_json(data: bytes, styles: Iterable[str]) -> Drawing | None:
    """The drawing :func:`drawing_json` wrote, or None when ``data`` is not one (damaged,
    forged, or naming a text style not among ``styles``)."""
    try:
        ops = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return Drawing(ops) if _ops_ok(ops, frozenset(styles), 0) else None


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value) and abs(value) <= _MAX_NUMBER


def _numbers(values: Any, count: int) -> bool:
    return type(values) is list and len(values) == count and all(map(_number, values))


def _colour(value: Any) -> bool:
    return _numbers(value, 3) and all(0 <= v <= 1 for v in value)


def _ops_ok(ops: Any, styles: frozenset[str], depth: int) -> bool:
    if type(ops) is not list or depth > _MAX_DEPTH:
        return False
    for op in ops:
        if type(op) is not list or not op:
            return False
        kind, args = op[0], op[1:]
        if kind == "text":
            ok = (len(args) == 6 and type(args[0]) is str and args[0] in styles
                  and all(map(_number, args[1:4])) and type(args[4]) is str
                  and _colour(args[5]))
        elif kind == "rect":
            ok = len(args) == 6 and all(map(_number, args[:4])) and _colour(args[4]) \
                and _number(args[5])
        elif kind == "lines":
            ok = (len(args) == 2 and type(args[0]) is list
                  and all(_numbers(segment, 4) for segment in args[0]) and _number(args[1]))
        elif kind == "qr":
            ok = (len(args) == 5 and type(args[0]) is str and type(args[1]) is int
                  and 0 < args[1] <= 177 and all(map(_number, args[2:]))
                  and (args[0] == "" or _QR_PATH.fullmatch(args[0]) is not None))
        elif kind == "place":
            ok = len(args) == 3 and _ops_ok(args[0], styles, depth + 1) \
                and all(map(_number, args[1:]))
        else:
            ok = False
        if not ok:
            return False
    return True


def _fill(c: Canvas, colour: Colour) -> None:
    """Greys (black text, white letters) as DeviceGray, which a print shop's RIP prints
    with black ink alone; other colours as RGB."""
    if colour[0] == colour[1] == colour[2]:
        c.setFillGray(colour[0])
    else:
        c.setFillColorRGB(*colour)


def _replay(c: Canvas, fonts: Mapping[str, Style], ops: Iterable[tuple]) -> None:
    for op in ops:
        kind = op[0]
        if kind == "text":
            _, key, size, x, y, text, colour = op
            runs = fonts[key].runs(text)
            if runs:
                _fill(c, colour)
                t = c.beginText(x, y)
                for name, run in runs:
                    t.setFont(name, size)
                    t.textOut(run)
                c.drawText(t)
        elif kind == "rect":
            _, x, y, w, h, colour, radius = op
            _fill(c, colour)
            if radius:
                c.roundRect(x, y, w, h, radius, stroke=0, fill=1)
            else:
                c.rect(x, y, w, h, stroke=0, fill=1)
        elif kind == "lines":
            _, segments, width = op
            c.setStrokeGray(0)
            c.setLineWidth(width)
            c.lines(segments)
        elif kind == "qr":
            # one path of whole-module rectangles, in module units: written directly
            # (a few hundred rectangles; ReportLab's path objects format each number;
            # :meth:`Drawing.qr` made the path)
            _, rects, n, x, y, side = op
            m = side / (n + 2 * QUIET_ZONE)
            c.addLiteral(f"q 0 g {_num(m)} 0 0 {_num(m)} {_num(x + QUIET_ZONE * m)} "
                         f"{_num(y + QUIET_ZONE * m)} cm\n{rects}\nf Q")
        elif kind == "place":
            _, inner, x, y = op
            c.saveState()
            c.translate(x, y)
            _replay(c, fonts, inner)
            c.restoreState()


def _num(value: float) -> str:
    """A number for a content stream: at most 4 decimals, no trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Page:
    #: what the page draws (None: the page is ``kept``)
    drawing: Drawing | None
    width: float
    height: float
    #: (x0, y0, x1, y1) of the finished piece and of the bleed around it, if any
    trim: Box | None = None
    bleed: Box | None = None
    #: the page's content stream and its compressed bytes, as :func:`write_pdf` wrote
    #: them for an earlier document with the same ``characters`` (its ``streams``):
    #: placed as they are, not drawn (or compressed) again
    kept: tuple[str, bytes] | None = None


#: The date of every document: ReportLab's invariant one (2000-01-01).
INVARIANT_EPOCH = 946684800.0


def _fixed_date(c: Canvas) -> None:
    """Give the document :data:`INVARIANT_EPOCH` as its date, and the document id that
    follows from it. ReportLab's invariant mode takes both from SOURCE_DATE_EPOCH when
    that is set (as builds set it): a cached file would then carry the date of the
    build that drew it, and a cold build would differ from a warm one."""
    doc = c._doc
    stamp = doc._timeStamp
    stamp.t, stamp.lt = INVARIANT_EPOCH, time.gmtime(INVARIANT_EPOCH)
    stamp.YMDhms, stamp.dhh, stamp.dmm, stamp.tzname = tuple(stamp.lt)[:6], 0, 0, "UTC"
    # as PDFDocument.__init__ starts it (its id is the digest of what follows)
    doc.signature = hashlib.md5(b"a reportlab document", usedforsecurity=False)
    doc.signature.update(ascii(INVARIANT_EPOCH).encode())


def _info_text(text: str) -> str:
    """Text for the document information: characters outside the Basic Multilingual
    Plane left out (ReportLab writes them as surrogates that readers mangle)."""
    return "".join(c for c in text if ord(c) < 0x10000 and not 0xD800 <= ord(c) < 0xE000)


def write_pdf(fonts: Mapping[str, Style], pages: Sequence[Page], *, title: str,
              author: str = "", characters: Mapping[str, str] | None = None,
              streams: list[tuple[str, bytes] | None] | None = None) -> bytes:
    """The pages as one PDF (deterministic).

    ``characters``: every character the document draws, by face name (:func:`characters`),
    each given its code in the font's subsets first, in this order (not in the order the
    pages use them): a page's content stream then depends on its own drawing and these
    alone, so that a later document with the same characters can place it as it is
    (:attr:`Page.kept`). ``streams`` then receives each page's content stream and its
    compressed bytes (None for a page placed as it was)."""
    out = io.BytesIO()
    first = pages[0]
    c = Canvas(out, pagesize=(first.width, first.height), invariant=1, pageCompression=1,
               initialFontName=fonts["R"].faces[0].name)
    _fixed_date(c)
    c.setTitle(_info_text(title))
    c.setAuthor(_info_text(author))
    c.setSubject("")
    c.setCreator("ocop-catalog")
    c.setProducer(f"ocop-catalog ({ENGINE})")
    if characters is not None:
        doc = c._doc
        for name in sorted(characters):  # fonts named (F1, F2…) in this order too
            font = pdfmetrics.getFont(name)
            for subset, _ in font.splitString(characters[name], doc):
                font.getSubsetInternalName(subset, doc)
    made: list[tuple[str, _Deflate] | None] = []
    for page in pages:
        c.setPageSize((page.width, page.height))
        c.setTrimBox(page.trim)
        c.setBleedBox(page.bleed)
        if page.kept is not None and characters is None:
            raise ValueError("a kept page is placed only with the document's characters")
        if page.kept is None:
            _replay(c, fonts, page.drawing.ops)
        c.showPage()
        if characters is not None:
            # the page's stream, compressed as ReportLab would (zlib's default level), or
            # as it was kept: the page's stream as it was, its bytes as they were
            placed = c._doc.Pages.pages[-1]
            text, deflate = (page.kept[0], _Deflate(page.kept[1])) if page.kept is not None \
                else (placed.stream, _Deflate())
            stream = pdfdoc.PDFStream()
            stream.filters, stream.content = [deflate], text
            stream.__Comment__ = "page stream"  # as ReportLab's (written only when debugging)
            placed.Contents = stream
            made.append(None if page.kept is not None else (text, deflate))
    c.save()
    if streams is not None:
        streams.extend(None if m is None else (m[0], m[1].out) for m in made)
    return out.getvalue()


class _Deflate:
    """FlateDecode as ReportLab writes it (:func:`zlib.compress` at its default level), or
    the bytes a kept page's stream was compressed to."""

    pdfname = "FlateDecode"

    def __init__(self, kept: bytes | None = None) -> None:
        self.out = kept

    def encode(self, text: str | bytes) -> bytes:
        if self.out is None:
            self.out = zlib.compress(text.encode("utf-8") if isinstance(text, str) else text)
        return self.out

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


def characters(fonts: Mapping[str, Style], ops: Iterable[tuple],
               found: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """The characters ``ops`` draw, by face name (as :meth:`Style.runs` gives them)."""
    found = {} if found is None else found
    for op in ops:
        if op[0] == "text":
            for name, run in fonts[op[1]].runs(op[5]):
                found.setdefault(name, set()).update(run)
        elif op[0] == "place":
            characters(fonts, op[1], found)
    return found


# A page's content stream kept in the print cache (a sheet written again places its
# unchanged pages as they were) reaches the PDF as it is: what is read back must be made
# of the numbers, operators, font names and text strings _replay writes, and nothing else
# (no other names, no dictionaries, arrays, inline images, comments or streams).
#: ReportLab's escapes: three octal digits always (one way to read a string, however long).
_STRING = re.compile(r"\((?:[\x20-\x27\x2a-\x5b\x5d-\x7e]|\\[0-7]{3}|\\[nrtbf()\\])*\)")
_NUMBERS = str.maketrans("", "", "0123456789.-")
#: What is left of a content stream's words without their digits, points and minus signs.
_WORDS = frozenset("q Q cm re f f* g rg G RG w J j M m l c v y h n S s BT ET Tf TL Tm Td TD Tj "
                   "T* Tc Tw Tz Ts Tr /F /F+".split())
#: Every character a kept content stream may hold once its strings are out.
_PLAIN = frozenset("0123456789.- \n").union(*_WORDS)
#: Text made of :data:`_PLAIN` only (a class match runs in C, a set's test per character
#: does not: a third of the check of a sheet's page of 100,000 characters).
_ALL_PLAIN = re.compile("[" + re.escape("".join(sorted(_PLAIN))) + "]*")
#: The most text a kept page's content stream may hold.
MAX_CONTENT = 1 << 24


def content_ok(content: Any) -> bool:
    """Whether ``content`` (a content stream read back from the cache) is made of what
    :func:`write_pdf` writes alone: numbers, its operators, font names (``/F1+0``) and
    text strings of printable ASCII with PDF's escapes."""
    if type(content) is not str or len(content) > MAX_CONTENT or not content.isascii():
        return False
    if "(" in content or ")" in content or "\\" in content:
        content = _STRING.sub(" ", content)
    # the words left once numbers are out: operators and font names, nothing else (a
    # digit or a minus sign run into a word only makes a word a reader rejects)
    return (_ALL_PLAIN.fullmatch(content) is not None
            and _WORDS.issuperset(content.translate(_NUMBERS).split()))


# --------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------


def rgb(hex_colour: str) -> Colour:
    """"#rrggbb" as (r, g, b) from 0 to 1."""
    value = hex_colour.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(colour: Colour) -> float:
    """WCAG 2 relative luminance."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ink_on(colour: Colour) -> Colour:
    """White or black, whichever reads better on ``colour`` (WCAG contrast ratio)."""
    lum = _luminance(colour)
    return WHITE if (1.05 / (lum + 0.05)) >= (lum + 0.05) / 0.05 else BLACK
