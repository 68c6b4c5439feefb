"""Make a synthetic catalog repository of N products for benchmarks.

It copies the sample's site_config.yml, theme/, regions and sales points, and
writes N products spread over N/5 producers, every text in vi/en/zh. Each
product has one photo; all photos are hard links to one small JPEG, so the
benchmark measures the page pipeline, not photo encoding ("without photos").

The certificates are in the office's register of decisions, as in a real catalog
(``catalog/decisions/<year>/<date>-<number>.yml``, docs/records.md): decisions of
20 to 60 products each from March 2021 to November 2026, under the criteria in
force on their date (1048/2019, 148/2023, then 26/2026). Every product is
recognised once (3 or 4 stars by the province; 3 stars by a district under
148/2023 before 1 July 2025); about three in four re-rated when their certificate
runs out (some upgraded from 3 to 4 stars); about one in twenty upgraded to 5 stars
by the ministry; about one in fifty revoked. On the benchmark's build day
(2026-12-01) there are valid, expiring, expired and revoked certificates, and
``ocop validate`` finds no error (warnings: the expired and expiring ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
WORDS = ("mật ong", "trà hoa vàng", "nấm", "gạo", "rượu", "tương", "bưởi", "ổi", "sữa chua",
         "đông trùng", "gốm", "mây tre", "thanh long", "chè", "tỏi", "miến")
PLACES = ("Tam Đảo", "Sông Lô", "Lập Thạch", "Vĩnh Tường", "Yên Lạc", "Bình Xuyên", "Phúc Yên")
COMMUNES = ("08911", "08923", "08914", "08824", "08848", "08761", "09076", "09025", "08950")
POINTS = ("go-vinh-phuc", "coopmart-vinh-yen", "ocop-tam-dao", "tay-thien", "dai-lai")

# --- the register of decisions -------------------------------------------------------

#: No decision is dated after this day (the build day of bench_build.py and
#: tools/compare_builds.py is 2026-12-01).
LAST_DAY = dt.date(2026, 11, 20)
FIRST_DAY = dt.date(2021, 3, 1)
#: First ratings stop here; later decisions re-rate, upgrade and revoke.
LAST_FIRST_RATING = dt.date(2026, 9, 30)
#: Vĩnh Phúc became part of Phú Thọ, and districts were abolished, on this day.
MERGED = dt.date(2025, 7, 1)
#: The Ministry of Agriculture and Rural Development became the Ministry of Agriculture and
#: Environment on this day.
MINISTRY_RENAMED = dt.date(2025, 3, 1)
#: Districts (whose People's Committees could recognise 3 stars under 148/2023) and the
#: name of their committee.
DISTRICTS = {"Tam Đảo": ("huyện", "Tam Dao District"), "Sông Lô": ("huyện", "Song Lo District"),
             "Lập Thạch": ("huyện", "Lap Thach District"),
             "Vĩnh Tường": ("huyện", "Vinh Tuong District"),
             "Yên Lạc": ("huyện", "Yen Lac District"), "Phúc Yên": ("thành phố", "Phuc Yen City")}
REASONS = (
    ("Chủ thể ngừng sản xuất sản phẩm và đề nghị thu hồi giấy chứng nhận.",
     "The producer stopped making the product and asked for the certificate to be withdrawn.",
     "生产主体停止生产该产品并申请撤销证书。"),
    ("Sản phẩm không duy trì được chất lượng theo tiêu chuẩn đã công bố.",
     "The product no longer meets the quality standard it declared.",
     "产品未能保持其公布的质量标准。"),
    ("Chủ thể vi phạm quy định về sử dụng nhãn OCOP.",
     "The producer broke the rules on the use of the OCOP mark.",
     "生产主体违反了OCOP标志的使用规定。"),
)


def _criteria(day: dt.date) -> str:
    """The criteria in force on ``day`` (the newer one where two overlap)."""
    if day < dt.date(2023, 2, 24):
        return "1048/2019"
    return "148/2023" if day < dt.date(2026, 5, 22) else "26/2026"


def _add_months(day: dt.date, months: int) -> dt.date:
    years, month0 = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + years, month=month0 + 1, day=min(day.day, 28))


@dataclass
class Decision:
    date: dt.date
    level: str  # district, province, ministry
    issuer: tuple[str, str]  # vi, en
    number: str = ""
    #: (product index, stars, score or None, evaluation)
    recognises: list[tuple[int, int, float | None, str]] = field(default_factory=list)
    #: (product index, reason index, day it takes effect or None)
    revokes: list[tuple[int, int, dt.date | None]] = field(default_factory=list)


def _province(day: dt.date) -> tuple[str, str]:
    if day < MERGED:
        return "UBND tỉnh Vĩnh Phúc", "Vinh Phuc Provincial People's Committee"
    return "UBND tỉnh Phú Thọ", "Phu Tho Provincial People's Committee"


def _ministry(day: dt.date) -> tuple[str, str]:
    if day < MINISTRY_RENAMED:
        return ("Bộ Nông nghiệp và Phát triển nông thôn",
                "Ministry of Agriculture and Rural Development")
    return "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment"


def _batches(items: list, rng: random.Random) -> list[list]:
    """``items`` in consecutive batches of 20 to 60."""
    out, start = [], 0
    while start < len(items):
        size = rng.randint(20, 60)
        out.append(items[start:start + size])
        start += size
    return out


def _score(stars: int, rng: random.Random) -> float | None:
    """A council score that gives ``stars`` (for about half of the products)."""
    if rng.random() < 0.5:
        return None
    low, high = {3: (50, 69), 4: (70, 89), 5: (90, 98)}[stars]
    return rng.randint(low * 2, high * 2 + 1) / 2


def plan_register(products: int, rng: random.Random) -> tuple[list[Decision], list[str]]:
    """The decisions certifying ``products`` products, in date order, and the criteria
    version each product was last rated under (its record's ``category``)."""
    decisions: list[Decision] = []
    latest: dict[int, tuple[dt.date, int]] = {}  # product -> (last recognised, stars)

    def recognise(decision: Decision, product: int, stars: int, evaluation: str) -> None:
        decision.recognises.append((product, stars, _score(stars, rng), evaluation))
        latest[product] = (decision.date, stars)

    # first ratings: the products in a random order, a batch per decision
    order = list(range(products))
    rng.shuffle(order)
    batches = _batches(order, rng)
    span = (LAST_FIRST_RATING - FIRST_DAY).days
    district_window = 0  # first ratings while districts could recognise: one in three theirs
    for k, batch in enumerate(batches):
        day = FIRST_DAY + dt.timedelta(days=int(span * (k + rng.random()) / len(batches)))
        if dt.date(2023, 2, 24) <= day < MERGED:
            district_window += 1
        if dt.date(2023, 2, 24) <= day < MERGED and district_window % 3 == 2:
            place = rng.choice(sorted(DISTRICTS))
            kind, english = DISTRICTS[place]
            decision = Decision(day, "district", (f"UBND {kind} {place}",
                                                  f"{english} People's Committee"))
            for product in batch:
                recognise(decision, product, 3, "first")
        else:
            decision = Decision(day, "province", _province(day))
            for product in batch:
                recognise(decision, product, rng.choice((3, 3, 3, 4, 4)), "first")
        decisions.append(decision)

    # re-ratings by the province when a certificate runs out (36 months)
    due = []
    for product, (day, stars) in latest.items():
        end = _add_months(day, 36)
        if end <= LAST_DAY and rng.random() < 0.75:
            due.append((max(end - dt.timedelta(days=rng.randint(0, 60)),
                            day + dt.timedelta(days=1)), product))
    for batch in _batches(sorted(due), rng):
        day = min(max(d for d, _ in batch), LAST_DAY)
        decision = Decision(day, "province", _province(day))
        for _, product in batch:
            stars = latest[product][1]
            if stars == 3 and rng.random() < 0.25:
                recognise(decision, product, 4, "upgrade")
            else:
                recognise(decision, product, stars, "re_rating")
        decisions.append(decision)

    # 5 stars: 4-star products the province proposes, recognised by the ministry
    candidates = sorted(p for p, (d, s) in latest.items() if s == 4 and d <= dt.date(2026, 6, 1))
    chosen = rng.sample(candidates, min(len(candidates), round(products * 0.05)))
    for batch in _batches(sorted(chosen, key=lambda p: latest[p][0]), rng):
        day = min(max(latest[p][0] for p in batch) + dt.timedelta(days=rng.randint(60, 200)),
                  LAST_DAY)
        decision = Decision(day, "ministry", _ministry(day))
        for product in batch:
            recognise(decision, product, 5, "upgrade")
        decisions.append(decision)

    # revocations by the province (of 3- and 4-star certificates)
    candidates = sorted(p for p, (d, s) in latest.items()
                        if s < 5 and d <= LAST_DAY - dt.timedelta(days=120))
    chosen = rng.sample(candidates, min(len(candidates), products // 50))
    for batch in _batches(sorted(chosen, key=lambda p: latest[p][0]), rng):
        day = min(max(latest[p][0] for p in batch) + dt.timedelta(days=rng.randint(30, 120)),
                  LAST_DAY)
        decision = Decision(day, "province", _province(day))
        for product in batch:
            later = rng.random() < 0.3  # takes effect some days after the decision
            effect = min(day + dt.timedelta(days=rng.randint(10, 30)), LAST_DAY) if later else None
            decision.revokes.append((product, rng.randrange(len(REASONS)), effect))
        decisions.append(decision)

    decisions.sort(key=lambda d: d.date)
    # numbers: one sequence per year for the province and districts, one for the ministry
    counters: dict[tuple[int, bool], int] = {}
    for decision in decisions:
        key = (decision.date.year, decision.level == "ministry")
        counters[key] = counters.get(key, rng.randint(80, 400)) + rng.randint(3, 40)
        suffix = "QĐ-UBND" if decision.level != "ministry" else (
            "QĐ-BNN-VPĐP" if decision.date < MINISTRY_RENAMED else "QĐ-BNNMT")
        decision.number = f"{counters[key]}/{suffix}"
    return decisions, [_criteria(latest[p][0]) for p in range(products)]


def _decision_yaml(decision: Decision) -> str:
    vi, en = decision.issuer
    lines = [f'number: "{decision.number}"', f"date: {decision.date.isoformat()}",
             f'issuer: {{vi: "{vi}", en: "{en}"}}', f"level: {decision.level}"]
    if decision.recognises:
        lines += [f'criteria_version: "{_criteria(decision.date)}"', "recognises:"]
        for product, stars, score, evaluation in decision.recognises:
            scored = f", score: {score:g}" if score is not None else ""
            lines.append(f"  - {{product: product-{product:06d}, stars: {stars}{scored}, "
                         f"evaluation: {evaluation}}}")
    if decision.revokes:
        lines.append("revokes:")
        for product, reason, effect in decision.revokes:
            r_vi, r_en, r_zh = REASONS[reason]
            lines += [f"  - product: product-{product:06d}",
                      f'    reason: {{vi: "{r_vi}", en: "{r_en}", zh: "{r_zh}"}}']
            if effect is not None:
                lines.append(f"    date: {effect.isoformat()}")
    return "\n".join(lines) + "\n"


def _write_register(root: Path, decisions: list[Decision]) -> None:
    """One file per decision, in a folder per year, as an office may keep them."""
    for decision in decisions:
        slug = decision.number.lower().replace("/", "-").replace("đ", "d")
        path = (root / "catalog" / "decisions" / str(decision.date.year)
                / f"{decision.date.isoformat()}-{slug}.yml")
        path.parent.mkdir(parents=True, exist_ok=True)
        assert not path.exists(), path
        path.write_text(_decision_yaml(decision), encoding="utf-8")


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
    decisions, criteria = plan_register(products, random.Random(seed + 1))
    _write_register(root, decisions)
    producers = max(1, products // 5)
    for p in range(producers):
        _write_producer(root / "products" / f"producer-{p:05d}", p, rng)
    for i in range(products):
        folder = root / "products" / f"producer-{i % producers:05d}" / f"product-{i:06d}"
        folder.mkdir(parents=True)
        os.link(photo, folder / "1.jpg")
        (folder / "product.yml").write_text(_product(i, rng, criteria[i]), encoding="utf-8")
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


def _product(i: int, rng: random.Random, criteria_version: str) -> str:
    """A product's record; its stars are in the register (plan_register)."""
    word = rng.choice(WORDS)
    place = rng.choice(PLACES)
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
category: {{criteria_version: "{criteria_version}", criteria_set: {criteria}}}
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
