"""The record formats: what producers and the OCOP office write in YAML.

These models are the single source of truth for the record formats. The
validator checks records against them, the JSON Schemas under ``schema/`` are
generated from them (``ocop schema``), and the catalog is built from their
validated, frozen instances. Field descriptions here become the editor hints
in the JSON Schema, so they are written for producers.

Checks that need more than one record (does the commune exist, is an id used
twice) live in :mod:`ocop_catalog.records.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from .text import Markdown, Text

# --------------------------------------------------------------------------
# Small value types
# --------------------------------------------------------------------------

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

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
#: Whole numbers written as such: YAML's ``yes`` or ``1:30`` are not 1 or 90.
StrictInt = Annotated[int, Strict()]

#: A whole number of đồng. Strict, so that ``250.000`` (read by YAML as 250.0) is an
#: error instead of silently becoming 250 đồng.
Dong = Annotated[int, Strict(), Field(gt=0)]
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

    lat: float = Field(ge=-90, le=90, description="Latitude, e.g. 21.4573")
    lon: float = Field(ge=-180, le=180, description="Longitude, e.g. 105.6431")


class Contact(Record):
    phone: Phone | None = None
    email: Email | None = None
    website: HttpUrl | None = None


class LegacyAddress(Record):
    """The address as it was before 1 July 2025, as older certificates print it."""

    district: Slug = Field(
        description="Former district id from catalog/regions.yml, e.g. tam-dao"
    )
    commune: str | None = Field(
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


class Revocation(Record):
    date: dt.date
    reason: Text
    decision_number: str | None = Field(default=None, max_length=80)


class Certification(Record):
    """The product's current OCOP certificate (decision recognising its stars)."""

    stars: StrictInt = Field(ge=3, le=5, description="OCOP stars: 3, 4 or 5")
    score: float | None = Field(
        default=None, ge=0, le=100, description="Council score out of 100, if known"
    )
    decision_number: str = Field(
        min_length=3, max_length=80, description="Decision number, e.g. 385/QĐ-UBND"
    )
    decision_date: dt.date
    issuer: Text = Field(description="Issuing authority, e.g. UBND tỉnh Vĩnh Phúc")
    valid_from: dt.date | None = Field(
        default=None, description="Start of validity; default: the decision date"
    )
    valid_until: dt.date | None = Field(
        default=None, description="End of validity; default: 36 months after valid_from"
    )
    evaluation: Literal["first", "upgrade", "re_rating"] | None = None
    product_code: str | None = Field(
        default=None, max_length=40, description="Official OCOP product code, if any"
    )
    source_url: HttpUrl | None = None
    revoked: Revocation | None = None


class Price(Record):
    amount: Dong = Field(description="Price in Vietnamese đồng (VND), digits only: 250000")
    unit: Text = Field(description="What the price buys, e.g. {vi: hũ 500 g, en: 500 g jar}")


class NetContent(Record):
    value: float = Field(gt=0)
    unit: Literal["g", "kg", "ml", "l", "pcs"]


class ShelfLife(Record):
    value: int = Field(gt=0)
    unit: Literal["days", "months", "years"]


class Photo(Record):
    file: str = Field(
        min_length=1, max_length=200, description="File name beside product.yml (JPEG, PNG or WebP)"
    )
    alt: Text | None = Field(default=None, description="What the photo shows, per language")


class MarketplaceLink(Record):
    platform: Marketplace
    url: HttpUrl


class Tourism(Record):
    """Details of a community-tourism service (criteria set 26)."""

    location: GeoPoint
    opening_hours: Text
    price_per_person: Dong | None = Field(default=None, description="VND per person, digits only")
    booking: Contact
    duration: Text | None = None


class Product(Record):
    """``products/<producer-id>/<product-id>/product.yml``"""

    id: Slug = Field(description="Permanent id; must equal the folder name")
    former_ids: tuple[Slug, ...] = Field(
        default=(), description="Ids this product had before a rename (old links redirect)"
    )
    name: Text
    summary: Text = Field(description="One sentence shown in listings and feeds")
    description: Markdown
    category: Category
    certification: Certification
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
    ingredients: Text | None = None
    storage: Text | None = None
    season_months: tuple[Annotated[StrictInt, Field(ge=1, le=12)], ...] = Field(
        default=(), description="Months (1-12) when fresh produce is in season"
    )
    photos: tuple[Photo, ...] = Field(min_length=1, description="The first photo is the main one")
    sales_points: tuple[Slug, ...] = Field(
        default=(), description="Ids of sales points in catalog/sales-points.yml"
    )
    marketplaces: tuple[MarketplaceLink, ...] = ()
    tags: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = ()
    tourism: Tourism | None = Field(default=None, description="Only for criteria set 26")
    listed: dt.date | None = Field(default=None, description="Date first listed in the catalog")
    updated: dt.date | None = Field(default=None, description="Date of the last real change")

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
    representative: str = Field(min_length=2, max_length=120)
    address: Address
    contact: Contact
    location: GeoPoint | None = None
    description: Markdown
    logo: str | None = Field(default=None, max_length=200, description="Logo file in this folder")
    maintainers: tuple[GitHubHandle, ...] = Field(
        default=(), description="GitHub handles allowed to edit this folder"
    )


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
    kind: Literal["xa", "phuong"]
    legacy_districts: tuple[Slug, ...] = Field(
        min_length=1, description="Former districts the commune was formed from"
    )


class Regions(Record):
    """``catalog/regions.yml``: the province's communes and the former districts."""

    province: Province
    legacy_districts: tuple[LegacyDistrict, ...] = Field(min_length=1)
    communes: tuple[Commune, ...] = Field(min_length=1)


class SalesPoint(Record):
    id: Slug
    name: Text
    kind: SalesPointKind
    address: Address
    location: GeoPoint | None = None
    opening_hours: Text | None = None
    contact: Contact | None = None
    description: Text | None = None


class SalesPoints(Record):
    """``catalog/sales-points.yml``: sales and display points."""

    sales_points: tuple[SalesPoint, ...]


#: The file each record model is read from, for messages and the JSON Schemas.
RECORD_FILES = {
    Product: "product.yml",
    Producer: "producer.yml",
    Regions: "regions.yml",
    SalesPoints: "sales-points.yml",
}
