"""The photo pipeline of the site build: upright, metadata-free, responsive images.

Every product photo and producer logo is decoded once, turned upright from its
EXIF orientation, converted to sRGB and written out as several widths in WebP
and in progressive JPEG, plus one white-padded square JPEG for marketplaces.

Why content hashes. An output's cache folder is named after the SHA-256 of the
source *bytes* plus a fingerprint of everything else that shapes the output
bytes (widths, qualities, this module's version, Pillow's and its codecs'
versions). Renaming or moving a photo costs nothing, an unchanged photo is
never encoded twice, a changed one always is, and two builds can share one
cache. The public URL uses the same digest, so it changes exactly when the
bytes do and the files can be served with a far-future cache lifetime.

Why strip metadata. Photos come by pull request from phones: their EXIF
carries GPS positions (often a producer's home), device serials and times,
and XMP or comments may carry more. None of it is needed on the site, so
outputs carry no EXIF, XMP, ICC profile or comment. Colour is kept right by
converting an embedded ICC profile to sRGB (with ImageCms when Pillow has
LittleCMS; otherwise the profile is dropped) and writing untagged sRGB, which
is what browsers assume.

Colour modes. JPEG has no alpha, so JPEGs are flattened on white. WebPs keep
an alpha channel only when the source really has a transparent pixel (logos);
everything else is RGB.

Determinism. With the same source bytes and settings the encoders produce the
same bytes, sequentially or in worker processes; files are written atomically
(temporary file, then ``os.replace``), and a folder counts as cached only once
its ``manifest.json``, written last, is present and every file it lists exists.

Publishing hard-links cache files into the site (copying when the two are on
different file systems), so later build steps must replace site files, never
edit them in place.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import io
import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import PIL
from PIL import Image, ImageOps, features

from ..parallel import ignore_interrupts

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: ICC profiles are dropped
    ImageCms = None  # type: ignore[assignment]

Format = Literal["webp", "jpeg"]

PIPELINE_VERSION = 1
MIN_SQUARE = 500
SQUARE_NAME = "square.jpg"
MANIFEST = "manifest.json"
PROGRESS_ABOVE = 50
_EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
_CHUNK = 1 << 20


class ImageError(Exception):
    """A source photo that cannot be read or decoded."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = Path(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Variant:
    name: str
    width: int
    height: int
    format: Format
    path: Path


@dataclass(frozen=True)
class ProcessedImage:
    digest: str
    width: int
    height: int
    variants: tuple[Variant, ...]
    square: Variant

    def url_base(self, prefix: str = "media") -> str:
        """The public folder URL of this image's files, ending in a slash."""
        return f"{prefix}/{self.digest[:16]}/"

    def url(self, variant: Variant, prefix: str = "media") -> str:
        """The public URL of ``variant`` once published under ``prefix``."""
        return self.url_base(prefix) + variant.name

    def of(self, fmt: Format) -> tuple[Variant, ...]:
        """The responsive variants in ``fmt``, narrowest first."""
        return tuple(sorted((v for v in self.variants if v.format == fmt), key=lambda v: v.width))

    def srcset(self, fmt: Format, base: str | None = None) -> str:
        """An HTML ``srcset`` for ``fmt``; URLs are ``base`` + name (default: public URL)."""
        base = self.url_base() if base is None else base
        if base and not base.endswith("/"):
            base += "/"
        return ", ".join(f"{base}{v.name} {v.width}w" for v in self.of(fmt))

    def largest(self, fmt: Format) -> Variant:
        """The widest variant in ``fmt``."""
        return self.of(fmt)[-1]

    def pick(self, fmt: Format, min_width: int) -> Variant:
        """The narrowest variant in ``fmt`` at least ``min_width`` wide, else the widest."""
        return next((v for v in self.of(fmt) if v.width >= min_width), self.largest(fmt))


@dataclass(frozen=True)
class _Options:
    widths: tuple[int, ...]
    square: int
    jpeg_quality: int
    webp_quality: int


class ImagePipeline:
    """Turns source photos into cached, published-ready outputs."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        widths: Iterable[int] = (360, 720, 1080, 1440),
        square: int = 1000,
        jpeg_quality: int = 82,
        webp_quality: int = 80,
        workers: int | None = None,
        log: Callable[[str], object] | None = None,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.options = _checked_options(tuple(widths), square, jpeg_quality, webp_quality)
        self.workers = _checked_workers(workers)
        self.log = log or logging.getLogger("ocop_catalog.edition.images").info
        self.last_encoded = 0

    def process(self, sources: Iterable[Path]) -> Mapping[Path, ProcessedImage]:
        """Every source's outputs, encoding only those not already in the cache."""
        digests = {Path(s): "" for s in sources}
        done: dict[str, ProcessedImage] = {}
        todo: dict[str, Path] = {}
        for source in digests:
            digest = digests[source] = _digest_file(source, self.options)
            if digest not in done and digest not in todo:
                cached = _load(_folder(self.cache_dir, digest))
                if cached is None:
                    todo[digest] = source
                else:
                    done[digest] = cached
        done.update(self._encode_all(todo))
        self.last_encoded = len(todo)
        return MappingProxyType({source: done[digest] for source, digest in digests.items()})

    def _encode_all(self, todo: dict[str, Path]) -> dict[str, ProcessedImage]:
        """Encode ``todo`` (digest → source), in worker processes when worthwhile."""
        progress = _Progress(len(todo), self.log)
        if self.workers == 1 or len(todo) <= 1:
            return {d: progress.step(_encode(s, d, self.options, self.cache_dir))
                    for d, s in todo.items()}
        return self._encode_parallel(todo, progress)

    def _encode_parallel(
        self, todo: dict[str, Path], progress: _Progress
    ) -> dict[str, ProcessedImage]:
        """Encode ``todo`` on ``self.workers`` processes; the first error stops the rest."""
        results = {}
        with ProcessPoolExecutor(max_workers=min(self.workers, len(todo)),
                                 initializer=ignore_interrupts) as pool:
            futures = {pool.submit(_encode, s, d, self.options, self.cache_dir): d
                       for d, s in todo.items()}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = progress.step(future.result())
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
        return results


def publish_images(
    processed: Mapping[Path, ProcessedImage], site_dir: Path, prefix: str = "media"
) -> None:
    """Place every output at ``site_dir/prefix/<digest[:16]>/<name>`` (its public URL)."""
    for image in {p.digest: p for p in processed.values()}.values():
        folder = Path(site_dir) / image.url_base(prefix)
        folder.mkdir(parents=True, exist_ok=True)
        for variant in (*image.variants, image.square):
            place(variant.path, folder / variant.name)


def place(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (copy if linking fails), atomically."""
    if target.exists() and (os.path.samefile(source, target)
                            or filecmp.cmp(source, target, shallow=False)):
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def _checked_options(widths: tuple[int, ...], square: int, jpeg: int, webp: int) -> _Options:
    """The settings, validated, with widths sorted and unique."""
    if not widths or any(not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must be positive integers, not {widths!r}")
    if square < MIN_SQUARE:
        raise ValueError(f"square must be at least {MIN_SQUARE} px, not {square}")
    if not (1 <= jpeg <= 100 and 1 <= webp <= 100):
        raise ValueError("qualities must be between 1 and 100")
    return _Options(tuple(sorted(set(widths))), square, jpeg, webp)


def _checked_workers(workers: int | None) -> int:
    """The number of worker processes: ``workers``, or one per CPU."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return workers or os.cpu_count() or 1


class _Progress:
    """Logs "photos: done/total encoded" about every 10 % when there are many photos."""

    def __init__(self, total: int, log: Callable[[str], object]) -> None:
        self.total, self.log, self.done = total, log, 0
        self.every = math.ceil(total / 10) if total > PROGRESS_ABOVE else 0

    def step(self, result: ProcessedImage) -> ProcessedImage:
        """Count one encoded photo, log when due, and pass ``result`` through."""
        self.done += 1
        if self.every and (self.done % self.every == 0 or self.done == self.total):
            self.log(f"photos: {self.done}/{self.total} encoded")
        return result


@cache
def _fingerprint(options: _Options) -> bytes:
    """Everything besides the source bytes that shapes the output bytes."""
    settings = {
        "pipeline": PIPELINE_VERSION, "widths": options.widths, "square": options.square,
        "jpeg_quality": options.jpeg_quality, "webp_quality": options.webp_quality,
        "pillow": PIL.__version__, "libjpeg": features.version("jpg"),
        "libwebp": features.version("webp"),
        "lcms": features.version("littlecms2") if ImageCms is not None else None,
    }
    return json.dumps(settings, sort_keys=True).encode()


def _digest_file(source: Path, options: _Options) -> str:
    """SHA-256 of the source bytes followed by the settings fingerprint."""
    digest = hashlib.sha256()
    try:
        with open(source, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise ImageError(source, f"cannot read the file ({exc.strerror or exc})") from exc
    digest.update(_fingerprint(options))
    return digest.hexdigest()


def _folder(cache_dir: Path, digest: str) -> Path:
    """The cache folder of the outputs with ``digest``."""
    return cache_dir / digest[:2] / digest


def _encode(source: Path, digest: str, options: _Options, cache_dir: Path) -> ProcessedImage:
    """Decode ``source`` and write all its outputs to the cache (runs in workers too)."""
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ImageError(source, f"cannot read the file ({exc.strerror or exc})") from exc
    if hashlib.sha256(data + _fingerprint(options)).hexdigest() != digest:
        raise ImageError(source, "the file changed while the site was being built")
    image = _decode(source, data)
    folder = _folder(cache_dir, digest)
    folder.mkdir(parents=True, exist_ok=True)
    variants = _write_sizes(folder, image, options)
    square = _write(folder, _square(_flatten(image), options.square), "jpeg", options, SQUARE_NAME)
    processed = ProcessedImage(digest, image.width, image.height, variants, square)
    atomic_write(folder / MANIFEST, _manifest(processed))
    return processed


def _decode(source: Path, data: bytes) -> Image.Image:
    """The photo upright, in sRGB, RGB or RGBA, with no metadata left in ``info``."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = _to_srgb(ImageOps.exif_transpose(opened))
    except Exception as exc:  # untrusted bytes fail in many different ways
        raise ImageError(source, f"cannot decode the image ({exc})") from exc
    image.info = {}
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """``image`` as sRGB RGB, or RGBA if it has a transparent pixel."""
    image = _eight_bit(image)
    mode = "RGBA" if _has_alpha(image) else "RGB"
    icc = image.info.get("icc_profile")
    if icc and ImageCms is not None:
        converted = _apply_icc(image, icc, mode)
        if converted is not None:
            return converted
    return image.convert(mode)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit grey scaled to 8 bits (a plain conversion would clip it to white)."""
    if image.mode not in ("I", "I;16", "I;16B", "I;16L"):
        return image
    return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")


def _has_alpha(image: Image.Image) -> bool:
    """Whether ``image`` has at least one pixel that is not fully opaque."""
    if not image.has_transparency_data:
        return False
    return image.convert("RGBA").getchannel("A").getextrema()[0] < 255


def _apply_icc(image: Image.Image, icc: bytes, mode: str) -> Image.Image | None:
    """``image`` converted from its ICC profile to sRGB, or None if the profile is unusable."""
    native = image.mode in ("RGB", "CMYK", "L") and mode == "RGB"
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image if native else image.convert(mode),
                                         profile, _srgb(), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


@lru_cache(maxsize=1)
def _srgb():
    """The built-in sRGB profile (one per process)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _write_sizes(folder: Path, image: Image.Image, options: _Options) -> tuple[Variant, ...]:
    """Write every responsive width as WebP and as JPEG; WebPs first, narrowest first."""
    flat = _flatten(image)
    webps, jpegs = [], []
    for width in _widths(image.width, options.widths):
        size = (width, max(1, round(image.height * width / image.width)))
        resized = _resize(image, size)
        webps.append(_write(folder, resized, "webp", options))
        jpegs.append(_write(folder, resized if flat is image else _resize(flat, size), "jpeg",
                            options))
    return (*webps, *jpegs)


def _widths(width: int, widths: tuple[int, ...]) -> list[int]:
    """The configured widths below ``width``, plus ``width`` capped at the largest one."""
    return sorted({w for w in widths if w < width} | {min(width, widths[-1])})


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` resampled to ``size`` with Lanczos (itself if already that size)."""
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _flatten(image: Image.Image) -> Image.Image:
    """``image`` composited on white if it has alpha, else ``image`` itself."""
    if image.mode != "RGBA":
        return image
    canvas = Image.new("RGB", image.size, "white")
    canvas.paste(image, mask=image.getchannel("A"))
    return canvas


def _square(image: Image.Image, largest: int) -> Image.Image:
    """``image`` whole, centred on a white square.

    The square is ``largest`` px, or the image's long side when that is
    smaller, but never under 500 px (the marketplaces' minimum): a small
    source is upscaled only as far as needed to reach 500 px, never further.
    """
    long_side = max(image.size)
    side = min(largest, max(long_side, MIN_SQUARE))
    size = tuple(max(1, round(n * side / long_side)) for n in image.size)
    canvas = Image.new("RGB", (side, side), "white")
    canvas.paste(_resize(image, size), ((side - size[0]) // 2, (side - size[1]) // 2))
    return canvas


def _write(folder: Path, image: Image.Image, fmt: Format, options: _Options,
           name: str | None = None) -> Variant:
    """Encode ``image`` as ``fmt`` into ``folder`` and describe the file."""
    name = name or f"{image.width}.{_EXTENSIONS[fmt]}"
    atomic_write(folder / name, _encoded(image, fmt, options))
    return Variant(name, image.width, image.height, fmt, folder / name)


def _encoded(image: Image.Image, fmt: Format, options: _Options) -> bytes:
    """The bytes of ``image`` as ``fmt``, without any metadata."""
    image.info = {}  # JPEG would copy a comment from info; nothing else may leak
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.save(buffer, "JPEG", quality=options.jpeg_quality, optimize=True,
                   progressive=True, subsampling="4:2:0")
    else:
        image.save(buffer, "WEBP", quality=options.webp_quality, method=4)
    return buffer.getvalue()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so readers see all or nothing."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _manifest(processed: ProcessedImage) -> bytes:
    """The JSON record of ``processed`` kept next to its files."""
    def entry(v: Variant) -> dict:
        return {"name": v.name, "width": v.width, "height": v.height, "format": v.format}
    return json.dumps({
        "digest": processed.digest, "width": processed.width, "height": processed.height,
        "variants": [entry(v) for v in processed.variants], "square": entry(processed.square),
    }, indent=1).encode()


def _load(folder: Path) -> ProcessedImage | None:
    """The cached outputs in ``folder``, or None unless they are all there."""
    try:
        data = json.loads((folder / MANIFEST).read_bytes())
        variants = tuple(_variant(folder, entry) for entry in data["variants"])
        processed = ProcessedImage(data["digest"], data["width"], data["height"], variants,
                                   _variant(folder, data["square"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    files = (*processed.variants, processed.square)
    return processed if all(v.path.is_file() for v in files) else None


def _variant(folder: Path, entry: dict) -> Variant:
    """A variant read back from a manifest entry."""
    return Variant(entry["name"], entry["width"], entry["height"], entry["format"],
                   folder / entry["name"])
