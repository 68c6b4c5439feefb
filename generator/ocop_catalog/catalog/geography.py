"""Vietnam's administrative units since 1 July 2025, from the official list.

The 34 provinces and centrally-run cities and their communes (xã), wards (phường) and
special zones (đặc khu), with the codes of the national list (GSO), come from the
maintained PyPI package ``vietnam-provinces``; nothing here is typed by hand. The
catalog uses them to check ``catalog/regions.yml`` (``ocop validate``: every commune
code must be in the official list and in the catalog's province) and to write a new
province's ``regions.yml`` (:func:`regions_yaml`).

Codes are strings as records write them: a province ``"25"``, a commune ``"08749"``.
Names are the official ones with runs of spaces collapsed (the list has a few
doubled spaces). Names are compared (:func:`same_name`) regardless of case, Unicode
normalisation, spacing, the kind of apostrophe and where the tone mark is written
(``Hòa`` and ``Hoà`` are the same name in the two spellings in use).

The former districts that communes were formed from (``legacy_districts``) are not in
the official list of current units. When the PyPI package ``vietnamadminunits`` is
installed, :func:`regions_yaml` drafts them from its mapping of the units before 2025
to the new ones (read from its data files, offline); otherwise it leaves them to the
OCOP office and says in the file how to fill them in.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

CommuneKind = Literal["xa", "phuong", "dac-khu"]

#: The ``kind`` a regions.yml writes for each kind of commune-level unit.
KIND_NAMES: dict[str, tuple[str, str]] = {  # kind: (Vietnamese prefix, English suffix)
    "xa": ("Xã", "Commune"),
    "phuong": ("Phường", "Ward"),
    "dac-khu": ("Đặc khu", "Special Zone"),
}
#: The schema modeline of ``catalog/regions.yml`` (as in the sample).
REGIONS_MODELINE = "# yaml-language-server: $schema=../schema/regions.schema.json"


@dataclass(frozen=True)
class OfficialProvince:
    """A province or centrally-run city of the official list."""

    code: str  #: two digits: "25"
    name: str  #: as the list writes it: "Phú Thọ", "Thành phố Hà Nội"
    city: bool  #: a centrally-run city (thành phố trực thuộc trung ương)

    @property
    def full_name(self) -> str:
        """``Tỉnh Phú Thọ``, ``Thành phố Hà Nội``."""
        return self.name if self.city else f"Tỉnh {self.name}"

    @property
    def english_name(self) -> str:
        """``Phu Tho Province``, ``Ha Noi City``."""
        return f"{_ascii(_without_prefix(self.name))} {'City' if self.city else 'Province'}"


@dataclass(frozen=True)
class OfficialCommune:
    """A commune, ward or special zone of the official list."""

    code: str  #: five digits: "08749"
    name: str  #: "Phường Xuân Hòa"
    kind: CommuneKind
    province: str  #: the province code: "25"

    @property
    def english_name(self) -> str:
        """``Xuan Hoa Ward``, ``Tam Son Commune``, ``Phu Quoc Special Zone``."""
        prefix, suffix = KIND_NAMES[self.kind]
        base = self.name[len(prefix):].strip() if self.name.startswith(prefix + " ") else self.name
        return f"{_ascii(base)} {suffix}"


@dataclass(frozen=True)
class FormerDistrict:
    """A former district (before 1 July 2025) for ``legacy_districts:``."""

    id: str  #: "song-lo"
    name: str  #: "Huyện Sông Lô"
    english_name: str  #: "Song Lo District"
    province: str  #: the former province: "Tỉnh Vĩnh Phúc"
    english_province: str  #: "Vinh Phuc Province"


# --------------------------------------------------------------------------
# The official list
# --------------------------------------------------------------------------


@cache
def _load() -> tuple[tuple[OfficialProvince, ...], dict[str, OfficialCommune]]:
    """Read the package's list once per process (about 0.15 s)."""
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    kinds = {VietNamDivisionType.XA: "xa", VietNamDivisionType.PHUONG: "phuong",
             VietNamDivisionType.DAC_KHU: "dac-khu"}
    provinces = tuple(sorted(
        (OfficialProvince(f"{int(p.code):02d}", _clean(p.name),
                          p.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG)
         for p in Province.iter_all()), key=lambda p: p.code))
    communes = {}
    for ward in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        code = f"{int(ward.code):05d}"
        communes[code] = OfficialCommune(code, _clean(ward.name), kinds[ward.division_type],
                                         f"{int(ward.province_code):02d}")
    return provinces, communes


def data_version() -> str:
    """Which list this is: ``vietnam-provinces 2025.10.1, data of 2025-10-18``."""
    import vietnam_provinces

    return (f"vietnam-provinces {vietnam_provinces.__version__}, "
            f"data of {getattr(vietnam_provinces, '__data_version__', 'unknown date')}")


def provinces() -> tuple[OfficialProvince, ...]:
    """The 34 provinces and centrally-run cities, by code."""
    return _load()[0]


def province(code: str) -> OfficialProvince | None:
    """The province with this two-digit code (``"25"``), or None."""
    return _provinces_by_code().get(code)


@cache
def _provinces_by_code() -> dict[str, OfficialProvince]:
    return {p.code: p for p in provinces()}


def communes(province_code: str) -> tuple[OfficialCommune, ...]:
    """The current communes, wards and special zones of a province, by code
    (empty for a code that is not a province's)."""
    return _communes_by_province().get(province_code, ())


@cache
def _communes_by_province() -> dict[str, tuple[OfficialCommune, ...]]:
    grouped: dict[str, list[OfficialCommune]] = {}
    for commune_ in _load()[1].values():
        grouped.setdefault(commune_.province, []).append(commune_)
    return {code: tuple(items) for code, items in grouped.items()}


def commune(code: str) -> OfficialCommune | None:
    """The commune, ward or special zone with this five-digit code, or None (a code
    that never was one, or one abolished before the list was made)."""
    return _load()[1].get(code)


# --------------------------------------------------------------------------
# Looking up
# --------------------------------------------------------------------------


def fold(text: str) -> str:
    """``text`` for loose comparison: lower case, no diacritics (đ → d), one space
    between words. ``fold("Tỉnh  LÀO Cai") == "tinh lao cai"``."""
    return " ".join(_ascii(text).lower().split())


def _ascii(text: str) -> str:
    """Vietnamese letters without diacritics, case kept: ``Đạo Trù`` → ``Dao Tru``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def name_key(name: str) -> str:
    """What two names must share to be the same name: case, Unicode normalisation,
    spacing, the kind of apostrophe and the place of the tone mark in a syllable
    (``Hòa``/``Hoà``, ``Thủy``/``Thuỷ``) do not count; every letter and mark does."""
    words = []
    for word in unicodedata.normalize("NFD", name.translate(_APOSTROPHES)).lower().split():
        tones = "".join(c for c in word if c in _TONES)
        words.append("".join(c for c in word if c not in _TONES) + tones)
    return unicodedata.normalize("NFC", " ".join(words))


def same_name(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are the same name (see :func:`name_key`)."""
    return name_key(a) == name_key(b)


_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")
_UNIT_PREFIX = re.compile(r"^(xa|phuong|dac khu|thi tran)\s+")


def _without_prefix(name: str) -> str:
    """``Thành phố Hà Nội`` → ``Hà Nội``; ``Tỉnh Lào Cai`` → ``Lào Cai``."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _province_key(text: str) -> str:
    return _PROVINCE_PREFIX.sub("", fold(text))


def find_province(query: str) -> OfficialProvince | None:
    """The province ``query`` names: its code (``"15"``, ``"5"`` for ``"05"``), its name
    with or without ``Tỉnh``/``Thành phố`` (``"Lào Cai"``, ``"Tỉnh Lào Cai"``,
    ``"TP Hồ Chí Minh"``), in any case, with or without diacritics (``"lao cai"``,
    ``"LAO CAI"``); None when it names none (:func:`close_provinces` then helps)."""
    query = query.strip()
    if re.fullmatch(r"[0-9]{1,2}", query):
        return province(query.zfill(2))
    key = _province_key(query)
    for candidate in provinces():
        if _province_key(candidate.name) == key:
            return candidate
    return None


def close_provinces(query: str, n: int = 3) -> tuple[OfficialProvince, ...]:
    """Up to ``n`` provinces whose names are closest to ``query`` (compared without
    diacritics and prefixes), best first."""
    keys = {_province_key(p.name): p for p in provinces()}
    close = difflib.get_close_matches(_province_key(query), list(keys), n=n, cutoff=0.6)
    return tuple(keys[k] for k in close)


def close_communes(code: str, name: str | None = None, *, province_code: str | None = None,
                   n: int = 3) -> tuple[OfficialCommune, ...]:
    """Up to ``n`` official communes ``code`` (and ``name``) may have meant, best first:
    communes with the same name, then with a similar name, then those whose codes
    differ from ``code`` in one digit or are nearest to it; within ``province_code``
    when it is a province's code, else in the whole country (without similar names:
    too slow to compare a whole file's names with 3 000)."""
    scope = province_code if province(province_code or "") else ""
    pool, by_key = _pool(scope)
    found: list[OfficialCommune] = []

    def add(items: Iterable[OfficialCommune]) -> None:
        for item in items:
            if item not in found and item.code != code:
                found.append(item)

    if name:
        key = _UNIT_PREFIX.sub("", fold(name))
        add(by_key.get(key, ()))
        if scope and len(key) <= _LONGEST_NAME:  # a longer one is like none (and slow)
            for close in difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.75):
                add(by_key[close])
    if re.fullmatch(r"[0-9]{5}", code) and len(found) < n:
        in_scope = {c.code: c for c in pool} if scope else _load()[1]
        one_digit = [in_scope[other] for i in range(5) for digit in "0123456789"
                     if (other := code[:i] + digit + code[i + 1:]) != code
                     and other in in_scope]
        add(sorted(one_digit, key=lambda c: abs(int(c.code) - int(code))))
        at = bisect.bisect_left(_codes(scope), code)
        near = pool[max(0, at - n):at + n]
        add(sorted(near, key=lambda c: (abs(int(c.code) - int(code)), c.code)))
    return tuple(found[:n])


#: Longest name (folded, without prefix) compared for similarity; official names are
#: at most about 30 characters.
_LONGEST_NAME = 60


@cache
def _codes(province_code: str) -> list[str]:
    return [c.code for c in _pool(province_code)[0]]


@cache
def _pool(province_code: str) -> tuple[tuple[OfficialCommune, ...],
                                       dict[str, tuple[OfficialCommune, ...]]]:
    """The communes of a province (all of them for ``""``) by code, and by their folded
    names without the unit's prefix."""
    pool = communes(province_code) if province_code else tuple(_load()[1].values())
    by_key: dict[str, list[OfficialCommune]] = {}
    for item in pool:
        by_key.setdefault(_UNIT_PREFIX.sub("", fold(item.name)), []).append(item)
    return pool, {key: tuple(items) for key, items in by_key.items()}


def describe(items: Sequence[OfficialCommune | OfficialProvince]) -> str:
    """``08749 Phường Xuân Hòa, 08740 Phường Phúc Yên`` for a message."""
    return ", ".join(f"{item.code} {getattr(item, 'full_name', item.name)}" for item in items)


# --------------------------------------------------------------------------
# A new province's catalog/regions.yml
# --------------------------------------------------------------------------


def regions_yaml(province_: OfficialProvince | str, languages: Sequence[str] = ("vi", "en"),
                 *, legacy: bool = True) -> str:
    """The text of a ``catalog/regions.yml`` for ``province_`` (a province or anything
    :func:`find_province` reads) made from the official list: the schema modeline,
    the province's code and name, and every current commune, ward and special zone
    with its code, name (Vietnamese, and English where it follows mechanically from
    the Vietnamese, when ``"en"`` is in ``languages``) and kind.

    ``legacy_districts`` (the former districts, for addresses written before 1 July
    2025) are drafted from ``vietnamadminunits`` when ``legacy`` and that package is
    installed; otherwise they are left empty with a comment saying how the OCOP
    office fills them in. Raises ValueError for a province the list does not have.
    """
    found = province_ if isinstance(province_, OfficialProvince) else find_province(province_)
    if found is None:
        close = close_provinces(str(province_))
        hint = f" (did you mean {describe(close)}?)" if close else ""
        raise ValueError(f"{province_!r} is not one of the 34 provinces{hint}")
    english = "en" in languages
    units = communes(found.code)
    drafted = _legacy_districts(found.code) if legacy else None
    lines = [
        REGIONS_MODELINE,
        f"# Communes, wards and special zones of {found.full_name} since 1 July 2025: "
        f"{len(units)} units,",
        f"# generated from the official list ({data_version()}).",
        "# `ocop validate` checks every code, name and the province code against that list:",
        "# keep `code`, `name: vi` and `kind` as they are; add translations where wanted.",
        "# Danh sách xã, phường, đặc khu từ 01/7/2025, tạo từ danh mục chính thức; `ocop",
        "# validate` kiểm tra mã và tên theo danh mục đó.",
        "#",
        *_legacy_comment(drafted),
        "",
        "province:",
        f'  code: "{found.code}"',
        f"  name: {_text(found.full_name, found.english_name if english else None)}",
        "",
    ]
    districts: dict[str, FormerDistrict] = {}
    for items in (drafted or {}).values():
        districts.update((d.id, d) for d in items)
    if districts:
        lines.append("legacy_districts:")
        for district in sorted(districts.values(), key=lambda d: (d.province, d.id)):
            lines += [
                f"  - id: {district.id}",
                f"    name: {_text(district.name, district.english_name if english else None)}",
                "    province: "
                + _text(district.province, district.english_province if english else None),
            ]
    else:
        lines.append("legacy_districts: []  # to fill in: see the comment at the top")
    lines += ["", "communes:"]
    for unit in units:
        ids = [d.id for d in (drafted or {}).get(unit.code, ())]
        lines += [
            f'  - code: "{unit.code}"',
            f"    name: {_text(unit.name, unit.english_name if english else None)}",
            f"    kind: {unit.kind}",
            f"    legacy_districts: [{', '.join(ids)}]"
            + ("  # not in vietnamadminunits: fill in" if drafted is not None and not ids
               else ""),
        ]
    return "\n".join(lines) + "\n"


def _legacy_comment(drafted: dict | None) -> list[str]:
    if drafted is not None:
        return [
            "# legacy_districts: the former districts (before 1 July 2025) each commune was",
            "# formed from, DRAFTED from the PyPI package vietnamadminunits (community data, not",
            "# an official source). The OCOP office checks every commune against the resolution",
            "# of the Standing Committee of the National Assembly (Nghị quyết UBTVQH) on the",
            "# arrangement of the province's commune-level units, and completes the communes",
            "# marked 'fill in'. Huyện cũ của từng xã được lập tự động từ vietnamadminunits",
            "# (không chính thức): cần đối chiếu với Nghị quyết sắp xếp đơn vị hành chính cấp xã.",
        ]
    return [
        "# legacy_districts: TO BE FILLED IN BY THE OCOP OFFICE. Producers still write addresses",
        "# of before 1 July 2025 (huyện, xã cũ); to accept them, the office:",
        "#   1. lists under `legacy_districts:` each former district (huyện, quận, thị xã,",
        "#      thành phố thuộc tỉnh) of the former province(s) now in this province, with an",
        "#      id (lower-case a-z, digits, hyphens: bao-thang), its name and former province:",
        "#        - id: bao-thang",
        "#          name: {vi: Huyện Bảo Thắng, en: Bao Thang District}",
        "#          province: {vi: Tỉnh Lào Cai, en: Lao Cai Province}",
        "#   2. writes in each commune's `legacy_districts: [...]` the ids of the former",
        "#      districts its former communes belonged to (both, when it was formed across a",
        "#      district border), as the resolution of the Standing Committee of the National",
        "#      Assembly (Nghị quyết UBTVQH) on the arrangement of the province's commune-level",
        "#      units says: legacy_districts: [bao-thang, bao-yen]",
        "# Until then records give only the current commune code; a former district in a record",
        "# is refused (unknown_legacy_district). With the PyPI package vietnamadminunits",
        "# installed, the generator drafts both lists.",
        "# Cột legacy_districts (huyện cũ) do Văn phòng OCOP điền: liệt kê các huyện cũ ở",
        "# `legacy_districts:` và ghi id huyện cũ của từng xã theo Nghị quyết sắp xếp đơn vị",
        "# hành chính cấp xã của tỉnh.",
    ]


_PLAIN = re.compile(r"^[^\W\d_][\w .,'’()–-]*(?<! )$")
_YAML_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null"}


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar inside ``{…}``: plain when safe, else double-quoted."""
    if _PLAIN.match(text) and "," not in text and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _text(vi: str, en: str | None) -> str:
    parts = [f"vi: {_scalar(vi)}"] + ([f"en: {_scalar(en)}"] if en else [])
    return "{" + ", ".join(parts) + "}"


def _clean(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


# --------------------------------------------------------------------------
# Former districts from vietnamadminunits (optional, offline)
# --------------------------------------------------------------------------

_DISTRICT_TYPES = {"huyen": "District", "quan": "District", "thi xa": "Town",
                   "thanh pho": "City"}


def _legacy_districts(province_code: str) -> dict[str, tuple[FormerDistrict, ...]] | None:
    """Former districts of each commune of the province (by code), drafted from the data
    files of ``vietnamadminunits`` (its code needs geopy and shapely, and geocodes on
    line; its data files do not); None when it is not installed or its data cannot be
    read as expected."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("vietnamadminunits")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    try:
        return _read_vietnamadminunits(data, province_code)
    except Exception:  # noqa: BLE001 - another version's data: leave it to the office
        return None


def _read_vietnamadminunits(data: Path, province_code: str
                            ) -> dict[str, tuple[FormerDistrict, ...]] | None:
    import sqlite3

    mapping = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    connection = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    try:
        new_rows = connection.execute(
            "SELECT provinceKey, wardKey, wardCode, ward FROM admin_units WHERE provinceCode = ?",
            (province_code,)).fetchall()
        old_rows = connection.execute(
            "SELECT DISTINCT provinceKey, districtKey, province, provinceShort, district, "
            "districtShort, districtType FROM admin_units_legacy").fetchall()
    finally:
        connection.close()
    if not new_rows:
        return None
    province_key = new_rows[0][0]
    # the new ward keys of vietnamadminunits → official communes (its codes are those of
    # a draft for some units: matched by code and name, else by name alone)
    official = communes(province_code)
    by_code = {c.code: c for c in official}
    by_name: dict[str, list[OfficialCommune]] = {}
    for item in official:
        by_name.setdefault(name_key(item.name), []).append(item)
    ward_of: dict[str, OfficialCommune] = {}
    for _, ward_key, ward_code, ward_name in new_rows:
        match = by_code.get(ward_code)
        if match is None or not same_name(match.name, ward_name):
            named = by_name.get(name_key(ward_name), [])
            match = named[0] if len(named) == 1 else None
        if match is not None:
            ward_of[ward_key] = match
    # former communes "province_district_ward" → the new wards they went into
    olds: dict[str, set[str]] = {}
    for ward_key, old_keys in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"][province_key].items():
        for old in old_keys:
            olds.setdefault(ward_key, set()).add(old)
    for old, parts in mapping["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items():
        for part in parts:
            olds.setdefault(part["newWardKey"], set()).add(old)
    districts = {(row[0], row[1]): row for row in old_rows}
    used = sorted({tuple(old.split("_")[:2]) for keys in olds.values() for old in keys})
    made = _district_ids([districts[key] for key in used if key in districts])
    result: dict[str, tuple[FormerDistrict, ...]] = {}
    for ward_key, old_keys in olds.items():
        unit = ward_of.get(ward_key)
        if unit is None:
            continue
        found = {made[key].id: made[key] for old in old_keys
                 if (key := tuple(old.split("_")[:2])) in made}
        result[unit.code] = tuple(found[i] for i in sorted(found))
    return result


def _district_ids(rows: list[tuple]) -> dict[tuple[str, str], FormerDistrict]:
    """A unique id for each former district: ``song-lo``; when two former provinces had
    districts of the same name, ``chau-thanh-tien-giang``; a district and a town of the
    same name, ``huyen-cai-lay``, ``thi-xa-cai-lay``."""
    def short(row: tuple) -> str:  # "Huyện Cai Lậy" → "Cai Lậy"
        district, kind = _clean(row[4]), _clean(row[6] or "")
        return district[len(kind):].strip() if kind and district.startswith(kind + " ") else district

    def candidate(row: tuple, level: int) -> str:
        parts = [[short(row)], [short(row), row[3]], [row[6] or "", short(row)],
                 [row[6] or "", short(row), row[3]]][level]
        return _slug(" ".join(parts))[:64].strip("-")

    levels = {row[:2]: 0 for row in rows}
    for _ in range(3):
        count: dict[str, int] = {}
        for row in rows:
            key = candidate(row, levels[row[:2]])
            count[key] = count.get(key, 0) + 1
        for row in rows:
            if count[candidate(row, levels[row[:2]])] > 1:
                levels[row[:2]] += 1
    made = {}
    for row in rows:
        province_name, province_short, district, kind = row[2], row[3], row[4], row[6]
        suffix = _DISTRICT_TYPES.get(fold(kind or ""), "District")
        province_suffix = "City" if fold(province_name).startswith("thanh pho") else "Province"
        made[row[:2]] = FormerDistrict(
            candidate(row, levels[row[:2]]), _clean(district), f"{_ascii(short(row))} {suffix}",
            _clean(province_name), f"{_ascii(province_short)} {province_suffix}")
    return made
