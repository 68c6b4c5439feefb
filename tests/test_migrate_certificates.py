"""tools/migrate_certificates.py on a catalog in the old form (certificates in product.yml).

A scratch catalog is written the way catalogs were before the register of decisions:
each product carries a ``certification:`` section. The certificate state of every product
(stars, score, decision, issuer level, validity, status on the scratch day, revocation)
is worked out from those sections here, independently of the engine; the tool runs on
the scratch copy, and ``ocop validate``'s reading of the register it wrote must give each
product the same state. The catalog holds the cases a migration got wrong: products of one
decision with their own ``valid_from``/``valid_until``/``source_url``, a comment and a blank
line inside a ``certification:`` section, one decision recognising a product and revoking
another, two decisions whose file names were the same, and a centrally-run city's
People's Committee (a province-level issuer).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ocop_catalog.catalog import certificates as certs
from ocop_catalog.catalog import geography
from scratch import GOODS, PRODUCER, SERVICE, TODAY

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "migrate_certificates.py"
EXPIRING_DAYS = 180  # expiry_warning_days of the scratch catalog (the default)
PROVINCE = "    vi: UBND tỉnh Vĩnh Phúc\n    en: Vinh Phuc Provincial People's Committee\n"

#: product → (its old certification section, the issuer level its decision has)
OLD: dict[str, tuple[str, str]] = {
    # a comment, a blank line and a column-0 comment inside the section
    GOODS: ("certification:\n  stars: 4\n  score: 78.5\n  # quyết định gốc: bản PDF\n"
            "  decision_number: 385/QĐ-UBND\n\n  decision_date: 2025-06-10\n"
            "# ghi chú ở cột 0, vẫn trong phần chứng nhận\n  issuer:\n" + PROVINCE
            + "  valid_from: 2025-06-15\n"
            "  source_url: https://vinhphuc.example.gov.vn/qd-385\n", "province"),
    # the same decision, with its own validity and another source
    "mat-ong-bac-ha": ("certification:\n  stars: 3\n  score: 61\n"
                       "  decision_number: 385/QĐ-UBND\n  decision_date: 2025-06-10\n"
                       "  issuer:\n" + PROVINCE + "  valid_from: 2025-07-01\n"
                       "  valid_until: 2026-05-31\n"
                       "  source_url: https://baovinhphuc.example.vn/tin-385\n", "province"),
    # revoked by 40/QĐ-UBND, which also recognises mat-ong-nhan (one decision, both)
    "mat-ong-hoa-cafe": ("certification:\n  stars: 3\n  decision_number: 12/QĐ-UBND\n"
                         "  decision_date: 2024-03-01\n  issuer:\n" + PROVINCE
                         + "  revoked:\n    date: 2026-01-10\n"
                         "    decision_number: 40/QĐ-UBND\n"
                         "    reason: {vi: Ngừng sản xuất, en: Production stopped}\n",
                         "province"),
    "mat-ong-nhan": ("certification:\n  stars: 4\n  score: 72\n  evaluation: upgrade\n"
                     "  decision_number: 40/QĐ-UBND\n  decision_date: 2026-01-10\n"
                     "  issuer:\n" + PROVINCE, "province"),
    # a centrally-run city's People's Committee grants 4 stars as a province
    "mat-ong-ha-noi": (("certification:\n  stars: 4\n  decision_number: 7/QĐ-UBND\n"
                        "  decision_date: 2025-09-01\n  issuer: UBND thành phố Hà Nội\n"),
                       "province"),
    # a number that differs only in punctuation, the same day: the same file name
    "mat-ong-vinh-yen": ("certification:\n  stars: 3\n  decision_number: 7-QĐ-UBND\n"
                         "  decision_date: 2025-09-01\n  issuer:\n" + PROVINCE, "province"),
    # a district People's Committee, 3 stars under 148/2023
    SERVICE: (("certification:\n  stars: 3\n  decision_number: 120/QĐ-UBND\n"
               "  decision_date: 2023-09-01\n  issuer: UBND huyện Tam Đảo\n"
               "  product_code: VP-TD-0120\n"), "district"),
}


def gtin(n: int) -> str:
    body = f"893000000{n:03d}"
    return body + str(certs.gs1_check_digit(body))


def expected_state(block: str, level: str) -> dict:
    """What the old section says, worked out here: the certificate on TODAY."""
    old = yaml.safe_load(block)["certification"]
    start = old.get("valid_from") or old["decision_date"]
    end = old.get("valid_until") or certs.add_months(start, 36)
    revoked = old.get("revoked")
    status = ("revoked" if revoked and revoked["date"] <= TODAY else
              "expired" if end < TODAY else
              "expiring" if (end - TODAY).days <= EXPIRING_DAYS else "valid")
    issuer = old["issuer"]["vi"] if isinstance(old["issuer"], dict) else old["issuer"]
    return {"stars": old["stars"], "score": old.get("score"),
            "evaluation": old.get("evaluation"), "product_code": old.get("product_code"),
            "number": old["decision_number"], "date": old["decision_date"], "issuer": issuer,
            "level": level, "valid_from": start, "valid_until": end, "status": status,
            "revoked": (revoked["decision_number"], revoked["date"], revoked["reason"]["vi"])
            if revoked else None}


def state_of(product) -> dict:
    cert = product.certification
    return {"stars": cert.stars, "score": cert.score, "evaluation": cert.evaluation,
            "product_code": cert.product_code, "number": cert.decision_number,
            "date": cert.decision_date, "issuer": cert.issuer["vi"], "level": cert.level,
            "valid_from": certs.valid_from(cert), "valid_until": certs.valid_until(cert),
            "status": product.status(TODAY),
            "revoked": (cert.revoked.decision_number, cert.revoked.date,
                        cert.revoked.reason["vi"]) if cert.revoked else None}


def migrate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), str(root)], capture_output=True,
                          text=True, check=False)


@pytest.fixture
def old_catalog(scratch):
    """The scratch catalog with every product's certificate in its product.yml."""
    for n, product in enumerate(OLD, 1):
        if product not in (GOODS, SERVICE):
            scratch.add_goods(PRODUCER, product, gtin=gtin(n))
    for path in scratch.path("catalog/decisions").glob("*.yml"):
        path.unlink()
    for product, (block, _) in OLD.items():
        rel = f"products/{PRODUCER}/{product}/product.yml"
        # the comment before origin: is origin's, and stays
        scratch.edit(rel, "origin:\n", block + "# Nơi sản xuất\norigin:\n")
    return scratch


def test_every_certificate_state_survives_the_migration(old_catalog):
    scratch = old_catalog
    before = {product: expected_state(block, level) for product, (block, level) in OLD.items()}
    assert {s["status"] for s in before.values()} == {"valid", "expiring", "revoked"}
    texts = {p: scratch.read(f"products/{PRODUCER}/{p}/product.yml") for p in OLD}
    done = migrate(scratch.root)
    assert done.returncode == 0, done.stderr
    result = scratch.validate()
    assert [(i.code, i.file, i.message_en) for i in result.errors] == []
    after = {p.id: state_of(p) for p in result.catalog.products.values()}
    assert after == before
    # each product.yml lost exactly its section, comments inside it included, and nothing
    # else (the comment before origin: stays)
    for product, (block, _) in OLD.items():
        rel = f"products/{PRODUCER}/{product}/product.yml"
        assert scratch.read(rel) == texts[product].replace(block, ""), rel
        assert "# Nơi sản xuất\norigin:\n" in scratch.read(rel)


def test_one_decision_keeps_each_products_own_values(old_catalog):
    scratch = old_catalog
    done = migrate(scratch.root)
    assert done.returncode == 0, done.stderr
    text = scratch.read("catalog/decisions/2025-06-10-385-qd-ubnd.yml")
    data = yaml.safe_load(text)
    items = {item["product"]: item for item in data["recognises"]}
    assert "valid_from" not in data  # the products do not share one
    assert (items[GOODS]["valid_from"], items["mat-ong-bac-ha"]["valid_from"],
            items["mat-ong-bac-ha"]["valid_until"]) == (
        dt.date(2025, 6, 15), dt.date(2025, 7, 1), dt.date(2026, 5, 31))
    # the decision's own source (one product each: the first in path order, mat-ong-bac-ha);
    # the other is kept as a note on its item and said on the terminal
    assert data["source_url"] == "https://baovinhphuc.example.vn/tin-385"
    assert ("    # product.yml had source_url: https://vinhphuc.example.gov.vn/qd-385 "
            "(the decision has https://baovinhphuc.example.vn/tin-385)") in text
    assert f"{GOODS}: source_url 'https://vinhphuc.example.gov.vn/qd-385'" in done.stdout


def test_recognising_and_revoking_in_one_decision_is_one_file(old_catalog):
    done = migrate(old_catalog.root)
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load(old_catalog.read("catalog/decisions/2026-01-10-40-qd-ubnd.yml"))
    assert [i["product"] for i in data["recognises"]] == ["mat-ong-nhan"]
    assert [i["product"] for i in data["revokes"]] == ["mat-ong-hoa-cafe"]


def test_decisions_whose_names_collide_get_their_own_files(old_catalog):
    done = migrate(old_catalog.root)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in old_catalog.path("catalog/decisions").glob("2025-09-01-*"))
    assert files == ["2025-09-01-7-qd-ubnd-ubnd-thanh-pho-ha-noi.yml",
                     "2025-09-01-7-qd-ubnd-ubnd-tinh-vinh-phuc.yml"]
    found = {yaml.safe_load(old_catalog.path(f"catalog/decisions/{f}").read_text("utf-8"))[
        "number"] for f in files}
    assert found == {"7/QĐ-UBND", "7-QĐ-UBND"}
    assert "6 decision files" in done.stdout
    # run again: nothing left to move, and nothing is overwritten
    again = migrate(old_catalog.root)
    assert again.returncode == 0 and "0 decision files" in again.stdout


def load_tool():
    spec = importlib.util.spec_from_file_location("migrate_certificates", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("issuer, day, level", [
    ("UBND tỉnh Vĩnh Phúc", "2024-01-01", "province"),
    ("UBND thành phố Hà Nội", "2024-01-01", "province"),
    ("UBND Thành phố Hồ Chí Minh", "2021-01-01", "province"),
    ("UBND TP. Đà Nẵng", "2021-01-01", "province"),
    ("Ủy ban nhân dân thành phố Cần Thơ", "2021-01-01", "province"),
    ("UBND thành phố Huế", "2025-03-01", "province"),       # centrally run from 2025
    ("UBND thành phố Huế", "2024-06-01", "district"),       # a city of Thừa Thiên Huế then
    ("UBND thành phố Vĩnh Yên", "2024-01-01", "district"),  # a city of Vĩnh Phúc province
    ("UBND huyện Tam Đảo, tỉnh Vĩnh Phúc", "2024-01-01", "district"),
    ("UBND thành phố Phúc Yên tỉnh Vĩnh Phúc", "2024-01-01", "district"),
    ("UBND thị xã Sơn Tây, thành phố Hà Nội", "2024-01-01", "district"),
    ("UBND tỉnh Vĩnh Phúc", "2024-01-01", "province"),
    ("UBND huyện Tam Đảo", "2024-01-01", "district"),
    ("UBND thị xã Phúc Yên", "2017-01-01", "district"),
    ("Bộ Nông nghiệp và Phát triển nông thôn", "2024-01-01", "ministry"),
])
def test_the_issuers_level(issuer, day, level):
    assert load_tool()._level(issuer, dt.date.fromisoformat(day)) == level


def test_the_centrally_run_cities_are_the_official_ones():
    official = {p.name.removeprefix("Thành phố ").lower() for p in geography.provinces()
                if p.name.startswith("Thành phố ")}
    assert set(load_tool().CENTRAL_CITIES) == official
