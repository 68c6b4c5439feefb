"""The catalog's default sharing image: what a link to any page but a product's shows when
it is shared on Zalo, Facebook or X (``og:image``; a product page shows its photo).

A 1200×630 PNG (the size Facebook and X show large) drawn with Pillow from the catalog's
identity: its name and region in the default language, five stars and the site's host, in
the label font of the theme (DejaVu Sans, which has every Vietnamese letter; the identity's
other languages may use scripts it lacks, so the image is drawn in the default language
only). Its file name carries a digest of what it is drawn from, so the name is known
before it is drawn (authored pages are rendered before the catalog's outputs) and changes
when the picture does: sharing sites keep images by address. An incremental build takes
the previous build's file of the same name over instead of drawing it again.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .theme import find

WIDTH, HEIGHT = 1200, 630
#: Changes whenever the drawing below does (the name of the file follows it).
DRAWING_VERSION = "1"
_FONTS = ("ocop/fonts/DejaVuSans-Bold.ttf", "ocop/fonts/DejaVuSans.ttf")
_GREEN, _WHITE, _PALE, _GOLD = (27, 94, 32), (255, 255, 255), (200, 230, 201), (249, 168, 37)
_MARGIN = 80


@dataclass(frozen=True)
class SocialImage:
    """The default sharing image: where it lives and what it says."""

    path: str
    """Site-relative path (``assets/social-<digest>.png``)."""
    alt: str
    width: int = WIDTH
    height: int = HEIGHT
    name: str = ""
    region: str = ""
    host: str = ""
    fonts: tuple[Path, Path] | None = None

    def render(self) -> bytes:
        """The PNG (deterministic: the same texts and fonts give the same bytes)."""
        from PIL import Image, ImageDraw, ImageFont

        bold, regular = self.fonts or (Path(), Path())
        image = Image.new("RGB", (self.width, self.height), _GREEN)
        draw = ImageDraw.Draw(image)
        star = ImageFont.truetype(str(regular), 64)
        draw.text((_MARGIN, 70), "★★★★★", font=star, fill=_GOLD)
        lines, size = _fit(self.name, bold, self.width - 2 * _MARGIN, draw)
        font = ImageFont.truetype(str(bold), size)
        y = 190
        for line in lines:
            draw.text((_MARGIN, y), line, font=font, fill=_WHITE)
            y += int(size * 1.2)
        if self.region:
            small = ImageFont.truetype(str(regular), 44)
            region, _ = _fit(self.region, regular, self.width - 2 * _MARGIN, draw, sizes=(44,))
            draw.text((_MARGIN, y + 20), region[0], font=small, fill=_PALE)
        if self.host:
            draw.text((_MARGIN, self.height - 90), self.host,
                      font=ImageFont.truetype(str(regular), 34), fill=_PALE)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


def social_image(strings: Mapping[str, str], site_url: str,
                 theme_dirs: Sequence[Path]) -> SocialImage:
    """The default sharing image of a catalog whose default-language UI strings are
    ``strings`` (``site.name``, ``site.region``), published at ``site_url``."""
    name = strings.get("site.name", "") or ""
    region = strings.get("site.region", "") or ""
    host = urlsplit(site_url).netloc if site_url else ""
    bold, regular = (find(theme_dirs, rel) for rel in _FONTS)
    digest = hashlib.sha256()
    for part in (DRAWING_VERSION, name, region, host, str(WIDTH), str(HEIGHT)):
        digest.update(part.encode("utf-8") + b"\0")
    for font in (bold, regular):
        digest.update(hashlib.sha256(font.read_bytes()).digest() if font.is_file() else b"-")
    alt = f"{name} · {region}" if region else name
    return SocialImage(f"assets/social-{digest.hexdigest()[:12]}.png", alt, name=name,
                       region=region, host=host, fonts=(bold, regular))


def _fit(text: str, font_path: Path, width: int, draw, sizes=(84, 76, 68, 60, 54, 48)
         ) -> tuple[list[str], int]:
    """``text`` in at most two lines of ``width`` pixels: the lines and the font size (the
    largest of ``sizes`` that fits; at the smallest, what does not fit is cut with …)."""
    from PIL import ImageFont

    words = text.split()
    for size in sizes:
        font = ImageFont.truetype(str(font_path), size)
        lines: list[str] = []
        for word in words:
            if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        if len(lines) <= 2 and all(draw.textlength(line, font=font) <= width for line in lines):
            return lines, size
    shown = lines[:2]
    if " ".join(shown) != text or draw.textlength(shown[-1], font=font) > width:
        while len(shown[-1]) > 1 and draw.textlength(shown[-1] + "…", font=font) > width:
            shown[-1] = shown[-1][:-1]
        shown[-1] = shown[-1].rstrip() + "…"
    return shown, sizes[-1]
