"""Photo files submitted with records: where they may be and what they may be.

Photos arrive by pull request from people we do not know, so every file is
checked before anything decodes it: it must sit inside its record's folder
(no ``..``, absolute paths or symbolic links leading out), be a JPEG, PNG or
WebP (never SVG, which can carry scripts), and stay under a byte and a pixel
limit read from the header, so that a decompression bomb is refused before it
is decoded, and under WebP's :data:`MAX_SIDE` per side (the build writes WebP).

Then the image is decoded, as the build decodes it (all its data, and turned
upright from its EXIF orientation), so that a file cut off or damaged after a
valid header is refused here rather than failing the build. A JPEG coded by its
blocks' frequencies (DCT: every camera's and phone's) is decoded at an eighth of its
size (:data:`JPEG_SCALE`): the decoder still reads every block's coefficients, where
damage shows, and only the last step (the inverse DCT, whose output a smaller scale
reduces) costs less, about half the time of a photo at 1600×1200
(``tests/test_hostile_input.py`` holds the build's decoder to what this check
accepts, over damaged files). Any other JPEG (lossless: libjpeg decodes it at its
size whatever is asked, into a buffer Pillow made for the smaller one) is decoded
at its size, as the build does.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from .decoded import Decoded
from .messages import phrase_params
from .text import bad_character

if TYPE_CHECKING:
    from .issues import Document
    from ..settings import Settings

ACCEPTED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
#: The scale a JPEG is decoded at to check it (:func:`_decodes`): libjpeg's smallest.
JPEG_SCALE = 8
#: The start-of-frame markers of JPEGs libjpeg decodes at a smaller scale: DCT-coded,
#: baseline, extended or progressive, with Huffman or arithmetic codes (:func:`_frame`).
_SCALED_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC9, 0xCA})
#: Every start-of-frame marker (0xC4, 0xC8 and 0xCC are other segments).
_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: The segments libjpeg passes over by their length before a frame: APP0–15, comments,
#: quantisation, Huffman and arithmetic-coding tables, restart interval, line count.
_SKIPPED = frozenset(range(0xE0, 0xF0)) | {0xFE, 0xDB, 0xC4, 0xCC, 0xDD, 0xDC}
#: How many markers and fill bytes may come before a JPEG's frame (:func:`_frame`): past
#: them, the photo is decoded at its size.
_MAX_STEPS = 1000
#: The longest side a WebP image may have, in pixels.
MAX_SIDE = 16383
_SVG_SUFFIXES = {".svg", ".svgz"}
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class ImageInfo:
    path: Path
    width: int
    height: int
    format: str
    size: int


def resolve_inside(folder: Path, name: str) -> Path | None:
    """``folder/name`` if it stays inside ``folder`` (links resolved), else None."""
    if not name or "\\" in name or "\0" in name or PureWindowsPath(name).drive:
        return None
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        return None
    target = folder / relative
    try:
        real = target.resolve()
        base = folder.resolve()
    except (OSError, RuntimeError):  # link loops
        return None
    if real != base and base not in real.parents:
        return None
    return target


#: The photos that decoded cleanly before (set by the loader for each load; forked
#: workers read the one they inherit).
DECODED = Decoded()


def check_image(
    doc: Document, folder: Path, name: str, path: tuple, settings: Settings
) -> ImageInfo | None:
    """Report every problem with the image ``name`` in ``folder``; its info if usable."""
    if PurePosixPath(name).suffix.lower() in _SVG_SUFFIXES:
        doc.report("photo_svg", path, value=name)
        return None
    target = resolve_inside(folder, name)
    if target is None:
        doc.report("photo_outside", path, value=name)
        return None
    bad = bad_character(name)
    if bad is not None:  # a file name is text too: no control characters, no overrides
        doc.report("text_line_break" if bad.is_line_break else "text_control", path,
                   mark=doc.text_mark(path, name, bad.offset), position=bad.offset + 1,
                   char=bad.describe())
        return None
    try:
        size = target.stat().st_size if target.is_file() else None
    except OSError:  # a name too long for the file system, a permission problem…
        size = None
    if size is None:
        doc.report("photo_missing", path, value=name, **_close_name(target, name))
        return None
    if size > settings.photo_max_bytes:
        doc.report("photo_too_large", path, value=name, size=f"{size / 2**20:.1f}",
                   limit=f"{settings.photo_max_bytes / 2**20:.0f}")
        return None
    info = _read_header(doc, target, name, path, size, settings)
    if info is None:
        return None
    pixels = info.width * info.height
    if pixels > settings.photo_max_pixels:
        doc.report("photo_too_many_pixels", path, value=name, width=info.width,
                   height=info.height, megapixels=f"{pixels / 1e6:.0f}",
                   limit=f"{settings.photo_max_pixels / 1e6:.0f}")
        return None
    if max(info.width, info.height) > MAX_SIDE:
        doc.report("photo_side_too_long", path, value=name, width=info.width,
                   height=info.height, limit=MAX_SIDE)
        return None
    if not DECODED.unchanged(info.path) and not _decodes(doc, info, name, path):
        return None
    if min(info.width, info.height) < settings.photo_min_side:
        doc.report("photo_small", path, value=name, width=info.width, height=info.height,
                   min=settings.photo_min_side)
    return info


def _close_name(target: Path, name: str) -> dict[str, str]:
    """``hint``/``hint_vi`` naming the file in the folder whose name differs from
    ``name`` only in capitals (``1.JPG``) or in its image extension (``1.png``), if any:
    the site is built on a system where capitals count."""
    try:
        present = sorted(os.listdir(target.parent))
    except OSError:
        return {"hint": "", "hint_vi": ""}
    wanted = PurePosixPath(name)
    lower, stem = wanted.name.lower(), PurePosixPath(wanted.name.lower()).stem
    close = [n for n in present if n.lower() == lower]
    close = close or [n for n in present if PurePosixPath(n.lower()).stem == stem
                      and PurePosixPath(n).suffix.lower() in _IMAGE_SUFFIXES]
    close = [n for n in close if n != wanted.name and (target.parent / n).is_file()]
    if not close:
        return {"hint": "", "hint_vi": ""}
    folder = wanted.parent.as_posix()
    return phrase_params("hint", "photo_case",
                         name=close[0] if folder == "." else f"{folder}/{close[0]}")


def _read_header(
    doc: Document, target: Path, name: str, path: tuple, size: int, settings: Settings
) -> ImageInfo | None:
    try:
        with open(target, "rb") as fh:
            head = fh.read(512).lstrip()
    except OSError:
        doc.report("photo_not_image", path, value=name)
        return None
    if head.startswith(b"<?xml") or b"<svg" in head[:256]:
        doc.report("photo_svg", path, value=name)
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bombs, corrupt EXIF…: reported as issues or harmless
            with Image.open(target) as image:
                width, height, fmt = image.width, image.height, image.format
        # a JPEG with more pictures after its own (MPF: a phone's HDR gain map or depth
        # map, a camera's preview) opens as "MPO": it is a JPEG, and its first picture,
        # the one every viewer shows, is the photo (what the build decodes)
        fmt = "JPEG" if fmt == "MPO" else fmt
    except Image.DecompressionBombError:
        doc.report("photo_too_many_pixels", path, value=name, width="?", height="?",
                   megapixels="> 178", limit=f"{settings.photo_max_pixels / 1e6:.0f}")
        return None
    except Exception:  # Pillow's format plugins raise many kinds of error on bad headers
        doc.report("photo_not_image", path, value=name)
        return None
    if fmt not in ACCEPTED_FORMATS:
        doc.report("photo_format", path, value=name, format=fmt)
        return None
    return ImageInfo(target, width, height, fmt, size)


def scales_down(data: bytes) -> bool:
    """Whether ``data`` is a JPEG (an MPO too: a JPEG with more pictures after its own)
    that libjpeg decodes at a smaller scale when asked (Pillow's ``draft``): its first
    picture is DCT-coded. A lossless JPEG is decoded at its size
    whatever is asked, into the buffer Pillow made for the smaller one (Pillow 12 crashed
    on it, 13 calls it broken), and so is anything :func:`_frame` cannot read."""
    return _frame(data) in _SCALED_FRAMES


def _frame(data: bytes) -> int | None:
    """The start-of-frame marker of the JPEG ``data`` (its first picture's), found by
    walking its markers from the start as libjpeg does; None where it cannot be found so
    (a marker libjpeg would not pass over before a frame, bytes not as a JPEG has them,
    more than :data:`_MAX_STEPS` steps)."""
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    for _ in range(_MAX_STEPS):
        if at + 1 >= len(data) or data[at] != 0xFF:
            return None
        code = data[at + 1]
        if code in _FRAMES:
            return code
        if code == 0xFF:  # a fill byte before the marker
            at += 1
        elif code == 0x01 or 0xD0 <= code <= 0xD7:  # markers without a segment
            at += 2
        elif code in _SKIPPED:
            length = int.from_bytes(data[at + 2:at + 4], "big")
            if length < 2:
                return None
            at += 2 + length
        else:  # 00 (not a marker), a scan or an end before any frame, an unknown one
            return None
    return None


def _decodes(doc: Document, info: ImageInfo, name: str, path: tuple) -> bool:
    """Decode the image, as the build does (a DCT-coded JPEG at :data:`JPEG_SCALE`:
    every block's data read, a smaller picture made of it); report the image if that
    fails.

    Called only once the header passed the byte, pixel and side limits, so the
    decoded image is bounded; Pillow's own decompression-bomb check stays on.
    """
    try:
        with open(info.path, "rb") as fh:  # read once: the bytes walked are the bytes decoded
            data = fh.read(info.size + 1)
        if len(data) != info.size:
            raise ValueError("the file changed while it was being checked")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # truncated data is an error below, not a warning
            with Image.open(io.BytesIO(data), formats=[info.format]) as image:
                if image.size != (info.width, info.height):
                    raise ValueError("the file changed while it was being checked")
                if scales_down(data):  # a JPEG (its signature), DCT-coded
                    image.draft(image.mode, (max(1, info.width // JPEG_SCALE),
                                             max(1, info.height // JPEG_SCALE)))
                image.load()
                ImageOps.exif_transpose(image, in_place=True)
    except Image.DecompressionBombError:
        doc.report("photo_too_many_pixels", path, value=name, width=info.width,
                   height=info.height, megapixels=f"{info.width * info.height / 1e6:.0f}",
                   limit=f"{Image.MAX_IMAGE_PIXELS / 1e6:.0f}")
        return False
    except Exception as exc:  # decoders fail in many ways on damaged data
        detail = str(exc) or type(exc).__name__
        doc.report("photo_damaged", path, value=name, format=info.format, detail=detail[:120])
        return False
    return True
