"""The digital product passport: the eight items of Decree 37/2026/NĐ-CP, Art. 32.

Since 1 January 2026 a product reached from its barcode or QR code may carry a
"hộ chiếu số sản phẩm" whose minimum content the decree lists (Art. 32):

1. the product's name and GTIN;
2. the name, address and identifier (tax code, GLN) of its producer;
3. its origin, or the place of its last processing stage;
4. traceability information;
5. its conformity and quality certifications;
6. production date and expiry;
7. safety warnings (where there are any);
8. other information the authorities require (here: net content, ingredients, storage).

:func:`passport_items` says which of them a product's records give (the product page
shows them, ``ocop passport`` lists them, the report workbook can count them);
:func:`portal_readiness` whether the product can be pushed to the national
traceability portal (truyxuatnguongoc.gov.vn), which refuses a product without a valid
GTIN, a public JPEG/PNG image and a net content with its unit, and an organisation
without a tax code or GLN. :func:`safety_rule` names the criteria sets whose products
the law requires to carry a safety warning (the validator warns when one has none).

Pure functions over the catalog: no page, no translation, no I/O.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from ..records.models import OtherCertification
from ..records.text import Localized
from . import certificates as certs
from . import geography
from .model import Catalog, ProductEntry
from .taxonomy import CriteriaSet

ItemState = Literal["present", "missing", "not_applicable"]

#: The eight items in the decree's order: (key, the record fields that give it).
ITEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("product", ("name", "gtin")),
    ("producer", ("producer.name", "producer.address", "producer.tax_code", "producer.gln")),
    ("origin", ("origin", "last_processing")),
    ("traceability", ("traceability_url", "lots")),
    ("certifications", ("catalog/decisions/", "certifications")),
    ("dates", ("shelf_life", "lots")),
    ("safety", ("safety_warning",)),
    ("other", ("net_content", "ingredients", "storage")),
)
ITEM_KEYS = tuple(key for key, _ in ITEMS)
#: Sectors (taxonomy ``sectors[].id``) whose goods have a production date and an expiry
#: (food, drinks, herbal products); for handicrafts and plants the item does not apply.
DATED_SECTORS = frozenset({"food", "beverage", "herbal"})
#: What each item is called in reports (English, Vietnamese).
ITEM_NAMES: dict[str, tuple[str, str]] = {
    "product": ("product name and GTIN", "tên sản phẩm và mã GTIN"),
    "producer": ("producer's tax code or GLN", "mã số thuế hoặc mã GLN của chủ thể"),
    "origin": ("origin, last processing stage", "xuất xứ, nơi chế biến cuối cùng"),
    "traceability": ("traceability information", "thông tin truy xuất nguồn gốc"),
    "certifications": ("certifications", "chứng nhận"),
    "dates": ("production date and expiry", "ngày sản xuất, hạn sử dụng"),
    "safety": ("safety warnings", "cảnh báo an toàn"),
    "other": ("net content and other information", "khối lượng tịnh và thông tin khác"),
}
#: The field to write for a missing item (producer.yml's, for the producer).
ITEM_FIX: dict[str, str] = {
    "product": "gtin", "producer": "tax_code / gln (producer.yml)",
    "origin": "origin", "traceability": "traceability_url", "certifications": "certifications",
    "dates": "shelf_life", "safety": "safety_warning", "other": "net_content",
}


@dataclass(frozen=True)
class PassportItem:
    """One item of the passport and whether the records give it."""

    number: int  #: 1 to 8, as the decree numbers them
    key: str  #: product, producer, origin, traceability, certifications, dates, safety, other
    state: ItemState  #: present; missing (not declared); not_applicable (not required)
    fields: tuple[str, ...]  #: the record fields that give it

    @property
    def present(self) -> bool:
        return self.state == "present"


@dataclass(frozen=True)
class SafetyRule:
    """Why products of some criteria sets must carry a safety warning."""

    key: str  #: alcohol, supplement
    what: tuple[str, str]  #: the products (English, Vietnamese)
    law: tuple[str, str]  #: what requires it (English, Vietnamese)
    example: str  #: a warning as a label prints it (Vietnamese)


#: Criteria-set groups (taxonomy ``groups[].id``, the same in every decision) whose
#: products must carry a safety warning on their label.
SAFETY_RULES: dict[str, SafetyRule] = {
    "beverage-alcohol": SafetyRule(
        key="alcohol",
        what=("alcoholic drinks", "đồ uống có cồn"),
        law=(("Law 44/2019/QH14 on preventing the harmful effects of alcohol and its "
              "decrees: the label warns of the harm of alcohol"),
             ("Luật Phòng, chống tác hại của rượu, bia 44/2019/QH14 và các nghị định hướng "
              "dẫn: nhãn phải có cảnh báo tác hại của rượu")),
        example=("Không sử dụng cho người dưới 18 tuổi và phụ nữ đang mang thai. Đã uống "
                 "rượu, bia thì không lái xe.")),
    "herbal-supplement-medicine": SafetyRule(
        key="supplement",
        what=("health supplements and herbal medicines",
              "thực phẩm chức năng và thuốc dược liệu"),
        law=("Decree 15/2018/NĐ-CP: a health supplement's label says it is not a medicine",
             ("Nghị định 15/2018/NĐ-CP: nhãn thực phẩm bảo vệ sức khỏe phải ghi rõ không "
              "phải là thuốc")),
        example="Thực phẩm này không phải là thuốc, không có tác dụng thay thế thuốc chữa bệnh."),
}


def safety_rule(criteria_set: CriteriaSet | None) -> SafetyRule | None:
    """The rule requiring a safety warning of products of ``criteria_set``, or None."""
    return SAFETY_RULES.get(criteria_set.group.id) if criteria_set is not None else None


def passport_items(entry: ProductEntry, catalog: Catalog) -> tuple[PassportItem, ...]:
    """The eight passport items of ``entry`` (a product of ``catalog``), in order."""
    record = entry.record
    producer = catalog.producers[entry.producer_id].record
    criteria = entry.criteria_set
    goods = criteria.goods if criteria is not None else True
    dated = criteria is None or criteria.sector.id in DATED_SECTORS
    lots = record.lots
    dated_lots = any(lot.produced or lot.expires for lot in lots)
    rule = safety_rule(entry.criteria_set)
    given: dict[str, ItemState] = {
        "product": _state(record.gtin is not None, goods),
        "producer": _state(bool(producer.tax_code or producer.gln)),
        "origin": "present",  # the origin commune is required
        "traceability": _state(bool(record.traceability_url or lots)),
        "certifications": "present",  # a published product has its OCOP certificate
        "dates": _state(bool(record.shelf_life or dated_lots), goods and dated),
        "safety": _state(record.safety_warning is not None, rule is not None),
        "other": _state(record.net_content is not None, goods),
    }
    return tuple(PassportItem(n, key, given[key], fields)
                 for n, (key, fields) in enumerate(ITEMS, start=1))


@dataclass(frozen=True)
class PassportRow:
    """One product's passport items and its readiness for the national portal."""

    entry: ProductEntry
    items: tuple[PassportItem, ...]
    portal: PortalReadiness

    @property
    def missing(self) -> tuple[PassportItem, ...]:
        return tuple(item for item in self.items if item.state == "missing")


def passport_report(catalog: Catalog, site_url: str) -> tuple[PassportRow, ...]:
    """Every product's :class:`PassportRow`, in the catalog's order (``ocop passport``)."""
    return tuple(PassportRow(entry, passport_items(entry, catalog),
                             portal_readiness(entry, catalog, site_url))
                 for entry in catalog.products.values())


def _state(present: bool, required: bool = True) -> ItemState:
    if present:
        return "present"
    return "missing" if required else "not_applicable"


# --------------------------------------------------------------------------
# The national traceability portal
# --------------------------------------------------------------------------

#: What the portal needs of a product, in the order ``ocop passport`` lists them.
PORTAL_NEEDS = ("gtin", "image", "net_content", "producer_id")


@dataclass(frozen=True)
class PortalReadiness:
    """Whether the portal would take the product: each need, met or not."""

    gtin: bool  #: a GTIN with a right GS1 check digit
    image: bool  #: a photo the site publishes as JPEG at a public https:// address
    net_content: bool  #: net content > 0 with its unit
    producer_id: bool  #: the producer's tax code or GLN (the portal activates by it)

    @property
    def ready(self) -> bool:
        return all(getattr(self, need) for need in PORTAL_NEEDS)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(need for need in PORTAL_NEEDS if not getattr(self, need))


def portal_readiness(entry: ProductEntry, catalog: Catalog, site_url: str) -> PortalReadiness:
    """What the portal needs of ``entry``; ``site_url`` is where the site is published (its
    photos are at ``<site_url>media/…``, re-encoded as JPEG by every build)."""
    record = entry.record
    producer = catalog.producers[entry.producer_id].record
    gtin = record.gtin
    return PortalReadiness(
        gtin=bool(gtin and len(gtin) in (8, 12, 13, 14)
                  and int(gtin[-1]) == certs.gs1_check_digit(gtin[:-1])),
        image=bool(entry.photos) and is_public_url(site_url),
        net_content=record.net_content is not None and record.net_content.value > 0,
        producer_id=bool(producer.tax_code or producer.gln),
    )


def is_public_url(url: str) -> bool:
    """Whether ``url`` is an https:// address others can reach (not this computer, a
    private network or a name reserved for tests)."""
    try:
        parts = urlsplit(url or "")
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    if parts.scheme != "https" or not host or host == "localhost":
        return False
    if host.rsplit(".", 1)[-1] in ("localhost", "local", "test", "invalid", "example",
                                    "internal", "lan", "home"):
        return False
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True
    return address.is_global


# --------------------------------------------------------------------------
# What the page shows
# --------------------------------------------------------------------------


def certification_expired(cert: OtherCertification, today: dt.date) -> bool:
    """Whether ``cert``'s validity ended before ``today`` (never, without an end)."""
    return cert.valid_until is not None and cert.valid_until < today


@dataclass(frozen=True)
class Place:
    """A commune named in every language the catalog can give, with its province."""

    code: str
    name: Localized
    province: Localized
    in_catalog: bool  #: one of the catalog's own communes (it has a page)


def place(catalog: Catalog, code: str) -> Place | None:
    """The commune ``code``: from the catalog's regions.yml, else from the official list of
    2025 (Vietnamese and English names); None if neither has it."""
    commune = catalog.communes.get(code)
    if commune is not None:
        return Place(code, commune.name, catalog.regions.province.name, True)
    official = geography.commune(code)
    if official is None:
        return None
    province = geography.province(official.province)
    province_name = (Localized({"vi": province.full_name, "en": province.english_name})
                     if province else Localized({"vi": official.province}))
    return Place(code, Localized({"vi": official.name, "en": official.english_name}),
                 province_name, False)
