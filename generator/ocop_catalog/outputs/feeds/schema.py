"""JSON Schemas of the JSON the feeds publish, written as Python data.

* :func:`catalog_schema` — ``feeds/catalog.json``, the complete catalog
  (ocop_catalog.outputs.feeds.opendata). ``CATALOG_VERSION`` is the format's version:
  the minor number grows when fields are added (old readers keep working), the
  major number when a field is removed, renamed or changes meaning. The schema
  is published beside the data at ``feeds/catalog.schema.json``.
* :func:`sales_point_feed_schema` — the JSON Feed 1.1 of each sales point
  (ocop_catalog.outputs.feeds.display), i.e. JSON Feed 1.1 (https://jsonfeed.org/version/1.1,
  written from the specification) with the ``_ocop`` extension objects.

Export profiles check their field paths against the product part of the
catalog schema (ocop_catalog.outputs.feeds.export), so a field is documented once.
"""

from __future__ import annotations

from typing import Any, get_args

from ...catalog.certificates import Status
from ...records.models import Availability, CriteriaVersion
from ...records.text import DEFAULT_LANGUAGE, LANG_PATTERN

CATALOG_VERSION = "2.0"  # 1.1: products gain lots; 2.0: photo and logo URLs are WebP
SALES_POINT_FEED_VERSION = "1.0"

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: $defs whose values are text per language ({"vi": …, "en": …}); export paths resolve
#: them to the export's language.
LOCALIZED_DEFS = ("text", "markdown", "urls", "path")

_STR = {"type": "string"}
_NULL = {"type": "null"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _NULL]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _obj(description: str, properties: dict[str, Any], *, optional: tuple[str, ...] = ()
         ) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": [k for k in properties if k not in optional],
        "properties": properties,
        "additionalProperties": False,
    }


def _d(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description}


def _per_language(description: str, value: dict[str, Any]) -> dict[str, Any]:
    """An object of ``value`` per language code; Vietnamese always."""
    return {"type": "object", "description": description, "required": [DEFAULT_LANGUAGE],
            "propertyNames": {"pattern": LANG_PATTERN}, "additionalProperties": value}


_DEFS: dict[str, Any] = {
    "text": _per_language("Text per language code (RFC 5646): only the languages the "
                          "record is written in; Vietnamese (vi) always",
                          {"type": "string", "minLength": 1}),
    "markdown": _per_language("Markdown per language, as the producer wrote it (no raw "
                              "HTML; links are http(s)); Vietnamese always",
                              {"type": "string", "minLength": 1}),
    "urls": _per_language("The page in each language of the site", _ref("url")),
    "path": _per_language("Category path (sector, group, criteria set) in each language",
                          {"type": "array", "items": _STR}),
    "url": {"type": "string", "format": "uri", "pattern": "^https?://",
            "description": "An absolute http(s) URL"},
    "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
             "description": "A day (YYYY-MM-DD) in Vietnam"},
    "commune_code": {"type": "string", "pattern": "^[0-9]{5}$",
                     "description": "Five-digit code of a current (2025) commune or ward"},
    "geo": _obj("A position in decimal degrees (WGS 84)", {
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
    }),
    "contact": _obj("Contact details; each may be null", {
        "phone": _nullable(_STR),
        "email": _nullable(_STR),
        "website": _nullable(_ref("url")),
    }),
    "address": _obj("An address: current commune, street, and the former (pre-2025) "
                    "address older certificates print", {
        "street": _nullable(_ref("text")),
        "commune": _ref("commune_code"),
        "legacy": _nullable(_obj("Address before 1 July 2025", {
            "district": _d(_STR, "Former district id (areas.legacy_districts)"),
            "commune": _d(_nullable(_STR), "Former commune as printed"),
        })),
    }),
}

_PHOTO = _obj("A photo (metadata stripped)", {
    "url": _d(_ref("url"), "The largest size published, a WebP"),
    "width": {"type": "integer", "minimum": 1},
    "height": {"type": "integer", "minimum": 1},
    "square": _d(_ref("url"), "The whole photo centred on a white square JPEG of at least "
                              "500 × 500 px, for marketplaces"),
    "alt": _d(_nullable(_ref("text")), "What the photo shows"),
})

_CERTIFICATION = _obj("The product's current OCOP certificate", {
    "stars": {"type": "integer", "minimum": 3, "maximum": 5},
    "score": _d(_nullable({"type": "number", "minimum": 0, "maximum": 100}),
                "Council score out of 100"),
    "decision_number": _d(_STR, "Number of the decision recognising the stars"),
    "decision_date": _ref("date"),
    "issuer": _ref("text"),
    "valid_from": _ref("date"),
    "valid_until": _d(_ref("date"), "Last day of validity (36 months unless the decision "
                                    "says otherwise)"),
    "evaluation": _nullable({"enum": ["first", "upgrade", "re_rating"]}),
    "product_code": _d(_nullable(_STR), "Official OCOP product code"),
    "source_url": _nullable(_ref("url")),
    "revoked": _nullable(_obj("Revocation of the certificate", {
        "date": _ref("date"),
        "reason": _ref("text"),
        "decision_number": _nullable(_STR),
    })),
    "status": _d({"enum": list(get_args(Status))},
                 "Status on the day in 'generated' (expiring: within the warning period); "
                 "recompute it from valid_until and revoked for another day"),
})

_CATEGORY = _obj("The criteria set the product was rated under", {
    "criteria_version": _d({"enum": list(get_args(CriteriaVersion))},
                           "Decision whose criteria rated the product"),
    "criteria_set": {"type": "integer", "minimum": 1, "maximum": 26},
    "code": _d(_nullable(_STR), "Stable code of the set (categories[].…sets[].code)"),
    "name": _nullable(_ref("text")),
    "goods": _d({"type": "boolean"}, "False for services (community tourism)"),
    "browse": _d(_nullable(_obj("The current (26/2026) category", {
        "sector": _STR, "group": _STR,
        "criteria_set": {"type": "integer", "minimum": 1, "maximum": 26},
    })), "Where the site lists the product under the current decision"),
    "path": _ref("path"),
    "google_product_category": _d(_nullable({"type": "integer"}),
                                  "Google product taxonomy id"),
})

PRODUCT_SCHEMA: dict[str, Any] = _obj("An OCOP product or service", {
    "id": _d(_STR, "Permanent id"),
    "former_ids": _d({"type": "array", "items": _STR}, "Ids it had before a rename"),
    "name": _ref("text"),
    "summary": _ref("text"),
    "description": _ref("markdown"),
    "url": _d(_ref("urls"), "The product page in each language"),
    "short_url": _d(_ref("url"), "Permanent short link (printed in QR codes)"),
    "gs1_digital_link": _d(_nullable(_ref("url")), "GS1 Digital Link URI, with a GTIN"),
    "qr_svg": _d(_ref("url"), "The QR code as SVG"),
    "producer": _d(_STR, "Producer id (producers[].id)"),
    "category": _CATEGORY,
    "certification": _CERTIFICATION,
    "origin": _ref("address"),
    "price": _d(_nullable(_obj("Price of goods", {
        "amount": {"type": "integer", "minimum": 1},
        "currency": {"const": "VND"},
        "unit": _d(_ref("text"), "What the price buys, e.g. 500 g jar"),
    })), "Null for services and goods sold on request"),
    "net_content": _nullable(_obj("Net weight, volume or count", {
        "value": {"type": "number", "exclusiveMinimum": 0},
        "unit": {"enum": ["g", "kg", "ml", "l", "pcs"]},
    })),
    "availability": {"enum": list(get_args(Availability))},
    "gtin": _d(_nullable({"type": "string", "pattern": "^[0-9]{8}([0-9]{4,6})?$"}),
               "GTIN (8, 12, 13 or 14 digits, check digit verified)"),
    "shelf_life": _nullable(_obj("Shelf life", {
        "value": {"type": "integer", "minimum": 1},
        "unit": {"enum": ["days", "months", "years"]},
    })),
    "ingredients": _nullable(_ref("text")),
    "storage": _nullable(_ref("text")),
    "season_months": _d({"type": "array", "items": {"type": "integer", "minimum": 1,
                                                    "maximum": 12}},
                        "Months when fresh produce is in season"),
    "photos": {"type": "array", "items": _PHOTO, "description": "Main photo first"},
    "sales_points": _d({"type": "array", "items": _STR}, "Sales point ids"),
    "marketplaces": {"type": "array", "items": _obj("A listing on a marketplace", {
        "platform": _STR, "url": _ref("url")})},
    "tags": {"type": "array", "items": _STR},
    "tourism": _d(_nullable(_obj("Details of a community-tourism service", {
        "location": _ref("geo"),
        "opening_hours": _ref("text"),
        "price_per_person": _nullable({"type": "integer", "minimum": 1}),
        "booking": _ref("contact"),
        "duration": _nullable(_ref("text")),
    })), "Only for services (criteria set 26)"),
    "listed": _d(_nullable(_ref("date")), "Day first listed in the catalog"),
    "updated": _d(_nullable(_ref("date")), "Day of the last real change"),
    "modified": _d(_ref("date"), "Latest of listed, updated, the decision, the start of "
                                 "validity and a revocation, up to 'generated'"),
    "lots": _d({"type": "array", "items": _obj("A production lot", {
        "code": _d(_STR, "Lot code (GS1 AI 10)"),
        "produced": _nullable(_ref("date")),
        "expires": _nullable(_ref("date")),
        "quantity": _nullable({"type": "integer", "minimum": 1}),
        "test_report": _nullable(_ref("url")),
        "recall": _nullable(_obj("The lot is recalled", {
            "date": _ref("date"), "reason": _ref("text")})),
        "state": _d({"enum": ["in_date", "expired", "recalled"]},
                    "State on the day in 'generated'; recompute it from expires and recall "
                    "for another day"),
        "url": _d(_nullable(_ref("url")), "The lot's page (GS1 Digital Link path); null "
                  "when its code cannot have one"),
        "qr_target": _d(_ref("url"), "What the lot's QR code holds"),
    })}, "Production lots, each with its own QR code and page"),
})

PRODUCER_SCHEMA: dict[str, Any] = _obj("A producer (chủ thể)", {
    "id": _STR,
    "name": _ref("text"),
    "type": _d({"enum": ["HTX", "DN", "THT", "HKD"]},
               "HTX cooperative, DN enterprise, THT cooperative group, HKD household business"),
    "representative": _STR,
    "address": _ref("address"),
    "contact": _ref("contact"),
    "location": _nullable(_ref("geo")),
    "description": _ref("markdown"),
    "logo": _nullable(_ref("url")),
    "url": _ref("urls"),
    "products": _d({"type": "array", "items": _STR}, "Product ids"),
})

COMMUNE_SCHEMA: dict[str, Any] = _obj("A current commune or ward", {
    "code": _ref("commune_code"),
    "name": _ref("text"),
    "kind": _d({"enum": ["xa", "phuong", "dac-khu"]},
               "xa: commune, phuong: ward, dac-khu: special zone"),
    "legacy_districts": _d({"type": "array", "items": _STR},
                           "Former districts it was formed from"),
}, optional=())

_SALES_POINT = _obj("A place where OCOP products are shown and sold", {
    "id": _STR,
    "name": _ref("text"),
    "kind": {"enum": ["mall", "supermarket", "ocop_store", "tourist_site", "admin_centre",
                      "airport", "market"]},
    "address": _ref("address"),
    "location": _nullable(_ref("geo")),
    "opening_hours": _nullable(_ref("text")),
    "contact": _nullable(_ref("contact")),
    "description": _nullable(_ref("text")),
    "url": _ref("urls"),
    "products": _d({"type": "array", "items": _STR}, "Ids of the products sold there"),
    "feeds": _d({"type": "object", "propertyNames": {"pattern": LANG_PATTERN},
                 "additionalProperties": _ref("url")},
                "Its JSON Feed (products for display screens) in each language"),
    "kiosk": _d(_nullable(_ref("url")), "Its full-screen display page"),
})

_SET = _obj("A criteria set (bộ sản phẩm)", {
    "number": {"type": "integer", "minimum": 1, "maximum": 26},
    "code": _STR,
    "position": _STR,
    "name": _ref("text"),
    "goods": {"type": "boolean"},
    "maps_to": _d(_nullable({"type": "integer"}), "The 26/2026 set it is browsed under"),
    "google_product_category": _nullable({"type": "integer"}),
})

_TAXONOMY = _obj("The categories of one decision", {
    "version": {"enum": list(get_args(CriteriaVersion))},
    "current": {"type": "boolean"},
    "decision": _ref("text"),
    "sectors": {"type": "array", "items": _obj("A sector", {
        "id": _STR, "number": _STR, "name": _ref("text"),
        "groups": {"type": "array", "items": _obj("A group", {
            "id": _STR, "number": _STR, "name": _ref("text"),
            "sets": {"type": "array", "items": _SET},
        })},
    })},
})

_AREAS = _obj("The province's communes and former districts", {
    "province": _obj("The province", {"code": _STR, "name": _ref("text")}),
    "legacy_districts": {"type": "array", "items": _obj("A former district", {
        "id": _STR, "name": _ref("text"), "province": _ref("text"), "url": _ref("urls"),
    })},
    "communes": {"type": "array", "items": _obj("A current commune or ward", {
        **COMMUNE_SCHEMA["properties"],
        "url": _d(_nullable(_ref("urls")), "Its product listing, when it has products"),
    })},
})


#: Where the schemas are published (site paths).
CATALOG_SCHEMA_PATH = "feeds/catalog.schema.json"
SALES_POINT_SCHEMA_PATH = "feeds/sales-points/schema.json"


def _documentation(docs_url: str | None) -> str:
    """Where a schema's reader finds the catalog's open data page (every feed, the licence,
    the contact); nothing without an address."""
    return f" Documentation, licence and every published feed: {docs_url}" if docs_url else ""


def catalog_schema(schema_id: str, docs_url: str | None = None) -> dict[str, Any]:
    """The JSON Schema of feeds/catalog.json, version CATALOG_VERSION; ``docs_url``: the
    site's open data page."""
    return {
        "$schema": DRAFT,
        "$id": schema_id,
        "title": f"OCOP catalog, format version {CATALOG_VERSION}",
        "description": (
            "The complete catalog of a provincial OCOP office: products, producers, sales "
            "points, categories and areas, with absolute URLs of pages, photos and QR codes. "
            "'version' is the format version: a higher minor number only adds fields; a new "
            "major number marks an incompatible change." + _documentation(docs_url)),
        "type": "object",
        "required": ["$schema", "version", "generated", "site", "products", "producers",
                     "sales_points", "categories", "areas"],
        "additionalProperties": False,
        "properties": {
            "$schema": _d(_ref("url"), "This schema"),
            "version": {"const": CATALOG_VERSION},
            "generated": _d(_ref("date"), "Build day: the day certificate statuses are "
                                          "computed for"),
            "site": _obj("The catalog site", {
                "name": _ref("text"),
                "url": _ref("url"),
                "languages": {"type": "array", "items": {"type": "string",
                                                         "pattern": LANG_PATTERN}},
            }),
            "products": {"type": "array", "items": _ref("product")},
            "producers": {"type": "array", "items": _ref("producer")},
            "sales_points": {"type": "array", "items": _SALES_POINT},
            "categories": {"type": "array", "items": _TAXONOMY,
                           "description": "The taxonomies of the three decisions"},
            "areas": _AREAS,
        },
        "$defs": {**_DEFS, "product": PRODUCT_SCHEMA, "producer": PRODUCER_SCHEMA},
    }


def export_schema() -> dict[str, Any]:
    """What an export profile's field paths walk: a product, with its producer and its
    commune as objects (ocop_catalog.outputs.feeds.export)."""
    properties = dict(PRODUCT_SCHEMA["properties"])
    properties["producer"] = _ref("producer")
    properties["commune"] = COMMUNE_SCHEMA
    return {**PRODUCT_SCHEMA, "properties": properties,
            "$defs": {**_DEFS, "producer": PRODUCER_SCHEMA}}


# --------------------------------------------------------------------------
# JSON Feed 1.1 with the _ocop extension (display points)
# --------------------------------------------------------------------------

_EXTENSION = {"type": "object", "description": "An extension (key starting with _)"}
_AUTHOR = {"type": "object", "properties": {"name": _STR, "url": _STR, "avatar": _STR},
           "minProperties": 1}

_OCOP_ITEM = _obj("OCOP fields of a product (the _ocop extension)", {
    "id": _d(_STR, "Product id"),
    "name": _d(_ref("text"), "Name in every language it is written in"),
    "stars": {"type": "integer", "minimum": 3, "maximum": 5},
    "status": {"enum": list(get_args(Status))},
    "valid_until": _ref("date"),
    "price": _nullable(_obj("Price (of goods, or per person for a service)", {
        "amount": {"type": "integer", "minimum": 1},
        "currency": {"const": "VND"},
        "unit": _nullable(_ref("text")),
    })),
    "producer": _obj("The producer", {"id": _STR, "name": _ref("text")}),
    "category": _d({"type": "array", "items": _STR},
                   "Category path (sector, group, criteria set) in the feed's language"),
    "qr_svg": _d(_ref("url"), "QR code (SVG) leading to the product page"),
    "short_url": _d(_ref("url"), "The address the QR code holds"),
    "photo": _nullable(_obj("Main photo for screens: a WebP about 1080 px wide (url) and the "
                            "square JPEG", {
        "url": _ref("url"), "width": {"type": "integer"}, "height": {"type": "integer"},
        "square": _ref("url")})),
})


def sales_point_feed_schema(schema_id: str, docs_url: str | None = None) -> dict[str, Any]:
    """JSON Feed 1.1 as the specification describes it, with our _ocop objects; ``docs_url``:
    the site's open data page."""
    extensions = {"^_[a-zA-Z][^.]*$": _EXTENSION}
    item = {
        "type": "object",
        "required": ["id", "_ocop"],
        "anyOf": [{"required": ["content_text"]}, {"required": ["content_html"]}],
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "url": _ref("url"),
            "external_url": _ref("url"),
            "title": _STR,
            "content_html": _STR,
            "content_text": _STR,
            "summary": _STR,
            "image": _ref("url"),
            "banner_image": _ref("url"),
            "date_published": {"type": "string", "format": "date-time"},
            "date_modified": {"type": "string", "format": "date-time"},
            "authors": {"type": "array", "items": _AUTHOR},
            "tags": {"type": "array", "items": _STR},
            "language": {"type": "string", "pattern": LANG_PATTERN},
            "attachments": {"type": "array", "items": {
                "type": "object", "required": ["url", "mime_type"]}},
            "_ocop": _OCOP_ITEM,
        },
        "patternProperties": extensions,
        "additionalProperties": False,
    }
    return {
        "$schema": DRAFT,
        "$id": schema_id,
        "title": f"JSON Feed 1.1 of an OCOP sales point, extension version "
                 f"{SALES_POINT_FEED_VERSION}",
        "description": (
            "JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the products sold at a sales "
            "point, for display screens. OCOP fields are in '_ocop' objects: on the feed the "
            "sales point, on each item the product." + _documentation(docs_url)),
        "type": "object",
        "required": ["version", "title", "items", "_ocop"],
        "properties": {
            "version": {"const": "https://jsonfeed.org/version/1.1"},
            "title": _STR,
            "home_page_url": _ref("url"),
            "feed_url": _ref("url"),
            "description": _STR,
            "user_comment": _STR,
            "next_url": _ref("url"),
            "icon": _ref("url"),
            "favicon": _ref("url"),
            "authors": {"type": "array", "items": _AUTHOR},
            "language": {"type": "string", "pattern": LANG_PATTERN},
            "expired": {"type": "boolean"},
            "hubs": {"type": "array"},
            "items": {"type": "array", "items": item},
            "_ocop": _obj("The sales point (the _ocop extension)", {
                "about": _d(_ref("url"), "This schema"),
                "version": {"const": SALES_POINT_FEED_VERSION},
                "sales_point": _STR,
                "name": _ref("text"),
                "kind": _STR,
                "page": _d({"type": "integer", "minimum": 1}, "Page number (see next_url)"),
                "pages": {"type": "integer", "minimum": 1},
                "total_items": {"type": "integer", "minimum": 0},
                "kiosk": _nullable(_ref("url")),
            }),
        },
        "patternProperties": extensions,
        "additionalProperties": False,
        "$defs": {k: _DEFS[k] for k in ("text", "url", "date")},
    }
