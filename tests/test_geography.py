"""The official list of administrative units since 1 July 2025 (catalog/geography.py):
looking provinces and communes up, checking catalog/regions.yml against the list, and
writing a new province's regions.yml from it."""

from __future__ import annotations

import importlib.util
import typing
import unicodedata

import pytest
import yaml
from ocop_catalog.catalog import geography
from ocop_catalog.records.models import Commune
from scratch import REGIONS_FILE, SALES_POINTS_FILE, SITE_CONFIG, Scratch, issue
from siteutil import REPO

# --------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Lào Cai", "Tỉnh Lào Cai", "lao cai", "LAO CAI", "15",
                                   " tinh lao cai ", "Lào  Cai"])
def test_province_by_code_or_name_in_any_case_with_or_without_diacritics(query):
    found = geography.find_province(query)
    assert found is not None
    assert (found.code, found.name, found.full_name, found.english_name) == (
        "15", "Lào Cai", "Tỉnh Lào Cai", "Lao Cai Province")


def test_centrally_run_cities_are_found_with_or_without_thanh_pho():
    for query in ("Thành phố Hồ Chí Minh", "TP Hồ Chí Minh", "ho chi minh", "79"):
        assert geography.find_province(query).code == "79"
    hanoi = geography.find_province("Hà Nội")
    assert (hanoi.code, hanoi.full_name, hanoi.english_name) == (
        "01", "Thành phố Hà Nội", "Ha Noi City")


def test_a_typo_gives_close_matches():
    assert geography.find_province("Lao Kai") is None
    assert [p.code for p in geography.close_provinces("Lao Kai")] == ["15"]
    assert geography.find_province("Quang Ngai").code == "51"  # no diacritics: found
    assert "51" in [p.code for p in geography.close_provinces("Quãng Ngải")]


@pytest.mark.parametrize("code", ["26", "99", "00", "5"])
def test_an_unknown_code_is_no_province(code):
    """26 was Vĩnh Phúc's code before 1 July 2025; it is part of Phú Thọ (25) now."""
    assert geography.find_province(code) is None
    assert geography.province(code) is None


def test_there_are_34_provinces_and_every_one_has_communes():
    provinces = geography.provinces()
    assert len(provinces) == 34
    assert len({p.code for p in provinces}) == 34
    kinds = set(typing.get_args(Commune.model_fields["kind"].annotation))
    seen: set[str] = set()
    for province in provinces:
        communes = geography.communes(province.code)
        assert communes, province
        for commune in communes:
            assert len(commune.code) == 5 and commune.code.isdigit()
            assert commune.province == province.code
            assert commune.kind in kinds
            assert commune.name == " ".join(commune.name.split())  # no doubled spaces
            assert geography.commune(commune.code) == commune
        seen.update(c.code for c in communes)
    assert len(seen) > 3000  # 3 321 in the list of October 2025


# --------------------------------------------------------------------------
# Communes
# --------------------------------------------------------------------------


def test_commune_by_code():
    xuan_hoa = geography.commune("08749")
    assert (xuan_hoa.name, xuan_hoa.kind, xuan_hoa.province) == ("Phường Xuân Hòa", "phuong", "25")
    assert geography.commune("08746") is None  # the code the sample used to give it
    assert geography.commune("99999") is None


def test_close_communes_by_name_then_by_code():
    by_name = geography.close_communes("08746", "Phường Xuân Hòa", province_code="25")
    assert by_name[0].code == "08749" and len(by_name) == 3
    by_code = geography.close_communes("08746", province_code="25")
    assert by_code[0].code == "08749"  # one digit off
    assert all(c.province == "25" for c in by_name + by_code)
    everywhere = geography.close_communes("00000", "Xã Xuân Hòa")  # no province: the country
    assert len(everywhere) == 3 and len({c.province for c in everywhere}) == 3
    assert all(geography.fold(c.name).endswith(" xuan hoa") for c in everywhere)


def test_english_names_follow_from_the_vietnamese():
    assert geography.commune("08824").english_name == "Tam Son Commune"
    assert geography.commune("08749").english_name == "Xuan Hoa Ward"
    assert geography.commune("08923").english_name == "Dai Dinh Commune"
    special = [c for c in geography.communes("91") if c.kind == "dac-khu"]
    assert "Phu Quoc Special Zone" in [c.english_name for c in special]


def test_same_name_ignores_case_spacing_normal_form_and_tone_mark_placement():
    assert geography.same_name("Phường Xuân Hòa", "phường  xuân hòa")
    assert geography.same_name("Phường Xuân Hòa", unicodedata.normalize("NFD", "Phường Xuân Hòa"))
    assert geography.same_name("Xã Hiệp Hòa", "Xã Hiệp Hoà")
    assert geography.same_name("Xã Ea H'Leo", "Xã Ea H’leo")
    assert not geography.same_name("Phường Xuân Hòa", "Phường Xuân Hoa")
    assert not geography.same_name("Phường Xuân Hòa", "Xã Xuân Hòa")
    assert not geography.same_name("Phường Xuân Hòa", "Xuân Hòa")


# --------------------------------------------------------------------------
# ocop validate: catalog/regions.yml against the official list
# --------------------------------------------------------------------------


def _add_commune(scratch: Scratch, code: str, name: str, kind: str = "xa") -> None:
    scratch.write(REGIONS_FILE, scratch.read(REGIONS_FILE) + (
        f'  - code: "{code}"\n    name: {{vi: {name}, en: Some Commune}}\n'
        f"    kind: {kind}\n    legacy_districts: [tam-dao]\n"))


def test_unknown_commune_code_is_an_error_with_close_matches(scratch):
    _add_commune(scratch, "08746", "Phường Xuân Hòa", "phuong")
    at = scratch.position(REGIONS_FILE, '"08746"')
    assert scratch.issues() == [issue("unofficial_commune", REGIONS_FILE, at, "communes[3].code")]
    found = next(i for i in scratch.validate().issues if i.code == "unofficial_commune")
    assert found.message_en.startswith(
        "commune code '08746' is not in the official list of communes and wards since "
        "1 July 2025")
    closest = found.message_en.split("; closest: ")[1].split(", ")
    assert closest[0] == "08749 Phường Xuân Hòa" and len(closest) == 3
    assert "gần nhất: 08749 Phường Xuân Hòa" in found.message_vi


def test_a_commune_of_another_province_is_refused(scratch):
    _add_commune(scratch, "02647", "Phường Lào Cai", "phuong")
    at = scratch.position(REGIONS_FILE, '"02647"')
    assert scratch.issues() == [
        issue("commune_other_province", REGIONS_FILE, at, "communes[3].code")]
    found = next(i for i in scratch.validate().issues if i.code == "commune_other_province")
    assert found.message_en.startswith(
        "commune code '02647' is Phường Lào Cai of Tỉnh Lào Cai in the official list, not a "
        "commune of Tỉnh Phú Thọ (province code 25): check the code; closest: ")
    assert "thuộc Tỉnh Lào Cai, không thuộc Tỉnh Phú Thọ" in found.message_vi


def test_a_name_that_is_not_the_official_one_is_a_warning(scratch):
    scratch.edit(REGIONS_FILE, "{vi: Xã Đạo Trù,", "{vi: Xã Đạo Trừ,")
    at = scratch.position(REGIONS_FILE, "Xã Đạo Trừ")
    assert scratch.issues() == [issue("commune_name_differs", REGIONS_FILE, at,
                                      "communes[1].name.vi", "warning")]
    found = scratch.validate().issues[0]
    assert found.message_en == (
        "the official name of commune 08914 is 'Xã Đạo Trù', not 'Xã Đạo Trừ': write the "
        "official name (letter case and the place of the tone mark do not matter)")


@pytest.mark.parametrize("name", ["Phường Đạo Trù", "Đạo Trù"])
def test_the_unit_prefix_is_part_of_the_name(scratch, name):
    scratch.edit(REGIONS_FILE, "{vi: Xã Đạo Trù,", f"{{vi: {name},")
    assert [i.code for i in scratch.validate().issues] == ["commune_name_differs"]


def test_case_and_normal_form_do_not_make_another_name(scratch):
    scratch.edit(REGIONS_FILE, "{vi: Xã Đạo Trù,", "{vi: XÃ ĐẠO TRÙ,")
    scratch.edit(REGIONS_FILE, "{vi: Xã Tam Đảo,",
                 "{vi: " + unicodedata.normalize("NFD", "Xã Tam Đảo") + ",")
    assert scratch.issues() == []


def test_a_province_code_not_among_the_34_is_an_error(scratch):
    scratch.edit(REGIONS_FILE, 'code: "25"', 'code: "26"')
    at = scratch.position(REGIONS_FILE, '"26"')
    assert scratch.issues() == [issue("unknown_province", REGIONS_FILE, at, "province.code")]
    found = scratch.validate().issues[0]
    assert found.message_en == (
        "province code '26' is not one of the 34 provinces and centrally-run cities since "
        "1 July 2025 (closest by name: 25 Tỉnh Phú Thọ): write the code of the official "
        "list in 'province: code:'")


def test_the_sample_regions_are_the_official_units_of_phu_tho():
    regions = yaml.safe_load((REPO / "catalog" / "regions.yml").read_text(encoding="utf-8"))
    assert regions["province"]["code"] == "25"
    for commune in regions["communes"]:
        official = geography.commune(commune["code"])
        assert official is not None and official.province == "25", commune
        assert official.name == commune["name"]["vi"]
        assert official.kind == commune["kind"]


# --------------------------------------------------------------------------
# A new province's regions.yml
# --------------------------------------------------------------------------


def _only_regions(root, text: str) -> Scratch:
    """A catalog with no products: its settings, ``text`` as regions.yml, no sales points."""
    scratch = Scratch(root)
    scratch.write("site_config.yml", SITE_CONFIG)
    scratch.write(REGIONS_FILE, text)
    scratch.write(SALES_POINTS_FILE, "sales_points: []\n")
    return scratch


@pytest.mark.parametrize("province", ["Lào Cai", "Quảng Ninh", "ho chi minh", "An Giang"])
def test_generated_regions_validate(tmp_path, province, monkeypatch):
    """Without vietnamadminunits: legacy_districts left empty, and the file says so."""
    monkeypatch.setattr(geography, "_legacy_districts", lambda code: None)
    official = geography.find_province(province)
    text = geography.regions_yaml(province)
    assert text.splitlines()[0] == (REPO / "catalog" / "regions.yml").read_text(
        encoding="utf-8").splitlines()[0]
    assert "TO BE FILLED IN BY THE OCOP OFFICE" in text
    scratch = _only_regions(tmp_path, text)
    result = scratch.validate()
    assert result.issues == ()
    regions = result.catalog.regions
    assert regions.province.code == official.code
    assert regions.province.name("vi") == official.full_name
    assert regions.legacy_districts == ()
    assert [(c.code, c.name("vi"), c.name("en"), c.kind) for c in regions.communes] == [
        (c.code, c.name, c.english_name, c.kind) for c in geography.communes(official.code)]


def test_generated_regions_of_phu_tho_agree_with_the_sample(monkeypatch):
    monkeypatch.setattr(geography, "_legacy_districts", lambda code: None)
    generated = yaml.safe_load(geography.regions_yaml("25"))
    sample = yaml.safe_load((REPO / "catalog" / "regions.yml").read_text(encoding="utf-8"))
    assert generated["province"] == {"code": "25", "name": {"vi": "Tỉnh Phú Thọ",
                                                            "en": "Phu Tho Province"}}
    mine = {c["code"]: c for c in generated["communes"]}
    for commune in sample["communes"]:
        assert mine[commune["code"]]["name"] == commune["name"]
        assert mine[commune["code"]]["kind"] == commune["kind"]


def test_vietnamese_only_when_english_is_not_a_language(monkeypatch):
    monkeypatch.setattr(geography, "_legacy_districts", lambda code: None)
    communes = yaml.safe_load(geography.regions_yaml("15", ("vi",)))["communes"]
    assert all(set(c["name"]) == {"vi"} for c in communes)


def test_an_unknown_province_is_refused_with_close_matches():
    with pytest.raises(ValueError, match=r"'Lao Kai' is not one of the 34 provinces "
                                         r"\(did you mean 15 Tỉnh Lào Cai\?\)"):
        geography.regions_yaml("Lao Kai")


@pytest.mark.skipif(importlib.util.find_spec("vietnamadminunits") is None,
                    reason="vietnamadminunits is not installed (legacy districts are drafted "
                           "from it only when it is)")
@pytest.mark.parametrize("province", ["Lào Cai", "Phú Thọ", "Đồng Tháp"])
def test_legacy_districts_drafted_from_vietnamadminunits(tmp_path, province):
    text = geography.regions_yaml(province)
    assert "DRAFTED from the PyPI package vietnamadminunits" in text
    result = _only_regions(tmp_path, text).validate()
    assert result.issues == ()
    regions = result.catalog.regions
    assert regions.legacy_districts
    assert all(c.legacy_districts for c in regions.communes)
    if province == "Phú Thọ":
        communes = {c.code: c.legacy_districts for c in regions.communes}
        assert communes["08824"] == ("song-lo",)  # Xã Tam Sơn, as in the sample
        assert communes["08749"] == ("phuc-yen",)  # Phường Xuân Hòa
