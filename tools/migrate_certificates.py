#!/usr/bin/env python3
"""Move the certificates written in product.yml files into the register of decisions.

Catalogs started before the register (catalog/decisions/, docs/records.md) kept each
product's stars and decision in its own ``certification:`` section. This script, run
once in such a catalog's folder:

* groups the ``certification:`` sections by decision (number and date) and writes one
  ``catalog/decisions/<date>-<number>.yml`` per decision, listing its products with
  their stars, score, evaluation and product code (a revocation becomes a revoking
  decision of its own);
* removes the ``certification:`` section from each product.yml, leaving every other
  line (comments included) as it was.

It refuses to overwrite an existing decision file. The decisions' ``level`` is guessed
from the issuer's name (``UBND tỉnh`` → province, ``UBND huyện``/``thành phố``/``thị
xã`` → district, ``Bộ`` → ministry) and a revocation without a decision number gets
``number: "?"``, which ``ocop validate`` refuses until the office writes it: run
``ocop validate`` after, and read the result.

    python tools/migrate_certificates.py [CATALOG_FOLDER]
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

import yaml

HEADER = """\
# yaml-language-server: $schema=../../schema/decision.schema.json
# Quyết định {number} ngày {date}: do văn phòng OCOP ghi theo văn bản quyết định
# (chuyển từ product.yml bằng tools/migrate_certificates.py; hãy đối chiếu văn bản gốc).
"""


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _level(issuer: object) -> str:
    name = (issuer.get("vi", "") if isinstance(issuer, dict) else str(issuer)).lower()
    if name.startswith("bộ") or " bộ " in name:
        return "ministry"
    if "tỉnh" in name:
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


def _without_certification(text: str) -> str:
    """``text`` without the top-level ``certification:`` section."""
    lines = text.splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if re.match(r"certification\s*:", line):
            skipping = True
            continue
        if skipping and (line[:1].isspace() or not line.strip()):
            if line.strip():
                continue
            skipping = False  # a blank line ends it only when followed by a top-level key
            out.append(line)
            continue
        skipping = False
        out.append(line)
    return "".join(out)


def main(root: Path) -> int:
    products = sorted(root.glob("products/*/*/product.yml"))
    decisions: dict[tuple, dict] = {}
    revocations: dict[tuple, dict] = {}
    moved = []
    for path in products:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        cert = data.get("certification") if isinstance(data, dict) else None
        if not isinstance(cert, dict):
            continue
        key = (cert["decision_number"], cert["decision_date"])
        decision = decisions.setdefault(key, {
            "number": cert["decision_number"], "date": cert["decision_date"],
            "issuer": cert["issuer"], "level": _level(cert["issuer"]),
            "criteria_version": data.get("category", {}).get("criteria_version"),
            "source_url": cert.get("source_url"), "valid_from": cert.get("valid_from"),
            "items": []})
        item = {"product": data["id"], "stars": cert["stars"]}
        for name in ("score", "evaluation", "product_code"):
            if cert.get(name) is not None:
                item[name] = cert[name]
        if cert.get("valid_until") is not None:
            item["valid_until"] = cert["valid_until"]
        decision["items"].append(item)
        revoked = cert.get("revoked")
        if isinstance(revoked, dict):
            number = revoked.get("decision_number") or "?"
            rkey = (number, revoked["date"])
            revocation = revocations.setdefault(rkey, {
                "number": number, "date": revoked["date"], "issuer": cert["issuer"],
                "level": _level(cert["issuer"]), "items": []})
            revocation["items"].append({"product": data["id"], "reason": revoked["reason"]})
        moved.append(path)

    folder = root / "catalog" / "decisions"
    files: dict[Path, str] = {}
    for decision in [*decisions.values(), *revocations.values()]:
        name = f"{decision['date']}-{_slug(decision['number']) or 'chua-ro-so'}.yml"
        lines = [HEADER.format(number=decision["number"], date=decision["date"]).rstrip("\n"),
                 f"number: {_q(decision['number'])}", f"date: {_q(decision['date'])}",
                 *_text("issuer", decision["issuer"], ""), f"level: {decision['level']}"]
        if decision.get("criteria_version"):
            lines.append(f"criteria_version: {_q(decision['criteria_version'])}")
        if decision.get("valid_from"):
            lines.append(f"valid_from: {_q(decision['valid_from'])}")
        if decision.get("source_url"):
            lines.append(f"source_url: {_q(decision['source_url'])}")
        revoking = "reason" in decision["items"][0]
        lines.append("revokes:" if revoking else "recognises:")
        for item in decision["items"]:
            lines.append(f"  - product: {item['product']}")
            for key, value in item.items():
                if key != "product":
                    lines.extend(_text(key, value, "    "))
        path = folder / name
        if path in files:
            files[path] += "\n".join(lines[lines.index("recognises:") + 1:]) + "\n"
        else:
            files[path] = "\n".join(lines) + "\n"
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
    print(f"{len(files)} decision files written to {folder}; the certification of "
          f"{len(moved)} products moved. Now run: ocop validate")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
