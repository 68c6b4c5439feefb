"""A small, valid catalog repository written into a temporary folder.

Tests build the baseline with :func:`build_catalog`, change exactly one thing
(edit a line of YAML, replace a photo, add a link…) and check the issues the
validator reports. The YAML is written out as text, not dumped, so every value
sits at a line and column the tests can name: :meth:`Scratch.position` finds
a piece of text in a file and returns its 1-based line and column, computed
from the text alone and never from the validator.

The baseline validates with no errors and no warnings on :data:`TODAY`; the
tests never depend on the real clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image

from ocop_catalog.records.issues import Issue
from ocop_catalog.records.loader import LoadResult, load_catalog
from ocop_catalog.settings import Settings, load_settings

#: The day every scratch catalog is judged on.
TODAY = dt.date(2026, 3, 1)

PRODUCER = "htx-ong-tam-dao"
GOODS = "mat-ong-hoa-rung"
SERVICE = "trai-nghiem-nuoi-ong"

PRODUCER_FILE = f"products/{PRODUCER}/producer.yml"
GOODS_DIR = f"products/{PRODUCER}/{GOODS}"
GOODS_FILE = f"{GOODS_DIR}/product.yml"
SERVICE_DIR = f"products/{PRODUCER}/{SERVICE}"
SERVICE_FILE = f"{SERVICE_DIR}/product.yml"
REGIONS_FILE = "catalog/regions.yml"
#: The office's decisions recognising the goods (4 stars) and the service (3 stars).
GOODS_DECISION = "catalog/decisions/2025-06-10-385.yml"
SERVICE_DECISION = "catalog/decisions/2025-09-01-120.yml"
SALES_POINTS_FILE = "catalog/sales-points.yml"

SITE_CONFIG = """\
# MkDocs configuration of a scratch catalog used by the tests.
site_name: Sản phẩm OCOP (thử nghiệm)
site_url: https://ocop.example.vn/
docs_dir: catalog
theme:
  name: material
  language: vi

plugins:
  - ocop:
      identity: {name: {vi: Sản phẩm OCOP (thử nghiệm), en: OCOP products (test)}}
      languages: [vi, en, zh]
      translation_warnings: [en]
      photo_max_bytes: 15728640
      photo_max_pixels: 50000000
      photo_min_side: 500
      office_team: "@ocop-test/ocop-office"
"""

REGIONS = """\
province:
  code: "25"
  name: {vi: Tỉnh Phú Thọ, en: Phu Tho Province}

legacy_districts:
  - id: tam-dao
    name: {vi: Huyện Tam Đảo, en: Tam Dao District}
    province: {vi: Tỉnh Vĩnh Phúc, en: Vinh Phuc Province}
  - id: tam-duong
    name: {vi: Huyện Tam Dương, en: Tam Duong District}
    province: {vi: Tỉnh Vĩnh Phúc, en: Vinh Phuc Province}

communes:
  - code: "08911"
    name: {vi: Xã Tam Đảo, en: Tam Dao Commune}
    kind: xa
    legacy_districts: [tam-dao]
  - code: "08914"
    name: {vi: Xã Đạo Trù, en: Dao Tru Commune}
    kind: xa
    legacy_districts: [tam-dao, tam-duong]
  - code: "08866"
    name: {vi: Xã Sơn Đông, en: Son Dong Commune}
    kind: xa
    legacy_districts: [tam-duong]
"""

SALES_POINTS = """\
sales_points:
  - id: cho-tam-dao
    name: {vi: Chợ Tam Đảo, en: Tam Dao market}
    kind: market
    address:
      commune: "08911"
      legacy: {district: tam-dao}
  - id: diem-ocop-hop-thinh
    name: {vi: Điểm bán OCOP Hợp Thịnh, en: Hop Thinh OCOP store}
    kind: ocop_store
    address:
      street: {vi: Đường Hùng Vương, en: Hung Vuong Street}
      commune: "08866"
    contact:
      phone: "+84 000 000 002"
      website: https://ocop-hop-thinh.example.com
"""


def producer_yml(producer_id: str = PRODUCER) -> str:
    return f"""\
# yaml-language-server: $schema=../../schema/producer.schema.json
id: {producer_id}
name:
  vi: HTX Ong mật Tam Đảo
  en: Tam Dao Honey Bee Cooperative
type: HTX
representative: Nguyễn Văn An
address:
  commune: "08911"
  legacy:
    district: tam-dao
    commune: Thị trấn Tam Đảo
contact:
  phone: "+84 000 000 100"
  email: htx-ong@example.com
  website: https://htx-ong.example.com
description:
  vi: HTX nuôi ong lấy mật dưới chân núi Tam Đảo.
  en: A cooperative keeping bees at the foot of Tam Dao mountain.
"""


def decision_yml(number: str, date: str, recognised: Iterable[tuple[str, int, float | None]],
                 level: str = "province", criteria: str = "148/2023") -> str:
    """A decision of the register recognising ``(product, stars, score)`` items."""
    items = "".join(f"  - product: {product}\n    stars: {stars}\n"
                    + (f"    score: {score}\n" if score is not None else "")
                    for product, stars, score in recognised)
    return f"""\
# yaml-language-server: $schema=../../schema/decision.schema.json
number: {number}
date: {date}
issuer:
  vi: UBND tỉnh Vĩnh Phúc
  en: Vinh Phuc Provincial People's Committee
level: {level}
criteria_version: "{criteria}"
recognises:
{items}"""


def goods_yml(product_id: str = GOODS, gtin: str = "8930000000019") -> str:
    """A jar of honey: a product of criteria set 1 with every common field."""
    return f"""\
# yaml-language-server: $schema=../../../schema/product.schema.json
id: {product_id}
name:
  vi: Mật ong hoa rừng Tam Đảo
  en: Tam Dao wild-flower honey
summary:
  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.
  en: Wild-flower honey harvested on Tam Dao mountain.
description:
  vi: |
    Mật ong được **quay** từ các tổ ong của hộ thành viên.

    Xem [trang của HTX](https://htx-ong.example.com/mat-ong).
  en: |
    Honey spun from the **members'** hives.

    See the [cooperative's page](https://htx-ong.example.com/mat-ong).
category:
  criteria_version: "148/2023"
  criteria_set: 1
origin:
  commune: "08911"
  legacy:
    district: tam-dao
price:
  amount: 250000
  unit:
    vi: hũ 500 g
    en: 500 g jar
net_content:
  value: 500
  unit: g
availability: in_stock
gtin: "{gtin}"
shelf_life:
  value: 24
  unit: months
photos:
  - file: 1.jpg
    alt:
      vi: Hũ mật ong trên bàn gỗ
      en: A jar of honey on a wooden table
  - file: 2.jpg
    alt:
      vi: Khung tổ ong đầy mật
      en: A honeycomb frame full of honey
sales_points:
  - cho-tam-dao
  - diem-ocop-hop-thinh
marketplaces:
  - platform: shopee
    url: https://shopee.vn/mat-ong-hoa-rung-tam-dao
tags: [mật ong, tam đảo]
listed: 2025-07-01
updated: 2026-01-15
"""


def service_yml(product_id: str = SERVICE) -> str:
    """A bee-keeping visit: a community-tourism service (criteria set 26)."""
    return f"""\
# yaml-language-server: $schema=../../../schema/product.schema.json
id: {product_id}
name:
  vi: Trải nghiệm nuôi ong Tam Đảo
  en: Tam Dao bee-keeping experience
summary:
  vi: Nửa ngày cùng người nuôi ong ở Tam Đảo.
  en: Half a day with the bee-keepers of Tam Dao.
description:
  vi: Khách mặc đồ bảo hộ, mở thùng ong và nếm mật tại chỗ.
  en: Visitors put on protective suits, open a hive and taste the honey.
category:
  criteria_version: "148/2023"
  criteria_set: 26
origin:
  commune: "08914"
photos:
  - file: 1.jpg
    alt:
      vi: Khách tham quan mở thùng ong
      en: Visitors opening a hive
tourism:
  location: {{lat: 21.4573, lon: 105.6431}}
  opening_hours:
    vi: Thứ Bảy và Chủ nhật, 8:00–11:30
    en: Saturdays and Sundays, 8:00–11:30
  price_per_person: 150000
  booking:
    phone: "+84 000 000 101"
"""


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------


@cache
def image_bytes(width: int = 600, height: int = 600, fmt: str = "JPEG") -> bytes:
    """A small real image of the given size and format (cached: drawn once)."""
    mode = "P" if fmt == "GIF" else "RGB"
    image = Image.new(mode, (width, height), color=(200, 150, 40) if mode == "RGB" else 1)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@cache
def noisy_jpeg(side: int) -> bytes:
    """A JPEG full of noise, which compresses badly: about 1 MB per 1000×1000 px."""
    out = io.BytesIO()
    Image.effect_noise((side, side), 100).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def lossless_jpeg(width: int, height: int, *, flat: bool = False) -> bytes:
    """A grey lossless JPEG (SOF3, predictor 1): a kind no camera saves and Pillow does not
    write, but reads through libjpeg-turbo. Its pixels make a pattern, or with ``flat``
    are all mid-grey (every difference 0: four bits a pixel, made at any size at once)."""
    out = bytearray(b"\xff\xd8")
    frame = struct.pack(">BHHB", 8, height, width, 1) + bytes([1, 0x11, 0])
    out += b"\xff\xc3" + struct.pack(">H", len(frame) + 2) + frame
    table = bytes([0]) + bytes([0, 0, 0, 9] + [0] * 12) + bytes(range(9))  # 4-bit codes
    out += b"\xff\xc4" + struct.pack(">H", len(table) + 2) + table
    scan = bytes([1, 1, 0x00, 1, 0, 0])
    out += b"\xff\xda" + struct.pack(">H", len(scan) + 2) + scan
    if flat:
        out += bytes(-(-width * height // 2))
        return bytes(out + b"\xff\xd9")
    bits = []
    pixels = [((x * 7 + y * 3) ^ (x * y)) & 0xFF for y in range(height) for x in range(width)]
    for i, value in enumerate(pixels):
        y, x = divmod(i, width)
        guess = 128 if i == 0 else pixels[i - 1] if x else pixels[i - width]
        d = value - guess
        size = abs(d).bit_length()
        bits += [int(b) for b in f"{size:04b}"]
        if size:
            bits += [int(b) for b in f"{d if d > 0 else d + (1 << size) - 1:0{size}b}"]
    bits += [1] * (-len(bits) % 8)
    for i in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[i:i + 8])), 2)
        out += bytes([byte, 0]) if byte == 0xFF else bytes([byte])
    return bytes(out + b"\xff\xd9")


@cache
def bilevel_png(width: int, height: int) -> bytes:
    """A black-and-white PNG: huge in pixels, tiny on disk (20 000 × 20 000 px is ~50 KB)."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    return out.getvalue()


# --------------------------------------------------------------------------
# The scratch repository
# --------------------------------------------------------------------------


@dataclass
class Scratch:
    """A catalog repository under ``root`` that tests may change and validate."""

    root: Path

    # --- writing ----------------------------------------------------------

    def build(self) -> Scratch:
        """Write the baseline: settings, regions, sales points, one producer
        with a product (goods) and a service."""
        self.write("site_config.yml", SITE_CONFIG)
        self.write(REGIONS_FILE, REGIONS)
        self.write(SALES_POINTS_FILE, SALES_POINTS)
        self.write(PRODUCER_FILE, producer_yml())
        self.write(GOODS_DECISION, decision_yml("385/QĐ-UBND", "2025-06-10",
                                                [(GOODS, 4, 78.5)]))
        self.write(SERVICE_DECISION, decision_yml("120/QĐ-UBND", "2025-09-01",
                                                  [(SERVICE, 3, None)]))
        self.write(GOODS_FILE, goods_yml())
        self.write_bytes(f"{GOODS_DIR}/1.jpg", image_bytes(600, 600))
        self.write_bytes(f"{GOODS_DIR}/2.jpg", image_bytes(800, 600))
        self.write(SERVICE_FILE, service_yml())
        self.write_bytes(f"{SERVICE_DIR}/1.jpg", image_bytes(600, 800))
        return self

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, text: str) -> Path:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def write_bytes(self, rel: str, data: bytes) -> Path:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return target

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in ``rel`` by ``new``."""
        text = self.read(rel)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        self.write(rel, text.replace(old, new))

    def add_producer(self, producer_id: str) -> str:
        """A second valid producer folder; returns its producer.yml path."""
        rel = f"products/{producer_id}/producer.yml"
        self.write(rel, producer_yml(producer_id))
        return rel

    def add_goods(self, producer_id: str, product_id: str, gtin: str = "8930000000026") -> str:
        """A valid goods product (with its photos and a decision recognising it); returns
        its product.yml path."""
        folder = f"products/{producer_id}/{product_id}"
        decisions = self.path("catalog/decisions")
        if not any(f"product: {product_id}\n" in p.read_text(encoding="utf-8")
                   for p in decisions.rglob("*.yml")):  # an id used twice: one decision
            self.certify(product_id)
        self.write(f"{folder}/product.yml", goods_yml(product_id, gtin))
        self.write_bytes(f"{folder}/1.jpg", image_bytes(600, 600))
        self.write_bytes(f"{folder}/2.jpg", image_bytes(800, 600))
        return f"{folder}/product.yml"

    def certify(self, product_id: str, stars: int = 4, date: str = "2025-06-10",
                criteria: str = "148/2023") -> str:
        """A decision of its own recognising ``product_id``; returns its path."""
        rel = f"catalog/decisions/{date}-{product_id}.yml"
        self.write(rel, decision_yml(f"{product_id}/QĐ-UBND", date, [(product_id, stars, None)],
                                     criteria=criteria))
        return rel

    # --- positions --------------------------------------------------------

    def position(self, rel: str, needle: str, offset: int = 0) -> tuple[int, int]:
        """1-based (line, column) of the only ``needle`` in ``rel``, plus ``offset`` chars."""
        return position_in(self.read(rel), needle, offset)

    # --- validating -------------------------------------------------------

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(self.root, today=TODAY, **overrides)

    def validate(self, **overrides: Any) -> LoadResult:
        return load_catalog(self.settings(**overrides))

    def issues(self, **overrides: Any) -> list[tuple]:
        """Every issue found, as :func:`summary` tuples."""
        return summary(self.validate(**overrides).issues)

    def fingerprint(self) -> dict[str, str]:
        """SHA-256 of every file (and the target of every link) under the root."""
        prints = {}
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            if path.is_symlink():
                prints[rel] = "link:" + str(path.readlink())
            elif path.is_file():
                prints[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                prints[rel] = "dir"
        return prints


def set_goods_price(root: Path, amount: int) -> None:
    """Give the goods of the scratch catalog at ``root`` the price ``amount``."""
    record = root / GOODS_FILE
    text = record.read_text(encoding="utf-8")
    changed, found = re.subn(r"amount: \d+", f"amount: {amount}", text, count=1)
    assert found
    record.write_text(changed, encoding="utf-8")


def build_catalog(root: Path) -> Scratch:
    return Scratch(root).build()


def position_in(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the only ``needle`` in ``text``, plus ``offset`` chars."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    index = text.index(needle) + offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def summary(issues: Iterable[Issue]) -> list[tuple]:
    """``(code, severity, file, line, column, field)`` of each issue, in order."""
    return [(i.code, i.severity, i.file, i.line, i.column, i.field) for i in issues]


def issue(code: str, file: str, at: tuple[int, int], field: str, severity: str = "error"):
    """The :func:`summary` tuple a test expects."""
    return (code, severity, file, at[0], at[1], field)
