"""The record formats: what producers and the OCOP office write in YAML.

These models are the single source of truth for the record formats. The
validator checks records against them, the JSON Schemas under ``schema/`` are
generated from them (``ocop schema``), and the catalog is built from their
validated, frozen instances. Field descriptions here become the editor hints
in the JSON Schema, so they are written for producers.

Checks that need more than one record (does the commune exist, is an id used
twice) live in :mod:`ocop_catalog.records.checks`.

Records arrive by pull request from people we do not know, so every value is
bounded: texts by length (and by what characters they may hold, see
:mod:`.text`), lists by their number of items, numbers by a range that is finite
and that number formatting copes with, dates by :data:`FIRST_DAY` and
:data:`LAST_DAY`, and files by :data:`RECORD_MAX_BYTES`, checked before parsing.
Every limit is far above what a real record needs; docs/records.md lists them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from .text import Markdown, Text, check_plain_text, text_type

# --------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------

#: Largest record file, in bytes, by file name; checked before the file is parsed.
RECORD_MAX_BYTES = {
    "product.yml": 256 * 1024,
    "decision": 2 * 1024 * 1024,
    "producer.yml": 256 * 1024,
    "regions.yml": 2 * 1024 * 1024,
    "sales-points.yml": 2 * 1024 * 1024,
}
#: The dates a record may hold (certificates, listing dates).
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
#: The largest price, in đồng (a thousand billion): formats and fits every feed.
MAX_DONG = 10**12

#: Translatable texts, by the most characters each language may have.
Summary = text_type(500)
ShortText = text_type(100)  # units, durations
AltText = text_type(250)
Hours = text_type(300)
Note = text_type(1000)  # storage advice, a sales point's description, revocation reason
LongText = text_type(2000)  # ingredients

# --------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

#: Text that is neither translated nor a code: one line, no control characters.
PlainText = Annotated[str, AfterValidator(check_plain_text)]

Slug = Annotated[
    str,
    Field(
        pattern=SLUG_PATTERN,
        min_length=2,
        max_length=64,
        description="Lower-case letters a-z, digits and single hyphens, e.g. mat-ong-hoa-rung",
    ),
]

CommuneCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{5}$",
        description="Five-digit commune/ward code of the 2025 national list "
        "(see catalog/regions.yml), written in quotes: \"08911\"",
    ),
]


def _http_url(value: str) -> str:
    check_plain_text(value)
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError(
            "url_scheme", "links must be full http:// or https:// addresses"
        )
    if any(ch.isspace() for ch in value.strip()):
        raise PydanticCustomError("url_scheme", "links must not contain spaces")
    return value.strip()


HttpUrl = Annotated[
    str,
    Field(max_length=2000, description="A full http:// or https:// address"),
    AfterValidator(_http_url),
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    check_plain_text(value)
    if not _EMAIL.match(value):
        raise PydanticCustomError("email", "not an e-mail address")
    return value


Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Phone = Annotated[
    str,
    Field(
        pattern=r"^\+?[0-9][0-9 .()-]{5,19}$",
        description="Phone number, digits with optional +, spaces, dots or hyphens",
    ),
]


#: The digits of a Vietnamese phone number after the country code (+84 or the leading 0).
_VN_NUMBER = re.compile(r"^(?:\+?84|0)([0-9]{9})$")
#: A Zalo link: https://zalo.me/ (or http://) and the number or an official account's id.
_ZALO_LINK = re.compile(r"^https?://zalo\.me/([0-9]{9,20})/?$")


def zalo_digits(value: str) -> str:
    """What follows ``https://zalo.me/`` for a :data:`Zalo` value: the phone number in its
    national form (``0`` and nine digits), or a link's digits as written."""
    link = _ZALO_LINK.match(value)
    if link:
        return link.group(1)
    national = _VN_NUMBER.match(re.sub(r"[ .()-]", "", value))
    assert national is not None, value  # checked by _zalo
    return "0" + national.group(1)


def _zalo(value: str) -> str:
    check_plain_text(value)
    if _ZALO_LINK.match(value):
        return value
    if re.fullmatch(r"\+?[0-9][0-9 .()-]{5,19}", value) and _VN_NUMBER.match(
            re.sub(r"[ .()-]", "", value)):
        return value
    raise PydanticCustomError("zalo", "not a Zalo phone number or https://zalo.me/ link")


#: The phone number a producer uses on Zalo, or its ``https://zalo.me/<digits>`` link.
Zalo = Annotated[
    str,
    Field(max_length=40, description="Phone number registered on Zalo (a Vietnamese number: "
          "\"0912 345 678\" or \"+84 912 345 678\"), or its link https://zalo.me/0912345678",
          json_schema_extra={"pattern": r"^((\+?84|0)([ .()-]*[0-9]){9}[ .()-]*"
                             r"|https?://zalo\.me/[0-9]{9,20}/?)$"}),
    AfterValidator(_zalo),
]

#: Hosts a Facebook page may be on (and their subdomains: www., m., web.).
FACEBOOK_HOSTS = ("facebook.com", "fb.com")


def _facebook(value: str) -> str:
    check_plain_text(value)
    parts = urlsplit(value)
    host = (parts.hostname or "").lower() if "@" not in parts.netloc else ""
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (parts.scheme.lower() != "https" or port is not None or any(c.isspace() for c in value)
            or not any(host == h or host.endswith("." + h) for h in FACEBOOK_HOSTS)):
        raise PydanticCustomError("facebook_link", "not an https:// link on facebook.com")
    return value


#: A Facebook page: an https:// address on facebook.com or fb.com.
FacebookUrl = Annotated[
    str,
    Field(max_length=2000, description="Facebook page: an https:// address on facebook.com "
          "or fb.com, e.g. https://www.facebook.com/ten-trang",
          json_schema_extra={"pattern": r"^https://([A-Za-z0-9-]+\.)*(facebook|fb)\.com"
                             r"([/?#][^\s]*)?$"}),
    AfterValidator(_facebook),
]
GitHubHandle = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$", description="GitHub user name")
]
Gtin = Annotated[
    str,
    Field(
        pattern=r"^[0-9]+$",
        description="GTIN (EAN/UPC barcode number) of 8, 12, 13 or 14 digits, in quotes",
    ),
]
QrCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-hjkmnp-tv-z]{4,10}$",
        description="4 to 10 characters of 0-9 and a-z without i, l, o, u",
    ),
]
#: A Vietnamese tax code (mã số thuế; for an enterprise or cooperative also its registration
#: number, mã số doanh nghiệp/hợp tác xã): 10 digits, or 10 digits, a hyphen and the 3 digits
#: of a branch (Circular 105/2020/TT-BTC).
TaxCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{10}(-[0-9]{3})?$",
        description="Tax code (mã số thuế), which is also the registration number of an "
        "enterprise or cooperative: 10 digits, or 10-3 for a branch, in quotes: "
        "\"2500123456\" or \"2500123456-001\"",
    ),
]
#: A GS1 Global Location Number: 13 digits, the last a GS1 check digit (checks.py).
Gln = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{13}$",
        description="GS1 Global Location Number (GLN) from GS1 Vietnam, 13 digits in quotes",
    ),
]
#: Whole numbers written as such: YAML's ``yes`` or ``1:30`` are not 1 or 90.
StrictInt = Annotated[int, Strict()]
#: Numbers written as such (whole or decimal), never infinity or NaN.
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]

#: A whole number of đồng. Strict, so that ``250.000`` (read by YAML as 250.0) is an
#: error instead of silently becoming 250 đồng.
Dong = Annotated[int, Strict(), Field(gt=0, le=MAX_DONG)]


def _not_a_number(value):
    """Dates are written as dates: a number is not read as seconds since 1970."""
    if isinstance(value, (int, float)):
        raise PydanticCustomError("date_type", "expected a date")
    return value


def _plausible_day(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("date_range", "not a plausible date",
                                  {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()})
    return value


#: A calendar day from :data:`FIRST_DAY` to :data:`LAST_DAY`, written YYYY-MM-DD.
Day = Annotated[
    dt.date,
    BeforeValidator(_not_a_number),
    AfterValidator(_plausible_day),
    Field(description=f"A date YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}"),
]
CriteriaVersion = Literal["1048/2019", "148/2023", "26/2026"]
Availability = Literal["in_stock", "out_of_stock", "preorder", "backorder", "discontinued"]
ProducerType = Literal["HTX", "DN", "THT", "HKD"]
SalesPointKind = Literal[
    "mall", "supermarket", "ocop_store", "tourist_site", "admin_centre", "airport", "market"
]
Marketplace = Literal[
    "shopee", "lazada", "tiki", "postmart", "voso", "sendo", "tiktok", "website", "other"
]


class Record(BaseModel):
    """Base of every record model: unknown keys are errors; values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------
# Shared parts
# --------------------------------------------------------------------------


class GeoPoint(Record):
    """A position in decimal degrees (WGS 84)."""

    lat: Number = Field(ge=-90, le=90, description="Latitude, e.g. 21.4573")
    lon: Number = Field(ge=-180, le=180, description="Longitude, e.g. 105.6431")


class Contact(Record):
    phone: Phone | None = None
    email: Email | None = None
    website: HttpUrl | None = None
    zalo: Zalo | None = None
    facebook: FacebookUrl | None = None

    @property
    def zalo_url(self) -> str | None:
        """``https://zalo.me/<digits>``: a chat with the Zalo number, or None."""
        return f"https://zalo.me/{zalo_digits(self.zalo)}" if self.zalo else None


class LegacyAddress(Record):
    """The address as it was before 1 July 2025, as older certificates print it."""

    district: Slug = Field(
        description="Former district id from catalog/regions.yml, e.g. tam-dao"
    )
    commune: PlainText | None = Field(
        default=None,
        max_length=120,
        description="Former commune, ward or town as printed, e.g. Thị trấn Tam Đảo",
    )


class Address(Record):
    street: Text | None = Field(
        default=None, description="Village, hamlet, street and house number"
    )
    commune: CommuneCode
    legacy: LegacyAddress | None = None


# --------------------------------------------------------------------------
# Product
# --------------------------------------------------------------------------


class Category(Record):
    """The OCOP criteria set the product was rated under."""

    criteria_version: CriteriaVersion = Field(
        description="Decision whose criteria rated the product: 1048/2019, 148/2023 or 26/2026"
    )
    criteria_set: StrictInt = Field(
        ge=1, le=26, description="Number of the criteria set (bộ sản phẩm), 1 to 26"
    )


class Price(Record):
    amount: Dong = Field(
        description="Price in Vietnamese đồng (VND), digits only: 250000 (at most 10^12)"
    )
    unit: ShortText = Field(
        description="What the price buys, e.g. {vi: hũ 500 g, en: 500 g jar}"
    )


class NetContent(Record):
    value: Number = Field(ge=0.001, le=1_000_000, description="Amount, 0.001 to 1000000")
    unit: Literal["g", "kg", "ml", "l", "pcs"]


class ShelfLife(Record):
    value: StrictInt = Field(gt=0, le=3650, description="Whole number, 1 to 3650")
    unit: Literal["days", "months", "years"]


class Photo(Record):
    file: str = Field(  # its characters are checked with the path (photos.check_image)
        min_length=1, max_length=200, description="File name beside product.yml (JPEG, PNG or WebP)"
    )
    alt: AltText | None = Field(default=None, description="What the photo shows, per language")


class MarketplaceLink(Record):
    platform: Marketplace
    url: HttpUrl


class Tourism(Record):
    """Details of a community-tourism service (criteria set 26)."""

    location: GeoPoint
    opening_hours: Hours
    price_per_person: Dong | None = Field(default=None, description="VND per person, digits only")
    booking: Contact
    duration: ShortText | None = None


#: GS1 AI encodable character set 82 (GS1 General Specifications 7.11, figure 7.11-1): the
#: characters of a lot code (AI 10), written as one regular-expression class.
GS1_CSET82 = "!\"%-?A-Z_a-z"
LOT_CODE_MAX = 20


def _lot_code(value: str) -> str:
    if not re.fullmatch(f"[{GS1_CSET82}]+", value):
        bad = next((ch for ch in value if not re.fullmatch(f"[{GS1_CSET82}]", ch)), "")
        raise PydanticCustomError("lot_code_chars", "not a GS1 lot code", {"char": bad})
    return value


#: A lot (batch) code as GS1 AI 10 holds it: 1 to 20 characters of GS1's set 82.
LotCode = Annotated[
    str,
    Field(min_length=1, max_length=LOT_CODE_MAX,
          description="Lot (batch) code as printed, 1 to 20 characters: letters A-Z a-z, "
          "digits and ! \" % & ' ( ) * + , - . / : ; < = > ? _ (no spaces, no accents)",
          json_schema_extra={"pattern": f"^[{GS1_CSET82}]{{1,{LOT_CODE_MAX}}}$"}),
    AfterValidator(_lot_code),
]


def _https_type(code: str) -> Any:
    """A full https:// address; ``code``: the issue an http:// (or other) address gets."""

    def check(value: str) -> str:
        value = _http_url(value)
        if urlsplit(value).scheme.lower() != "https":
            raise PydanticCustomError(code, "links must be https:// addresses")
        return value

    return Annotated[
        str,
        Field(max_length=2000, description="A full https:// address",
              json_schema_extra={"pattern": "^[Hh][Tt][Tt][Pp][Ss]://[^\\s/]"}),
        AfterValidator(check),
    ]


HttpsUrl = _https_type("url_https")


class Recall(Record):
    """A lot called back from sale: when, and why."""

    date: Day = Field(description="Day the recall was announced")
    reason: Note = Field(description="Why the lot is recalled and what buyers should do")


class Lot(Record):
    """One production lot (batch) of the product: its own QR code and page."""

    code: LotCode
    produced: Day | None = Field(default=None, description="Production date")
    expires: Day | None = Field(default=None, description="Expiry (use-by) date")
    quantity: StrictInt | None = Field(default=None, ge=1, le=10**9,
                                       description="Number of units in the lot")
    test_report: HttpsUrl | None = Field(
        default=None, description="Link (https://) to the lot's test report (phiếu kiểm nghiệm)")
    recall: Recall | None = Field(default=None, description="Only when the lot is recalled")


#: The link to a product's record at a traceability provider: https:// only.
TraceabilityUrl = _https_type("traceability_https")

#: Certifications besides OCOP a product may list (``certifications[].type``).
CertificationType = Literal[
    "vietgap", "globalgap", "organic", "haccp", "iso22000", "food_safety", "self_declaration"
]


class ProcessingPlace(Record):
    """Where the last processing stage happens, when it is not the product's origin."""

    street: Text | None = Field(
        default=None, description="Workshop or plant, village, street and house number"
    )
    commune: CommuneCode = Field(
        description="Five-digit code of the commune or ward (2025 national list, any "
        "province), in quotes: \"08950\""
    )


class OtherCertification(Record):
    """A certification of the product besides OCOP, or its self-declaration."""

    type: CertificationType = Field(
        description="vietgap, globalgap, organic, haccp, iso22000, food_safety (food safety "
        "eligibility certificate), self_declaration (bản tự công bố sản phẩm)"
    )
    number: PlainText = Field(
        min_length=1, max_length=80, description="Number of the certificate or declaration"
    )
    issuer: Text | None = Field(
        default=None, description="Who issued it (certification body, authority)"
    )
    issued: Day | None = Field(default=None, description="Date issued (or declared)")
    valid_until: Day | None = Field(default=None, description="Last day it is valid, if any")
    url: HttpUrl | None = Field(default=None, description="Where it can be checked")


class Product(Record):
    """``products/<producer-id>/<product-id>/product.yml``"""

    id: Slug = Field(description="Permanent id; must equal the folder name")
    former_ids: tuple[Slug, ...] = Field(
        default=(), max_length=20,
        description="Ids this product had before a rename (old links redirect)",
    )
    name: Text
    summary: Summary = Field(description="One sentence shown in listings and feeds")
    description: Markdown
    category: Category
    origin: Address
    price: Price | None = Field(default=None, description="Required for goods")
    net_content: NetContent | None = None
    availability: Availability = "in_stock"
    gtin: Gtin | None = None
    qr_code: QrCode | None = Field(
        default=None,
        description="Permanent short code of the product's QR link <site>/q/<code>/. Leave it "
        "out: it is derived from the product's first id. Set it only to keep a code already "
        "printed",
    )
    shelf_life: ShelfLife | None = None
    ingredients: LongText | None = None
    storage: Note | None = None
    season_months: tuple[Annotated[StrictInt, Field(ge=1, le=12)], ...] = Field(
        default=(), max_length=12, description="Months (1-12) when fresh produce is in season"
    )
    photos: tuple[Photo, ...] = Field(
        min_length=1, max_length=20, description="The first photo is the main one"
    )
    sales_points: tuple[Slug, ...] = Field(
        default=(), max_length=100, description="Ids of sales points in catalog/sales-points.yml"
    )
    marketplaces: tuple[MarketplaceLink, ...] = Field(default=(), max_length=20)
    tags: tuple[Annotated[PlainText, Field(min_length=1, max_length=40)], ...] = Field(
        default=(), max_length=30
    )
    tourism: Tourism | None = Field(default=None, description="Only for criteria set 26")
    listed: Day | None = Field(default=None, description="Date first listed in the catalog")
    updated: Day | None = Field(default=None, description="Date of the last real change")
    last_processing: ProcessingPlace | None = Field(
        default=None,
        description="Place of the last processing stage (packing, bottling…) when it is "
        "not the origin",
    )
    certifications: tuple[OtherCertification, ...] = Field(
        default=(), max_length=20,
        description="Certifications besides OCOP: VietGAP, organic, HACCP, ISO 22000, "
        "self-declaration…",
    )
    safety_warning: Note | None = Field(
        default=None,
        description="Safety warnings as on the label, per language (required by law for "
        "alcoholic drinks and health supplements)",
    )
    traceability_url: TraceabilityUrl | None = Field(
        default=None,
        description="The product's record (https://) at a traceability provider or the "
        "national portal truyxuatnguongoc.gov.vn",
    )
    lots: tuple[Lot, ...] = Field(
        default=(), max_length=500,
        description="Production lots, each with its own QR code and page (goods only)")

    @property
    def offer_price(self) -> int | None:
        """What a buyer pays, in đồng: the goods' price, else a tourism service's price per
        person; None when the record gives neither."""
        if self.price is not None:
            return self.price.amount
        return (self.tourism.price_per_person or None) if self.tourism else None


# --------------------------------------------------------------------------
# Producer
# --------------------------------------------------------------------------


class Producer(Record):
    """``products/<producer-id>/producer.yml``"""

    id: Slug = Field(description="Permanent id; must equal the folder name")
    name: Text
    type: ProducerType = Field(
        description="HTX: cooperative, DN: enterprise, THT: cooperative group, "
        "HKD: household business"
    )
    representative: PlainText = Field(min_length=2, max_length=120)
    address: Address
    contact: Contact
    location: GeoPoint | None = None
    description: Markdown
    logo: str | None = Field(  # checked as a photo's file name
        default=None, max_length=200, description="Logo file in this folder"
    )
    maintainers: tuple[GitHubHandle, ...] = Field(
        default=(), max_length=20, description="GitHub handles allowed to edit this folder"
    )
    tax_code: TaxCode | None = None
    gln: Gln | None = None


# --------------------------------------------------------------------------
# Catalog-wide data (catalog/)
# --------------------------------------------------------------------------


class Province(Record):
    code: str = Field(pattern=r"^[0-9]{2}$")
    name: Text


class LegacyDistrict(Record):
    id: Slug
    name: Text
    province: Text = Field(description="Former province, e.g. Vĩnh Phúc")


class Commune(Record):
    code: CommuneCode
    name: Text
    kind: Literal["xa", "phuong", "dac-khu"]
    legacy_districts: tuple[Slug, ...] = Field(
        max_length=20, description="Former districts the commune was formed from "
        "(empty until the OCOP office fills them in)"
    )


class Regions(Record):
    """``catalog/regions.yml``: the province's communes and the former districts."""

    province: Province
    legacy_districts: tuple[LegacyDistrict, ...] = Field(max_length=500)
    communes: tuple[Commune, ...] = Field(min_length=1, max_length=2000)


class SalesPoint(Record):
    id: Slug
    name: Text
    kind: SalesPointKind
    address: Address
    location: GeoPoint | None = None
    opening_hours: Hours | None = None
    contact: Contact | None = None
    description: Note | None = None


class SalesPoints(Record):
    """``catalog/sales-points.yml``: sales and display points."""

    sales_points: tuple[SalesPoint, ...] = Field(max_length=1000)


# --------------------------------------------------------------------------
# The OCOP office's register of decisions (catalog/decisions/)
# --------------------------------------------------------------------------

DecisionLevel = Literal["district", "province", "ministry"]
Evaluation = Literal["first", "upgrade", "re_rating"]
DecisionNumber = Annotated[
    PlainText, Field(min_length=3, max_length=80, description="Decision number, e.g. 385/QĐ-UBND")
]


class Recognition(Record):
    """One product a decision recognises, with its stars."""

    product: Slug = Field(description="The product's id (its folder name under products/)")
    stars: StrictInt = Field(ge=3, le=5, description="OCOP stars: 3, 4 or 5")
    score: Number | None = Field(
        default=None, ge=0, le=100, description="Council score out of 100, if known"
    )
    evaluation: Evaluation | None = Field(
        default=None, description="first: first rating; upgrade: more stars; re_rating: renewal"
    )
    product_code: PlainText | None = Field(
        default=None, max_length=40, description="Official OCOP product code, if any"
    )
    valid_from: Day | None = Field(
        default=None, description="Start of validity, if not the decision's"
    )
    valid_until: Day | None = Field(
        default=None, description="End of validity, if not the decision's"
    )


class Withdrawal(Record):
    """One product whose certificate a decision revokes."""

    product: Slug = Field(description="The product's id (its folder name under products/)")
    reason: Note = Field(description="Why the certificate is revoked, per language")
    date: Day | None = Field(
        default=None, description="Day the revocation takes effect; default: the decision date"
    )


class Decision(Record):
    """``catalog/decisions/<name>.yml``: one decision of the People's Committee (or of the
    Ministry, for 5 stars) recognising OCOP products, revoking certificates, or both.
    Only the OCOP office edits these files."""

    number: DecisionNumber
    date: Day = Field(description="Date the decision was signed")
    issuer: Text = Field(description="Issuing authority, e.g. UBND tỉnh Phú Thọ")
    level: DecisionLevel = Field(
        description="district: UBND huyện/thành phố (3 stars, 148/2023 only, until 30 June "
        "2025); province: UBND tỉnh (3 and 4 stars); ministry: the ministry (5 stars)"
    )
    criteria_version: CriteriaVersion | None = Field(
        default=None,
        description="Criteria the products were rated under: 1048/2019, 148/2023 or 26/2026 "
        "(required when the decision recognises products)",
    )
    valid_from: Day | None = Field(
        default=None, description="Start of validity of its certificates; default: the date"
    )
    valid_until: Day | None = Field(
        default=None, description="End of validity; default: 36 months after valid_from"
    )
    source_url: HttpUrl | None = Field(default=None, description="Where the decision is published")
    recognises: tuple[Recognition, ...] = Field(
        default=(), max_length=2000, description="Products recognised, with their stars"
    )
    revokes: tuple[Withdrawal, ...] = Field(
        default=(), max_length=2000, description="Products whose certificates are revoked"
    )


#: The file each record model is read from, for messages and the JSON Schemas.
RECORD_FILES = {
    Product: "product.yml",
    Producer: "producer.yml",
    Regions: "regions.yml",
    SalesPoints: "sales-points.yml",
    Decision: "decision",
}
