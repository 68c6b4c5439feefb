"""``ocop init DIR --province …``: a new catalog repository that builds at once.

Writes content only (the engine is the installed package): ``site_config.yml`` with
the catalog's identity, ``catalog/regions.yml`` generated from the official list of
administrative units for the province, an empty ``catalog/sales-points.yml`` with a
commented example, ``catalog/decisions/_mau.yml`` (an example decision for the office's
register of decisions to copy; skipped by the loader), the about pages in each language
with the office's details, the contributor guide (``catalog/contributing.md``, and
``catalog/en/contributing.md`` when English is published), ``products/_mau/`` (an example producer and product to copy;
skipped by the loader), a Vietnamese README for the office, GitHub Actions workflows
(checking a pull request, commenting on it, publishing) with the ``.github/CODEOWNERS``
the check expects (the office team, ``--office-team``, owns everything but the producers'
folders: a catalog with a register of decisions must name it), ``requirements.txt`` pinning this version of the engine,
``.gitignore`` and the record JSON Schemas.
The templates are in ``starter/`` beside this module.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import jinja2
from PIL import Image, ImageDraw

from . import codeowners
from .catalog import geography
from .edition.identity import IdentityError, parse_identity
from .records.schemas import write_schemas
from .settings import CONFIG_FILE, build_date, plugin_options

STARTER = Path(__file__).resolve().parent / "starter"
#: The contributor guide's page (``catalog/<lang>/contributing.md``), copied from the docs
#: by tools/sync_guides.py; the form page links it (outputs/form.py).
GUIDE = "contributing"
#: Languages a new catalog can publish: the theme has UI strings and about pages for them.
LANGUAGES = ("vi", "en", "zh")


class InitError(Exception):
    """Nothing was written; the message says why and what to do."""


@dataclass
class Answers:
    """What ``ocop init`` needs to know (flags, or answers to its questions)."""

    province: geography.OfficialProvince
    site_url: str
    office_name: str
    #: The office's GitHub team (or users), ``@org/team``: owner of catalog/ in CODEOWNERS.
    office_team: str = ""
    languages: tuple[str, ...] = ("vi", "en")
    name: str = ""
    office_address: str = ""
    office_phone: str = ""
    office_email: str = ""
    office_website: str = ""
    extra: dict = field(default_factory=dict)


def province_or_error(query: str) -> geography.OfficialProvince:
    """The province ``query`` names (code, name, any case, with or without diacritics)."""
    found = geography.find_province(query)
    if found is not None:
        return found
    close = geography.close_provinces(query)
    hint = ("; có phải / did you mean: " + ", ".join(f"{p.name} ({p.code})" for p in close)
            if close else "; xem danh sách / see the list: ocop init --list-provinces")
    raise InitError(f"không có tỉnh, thành phố '{query}' trong 34 đơn vị hành chính cấp tỉnh / "
                    f"'{query}' is not one of the 34 provinces{hint}")


def languages_or_error(text: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown or not codes or codes[0] != "vi":
        raise InitError(f"ngôn ngữ / languages: '{text}': tiếng Việt (vi) trước, rồi trong "
                        f"{', '.join(LANGUAGES)} / Vietnamese first, then any of "
                        f"{', '.join(LANGUAGES)}")
    return codes


def office_team_or_error(text: str) -> str:
    """The office's GitHub team(s) or user(s), ``@org/team``, space separated."""
    try:
        owners = codeowners.office_owners(text.strip())
    except codeowners.OwnersError:
        owners = []
    if not owners:
        raise InitError(f"nhóm GitHub của văn phòng / office team: '{text}' phải có dạng "
                        "@to-chuc/ten-nhom (hoặc @ten-dang-nhap) / must be a GitHub team "
                        "such as @org/ocop-office (or a user, @login)")
    return " ".join(owners)


def site_url_or_error(text: str) -> str:
    url = text.strip()
    if not re.fullmatch(r"https?://[^\s<>\"'{}|\\^`]+", url):
        raise InitError(f"địa chỉ trang / site URL: '{text}' phải bắt đầu bằng https:// / must "
                        "start with https://, e.g. https://ocop.example.org/")
    return url if url.endswith("/") else url + "/"


def _markdown_text(value: object) -> str:
    """A text shown as itself in Markdown: HTML and Markdown punctuation escaped."""
    text = html.escape(str(value), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~>-])", r"\\\1", text)


def _yaml(value: object) -> str:
    """A YAML scalar for a text (JSON's double-quoted strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def files(answers: Answers) -> dict[str, bytes]:
    """Every file of the new repository: relative path → content."""
    province = answers.province
    langs = answers.languages
    name = answers.name or f"Sản phẩm OCOP {_short(province)}"
    first = geography.communes(province.code)[0]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(STARTER)), autoescape=False,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["yaml"] = _yaml
    env.filters["md"] = _markdown_text
    english = province.english_name.replace(" Province", "").replace(" City", "")
    context = {
        "name": name, "name_en": f"{english} OCOP products",
        "short_name": f"OCOP {_short(province)}", "province_name": _short(province),
        "province_full": province.full_name, "province_en": province.english_name,
        "tagline": f"Danh mục sản phẩm OCOP {province.full_name}, có trạng thái chứng nhận "
                   "được cập nhật.",
        "tagline_en": f"Catalog of OCOP products of {province.english_name}, with "
                      "up-to-date certificate status.",
        "site_url": answers.site_url, "languages": list(langs),
        "office_name": answers.office_name, "office_team": answers.office_team,
        "office_address": answers.office_address,
        "office_phone": answers.office_phone, "office_email": answers.office_email,
        "office_website": answers.office_website,
        "commune_code": first.code, "commune_name": first.name,
        "decision_date": (build_date() - dt.timedelta(days=60)).replace(day=1).isoformat(),
        "version": _version(),
    }

    def render(template: str) -> bytes:
        return env.get_template(template).render(context).encode("utf-8")

    out = {
        "site_config.yml": render("site_config.yml.j2"),
        "requirements.txt": render("requirements.txt.j2"),
        "README.md": render("README.md.j2"),
        ".gitignore": (STARTER / "gitignore.txt").read_bytes(),
        "catalog/regions.yml": geography.regions_yaml(province, langs).encode("utf-8"),
        "catalog/sales-points.yml": (STARTER / "catalog" / "sales-points.yml").read_bytes(),
        # a template ("_": not read as a decision) for the office's register of decisions
        "catalog/decisions/_mau.yml": render("catalog/decisions/_mau.yml.j2"),
        "products/_mau/producer.yml": render("products/_mau/producer.yml.j2"),
        "products/_mau/san-pham-mau/product.yml": render(
            "products/_mau/san-pham-mau/product.yml.j2"),
        "products/_mau/san-pham-mau/1.jpg": _placeholder_photo(),
        ".github/workflows/pull-request.yml": (STARTER / "workflows" / "pull-request.yml"
                                               ).read_bytes(),
        ".github/workflows/pull-request-comment.yml": (
            STARTER / "workflows" / "pull-request-comment.yml").read_bytes(),
        ".github/workflows/publish.yml": (STARTER / "workflows" / "publish.yml").read_bytes(),
    }
    for lang in langs:
        folder = "catalog/" if lang == "vi" else f"catalog/{lang}/"
        out[folder + "about-ocop.md"] = render(f"catalog/about-ocop.{lang}.md.j2")
        out[folder + "ocop-mark.md"] = (STARTER / "catalog" / f"ocop-mark.{lang}.md").read_bytes()
        # the contributor guide (docs/huong-dan-dong-gop.md, docs/contributing.md), which
        # the form page links: in Vietnamese and English (a Chinese form links English)
        guide = STARTER / "catalog" / f"{GUIDE}.{lang}.md"
        if guide.is_file():
            out[folder + f"{GUIDE}.md"] = guide.read_bytes()
    return out


def check(answers: Answers) -> None:
    """The answers as the build will read them (``identity:``): an office website that is
    no address, a control character… is refused before anything is written."""
    office = {"name": answers.office_name}
    for key in ("address", "phone", "email", "website"):
        value = getattr(answers, f"office_{key}")
        if value:
            office[key] = value
    identity = {"name": answers.name or "x", "office": office}
    office_team_or_error(answers.office_team)  # the register of decisions needs its owner
    try:
        parse_identity(identity, answers.languages)
    except IdentityError as exc:
        flag = str(exc).split(":", 1)[0].replace("identity.office.", "--office-")
        flag = flag.replace("identity.name", "--name").split(".vi")[0]
        raise InitError(f"{flag}: {str(exc).split(': ', 1)[-1]}") from None
    for text in (answers.office_name, answers.name, *office.values()):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InitError(f"'{text!r}' is not text / không phải văn bản") from None


def write(target: Path, answers: Answers, *, force: bool = False) -> list[str]:
    """Write the new repository into ``target``; the paths written."""
    check(answers)
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} là một tệp, không phải thư mục / is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InitError(f"thư mục {target} không trống; chọn thư mục trống hoặc thêm --force "
                        f"(ghi đè các tệp trùng tên) / {target} is not empty: choose an empty "
                        "folder, or add --force to write over files with the same names")
    content = files(answers)
    try:
        for rel, data in content.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        write_schemas(target)
        # what the pull-request check's 'ocop codeowners --check' expects (no producer yet)
        office = codeowners.office_owners(plugin_options(target / CONFIG_FILE).get("office_team"))
        codeowners.write(target, office)
    except OSError as exc:
        raise InitError(f"không ghi được / cannot write {exc.filename or target}: "
                        f"{exc.strerror or exc}") from None
    return sorted([*content, codeowners.CODEOWNERS])


def _short(province: geography.OfficialProvince) -> str:
    """``Lào Cai``; ``Hà Nội`` for ``Thành phố Hà Nội``."""
    return re.sub(r"^(Thành phố|Tỉnh)\s+", "", province.name)


def _version() -> str:
    try:
        return version("ocop-catalog")
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return "0.1.0"


def _placeholder_photo() -> bytes:
    """A 600 × 600 JPEG that says it is a placeholder, to replace with a real photo."""
    image = Image.new("RGB", (600, 600), (236, 231, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 579, 579), outline=(120, 110, 90), width=6)
    for i, line in enumerate(("ANH MAU", "PLACEHOLDER", "thay bang anh that",
                              "replace with a real photo")):
        draw.text((60, 220 + 40 * i), line, fill=(60, 55, 45))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
