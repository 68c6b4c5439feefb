"""Make a synthetic catalog repository of N products for benchmarks.

It copies the sample's site_config.yml, theme/, regions and sales points, and
writes N products spread over N/5 producers, every text in vi/en/zh. Each
product has one photo; all photos are hard links to one small JPEG, so the
benchmark measures the page pipeline, not photo encoding ("without photos").
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
WORDS = ("mật ong", "trà hoa vàng", "nấm", "gạo", "rượu", "tương", "bưởi", "ổi", "sữa chua",
         "đông trùng", "gốm", "mây tre", "thanh long", "chè", "tỏi", "miến")
PLACES = ("Tam Đảo", "Sông Lô", "Lập Thạch", "Vĩnh Tường", "Yên Lạc", "Bình Xuyên", "Phúc Yên")
COMMUNES = ("08911", "08923", "08914", "08824", "08848", "08761", "09076", "09025", "08950")
POINTS = ("go-vinh-phuc", "coopmart-vinh-yen", "ocop-tam-dao", "tay-thien", "dai-lai")


def make_catalog(root: Path, products: int, *, seed: int = 7) -> Path:
    """Write a catalog of ``products`` products under ``root``; returns ``root``."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(REPO / "site_config.yml", root / "site_config.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    (root / "catalog").mkdir()
    for name in ("regions.yml", "sales-points.yml"):
        shutil.copy(REPO / "catalog" / name, root / "catalog" / name)
    for path in (REPO / "catalog").rglob("*.md"):
        target = root / "catalog" / path.relative_to(REPO / "catalog")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    photo = root / "photo.jpg"
    Image.new("RGB", (800, 600), (214, 160, 60)).save(photo, quality=80)
    producers = max(1, products // 5)
    for p in range(producers):
        _write_producer(root / "products" / f"producer-{p:05d}", p, rng)
    for i in range(products):
        folder = root / "products" / f"producer-{i % producers:05d}" / f"product-{i:06d}"
        folder.mkdir(parents=True)
        os.link(photo, folder / "1.jpg")
        (folder / "product.yml").write_text(_product(i, rng), encoding="utf-8")
    return root


def _write_producer(folder: Path, index: int, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    commune = rng.choice(COMMUNES)
    (folder / "producer.yml").write_text(
        f"""id: producer-{index:05d}
name: {{vi: "Hợp tác xã {rng.choice(PLACES)} số {index}", en: "{index} Cooperative", zh: "合作社 {index}"}}
type: HTX
representative: Nguyễn Văn A
address: {{commune: "{commune}"}}
contact: {{email: "htx{index}@example.com"}}
description:
  vi: Hợp tác xã sản xuất nông sản tại {rng.choice(PLACES)}.
  en: A farming cooperative in {rng.choice(PLACES)}.
  zh: 一家农业合作社。
""",
        encoding="utf-8",
    )


def _product(i: int, rng: random.Random) -> str:
    word = rng.choice(WORDS)
    place = rng.choice(PLACES)
    stars = rng.choice((3, 3, 3, 4, 4, 5))
    year = rng.choice((2024, 2025, 2026))
    criteria = rng.choice(range(1, 26))
    points = ", ".join(rng.sample(POINTS, 2))
    return f"""id: product-{i:06d}
name: {{vi: "{word.capitalize()} {place} {i}", en: "{place} product {i}", zh: "产品 {i}"}}
summary: {{vi: "Sản phẩm {word} của {place}.", en: "A product from {place}.", zh: "来自{place}的产品。"}}
description:
  vi: |
    **{word.capitalize()} {place} số {i}** được làm tại {place} theo cách truyền thống. Nguyên
    liệu lấy từ vùng trồng của hợp tác xã, vụ {year}.

    - Lô sản xuất {i:06d}, đóng gói tại xưởng của chủ thể
    - Bảo quản nơi khô ráo, thoáng mát
  en: |
    **{place} product {i}** is made in {place} in the traditional way from the cooperative's
    own raw materials, {year} season.

    - Batch {i:06d}, packed in the producer's workshop
    - Keep in a cool, dry place
  zh: 按传统方法在{place}制作，批次{i:06d}。
category: {{criteria_version: "148/2023", criteria_set: {criteria}}}
certification:
  stars: {stars}
  decision_number: "{1000 + i % 900}/QĐ-UBND"
  decision_date: {year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}
  issuer: {{vi: UBND tỉnh Phú Thọ, en: Phu Tho Provincial People's Committee}}
origin: {{commune: "{rng.choice(COMMUNES)}"}}
price: {{amount: {rng.randint(2, 90) * 5000}, unit: {{vi: hộp, en: box, zh: 盒}}}}
photos:
  - {{file: 1.jpg, alt: {{vi: "Ảnh {word}", en: "Photo", zh: "照片"}}}}
sales_points: [{points}]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("-n", "--products", type=int, default=1000)
    args = parser.parse_args()
    make_catalog(args.root, args.products)
    print(f"wrote {args.products} products under {args.root}")


if __name__ == "__main__":
    main()
