"""Permanent short links: the code printed in a product's QR symbol.

A QR code printed on packaging and shelf labels lives for years, so its
address must never change, whatever later happens to the product's name, id,
folder or category. Every product gets a short code, reachable at
``<site_url>/q/<code>/``:

* by default the code is derived from the product's *first* id (the oldest
  entry of ``former_ids``, else ``id``), so renaming a product — moving its
  old id into ``former_ids`` — keeps the code;
* a record may pin its code with ``qr_code`` (to keep a code that is already
  printed, or to settle the rare case of two products deriving the same one).

Codes use Crockford's base-32 alphabet in lower case (no i, l, o, u, so a
code read aloud or typed from a label is not mistaken), six characters:
about a billion codes, so that among the 18,000 OCOP products of the whole
country a collision is unlikely (and the validator reports it if it occurs).
A 40-character site URL plus ``q/``, the code and ``/`` is 49 characters,
which fits a version-4 symbol at error correction M (62 bytes, 33×33 modules).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import quote

from .certificates import gtin14
from ..records.models import Lot, Product

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # a pinned code: records.QrCode
CODE_LENGTH = 6
#: The folder of a long listing's further pages (``products/page/2/``): a product id
#: the validator refuses, since the product list's pages live there.
LISTING_PAGES = "page"


def derived_code(first_id: str) -> str:
    """The code derived from a product's first id."""
    number = int.from_bytes(hashlib.sha256(f"ocop-qr:{first_id}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def first_id(product: Product) -> str:
    """The id the product had first: the oldest former id, else its id."""
    return product.former_ids[0] if product.former_ids else product.id


def product_code(product: Product) -> str:
    """The product's permanent short code."""
    return product.qr_code or derived_code(first_id(product))


def short_path(code: str) -> str:
    """The site-relative path of a short link."""
    return f"q/{code}/"


def gs1_path(gtin: str) -> str:
    """The GS1 Digital Link path of a trade item (primary key 01, the GTIN padded to 14
    digits), without a trailing slash as GS1 writes it; static hosts answer it from
    ``01/<gtin>/index.html``."""
    return f"01/{gtin14(gtin)}"


def point_path(point_id: str) -> str:
    """The site-relative path of a sales point's poster link."""
    return f"s/{point_id}/"


# --------------------------------------------------------------------------
# Lots: GS1 Digital Link qualifier 10 under the product's key
# --------------------------------------------------------------------------

#: What a lot is on a day, as its page says: re-checked in the browser (ocop.js).
LOT_STATES = ("in_date", "expired", "recalled")


def lot_segment(code: str) -> str:
    """A lot code as a path segment of a GS1 Digital Link URI: every character outside
    RFC 3986's unreserved set percent-encoded (GS1 Digital Link URI syntax 1.2, §7.1)."""
    return quote(code, safe="")


def lot_has_page(code: str) -> bool:
    """Whether a static host can serve the lot's own page: it serves the decoded path
    from a file of that name, which cannot hold '/' and cannot be '.' or '..'; nor any of
    ``" * : < > ? | \\`` (Windows cannot name a file so, and GitHub's upload-artifact, which
    carries a pull request's site, refuses it). Such a lot walks up to its product."""
    return not any(c in code for c in _NOT_IN_FILE_NAMES) and code not in (".", "..")


_NOT_IN_FILE_NAMES = frozenset('/"*:<>?|\\')


def lot_path(product: Product, code: str, short_code: str) -> str:
    """The site-relative path of a lot's page, no trailing slash (served from
    ``<path>.html``): ``01/<GTIN-14>/10/<lot>`` (GS1 Digital Link), or, without a GTIN,
    ``q/<code>/10/<lot>`` under the product's permanent short link."""
    base = gs1_path(product.gtin) if product.gtin else short_path(short_code).rstrip("/")
    return f"{base}/10/{lot_segment(code)}"


def lot_state(lot: Lot, today: dt.date) -> str:
    """recalled (from the recall's date), expired (after the expiry date), else in_date."""
    if lot.recall is not None and lot.recall.date <= today:
        return "recalled"
    if lot.expires is not None and lot.expires < today:
        return "expired"
    return "in_date"
