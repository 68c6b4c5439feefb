"""``ocop new producer [ID]`` and ``ocop new product PRODUCER [ID]``: a record without YAML.

For producers who have a terminal but do not know YAML: the command asks (in Vietnamese,
or English with ``--lang en``) for every required value not given as a flag, checks each
answer against the record models as it comes, and writes a commented record with the
schema modeline that ``ocop validate`` accepts as written. Without a terminal a missing
required value is a usage error. An existing record is never overwritten.

Photos (``--photo FILE…``) are copied in as ``1.jpg``, ``2.jpg``…: decoded, turned upright
from their EXIF orientation, re-encoded as JPEG without their metadata (no camera GPS
position is published), and downscaled with a notice when over the catalog's pixel or byte
limit (``photo_max_pixels``, ``photo_max_bytes``). HEIC/HEIF files and photos under
``photo_min_side`` are refused with what to do instead. Everything is checked and every
photo converted before the first file is written: a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from PIL import Image, ImageOps
from pydantic import TypeAdapter, ValidationError

from .catalog import certificates as certs
from .catalog.taxonomy import criteria_set_of
from .records.models import (
    SLUG_PATTERN,
    Address,
    Category,
    Contact,
    Photo,
    Price,
    Producer,
    Product,
)
from .records.photos import MAX_SIDE, scales_down
from .settings import Settings, build_date

#: Brands of the ISO base media file (``....ftyp<brand>``) that are HEIC/HEIF images.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
               b"mif1", b"msf1", b"avif", b"avis"}
HEIF_SUFFIXES = {".heic", ".heif", ".hif", ".avif"}
JPEG_QUALITY = 88


class NewError(Exception):
    """Nothing was written; the message (Vietnamese / English) says why and what to do.
    ``usage``: the command was called wrongly (exit status 2), else refused (1)."""

    def __init__(self, message: str, *, usage: bool = False):
        super().__init__(message)
        self.usage = usage


# --------------------------------------------------------------------------
# Ids
# --------------------------------------------------------------------------


def suggest_slug(text: str) -> str:
    """The id a text suggests: diacritics folded (đ → d), lower case, hyphens.

    ``"HTX Chè Tả Van"`` → ``"htx-che-ta-van"``; at most 64 characters, cut at a hyphen.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > 64:
        slug = slug[:65].rsplit("-", 1)[0] if "-" in slug[:65] else slug[:64]
    return slug.strip("-")


def check_id(value: str, what: str) -> str:
    """``value`` if it is a valid id; else an error that suggests one. ``what``: "vi / en"."""
    vi, en = what.split(" / ")
    value = value.strip()
    if 2 <= len(value) <= 64 and re.fullmatch(SLUG_PATTERN, value):
        return value
    suggestion = suggest_slug(value)
    hint = (f"; gợi ý / suggested: {suggestion}" if len(suggestion) >= 2 else "")
    raise ValueError(f"mã {vi} '{value}' chỉ được gồm chữ thường a-z, số và dấu gạch ngang "
                     f"/ the {en} id '{value}' may hold only a-z, 0-9 and single hyphens"
                     f"{hint}")


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------


@dataclass
class Question:
    """One value: its flag, its question in each language and how an answer is read."""

    flag: str
    vi: str
    en: str
    parse: Callable[[str], Any]
    required: bool = True


def _field(model, name: str) -> Callable[[str], Any]:
    """A parser that checks a text against a model field, as the validator will."""
    info = model.model_fields[name]
    adapter = TypeAdapter(Annotated[info.annotation, info])

    def parse(text: str) -> Any:
        try:
            adapter.validate_python(text.strip())
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"]) from None
        return text.strip()

    return parse


def _number(model, name: str, kind=int) -> Callable[[str], Any]:
    info = model.model_fields[name]
    adapter = TypeAdapter(Annotated[info.annotation, info])

    def parse(text: str) -> Any:
        cleaned = text.strip().replace(" ", "")
        if kind is int:
            cleaned = cleaned.replace(".", "").replace(",", "")  # 250.000 đồng
        try:
            value = kind(cleaned)
        except ValueError:
            raise ValueError(f"không phải một số / not a number: '{text}'") from None
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"]) from None
        return value

    return parse


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        for choice in choices:
            if value.upper() == choice.upper():
                return choice
        raise ValueError(f"chọn một trong / choose one of: {', '.join(choices)}")

    return parse


class Asker:
    """Values from flags, else asked in a terminal, else a usage error."""

    def __init__(self, lang: str = "vi", interactive: bool | None = None, out=None):
        self.lang = lang
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.out = out

    def get(self, question: Question, given: Any, default: Any = None) -> Any:
        if given not in (None, ""):
            try:
                return question.parse(str(given))
            except ValueError as exc:
                raise NewError(f"{question.flag}: {exc}", usage=True) from None
        if not self.interactive:
            if default is not None or not question.required:
                return self._default(question, default)
            raise NewError(f"{question.flag} is required (thiếu {question.flag})", usage=True)
        text = question.vi if self.lang == "vi" else question.en
        if default is not None:
            text += f" [{default}]"
        elif not question.required:
            text += " (bỏ trống nếu không có)" if self.lang == "vi" else " (empty: none)"
        for _ in range(5):
            try:
                answer = input(text + ": ").strip()
            except EOFError:
                raise NewError(f"{question.flag} is required (thiếu {question.flag})",
                               usage=True) from None
            if not answer:
                if default is not None or not question.required:
                    return self._default(question, default)
                continue
            try:
                return question.parse(answer)
            except ValueError as exc:
                print(f"  ✗ {exc}", file=self.out or sys.stderr, flush=True)
        raise NewError(f"{question.flag}: không có câu trả lời hợp lệ / no valid answer",
                       usage=True)

    @staticmethod
    def _default(question: Question, default: Any) -> Any:
        if default is None:
            return None
        try:
            return question.parse(str(default))
        except ValueError as exc:
            raise NewError(f"{question.flag}: {exc}", usage=True) from None

    def notice(self, vi: str, en: str) -> None:
        print(vi if self.lang == "vi" else en, file=self.out or sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The catalog's regions
# --------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None


def _communes(root: Path) -> dict[str, str]:
    """Commune code → Vietnamese name, from catalog/regions.yml (empty if unreadable)."""
    regions = _read_yaml(root / "catalog" / "regions.yml")
    found = {}
    if isinstance(regions, dict):
        for item in regions.get("communes") or []:
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                name = item.get("name")
                found[item["code"]] = (name.get("vi") if isinstance(name, dict) else name) or ""
    return found


def _commune_parser(root: Path) -> Callable[[str], str]:
    known = _communes(root)
    check = _field(Address, "commune")

    def parse(text: str) -> str:
        code = check(text)
        if known and code not in known:
            raise ValueError(f"không có mã xã/phường {code} trong catalog/regions.yml / "
                             f"commune {code} is not in catalog/regions.yml")
        return code

    return parse


# --------------------------------------------------------------------------
# Producers
# --------------------------------------------------------------------------

PRODUCER_TYPES = ("HTX", "DN", "THT", "HKD")


def _q(text: str) -> str:
    """A YAML scalar for a text (JSON's double-quoted strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def new_producer(root: Path, args: Any, asker: Asker) -> list[str]:
    """Ask for and write ``products/<id>/producer.yml``; the paths written."""
    name = asker.get(Question("--name", "Tên chủ thể, như trên giấy đăng ký",
                              "Producer's name, as registered", _field(Producer, "name")),
                     args.name)
    producer_id = asker.get(Question("ID", "Mã chủ thể (tên thư mục)",
                                     "Producer id (folder name)",
                                     lambda t: check_id(t, "chủ thể / producer")),
                            args.id, default=suggest_slug(name) or None)
    target = root / "products" / producer_id / "producer.yml"
    _refuse_existing(root, target)
    kind = asker.get(Question("--type", "Loại chủ thể (HTX: hợp tác xã, DN: doanh nghiệp, "
                              "THT: tổ hợp tác, HKD: hộ kinh doanh)",
                              "Kind (HTX: cooperative, DN: enterprise, THT: cooperative group, "
                              "HKD: household business)", _choice(PRODUCER_TYPES)), args.type)
    representative = asker.get(Question("--representative", "Người đại diện",
                                        "Representative", _field(Producer, "representative")),
                               args.representative)
    communes = _communes(root)
    commune = asker.get(Question("--commune", "Mã xã/phường (5 chữ số, trong "
                                 "catalog/regions.yml)", "Commune code (5 digits, see "
                                 "catalog/regions.yml)", _commune_parser(root)), args.commune)
    phone = asker.get(Question("--phone", "Số điện thoại", "Phone number",
                               _field(Contact, "phone"), required=False), args.phone)
    email = asker.get(Question("--email", "Thư điện tử", "E-mail address",
                               _field(Contact, "email"), required=False), args.email)
    if not phone and not email:
        raise NewError("cần --phone hoặc --email để người mua và văn phòng OCOP liên hệ / "
                       "--phone or --email is required", usage=True)
    description = asker.get(Question("--description", "Vài câu giới thiệu chủ thể",
                                     "A few sentences about the producer",
                                     _field(Producer, "description")), args.description)
    lines = [
        "# yaml-language-server: $schema=../../schema/producer.schema.json",
        "# Chủ thể OCOP, tạo bằng \"ocop new producer\". Sửa trực tiếp tệp này khi cần; hướng",
        "# dẫn từng trường: docs/records.md. / Written by \"ocop new producer\"; edit freely.",
        f"id: {producer_id}  # mã cố định, trùng tên thư mục / permanent, the folder's name",
        "name:",
        f"  vi: {_q(name)}",
        "  # en: English name  # tên tiếng Anh (nếu có) / English name, if any",
        f"type: {kind}  # HTX, DN, THT hoặc HKD",
        f"representative: {_q(representative)}  # người đại diện / representative",
        "address:",
        f"  commune: \"{commune}\"  # {communes.get(commune, '')} (catalog/regions.yml)".rstrip(),
        "  # street: {vi: Thôn …, en: … Village}  # thôn, đường, số nhà / street",
        "contact:",
        *([f"  phone: {_q(phone)}"] if phone else []),
        *([f"  email: {_q(email)}"] if email else []),
        "  # website: https://…",
        "description:",
        f"  vi: {_q(description)}",
        "  # en: …  # bản tiếng Anh (nếu có) / in English, if any",
    ]
    record = {"id": producer_id, "name": name, "type": kind,
              "representative": representative, "address": {"commune": commune},
              "contact": {k: v for k, v in (("phone", phone), ("email", email)) if v},
              "description": description}
    _check_model(Producer, record)
    _write(root, {target: ("\n".join(lines) + "\n").encode("utf-8")})
    return [_rel(root, target)]


# --------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------


def new_product(root: Path, args: Any, asker: Asker, settings: Settings) -> list[str]:
    """Ask for and write ``products/<producer>/<id>/product.yml`` and its photos."""
    try:
        producer_id = check_id(args.producer, "chủ thể / producer")
    except ValueError as exc:
        raise NewError(str(exc), usage=True) from None
    producer_file = root / "products" / producer_id / "producer.yml"
    if not producer_file.is_file():
        raise NewError(f"chưa có chủ thể {producer_id} ({_rel(root, producer_file)}); tạo trước "
                       f"bằng: ocop new producer {producer_id} / no producer {producer_id} yet: "
                       f"create it first with: ocop new producer {producer_id}")
    name = asker.get(Question("--name", "Tên sản phẩm", "Product name",
                              _field(Product, "name")), args.name)
    product_id = asker.get(Question("ID", "Mã sản phẩm (tên thư mục)",
                                    "Product id (folder name)",
                                    lambda t: check_id(t, "sản phẩm / product")),
                           args.id, default=suggest_slug(name) or None)
    folder = root / "products" / producer_id / product_id
    target = folder / "product.yml"
    _refuse_existing(root, target)
    summary = asker.get(Question("--summary", "Một câu giới thiệu ngắn",
                                 "One sentence shown in listings",
                                 _field(Product, "summary")), args.summary)
    description = asker.get(Question("--description", "Mô tả sản phẩm (nguyên liệu, cách làm)",
                                     "Description (ingredients, how it is made)",
                                     _field(Product, "description")), args.description)
    criteria_set = asker.get(Question("--criteria-set", "Số bộ sản phẩm OCOP (1–26)",
                                      "OCOP criteria set number (1-26)",
                                      _number(Category, "criteria_set")), args.criteria_set)
    # the criteria the product is (or will be) rated under: those in force today
    version = _version_for(build_date())
    criteria_version = asker.get(
        Question("--criteria-version", "Quyết định bộ tiêu chí (1048/2019, 148/2023, 26/2026)",
                 "Criteria decision (1048/2019, 148/2023, 26/2026)",
                 _choice(tuple(certs.CRITERIA_PERIODS))), args.criteria_version, default=version)
    category = Category(criteria_version=criteria_version, criteria_set=criteria_set)
    kind = criteria_set_of(category)
    if kind is None:
        raise NewError(f"--criteria-set {criteria_set}: không có trong quyết định "
                       f"{criteria_version} / not a criteria set of {criteria_version}",
                       usage=True)
    if not kind.goods:
        raise NewError("dịch vụ du lịch cộng đồng cần mục tourism: sao chép mẫu trong "
                       "docs/records.md / community-tourism services need a tourism: section; "
                       "copy the example in docs/records.md", usage=True)
    producer = _read_yaml(producer_file)
    home = None
    if isinstance(producer, dict) and isinstance(producer.get("address"), dict):
        home = producer["address"].get("commune")
    commune = asker.get(Question("--commune", "Mã xã/phường nơi làm ra sản phẩm",
                                 "Commune code where it is made", _commune_parser(root)),
                        args.commune, default=home if isinstance(home, str) else None)
    price = asker.get(Question("--price", "Giá bán lẻ, đồng (ví dụ 250000)",
                               "Retail price in đồng (e.g. 250000)", _number(Price, "amount")),
                      args.price)
    unit = asker.get(Question("--unit", "Giá đó cho (ví dụ: hũ 500 g)",
                              "What the price buys (e.g. 500 g jar)", _field(Price, "unit")),
                     args.unit)
    photo_files = list(args.photo or [])
    if not photo_files:
        answer = asker.get(Question("--photo", "Tệp ảnh sản phẩm (ảnh chính trước, cách nhau "
                                    "bằng dấu phẩy)", "Photo files (main one first, separated "
                                    "by commas)", lambda t: [p.strip() for p in t.split(",")
                                                            if p.strip()]), None)
        photo_files = answer
    photos = [convert_photo(Path(p), settings, asker) for p in photo_files]
    alts = list(args.alt or [])
    if len(alts) > len(photos):
        raise NewError("nhiều --alt hơn --photo / more --alt than --photo", usage=True)
    for index in range(len(photos)):
        given = alts[index] if index < len(alts) else None
        alts[index:index + 1] = [asker.get(Question(
            "--alt", f"Mô tả ảnh {index + 1} ({Path(photo_files[index]).name}) cho người không "
            "nhìn thấy", f"What photo {index + 1} ({Path(photo_files[index]).name}) shows",
            _field(Photo, "alt")), given)]
    today = build_date().isoformat()
    lines = [
        "# yaml-language-server: $schema=../../../schema/product.schema.json",
        "# Sản phẩm OCOP, tạo bằng \"ocop new product\". Sửa trực tiếp tệp này khi cần; hướng",
        "# dẫn từng trường: docs/records.md. / Written by \"ocop new product\"; edit freely.",
        f"id: {product_id}  # mã cố định, trùng tên thư mục / permanent, the folder's name",
        "name:",
        f"  vi: {_q(name)}",
        "  # en: English name  # tên tiếng Anh (nếu có)",
        "summary:",
        f"  vi: {_q(summary)}",
        "description:",
        f"  vi: {_q(description)}",
        "category:",
        f"  criteria_version: \"{criteria_version}\"  # quyết định bộ tiêu chí",
        f"  criteria_set: {criteria_set}  # số bộ sản phẩm (1–26)",
        "# Số sao và quyết định công nhận không ghi ở đây: văn phòng OCOP ghi chúng trong",
        "# catalog/decisions/. / Stars and the decision are recorded by the OCOP office.",
        "origin:",
        f"  commune: \"{commune}\"  # {_communes(root).get(commune, '')}".rstrip(),
        "price:",
        f"  amount: {price}  # đồng, viết liền / đồng, digits only",
        "  unit:",
        f"    vi: {_q(unit)}",
        "# net_content: {value: 500, unit: g}  # khối lượng tịnh: g, kg, ml, l, pcs",
        "# gtin: \"8930000000019\"  # mã vạch (nếu có) / barcode number, if any",
        "availability: in_stock  # in_stock, out_of_stock, preorder, backorder, discontinued",
        "photos:  # ảnh đầu tiên là ảnh chính / the first photo is the main one",
    ]
    for index, alt in enumerate(alts, 1):
        lines += [f"  - file: {index}.jpg", "    alt:", f"      vi: {_q(alt)}"]
    lines += [f"listed: {today}", f"updated: {today}"]
    record = {
        "id": product_id, "name": name, "summary": summary, "description": description,
        "category": {"criteria_version": criteria_version, "criteria_set": criteria_set},
        "origin": {"commune": commune}, "price": {"amount": price, "unit": unit},
        "photos": [{"file": f"{i}.jpg", "alt": a} for i, a in enumerate(alts, 1)],
    }
    _check_model(Product, record)
    content = {target: ("\n".join(lines) + "\n").encode("utf-8")}
    for index, photo in enumerate(photos, 1):
        content[folder / f"{index}.jpg"] = photo
    _write(root, content)
    return [_rel(root, p) for p in content]


def _version_for(day: dt.date) -> str | None:
    """The criteria decision in force on ``day`` (the latest, where periods overlap)."""
    found = None
    for version, (start, end) in certs.CRITERIA_PERIODS.items():
        if start <= day and (end is None or day <= end):
            found = version
    return found


# --------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------

HEIC_FIX = ("chụp ở chế độ Tương thích nhất (Cài đặt → Camera → Định dạng) hoặc xuất ảnh sang "
            "JPEG / set the camera to Most Compatible or export as JPEG")


def is_heif(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in HEIF_SUFFIXES or (head[4:8] == b"ftyp"
                                                    and head[8:12] in HEIF_BRANDS)


def convert_photo(path: Path, settings: Settings, asker: Asker) -> bytes:
    """The photo at ``path`` as an upright JPEG within the catalog's limits."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)  # the markers before a JPEG's frame are in it
    except OSError as exc:
        raise NewError(f"không đọc được ảnh / cannot read the photo {path}: "
                       f"{exc.strerror or exc}") from None
    if is_heif(path, head):
        raise NewError(f"{path.name}: ảnh HEIC/HEIF không dùng được; {HEIC_FIX}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                turned = image.getexif().get(0x0112) in (5, 6, 7, 8)  # a quarter turn
                original = (height, width) if turned else (width, height)  # as shown
                scale = _scale(width, height, settings)
                # decode at a fraction, less memory: a JPEG libjpeg scales (not a lossless
                # one), a phone's with more pictures after it ("MPO") too
                if scale < 1 and scales_down(head):
                    image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
                image.load()
                upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError:
        raise NewError(f"{path.name}: ảnh quá lớn để mở / too many pixels to open") from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error on non-images
        raise NewError(f"{path.name}: không phải ảnh JPEG, PNG hoặc WebP / not a JPEG, PNG or "
                       "WebP photo") from None
    if min(original) < settings.photo_min_side:
        raise NewError(f"{path.name}: ảnh quá nhỏ ({original[0]} × {original[1]} điểm ảnh), "
                       f"cạnh ngắn cần ít nhất {settings.photo_min_side} / too small "
                       f"({original[0]} × {original[1]} px): the short side needs at least "
                       f"{settings.photo_min_side} px; chụp lại hoặc gửi ảnh gốc / retake it or "
                       "send the original")
    rgb = _rgb(upright)
    scale = _scale(rgb.width, rgb.height, settings)
    data = b""
    for _ in range(12):
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        if min(size) < settings.photo_min_side:
            raise NewError(f"{path.name}: không thu nhỏ được xuống dưới giới hạn mà cạnh ngắn vẫn "
                           f"đủ {settings.photo_min_side} điểm ảnh / cannot fit the limits and "
                           f"keep a {settings.photo_min_side} px short side")
        resized = rgb if size == rgb.size else rgb.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        resized.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        data = out.getvalue()
        if len(data) <= settings.photo_max_bytes:
            break
        scale *= 0.8
    else:  # pragma: no cover - twelve steps of 0.8 reach any limit
        raise NewError(f"{path.name}: không thu nhỏ được / cannot be made small enough")
    if size[0] * size[1] < width * height:  # by the draft decoding or the resizing
        width, height = original
        asker.notice(f"  ↓ {path.name}: ảnh lớn hơn giới hạn của danh mục, đã thu nhỏ từ "
                     f"{width} × {height} xuống {size[0]} × {size[1]} điểm ảnh "
                     f"({len(data) / 2**20:.1f} MB)",
                     f"  ↓ {path.name}: over the catalog's limit, downscaled from "
                     f"{width} × {height} to {size[0]} × {size[1]} px "
                     f"({len(data) / 2**20:.1f} MB)")
    return data


def _scale(width: int, height: int, settings: Settings) -> float:
    """The factor that brings an image within the pixel and side limits (at most 1)."""
    scale = 1.0
    if width * height > settings.photo_max_pixels:
        scale = math.sqrt(settings.photo_max_pixels / (width * height)) * 0.999
    return min(scale, MAX_SIDE / max(width, height))


def _rgb(image: Image.Image) -> Image.Image:
    """The image in RGB; transparency on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _refuse_existing(root: Path, target: Path) -> None:
    if target.exists():
        raise NewError(f"{_rel(root, target)} đã có; không ghi đè — sửa trực tiếp tệp đó hoặc "
                       f"chọn mã khác / {_rel(root, target)} already exists and is not "
                       "overwritten: edit it, or choose another id")


def _check_model(model, record: dict) -> None:
    """The record as the validator will read it (a last check; answers were checked)."""
    try:
        model.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise NewError(f"{where}: {first['msg']}", usage=True) from None


def _write(root: Path, content: dict[Path, bytes]) -> None:
    for path in content:
        if path.exists():  # photos beside a record that is not there: not ours to replace
            raise NewError(f"{_rel(root, path)} đã có; không ghi đè / already exists and is "
                           "not overwritten")
    try:
        for path, data in content.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as fh:
                fh.write(data)
    except OSError as exc:
        raise NewError(f"không ghi được / cannot write {exc.filename}: "
                       f"{exc.strerror or exc}") from None

