"""OCOP certificate rules: validity, status, stars from a score, GTIN check digits.

Pure functions over dates and numbers, shared by the validator and the site.
Status is always computed from dates against a given day, never stored, so a
catalog rebuilt later stays honest (ocop-domain.md §5).

A product's :class:`Certificate` is not written by its producer: it is what the
office's register of decisions (``catalog/decisions/``) says of the product, made
by :mod:`ocop_catalog.records.register`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ..records.text import Localized


@dataclass(frozen=True)
class Revocation:
    """A decision revoking a product's certificate."""

    date: dt.date
    reason: Localized
    decision_number: str
    decision_date: dt.date
    source: str  # the register file


@dataclass(frozen=True)
class DecisionRef:
    """One decision of the register that names the product (its history)."""

    kind: Literal["recognition", "revocation"]
    number: str
    date: dt.date
    issuer: Localized
    stars: int | None
    source: str
    #: A recognition's ``evaluation`` in the register (first, upgrade, re_rating), if given.
    evaluation: str | None = None


@dataclass(frozen=True)
class Certificate:
    """A product's current OCOP certificate: its most recent recognition in the register,
    revoked if a later decision revoked it."""

    stars: int
    score: float | None
    decision_number: str
    decision_date: dt.date
    issuer: Localized
    level: str
    criteria_version: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    evaluation: str | None
    product_code: str | None
    source_url: str | None
    revoked: Revocation | None
    #: The register file the recognition is in.
    source: str
    #: Every decision naming the product, oldest first.
    history: tuple[DecisionRef, ...] = ()



VALIDITY_MONTHS = 36
#: 26/2026: the re-rating dossier is filed 180 to 120 days before expiry.
EXPIRING_DAYS = 180

Status = Literal["valid", "expiring", "expired", "revoked"]
#: Statuses under which the product may carry the OCOP mark (and be sold as OCOP).
ACTIVE: tuple[Status, ...] = ("valid", "expiring")

#: When each criteria version was in force (start, end inclusive).
CRITERIA_PERIODS: dict[str, tuple[dt.date, dt.date | None]] = {
    "1048/2019": (dt.date(2019, 8, 21), dt.date(2023, 2, 23)),
    "148/2023": (dt.date(2023, 2, 24), dt.date(2026, 7, 21)),
    "26/2026": (dt.date(2026, 5, 22), None),
}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_from(cert: Certificate) -> dt.date:
    return cert.valid_from or cert.decision_date


def valid_until(cert: Certificate) -> dt.date:
    """The last day of validity: as given, else 36 months after the start."""
    return cert.valid_until or add_months(valid_from(cert), VALIDITY_MONTHS)


def status(cert: Certificate, today: dt.date, expiring_days: int = EXPIRING_DAYS) -> Status:
    """valid / expiring (within ``expiring_days``) / expired / revoked, on ``today``."""
    if cert.revoked is not None and cert.revoked.date <= today:
        return "revoked"
    end = valid_until(cert)
    if end < today:
        return "expired"
    if (end - today).days <= expiring_days:
        return "expiring"
    return "valid"


def stars_for_score(score: float) -> int | None:
    """Stars a council score gives (None below 50: not certified)."""
    if score >= 90:
        return 5
    if score >= 70:
        return 4
    if score >= 50:
        return 3
    return None


def gs1_check_digit(body: str) -> int:
    """GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin14(gtin: str) -> str:
    """A GTIN left-padded to 14 digits, as GS1 Digital Link writes it."""
    return gtin.zfill(14)
