"""schema.org JSON-LD and Open Graph tags for product pages.

Search engines and marketplaces read these, so the values follow their
rules (feeds-and-standards.md §3): price as bare digits with ``priceCurrency``
VND, availability as a full schema.org URL, the producer as ``brand`` and
``manufacturer``, and the OCOP certificate as ``hasCertification`` with its
star rating, issuer and validity.

The digital product passport (catalog/passport.py) is carried too: every other
certification (VietGAP, self-declaration…) as one more ``hasCertification``, the
producer's tax code and GLN as ``taxID`` and ``globalLocationNumber``, and, where
schema.org has no term, the GS1 Web Vocabulary's (prefix ``gs1:``,
https://gs1.org/voc/, documented at https://ref.gs1.org/voc/; the same namespace as the linksets): ``gs1:netContent``, ``gs1:consumerSafetyInformation`` and
the ``gs1:traceability`` link. The context is written out (schema.org as the
vocabulary, ``gs1`` as a prefix), so a JSON-LD processor expands it offline.
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
#: The JSON-LD context of a product page: schema.org terms, and GS1 Web Vocabulary terms
#: written ``gs1:…``.
CONTEXT = {"@vocab": "https://schema.org/", "gs1": "https://gs1.org/voc/"}
#: UN/ECE Recommendation 20 codes of the net content units (GS1 ``unitCode``).
UNIT_CODES = {"g": "GRM", "kg": "KGM", "ml": "MLT", "l": "LTR", "pcs": "H87"}
#: What each other certification type is called (its name in every language).
CERTIFICATION_NAMES = {
    "vietgap": "VietGAP", "globalgap": "GlobalG.A.P.", "organic": "Organic",
    "haccp": "HACCP", "iso22000": "ISO 22000",
    "food_safety": "Food safety certificate (Vietnam)",
    "self_declaration": "Self-declaration of the product (Vietnam)",
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
    if producer.tax_code:
        organization["taxID"] = producer.tax_code
    if producer.gln:
        organization["globalLocationNumber"] = producer.gln
    data: dict[str, Any] = {
        "@context": CONTEXT,
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
        "hasCertification": [
            _certification(cert, t, catalog.today),
            *(_other_certification(c, t, catalog.today) for c in record.certifications),
        ],
        "countryOfOrigin": {"@type": "Country", "name": "VN"},
    }
    if record.last_processing is not None:
        data["countryOfLastProcessing"] = {"@type": "Country", "name": "VN"}
    if record.net_content is not None:
        data["gs1:netContent"] = {
            "@type": "gs1:QuantitativeValue",
            "gs1:value": record.net_content.value,
            "gs1:unitCode": UNIT_CODES[record.net_content.unit],
        }
    if record.safety_warning is not None:
        warning = record.safety_warning.resolve(t.lang)
        data["gs1:consumerSafetyInformation"] = {"@value": warning.text,
                                                  "@language": warning.lang}
    if record.traceability_url:
        data["gs1:traceability"] = {"@id": record.traceability_url}
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


def _other_certification(cert, t: Translator, today: dt.date) -> dict[str, Any]:
    """A certification besides OCOP (``certifications:`` of the record)."""
    data: dict[str, Any] = {
        "@type": "Certification",
        "name": CERTIFICATION_NAMES[cert.type],
        "certificationIdentification": cert.number,
    }
    if cert.issuer is not None:
        data["issuedBy"] = {"@type": "Organization", "name": t.plain(cert.issuer)}
    if cert.issued is not None:
        data["validFrom"] = cert.issued.isoformat()
    if cert.valid_until is not None:
        data["expires"] = cert.valid_until.isoformat()
    data["certificationStatus"] = (
        "https://schema.org/CertificationInactive"
        if cert.valid_until is not None and cert.valid_until < today
        else "https://schema.org/CertificationActive")
    if cert.url:
        data["url"] = cert.url
    return data


def to_script(data: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
