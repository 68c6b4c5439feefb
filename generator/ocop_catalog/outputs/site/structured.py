"""schema.org JSON-LD and Open Graph tags for product pages.

Search engines and marketplaces read these, so the values follow their
rules (feeds-and-standards.md §3): price as bare digits with ``priceCurrency``
VND, availability as a full schema.org URL, the producer as ``brand`` and
``manufacturer``, and the OCOP certificate as ``hasCertification`` with its
star rating, issuer and validity.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from markupsafe import Markup

from ...catalog import certificates as certs
from ...catalog.model import Catalog, ProductEntry
from ...edition.i18n import Translator

SCHEMA_AVAILABILITY = {
    "in_stock": "https://schema.org/InStock",
    "out_of_stock": "https://schema.org/OutOfStock",
    "preorder": "https://schema.org/PreOrder",
    "backorder": "https://schema.org/BackOrder",
    "discontinued": "https://schema.org/Discontinued",
}
OG_AVAILABILITY = {
    "in_stock": "in stock",
    "out_of_stock": "out of stock",
    "preorder": "preorder",
    "backorder": "backorder",
    "discontinued": "discontinued",
}


def product_jsonld(
    catalog: Catalog,
    product: ProductEntry,
    t: Translator,
    *,
    page_url: str,
    image_urls: list[str],
    producer_url: str,
) -> dict[str, Any]:
    """The JSON-LD ``Product`` of a product page (absolute URLs given)."""
    record = product.record
    producer = catalog.producers[product.producer_id].record
    cert = product.certification
    organization = {"@type": "Organization", "name": t.plain(producer.name), "url": producer_url}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": page_url + "#product",
        "name": t.plain(record.name),
        "description": t.plain(record.summary),
        "url": page_url,
        "sku": record.id,
        "image": image_urls,
        "brand": {"@type": "Brand", "name": t.plain(producer.name)},
        "manufacturer": organization,
        "category": " > ".join(product.criteria_set.path(t.lang)) if product.criteria_set else None,
        "hasCertification": _certification(cert, t, catalog.today),
    }
    if record.gtin:
        data[f"gtin{len(record.gtin)}"] = record.gtin
    offer_price = record.offer_price
    if offer_price:
        data["offers"] = {
            "@type": "Offer",
            "url": page_url,
            "price": str(offer_price),
            "priceCurrency": "VND",
            "availability": SCHEMA_AVAILABILITY[record.availability],
            "itemCondition": "https://schema.org/NewCondition",
            "seller": organization,
        }
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def _certification(cert, t: Translator, today: dt.date) -> dict[str, Any]:
    return {
        "@type": "Certification",
        "name": f"OCOP {cert.stars}★",
        "identifier": cert.decision_number,
        "issuedBy": {"@type": "Organization", "name": t.plain(cert.issuer)},
        "certificationRating": {
            "@type": "Rating",
            "ratingValue": cert.stars,
            "bestRating": 5,
            "worstRating": 3,
        },
        "validFrom": certs.valid_from(cert).isoformat(),
        "expires": certs.valid_until(cert).isoformat(),
        "certificationStatus": (
            "https://schema.org/CertificationActive"
            if certs.status(cert, today) in certs.ACTIVE
            else "https://schema.org/CertificationInactive"
        ),
    }


def to_script(data: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
