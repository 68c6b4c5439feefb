"""The OCOP office's register of decisions: who holds which certificate.

Stars are not the producer's to write. In reality the provincial People's
Committee (the Ministry, for 5 stars) signs a decision listing the products it
recognises and their stars, and revokes certificates by decision too. The office
keeps one YAML file per decision under ``catalog/decisions/`` (only the office
edits that folder: ``ocop codeowners``), and a product's certificate is what the
register says of it:

* its **most recent recognition** (by decision date) gives its stars, score,
  decision and validity;
* a **revocation** dated on or after that recognition revokes it (a later
  recognition certifies it again); the first such revocation holds: a second one
  (``revoke_already_revoked``) can neither move the date nor undo it;
* a product no decision names is **not yet rated**: ``ocop validate`` warns, and
  the product is left out of the published catalog until the office adds its
  decision (docs/records.md).

:func:`read_register` reads the files; :func:`certify` checks them against the
products and returns each product's :class:`~ocop_catalog.catalog.certificates.Certificate`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..catalog import certificates as certs
from ..catalog.certificates import Certificate, DecisionRef, Revocation
from ..settings import Settings
from .issues import Document, did_you_mean
from .models import Decision, Recognition, Withdrawal

DECISIONS_DIR = "catalog/decisions"

#: The day district People's Committees stopped existing (two-level local government).
DISTRICTS_ABOLISHED = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class Entry:
    """A decision read from the register, with its document."""

    doc: Document
    decision: Decision

    @property
    def source(self) -> str:
        return self.doc.rel


def decision_files(root: Path) -> list[Path]:
    """Every ``*.yml`` file under ``catalog/decisions/`` (sub-folders, e.g. by year,
    included), in path order; hidden files and folders and ``_``-prefixed ones are not
    decisions (templates, drafts). A symbolic link to a folder is listed itself, not
    followed (reading it is refused: ``record_symlink``)."""
    return sorted(path for path in _walk(root) if path.suffix == ".yml" or path.is_symlink())


def other_files(root: Path) -> list[Path]:
    """Files under ``catalog/decisions/`` that are not read as decisions although they
    are not hidden, templates or drafts: names not ending in ``.yml`` (``.yaml``,
    ``.YML``, ``.txt``…), in path order."""
    return sorted(path for path in _walk(root)
                  if path.suffix != ".yml" and not path.is_symlink())


def _walk(root: Path) -> list[Path]:
    folder = root / DECISIONS_DIR
    if not folder.is_dir():
        return []
    found = []
    for top, dirs, files in os.walk(folder):  # links to folders are not followed
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in files + [d for d in dirs if (here / d).is_symlink()]:
            if not name.startswith((".", "_")):
                found.append(here / name)
    return found


@dataclass
class Register:
    docs: list[Document]
    entries: list[Entry]
    #: Product ids named in decision files that have errors (None: a file could not be
    #: read at all, so which products it names is unknown).
    named_in_broken: set[str] | None


def read_register(settings: Settings, read_record) -> Register:
    """Read every decision file; ``read_record`` is the loader's reader of one record."""
    register = Register([], [], set())
    for path in decision_files(settings.root):
        doc, decision = read_record(path, settings.root, Decision, settings.languages)
        register.docs.append(doc)
        if decision is not None:
            register.entries.append(Entry(doc, decision))
        elif not isinstance(doc.data, dict):
            register.named_in_broken = None
        elif register.named_in_broken is not None:
            for part in ("recognises", "revokes"):
                items = doc.data.get(part)
                for item in items if isinstance(items, list) else ():
                    if isinstance(item, dict) and isinstance(item.get("product"), str):
                        register.named_in_broken.add(item["product"])
    return register


@dataclass(frozen=True)
class KnownProduct:
    """What the register checks need of a product record."""

    id: str
    former_ids: tuple[str, ...]
    criteria_version: str | None
    source: str


def certify(entries: list[Entry], products: Iterable[KnownProduct], folders: Iterable[str],
            settings: Settings, docs: Mapping[str, Document] | None = None
            ) -> dict[str, Certificate]:
    """Check the register against the products and return each product's certificate
    (by product id). ``products`` are the valid product records, ``folders`` the ids of
    every product folder (a decision may name a product whose record has errors: that is
    not an unknown product). ``docs``: the products' documents by path, where what concerns
    a product record too (``decision_criteria_mismatch``) is also said."""
    today = settings.today
    products = list(products)
    by_name: dict[str, KnownProduct] = {}
    for product in products:
        by_name.setdefault(product.id, product)
    for product in products:
        for old in product.former_ids:
            by_name.setdefault(old, product)
    known_names = set(by_name) | set(folders)

    _check_duplicates(entries)
    # product id -> [(entry, index, item)] in the order the decisions take effect
    named: dict[str, list[tuple[Entry, int, Recognition | Withdrawal]]] = defaultdict(list)
    for entry in entries:
        _check_decision(entry, today)
        seen: dict[str, tuple] = {}
        items: list[tuple[str, int, Recognition | Withdrawal]] = [
            *(("recognises", i, r) for i, r in enumerate(entry.decision.recognises)),
            *(("revokes", i, w) for i, w in enumerate(entry.decision.revokes)),
        ]
        for part, index, item in items:
            path = (part, index, "product")
            target = by_name.get(item.product)
            # one product, whether named by its id or by a former id
            key = target.id if target is not None else item.product
            if key in seen:
                first = entry.doc.where.find(seen[key])
                entry.doc.report("decision_product_twice", path, value=item.product,
                                 first_line=first.line)
                continue
            seen[key] = path
            if item.product not in known_names:
                en, vi = did_you_mean(item.product, sorted(known_names))
                entry.doc.report("decision_unknown_product", path, value=item.product,
                                 hint=en, hint_vi=vi)
                continue
            if target is None:
                continue  # a product whose record has errors (reported there)
            if isinstance(item, Recognition):
                _check_recognition(entry, index, item)
            named[target.id].append((entry, index, item))

    certificates: dict[str, Certificate] = {}
    for product in products:
        cert = _certificate(product, named.get(product.id, []), settings,
                            (docs or {}).get(product.source))
        if cert is not None:
            certificates[product.id] = cert
    return certificates


def _check_duplicates(entries: list[Entry]) -> None:
    """The same decision (number, date and issuer) written in two files: said on each,
    naming the others (which one to keep is the office's choice, not the file order's)."""
    groups: dict[tuple, list[Entry]] = defaultdict(list)
    for entry in entries:
        d = entry.decision
        groups[(d.number.casefold(), d.date, d.issuer.get("vi", "").casefold())].append(entry)
    for group in groups.values():
        for entry in group if len(group) > 1 else ():
            others = ", ".join(e.source for e in group if e is not entry)
            entry.doc.report("decision_twice", ("number",), value=entry.decision.number,
                             other=others)


def _check_decision(entry: Entry, today: dt.date) -> None:
    doc, d = entry.doc, entry.decision
    if d.date > today:
        doc.report("date_future", ("date",), value=d.date, today=today)
    if not d.recognises and not d.revokes:
        doc.report("decision_empty", ())
    if d.recognises and d.criteria_version is None:
        doc.report("decision_criteria_missing", ())
    if d.criteria_version is not None:
        start, end = certs.CRITERIA_PERIODS[d.criteria_version]
        if d.date < start or (end is not None and d.date > end):
            doc.report("criteria_version_date", ("criteria_version",), value=d.date,
                       version=d.criteria_version, start=start, end=end or "…")
    if d.valid_from and d.valid_from < d.date:
        doc.report("date_order", ("valid_from",), value=d.valid_from,
                   other_field="date", other=d.date)
    start = d.valid_from or d.date
    if d.valid_until and d.valid_until <= start:
        doc.report("date_order", ("valid_until",), value=d.valid_until,
                   other_field="valid_from", other=start)
    for index, item in enumerate(d.revokes):
        if item.date is not None and item.date < d.date:
            doc.report("date_order", ("revokes", index, "date"), value=item.date,
                       other_field="date", other=d.date)


#: Who may recognise how many stars (ocop-domain.md §4): the ministry 5, a province 3
#: and 4, a district 3 (under 148/2023, until districts were abolished).
def _authority_ok(level: str, stars: int, version: str | None, day: dt.date) -> bool:
    if stars == 5:
        return level == "ministry"
    if level == "province":
        return True
    if level == "district":
        return stars == 3 and version == "148/2023" and day < DISTRICTS_ABOLISHED
    return False  # the ministry recognises 5 stars only


def _check_recognition(entry: Entry, index: int, item: Recognition) -> None:
    doc, d = entry.doc, entry.decision
    base = ("recognises", index)
    if not _authority_ok(d.level, item.stars, d.criteria_version, d.date):
        doc.report("decision_authority", (*base, "stars"), value=item.stars, level=d.level)
    if item.score is not None:
        expected = certs.stars_for_score(item.score)
        if expected is None:
            doc.report("score_not_certified", (*base, "score"), score=item.score)
        elif expected != item.stars:
            doc.report("stars_score_mismatch", (*base, "stars"), value=item.stars,
                       score=item.score, expected=expected)
    start = item.valid_from or d.valid_from or d.date
    if item.valid_from and item.valid_from < d.date:
        doc.report("date_order", (*base, "valid_from"), value=item.valid_from,
                   other_field="date", other=d.date)
    # the decision's own dates are checked with the decision; here what the item adds
    if item.valid_until and item.valid_until <= start:
        doc.report("date_order", (*base, "valid_until"), value=item.valid_until,
                   other_field="valid_from", other=start)
    elif item.valid_from and d.valid_until and d.valid_until <= item.valid_from:
        doc.report("date_order", (*base, "valid_from"), value=item.valid_from,
                   other_field="valid_until", other=d.valid_until)


def _effective(entry: Entry, item: Recognition | Withdrawal) -> dt.date:
    if isinstance(item, Withdrawal):
        return item.date or entry.decision.date
    return entry.decision.date


def _certificate(product: KnownProduct, named: list[tuple[Entry, int, Recognition | Withdrawal]],
                 settings: Settings, product_doc: Document | None = None
                 ) -> Certificate | None:
    """The product's certificate from the decisions naming it; reports a revocation of a
    product never certified, an ambiguous day, and the expiry warnings."""
    # in the order they take effect; on one day a recognition comes before a revocation
    events = sorted(named, key=lambda e: (_effective(e[0], e[2]),
                                          isinstance(e[2], Withdrawal), e[0].source))
    recognition: tuple[Entry, int, Recognition] | None = None
    revocation: tuple[Entry, int, Withdrawal] | None = None
    history: list[DecisionRef] = []
    for entry, index, item in events:
        d = entry.decision
        if isinstance(item, Recognition):
            if recognition is not None and recognition[0].decision.date == d.date \
                    and recognition[0] is not entry \
                    and recognition[2].model_copy(update={"product": item.product}) != item:
                entry.doc.report("decision_same_day", ("recognises", index, "product"),
                                 value=product.id, other=recognition[0].source)
            recognition, revocation = (entry, index, item), None
            history.append(DecisionRef("recognition", d.number, d.date, d.issuer, item.stars,
                                       entry.source, item.evaluation))
        else:
            if recognition is None:
                entry.doc.report("revoke_never_certified", ("revokes", index, "product"),
                                 value=product.id)
                continue
            if revocation is not None:  # the first revocation holds; a later one is wrong
                first = revocation[0]
                entry.doc.report("revoke_already_revoked", ("revokes", index, "product"),
                                 value=product.id, other=first.decision.number,
                                 date=_effective(first, revocation[2]), source=first.source)
                continue
            revocation = (entry, index, item)
            history.append(DecisionRef("revocation", d.number, d.date, d.issuer, None,
                                       entry.source))
    if recognition is None:
        return None
    entry, index, item = recognition
    d = entry.decision
    if product.criteria_version and d.criteria_version \
            and product.criteria_version != d.criteria_version:
        mismatch = {"value": product.id, "version": d.criteria_version, "number": d.number,
                    "decision": entry.source, "product_version": product.criteria_version,
                    "source": product.source}
        entry.doc.report("decision_criteria_mismatch", ("recognises", index, "product"),
                         **mismatch)
        if product_doc is not None:  # and where the producer looks: the record's category
            product_doc.report("decision_criteria_mismatch",
                               ("category", "criteria_version"), **mismatch)
    revoked = None
    if revocation is not None:
        r_entry, _, r_item = revocation
        revoked = Revocation(_effective(r_entry, r_item), r_item.reason, r_entry.decision.number,
                             r_entry.decision.date, r_entry.source)
    cert = Certificate(
        stars=item.stars, score=item.score, decision_number=d.number, decision_date=d.date,
        issuer=d.issuer, level=d.level, criteria_version=d.criteria_version,
        valid_from=item.valid_from or d.valid_from, valid_until=item.valid_until or d.valid_until,
        evaluation=item.evaluation, product_code=item.product_code, source_url=d.source_url,
        revoked=revoked, source=entry.source, history=tuple(history),
    )
    # the warning goes where the end of validity is written (none when revoked by then,
    # nor when the validity is itself wrong: that error comes first)
    if certs.valid_until(cert) > certs.valid_from(cert):
        path = (("recognises", index, "valid_until") if item.valid_until
                else ("valid_until",) if d.valid_until else ("recognises", index, "product"))
        _check_expiry(entry.doc, path, product.id, cert, settings)
    return cert


def _check_expiry(doc: Document, path: tuple, product: str, cert: Certificate,
                  settings: Settings) -> None:
    end = certs.valid_until(cert)
    state = certs.status(cert, settings.today, settings.expiry_warning_days)
    if state == "expired":
        doc.report("cert_expired", path, value=end, product=product)
    elif state == "expiring":
        doc.report("cert_expiring", path, value=end, product=product,
                   days=(end - settings.today).days)


def report_unrated(docs: Mapping[str, Document], products: Iterable[KnownProduct],
                   certificates: Mapping[str, Certificate], register: Register) -> None:
    """A product no decision names: a warning on its record (it is not published). Not
    said of a product a decision with errors names (its errors are what to fix), nor of
    any product while a decision file cannot be read at all."""
    if register.named_in_broken is None:
        return
    for product in products:
        if docs[product.source].has_errors:
            continue  # not published anyway; its errors come first
        if product.id in certificates or product.id in register.named_in_broken \
                or register.named_in_broken.intersection(product.former_ids):
            continue
        docs[product.source].report("no_decision", ("id",), key=True, value=product.id,
                                    folder=DECISIONS_DIR)
