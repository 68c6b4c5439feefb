#!/usr/bin/env python3
"""Move the certificates written in product.yml files into the register of decisions.

Catalogs started before the register (catalog/decisions/, docs/records.md) kept each
product's stars and decision in its own ``certification:`` section. This script, run
once in such a catalog's folder:

* groups the ``certification:`` sections by decision (number, date and issuer) and writes
  one ``catalog/decisions/<date>-<number>.yml`` per decision, listing its products with
  their stars, score, evaluation, product code and validity. A revocation goes into the
  decision its number and date name: a decision of its own, or, when one decision both
  recognises some products and revokes others, one file with ``recognises:`` and
  ``revokes:``;
* removes the ``certification:`` section from each product.yml (its indented lines, and
  the blank lines and comments among them), leaving every other line, comments
  included, as it was.

Values that differ between the products of one decision are kept per product:
``valid_from`` and ``valid_until`` are written on each product's item when the products
do not share them. ``source_url`` and ``criteria_version`` are a decision's own (the
register has no per-product field for them): the decision gets the value most of its
products give, and a product that gave another one gets a comment on its item saying
so (and the script lists them), for the office to check against the signed decision.

Two decisions whose file names would be the same (numbers that differ only in
punctuation, or the same number and date from two issuers) get distinct names (the
issuer's name, then a counter, added). It refuses to overwrite an existing decision
file. The decisions' ``level`` is guessed from the issuer's name: ``UBND tỉnh`` and the
People's Committee of a centrally-run city (``UBND thành phố Hà Nội``, ``Hồ Chí Minh``,
``Hải Phòng``, ``Đà Nẵng``, ``Cần Thơ``, and ``Huế`` from 1 January 2025) → province;
``Bộ`` → ministry; another ``thành phố``, ``huyện``, ``thị xã`` → district. A revocation
without a decision number gets ``number: "?"``, which ``ocop validate`` refuses until the
office writes it: run ``ocop validate`` after, and read the result.

    python tools/migrate_certificates.py [CATALOG_FOLDER]
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import yaml

HEADER = """\
# yaml-language-server: $schema=../../schema/decision.schema.json
# Quyết định {number} ngày {date}: do văn phòng OCOP ghi theo văn bản quyết định
# (chuyển từ product.yml bằng tools/migrate_certificates.py; hãy đối chiếu văn bản gốc).
"""

#: The centrally-run cities ("thành phố trực thuộc trung ương", provincial level, as in
#: ocop_catalog.catalog.geography) and since when each has been one (None: long before
#: OCOP). Huế was a city of Thừa Thiên Huế province, district level, until 2025.
CENTRAL_CITIES: dict[str, dt.date | None] = {
    "hà nội": None, "hồ chí minh": None, "hải phòng": None, "đà nẵng": None,
    "cần thơ": None, "huế": dt.date(2025, 1, 1),
}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _issuer_name(issuer: object) -> str:
    name = issuer.get("vi", "") if isinstance(issuer, dict) else str(issuer)
    return " ".join(unicodedata.normalize("NFC", str(name)).lower().split())


def _level(issuer: object, day: dt.date) -> str:
    name = _issuer_name(issuer)
    if name.startswith("bộ") or " bộ " in name:
        return "ministry"
    name = re.sub(r"\btp\.?\s*", "thành phố ", name)
    # the first unit named decides: "UBND huyện Tam Đảo, tỉnh Vĩnh Phúc" is a district's
    first = re.search(r"\b(tỉnh|huyện|quận|thị xã|thành phố)\b", name)
    if first is not None and first[1] in ("huyện", "quận", "thị xã"):
        return "district"
    if first is not None and first[1] == "tỉnh":
        return "province"
    city = re.search(r"thành phố\s+(.+?)\s*(?:[,;(]|\btỉnh\b|$)", name)
    if city is not None:
        place = city[1].strip(" .,;")
        place = {"hcm": "hồ chí minh", "hồ chí minh city": "hồ chí minh"}.get(place, place)
        if place in CENTRAL_CITIES:
            since = CENTRAL_CITIES[place]
            if since is None or day >= since:
                return "province"
    return "district"


def _q(value: object) -> str:
    """A YAML scalar: JSON strings are valid YAML and keep every character."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _text(key: str, value: object, indent: str) -> list[str]:
    if isinstance(value, dict):
        return [f"{indent}{key}:", *(f"{indent}  {k}: {_q(v)}" for k, v in value.items())]
    if key == "evaluation":  # first, upgrade, re_rating
        return [f"{indent}{key}: {value}"]
    return [f"{indent}{key}: {_q(value)}"]


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _without_certification(text: str) -> str:
    """``text`` without the top-level ``certification:`` section: its line, and every line
    after it up to the next line that starts in column 0 and is not a comment. Blank lines
    and column-0 comments right before that next key are kept (they belong to it); those
    between the section's own lines go with the section."""
    out: list[str] = []
    held: list[str] = []  # blank lines and column-0 comments, not yet known to be whose
    skipping = False
    for line in text.splitlines(keepends=True):
        if not skipping:
            if re.match(r"certification\s*:", line):
                skipping = True
                held = []
            else:
                out.append(line)
            continue
        if not line.strip() or line.startswith("#"):
            held.append(line)
        elif line[:1].isspace():
            held = []  # still inside the section: what was held was inside it too
        else:  # the next top-level key: the section is over
            out.extend(held)
            out.append(line)
            skipping = False
            held = []
    if skipping:
        out.extend(line for line in held if not line.strip())  # at the end: keep the blanks
    return "".join(out)


def _decision(number: object, day: dt.date, issuer: object) -> dict:
    return {"number": str(number), "date": day, "issuer": issuer,
            "level": _level(issuer, day), "recognises": [], "revokes": []}


def _common(decision: dict, field: str, warnings: list[str]) -> object:
    """The decision's value of ``field`` (source_url, criteria_version): the one most of
    its products give (the first product's on a tie); products that gave another one get
    a note on their item."""
    given = [item["_decision"][field] for item in decision["recognises"]
             if item["_decision"][field] is not None]
    if not given:
        return None
    counts = Counter(given)
    best = max(counts.values())
    value = next(v for v in given if counts[v] == best)
    for item in decision["recognises"]:
        own = item["_decision"][field]
        if own is not None and own != value:
            item["_notes"].append(f"product.yml had {field}: {_comment(own)} (the decision "
                                  f"has {_comment(value)}): check the signed decision")
            warnings.append(f"{item['product']}: {field} {own!r} differs from {value!r} of "
                            f"decision {decision['number']} ({decision['date']})")
    return value


def _lines(decision: dict, warnings: list[str]) -> list[str]:
    lines = [HEADER.format(number=decision["number"], date=decision["date"]).rstrip("\n"),
             f"number: {_q(decision['number'])}", f"date: {_q(decision['date'])}",
             *_text("issuer", decision["issuer"], ""), f"level: {decision['level']}"]
    items = decision["recognises"]
    if items:
        criteria = _common(decision, "criteria_version", warnings)
        source = _common(decision, "source_url", warnings)
        starts = {item["_decision"]["valid_from"] for item in items}
        shared_start = starts.pop() if len(starts) == 1 else None
        if criteria:
            lines.append(f"criteria_version: {_q(criteria)}")
        if shared_start:
            lines.append(f"valid_from: {_q(shared_start)}")
        if source:
            lines.append(f"source_url: {_q(source)}")
        lines.append("recognises:")
        for item in items:
            lines.append(f"  - product: {item['product']}")
            lines.extend(f"    # {note}" for note in item["_notes"])
            for key in ("stars", "score", "evaluation", "product_code"):
                if key in item:
                    lines.extend(_text(key, item[key], "    "))
            own_start = item["_decision"]["valid_from"]
            if own_start and not shared_start:
                lines.extend(_text("valid_from", own_start, "    "))
            if "valid_until" in item:
                lines.extend(_text("valid_until", item["valid_until"], "    "))
    if decision["revokes"]:
        lines.append("revokes:")
        for item in decision["revokes"]:
            lines.append(f"  - product: {item['product']}")
            lines.extend(_text("reason", item["reason"], "    "))
    return lines


def _file_names(decisions: list[dict]) -> list[str]:
    """One distinct file name per decision, ``<date>-<number>.yml``; where two would be
    the same, the issuer's name is added to each, then a counter where still the same."""
    base = [f"{d['date']}-{_slug(d['number']) or 'chua-ro-so'}" for d in decisions]
    clash = Counter(base)
    used: set[str] = set()
    names = []
    for stem, decision in zip(base, decisions):
        if clash[stem] > 1:
            stem = f"{stem}-{_slug(_issuer_name(decision['issuer'])) or 'x'}"
        name, count = stem, 1
        while name in used:
            count += 1
            name = f"{stem}-{count}"
        used.add(name)
        names.append(f"{name}.yml")
    return names


def main(root: Path) -> int:
    products = sorted(root.glob("products/*/*/product.yml"))
    decisions: dict[tuple, dict] = {}
    moved = []
    for path in products:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        cert = data.get("certification") if isinstance(data, dict) else None
        if not isinstance(cert, dict):
            continue
        issuer = cert["issuer"]
        key = (str(cert["decision_number"]), cert["decision_date"], _issuer_name(issuer))
        decision = decisions.setdefault(key, _decision(cert["decision_number"],
                                                       cert["decision_date"], issuer))
        category = data.get("category")
        item: dict = {"product": data["id"], "stars": cert["stars"], "_notes": [],
                      "_decision": {
                          "valid_from": cert.get("valid_from"),
                          "source_url": cert.get("source_url"),
                          "criteria_version": (category.get("criteria_version")
                                               if isinstance(category, dict) else None)}}
        for name in ("score", "evaluation", "product_code", "valid_until"):
            if cert.get(name) is not None:
                item[name] = cert[name]
        decision["recognises"].append(item)
        revoked = cert.get("revoked")
        if isinstance(revoked, dict):
            number = revoked.get("decision_number") or "?"
            rkey = (str(number), revoked["date"], _issuer_name(issuer))
            revocation = decisions.setdefault(rkey, _decision(number, revoked["date"], issuer))
            revocation["revokes"].append({"product": data["id"], "reason": revoked["reason"]})
        moved.append(path)

    folder = root / "catalog" / "decisions"
    ordered = [decisions[k] for k in sorted(decisions, key=lambda k: (str(k[1]), k[0], k[2]))]
    warnings: list[str] = []
    files = {folder / name: "\n".join(_lines(d, warnings)) + "\n"
             for name, d in zip(_file_names(ordered), ordered)}
    for path in files:
        if path.exists():
            print(f"{path} already exists: nothing was changed", file=sys.stderr)
            return 1
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    for path in moved:
        path.write_text(_without_certification(path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    for warning in warnings:
        print(f"check / kiểm tra: {warning}")
    print(f"{len(files)} decision files written to {folder}; the certification of "
          f"{len(moved)} products moved. Now run: ocop validate")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
