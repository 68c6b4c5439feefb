"""Production lots in product.yml: what a producer may write, and what the checker says.

A lot code goes into a GS1 barcode (AI 10) and into the lot's QR link, so it is held to
GS1's character set 82 and 20 characters; a code listed twice within a product is
decided by what is already published (the records at a git revision), never by the order
the lots are written in. Every message is checked in both languages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess

import pytest
import yaml
from ocop_catalog.records.history import from_git
from ocop_catalog.records.loader import load_catalog
from scratch import GOODS_FILE, SERVICE_FILE, build_catalog
from siteutil import REPO

LOTS_YAML = """\
lots:
  - code: {first}
    produced: 2026-01-10
    expires: 2027-01-09
    quantity: 500
    test_report: https://lab.example.vn/report/1.pdf
  - code: "{second}"
    produced: 2026-05-02
    expires: 2027-05-01
    recall:
      date: 2026-06-01
      reason: {{vi: Nắp không kín, en: Lid not sealed}}
"""


# --- the sample's lots, read from its records (for the tests of pages, print, resolver) ---

def sample_lots() -> list[tuple[str, dict, dict]]:
    """(product id, product record, lot) of every lot in the sample's records."""
    found = []
    for path in sorted(REPO.glob("products/*/*/product.yml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lot in record.get("lots") or ():
            found.append((record["id"], record, lot))
    return found


LOTS = sample_lots()
GTIN_LOTS = [x for x in LOTS if x[1].get("gtin")]


def state_on(lot: dict, day: dt.date) -> str:
    recall = lot.get("recall")
    if recall and recall["date"] <= day:
        return "recalled"
    if lot.get("expires") and lot["expires"] < day:
        return "expired"
    return "in_date"



def with_lots(scratch, first="L2601", second="L2605", rel=GOODS_FILE) -> None:
    scratch.write(rel, scratch.read(rel) + LOTS_YAML.format(first=first, second=second))


def found(result, code=None):
    return [(i.code, i.field, i.severity) for i in result.issues
            if (code is None or i.code == code) and i.code not in ("cert_expired",
                                                                    "cert_expiring")]


def test_lots_as_documented_are_accepted(scratch):
    with_lots(scratch)
    result = scratch.validate()
    assert found(result) == []
    product = next(p for p in result.catalog.products.values() if p.record.lots)
    assert [lot.code for lot in product.record.lots] == ["L2601", "L2605"]
    assert product.record.lots[1].recall.reason("en") == "Lid not sealed"


@pytest.mark.parametrize("code, char", [("L 01", " "), ("LÔ01", "Ô"), ("A#1", "#"),
                                        ("L\u00a01", "\u00a0"), ("Ａ1", "Ａ")])
def test_a_lot_code_outside_gs1_character_set_82_is_refused(scratch, code, char):
    with_lots(scratch, second=code)
    result = scratch.validate()
    assert found(result) == [("lot_code", "lots[1].code", "error")]
    issue = next(i for i in result.issues if i.code == "lot_code")
    assert f"'{char}'" in issue.message_en and f"'{char}'" in issue.message_vi
    assert "A-Z" in issue.message_en and "không dấu" in issue.message_vi


def test_every_character_of_set_82_is_accepted_and_21_are_too_many(scratch):
    punctuation = "!\"%&'()*+,-.:;<=>?_"  # and "/", which warns (below)
    assert len(punctuation) + 1 == 20
    with_lots(scratch, first="AZaz09", second="")
    scratch.edit(GOODS_FILE, 'code: ""', f"code: {json.dumps(punctuation + 'A')}")
    # valid; but '"*:<>?' cannot be in a file name, so it gets no page of its own
    assert found(scratch.validate()) == [("lot_no_page", "lots[1].code", "warning")]
    scratch.edit(GOODS_FILE, json.dumps(punctuation + "A"), json.dumps(punctuation + "AZ"))
    assert found(scratch.validate()) == [("too_long", "lots[1].code", "error")]


def test_a_test_report_is_linked_over_https_only(scratch):
    with_lots(scratch)
    scratch.edit(GOODS_FILE, "https://lab.example.vn", "http://lab.example.vn")
    result = scratch.validate()
    assert found(result) == [("link_https", "lots[0].test_report", "error")]
    issue = result.issues[0] if result.issues[0].code == "link_https" else next(
        i for i in result.issues if i.code == "link_https")
    assert "https://" in issue.message_en and "https://" in issue.message_vi


def test_dates_of_a_lot_in_order(scratch):
    with_lots(scratch)
    scratch.edit(GOODS_FILE, "expires: 2027-01-09", "expires: 2025-12-31")
    scratch.edit(GOODS_FILE, "date: 2026-06-01", "date: 2026-04-01")
    assert found(scratch.validate()) == [
        ("date_order", "lots[0].expires", "error"),
        ("date_order", "lots[1].recall.date", "error")]


def test_a_code_a_static_host_cannot_serve_is_a_warning(scratch):
    with_lots(scratch, second="26/05")
    assert found(scratch.validate()) == [("lot_no_page", "lots[1].code", "warning")]


def test_services_have_no_lots(scratch):
    with_lots(scratch, rel=SERVICE_FILE)
    assert ("not_for_services", "lots", "error") in found(scratch.validate())


def test_a_lot_code_twice_with_nothing_published_is_reported_on_both(scratch):
    with_lots(scratch, first="L26", second="L26")
    result = scratch.validate()
    assert found(result) == [("duplicate_lot", "lots[0].code", "error"),
                             ("duplicate_lot", "lots[1].code", "error")]
    first = next(i for i in result.issues if i.field == "lots[0].code")
    assert "lots[1].code" in first.message_en and "lots[1].code" in first.message_vi


def git(root, *args):
    subprocess.run(["git", "-C", str(root), "-c", "user.name=office", "-c",
                    "user.email=office@example.com", *args], check=True, capture_output=True)


def test_the_published_lot_keeps_its_code_whatever_the_order(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    with_lots(scratch, first="L26", second="L2605")
    git(scratch.root, "init", "-q", "-b", "main")
    git(scratch.root, "add", "-A")
    git(scratch.root, "commit", "-q", "-m", "published")
    # a new lot written first, reusing the published lot's code
    scratch.edit(GOODS_FILE, "lots:\n", "lots:\n  - code: L26\n    produced: 2026-09-09\n")
    published = from_git(scratch.root, "main")
    result = load_catalog(dataclasses.replace(scratch.settings(), published=published))
    assert found(result) == [("taken_lot", "lots[0].code", "error")]
    issue = next(i for i in result.issues if i.code == "taken_lot")
    assert "2026-01-10" in issue.message_en and "2026-01-10" in issue.message_vi
    # nothing published: both are told
    assert found(scratch.validate()) == [("duplicate_lot", "lots[0].code", "error"),
                                         ("duplicate_lot", "lots[1].code", "error")]


def test_the_json_schema_refuses_a_bad_lot_code(scratch):
    from test_schemas import schema_errors

    with_lots(scratch)
    assert schema_errors(scratch.path(GOODS_FILE)) == []
    scratch.edit(GOODS_FILE, "code: L2601", "code: L 2601")
    assert any("lots/0/code" in e for e in schema_errors(scratch.path(GOODS_FILE)))


def test_the_published_site_tells_which_lots_are_published(sample_site):
    """``ocop build`` decides against the site it replaces: its catalog.json lists each
    product's lots with their production dates, as the records have them."""
    import yaml
    from ocop_catalog.records.history import from_catalog_json
    from siteutil import REPO

    published = from_catalog_json(sample_site / "feeds" / "catalog.json")
    by_id = {p.id: p for p in published.products}
    checked = 0
    for path in sorted(REPO.glob("products/*/*/product.yml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected = tuple((str(lot["code"]), lot["produced"].isoformat() if lot.get("produced")
                          else "") for lot in record.get("lots") or ())
        if record["id"] in by_id:
            assert by_id[record["id"]].lots == expected
            checked += len(expected)
    assert checked >= 3
