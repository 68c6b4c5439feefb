"""What the validator reports about records, and exactly where.

Each test starts from the valid scratch catalog (tests/scratch.py), changes one
thing and compares the complete list of issues, as
``(code, severity, file, line, column, field)`` tuples, with what a producer
should see. Positions are computed from the YAML text by ``Scratch.position``.
"""

from __future__ import annotations

import os

import pytest

from ocop_catalog.catalog.links import derived_code
from ocop_catalog.records.history import Published, PublishedProduct
from ocop_catalog.records.issues import WARNING_CODES
from ocop_catalog.records.messages import MESSAGES
from scratch import (
    GOODS,
    GOODS_DECISION,
    SERVICE_DECISION,
    GOODS_DIR,
    GOODS_FILE,
    PRODUCER,
    PRODUCER_FILE,
    SALES_POINTS_FILE,
    SERVICE,
    SERVICE_DIR,
    SERVICE_FILE,
    TODAY,
    bilevel_png,
    image_bytes,
    issue,
    noisy_jpeg,
)

SECOND_PHOTO = "file: 2.jpg"  # photos[1] of the goods product
RECORD_START = (2, 1)  # the first key, after the yaml-language-server comment


def only(result, code):
    """The one issue with ``code``."""
    found = [i for i in result.issues if i.code == code]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------
# The baseline
# --------------------------------------------------------------------------


def test_baseline_is_valid_without_warnings(scratch):
    result = scratch.validate()
    assert result.issues == ()
    assert result.catalog is not None
    assert set(result.catalog.products) == {GOODS, SERVICE}
    assert set(result.catalog.producers) == {PRODUCER}


def test_baseline_is_judged_on_the_fixed_day(scratch):
    assert scratch.settings().today == TODAY
    assert scratch.settings().languages == ("vi", "en", "zh")
    assert scratch.settings().translation_warnings == ("en",)


def test_every_message_code_is_bilingual():
    assert WARNING_CODES <= set(MESSAGES)
    for code, (en, vi) in MESSAGES.items():
        assert en.strip() and vi.strip() and en != vi, code


# --------------------------------------------------------------------------
# Reading the YAML
# --------------------------------------------------------------------------


def test_yaml_syntax_error(scratch):
    # PyYAML's words ("while parsing a block mapping did not find expected key") are
    # never shown: the message says how to indent the line (tests/test_messages.py)
    scratch.edit(GOODS_FILE, "  amount: 250000\n", "  amount: 250000\n bad: [\n")
    result = scratch.validate()
    assert scratch.issues() == [
        issue("yaml_indentation", GOODS_FILE, scratch.position(GOODS_FILE, " bad: [", 1), "")
    ]
    amount, price = (scratch.position(GOODS_FILE, s)[0] for s in ("amount:", "price:"))
    assert result.issues[0].message_en == (
        f"`bad:` does not line up with the lines above it: write it with 2 spaces, like "
        f"`amount:` on line {amount}, or at the start of the line, like `price:` on line "
        f"{price}")
    assert "block mapping" not in result.issues[0].message_en
    assert result.catalog is None


@pytest.mark.parametrize(
    "written, shown",
    [
        ('!!python/object/apply:os.system ["touch pwned"]', "!!python/object/apply:os.system"),
        ("!stars 4", "!stars"),
    ],
)
def test_yaml_tags_are_refused(scratch, monkeypatch, written, shown):
    monkeypatch.chdir(scratch.root)
    scratch.edit(GOODS_DECISION, "stars: 4", f"stars: {written}")
    at = scratch.position(GOODS_DECISION, written)
    assert scratch.issues() == [issue("yaml_tag", GOODS_DECISION, at, "recognises[0].stars")]
    assert shown in only(scratch.validate(), "yaml_tag").message_en
    assert not (scratch.root / "pwned").exists()


def test_yaml_alias_is_refused_at_its_anchor(scratch):
    scratch.edit(GOODS_DECISION, "    stars: 4\n    score: 78.5\n",
                 "    stars: &s 4\n    score: *s\n")
    at = scratch.position(GOODS_DECISION, "&s 4")
    assert scratch.issues() == [issue("yaml_alias", GOODS_DECISION, at, "recognises[0].stars")]


def test_yaml_merge_key_is_refused(scratch):
    scratch.edit(GOODS_FILE, 'origin:\n  commune: "08911"', 'origin:\n  <<: {commune: "08911"}')
    at = scratch.position(GOODS_FILE, "<<")
    assert scratch.issues() == [issue("yaml_alias", GOODS_FILE, at, "origin")]


def test_duplicate_key_is_refused(scratch):
    # PyYAML would silently keep the last value
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    stars: 5\n")
    first_line = scratch.position(GOODS_DECISION, "stars: 4")[0]
    assert scratch.issues() == [issue(
        "yaml_duplicate_key", GOODS_DECISION, scratch.position(GOODS_DECISION, "stars: 5"),
        "recognises[0].stars")]
    found = only(scratch.validate(), "yaml_duplicate_key")
    assert found.message_en == (
        f"'stars' is written twice (first on line {first_line}); keep one")
    assert found.message_vi.startswith("'stars' bị viết hai lần")


def test_file_that_is_not_utf8(scratch):
    legacy = scratch.read(GOODS_FILE).encode().replace("Mật".encode(), b"M\xe2t")  # Latin-1
    scratch.write_bytes(GOODS_FILE, legacy)
    assert scratch.issues() == [issue("file_unreadable", GOODS_FILE, (1, 1), "")]
    assert "invalid continuation byte" in only(scratch.validate(), "file_unreadable").message_en


def test_empty_file(scratch):
    scratch.write(GOODS_FILE, "# yaml-language-server: $schema=x\n")
    assert scratch.issues() == [issue("empty_file", GOODS_FILE, (1, 1), "")]


def test_folder_without_product_yml(scratch):
    scratch.path(SERVICE_FILE).unlink()
    assert scratch.issues() == [issue("missing_record", SERVICE_FILE, (1, 1), "")]


# --------------------------------------------------------------------------
# Types, keys and values
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, value, field, message",
    [
        ("value: 500", 'value: "500"', '"500"', "net_content.value",
         "expected a number, found text"),
        ("amount: 250000", "amount: 12.5 nghìn", "12.5 nghìn", "price.amount",
         "expected a whole number, found text"),
        ("listed: 2025-07-01", "listed: 2025-07-01 08:30:00", "2025-07-01 08:30:00", "listed",
         "expected a date (YYYY-MM-DD), found a date with a time of day"),
        ("tags: [mật ong, tam đảo]", "tags: mật ong", "mật ong", "tags",
         "expected a list (lines starting with '- '), found text"),
    ],
)
def test_wrong_type(scratch, old, new, value, field, message):
    scratch.edit(GOODS_FILE, old, new)
    at = scratch.position(GOODS_FILE, new, len(new) - len(value))
    assert scratch.issues() == [issue("wrong_type", GOODS_FILE, at, field)]
    assert only(scratch.validate(), "wrong_type").message_en == message


@pytest.mark.parametrize(
    "old, new, value, field, code",
    [
        ("amount: 250000", "amount: 250.000", "250.000", "price.amount", "price_format"),
        ("amount: 250000", "amount: 12.5", "12.5", "price.amount", "price_format"),
        ('gtin: "8930000000019"', "gtin: 8930000000019", "8930000000019", "gtin", "quote_code"),
        ('origin:\n  commune: "08911"', "origin:\n  commune: 8911", "8911", "origin.commune",
         "quote_code"),
    ],
)
def test_common_number_mistakes_have_their_own_message(scratch, old, new, value, field, code):
    scratch.edit(GOODS_FILE, old, new)
    at = scratch.position(GOODS_FILE, new, len(new) - len(value))
    assert scratch.issues() == [issue(code, GOODS_FILE, at, field)]


def test_unknown_key_with_hint(scratch):
    scratch.edit(GOODS_FILE, "  criteria_set:", "  criteria_sett:")
    assert scratch.issues() == [
        # the required field is now missing: reported at its section
        issue("missing", GOODS_FILE, scratch.position(GOODS_FILE, "category:"),
              "category.criteria_set"),
        issue("unknown_key", GOODS_FILE, scratch.position(GOODS_FILE, "criteria_sett"),
              "category.criteria_sett"),
    ]
    found = only(scratch.validate(), "unknown_key")
    assert found.message_en == "unknown field 'criteria_sett' (did you mean 'criteria_set'?)"
    assert found.message_vi == (
        "trường không hợp lệ 'criteria_sett' (có phải ý bạn là 'criteria_set'?)")


def test_unknown_top_level_key_with_hint(scratch):
    scratch.edit(GOODS_FILE, "availability: in_stock", "availabilty: in_stock")
    assert scratch.issues() == [
        issue("unknown_key", GOODS_FILE, scratch.position(GOODS_FILE, "availabilty"),
              "availabilty"),
    ]
    assert "(did you mean 'availability'?)" in only(scratch.validate(), "unknown_key").message_en


def test_unknown_enum_value_with_hint(scratch):
    scratch.edit(GOODS_FILE, "availability: in_stock", "availability: in_stok")
    at = scratch.position(GOODS_FILE, "in_stok")
    assert scratch.issues() == [issue("unknown_value", GOODS_FILE, at, "availability")]
    assert only(scratch.validate(), "unknown_value").message_en == (
        "'in_stok' is not allowed (did you mean 'in_stock'?); allowed: in_stock, "
        "out_of_stock, preorder, backorder, discontinued")


@pytest.mark.parametrize(
    "removed, at, field",
    [
        # a missing top-level field is reported at the start of the record
        ("summary:\n  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.\n"
         "  en: Wild-flower honey harvested on Tam Dao mountain.\n", "id:", "summary"),
        # a missing field of a section, at the section's key
        ("  unit: g\n", "net_content:", "net_content.unit"),
    ],
)
def test_missing_required_field(scratch, removed, at, field):
    scratch.edit(GOODS_FILE, removed, "")
    assert scratch.issues() == [issue("missing", GOODS_FILE, scratch.position(GOODS_FILE, at),
                                      field)]
    *section, name = field.split(".")
    how = (f" in `{section[0]}:`: add `{name}:` under `{section[0]}:`, indented 2 spaces"
           if section else f": add `{name}:` at the start of a line, not indented")
    assert only(scratch.validate(), "missing").message_en == (
        f"required field '{name}' is missing{how}")


def test_missing_required_field_of_a_list_item(scratch):
    # reported at the item, which now starts with its 'alt' key
    scratch.edit(GOODS_FILE, "  - file: 2.jpg\n    alt:\n", "  - alt:\n")
    at = scratch.position(GOODS_FILE, "alt:\n      vi: Khung")
    assert scratch.issues() == [issue("missing", GOODS_FILE, at, "photos[1].file")]


def test_missing_photos(scratch):
    text = scratch.read(GOODS_FILE)
    start, end = text.index("photos:\n"), text.index("sales_points:\n")
    scratch.write(GOODS_FILE, text[:start] + text[end:])
    assert scratch.issues() == [issue("missing", GOODS_FILE, RECORD_START, "photos")]


def test_empty_photo_list(scratch):
    text = scratch.read(GOODS_FILE)
    start, end = text.index("photos:\n"), text.index("sales_points:\n")
    scratch.write(GOODS_FILE, text[:start] + "photos: []\n" + text[end:])
    at = scratch.position(GOODS_FILE, "[]")
    assert scratch.issues() == [issue("too_short", GOODS_FILE, at, "photos")]


@pytest.mark.parametrize("value", ["27", "0"])
def test_unknown_category(scratch, value):
    scratch.edit(GOODS_FILE, "criteria_set: 1\n", f"criteria_set: {value}\n")
    at = scratch.position(GOODS_FILE, f"criteria_set: {value}", len("criteria_set: "))
    assert scratch.issues() == [issue("unknown_category", GOODS_FILE, at,
                                      "category.criteria_set")]
    assert only(scratch.validate(), "unknown_category").message_en.startswith(
        f"criteria set {value} does not exist")


def test_unknown_criteria_version(scratch):
    scratch.edit(GOODS_FILE, '"148/2023"', '"148/2022"')
    at = scratch.position(GOODS_FILE, '"148/2022"')
    assert scratch.issues() == [issue("unknown_value", GOODS_FILE, at,
                                      "category.criteria_version")]


def test_id_must_equal_folder_name(scratch):
    scratch.edit(GOODS_FILE, f"id: {GOODS}", "id: mat-ong-rung")
    at = scratch.position(GOODS_FILE, "mat-ong-rung")
    assert scratch.issues() == [issue("id_mismatch", GOODS_FILE, at, "id")]
    assert only(scratch.validate(), "id_mismatch").message_en == (
        f"id 'mat-ong-rung' must equal the folder name '{GOODS}'")


def test_product_id_may_not_be_a_site_folder(scratch):
    other = scratch.add_goods(PRODUCER, "page")
    at = scratch.position(other, "id: page", 4)
    assert scratch.issues() == [issue("reserved_id", other, at, "id")]
    assert only(scratch.validate(), "reserved_id").message_en.startswith(
        "id 'page' is used by the site itself (products/page/ holds the pages")


def test_former_id_may_not_be_a_site_folder(scratch):
    scratch.edit(GOODS_FILE, "name:\n", "former_ids: [page]\nname:\n")
    at = scratch.position(GOODS_FILE, "[page]", 1)
    assert scratch.issues() == [issue("reserved_id", GOODS_FILE, at, "former_ids[0]")]


def test_id_must_be_a_slug(scratch):
    scratch.edit(GOODS_FILE, f"id: {GOODS}", "id: Mat_Ong")
    at = scratch.position(GOODS_FILE, "Mat_Ong")
    assert scratch.issues() == [issue("pattern", GOODS_FILE, at, "id")]


# --------------------------------------------------------------------------
# References to other records
# --------------------------------------------------------------------------


def test_unknown_commune_with_hint(scratch):
    scratch.edit(GOODS_FILE, 'origin:\n  commune: "08911"', 'origin:\n  commune: "08912"')
    at = scratch.position(GOODS_FILE, '"08912"')
    assert scratch.issues() == [issue("unknown_commune", GOODS_FILE, at, "origin.commune")]
    assert only(scratch.validate(), "unknown_commune").message_en == (
        "commune code '08912' is not in catalog/regions.yml (did you mean '08914'?)")


def test_unknown_legacy_district_with_hint(scratch):
    scratch.edit(GOODS_FILE, "    district: tam-dao\nprice", "    district: tam-dau\nprice")
    at = scratch.position(GOODS_FILE, "tam-dau")
    assert scratch.issues() == [issue("unknown_legacy_district", GOODS_FILE, at,
                                      "origin.legacy.district")]
    assert "(did you mean 'tam-dao'?)" in only(
        scratch.validate(), "unknown_legacy_district").message_en


def test_legacy_district_that_did_not_form_the_commune_is_a_warning(scratch):
    scratch.edit(GOODS_FILE, "    district: tam-dao\nprice", "    district: tam-duong\nprice")
    at = scratch.position(GOODS_FILE, "tam-duong")
    assert scratch.issues() == [issue("legacy_district_mismatch", GOODS_FILE, at,
                                      "origin.legacy.district", "warning")]


def test_unknown_producer(scratch):
    product = scratch.add_goods("htx-khong-ten", "mat-ong-khac")
    assert scratch.issues() == [
        issue("unknown_producer", product, RECORD_START, ""),
        issue("missing_record", "products/htx-khong-ten/producer.yml", (1, 1), ""),
    ]
    assert only(scratch.validate(), "unknown_producer").message_en == (
        "producer folder 'htx-khong-ten' has no valid producer.yml")


def test_invalid_producer_makes_its_products_orphans(scratch):
    scratch.edit(PRODUCER_FILE, "type: HTX", "type: XYZ")
    assert scratch.issues() == [
        issue("unknown_producer", GOODS_FILE, RECORD_START, ""),
        issue("unknown_value", PRODUCER_FILE, scratch.position(PRODUCER_FILE, "XYZ"), "type"),
        issue("unknown_producer", SERVICE_FILE, RECORD_START, ""),
    ]


def test_unknown_sales_point_with_hint(scratch):
    scratch.edit(GOODS_FILE, "  - cho-tam-dao\n", "  - cho-tam-dau\n")
    at = scratch.position(GOODS_FILE, "cho-tam-dau")
    assert scratch.issues() == [issue("unknown_sales_point", GOODS_FILE, at, "sales_points[0]")]
    assert only(scratch.validate(), "unknown_sales_point").message_en == (
        "sales point 'cho-tam-dau' is not in catalog/sales-points.yml "
        "(did you mean 'cho-tam-dao'?)")


def test_sales_point_listed_twice(scratch):
    scratch.edit(GOODS_FILE, "  - diem-ocop-hop-thinh\n", "  - cho-tam-dao\n")
    at = scratch.position(GOODS_FILE, "cho-tam-dao\nmarketplaces", 0)
    assert scratch.issues() == [issue("duplicate_value", GOODS_FILE, at, "sales_points[1]")]


# Without history (nothing known to be published: no --base, no built site) no side of a
# clash is presumed right, whatever order the folders sort in: each record is told.
# With history, only the record that takes what a published product holds is
# (tests/test_published_claims.py runs that through git and the built site).


def test_duplicate_product_id_across_producers(scratch):
    scratch.add_producer("htx-an-hoa")
    other = scratch.add_goods("htx-an-hoa", GOODS)
    assert scratch.issues() == sorted([
        issue("duplicate_id", GOODS_FILE, scratch.position(GOODS_FILE, f"id: {GOODS}", 4), "id"),
        issue("duplicate_id", other, scratch.position(other, f"id: {GOODS}", 4), "id"),
    ])
    told = {i.file: i.message_en for i in scratch.validate().issues}
    assert told[GOODS_FILE].startswith(f"id '{GOODS}' is also used by {other}: ")
    assert told[other].startswith(f"id '{GOODS}' is also used by {GOODS_FILE}: ")


def test_former_id_may_not_reuse_a_current_id(scratch):
    scratch.edit(SERVICE_FILE, "name:\n", f"former_ids: [{GOODS}]\nname:\n")
    at = scratch.position(SERVICE_FILE, f"[{GOODS}]", 1)
    assert scratch.issues() == sorted([
        issue("duplicate_id", GOODS_FILE, scratch.position(GOODS_FILE, f"id: {GOODS}", 4), "id"),
        issue("duplicate_id", SERVICE_FILE, at, "former_ids[0]"),
    ])
    # with the goods published, only the record taking its id is at fault
    published = Published("main", (PublishedProduct(GOODS, (), derived_code(GOODS), None,
                                                    PRODUCER),))
    assert scratch.issues(published=published) == [
        issue("taken_id", SERVICE_FILE, at, "former_ids[0]")]


def test_an_id_among_its_own_former_ids(scratch):
    scratch.edit(GOODS_FILE, f"id: {GOODS}\n", f"id: {GOODS}\nformer_ids: [{GOODS}]\n")
    at = scratch.position(GOODS_FILE, f"[{GOODS}]", 1)
    assert scratch.issues() == [issue("duplicate_id", GOODS_FILE, at, "former_ids[0]")]


def test_duplicate_gtin_across_products(scratch):
    other = scratch.add_goods(PRODUCER, "mat-ong-nhan", gtin="8930000000019")
    assert scratch.issues() == sorted([
        issue("duplicate_gtin", GOODS_FILE, scratch.position(GOODS_FILE, '"8930000000019"'),
              "gtin"),
        issue("duplicate_gtin", other, scratch.position(other, '"8930000000019"'), "gtin"),
    ])
    told = {i.file: i.message_en for i in scratch.validate().issues}
    assert told[other].startswith(f"GTIN 8930000000019 is also used by {GOODS_FILE}: ")


def test_duplicate_gtin_written_with_leading_zero(scratch):
    # GTIN-13 8930000000019 and GTIN-14 08930000000019 are the same number
    other = scratch.add_goods(PRODUCER, "mat-ong-nhan", gtin="08930000000019")
    published = Published("main", (PublishedProduct(GOODS, (), derived_code(GOODS),
                                                    "08930000000019", PRODUCER),))
    assert scratch.issues(published=published) == [
        issue("taken_gtin", other, scratch.position(other, '"08930000000019"'), "gtin"),
    ]


def test_two_products_with_one_qr_code(scratch):
    # a pinned code equal to another product's: one printed code, one product
    scratch.edit(GOODS_FILE, 'gtin: "8930000000019"\n', 'gtin: "8930000000019"\nqr_code: "7hq3k2"\n')
    other = scratch.add_goods(PRODUCER, "mat-ong-nhan")
    scratch.edit(other, 'gtin: "8930000000026"\n', 'gtin: "8930000000026"\nqr_code: "7hq3k2"\n')
    assert scratch.issues() == sorted([
        issue("duplicate_qr_code", GOODS_FILE, scratch.position(GOODS_FILE, '"7hq3k2"'),
              "qr_code"),
        issue("duplicate_qr_code", other, scratch.position(other, '"7hq3k2"'), "qr_code"),
    ])
    told = {i.file: i for i in scratch.validate().issues}
    assert told[other].message_en.startswith(f"QR code '7hq3k2' is also used by {GOODS_FILE}")
    assert "qr_code:" in told[other].message_vi


def test_a_pinned_qr_code_uses_the_unambiguous_alphabet(scratch):
    # "l" and "o" are read as 1 and 0 on a printed label: not allowed
    scratch.edit(GOODS_FILE, 'gtin: "8930000000019"\n', 'gtin: "8930000000019"\nqr_code: "lo1234"\n')
    assert scratch.issues() == [
        issue("pattern", GOODS_FILE, scratch.position(GOODS_FILE, '"lo1234"'), "qr_code"),
    ]
    assert "without i, l, o, u" in only(scratch.validate(), "pattern").message_en


# --------------------------------------------------------------------------
# OCOP rules
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "gtin, code, message",
    [
        ("8930000000018", "gtin_check_digit",
         "GTIN 8930000000018 has a wrong check digit: the last digit should be 9"),
        ("89300000001", "gtin_length",
         "GTIN 89300000001 has 11 digits; a GTIN has 8, 12, 13 or 14"),
        ("893000000000000", "gtin_length",
         "GTIN 893000000000000 has 15 digits; a GTIN has 8, 12, 13 or 14"),
    ],
)
def test_invalid_gtin(scratch, gtin, code, message):
    scratch.edit(GOODS_FILE, '"8930000000019"', f'"{gtin}"')
    assert scratch.issues() == [issue(code, GOODS_FILE, scratch.position(GOODS_FILE, gtin, -1),
                                      "gtin")]
    assert only(scratch.validate(), code).message_en == message


@pytest.mark.parametrize("gtin", ["89300008", "893000000022", "8930000000026", "08930000000026"])
def test_valid_gtin_lengths(scratch, gtin):
    scratch.edit(GOODS_FILE, '"8930000000019"', f'"{gtin}"')
    assert scratch.issues() == []


@pytest.mark.parametrize("written", ["2023-02-30", '"2023-02-30"'])
def test_impossible_date(scratch, written):
    scratch.edit(GOODS_DECISION, "date: 2025-06-10", f"date: {written}")
    at = scratch.position(GOODS_DECISION, written)
    assert scratch.issues() == [issue("date_impossible", GOODS_DECISION, at, "date")]
    assert only(scratch.validate(), "date_impossible").message_en == (
        "'2023-02-30' is not a real date (YYYY-MM-DD)")


def test_decision_date_in_the_future(scratch):
    scratch.edit(GOODS_DECISION, "date: 2025-06-10", "date: 2026-03-02")
    at = scratch.position(GOODS_DECISION, "2026-03-02")
    assert scratch.issues() == [issue("date_future", GOODS_DECISION, at, "date")]
    assert only(scratch.validate(), "date_future").message_en == (
        "2026-03-02 is in the future (today is 2026-03-01)")


def test_decision_dated_today_is_fine(scratch):
    scratch.edit(GOODS_DECISION, "date: 2025-06-10", "date: 2026-03-01")
    assert scratch.issues() == []


@pytest.mark.parametrize("stars", [2, 6])
def test_stars_outside_3_to_5(scratch, stars):
    scratch.edit(GOODS_DECISION, "    stars: 4\n    score: 78.5\n", f"    stars: {stars}\n")
    at = scratch.position(GOODS_DECISION, f"stars: {stars}", len("stars: "))
    assert scratch.issues() == [issue("stars_range", GOODS_DECISION, at, "recognises[0].stars")]
    assert only(scratch.validate(), "stars_range").message_en == (
        f"OCOP stars must be 3, 4 or 5 (1 and 2 stars are not certified), found {stars}")


def test_stars_inconsistent_with_score(scratch):
    scratch.edit(GOODS_DECISION, "    score: 78.5\n", "    score: 91\n")
    at = scratch.position(GOODS_DECISION, "stars: 4", len("stars: "))
    assert scratch.issues() == [issue("stars_score_mismatch", GOODS_DECISION, at,
                                      "recognises[0].stars")]
    assert "gives 5 stars, not 4" in only(scratch.validate(), "stars_score_mismatch").message_en


def test_score_below_50_is_not_certified(scratch):
    scratch.edit(GOODS_DECISION, "    stars: 4\n    score: 78.5\n",
                 "    stars: 3\n    score: 45\n")
    at = scratch.position(GOODS_DECISION, "score: 45", len("score: "))
    assert scratch.issues() == [issue("score_not_certified", GOODS_DECISION, at,
                                      "recognises[0].score")]


def test_criteria_version_not_in_force_on_the_decision_date_is_a_warning(scratch):
    scratch.edit(GOODS_FILE, '"148/2023"', '"26/2026"')
    scratch.edit(GOODS_DECISION, '"148/2023"', '"26/2026"')
    at = scratch.position(GOODS_DECISION, '"26/2026"')
    assert scratch.issues() == [issue("criteria_version_date", GOODS_DECISION, at,
                                      "criteria_version", "warning")]


# --------------------------------------------------------------------------
# Goods and tourism services
# --------------------------------------------------------------------------


def test_tourism_set_without_tourism_section(scratch):
    text = scratch.read(SERVICE_FILE)
    scratch.write(SERVICE_FILE, text[:text.index("tourism:\n")])
    at = scratch.position(SERVICE_FILE, "criteria_set: 26", len("criteria_set: "))
    assert scratch.issues() == [issue("tourism_missing", SERVICE_FILE, at,
                                      "category.criteria_set")]


@pytest.mark.parametrize(
    "added, key",
    [
        ('gtin: "8930000000033"\n', "gtin"),
        ("net_content: {value: 1, unit: pcs}\n", "net_content"),
        ("shelf_life: {value: 1, unit: days}\n", "shelf_life"),
    ],
)
def test_goods_fields_on_a_tourism_service(scratch, added, key):
    scratch.edit(SERVICE_FILE, "photos:\n", added + "photos:\n")
    at = scratch.position(SERVICE_FILE, added)
    assert scratch.issues() == [issue("not_for_services", SERVICE_FILE, at, key)]
    assert only(scratch.validate(), "not_for_services").message_en == (
        f"'{key}' does not apply to a tourism service; remove it")


def test_tourism_section_on_goods(scratch):
    tourism = scratch.read(SERVICE_FILE).split("tourism:\n")[1]
    scratch.edit(GOODS_FILE, "tags:", "tourism:\n" + tourism + "tags:")
    at = scratch.position(GOODS_FILE, "tourism:")
    assert scratch.issues() == [issue("tourism_only", GOODS_FILE, at, "tourism")]


def test_goods_without_price(scratch):
    scratch.edit(GOODS_FILE, "price:\n  amount: 250000\n  unit:\n    vi: hũ 500 g\n"
                 "    en: 500 g jar\n", "")
    assert scratch.issues() == [issue("price_missing", GOODS_FILE, RECORD_START, "")]


# --------------------------------------------------------------------------
# Certificates: warnings
# --------------------------------------------------------------------------


def test_certificate_expiring_within_180_days(scratch):
    # 36 months after 2023-06-10 is 2026-06-10, 101 days after TODAY
    scratch.edit(GOODS_DECISION, "date: 2025-06-10", "date: 2023-06-10")
    at = scratch.position(GOODS_DECISION, f"product: {GOODS}", len("product: "))
    assert scratch.issues() == [issue("cert_expiring", GOODS_DECISION, at,
                                      "recognises[0].product", "warning")]
    assert only(scratch.validate(), "cert_expiring").message_en.startswith(
        f"the OCOP certificate of '{GOODS}' expires on 2026-06-10 (101 days left)")


def test_certificate_expiring_by_its_valid_until(scratch):
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    valid_until: 2026-08-28\n")
    at = scratch.position(GOODS_DECISION, "2026-08-28")
    assert scratch.issues() == [issue("cert_expiring", GOODS_DECISION, at,
                                      "recognises[0].valid_until", "warning")]
    assert "(180 days left)" in only(scratch.validate(), "cert_expiring").message_en


def test_certificate_181_days_from_expiry_is_fine(scratch):
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    valid_until: 2026-08-29\n")
    assert scratch.issues() == []


def test_certificate_expired(scratch):
    scratch.edit(GOODS_DECISION, "recognises:\n", "valid_until: 2026-02-28\nrecognises:\n")
    at = scratch.position(GOODS_DECISION, "2026-02-28")
    assert scratch.issues() == [issue("cert_expired", GOODS_DECISION, at, "valid_until",
                                      "warning")]
    assert only(scratch.validate(), "cert_expired").message_en.startswith(
        f"the OCOP certificate of '{GOODS}' expired on 2026-02-28")


REVOCATION_FILE = "catalog/decisions/2026-01-10-thu-hoi.yml"
REVOCATION = f"""\
number: 12/QĐ-UBND
date: 2026-01-10
issuer: {{vi: UBND tỉnh Vĩnh Phúc, en: Vinh Phuc Provincial People's Committee}}
level: province
revokes:
  - product: {GOODS}
    reason: Ngừng sản xuất
"""


def test_revoked_certificate_is_not_reported_as_expired(scratch):
    scratch.edit(GOODS_DECISION, "recognises:\n", "valid_until: 2026-02-28\nrecognises:\n")
    scratch.write(REVOCATION_FILE, REVOCATION)
    # the revocation reason is a text: without English it is only a warning
    at = scratch.position(REVOCATION_FILE, "Ngừng sản xuất")
    assert scratch.issues() == [issue("missing_translation", REVOCATION_FILE, at,
                                      "revokes[0].reason", "warning")]
    assert scratch.validate().catalog.products[GOODS].status(TODAY) == "revoked"


# --------------------------------------------------------------------------
# Texts: languages, Markdown and links
# --------------------------------------------------------------------------


def test_missing_translation_is_a_warning(scratch):
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", "")
    at = scratch.position(GOODS_FILE, "vi: Mật ong hoa rừng Tam Đảo")
    assert scratch.issues() == [issue("missing_translation", GOODS_FILE, at, "name", "warning")]
    found = only(scratch.validate(), "missing_translation")
    assert found.message_en == "no English text; Vietnamese will be shown instead"
    assert found.message_vi == "chưa có bản tiếng Anh; trang sẽ hiển thị tiếng Việt thay thế"


def test_plain_string_is_vietnamese_and_lacks_english(scratch):
    scratch.edit(GOODS_FILE, "name:\n  vi: Mật ong hoa rừng Tam Đảo\n"
                 "  en: Tam Dao wild-flower honey\n", "name: Mật ong hoa rừng Tam Đảo\n")
    at = scratch.position(GOODS_FILE, "Mật ong hoa rừng Tam Đảo")
    assert scratch.issues() == [issue("missing_translation", GOODS_FILE, at, "name", "warning")]


def test_missing_chinese_is_not_reported(scratch):
    # zh is a site language but not in translation_warnings
    assert "zh" not in scratch.read(GOODS_FILE)
    assert scratch.issues() == []


def test_unknown_language(scratch):
    # a key that is not a language code is an error; a language the site does not
    # publish (fr:) is ignored with one note (tests/test_languages.py)
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  en: Tam Dao wild-flower honey\n  French: Miel de fleurs sauvages\n")
    at = scratch.position(GOODS_FILE, "French:")
    assert scratch.issues() == [issue("unknown_language", GOODS_FILE, at, "name.French")]
    assert only(scratch.validate(), "unknown_language").message_en == (
        "'French' is not a language code: write the language as a code of two or three "
        "lower-case letters (the site publishes vi, en, zh)")


def test_missing_vietnamese(scratch):
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n", "")
    at = scratch.position(GOODS_FILE, "en: Tam Dao wild-flower honey")
    assert scratch.issues() == [issue("missing_vi", GOODS_FILE, at, "name")]


def test_empty_vietnamese(scratch):
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n", '  vi: "  "\n')
    at = scratch.position(GOODS_FILE, '  vi: "  "', 2)
    assert scratch.issues() == [issue("missing_vi", GOODS_FILE, at, "name")]


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)//shopee.vn", "ftp://shopee.vn/mat-ong", "mailto:ban-hang@example.com",
     "shopee.vn/mat-ong", "https://shopee.vn/mat ong"],
)
def test_marketplace_link_must_be_http(scratch, link):
    scratch.edit(GOODS_FILE, "url: https://shopee.vn/mat-ong-hoa-rung-tam-dao", f"url: {link}")
    at = scratch.position(GOODS_FILE, link)
    assert scratch.issues() == [issue("link_scheme", GOODS_FILE, at, "marketplaces[0].url")]


DESCRIPTION_LINE = "    Xem [trang của HTX](https://htx-ong.example.com/mat-ong).\n"


def markdown_issue(scratch, code, inserted, needle):
    """An issue in the Vietnamese description (a literal block): reported where
    ``needle`` is written in the ``inserted`` text of the file."""
    text = scratch.read(GOODS_FILE)
    index = text.index(inserted) + inserted.index(needle)
    line = text.count("\n", 0, index) + 1
    return issue(code, GOODS_FILE, (line, index - text.rfind("\n", 0, index)), "description.vi")


@pytest.mark.parametrize(
    "markdown, target",
    [
        ("Xem [trang](javascript:alert(1)).", "javascript:alert(1"),
        ("Xem [trang](ftp://htx-ong.example.com/).", "ftp://htx-ong.example.com/"),
        ("Xem ![ảnh](data:image/png;base64,AAAA).", "data:image/png;base64,AAAA"),
        ("Xem [trang][htx].\n\n    [htx]: javascript:alert(1)", "javascript:alert(1)"),
        ("Xem [trang][htx].\n\n    [htx]: <ftp://htx-ong.example.com/>",
         "ftp://htx-ong.example.com/"),
        ("Xem [trang](/mat-ong).", "/mat-ong"),
        ("Xem [mục giá](#gia).", "#gia"),
        ("Xem [trang](<ftp://htx-ong.example.com/>).", "ftp://htx-ong.example.com/"),
        # link texts with nested or escaped brackets, and an image inside a link
        ("Xem [trang [HTX]](javascript:alert(1)).", "javascript:alert(1"),
        ("Xem [trang\\]](javascript:alert(1)).", "javascript:alert(1"),
        ("[![ảnh](https://htx-ong.example.com/a.jpg)](javascript:alert(1))", "javascript:alert(1"),
        ("Gửi thư: <mailto:htx-ong@example.com>.", "mailto:htx-ong@example.com"),
        ("Xem <javascript:alert(1)>.", "javascript:alert(1)"),
    ],
)
def test_markdown_link_must_be_http(scratch, markdown, target):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    assert scratch.issues() == [markdown_issue(scratch, "link_scheme", markdown, target)]
    assert only(scratch.validate(), "link_scheme").message_en.startswith(f"'{target}' is not")


@pytest.mark.parametrize(
    "markdown, shown",
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<img src="x.jpg" onerror="alert(1)">', '<img src="x.jpg" onerror="alert(1)">'),
        ("Ẩn <!-- ghi chú --> đi.", "<!--"),
        ("<a href='https://htx.vn'>trang</a>", "<a href='https://htx.vn'>"),
        ("Dòng một<br/>dòng hai", "<br/>"),
    ],
)
def test_raw_html_in_markdown(scratch, markdown, shown):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    assert scratch.issues() == [markdown_issue(scratch, "markdown_html", markdown, shown)]
    assert only(scratch.validate(), "markdown_html").message_en == (
        f"raw HTML ({shown}) is not allowed in Markdown text; use Markdown formatting")


@pytest.mark.parametrize(
    "markdown",
    [
        "Thẻ `<script>` bị cấm.",
        "Thẻ ``<img onerror=x>`` bị cấm.",
        "Ví dụ:\n\n    ```\n    <script>alert(1)</script>\n    [x](javascript:alert(1))\n    ```",
        "Ví dụ:\n\n    ~~~html\n    <!-- chú thích -->\n    ~~~",
        "Giá 5 < 10 và 10 > 5; dùng a<b hoặc 3 <= 4.",
        "Xem <https://htx-ong.example.com/mat-ong>.",
        "Xem [trang](<https://htx-ong.example.com/mat ong>).",
        "Xem [trang](https://htx-ong.example.com/a_(b)) và [trang][htx].\n\n"
        "    [htx]: https://htx-ong.example.com/",
    ],
)
def test_markdown_that_is_fine(scratch, markdown):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    assert scratch.issues() == []


# --------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------


def photo_issue(scratch, code, severity="error", needle=SECOND_PHOTO):
    at = scratch.position(GOODS_FILE, needle, len("file: "))
    return issue(code, GOODS_FILE, at, "photos[1].file", severity)


def test_photo_missing(scratch):
    scratch.path(f"{GOODS_DIR}/2.jpg").unlink()
    assert scratch.issues() == [photo_issue(scratch, "photo_missing")]


def test_photo_not_an_image(scratch):
    scratch.write(f"{GOODS_DIR}/2.jpg", "this is not a photo\n")
    assert scratch.issues() == [photo_issue(scratch, "photo_not_image")]


def test_photo_svg_by_extension(scratch):
    scratch.edit(GOODS_FILE, SECOND_PHOTO, "file: 2.svg")
    scratch.write(f"{GOODS_DIR}/2.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    assert scratch.issues() == [photo_issue(scratch, "photo_svg", needle="file: 2.svg")]


@pytest.mark.parametrize(
    "content",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        '\n\n  <svg xmlns="http://www.w3.org/2000/svg"/>\n',
    ],
)
def test_photo_svg_by_content(scratch, content):
    scratch.edit(GOODS_FILE, SECOND_PHOTO, "file: 2.png")
    scratch.write(f"{GOODS_DIR}/2.png", content)
    assert scratch.issues() == [photo_issue(scratch, "photo_svg", needle="file: 2.png")]
    assert "'2.png' is an SVG drawing" in only(scratch.validate(), "photo_svg").message_en


def test_photo_outside_folder_via_dotdot(scratch):
    scratch.write_bytes(f"products/{PRODUCER}/2.jpg", image_bytes())
    scratch.edit(GOODS_FILE, SECOND_PHOTO, "file: ../2.jpg")
    assert scratch.issues() == [photo_issue(scratch, "photo_outside", needle="file: ../2.jpg")]


def test_photo_outside_folder_via_absolute_path(scratch):
    absolute = scratch.path(f"{GOODS_DIR}/2.jpg").as_posix()  # even when it is inside
    scratch.edit(GOODS_FILE, SECOND_PHOTO, f"file: {absolute}")
    assert scratch.issues() == [photo_issue(scratch, "photo_outside", needle=f"file: {absolute}")]


@pytest.mark.parametrize("name", ["..\\\\2.jpg", "C:/2.jpg", "sub/../../2.jpg"])
def test_photo_outside_folder_other_spellings(scratch, name):
    scratch.edit(GOODS_FILE, SECOND_PHOTO, f'file: "{name}"')
    assert scratch.issues() == [photo_issue(scratch, "photo_outside", needle=f'file: "{name}"')]


def test_photo_symlink_leaving_the_folder(scratch):
    scratch.write_bytes("elsewhere/2.jpg", image_bytes())
    photo = scratch.path(f"{GOODS_DIR}/2.jpg")
    photo.unlink()
    photo.symlink_to(scratch.path("elsewhere/2.jpg"))
    assert scratch.issues() == [photo_issue(scratch, "photo_outside")]


def test_photo_symlink_to_a_folder_leaving_the_folder(scratch):
    scratch.write_bytes("elsewhere/2.jpg", image_bytes())
    os.symlink(scratch.path("elsewhere"), scratch.path(f"{GOODS_DIR}/more"))
    scratch.edit(GOODS_FILE, SECOND_PHOTO, "file: more/2.jpg")
    assert scratch.issues() == [photo_issue(scratch, "photo_outside", needle="file: more/2.jpg")]


def test_photo_symlink_loop(scratch):
    photo = scratch.path(f"{GOODS_DIR}/2.jpg")
    photo.unlink()
    photo.symlink_to("2.jpg")
    assert scratch.issues() == [photo_issue(scratch, "photo_outside")]


def test_photo_symlink_inside_the_folder_is_fine(scratch):
    photo = scratch.path(f"{GOODS_DIR}/2.jpg")
    photo.unlink()
    photo.symlink_to("1.jpg")
    assert scratch.issues() == []


def test_photo_name_with_nul_character(scratch):
    scratch.edit(GOODS_FILE, SECOND_PHOTO, 'file: "2\\0.jpg"')
    assert scratch.issues() == [photo_issue(scratch, "photo_outside", needle='file: "2\\0.jpg"')]


def test_photo_larger_than_byte_limit(scratch):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", noisy_jpeg(1200))
    assert scratch.issues(photo_max_bytes=2**20) == [photo_issue(scratch, "photo_too_large")]
    message = only(scratch.validate(photo_max_bytes=2**20), "photo_too_large").message_en
    assert message.startswith("photo '2.jpg' is 1.") and message.endswith("the limit is 1 MB")


def test_photo_decompression_bomb(scratch):
    # 400 megapixels, about 50 KB on disk; Pillow refuses to open it at all
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", bilevel_png(20000, 20000))
    assert scratch.path(f"{GOODS_DIR}/2.jpg").stat().st_size < 100_000
    assert scratch.settings().photo_max_pixels == 50_000_000
    assert scratch.issues() == [photo_issue(scratch, "photo_too_many_pixels")]


def test_photo_larger_than_pixel_limit(scratch):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", bilevel_png(10000, 6000))
    assert scratch.issues() == [photo_issue(scratch, "photo_too_many_pixels")]
    assert only(scratch.validate(), "photo_too_many_pixels").message_en == (
        "photo '2.jpg' is 10000×6000 px (60 megapixels); the limit is 50 megapixels")


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_photo_format_not_accepted(scratch, fmt):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", image_bytes(600, 600, fmt))
    assert scratch.issues() == [photo_issue(scratch, "photo_format")]
    assert only(scratch.validate(), "photo_format").message_en == (
        f"'2.jpg' is a {fmt} image; photos must be JPEG, PNG or WebP")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_photo_png_and_webp_are_accepted(scratch, fmt):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", image_bytes(600, 600, fmt))
    assert scratch.issues() == []


def test_photo_under_500_px_is_a_warning(scratch):
    scratch.write_bytes(f"{GOODS_DIR}/2.jpg", image_bytes(800, 499))
    assert scratch.issues() == [photo_issue(scratch, "photo_small", "warning")]
    assert only(scratch.validate(), "photo_small").message_en == (
        "photo '2.jpg' is 800×499 px; marketplaces need at least 500×500")


def test_photo_without_alt_text_is_a_warning(scratch):
    scratch.edit(GOODS_FILE, "    alt:\n      vi: Khung tổ ong đầy mật\n"
                 "      en: A honeycomb frame full of honey\n", "")
    at = scratch.position(GOODS_FILE, SECOND_PHOTO)
    assert scratch.issues() == [issue("photo_alt_missing", GOODS_FILE, at, "photos[1]",
                                      "warning")]


def test_alt_text_without_english_is_fine(scratch):
    scratch.edit(GOODS_FILE, "      en: A honeycomb frame full of honey\n", "")
    assert scratch.issues() == []


# --------------------------------------------------------------------------
# Catalog-wide files
# --------------------------------------------------------------------------


def test_unknown_commune_in_sales_points(scratch):
    scratch.edit(SALES_POINTS_FILE, 'commune: "08866"', 'commune: "08867"')
    at = scratch.position(SALES_POINTS_FILE, '"08867"')
    assert scratch.issues() == [issue("unknown_commune", SALES_POINTS_FILE, at,
                                      "sales_points[1].address.commune")]


def test_duplicate_sales_point_id(scratch):
    scratch.edit(SALES_POINTS_FILE, "id: diem-ocop-hop-thinh", "id: cho-tam-dao")
    at = scratch.position(SALES_POINTS_FILE, "id: cho-tam-dao\n    name: {vi: Điểm", 4)
    assert scratch.issues() == [
        issue("duplicate_id", SALES_POINTS_FILE, at, "sales_points[1].id"),
        issue("unknown_sales_point", GOODS_FILE,
              scratch.position(GOODS_FILE, "diem-ocop-hop-thinh"), "sales_points[1]"),
    ]


# --------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------


def test_every_problem_is_reported_in_one_run(scratch):
    scratch.edit(GOODS_DECISION, "    stars: 4\n    score: 78.5\n", "    stars: 6\n")
    scratch.edit(GOODS_FILE, "availability: in_stock", "availability: in_stok")
    scratch.edit(GOODS_FILE, "  - platform: shopee\n", "  - platform: shoppe\n")
    scratch.edit(SERVICE_FILE, 'commune: "08914"', 'commune: "08915"')
    scratch.edit(SERVICE_FILE, "  en: Tam Dao bee-keeping experience\n", "")
    scratch.edit(SERVICE_DECISION, "date: 2025-09-01", "date: 2026-06-01")
    scratch.write(f"{SERVICE_DIR}/1.jpg", "not a photo")
    result = scratch.validate()
    assert scratch.issues() == [
        issue("stars_range", GOODS_DECISION, scratch.position(GOODS_DECISION, "6\n"),
              "recognises[0].stars"),
        issue("date_future", SERVICE_DECISION, scratch.position(SERVICE_DECISION, "2026-06-01"),
              "date"),
        issue("unknown_value", GOODS_FILE, scratch.position(GOODS_FILE, "in_stok"),
              "availability"),
        issue("unknown_value", GOODS_FILE, scratch.position(GOODS_FILE, "shoppe"),
              "marketplaces[0].platform"),
        issue("missing_translation", SERVICE_FILE,
              scratch.position(SERVICE_FILE, "vi: Trải nghiệm nuôi ong Tam Đảo"), "name",
              "warning"),
        issue("unknown_commune", SERVICE_FILE, scratch.position(SERVICE_FILE, '"08915"'),
              "origin.commune"),
        issue("photo_not_image", SERVICE_FILE, scratch.position(SERVICE_FILE, "1.jpg"),
              "photos[0].file"),
    ]
    assert result.catalog is None


def test_every_check_of_a_valid_record_is_reported_in_one_run(scratch):
    scratch.edit(GOODS_FILE, SECOND_PHOTO, "file: 3.jpg")
    scratch.edit(GOODS_FILE, "  - cho-tam-dao\n", "  - cho-tam-dau\n")
    scratch.edit(GOODS_FILE, '"8930000000019"', '"8930000000018"')
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", "")
    scratch.edit(PRODUCER_FILE, "    district: tam-dao\n", "    district: tam-dau\n")
    assert sorted(scratch.issues()) == sorted([
        issue("missing_translation", GOODS_FILE,
              scratch.position(GOODS_FILE, "vi: Mật ong hoa rừng Tam Đảo"), "name", "warning"),
        issue("gtin_check_digit", GOODS_FILE, scratch.position(GOODS_FILE, '"8930000000018"'),
              "gtin"),
        issue("photo_missing", GOODS_FILE, scratch.position(GOODS_FILE, "3.jpg"),
              "photos[1].file"),
        issue("unknown_sales_point", GOODS_FILE, scratch.position(GOODS_FILE, "cho-tam-dau"),
              "sales_points[0]"),
        issue("unknown_legacy_district", PRODUCER_FILE,
              scratch.position(PRODUCER_FILE, "tam-dau"), "address.legacy.district"),
    ])


def test_issues_are_sorted_by_file_and_position(scratch):
    scratch.edit(GOODS_FILE, SECOND_PHOTO, "file: 3.jpg")
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", "")
    scratch.edit(SERVICE_FILE, 'commune: "08914"', 'commune: "08915"')
    found = scratch.issues()
    assert found == sorted(found, key=lambda i: (i[2], i[3], i[4]))
    assert len(found) == 3


def test_validation_never_changes_a_file(scratch):
    photo = scratch.path(f"{GOODS_DIR}/2.jpg")
    photo.unlink()
    photo.symlink_to(scratch.path(f"{SERVICE_DIR}/1.jpg"))
    scratch.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    stars: 5\n")
    scratch.edit(SERVICE_FILE, "  en: Tam Dao bee-keeping experience\n", "")
    scratch.write_bytes(f"{SERVICE_DIR}/2.jpg", bilevel_png(20000, 20000))
    scratch.edit(SERVICE_FILE, "tourism:\n", "  - file: 2.jpg\ntourism:\n")
    before = scratch.fingerprint()
    result = scratch.validate()
    assert result.errors and result.warnings
    assert scratch.fingerprint() == before


def test_photos_are_checked_even_when_the_record_has_type_errors(scratch):
    # one run shows both the typing mistake and the missing photo
    scratch.edit(GOODS_FILE, "  value: 500", '  value: "500"')
    scratch.path(f"{GOODS_DIR}/2.jpg").unlink()
    codes = [(i[0], i[5]) for i in scratch.issues()]
    assert ("wrong_type", "net_content.value") in codes
    assert ("photo_missing", "photos[1].file") in codes


def test_record_linked_from_outside_the_repository_is_refused(scratch, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "product.yml"
    outside.write_text(scratch.read(GOODS_FILE), encoding="utf-8")
    scratch.path(GOODS_FILE).unlink()
    scratch.path(GOODS_FILE).symlink_to(outside)
    assert scratch.issues() == [issue("record_outside", GOODS_FILE, (1, 1), "")]


def test_loading_on_several_cores_reports_exactly_what_one_process_does(scratch, monkeypatch):
    import ocop_catalog.records.loader as loader
    from scratch import summary

    # three producers, a product id used twice, a GTIN used twice and a broken record
    scratch.add_producer("htx-an-hoa")
    scratch.add_goods("htx-an-hoa", GOODS)
    scratch.add_producer("htx-binh-minh")
    scratch.add_goods("htx-binh-minh", "mat-ong-nhan", gtin="8930000000019")
    scratch.edit(SERVICE_DECISION, "    stars: 3", "    stars: 9")
    serial = scratch.validate()
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 2)
    parallel = scratch.validate()
    assert summary(parallel.issues) == summary(serial.issues)
    assert {i.code for i in serial.issues} >= {"duplicate_id", "duplicate_gtin", "stars_range"}


def test_markdown_problem_in_a_one_line_text_is_reported_where_it_is(scratch):
    scratch.edit(GOODS_FILE, "  en: |\n    Honey spun from the **members'** hives.",
                 "  en: Honey from <b>our</b> hives.\n    Honey spun from the **members'** hives.")
    issues = [i for i in scratch.issues() if i[0] == "markdown_html"]
    assert issues == [issue("markdown_html", GOODS_FILE, scratch.position(GOODS_FILE, "<b>"),
                            "description.en")]
