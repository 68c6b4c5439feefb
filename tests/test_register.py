"""The office's register of decisions (catalog/decisions/) is what grants stars.

Each test starts from the valid scratch catalog (tests/scratch.py: the goods are recognised
at 4 stars by GOODS_DECISION, the service at 3 stars by SERVICE_DECISION), changes the
register or a product, and checks what ``ocop validate`` says and which certificate the
catalog gives the product.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ocop_catalog.catalog import certificates as certs
from scratch import (
    GOODS,
    GOODS_DECISION,
    GOODS_FILE,
    SERVICE,
    SERVICE_DECISION,
    TODAY,
    build_catalog,
    decision_yml,
    issue,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def scratch(tmp_path):
    return build_catalog(tmp_path / "repo")


def only(result, code):
    found = [i for i in result.issues if i.code == code]
    assert len(found) == 1, summary(result.issues)
    return found[0]


def product_at(scratch, rel, product, offset=len("product: ")):
    return scratch.position(rel, f"product: {product}", offset)


REVOKE = "catalog/decisions/2026-01-10-thu-hoi.yml"


def revocation(product: str = GOODS, date: str = "2026-01-10", extra: str = "") -> str:
    return f"""\
number: 12/QĐ-UBND
date: {date}
issuer: {{vi: UBND tỉnh Vĩnh Phúc, en: Vinh Phuc Provincial People's Committee}}
level: province
revokes:
  - product: {product}
    reason: {{vi: Ngừng sản xuất, en: Production stopped}}
{extra}"""


# --------------------------------------------------------------------------
# Stars come from the register, not from product.yml
# --------------------------------------------------------------------------


def test_the_catalog_takes_stars_and_decision_from_the_register(scratch):
    catalog = scratch.validate().catalog
    cert = catalog.products[GOODS].certification
    assert (cert.stars, cert.score, cert.decision_number, cert.decision_date, cert.level) == (
        4, 78.5, "385/QĐ-UBND", dt.date(2025, 6, 10), "province")
    assert cert.issuer["vi"] == "UBND tỉnh Vĩnh Phúc"
    assert cert.source == GOODS_DECISION
    assert catalog.products[SERVICE].certification.stars == 3


def test_a_producer_cannot_write_its_own_stars(scratch):
    scratch.edit(GOODS_FILE, "origin:\n", "certification:\n  stars: 5\n  decision_number: 1/QĐ\n"
                 "  decision_date: 2025-01-01\n  issuer: UBND\norigin:\n")
    result = scratch.validate()
    assert summary(result.issues) == [
        issue("certification_in_product", GOODS_FILE, scratch.position(GOODS_FILE,
                                                                       "certification:"),
              "certification")]
    found = only(result, "certification_in_product")
    assert found.message_vi.startswith("số sao và giấy chứng nhận không còn ghi trong "
                                       "product.yml")
    assert "Delete the whole 'certification:' section" in found.message_en
    assert result.catalog is None


def test_a_product_without_a_decision_is_warned_about_and_left_out(scratch):
    scratch.path(SERVICE_DECISION).unlink()
    result = scratch.validate()
    assert summary(result.issues) == [issue(
        "no_decision", f"products/htx-ong-tam-dao/{SERVICE}/product.yml",
        scratch.position(f"products/htx-ong-tam-dao/{SERVICE}/product.yml", "id:"), "id",
        "warning")]
    assert only(result, "no_decision").message_en.startswith(
        f"no decision in catalog/decisions/ recognises '{SERVICE}' yet, so it is not published")
    assert list(result.catalog.products) == [GOODS]


def test_a_later_decision_replaces_the_earlier_one(scratch):
    scratch.write("catalog/decisions/2026-02-01-upgrade.yml", decision_yml(
        "77/QĐ-BNNMT", "2026-02-01", [(GOODS, 5, 92)], level="ministry"))
    cert = scratch.validate().catalog.products[GOODS].certification
    assert (cert.stars, cert.decision_number, cert.level) == (5, "77/QĐ-BNNMT", "ministry")
    assert [(h.kind, h.number) for h in cert.history] == [
        ("recognition", "385/QĐ-UBND"), ("recognition", "77/QĐ-BNNMT")]


def test_a_revocation_revokes_and_a_later_recognition_certifies_again(scratch):
    scratch.write(REVOKE, revocation())
    product = scratch.validate().catalog.products[GOODS]
    assert product.status(TODAY) == "revoked"
    assert (product.certification.revoked.date, product.certification.revoked.decision_number) \
        == (dt.date(2026, 1, 10), "12/QĐ-UBND")
    assert product.certification.revoked.reason["en"] == "Production stopped"
    # re-rated after the revocation
    scratch.write("catalog/decisions/2026-02-20-rerated.yml", decision_yml(
        "99/QĐ-UBND", "2026-02-20", [(GOODS, 3, None)]))
    product = scratch.validate().catalog.products[GOODS]
    assert (product.status(TODAY), product.certification.stars,
            product.certification.revoked) == ("valid", 3, None)


def test_a_revocation_taking_effect_later_is_not_yet_in_force(scratch):
    scratch.write(REVOKE, revocation().replace(
        "    reason:", "    date: 2026-04-01\n    reason:"))
    product = scratch.validate().catalog.products[GOODS]
    assert product.status(TODAY) == "valid"
    assert product.status(dt.date(2026, 4, 1)) == "revoked"


def test_a_renamed_product_keeps_the_decisions_naming_its_old_id(scratch):
    old_folder, new_folder = scratch.path(f"products/htx-ong-tam-dao/{GOODS}"), \
        scratch.path("products/htx-ong-tam-dao/mat-ong-rung-tam-dao")
    shutil.move(old_folder, new_folder)
    rel = "products/htx-ong-tam-dao/mat-ong-rung-tam-dao/product.yml"
    scratch.edit(rel, f"id: {GOODS}\n", f"id: mat-ong-rung-tam-dao\nformer_ids: [{GOODS}]\n")
    result = scratch.validate()
    assert [i.code for i in result.errors] == []
    assert result.catalog.products["mat-ong-rung-tam-dao"].certification.stars == 4


# --------------------------------------------------------------------------
# What validate says of the register
# --------------------------------------------------------------------------


def test_a_decision_naming_an_unknown_product(scratch):
    scratch.edit(GOODS_DECISION, f"product: {GOODS}", "product: mat-ong-hoa-rong")
    result = scratch.validate()
    assert issue("decision_unknown_product", GOODS_DECISION,
                 product_at(scratch, GOODS_DECISION, "mat-ong-hoa-rong"),
                 "recognises[0].product") in summary(result.issues)
    assert only(result, "decision_unknown_product").message_en == (
        "no product has the id 'mat-ong-hoa-rong' (did you mean 'mat-ong-hoa-rung'?): write "
        "the id of a folder under products/<producer>/")
    # the goods are then named by no decision
    assert ("no_decision", GOODS_FILE) in [(i.code, i.file) for i in result.issues]


def test_a_product_named_twice_in_one_decision(scratch):
    scratch.edit(GOODS_DECISION, "    score: 78.5\n",
                 f"    score: 78.5\n  - product: {GOODS}\n    stars: 3\n")
    text = scratch.read(GOODS_DECISION)
    second = text.index(f"product: {GOODS}", text.index(f"product: {GOODS}") + 1)
    line = text.count("\n", 0, second) + 1
    column = second - text.rfind("\n", 0, second) + len("product: ")
    result = scratch.validate()
    assert summary(result.issues) == [issue("decision_product_twice", GOODS_DECISION,
                                            (line, column), "recognises[1].product")]
    first_line = text.count("\n", 0, text.index(f"product: {GOODS}")) + 1
    assert only(result, "decision_product_twice").message_en == (
        f"'{GOODS}' is named twice in this decision (first on line {first_line}); keep one")


def test_a_revocation_of_a_product_never_certified(scratch):
    scratch.path(SERVICE_DECISION).unlink()
    scratch.write(REVOKE, revocation(SERVICE))
    result = scratch.validate()
    assert issue("revoke_never_certified", REVOKE, product_at(scratch, REVOKE, SERVICE),
                 "revokes[0].product") in summary(result.issues)
    assert result.catalog is None


def test_a_revocation_before_the_recognition_is_of_a_product_never_certified(scratch):
    scratch.write(REVOKE, revocation(date="2025-01-10"))
    assert [i.code for i in scratch.validate().errors] == ["revoke_never_certified"]


def test_a_decision_dated_in_the_future(scratch):
    scratch.edit(GOODS_DECISION, "date: 2025-06-10", "date: 2026-03-02")
    result = scratch.validate()
    assert summary(result.issues) == [issue(
        "date_future", GOODS_DECISION, scratch.position(GOODS_DECISION, "2026-03-02"), "date")]
    assert only(result, "date_future").message_vi == (
        "ngày 2026-03-02 ở trong tương lai (hôm nay là 2026-03-01)")


@pytest.mark.parametrize("level, stars, date, criteria, ok", [
    ("province", 5, "2025-06-10", "148/2023", False),   # 5 stars: the ministry only
    ("ministry", 5, "2025-06-10", "148/2023", True),
    ("ministry", 4, "2025-06-10", "148/2023", False),
    ("province", 3, "2025-06-10", "148/2023", True),
    ("district", 3, "2025-06-10", "148/2023", True),
    ("district", 4, "2025-06-10", "148/2023", False),   # 4 stars: the province
    ("district", 3, "2025-07-01", "148/2023", False),   # districts were abolished
    ("district", 3, "2021-06-10", "1048/2019", False),  # 1048: the province rated 3 stars
])
def test_who_may_grant_how_many_stars(scratch, level, stars, date, criteria, ok):
    scratch.write(GOODS_DECISION, decision_yml("385/QĐ-UBND", date, [(GOODS, stars, None)],
                                               level=level, criteria=criteria))
    scratch.edit(GOODS_FILE, '"148/2023"', f'"{criteria}"')
    codes = [i.code for i in scratch.validate().issues if i.is_error]
    assert codes == ([] if ok else ["decision_authority"])


def test_the_same_decision_in_two_files(scratch):
    copy = "catalog/decisions/2025-06-10-385-copy.yml"
    scratch.write(copy, scratch.read(GOODS_DECISION))
    result = scratch.validate()
    # said of both: which to keep is the office's choice, not the order of file names
    assert summary(result.errors) == [
        issue("decision_twice", file, scratch.position(file, "385/QĐ-UBND"), "number")
        for file in sorted([copy, GOODS_DECISION])]
    assert [i.message_en.endswith(f"already in {other}; keep one file")
            for i, other in zip(result.errors, [GOODS_DECISION, copy])] == [True, True]


def test_two_recognitions_of_one_day_with_other_stars(scratch):
    other = "catalog/decisions/2025-06-10-other.yml"
    scratch.write(other, decision_yml("386/QĐ-UBND", "2025-06-10", [(GOODS, 3, None)]))
    assert [(i.code, i.file) for i in scratch.validate().errors] == [
        ("decision_same_day", other)]


def test_a_decision_without_products_or_criteria(scratch):
    scratch.write("catalog/decisions/empty.yml", "number: 1/QĐ-UBND\ndate: 2025-01-01\n"
                  "issuer: {vi: UBND tỉnh Vĩnh Phúc, en: Vinh Phuc PPC}\nlevel: province\n")
    scratch.edit(GOODS_DECISION, 'criteria_version: "148/2023"\n', "")
    assert sorted((i.code, i.file) for i in scratch.validate().errors) == [
        ("decision_criteria_missing", GOODS_DECISION),
        ("decision_empty", "catalog/decisions/empty.yml")]


def test_the_decision_and_the_product_must_name_the_same_criteria(scratch):
    scratch.edit(GOODS_FILE, '"148/2023"', '"26/2026"')
    result = scratch.validate()
    # said on the decision, and on the product record, where its producer looks
    assert summary(result.errors) == [
        issue("decision_criteria_mismatch", GOODS_DECISION,
              product_at(scratch, GOODS_DECISION, GOODS), "recognises[0].product"),
        issue("decision_criteria_mismatch", GOODS_FILE,
              scratch.position(GOODS_FILE, '"26/2026"'), "category.criteria_version")]
    for found in result.errors:
        assert found.message_en == (
            f"'{GOODS}' is rated under 148/2023 by decision 385/QĐ-UBND ({GOODS_DECISION}), "
            f"but its record {GOODS_FILE} gives the criteria set of 26/2026: update "
            f"'category' in {GOODS_FILE}")
        assert found.message_vi.startswith(f"'{GOODS}' được đánh giá theo 148/2023 trong quyết "
                                           "định 385/QĐ-UBND")


@pytest.mark.parametrize("name", ["2025-10-01-9.yaml", "2025-10-01-9.YML", "ghi-chu.txt",
                                  "2026/quyet-dinh-9.yml.bak"])
def test_a_file_of_the_register_that_is_not_read_is_warned_about(scratch, name):
    rel = f"catalog/decisions/{name}"
    scratch.write(rel, decision_yml("9/QĐ-UBND", "2025-10-01", [(GOODS, 5, None)]))
    scratch.write("catalog/decisions/_ghi-chu.txt", "a note the office keeps")
    result = scratch.validate()
    assert summary(result.issues) == [issue("decision_file_ignored", rel, (1, 1), "", "warning")]
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert only(result, "decision_file_ignored").message_en == (
        f"{name.rsplit('/', 1)[-1]} is not read: only the files of catalog/decisions/ whose "
        f"names end in .yml are decisions. If it is one, rename it {stem}.yml; if it is not "
        "(a note, a scan), start its name with _")
    assert result.catalog.products[GOODS].certification.stars == 4  # not read


def test_a_broken_decision_does_not_also_report_its_products_as_unrated(scratch):
    scratch.edit(GOODS_DECISION, "level: province", "level: provinc")
    assert [i.code for i in scratch.validate().issues] == ["unknown_value"]


def test_drafts_and_templates_in_the_register_are_not_read(scratch):
    scratch.write("catalog/decisions/_mau.yml", "this: is not a decision")
    scratch.write("catalog/decisions/.draft.yml", "nor: this")
    scratch.write("catalog/decisions/2026/2026-01-05-7.yml", decision_yml(
        "7/QĐ-UBND", "2026-01-05", [(SERVICE, 3, 60)]))
    result = scratch.validate()
    assert result.issues == ()
    assert result.catalog.products[SERVICE].certification.decision_number == "7/QĐ-UBND"


def test_the_register_is_judged_on_the_day_given(scratch):
    # 36 months after 2025-06-10
    assert scratch.validate().catalog.products[GOODS].valid_until == dt.date(2028, 6, 10)
    from ocop_catalog.records.loader import load_catalog
    from ocop_catalog.settings import load_settings

    late = load_catalog(load_settings(scratch.root, today=dt.date(2028, 6, 11)))
    assert [(i.code, i.file) for i in late.issues] == [
        ("cert_expired", GOODS_DECISION), ("cert_expiring", SERVICE_DECISION)]


# --------------------------------------------------------------------------
# Catalogs from before the register
# --------------------------------------------------------------------------

OLD_CERTIFICATION = {
    GOODS: ("certification:\n  stars: 4\n  score: 78.5\n  decision_number: 385/QĐ-UBND\n"
            "  decision_date: 2025-06-10\n  issuer:\n    vi: UBND tỉnh Vĩnh Phúc\n"
            "    en: Vinh Phuc Provincial People's Committee\n  evaluation: re_rating\n"),
    SERVICE: ("certification:\n  stars: 3\n  decision_number: 120/QĐ-UBND\n"
              "  decision_date: 2023-09-01\n  issuer: UBND huyện Tam Đảo\n"
              "  revoked:\n    date: 2026-01-10\n    decision_number: 12/QĐ-UBND\n"
              "    reason: {vi: Ngừng sản xuất, en: Production stopped}\n"),
}


def test_the_migration_tool_moves_certificates_into_the_register(scratch):
    """A catalog in the old form (certificates in product.yml) migrates to the same
    certificates, statuses included, with every other line of the records kept."""
    shutil.rmtree(scratch.path("catalog/decisions"))
    expected = {}
    for product, block in OLD_CERTIFICATION.items():
        rel = f"products/htx-ong-tam-dao/{product}/product.yml"
        scratch.edit(rel, "origin:\n", block + "origin:\n")
        old = yaml.safe_load(block)["certification"]
        end = certs.add_months(old["decision_date"], certs.VALIDITY_MONTHS)
        status = ("revoked" if "revoked" in old else
                  "expired" if end < TODAY else
                  "expiring" if (end - TODAY).days <= 180 else "valid")
        expected[product] = (old["stars"], old.get("score"), old["decision_number"],
                             old["decision_date"], end, status)
    before = {rel: scratch.read(rel) for rel in (GOODS_FILE,)}
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "migrate_certificates.py"),
                           str(scratch.root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "3 decision files" in done.stdout
    assert scratch.read(GOODS_FILE) == before[GOODS_FILE].replace(OLD_CERTIFICATION[GOODS], "")
    result = scratch.validate()
    assert [i.code for i in result.errors] == []
    found = {p.id: (p.certification.stars, p.certification.score,
                    p.certification.decision_number, p.certification.decision_date,
                    p.valid_until, p.status(TODAY)) for p in result.catalog.products.values()}
    assert found == expected
    revoked = result.catalog.products[SERVICE].certification.revoked
    assert (revoked.decision_number, revoked.reason["vi"]) == ("12/QĐ-UBND", "Ngừng sản xuất")
    assert result.catalog.products[SERVICE].certification.level == "district"
    # run again: nothing left to move, and nothing is overwritten
    again = subprocess.run([sys.executable, str(ROOT / "tools" / "migrate_certificates.py"),
                            str(scratch.root)], capture_output=True, text=True)
    assert again.returncode == 0 and "0 decision files" in again.stdout


def test_the_sample_register_gives_every_certificate_state():
    """The migrated sample keeps valid, expiring, expired and revoked certificates."""
    from ocop_catalog.records.loader import load_catalog
    from ocop_catalog.settings import load_settings

    day = dt.date(2026, 12, 2)
    result = load_catalog(load_settings(ROOT, today=day))
    assert result.errors == ()
    states = {p.status(day) for p in result.catalog.products.values()}
    assert states == {"valid", "expiring", "expired", "revoked"}
    assert not any("certification" in yaml.safe_load(p.read_text(encoding="utf-8"))
                   for p in ROOT.glob("products/*/*/product.yml"))


# --------------------------------------------------------------------------
# A second revocation
# --------------------------------------------------------------------------

LATER_REVOKE = "catalog/decisions/2026-02-20-thu-hoi-lai.yml"


@pytest.mark.parametrize("second_date, second_effect", [
    ("2026-02-20", None),          # a later decision, taking effect on its date
    ("2026-02-20", "2027-01-01"),  # a later decision taking effect in the future
    ("2026-01-10", None),          # the same day, in another file
])
def test_a_second_revocation_neither_moves_nor_undoes_the_first(scratch, second_date,
                                                              second_effect):
    scratch.write(REVOKE, revocation())
    effect = f"    date: {second_effect}\n" if second_effect else ""
    scratch.write(LATER_REVOKE, revocation(date=second_date).replace(
        "12/QĐ-UBND", "30/QĐ-UBND").replace("    reason:", effect + "    reason:"))
    result = scratch.validate()
    assert summary(result.errors) == [issue(
        "revoke_already_revoked", LATER_REVOKE, product_at(scratch, LATER_REVOKE, GOODS),
        "revokes[0].product")]
    found = only(result, "revoke_already_revoked")
    assert found.message_en.startswith(
        f"'{GOODS}' is revoked here, but its certificate was already revoked by 12/QĐ-UBND "
        f"(taking effect 2026-01-10, in {REVOKE}): the first revocation holds")
    assert found.message_vi.startswith(f"'{GOODS}' bị thu hồi ở đây")
    # what the catalog would say without the error: still the first revocation
    from ocop_catalog.records import register
    from ocop_catalog.records.loader import read_record

    settings = scratch.settings()
    entries = register.read_register(settings, read_record).entries
    known = [register.KnownProduct(GOODS, (), "148/2023", GOODS_FILE)]
    cert = register.certify(entries, known, [GOODS, SERVICE], settings)[GOODS]
    assert (cert.revoked.decision_number, cert.revoked.date) == ("12/QĐ-UBND",
                                                                 dt.date(2026, 1, 10))
    assert certs.status(cert, TODAY) == "revoked"
    assert certs.status(cert, dt.date(2027, 6, 1)) == "revoked"


def test_a_revocation_after_a_re_rating_is_not_a_second_one(scratch):
    scratch.write(REVOKE, revocation())
    scratch.write("catalog/decisions/2026-02-01-rerated.yml", decision_yml(
        "99/QĐ-UBND", "2026-02-01", [(GOODS, 3, None)]))
    scratch.write(LATER_REVOKE, revocation(date="2026-02-20").replace("12/QĐ-UBND", "30/QĐ-UBND"))
    result = scratch.validate()
    assert result.errors == ()
    revoked = result.catalog.products[GOODS].certification.revoked
    assert (revoked.decision_number, revoked.date) == ("30/QĐ-UBND", dt.date(2026, 2, 20))
