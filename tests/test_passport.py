"""The digital product passport (issue 16, part 1; docs/records.md §3): what producers may
write and what the validator says, the passport section of the product page in every
language (parsed HTML, and Chromium for the browser's own re-check of a certification's
end), the JSON-LD a search engine or JSON-LD processor reads, ``ocop passport``'s report,
and hostile text.

Expectations are worked out from the records (YAML read here with PyYAML, the taxonomy
data files, a GS1 check digit computed here), never copied from the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
import yaml
from ocop_catalog.records.messages import MESSAGES
from scratch import GOODS_FILE, PRODUCER_FILE, TODAY, issue
from siteutil import BUILD_EPOCH, REPO, SITE_URL, ocop_command, playwright_or_skip

LANGUAGES = ("vi", "en", "zh")
TITLE = {"vi": "Hộ chiếu số sản phẩm", "en": "Digital product passport", "zh": "数字产品护照"}
NOT_DECLARED = {"vi": "Chưa khai báo", "en": "Not declared", "zh": "未申报"}
EXPIRED = {"vi": "Đã hết hạn", "en": "Expired", "zh": "已过期"}
VALID = {"vi": "Còn hiệu lực", "en": "Valid", "zh": "有效"}
ITEMS = ("product", "producer", "origin", "traceability", "certifications", "dates", "safety",
         "other")
BUILD_DAY = dt.date.fromtimestamp(BUILD_EPOCH)

COMPLETE = ("ong-tam-dao", "mat-ong-hoa-rung")  # the sample's product with every item
PARTIAL = ("tra-hoa-vang-tam-dao", "tra-tui-loc-hoa-vang")  # packed away from its origin
NO_ID = ("tht-gom-huong-canh", "binh-gom-huong-canh")  # no GTIN, no producer identifier


# --------------------------------------------------------------------------
# Independent readings of the records
# --------------------------------------------------------------------------


def gs1_check_digit(body: str) -> int:
    """GS1 mod-10: weights 3, 1, 3… from the right of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def record(producer: str, product: str | None = None, repo: Path = REPO) -> dict:
    folder = repo / "products" / producer
    path = folder / product / "product.yml" if product else folder / "producer.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def criteria_set(category: dict) -> dict:
    """The criteria set's data (with its group and sector ids) from the taxonomy file."""
    name = "qd" + category["criteria_version"].replace("/", "-") + ".yml"
    data = yaml.safe_load((REPO / "generator/ocop_catalog/catalog/taxonomy" / name)
                          .read_text(encoding="utf-8"))
    for sector in data["sectors"]:
        for group in sector["groups"]:
            for item in group["sets"]:
                if item["number"] == category["criteria_set"]:
                    return {**item, "group": group["id"], "sector": sector["id"]}
    raise AssertionError(category)


def expected_states(producer_id: str, product_id: str) -> dict[str, str]:
    """Each item's state as docs/records.md §3 defines it, from the YAML."""
    product, producer = record(producer_id, product_id), record(producer_id)
    crit = criteria_set(product["category"])
    goods, dated = crit["goods"], crit["sector"] in ("food", "beverage", "herbal")
    warned = crit["group"] in ("beverage-alcohol", "herbal-supplement-medicine")

    def state(given, required=True):
        return "present" if given else ("missing" if required else "not_applicable")

    return {
        "product": state(product.get("gtin"), goods),
        "producer": state(producer.get("tax_code") or producer.get("gln")),
        "origin": "present",
        "traceability": state(product.get("traceability_url") or product.get("lots")),
        "certifications": "present",
        "dates": state(product.get("shelf_life") or any(
            lot.get("produced") or lot.get("expires") for lot in product.get("lots") or ()),
            goods and dated),
        "safety": state(product.get("safety_warning"), warned),
        "other": state(product.get("net_content"), goods),
    }


def sample_products() -> list[tuple[str, str]]:
    return sorted((p.parent.parent.name, p.parent.name)
                  for p in (REPO / "products").glob("*/*/product.yml"))


# --------------------------------------------------------------------------
# What producers write, and what the validator says
# --------------------------------------------------------------------------


def add_to_producer(scratch, text: str) -> None:
    scratch.edit(PRODUCER_FILE, "description:\n", text + "description:\n")


def add_to_goods(scratch, text: str) -> None:
    scratch.edit(GOODS_FILE, "photos:\n", text + "photos:\n")


def test_every_passport_field_written_right_is_valid(scratch):
    gln = "893600000000"
    gln += str(gs1_check_digit(gln))
    add_to_producer(scratch, f'tax_code: "2500123456-001"\ngln: "{gln}"\n')
    add_to_goods(scratch, """\
last_processing:
  street: {vi: Xưởng đóng gói, en: Packing plant}
  commune: "00004"
certifications:
  - type: vietgap
    number: VietGAP-TT-01
    issuer: {vi: Trung tâm chứng nhận, en: Certification centre}
    issued: 2025-01-10
    valid_until: 2027-01-09
    url: https://cert.example.vn/VietGAP-TT-01
  - type: self_declaration
    number: 01/2025/HTX
safety_warning: {vi: Không dùng cho trẻ dưới 1 tuổi., en: Not for infants under 1.}
traceability_url: https://truyxuat.example.vn/p/1
""")
    result = scratch.validate()
    assert result.issues == ()
    product = result.catalog.products["mat-ong-hoa-rung"].record
    assert product.last_processing.commune == "00004"  # Hà Nội: any province of the list
    assert [c.type for c in product.certifications] == ["vietgap", "self_declaration"]


def test_tax_code_must_be_ten_digits_or_a_branch_code(scratch):
    add_to_producer(scratch, 'tax_code: "250012345"\n')
    at = scratch.position(PRODUCER_FILE, '"250012345"')
    # (its products are reported too: their producer is not valid)
    assert [i for i in scratch.issues() if i[2] == PRODUCER_FILE] == [
        issue("pattern", PRODUCER_FILE, at, "tax_code")]
    found = next(i for i in scratch.validate().issues if i.code == "pattern")
    assert found.message_en == (
        "'250012345' is not a valid tax code (10 digits, or 10 digits, a hyphen and 3 digits "
        "for a branch, in quotes, e.g. \"2500123456\" or \"2500123456-001\")")
    assert found.message_vi == (
        "'250012345' không phải là mã số thuế (10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 "
        "chữ số với chi nhánh, trong dấu nháy, ví dụ \"2500123456\" hoặc \"2500123456-001\") "
        "hợp lệ")


def test_a_tax_code_without_quotes_is_asked_in_quotes(scratch):
    add_to_producer(scratch, "tax_code: 2500123456\n")
    at = scratch.position(PRODUCER_FILE, "2500123456")
    assert [i for i in scratch.issues() if i[2] == PRODUCER_FILE] == [
        issue("quote_code", PRODUCER_FILE, at, "tax_code")]


def test_gln_with_a_wrong_check_digit_names_the_right_one(scratch):
    body = "893600000001"
    right = gs1_check_digit(body)
    wrong = body + str((right + 1) % 10)
    add_to_producer(scratch, f'gln: "{wrong}"\n')
    at = scratch.position(PRODUCER_FILE, f'"{wrong}"')
    result = scratch.validate()
    assert [(i.code, i.severity, i.line, i.column, i.field) for i in result.issues] == [
        ("gln_check_digit", "error", *at, "gln")]
    assert result.issues[0].message_en == (
        f"GLN {wrong} has a wrong check digit: the last digit should be {right}; copy the GLN "
        "from GS1 Vietnam's certificate")
    assert result.issues[0].message_vi == (
        f"mã GLN {wrong} sai số kiểm tra: chữ số cuối phải là {right}; hãy chép lại mã GLN "
        "theo giấy chứng nhận của GS1 Việt Nam")


def test_last_processing_commune_must_be_in_the_official_list(scratch):
    add_to_goods(scratch, 'last_processing:\n  commune: "99999"\n')
    at = scratch.position(GOODS_FILE, '"99999"')
    assert scratch.issues() == [issue("unknown_processing_commune", GOODS_FILE, at,
                                      "last_processing.commune")]
    message = scratch.validate().issues[0]
    assert message.message_en.startswith(
        "commune code '99999' is not in the official list of communes and wards since "
        "1 July 2025")
    assert message.message_en.endswith("(it may be in any province)")
    assert "(có thể ở tỉnh khác)" in message.message_vi


def test_last_processing_at_the_origin_is_a_warning(scratch):
    origin = yaml.safe_load(scratch.read(GOODS_FILE))["origin"]["commune"]
    add_to_goods(scratch, f'last_processing:\n  commune: "{origin}"\n')
    at = scratch.position(GOODS_FILE, f'commune: "{origin}"\nphotos', len('commune: '))
    assert scratch.issues() == [issue("processing_same_as_origin", GOODS_FILE, at,
                                      "last_processing.commune", "warning")]


def test_certification_type_comes_from_the_list(scratch):
    add_to_goods(scratch, "certifications:\n  - type: vietgapp\n    number: X-1\n")
    at = scratch.position(GOODS_FILE, "vietgapp")
    assert scratch.issues() == [issue("unknown_value", GOODS_FILE, at,
                                      "certifications[0].type")]
    message = scratch.validate().issues[0].message_en
    assert "did you mean 'vietgap'" in message or "'vietgap'" in message
    assert message.endswith("allowed: vietgap, globalgap, organic, haccp, iso22000, "
                            "food_safety, self_declaration")


def test_certification_dates_in_order_and_expired_ones_are_warned(scratch):
    ended = TODAY - dt.timedelta(days=1)
    add_to_goods(scratch, f"""\
certifications:
  - type: organic
    number: ORG-1
    issued: 2025-05-01
    valid_until: 2025-04-30
  - type: haccp
    number: HACCP-7
    valid_until: {ended.isoformat()}
  - type: organic
    number: org-1
""")
    order = scratch.position(GOODS_FILE, "2025-04-30")
    expired = scratch.position(GOODS_FILE, ended.isoformat())
    twice = scratch.position(GOODS_FILE, "org-1")
    assert scratch.issues() == sorted([
        issue("date_order", GOODS_FILE, order, "certifications[0].valid_until"),
        issue("certification_expired", GOODS_FILE, expired, "certifications[1].valid_until",
              "warning"),
        issue("duplicate_certification", GOODS_FILE, twice, "certifications[2].number"),
    ], key=lambda i: (i[2], i[3], i[4]))
    by_code = {i.code: i for i in scratch.validate().issues}
    assert by_code["certification_expired"].message_en == (
        f"the haccp certificate 'HACCP-7' expired on {ended.isoformat()}: the product page "
        "shows it as expired; write the renewed certificate's number and dates, or delete it")
    assert by_code["duplicate_certification"].message_en == (
        "the organic certificate 'org-1' is already listed (item 1 of 'certifications'); "
        "keep one")


def test_traceability_link_is_https_only(scratch):
    add_to_goods(scratch, "traceability_url: http://truyxuat.example.vn/p/1\n")
    at = scratch.position(GOODS_FILE, "http://truyxuat")
    assert scratch.issues() == [issue("traceability_https", GOODS_FILE, at, "traceability_url")]
    message = scratch.validate().issues[0]
    assert message.message_en.startswith(
        "'http://truyxuat.example.vn/p/1' is not an https:// address")


@pytest.mark.parametrize("criteria_set, what", [(14, "alcoholic drinks"),
                                                (18, "health supplements and herbal medicines")])
def test_alcohol_and_supplements_without_safety_warning_are_warned(scratch, criteria_set, what):
    crit = criteria_set_of_scratch(criteria_set)
    assert crit["group"] in ("beverage-alcohol", "herbal-supplement-medicine"), crit
    scratch.edit(GOODS_FILE, "  criteria_set: 1\n", f"  criteria_set: {criteria_set}\n")
    at = scratch.position(GOODS_FILE, f"criteria_set: {criteria_set}", len("criteria_set: "))
    assert scratch.issues() == [issue("safety_warning_missing", GOODS_FILE, at,
                                      "category.criteria_set", "warning")]
    message = scratch.validate().issues[0]
    assert message.message_en.startswith(f"{what} must carry a safety warning (")
    assert "add 'safety_warning:' with the warning as the label prints it" in message.message_en
    assert "hãy thêm 'safety_warning:'" in message.message_vi
    add_to_goods(scratch, "safety_warning: {vi: Cảnh báo., en: Warning.}\n")
    assert scratch.issues() == []


def criteria_set_of_scratch(number: int) -> dict:
    return criteria_set({"criteria_version": "148/2023", "criteria_set": number})


def test_every_new_message_is_documented_and_bilingual():
    docs = (REPO / "docs" / "records.md").read_text(encoding="utf-8")
    for code in ("gln_check_digit", "unknown_processing_commune", "processing_same_as_origin",
                 "duplicate_certification", "certification_expired", "safety_warning_missing",
                 "traceability_https"):
        en, vi = MESSAGES[code]
        assert en and vi and en != vi
        assert re.search(rf"^\| `{code}` \| (error|warning) \|", docs, re.MULTILINE), code


# --------------------------------------------------------------------------
# The product page
# --------------------------------------------------------------------------


def page(site: Path, lang: str, product_id: str):
    prefix = "" if lang == "vi" else f"{lang}/"
    html = (site / prefix / "products" / product_id / "index.html").read_text(encoding="utf-8")
    return lxml.html.fromstring(html)


def text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("which", [COMPLETE, PARTIAL, NO_ID])
def test_passport_section_lists_the_eight_items(sample_site, lang, which):
    producer_id, product_id = which
    product, producer = record(producer_id, product_id), record(producer_id)
    doc = page(sample_site, lang, product_id)
    sections = doc.xpath('//section[@id="passport"]')
    assert len(sections) == 1
    section = sections[0]
    assert text(section.xpath('.//h2')[0]) == TITLE[lang]
    items = section.xpath('./ol/li[@data-item]')
    assert [li.get("data-item") for li in items] == list(ITEMS)
    states = expected_states(producer_id, product_id)
    assert {li.get("data-item"): li.get("data-state") for li in items} == states
    for n, li in enumerate(items, start=1):
        assert text(li.xpath("./h3")[0]).startswith(f"{n}. ")
        if states[li.get("data-item")] == "missing":
            assert NOT_DECLARED[lang] in text(li)
    by_key = {li.get("data-item"): li for li in items}
    assert (text(by_key["product"].xpath(".//*[@data-gtin]")[0]) if product.get("gtin")
            else None) == product.get("gtin")
    taxes = by_key["producer"].xpath(".//*[@data-tax-code]")
    assert [text(t) for t in taxes] == ([producer["tax_code"]] if producer.get("tax_code")
                                        else [])
    # the certifications: the OCOP one, then every other in the record's order
    certs = by_key["certifications"].xpath(".//li[@data-passport-cert]")
    written = product.get("certifications") or []
    assert [li.get("data-type") for li in certs] == [c["type"] for c in written]
    for li, cert in zip(certs, written):
        assert cert["number"] in text(li)
        until = cert.get("valid_until")
        assert li.get("data-valid-until") == (until.isoformat() if until else None)
        assert li.get("data-state") == ("expired" if until and until < BUILD_DAY else "valid")
        if cert.get("issuer"):
            issuer = cert["issuer"]
            assert (issuer.get(lang) or issuer["vi"]) in text(li)
    assert len(by_key["certifications"].xpath('.//li[@data-ocop]')) == 1
    # the story is in the passport
    story = section.xpath('.//*[@data-story]')[0]
    assert (product["summary"].get(lang) or product["summary"]["vi"]) in text(story)
    assert story.xpath(".//a")[0].get("href") == "#desc-title"
    assert doc.xpath('//*[@id="desc-title"]')


@pytest.mark.parametrize("lang", LANGUAGES)
def test_complete_passport_shows_every_value(sample_site, lang):
    producer_id, product_id = COMPLETE
    product, producer = record(producer_id, product_id), record(producer_id)
    assert set(expected_states(producer_id, product_id).values()) == {"present"}
    section = page(sample_site, lang, product_id).xpath('//section[@id="passport"]')[0]
    assert text(section.xpath('.//*[@data-gln]')[0]) == producer["gln"]
    link = section.xpath('.//a[@data-traceability]')[0]
    assert link.get("href") == product["traceability_url"]
    warning = product["safety_warning"].get(lang) or product["safety_warning"]["vi"]
    assert text(section.xpath('.//*[@data-safety]')[0]) == warning
    amount = product["net_content"]
    assert text(section.xpath('.//*[@data-net-content]')[0]).endswith(f" {amount['unit']}")


def test_last_processing_is_named_with_its_commune(sample_site):
    producer_id, product_id = PARTIAL
    place = record(producer_id, product_id)["last_processing"]
    regions = yaml.safe_load((REPO / "catalog/regions.yml").read_text(encoding="utf-8"))
    commune = next(c for c in regions["communes"] if c["code"] == place["commune"])
    for lang in LANGUAGES:
        shown = text(page(sample_site, lang, product_id).xpath('//*[@data-processing]')[0])
        assert (commune["name"].get(lang) or commune["name"]["vi"]) in shown
        assert (place["street"].get(lang) or place["street"]["vi"]) in shown


# --------------------------------------------------------------------------
# JSON-LD
# --------------------------------------------------------------------------


def product_jsonld(site: Path, lang: str, product_id: str) -> dict:
    blocks = [json.loads(s.text) for s in page(site, lang, product_id)
              .xpath('//script[@type="application/ld+json"]')]
    products = [b for b in blocks if b.get("@type") == "Product"]
    assert len(products) == 1
    return products[0]


def test_jsonld_carries_the_passport_and_expands_offline(sample_site):
    pyld = pytest.importorskip("pyld.jsonld")
    producer_id, product_id = COMPLETE
    product, producer = record(producer_id, product_id), record(producer_id)
    data = product_jsonld(sample_site, "en", product_id)
    assert data["@context"]["gs1"] == "https://gs1.org/voc/"
    certs = data["hasCertification"]
    assert certs[0]["certificationRating"]["ratingValue"] in (3, 4, 5)  # OCOP first
    assert [c["certificationIdentification"] for c in certs[1:]] == [
        c["number"] for c in product["certifications"]]
    for got, cert in zip(certs[1:], product["certifications"]):
        assert got["@type"] == "Certification"
        if cert.get("valid_until"):
            assert got["expires"] == cert["valid_until"].isoformat()
    assert data["manufacturer"]["taxID"] == producer["tax_code"]
    assert data["manufacturer"]["globalLocationNumber"] == producer["gln"]
    # what a JSON-LD processor reads: full IRIs of the GS1 Web Vocabulary and schema.org
    expanded = pyld.expand(data)[0]
    gs1, sdo = "https://gs1.org/voc/", "https://schema.org/"
    net = expanded[gs1 + "netContent"][0]
    assert net[gs1 + "value"][0]["@value"] == product["net_content"]["value"]
    assert net[gs1 + "unitCode"][0]["@value"] == {"g": "GRM", "kg": "KGM", "ml": "MLT",
                                                  "l": "LTR"}[product["net_content"]["unit"]]
    safety = expanded[gs1 + "consumerSafetyInformation"][0]
    assert safety == {"@value": product["safety_warning"]["en"], "@language": "en"}
    assert expanded[gs1 + "traceability"][0]["@id"] == product["traceability_url"]
    assert len(expanded[sdo + "hasCertification"]) == 1 + len(product["certifications"])
    assert expanded[sdo + "manufacturer"][0][sdo + "taxID"][0]["@value"] == producer["tax_code"]


def test_jsonld_of_a_product_without_passport_fields_has_no_empty_terms(sample_site):
    producer_id, product_id = NO_ID
    product = record(producer_id, product_id)
    data = product_jsonld(sample_site, "vi", product_id)
    assert len(data["hasCertification"]) == 1 + len(product.get("certifications") or [])
    assert "taxID" not in data["manufacturer"]
    assert "gs1:traceability" not in data and "gs1:consumerSafetyInformation" not in data


# --------------------------------------------------------------------------
# ocop passport
# --------------------------------------------------------------------------


def run_passport(repo: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*ocop_command(), "passport", *args], cwd=repo, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result


def portal_needs(producer_id: str, product_id: str, site_url: str) -> dict[str, bool]:
    product, producer = record(producer_id, product_id), record(producer_id)
    gtin = str(product.get("gtin") or "")
    return {
        "gtin": len(gtin) in (8, 12, 13, 14) and gs1_check_digit(gtin[:-1]) == int(gtin[-1]),
        "image": bool(product.get("photos")) and site_url.startswith("https://"),
        "net_content": bool(product.get("net_content")),
        "producer_id": bool(producer.get("tax_code") or producer.get("gln")),
    }


def test_passport_csv_says_per_product_items_and_portal_readiness():
    rows = list(csv.DictReader(io.StringIO(run_passport(REPO, "--format", "csv").stdout)))
    by_id = {row["product"]: row for row in rows}
    certified = set(by_id)
    for producer_id, product_id in sample_products():
        if product_id not in certified:
            continue  # not recognised by any decision: not published, not in the report
        row = by_id[product_id]
        states = expected_states(producer_id, product_id)
        assert [row[f"item{n}_{key}"] for n, key in enumerate(ITEMS, start=1)] == [
            states[key] for key in ITEMS], product_id
        assert int(row["items_present"]) == list(states.values()).count("present")
        needs = portal_needs(producer_id, product_id, SITE_URL)
        assert {k: row[f"portal_{k}"] == "yes" for k in needs} == needs, product_id
        assert row["portal_ready"] == ("yes" if all(needs.values()) else "no")
    assert by_id[COMPLETE[1]]["portal_ready"] == "yes"
    assert int(by_id[COMPLETE[1]]["items_present"]) == 8


def test_passport_text_names_what_is_missing_in_both_languages():
    out = run_passport(REPO).stdout
    block = out.split(f"products/{NO_ID[0]}/{NO_ID[1]}/product.yml: ")[1].split("\nproducts/")[0]
    assert "thiếu / missing 1: tên sản phẩm và mã GTIN / product name and GTIN (gtin)" in block
    assert "thiếu / missing 2:" in block and "(tax_code / gln (producer.yml))" in block
    assert "chưa sẵn sàng" in block and "not ready" in block
    complete = out.split(f"products/{COMPLETE[0]}/{COMPLETE[1]}/product.yml: ")[1]
    assert complete.splitlines()[1].strip() == "hộ chiếu số / passport: 8/8 [" + " ".join(
        f"{n}✓" for n in range(1, 9)) + "]"


# --------------------------------------------------------------------------
# Hostile text
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A scratch catalog whose passport fields try HTML and spreadsheet formulas, built
    with the theme."""
    import shutil

    from scratch import build_catalog
    from siteutil import run_build

    tmp = tmp_path_factory.mktemp("hostile-passport")
    scratch = build_catalog(tmp / "repo")
    shutil.copytree(REPO / "theme", scratch.root / "theme")
    scratch.edit("site_config.yml", "theme:\n  name: material\n",
                 "theme:\n  name: material\n  custom_dir: theme\n")
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n",
                 "  vi: \"=HYPERLINK(\\\"https://evil.example\\\")\"\n")
    add_to_goods(scratch, """\
certifications:
  - type: organic
    number: "<img src=x onerror=alert(1)>"
    issuer: {vi: "</li><script>alert(2)</script>"}
safety_warning: {vi: "<b>nguy</b> & \\"hiểm\\"", en: "<script>alert(3)</script>"}
traceability_url: "https://x.example.vn/\\"onmouseover=alert(4)"
""")
    assert [i for i in scratch.validate().issues if i.is_error] == []
    result = run_build(scratch.root, tmp / "site")
    assert result.returncode == 0, result.stderr
    return scratch, tmp / "site"


def test_hostile_passport_text_is_escaped(hostile_site):
    scratch, site = hostile_site
    for lang in ("vi", "en"):
        doc = page(site, lang, "mat-ong-hoa-rung")
        section = doc.xpath('//section[@id="passport"]')[0]
        assert section.xpath(".//script") == [] and section.xpath(".//img") == []
        assert section.xpath(".//b") == []
        cert = section.xpath(".//li[@data-passport-cert]")[0]
        assert "<img src=x onerror=alert(1)>" in text(cert)
        assert "</li><script>alert(2)</script>" in text(cert)
        link = section.xpath(".//a[@data-traceability]")[0]
        assert link.get("href") == 'https://x.example.vn/"onmouseover=alert(4)'
        assert link.get("onmouseover") is None
    assert "<script>alert(3)</script>" in text(
        page(site, "en", "mat-ong-hoa-rung").xpath('//*[@data-safety]')[0])
    data = product_jsonld(site, "en", "mat-ong-hoa-rung")
    assert data["gs1:consumerSafetyInformation"]["@value"] == "<script>alert(3)</script>"
    # the CSV report: a name that starts like a formula is text
    out = run_passport(scratch.root, "--format", "csv").stdout
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["product"] == "mat-ong-hoa-rung")
    assert row["name"] == "'=HYPERLINK(\"https://evil.example\")"


# --------------------------------------------------------------------------
# In the browser: a certification's end is re-checked on the visitor's day
# --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ("vi", "en"))
def test_certification_shows_expired_once_its_end_has_passed(browser, sample_base_url, lang):
    playwright_or_skip()
    producer_id, product_id = COMPLETE
    certs = [c for c in record(producer_id, product_id)["certifications"] if c.get("valid_until")]
    assert certs and all(c["valid_until"] >= BUILD_DAY for c in certs)
    last = max(c["valid_until"] for c in certs)
    prefix = "" if lang == "vi" else f"{lang}/"
    for day, expected in ((BUILD_DAY, VALID[lang]), (last + dt.timedelta(days=1), EXPIRED[lang])):
        context = browser.new_context(base_url=sample_base_url)
        page_ = context.new_page()
        errors: list[str] = []
        page_.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
        page_.clock.set_fixed_time(dt.datetime(day.year, day.month, day.day, 12,
                                               tzinfo=dt.timezone.utc))
        page_.goto(f"/{prefix}products/{product_id}/")
        for cert in certs:
            item = page_.locator(f'[data-passport-cert][data-type="{cert["type"]}"]')
            assert item.locator("[data-state-label]").inner_text() == expected
            assert item.get_attribute("data-state") == (
                "valid" if expected == VALID[lang] else "expired")
        heading = page_.locator("#passport-title")
        assert heading.inner_text() == TITLE[lang] and heading.is_visible()
        assert errors == []
        context.close()
