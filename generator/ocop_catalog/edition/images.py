"""The photo pipeline of the site build: upright, metadata-free, responsive images.

Every product photo and producer logo is decoded once, turned upright from its
EXIF orientation, converted to sRGB and written out as a few widths in WebP,
plus (a product photo, not a logo) one white-padded square JPEG for marketplaces
and sharing.

What is published, and why no more. Every browser in use reads WebP, so pages
offer WebP only, at the widths their layout picks at 1x and 2x between 360 and
1440 px (:data:`DEFAULT_WIDTHS`; docs/configuration.md, "Photos", shows which
page picks which). Marketplace feeds, exports, ``og:image`` and JSON-LD take the
square JPEG (Meta accepts no WebP). Progressive JPEGs at every width, for
browsers without WebP, and other widths are opt-in: the ``media:`` options
(:class:`MediaOptions`, :func:`parse_media_options`).

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

Sources read once. A source's digest is remembered in the cache folder
(``sources-<settings>.json``) with the file's stat signature (size, modification and change
times, inode, device: :func:`ocop_catalog.records.decoded.stat_signature`, which the
kernel keeps and no program can set back) and the settings' fingerprint; a build reads
a photo's bytes again only when one of these changed
(:class:`ocop_catalog.records.decoded.FileDigests`, as for the inputs' fingerprint),
instead of hashing every photo
of the catalog on every build (hundreds of megabytes at 1,000 products with photos as
phones take them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import filecmp
import hashlib
import io
import json
import logging
import math
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import PIL
from PIL import Image, ImageOps, features

from ..errors import OptionError
from ..housekeeping import entries, links, mark_used, no_links, recent, sweep_due, swept
from ..parallel import ignore_interrupts, worker_setup
from ..records.decoded import FileDigests, atomic_write, restored_sha, signature_of

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: ICC profiles are dropped
    ImageCms = None  # type: ignore[assignment]

Format = Literal["webp", "jpeg"]

PIPELINE_VERSION = 2
#: The WebP widths a page offers: what the theme's ``sizes`` make Chromium pick between
#: 360 and 1440 px wide screens at 1x and 2x (cards and tiles 360 and 720, a product
#: photo 360 to 1080); wider ones are opt-in (``media: widths``).
DEFAULT_WIDTHS = (360, 720, 1080)
#: libwebp's own default quality (cwebp -q 75). Method 5 makes the sample's WebPs 8 %
#: smaller than method 4 for 0-10 % more time; method 6 saves 2 % more for twice the time.
WEBP_QUALITY = 75
WEBP_METHOD = 5
JPEG_QUALITY = 82
SQUARE = 1000
MAX_MEDIA_SIDE = 4096
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
    #: The marketplace square (None when none was asked for: a producer's logo).
    square: Variant | None

    def url_base(self, prefix: str = "media") -> str:
        """The public folder URL of this image's files, ending in a slash."""
        return f"{prefix}/{self.digest[:16]}/"

    def url(self, variant: Variant, prefix: str = "media") -> str:
        """The public URL of ``variant`` once published under ``prefix``."""
        return self.url_base(prefix) + variant.name

    def of(self, fmt: Format) -> tuple[Variant, ...]:
        """The responsive variants in ``fmt``, narrowest first (none in JPEG unless the
        site publishes JPEG fallbacks, ``media: jpeg_fallback``)."""
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
class MediaOptions:
    """The ``media:`` options of the ``ocop`` plugin: what every photo is published as."""

    #: WebP widths offered to the browser (each photo gets those below its own width,
    #: and its width capped at the largest).
    widths: tuple[int, ...] = DEFAULT_WIDTHS
    #: Also a progressive JPEG at every width, in ``<img>``, with the WebPs in a
    #: ``<source>`` (for browsers without WebP; more than doubles the media).
    jpeg_fallback: bool = False
    webp_quality: int = WEBP_QUALITY
    #: Quality of the JPEGs: the square and, with ``jpeg_fallback``, every width.
    jpeg_quality: int = JPEG_QUALITY
    #: The side of the square JPEG for marketplaces (at least 500 px).
    square: int = SQUARE


class MediaOptionError(OptionError):
    """A wrong ``media:`` option."""


_MEDIA_KEYS = ("widths", "jpeg_fallback", "webp_quality", "jpeg_quality", "square")


def _fail(where: str, vi: str, en: str) -> MediaOptionError:
    return MediaOptionError(f"{where}: {vi}\n    {where}: {en} "
                            "(docs/configuration.md, 'media')")


def parse_media_options(raw: object) -> MediaOptions:
    """The checked ``media:`` option (absent: every default)."""
    if raw is None:
        return MediaOptions()
    if not isinstance(raw, Mapping):
        raise _fail("media", "cần các dòng 'khóa: giá trị' (" + ", ".join(_MEDIA_KEYS) + ")",
                    "expected 'key: value' lines (" + ", ".join(_MEDIA_KEYS) + ")")
    for key in raw:
        if key not in _MEDIA_KEYS:
            known = ", ".join(_MEDIA_KEYS)
            raise _fail(f"media.{key}", "tùy chọn không có; các tùy chọn: " + known,
                        "unknown option; known: " + known)
    defaults = MediaOptions()
    widths = raw.get("widths", list(defaults.widths))
    if (not isinstance(widths, list) or not 1 <= len(widths) <= 8
            or not all(_is_int(w) and 100 <= w <= MAX_MEDIA_SIDE for w in widths)):
        raise _fail("media.widths", f"cần một danh sách từ 1 đến 8 độ rộng (điểm ảnh, từ 100 "
                    f"đến {MAX_MEDIA_SIDE}), ví dụ [360, 720, 1080, 1440]; không phải {widths!r}",
                    f"expected a list of 1 to 8 widths (pixels, 100 to {MAX_MEDIA_SIDE}), e.g. "
                    f"[360, 720, 1080, 1440]; not {widths!r}")
    fallback = raw.get("jpeg_fallback", defaults.jpeg_fallback)
    if not isinstance(fallback, bool):
        raise _fail("media.jpeg_fallback", f"cần true hoặc false, không phải {fallback!r}",
                    f"expected true or false, not {fallback!r}")
    qualities = {}
    for key in ("webp_quality", "jpeg_quality"):
        value = qualities[key] = raw.get(key, getattr(defaults, key))
        if not (_is_int(value) and 1 <= value <= 100):
            raise _fail(f"media.{key}", f"cần một số nguyên từ 1 đến 100, không phải {value!r}",
                        f"expected a whole number from 1 to 100, not {value!r}")
    square = raw.get("square", defaults.square)
    if not (_is_int(square) and MIN_SQUARE <= square <= MAX_MEDIA_SIDE):
        raise _fail("media.square", f"cần một số điểm ảnh từ {MIN_SQUARE} (mức tối thiểu của "
                    f"các sàn) đến {MAX_MEDIA_SIDE}, không phải {square!r}",
                    f"expected a number of pixels from {MIN_SQUARE} (the marketplaces' "
                    f"minimum) to {MAX_MEDIA_SIDE}, not {square!r}")
    return MediaOptions(tuple(sorted(set(widths))), fallback, qualities["webp_quality"],
                        qualities["jpeg_quality"], square)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Options:
    widths: tuple[int, ...]
    square: int
    jpeg_quality: int
    webp_quality: int
    jpeg_fallback: bool = False


class ImagePipeline:
    """Turns source photos into cached, published-ready outputs."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        widths: Iterable[int] = DEFAULT_WIDTHS,
        square: int = SQUARE,
        jpeg_quality: int = JPEG_QUALITY,
        webp_quality: int = WEBP_QUALITY,
        jpeg_fallback: bool = False,
        workers: int | None = None,
        log: Callable[[str], object] | None = None,
        root: Path | None = None,
        restored: Mapping[str, str] | None = None,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        #: The catalog's folder (its photos' digests go with git's blob ids too) and the
        #: memos the record of the site the build takes over vouches for, by path from it
        #: (:class:`.records.decoded.FileDigests`).
        self.root = root
        self.restored = restored or {}
        self.options = _checked_options(tuple(widths), square, jpeg_quality, webp_quality,
                                        jpeg_fallback)
        self.workers = _checked_workers(workers)
        self.log = log or logging.getLogger("ocop_catalog.edition.images").info
        self.last_encoded = 0

    def process(self, sources: Iterable[Path], *,
                square: bool = True) -> Mapping[Path, ProcessedImage]:
        """Every source's outputs, encoding only those not already in the cache; with
        ``square=False`` no marketplace square (logos never go to a marketplace)."""
        options = self.options if square else dataclasses.replace(self.options, square=0)
        digests = {Path(s): "" for s in sources}
        done: dict[str, ProcessedImage] = {}
        todo: dict[str, Path] = {}
        known = _source_digests(self.cache_dir, options, self.root, self.restored)
        for source in digests:
            digest = digests[source] = known.digest(source)
            if digest not in done and digest not in todo:
                cached = _load(_folder(self.cache_dir, digest))
                if cached is None:
                    todo[digest] = source
                else:
                    done[digest] = cached
                    # safe from another build's sweep until published
                    mark_used(_folder(self.cache_dir, digest))
        done.update(self._encode_all(todo, options))
        # after encoding: a source that did not match its digest stopped the build
        if known.save():
            _forget_older_digests(self.cache_dir)
        self.last_encoded = len(todo)
        return MappingProxyType({source: done[digest] for source, digest in digests.items()})

    def sweep(self, in_use: Iterable[str], root: Path) -> int:
        """Once a day (:func:`ocop_catalog.housekeeping.sweep_due`), delete the cached
        outputs of photos other than those with a digest ``in_use`` that no site links to
        (a published photo's files are hard links to them) and that were not encoded
        within :data:`~ocop_catalog.housekeeping.GRACE` (by another build): a photo
        replaced or removed since. Nothing if the cache folder is reached through a
        symbolic link below ``root``. How many photos' outputs were deleted."""
        if not (sweep_due(self.cache_dir) and no_links(self.cache_dir, root)):
            return 0
        in_use = set(in_use)
        removed = 0
        for folder in _cached_folders(self.cache_dir):
            if folder.name in in_use or recent(folder):
                continue
            try:
                files = list(os.scandir(folder))
                if all(f.is_file(follow_symlinks=False) and links(Path(f.path)) == 1
                       for f in files):
                    shutil.rmtree(folder)
                    removed += 1
            except OSError:
                continue
        swept(self.cache_dir)
        if removed:
            self.log(f"photo cache: the outputs of {removed} photo(s) no longer in the "
                     "catalog were deleted")
        return removed

    def _encode_all(self, todo: dict[str, Path], options: _Options) -> dict[str, ProcessedImage]:
        """Encode ``todo`` (digest → source), in worker processes when worthwhile."""
        progress = _Progress(len(todo), self.log)
        if self.workers == 1 or len(todo) <= 1:
            return {d: progress.step(_encode(s, d, options, self.cache_dir))
                    for d, s in todo.items()}
        return self._encode_parallel(todo, options, progress)

    def _encode_parallel(
        self, todo: dict[str, Path], options: _Options, progress: _Progress
    ) -> dict[str, ProcessedImage]:
        """Encode ``todo`` on ``self.workers`` processes; the first error stops the rest."""
        results = {}
        with ProcessPoolExecutor(max_workers=min(self.workers, len(todo)),
                                 initializer=ignore_interrupts,
                                 initargs=worker_setup()) as pool:
            futures = {pool.submit(_encode, s, d, options, self.cache_dir): d
                       for d, s in todo.items()}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = progress.step(future.result())
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
        return results


def publish_images(
    processed: Mapping[Path, ProcessedImage], site_dir: Path, prefix: str = "media",
    taken: Callable[[str, str], bool] | None = None,
) -> None:
    """Place every output at ``site_dir/prefix/<digest[:16]>/<name>`` (its public URL).
    ``taken(rel, key)``, when given, says whether the file at the site-relative ``rel``,
    made from ``key`` (the photo's digest and the variant's name), is there already."""
    for image in {p.digest: p for p in processed.values()}.values():
        base = image.url_base(prefix).rstrip("/")
        folder = Path(site_dir) / base
        for variant in _files(image):
            if taken is not None and taken(f"{base}/{variant.name}",
                                           f"{image.digest}:{variant.name}"):
                continue
            folder.mkdir(parents=True, exist_ok=True)
            place(variant.path, folder / variant.name)


def place(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (copy if linking fails), atomically. Whatever is
    at ``target`` but a regular file with ``source``'s bytes is replaced (a symbolic link
    there is replaced, never followed); raises OSError (a folder there), the temporary
    name removed."""
    if regular_file(target) and (os.path.samefile(source, target)
                                 or filecmp.cmp(source, target, shallow=False)):
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    try:
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _checked_options(widths: tuple[int, ...], square: int, jpeg: int, webp: int,
                     jpeg_fallback: bool = False) -> _Options:
    """The settings, validated, with widths sorted and unique."""
    if not widths or any(not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must be positive integers, not {widths!r}")
    if square < MIN_SQUARE:
        raise ValueError(f"square must be at least {MIN_SQUARE} px, not {square}")
    if not (1 <= jpeg <= 100 and 1 <= webp <= 100):
        raise ValueError("qualities must be between 1 and 100")
    return _Options(tuple(sorted(set(widths))), square, jpeg, webp, bool(jpeg_fallback))


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
        "webp_method": WEBP_METHOD, "jpeg_fallback": options.jpeg_fallback,
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


#: The photos' cache folder in the build's cache folder.
IMAGES = "images"
#: How many files of sources' digests (one per settings: :func:`_source_digests`) are kept.
SOURCES_KEPT = 4


def _source_digests(cache_dir: Path, options: _Options, root: Path | None = None,
                    restored: Mapping[str, str] | None = None) -> FileDigests:
    """The sources' digests remembered for ``options`` (``sources-<settings>.json`` in the
    cache folder, by the files' stat signatures, and git's blob ids of the files under
    ``root``: :class:`.records.decoded.FileDigests`; ``restored``: the memos the record of
    the site the build takes over vouches for, by path from ``root``)."""
    settings = hashlib.sha256(_fingerprint(options)).hexdigest()[:16]
    file = Path(cache_dir) / f"sources-{settings}.json"
    return FileDigests(file, lambda source: _digest_file(Path(source), options), root=root,
                       restored=restored_sha(restored, root, file))


def _forget_older_digests(cache_dir: Path) -> None:
    """Delete the files of sources' digests but the newest :data:`SOURCES_KEPT` (those of
    other settings: a media option or library changed)."""
    with contextlib.suppress(OSError):
        found = sorted(Path(cache_dir).glob("sources-*.json"),
                       key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in found[SOURCES_KEPT:]:
            old.unlink(missing_ok=True)
            signature_of(old).unlink(missing_ok=True)


def _folder(cache_dir: Path, digest: str) -> Path:
    """The cache folder of the outputs with ``digest``."""
    return cache_dir / digest[:2] / digest


def _cached_folders(cache_dir: Path) -> list[Path]:
    """Every cache folder of outputs (:func:`_folder`) in ``cache_dir``."""
    found = []
    for top in entries(cache_dir):  # none through a link: see housekeeping.entries
        if _HEX2.fullmatch(top.name) and top.is_dir(follow_symlinks=False):
            found += [Path(e.path) for e in entries(Path(top.path))
                      if _HEX64.fullmatch(e.name) and e.name.startswith(top.name)
                      and e.is_dir(follow_symlinks=False)]
    return found


_HEX2, _HEX64 = re.compile(r"[0-9a-f]{2}"), re.compile(r"[0-9a-f]{64}")


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
    square = (_write(folder, _square(_flatten(image), options.square), "jpeg", options,
                     SQUARE_NAME) if options.square else None)
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
    """Write every responsive width as WebP (and as JPEG with ``jpeg_fallback``); WebPs
    first, narrowest first."""
    flat = _flatten(image) if options.jpeg_fallback else image
    webps, jpegs = [], []
    for width in _widths(image.width, options.widths):
        size = (width, max(1, round(image.height * width / image.width)))
        resized = _resize(image, size)
        webps.append(_write(folder, resized, "webp", options))
        if options.jpeg_fallback:
            jpegs.append(_write(folder, resized if flat is image else _resize(flat, size),
                                "jpeg", options))
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
        image.save(buffer, "WEBP", quality=options.webp_quality, method=WEBP_METHOD)
    return buffer.getvalue()


def _manifest(processed: ProcessedImage) -> bytes:
    """The JSON record of ``processed`` kept next to its files."""
    def entry(v: Variant) -> dict:
        return {"name": v.name, "width": v.width, "height": v.height, "format": v.format}
    return json.dumps({
        "digest": processed.digest, "width": processed.width, "height": processed.height,
        "variants": [entry(v) for v in processed.variants],
        "square": entry(processed.square) if processed.square else None,
    }, indent=1).encode()


def _load(folder: Path) -> ProcessedImage | None:
    """The cached outputs in ``folder``, or None unless they are all there. The cache
    folder is one a pull request can commit to, and its manifest names the files the site
    publishes: it is taken only when it is of the folder's digest, names its files as
    :func:`_write` does (no path: a name leading out of the folder would take a file of
    the checkout into the site, or write one outside it) and each is a regular file (not
    a symbolic link, which a hard link would publish as a link)."""
    try:
        data = json.loads((folder / MANIFEST).read_bytes())
        variants = tuple(_variant(folder, entry) for entry in data["variants"])
        processed = ProcessedImage(data["digest"], data["width"], data["height"], variants,
                                   _variant(folder, data["square"], SQUARE_NAME)
                                   if data["square"] else None)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    if (processed.digest != folder.name or not variants
            or type(processed.width) is not int or type(processed.height) is not int
            or not all(regular_file(v.path) for v in _files(processed))):
        return None
    return processed


#: The name :func:`_write` gives a variant: its width and its format's extension.
_VARIANT_NAME = re.compile(r"[1-9][0-9]{0,4}\.(?:webp|jpg)")


def regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file itself (not a symbolic link to one, which a pull
    request can commit in a cache folder: linked into the site, a link would publish what
    it leads to)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _files(image: ProcessedImage) -> tuple[Variant, ...]:
    """Every file of ``image``: its variants and its square, if any."""
    return (*image.variants, image.square) if image.square else image.variants


def _variant(folder: Path, entry: dict, name: str | None = None) -> Variant:
    """A variant read back from a manifest entry (ValueError unless it is as
    :func:`_write` describes one: its name, or ``name``, sizes, format)."""
    given, width, height, fmt = entry["name"], entry["width"], entry["height"], entry["format"]
    sizes = type(width) is int and type(height) is int and 0 < width <= 100_000 \
        and 0 < height <= 100_000
    named = type(given) is str and fmt in _EXTENSIONS and (
        given == name if name is not None
        else bool(_VARIANT_NAME.fullmatch(given)) and given.endswith("." + _EXTENSIONS[fmt]))
    if not (sizes and named):
        raise ValueError(f"not a variant: {entry!r}")
    return Variant(given, width, height, fmt, folder / given)
