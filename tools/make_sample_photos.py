#!/usr/bin/env python3
"""Generate placeholder photos and logos for the *sample* catalog.

The sample catalog under ``products/`` names photos and logos that nobody has
photographed. This script draws a stand-in for each missing file so that the
site builds and the image pipeline has real work to do: every photo is a
full-size JPEG/PNG/WebP (1600×1200, 1200×1600 or 1440×1440 pixels, a few
hundred KB as JPEG) with fine grain that compresses like a real photo.

Every image says plainly that it is a placeholder ("ẢNH MINH HỌA ·
PLACEHOLDER IMAGE"). They are for the sample catalog only: real producers
must supply real photos.

The drawings are deterministic: the same product id and file name always give
the same picture (seeded from a SHA-256 of "<product id>/<file>"), so
re-running after a deletion reproduces the file. Existing files are never
overwritten unless ``--force`` is given.

Usage::

    python tools/make_sample_photos.py [--root REPO] [--force] [--only ID ...]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

BAND_TEXT = "ẢNH MINH HỌA · PLACEHOLDER IMAGE"
LOGO_TEXT = "LOGO MẪU · PLACEHOLDER"

#: Photo sizes, cycled by photo index: the main photo is landscape.
PHOTO_SIZES = [(1600, 1200), (1200, 1600), (1440, 1440)]
LOGO_SIZE = 600

#: Standard deviation of the added grain, in 8-bit levels. Tuned so that a
#: 1600×1200 JPEG at quality 88 comes out at roughly 250–350 KB.
GRAIN_SIGMA = 4.0

FORMATS = {
    ".jpg": ("JPEG", {"quality": 88, "optimize": True}),
    ".jpeg": ("JPEG", {"quality": 88, "optimize": True}),
    ".png": ("PNG", {}),
    ".webp": ("WEBP", {"quality": 85, "method": 4}),
}

PROGRESS_EVERY = 20


# --------------------------------------------------------------------------
# Themes: colours and subject by OCOP criteria set
# --------------------------------------------------------------------------

#: Background gradient (top, bottom), surface colour, subject colours.
PALETTES = {
    "honey": {
        "sky": [((255, 236, 190), (224, 150, 50)), ((252, 226, 170), (205, 125, 40))],
        "ground": (120, 70, 30),
        "accents": [(240, 170, 40), (214, 128, 24), (255, 200, 90), (180, 100, 20)],
    },
    "food": {
        "sky": [((255, 238, 210), (232, 160, 90)), ((250, 228, 196), (214, 132, 70))],
        "ground": (130, 80, 45),
        "accents": [(220, 110, 50), (236, 170, 60), (190, 80, 40), (250, 205, 120)],
    },
    "tea": {
        "sky": [((226, 242, 208), (110, 160, 90)), ((236, 246, 220), (80, 140, 85))],
        "ground": (60, 95, 50),
        "accents": [(70, 140, 60), (110, 170, 70), (40, 110, 55), (160, 200, 100)],
    },
    "drinks": {
        "sky": [((220, 238, 250), (70, 130, 190)), ((230, 244, 252), (50, 100, 170))],
        "ground": (35, 60, 100),
        "accents": [(60, 120, 190), (110, 170, 220), (30, 80, 150), (170, 210, 235)],
    },
    "crafts": {
        "sky": [((240, 225, 205), (160, 115, 80)), ((235, 218, 195), (140, 95, 65))],
        "ground": (90, 60, 40),
        "accents": [(150, 95, 55), (190, 130, 80), (115, 70, 40), (210, 170, 120)],
    },
    "tourism": {
        "sky": [((200, 228, 250), (255, 220, 180)), ((190, 220, 245), (250, 200, 160))],
        "ground": (60, 110, 70),
        "accents": [(70, 130, 90), (50, 105, 75), (100, 150, 100), (130, 170, 110)],
    },
}


def theme_for(criteria_set: object) -> str:
    """The picture theme of an OCOP criteria set (bộ sản phẩm, 26/2026 numbering).

    Only the colours and the drawn subject depend on it: food 1–10 (honey 4),
    tea and coffee 11–13, drinks 14–17, herbal products 18–20 (greens),
    handicrafts and ornamentals 21–25, community tourism 26.
    """
    if not isinstance(criteria_set, int):
        return "food"
    if criteria_set == 4:
        return "honey"
    if criteria_set <= 10:
        return "food"
    if criteria_set <= 13 or 18 <= criteria_set <= 20:
        return "tea"
    if criteria_set <= 17:
        return "drinks"
    if criteria_set <= 25:
        return "crafts"
    return "tourism"


# --------------------------------------------------------------------------
# Jobs: what to draw, found in the records
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One image to generate. Plain data, so it can be sent to a worker."""

    kind: str  # "photo" or "logo"
    path: Path
    key: str  # "<product id>/<file>": seeds the drawing
    title: str  # Vietnamese name to print on the image
    theme: str
    index: int = 1  # 1-based photo number
    count: int = 1  # photos of this product


def text_vi(value: object, fallback: str) -> str:
    """The Vietnamese text of a translatable field (string or {vi: ...})."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict):
        vi = value.get("vi")
        if isinstance(vi, str) and vi.strip():
            return vi.strip()
    return fallback


def load_yaml(path: Path) -> dict | None:
    """The mapping in ``path``, or None (with a message) if it cannot be read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        reason = getattr(err, "problem", None) or err
        print(f"skip {path}: cannot parse{where}: {reason}", file=sys.stderr)
        return None
    if not isinstance(data, dict):
        print(f"skip {path}: not a mapping", file=sys.stderr)
        return None
    return data


def target_path(folder: Path, name: object, record: Path) -> Path | None:
    """The file ``name`` beside ``record``, if it is a plain, supported file name."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        print(f"skip {record}: unusable file name {name!r}", file=sys.stderr)
        return None
    if Path(name).suffix.lower() not in FORMATS:
        print(f"skip {record}: {name!r} is not .jpg, .jpeg, .png or .webp", file=sys.stderr)
        return None
    return folder / name


def producer_jobs(record: Path) -> list[Job]:
    data = load_yaml(record)
    if data is None or not data.get("logo"):
        return []
    path = target_path(record.parent, data["logo"], record)
    if path is None:
        return []
    producer_id = str(data.get("id") or record.parent.name)
    title = text_vi(data.get("name"), producer_id)
    return [Job("logo", path, f"{producer_id}/{path.name}", title, "logo")]


def product_jobs(record: Path) -> list[Job]:
    data = load_yaml(record)
    if data is None:
        return []
    product_id = str(data.get("id") or record.parent.name)
    title = text_vi(data.get("name"), product_id)
    category = data.get("category") if isinstance(data.get("category"), dict) else {}
    theme = theme_for(category.get("criteria_set"))
    photos = data.get("photos") or []
    if not isinstance(photos, list):
        print(f"skip {record}: photos is not a list", file=sys.stderr)
        return []
    jobs = []
    for index, photo in enumerate(photos, start=1):
        name = photo.get("file") if isinstance(photo, dict) else None
        path = target_path(record.parent, name, record)
        if path is not None:
            key = f"{product_id}/{path.name}"
            jobs.append(Job("photo", path, key, title, theme, index, len(photos)))
    return jobs


def find_jobs(root: Path, only: set[str]) -> list[Job]:
    """All images the records under ``root/products`` name.

    With ``only``, keep photos of those products and logos of those producers.
    """
    products = root / "products"
    jobs: list[Job] = []
    for record in sorted(products.glob("*/producer.yml")):
        if not only or record.parent.name in only:
            jobs += producer_jobs(record)
    for record in sorted(products.glob("*/*/product.yml")):
        for job in product_jobs(record):
            if not only or job.key.split("/")[0] in only or record.parent.name in only:
                jobs.append(job)
    return jobs


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


def seeded_rng(key: str) -> random.Random:
    """A generator seeded from a stable hash of ``key`` (never Python's hash())."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@functools.lru_cache(maxsize=None)
def load_font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (which has the Vietnamese letters), else Pillow's own font."""
    path = FONT_BOLD if bold else FONT_REGULAR
    for candidate in (path, Path(path).name):  # the full path, then by name
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            pass
    if not getattr(load_font, "warned", False):
        load_font.warned = True
        print(f"warning: {path} not found; using Pillow's default font, "
              "which may lack Vietnamese letters", file=sys.stderr)
    return ImageFont.load_default(size=size)


def jitter(colour: tuple[int, int, int], rng: random.Random, amount: int = 14) -> tuple:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    """A vertical two-colour gradient."""
    mask = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def soft_layer(size: tuple[int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    return layer, ImageDraw.Draw(layer)


def paste_blurred(base: Image.Image, layer: Image.Image, radius: float = 0) -> None:
    """Blend an RGBA ``layer`` onto ``base``, blurred (premultiplied, so no dark fringes)."""
    if radius:
        layer = layer.convert("RGBa").filter(ImageFilter.GaussianBlur(radius)).convert("RGBA")
    base.paste(layer, (0, 0), layer)


def blend_draw(img: Image.Image) -> ImageDraw.ImageDraw:
    """A drawing context on an RGB image where translucent fills blend."""
    return ImageDraw.Draw(img, "RGBA")


def draw_bokeh(img: Image.Image, rng: random.Random, accents: list) -> None:
    """Soft out-of-focus discs in the background."""
    w, h = img.size
    layer, draw = soft_layer(img.size)
    for _ in range(rng.randint(10, 18)):
        r = rng.randint(w // 40, w // 10)
        x, y = rng.randint(0, w), rng.randint(0, int(h * 0.6))
        colour = (*jitter(rng.choice(accents + [(255, 255, 240)]), rng), rng.randint(30, 80))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    paste_blurred(img, layer, w / 120)


def draw_table(img: Image.Image, rng: random.Random, colour: tuple) -> int:
    """A surface across the lower part of the picture; returns its top edge."""
    w, h = img.size
    top = int(h * rng.uniform(0.66, 0.74))
    surface = gradient((w, h - top), jitter(colour, rng), tuple(int(c * 0.7) for c in colour))
    img.paste(surface, (0, top))
    draw = blend_draw(img)
    for _ in range(rng.randint(6, 12)):  # wood grain
        y = rng.randint(top, h)
        draw.line((0, y, w, y + rng.randint(-20, 20)), fill=(*jitter(colour, rng, 25), 90), width=2)
    return top


def shadow(img: Image.Image, cx: int, base_y: int, half_width: int) -> None:
    """A soft contact shadow under the subject."""
    layer, draw = soft_layer(img.size)
    depth = half_width // 6
    draw.ellipse((cx - half_width, base_y - depth, cx + half_width, base_y + depth),
                 fill=(0, 0, 0, 110))
    paste_blurred(img, layer, half_width / 6)


# Subjects: each draws on ``img`` standing on ``base_y``, centred on ``cx``.


def draw_jar(img, rng, cx, base_y, scale, accents):
    """A honey/preserve jar with lid and label."""
    draw = blend_draw(img)
    w, h = int(260 * scale), int(320 * scale)
    left, right, top = cx - w // 2, cx + w // 2, base_y - h
    draw.rounded_rectangle((left, top, right, base_y), radius=w // 5,
                           fill=(*jitter(accents[0], rng), 255),
                           outline=(*accents[3], 255), width=max(2, w // 60))
    draw.rounded_rectangle((left + w // 10, top + h // 12, left + w // 5, base_y - h // 6),
                           radius=w // 20, fill=(255, 255, 255, 70))  # glint
    lid_h = h // 7
    draw.rounded_rectangle((left + w // 12, top - lid_h, right - w // 12, top + lid_h // 4),
                           radius=lid_h // 3, fill=(*jitter(accents[3], rng), 255))
    draw.rectangle((left + w // 8, base_y - int(h * 0.62), right - w // 8, base_y - int(h * 0.3)),
                   fill=(250, 244, 225, 255))  # label
    draw.ellipse((cx - w // 8, base_y - int(h * 0.56), cx + w // 8, base_y - int(h * 0.36)),
                 fill=(*accents[1], 255))


def draw_bottle(img, rng, cx, base_y, scale, accents):
    """A tall bottle with neck, cap and label."""
    draw = blend_draw(img)
    w, h = int(170 * scale), int(440 * scale)
    left, right, top = cx - w // 2, cx + w // 2, base_y - h
    shoulder, neck = base_y - int(h * 0.62), base_y - int(h * 0.85)
    glass = (*jitter(accents[0], rng), 235)
    draw.rounded_rectangle((left, shoulder, right, base_y), radius=w // 6, fill=glass)
    draw.polygon([(left, shoulder + w // 6), (cx - w // 6, neck),
                  (cx + w // 6, neck), (right, shoulder + w // 6)], fill=glass)
    draw.rectangle((cx - w // 6, top, cx + w // 6, neck + h // 100), fill=glass)
    draw.rectangle((cx - w // 5, top - h // 20, cx + w // 5, top + h // 40),
                   fill=(*accents[2], 255))  # cap
    draw.rectangle((left, base_y - int(h * 0.45), right, base_y - int(h * 0.2)),
                   fill=(245, 240, 228, 255))  # label
    draw.rectangle((left + w // 8, shoulder + w // 5, left + w // 4, base_y - w // 5),
                   fill=(255, 255, 255, 60))  # glint


def leaf(length: int, colour: tuple) -> Image.Image:
    """One leaf (an ellipse with a pale midrib) on a transparent square."""
    img, draw = soft_layer((length * 2, length * 2))
    half, width = length // 2, length // 3
    draw.ellipse((length - half, length - width // 2, length + half, length + width // 2),
                 fill=colour)
    draw.line((length - half, length, length + half, length), fill=(255, 255, 255, 90),
              width=max(2, length // 50))
    return img


def draw_leaves(img, rng, cx, base_y, scale, accents):
    """A cup of tea with a spray of leaves behind it."""
    layer, _ = soft_layer(img.size)
    for _ in range(rng.randint(7, 12)):
        length = int(rng.uniform(140, 260) * scale)
        x = cx + rng.randint(-int(300 * scale), int(300 * scale))
        y = base_y - rng.randint(int(150 * scale), int(340 * scale))
        one = leaf(length, (*jitter(rng.choice(accents), rng), 255))
        one = one.rotate(rng.uniform(0, 180), resample=Image.Resampling.BICUBIC)
        layer.alpha_composite(one, (max(0, x - length), max(0, y - length)))
    paste_blurred(img, layer, 1.5)

    draw = blend_draw(img)
    porcelain = (245, 245, 235, 255)
    cw, ch = int(240 * scale), int(160 * scale)
    left, right, rim = cx - cw // 2, cx + cw // 2, base_y - ch
    draw.chord((left, base_y - ch * 2, right, base_y), 0, 180, fill=porcelain)
    draw.ellipse((left, rim - ch // 8, right, rim + ch // 8), fill=(*accents[2], 255),
                 outline=porcelain, width=max(3, cw // 40))
    draw.arc((right - cw // 10, rim + ch // 6, right + cw // 5, base_y - ch // 3), -90, 90,
             fill=porcelain, width=max(4, cw // 25))  # handle


def draw_vase(img, rng, cx, base_y, scale, accents):
    """A clay pot with a bowl beside it (crafts)."""
    draw = blend_draw(img)
    w, h = int(280 * scale), int(380 * scale)
    left, right = cx - w // 2, cx + w // 2
    clay = (*jitter(accents[0], rng), 255)
    draw.ellipse((left, base_y - int(h * 0.75), right, base_y), fill=clay)
    draw.rectangle((cx - w // 5, base_y - h, cx + w // 5, base_y - int(h * 0.6)), fill=clay)
    draw.ellipse((cx - w // 4, base_y - h - h // 20, cx + w // 4, base_y - h + h // 20),
                 fill=(*accents[2], 255))  # mouth
    for i in range(3):  # painted bands
        y = base_y - int(h * (0.25 + 0.12 * i))
        draw.line((left + w // 10, y, right - w // 10, y), fill=(*accents[3], 255),
                  width=max(3, h // 60))
    bx = cx + int(w * 0.9)
    draw.chord((bx - w // 2, base_y - w // 2, bx + w // 2, base_y + w // 6), 0, 180,
               fill=(*jitter(accents[1], rng), 255))


def draw_hills(img, rng, accents, haze):
    """Layered hills fading into ``haze`` with distance, and a low sun (tourism)."""
    w, h = img.size
    sx, sy, sr = rng.randint(w // 5, 4 * w // 5), int(h * rng.uniform(0.22, 0.35)), w // 14
    blend_draw(img).ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(255, 245, 215, 255))
    layers = 4
    for i in range(layers):
        near = i / (layers - 1)
        colour = tuple(int(a * (0.45 + 0.55 * near) + b * 0.55 * (1 - near))
                       for a, b in zip(rng.choice(accents), haze))
        ridge = int(h * (0.45 + 0.13 * i))
        points, x = [(0, h)], 0
        while x <= w + 200:
            points.append((x, ridge - rng.randint(0, int(h * 0.12))))
            x += rng.randint(w // 12, w // 5)
        points.append((w, h))
        layer, draw = soft_layer(img.size)
        draw.polygon(points, fill=(*colour, 255))
        paste_blurred(img, layer, max(1.5, 6.0 - 2 * i))  # far hills softer


SUBJECTS = {
    "honey": draw_jar,
    "food": draw_jar,
    "tea": draw_leaves,
    "drinks": draw_bottle,
    "crafts": draw_vase,
}


def add_grain(img: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    """Add zero-mean, roughly Gaussian luminance grain (sum of two uniforms).

    Uses the seeded generator, not Image.effect_noise, whose C rand() state is
    per process and would make the output depend on the worker.
    """
    w, h = img.size
    a = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    b = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    tri = ImageChops.add(a, b, scale=2.0)  # triangular, mean 127.5, sd ≈ 52
    gain = sigma / 52.0
    tri = tri.point([max(0, min(255, round(128 + (v - 128) * gain))) for v in range(256)])
    grain = Image.merge("RGB", (tri, tri, tri))
    return ImageChops.add(img, grain, scale=1.0, offset=-128)


def wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    """Greedy word wrap; two lines are rebalanced so neither is left short."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) == 2:
        words = text.split()
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        lines = list(min(splits, key=lambda pair: max(draw.textlength(t, font=font) for t in pair)))
    return lines or [""]


def fit_text(draw, text: str, max_width: int, size: int, min_size: int, max_lines: int = 2):
    """The largest font (down to ``min_size``) that fits ``text`` in ``max_lines``.

    Text that does not fit even at ``min_size`` is cut short with an ellipsis.
    """
    while True:
        font = load_font(size)
        lines = wrap(draw, text, font, max_width)
        widest = max(draw.textlength(t, font=font) for t in lines)
        if len(lines) <= max_lines and widest <= max_width:
            return font, lines
        if size <= min_size:
            return font, clip_lines(draw, lines, font, max_width, max_lines)
        size = max(min_size, int(size * 0.9))


def clip_lines(draw, lines: list[str], font, max_width: int, max_lines: int) -> list[str]:
    """Keep ``max_lines`` lines, ending the last with "…" if anything was cut."""
    kept = lines[:max_lines]
    last = " ".join([kept[-1]] + lines[max_lines:])
    if last == kept[-1] and draw.textlength(last, font=font) <= max_width:
        return kept
    while last and draw.textlength(last + "…", font=font) > max_width:
        last = last[:-1].rstrip()
    return kept[:-1] + [last + "…"]


def draw_centered(draw, y: int, lines: list[str], font, width: int, **style) -> int:
    """Draw lines centred horizontally from ``y``; returns the y below them."""
    for line in lines:
        left, top, right, bottom = draw.textbbox((0, 0), line, font=font, **{
            k: v for k, v in style.items() if k == "stroke_width"})
        draw.text(((width - (right - left)) // 2 - left, y - top), line, font=font, **style)
        y += int((bottom - top) * 1.25)
    return y


def draw_labels(img: Image.Image, job: Job) -> None:
    """Product name at the top; the placeholder band and photo number below."""
    w, h = img.size
    overlay, draw = soft_layer(img.size)
    unit = min(w, h)
    font, lines = fit_text(draw, job.title, int(w * 0.88), unit // 11, unit // 24)
    draw_centered(draw, int(h * 0.05), lines, font, w, fill=(255, 255, 255, 255),
                  stroke_width=max(2, unit // 200), stroke_fill=(40, 30, 20, 220))

    band_font, _ = fit_text(draw, BAND_TEXT, int(w * 0.92), unit // 22, unit // 40, max_lines=1)
    band_h = int(unit * 0.13)
    band_top = int(h * 0.78)
    draw.rectangle((0, band_top, w, band_top + band_h), fill=(20, 20, 20, 175))
    draw.line((0, band_top, w, band_top), fill=(255, 210, 80, 230), width=max(3, unit // 300))
    draw.line((0, band_top + band_h, w, band_top + band_h), fill=(255, 210, 80, 230),
              width=max(3, unit // 300))
    small = load_font(unit // 34, bold=False)
    bbox = draw.textbbox((0, 0), BAND_TEXT, font=band_font)
    y = band_top + (band_h - (bbox[3] - bbox[1]) - int(unit * 0.035)) // 2
    y = draw_centered(draw, y, [BAND_TEXT], band_font, w, fill=(255, 255, 255, 255))
    draw_centered(draw, y, [f"photo {job.index} / {job.count}  ·  {job.key}"], small, w,
                  fill=(255, 230, 160, 255))
    paste_blurred(img, overlay)


def render_photo(job: Job) -> Image.Image:
    """Background, subject, grain, then the labels (kept crisp, above the grain)."""
    rng = seeded_rng(job.key)
    size = PHOTO_SIZES[(job.index - 1) % len(PHOTO_SIZES)]
    palette = PALETTES[job.theme]
    top, bottom = rng.choice(palette["sky"])
    top, bottom = jitter(top, rng), jitter(bottom, rng)
    img = gradient(size, top, bottom)
    accents = palette["accents"][:]
    rng.shuffle(accents)
    draw_bokeh(img, rng, accents)

    w, h = size
    scale = min(w, h) / 1000 * rng.uniform(0.95, 1.2)
    cx = w // 2 + rng.randint(-w // 10, w // 10)
    if job.theme == "tourism":
        draw_hills(img, rng, accents, bottom)
    else:
        base_y = draw_table(img, rng, palette["ground"]) + int(h * rng.uniform(0.04, 0.06))
        shadow(img, cx, base_y, int(180 * scale))
        SUBJECTS[job.theme](img, rng, cx, base_y, scale, accents)

    img = add_grain(img, rng, GRAIN_SIGMA)
    draw_labels(img, job)
    return img


def initials(name: str) -> str:
    """Up to two initials of a producer name, skipping the business-type words."""
    skip = {"htx", "hợp", "tác", "xã", "công", "ty", "tnhh", "cổ", "phần", "cơ", "sở",
            "hộ", "kinh", "doanh", "tổ", "tht", "dn", "hkd", "và", "-", "&"}
    words = [wd for wd in name.split() if wd.lower() not in skip] or name.split() or ["?"]
    return "".join(wd[0] for wd in words[:2]).upper()


def render_logo(job: Job) -> Image.Image:
    """A round badge with the producer's initials, on a transparent square."""
    rng = seeded_rng(job.key)
    size = LOGO_SIZE
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    theme = rng.choice(list(SUBJECTS))
    colour = jitter(rng.choice(PALETTES[theme]["accents"]), rng, 20)
    pad = size // 24
    draw.ellipse((pad, pad, size - pad, size - pad), fill=(*colour, 255))
    ring = size // 14
    draw.ellipse((pad + ring, pad + ring, size - pad - ring, size - pad - ring),
                 outline=(255, 250, 235, 255), width=max(4, size // 80))
    font = load_font(size // 4)
    draw_centered(draw, int(size * 0.27), [initials(job.title)], font, size,
                  fill=(255, 250, 235, 255))
    small = load_font(size // 26)
    name_font, lines = fit_text(draw, job.title, int(size * 0.6), size // 20, size // 34)
    y = draw_centered(draw, int(size * 0.56), lines, name_font, size, fill=(255, 250, 235, 255))
    draw_centered(draw, y + size // 60, [LOGO_TEXT], small, size, fill=(255, 235, 170, 255))
    return img


# --------------------------------------------------------------------------
# Saving and running
# --------------------------------------------------------------------------


def save(img: Image.Image, path: Path) -> None:
    """Write ``img`` in the format its extension names; atomically, without EXIF."""
    fmt, options = FORMATS[path.suffix.lower()]
    if fmt == "JPEG" and img.mode != "RGB":
        img = img.convert("RGB")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        img.save(tmp, fmt, **options)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def make(job: Job) -> tuple[Job, int, tuple[int, int], float]:
    """Draw and save one image (runs in a worker); returns bytes, size, seconds."""
    start = time.perf_counter()
    img = render_logo(job) if job.kind == "logo" else render_photo(job)
    save(img, job.path)
    return job, job.path.stat().st_size, img.size, time.perf_counter() - start


def run(jobs: list[Job], root: Path) -> tuple[int, int, int]:
    """Generate ``jobs`` on all cores; returns (created, bytes written, failed)."""
    created = failed = total = 0
    seconds: list[float] = []
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {pool.submit(make, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                _, size, _, took = future.result()
            except Exception as err:  # report it and carry on with the rest
                failed += 1
                print(f"FAILED {job.path.relative_to(root)}: {err}", file=sys.stderr)
            else:
                created += 1
                total += size
                seconds.append(took)
            if (created + failed) % PROGRESS_EVERY == 0:
                print(f"... {created + failed}/{len(jobs)} done, "
                      f"{total / 1024 / 1024:.1f} MB so far", flush=True)
    if seconds:
        print(f"per image: {sum(seconds) / len(seconds):.2f} s on average, "
              f"{max(seconds):.2f} s at most (in one worker)")
    return created, total, failed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="repository root holding products/ (default: this script's repo)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument("--only", nargs="+", metavar="ID", default=[],
                        help="only these product ids (and producer ids, for logos)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = args.root.resolve()
    if not (root / "products").is_dir():
        print(f"no products/ folder under {root}", file=sys.stderr)
        return 2
    jobs = find_jobs(root, set(args.only))
    todo = [job for job in jobs if args.force or not job.path.exists()]
    kept = len(jobs) - len(todo)
    print(f"{len(jobs)} images named in records; generating {len(todo)}")
    started = time.perf_counter()
    created, total, failed = run(todo, root) if todo else (0, 0, 0)
    print(f"created {created}, kept {kept}, failed {failed}; "
          f"{total:,} bytes written ({total / 1024 / 1024:.1f} MB) "
          f"in {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
