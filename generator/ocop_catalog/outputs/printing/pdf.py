"""A small PDF writer for print assets: vector shapes and text in an embedded font.

Why not a PDF library: fpdf2 and the like subset the TrueType font of every
document with fontTools' subsetter, far more work than the millisecond a
label may take when a catalog of 10,000 products needs a label PDF each.
This writer embeds text as **Type 3 fonts** whose glyphs are the TrueType
outlines of only the characters a document uses:

* :class:`Font` reads a TrueType font once (fontTools) and turns a glyph into
  PDF path operators on demand (quadratic curves become cubic ones), kept in
  memory for the whole build, already compressed;
* every character of the font has a fixed place: subfont 0 holds ASCII, the
  Vietnamese alphabet with every tone mark and a few symbols (``₫ ★ … ·``), so
  Vietnamese and English text is written with one font resource; any other
  character the font has lives in a further subfont of 256 codes. Because the
  codes never depend on the document, a piece of drawing (a label) can be
  made once and placed in any document;
* a document embeds, per subfont it uses, the glyphs it uses, their widths
  and a ToUnicode map, so its text can be selected, searched and extracted.

Characters the font lacks are left out (never a crash). Text is written as
hexadecimal glyph codes, so no record text can break out of a string.

Output is deterministic: no dates, no random ids; the same drawing gives the
same bytes.
"""

from __future__ import annotations

import io
import math
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

from ...edition.qr import dark_runs
from ...edition.printspec import A4_MM

MM = 72 / 25.4
#: ISO A4 in millimetres and in points.
A4 = (A4_MM[0] * MM, A4_MM[1] * MM)
#: Compression of content streams: level 6 is zlib's default balance (a small document,
#: mostly glyphs that are compressed once per build, may choose a faster level).
ZLIB_LEVEL = 6
#: Changes whenever the same drawing could give different bytes (caches key on it).
WRITER_VERSION = "pdf-1"
#: Glyph space units per em of the Type 3 fonts.
UNITS = 1000
#: Glyph units to text-space units (the fonts' /FontMatrix).
SCALE = 1 / UNITS

_VIETNAMESE = (
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
)
_SYMBOLS = "\u00a0₫★☆…·×–—‘’“”°•€«»©®−\u202f"
#: Characters of subfont 0, in code order (code 0 is left unused).
PRIMARY = "".join(chr(c) for c in range(0x20, 0x7F)) + _VIETNAMESE + _SYMBOLS


def num(value: float) -> str:
    """A number for a content stream: at most 3 decimals, no trailing zeros."""
    if value == int(value):
        return str(int(value))
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------


class _PathPen(BasePen):
    """Writes a glyph outline as PDF path operators (components are decomposed)."""

    def __init__(self, glyph_set, factor: float):
        super().__init__(glyph_set)
        self.factor = factor
        self.ops: list[str] = []
        self.xs: list[int] = []
        self.ys: list[int] = []

    def _point(self, pt) -> str:
        x, y = round(pt[0] * self.factor), round(pt[1] * self.factor)
        self.xs.append(x)
        self.ys.append(y)
        return f"{x} {y}"

    def _moveTo(self, pt):
        self.ops.append(f"{self._point(pt)} m")

    def _lineTo(self, pt):
        self.ops.append(f"{self._point(pt)} l")

    def _curveToOne(self, p1, p2, p3):
        self.ops.append(f"{self._point(p1)} {self._point(p2)} {self._point(p3)} c")

    def _closePath(self):
        self.ops.append("h")

    _endPath = _closePath


class Font:
    """A TrueType font, read once, drawn as Type 3 subfonts."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            # read from memory: worker processes forked later each have their own copy
            # (an open file would share its position between them)
            self._tt = TTFont(io.BytesIO(self.path.read_bytes()), lazy=True)
            cmap = self._tt.getBestCmap() or {}
            self.upem = self._tt["head"].unitsPerEm
            metrics = self._tt["hmtx"].metrics
            head = self._tt["head"]
        except Exception as exc:  # noqa: BLE001 (fontTools raises many kinds for a bad file)
            raise ValueError(f"cannot read the font {self.path}: {exc}") from None
        # glyphs are drawn in thousandths of an em whatever the font's units (shorter
        # numbers, and precise to 0.01 mm at 30 pt)
        factor = self._factor = UNITS / self.upem
        self.bbox = (math.floor(head.xMin * factor), math.floor(head.yMin * factor),
                     math.ceil(head.xMax * factor), math.ceil(head.yMax * factor))
        self._glyph_set = self._tt.getGlyphSet()
        self._names: dict[str, str] = {}
        #: character → advance width in thousandths of an em (only characters the font has)
        self.advance: dict[str, int] = {}
        #: character → (subfont, code)
        self.slot: dict[str, tuple[int, int]] = {}
        for ch in PRIMARY:
            if ord(ch) in cmap and ch not in self.slot:
                self.slot[ch] = (0, len(self.slot) + 1)
        others = sorted(c for c in cmap if chr(c) not in self.slot and c >= 0x20
                        and unicodedata.category(chr(c))[0] != "C")
        for i, c in enumerate(others):
            self.slot[chr(c)] = (1 + i // 256, i % 256)
        for ch in self.slot:
            name = cmap[ord(ch)]
            self._names[ch] = name
            self.advance[ch] = round(metrics[name][0] * factor)
        self._procs: dict[str, bytes] = {}
        first = [ch for ch, (sub, _) in self.slot.items() if sub == 0]
        self._first = frozenset(first)
        self._first_hex = {ord(ch): f"{self.slot[ch][1]:02x}" for ch in first}
        #: character → its line of a ToUnicode map
        self.bfchar = {ch: f"<{code:02x}> <{ch.encode('utf-16-be').hex()}>"
                       for ch, (_, code) in self.slot.items()}

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` at ``size`` points (characters the font lacks count nothing)."""
        return sum(map(self.advance.get, text, repeat(0))) * size * SCALE

    def runs(self, text: str) -> list[tuple[int, str]]:
        """``text`` as (subfont, hexadecimal codes) runs; missing characters dropped."""
        if self._first.issuperset(text):  # the usual case: all in subfont 0
            return [(0, text.translate(self._first_hex))] if text else []
        result: list[tuple[int, str]] = []
        slot = self.slot
        current, codes = -1, []
        for ch in text:
            s = slot.get(ch)
            if s is None:
                continue
            if s[0] != current:
                if codes:
                    result.append((current, "".join(codes)))
                current, codes = s[0], []
            codes.append(f"{s[1]:02x}")
        if codes:
            result.append((current, "".join(codes)))
        return result

    def char_proc(self, ch: str) -> bytes:
        """The Type 3 glyph procedure of ``ch`` as a compressed stream object (made once
        per process)."""
        proc = self._procs.get(ch)
        if proc is None:
            pen = _PathPen(self._glyph_set, self._factor)
            self._glyph_set[self._names[ch]].draw(pen)
            adv = self.advance[ch]
            if pen.ops:
                box = f"{min(pen.xs)} {min(pen.ys)} {max(pen.xs)} {max(pen.ys)}"
                body = f"{adv} 0 {box} d1\n" + "\n".join(pen.ops) + "\nf\n"
            else:
                body = f"{adv} 0 0 0 0 0 d1\n"
            data = zlib.compress(body.encode("ascii"), 9)
            proc = self._procs[ch] = (
                f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode("ascii")
                + data + b"\nendstream")
        return proc

    def warm(self, chars: Iterable[str]) -> None:
        """Make the glyph procedures of ``chars`` now (before worker processes fork)."""
        for ch in chars:
            if ch in self.slot:
                self.char_proc(ch)

    matrix = "[0.001 0 0 0.001 0 0]"


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


@dataclass
class Drawing:
    """Content-stream operators and the characters their text uses, per font key.

    A drawing does not depend on the document it ends up in, so it can be
    made once and placed (``place``) on any page.
    """

    fonts: Mapping[str, Font]
    ops: list[str] = field(default_factory=list)
    used: dict[str, set[str]] = field(default_factory=dict)

    def text(self, key: str, size: float, x: float, y: float, text: str) -> None:
        """``text`` in font ``key`` at ``size`` points, baseline starting at (x, y)."""
        font = self.fonts[key]
        runs = font.runs(text)
        if not runs:
            return
        self.used.setdefault(key, set()).update(text)
        parts = [f"BT {num(x)} {num(y)} Td"]
        size_s = num(size)
        for sub, codes in runs:
            parts.append(f"/{key}{sub} {size_s} Tf <{codes}> Tj")
        parts.append("ET")
        self.ops.append(" ".join(parts))

    def raw(self, ops: str) -> None:
        self.ops.append(ops)

    def place(self, other: Drawing, x: float, y: float) -> None:
        """``other`` drawn with its origin at (x, y)."""
        self.ops.append(f"q 1 0 0 1 {num(x)} {num(y)} cm")
        self.ops.extend(other.ops)
        self.ops.append("Q")
        for key, chars in other.used.items():
            self.used.setdefault(key, set()).update(chars)

    def content(self) -> bytes:
        return "\n".join(self.ops).encode("ascii")


def qr_path(n: int, pixels: bytes) -> str:
    """The dark modules of an ``n`` × ``n`` QR symbol (``pixels``: a byte a module, row by
    row from the top, 0 = dark) as one path of rectangles in module units, the origin at
    the symbol's bottom-left corner (fill it with ``f``): one rectangle per run of dark
    modules in a row."""
    return "\n".join(f"{x} {n - 1 - row} {w} 1 re" for row, x, w in dark_runs(n, pixels))


# --------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------


@dataclass
class Page:
    width: float
    height: float
    content: bytes
    trim: tuple[float, float, float, float] | None = None


def _box(values) -> str:
    return "[" + " ".join(num(v) for v in values) + "]"


def _text_string(text: str) -> str:
    """A PDF text string (UTF-16BE with BOM, hexadecimal): safe for any input. Characters
    outside the Basic Multilingual Plane are left out (some readers mangle surrogates)."""
    text = "".join(c for c in text if ord(c) < 0x10000 and not 0xD800 <= ord(c) < 0xE000)
    return "<feff" + text.encode("utf-16-be").hex() + ">"


def _to_unicode(font: Font, codes: Mapping[int, str]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<00> <ff>", "endcodespacerange",
    ]
    items = sorted(codes.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(font.bfchar[ch] for _, ch in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


_NAMES = [f"/c{code:02x}" for code in range(256)]
_DIFFS = [f"{code} /c{code:02x}" for code in range(256)]


class Document:
    """Pages and the fonts they use, written out as PDF 1.4."""

    def __init__(self, fonts: Mapping[str, Font], *, title: str = "", level: int = ZLIB_LEVEL):
        self.fonts = fonts
        self.title = title
        self.level = level
        self.pages: list[Page] = []
        self.used: dict[str, set[str]] = {}

    def add_page(self, drawing: Drawing, width: float, height: float,
                 trim: tuple[float, float, float, float] | None = None) -> None:
        self.pages.append(Page(width, height, drawing.content(), trim))
        for key, chars in drawing.used.items():
            self.used.setdefault(key, set()).update(chars)

    def tobytes(self) -> bytes:
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        def stream(data: bytes) -> int:
            data = zlib.compress(data, self.level)
            head = f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n"
            return add(head.encode("ascii") + data + b"\nendstream")

        catalog = add(b"")  # filled in below
        pages_obj = add(b"")
        font_refs = []
        for key in sorted(self.used):
            font = self.fonts[key]
            by_sub: dict[int, dict[int, str]] = {}
            for ch in self.used[key]:
                s = font.slot.get(ch)
                if s is not None:
                    by_sub.setdefault(s[0], {})[s[1]] = ch
            for sub in sorted(by_sub):
                codes = by_sub[sub]
                procs = []
                for code in sorted(codes):
                    procs.append((code, add(font.char_proc(codes[code]))))
                first, last = procs[0][0], procs[-1][0]
                widths = [0] * (last - first + 1)
                for code, ch in codes.items():
                    widths[code - first] = font.advance[ch]
                cmap = stream(_to_unicode(font, codes))
                char_procs = " ".join(f"{_NAMES[code]} {ref} 0 R" for code, ref in procs)
                diffs = " ".join(_DIFFS[code] for code, _ in procs)
                body = (
                    f"<< /Type /Font /Subtype /Type3 /FontBBox {_box(font.bbox)} "
                    f"/FontMatrix {font.matrix} /CharProcs << {char_procs} >> "
                    f"/Encoding << /Type /Encoding /Differences [{diffs}] >> "
                    f"/FirstChar {first} /LastChar {last} "
                    f"/Widths [{' '.join(map(str, widths))}] /ToUnicode {cmap} 0 R "
                    f"/Resources << >> >>"
                )
                font_refs.append(f"/{key}{sub} {add(body.encode('ascii'))} 0 R")
        resources = add(f"<< /Font << {' '.join(font_refs)} >> >>".encode("ascii"))
        kids = []
        for page in self.pages:
            content = stream(page.content)
            boxes = f"/MediaBox {_box((0, 0, page.width, page.height))}"
            if page.trim:
                boxes += f" /TrimBox {_box(page.trim)} /BleedBox {_box(page.trim)}"
            kids.append(add(
                f"<< /Type /Page /Parent {pages_obj} 0 R {boxes} /Resources {resources} 0 R "
                f"/Contents {content} 0 R >>".encode("ascii")))
        objects[pages_obj - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
            f"/Count {len(kids)} >>").encode("ascii")
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode("ascii")
        info = add(f"<< /Title {_text_string(self.title)} /Producer (ocop-catalog) >>"
                   .encode("ascii"))

        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number
            out += body
            out += b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
        out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode("ascii")
        out += (f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n"
                f"startxref\n{xref}\n%%EOF\n").encode("ascii")
        return bytes(out)
