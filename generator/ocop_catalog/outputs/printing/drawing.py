"""PDF drawing for the print assets, with ReportLab's TrueType fonts.

Labels, shelf-label sheets and posters are drawn as :class:`Drawing` s, lists of
operations in points with the origin at the bottom left, and written out by
:func:`write_pdf`. Each TrueType font is embedded as subsets of only the glyphs a
document uses (``pdffonts``: TrueType, embedded, subset, with a ToUnicode map), which is
what print shops' preflight expects; ReportLab does that font work (which code each
character gets, the subset's font program, its widths and ToUnicode map), and this module
writes the content streams and the document's objects around it (ReportLab's canvas and
object formatter cost almost three times as much a label: docs/performance.md,
"2026-12-06, afternoon").
ReportLab was chosen over fpdf2 by measuring: fpdf2 parses the whole font again for
every document and subsets it with fontTools, about 20 times slower per label. A drawing
is plain data that does not depend on the document it ends up in, so a shelf label drawn
in one worker process can be placed on a sheet written by another.

Fonts (:func:`load_face`): every configured TrueType file is prepared once
(:func:`prepare_font`: hinting instructions and OpenType layout tables, which
printed text at print resolution does not use, are dropped with fontTools; the
result is cached by content), then registered with ReportLab. A text style
(:class:`Style`: ``"R"`` regular, ``"B"`` bold) is a chain of fonts, the configured
one and then the fallback fonts; each character is drawn with the first that has it,
and characters none has are left out (never a crash, never a box). Text reaches a
content stream only as a font's codes in an escaped string, never as PDF syntax, so no
record text can break out of a string.

Black (text, QR symbols, crop marks) and white are DeviceGray, printed with black ink
alone; only the catalog's colour is RGB.

Output is deterministic: a fixed date, a document id that is the digest of the
document, prepared fonts that keep their own dates, and subset names
(``ABCDEF+DejaVuSans``) derived from the glyphs a subset holds, so two labels merged by
a print shop's imposition never share a name for different subsets.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import fontTools
import reportlab
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import ttfonts

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
ENGINE = (f"ocop-pdf 4, reportlab {reportlab.Version}, rl_accel {_ACCEL}, "
          f"fontTools {fontTools.version}")

#: Changes whenever a prepared font could differ for the same file.
PREPARE_VERSION = "print-font-3"

#: The tables :func:`prepare_font` drops: OpenType layout (text on labels is set
#: character by character), kerning, hinting's device tables, and signatures.
_DROPPED = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "kern", "MATH", "hdmx", "VDMX", "LTSH",
            "gasp", "FFTM", "DSIG")

Colour = tuple[float, float, float]
BLACK: Colour = (0.0, 0.0, 0.0)
WHITE: Colour = (1.0, 1.0, 1.0)


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------


def prepare_font(source: Path, cache_dir: Path) -> Path:
    """``source`` without hinting instructions and OpenType layout tables (every glyph
    and every Windows name record kept: the licence travels with the font), cached under
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
        # SOURCE_DATE_EPOCH, of the build that prepared it). Tables are read when used, and
        # glyphs are left as the file has them (recalcBBoxes off): the subsetter drops their
        # instructions from the compact data (fontTools' Glyph.trim), so each glyph is the
        # file's, byte for byte but for them, not decoded and encoded again (four times
        # longer: a second of every first build, and every test catalog's; and encoding
        # recalculated some glyphs' stored bounding boxes)
        font = FontFile(io.BytesIO(data), fontNumber=0, recalcBBoxes=False,
                        recalcTimestamp=False)
        outlines = "glyf" in font
    except Exception as exc:  # noqa: BLE001 (fontTools raises many kinds for a bad file)
        raise ValueError(f"cannot read the font {source}: {exc}") from None
    if not outlines:
        raise ValueError(f"the font {source} has no TrueType outlines (an OpenType/CFF "
                         "font, which PDFs embed otherwise): use a .ttf")
    try:
        for tag in _DROPPED:  # deleted unread (the subsetter would read them to drop them)
            if tag in font:
                del font[tag]
        options = Options()
        options.hinting = False
        options.layout_features = []
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.recalc_bounds = False
        options.prune_unicode_ranges = False
        subsetter = Subsetter(options)
        subsetter.populate(glyphs=font.getGlyphOrder())
        subsetter.subset(font)
        for glyph in font["glyf"].glyphs.values():
            if getattr(glyph, "data", b"")[:2] == b"\0\0":
                # no contours, its instructions trimmed off: an empty glyph has no data
                # (trimming leaves its header, without the instructions' length)
                glyph.data = b""
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


@dataclass(frozen=True)
class Face:
    """A registered font: its ReportLab name and its characters' advances."""

    name: str
    advance: Mapping[str, float]


_FACES: dict[str, Face] = {}
#: The fonts of :data:`_FACES`, by name: kept here, not registered with ReportLab, whose
#: registry gives a font the object of the first one registered with the same PostScript
#: name (a fallback font made from the main one, a newer file of the same font while
#: ``ocop serve`` runs: either would be drawn with the other's glyphs).
_TTFONTS: dict[str, ttfonts.TTFont] = {}


def _face(prepared: Path) -> Face:
    name = "ocop-" + prepared.stem[:16]
    if name not in _FACES:
        try:
            # codes given in order of use, not ASCII's own (shorter /Widths to write)
            font = ttfonts.TTFont(name, str(prepared), asciiReadable=False)
        except Exception as exc:  # noqa: BLE001 (ReportLab's TTFError and others)
            raise ValueError(f"cannot use the font {prepared}: {exc}") from None
        _TTFONTS[name] = font
        advance = {chr(c): float(w) for c, w in font.face.charWidths.items()
                   if c >= 0x20 and c in font.face.charToGlyph
                   and not 0x7F <= c < 0xA0 and c not in (0xAD,)}
        _FACES[name] = Face(name, advance)
    return _FACES[name]


def keep_faces(names: Iterable[str]) -> None:
    """Forget the faces not ``names`` (a process that builds again, ``ocop serve``, keeps
    the fonts its latest builds use, not every version of a font file it was given)."""
    kept = set(names)
    for table in (_FACES, _TTFONTS):
        for name in [name for name in table if name not in kept]:
            del table[name]


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


# A document's content streams are written here from the drawings' operations, and its
# objects serialised here too; ReportLab's TrueType support does the font work: which code
# each character gets in which subset (``TTFont.splitString``, 256 codes a subset, 0 the
# missing glyph, 32 the space), each subset's font file (``makeSubset``), its widths and
# its ToUnicode map. Writing through ReportLab's canvas and document formatter instead
# cost 3.6 ms a product label (its objects formatted one by one, each text run through its
# text object) against 1.3–1.7 ms (docs/performance.md, "2026-12-06, afternoon").

#: ReportLab's mark of a symbolic font, and of a non-symbolic one (a subset's codes are
#: its own, not a standard encoding: symbolic, as ReportLab writes it).
_SYMBOLIC, _NONSYMBOLIC = ttfonts.FF_SYMBOLIC, ttfonts.FF_NONSYMBOLIC
#: The fixed date of every document (ReportLab's invariant one, 2000-01-01), so that a
#: cached file and one drawn by a later build are the same bytes.
_DATE = "(D:20000101000000+00'00')"
#: Every byte as it is written in a PDF string: printable ASCII as itself, but for the
#: parentheses and the backslash, escaped; every other byte as three octal digits.
_ESCAPED = tuple(
    "\\" + chr(b) if chr(b) in "()\\" else chr(b) if 0x20 <= b < 0x7F else f"\\{b:03o}"
    for b in range(256))


def _escape(data: bytes) -> str:
    return "".join(map(_ESCAPED.__getitem__, data))


def _ps_name(raw: bytes) -> str:
    """A font's name as a PDF name and in its ToUnicode map's PostScript: characters other
    than letters, digits and ``._+-`` (a font may name itself with ``#``, spaces or
    delimiters, which would end the name or its string) as ``-``."""
    return re.sub(rb"[^A-Za-z0-9._+-]", b"-", raw).decode("ascii")


def _text_string(text: str) -> str:
    """``text`` as a PDF text string: ASCII as a literal string, anything else as UTF-16
    with its byte order mark (PDF's text strings, which readers decode)."""
    if text.isascii():
        return "(" + _escape(text.encode("ascii")) + ")"
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class _Document:
    """What ReportLab's TrueType fonts keep of a document while it is written (their
    ``splitString`` and ``getSubsetInternalName``): the fonts it uses, named ``/F1``,
    ``/F2``… in the order of their first use."""

    def __init__(self) -> None:
        self.fontMapping: dict[str, str] = {}  # ReportLab's names
        self.delayedFonts: list[ttfonts.TTFont] = []


def _fill(colour: Colour) -> str:
    """Greys (black text, white letters) as DeviceGray, which a print shop's RIP prints
    with black ink alone; other colours as RGB."""
    if colour[0] == colour[1] == colour[2]:
        return f"{fp_str(colour[0])} g"
    return f"{fp_str(*colour)} rg"


def _content(doc: _Document, fonts: Mapping[str, Style], ops: Iterable[tuple],
             out: list[str]) -> None:
    """The content stream of ``ops``, a line at a time into ``out``."""
    for op in ops:
        kind = op[0]
        if kind == "text":
            _, key, size, x, y, text, colour = op
            runs = fonts[key].runs(text)
            if runs:
                shown = []
                for name, run in runs:
                    font = _TTFONTS[name]
                    for subset, codes in font.splitString(run, doc):
                        shown.append(f"{font.getSubsetInternalName(subset, doc)} "
                                     f"{fp_str(size)} Tf ({_escape(codes)}) Tj")
                out.append(f"{_fill(colour)}\nBT 1 0 0 1 {fp_str(x, y)} Tm "
                           + " ".join(shown) + " ET")
        elif kind == "rect":
            _, x, y, w, h, colour, radius = op
            out.append(_fill(colour))
            if radius:
                x0, x1, y0, y1 = min(x, x + w), max(x, x + w), min(y, y + h), max(y, y + h)
                r, t = radius, 0.4472 * radius  # ReportLab's quadrants
                out.append(
                    f"{fp_str(x0 + r, y0)} m {fp_str(x1 - r, y0)} l "
                    f"{fp_str(x1 - t, y0, x1, y0 + t, x1, y0 + r)} c {fp_str(x1, y1 - r)} l "
                    f"{fp_str(x1, y1 - t, x1 - t, y1, x1 - r, y1)} c {fp_str(x0 + r, y1)} l "
                    f"{fp_str(x0 + t, y1, x0, y1 - t, x0, y1 - r)} c {fp_str(x0, y0 + r)} l "
                    f"{fp_str(x0, y0 + t, x0 + t, y0, x0 + r, y0)} c h f")
            else:
                out.append(f"{fp_str(x, y, w, h)} re f")
        elif kind == "lines":
            _, segments, width = op
            out.append(f"0 G {fp_str(width)} w")
            out.append(" ".join(f"{fp_str(x0, y0)} m {fp_str(x1, y1)} l"
                                for x0, y0, x1, y1 in segments) + " S")
        elif kind == "qr":
            # one path of whole-module rectangles, in module units (:meth:`Drawing.qr`)
            _, rects, n, x, y, side = op
            m = side / (n + 2 * QUIET_ZONE)
            out.append(f"q 0 g {_num(m)} 0 0 {_num(m)} {_num(x + QUIET_ZONE * m)} "
                       f"{_num(y + QUIET_ZONE * m)} cm\n{rects}\nf Q")
        elif kind == "place":
            _, inner, x, y = op
            out.append(f"q 1 0 0 1 {fp_str(x, y)} cm")
            _content(doc, fonts, inner, out)
            out.append("Q")


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


def _info_text(text: str) -> str:
    """Text for the document information: characters outside the Basic Multilingual
    Plane left out (some readers mangle them in the information dictionary)."""
    return "".join(c for c in text if ord(c) < 0x10000 and not 0xD800 <= ord(c) < 0xE000)


def _stream(entries: str, packed: bytes) -> bytes:
    """A stream object: its dictionary (with ``entries``) and its data, ``packed`` as
    zlib data (:func:`zlib.compress`, or :func:`_pack_program` for a font)."""
    return (f"<< /Filter /FlateDecode /Length {len(packed)}{entries} >>\nstream\n".encode()
            + packed + b"\nendstream")


@functools.cache
def _descriptor_entries(font_name: str) -> tuple[int, str]:
    """What every subset's font descriptor says of the registered font ``font_name``
    besides its name and font program: its flags, and its metrics as entries (worked out
    once per font, not once per subset of every document)."""
    face = _TTFONTS[font_name].face
    return ((face.flags & ~_NONSYMBOLIC) | _SYMBOLIC,
            f"/FontBBox [{fp_str(*face.bbox)}] /ItalicAngle {fp_str(face.italicAngle)} "
            f"/Ascent {fp_str(face.ascent)} /Descent {fp_str(face.descent)} "
            f"/CapHeight {fp_str(face.capHeight)} /StemV {fp_str(face.stemV)} "
            f"/MissingWidth {fp_str(face.defaultWidth)}")


#: How many codes a ``bfchar`` block of a CMap may map (PDF 32000-1, 9.10.3; Adobe's CMap
#: specification, 5014, limits each block to 100).
_BFCHAR = 100


def _unicode_map(name: str, subset: Sequence[int]) -> bytes:
    """The ToUnicode CMap of a font subset (what readers copy, search and read aloud):
    each one-byte code to its character in UTF-16BE, a character beyond U+FFFF as its
    surrogate pair (ReportLab's map writes it as five hex digits, which readers refuse), at
    most :data:`_BFCHAR` codes a block; the rest as ReportLab's map."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo", f"<< /Registry ({name})", f"/Ordering ({name})",
             "/Supplement 0", ">> def", f"/CMapName /{name} def", "/CMapType 2 def",
             "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange"]
    for start in range(0, len(subset), _BFCHAR):
        block = subset[start:start + _BFCHAR]
        lines.append(f"{len(block)} beginbfchar")
        lines += [f"<{start + i:02X}> <"
                  f"{chr(code).encode('utf-16-be', 'surrogatepass').hex().upper()}>"
                  for i, code in enumerate(block)]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _font_objects(doc: _Document, add) -> dict[str, int]:
    """The objects of every font subset the document used, added by ``add(bytes)``
    (which returns the object's number): the font dictionary of each, by its name."""
    named: dict[str, int] = {}
    for font in doc.delayedFonts:
        state = font.state[doc]
        face = font.face
        flags, metrics = _descriptor_entries(font.fontName)
        for n, subset in enumerate(state.subsets):
            internal = font.getSubsetInternalName(n, doc)
            base = _ps_name(_subset_tag(font.fontName, subset) + b"+" + face.name
                            + face.subfontNameX)
            unicode_map = add(_stream("", zlib.compress(_unicode_map(base, subset))))
            program = face.makeSubset(subset)
            file = add(_stream(f" /Length1 {len(program)}", _pack_program(program)))
            descriptor = add(
                f"<< /Type /FontDescriptor /FontName /{base} /Flags {flags} {metrics} "
                f"/FontFile2 {file} 0 R >>".encode())
            widths = fp_str(*map(face.getCharWidth, subset))
            named[internal] = add(
                f"<< /Type /Font /Subtype /TrueType /Name {internal} /BaseFont /{base} "
                f"/FirstChar 0 /LastChar {len(subset) - 1} /Widths [{widths}] "
                f"/FontDescriptor {descriptor} 0 R /ToUnicode {unicode_map} 0 R >>".encode())
    return named


def _pack_program(program: bytes) -> bytes:
    """A font subset's ``program`` packed as :func:`zlib.compress` packs it (the same bytes
    once unpacked), but for its ``name`` table: the same in every subset of a face (every
    name record is kept, the licence with them: more than half of a subset of DejaVu Sans), it is
    packed once per process (:data:`_NAME_BLOCKS`). Each of the three parts (before the
    table, the table, after it) is packed by a compressor of its own, so that none refers
    to another's bytes, and the first two end on a byte boundary without the last-block
    mark (:func:`_deflate`): their blocks follow one another as one DEFLATE stream, under
    zlib's header and the whole program's checksum."""
    where = _table(program, b"name")
    if where is None:
        return zlib.compress(program)
    start, end = where
    name = program[start:end]
    blocks = _NAME_BLOCKS.get(name)
    if blocks is None:
        if len(_NAME_BLOCKS) >= 16:  # a few faces a process; never many
            _NAME_BLOCKS.clear()
        blocks = _NAME_BLOCKS[name] = _deflate(name, zlib.Z_FULL_FLUSH)
    return b"".join((_ZLIB_HEADER, _deflate(program[:start], zlib.Z_FULL_FLUSH), blocks,
                     _deflate(program[end:], zlib.Z_FINISH),
                     zlib.adler32(program).to_bytes(4, "big")))


#: A name table's DEFLATE blocks, by its bytes (:func:`_pack_program`).
_NAME_BLOCKS: dict[bytes, bytes] = {}
#: The header :func:`zlib.compress` writes at its default level (a 32 KB window).
_ZLIB_HEADER = b"\x78\x9c"


def _deflate(data: bytes, flush: int) -> bytes:
    """``data`` as raw DEFLATE blocks at :func:`zlib.compress`'s default level, ended by
    ``flush``: a full flush ends them on a byte boundary without the last-block mark (more
    blocks may follow), :data:`zlib.Z_FINISH` with it."""
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(flush)


def _table(program: bytes, tag: bytes) -> tuple[int, int] | None:
    """Where the table ``tag`` of a TrueType ``program`` starts and ends, from its table
    directory; None if it has none (or the directory does not hold together)."""
    if len(program) < 12:
        return None
    count = int.from_bytes(program[4:6], "big")
    for at in range(12, min(12 + 16 * count, len(program) - 15), 16):
        if program[at:at + 4] == tag:
            start = int.from_bytes(program[at + 8:at + 12], "big")
            end = start + int.from_bytes(program[at + 12:at + 16], "big")
            return (start, end) if 12 + 16 * count <= start <= end <= len(program) else None
    return None


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
    doc = _Document()
    if characters is not None:
        for name in sorted(characters):  # fonts named (F1, F2…) in this order too
            font = _TTFONTS[name]
            for subset, _ in font.splitString(characters[name], doc):
                font.getSubsetInternalName(subset, doc)
    objects: list[bytes] = [b"", b"", b"", b""]  # 1 catalog, 2 pages, 3 resources, 4 info

    def add(data: bytes) -> int:
        objects.append(data)
        return len(objects)

    kids, made = [], []
    for page in pages:
        if page.kept is not None and characters is None:
            raise ValueError("a kept page is placed only with the document's characters")
        if page.kept is not None:
            text, packed = page.kept
        else:
            lines: list[str] = []
            _content(doc, fonts, page.drawing.ops, lines)
            text = "\n".join(lines)
            packed = zlib.compress(text.encode("latin-1"))
        made.append(None if page.kept is not None else (text, packed))
        contents = add(_stream("", packed))
        boxes = "".join(f" /{name} [{fp_str(*box)}]" for name, box in
                        (("TrimBox", page.trim), ("BleedBox", page.bleed)) if box is not None)
        kids.append(add(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {fp_str(page.width, page.height)}]"
            f"{boxes} /Resources 3 0 R /Contents {contents} 0 R >>".encode()))
    named = _font_objects(doc, add)
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = (f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                  f"/Count {len(kids)} >>").encode()
    fonts_used = " ".join(f"{name} {number} 0 R" for name, number in named.items())
    objects[2] = f"<< /Font << {fonts_used} >> /ProcSet [/PDF /Text] >>".encode()
    objects[3] = (
        f"<< /Title {_text_string(_info_text(title))} /Author {_text_string(_info_text(author))} "
        f"/Creator (ocop-catalog) /Producer {_text_string(f'ocop-catalog ({ENGINE})')} "
        f"/CreationDate {_DATE} /ModDate {_DATE} >>").encode()
    out = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offsets, at = [], len(out[0])
    for number, data in enumerate(objects, 1):
        piece = b"%d 0 obj\n%s\nendobj\n" % (number, data)
        offsets.append(at)
        out.append(piece)
        at += len(piece)
    # the document's id: the digest of what it holds (two documents differ in it)
    ident = hashlib.md5(b"".join(out), usedforsecurity=False).hexdigest()
    out.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.append(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.append(b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R /ID [<%s><%s>] >>\n"
               b"startxref\n%d\n%%%%EOF\n" % (len(objects) + 1, ident.encode(),
                                               ident.encode(), at))
    if streams is not None:
        streams.extend(made)
    return b"".join(out)


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
# of the numbers, operators, font names and text strings _content writes, and nothing else
# (no other names, no dictionaries, arrays, inline images, comments or streams).
#: :func:`_escape`'s strings: three octal digits always (one way to read a string, however
#: long).
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
