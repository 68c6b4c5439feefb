"""Whose catalog it is comes from configuration, never from the theme.

The packaged UI strings name no province and say nothing of sample data; the
catalog's ``identity:`` options (name, region, tagline, footer note, office…) reach
every page, the feeds and the posters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from ocop_catalog.edition.identity import IdentityError, parse_identity
from ocop_catalog.edition.theme import PACKAGED
from scratch import build_catalog
from siteutil import run_build

LANGUAGES = ("vi", "en", "zh")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_packaged_ui_string_names_a_province_or_sample_data(lang):
    text = (PACKAGED / "ocop" / "i18n" / f"{lang}.yml").read_text(encoding="utf-8")
    for word in ("Vĩnh Phúc", "Vinh Phuc", "永福", "Phú Thọ", "Phu Tho", "富寿", "mẫu",
                 "Sample", "示例", "minh họa", "illustrative"):
        assert word not in text, f"{lang}.yml says {word!r}"


@pytest.mark.parametrize("raw, named", [
    (None, "identity: missing"),
    ({}, "identity.name"),
    ({"name": {"en": "OCOP"}}, "identity.name.vi"),
    ({"name": "OCOP", "colour": "red"}, "identity.colour"),
    ({"name": "OCOP\x1b[2J"}, "identity.name.vi"),
    ({"name": "OCOP", "office": {"name": "Văn phòng", "website": "javascript:alert(1)"}},
     "identity.office.website"),
    ({"name": "OCOP", "office": {"phone": "+84"}}, "identity.office.name"),
])
def test_wrong_identity_options_are_named(raw, named):
    with pytest.raises(IdentityError, match=re.escape(named)):
        parse_identity(raw, LANGUAGES)


def test_identity_texts_fall_back_to_vietnamese():
    identity = parse_identity({"name": {"vi": "Sản phẩm OCOP Lào Cai", "ko": "x"},
                               "search_examples": "chè, mật ong"}, LANGUAGES)
    strings = identity.apply({"vi": {"search.placeholder_examples": "Ví dụ: {examples}"},
                              "en": {"search.placeholder_examples": "e.g. {examples}"}})
    assert strings["en"]["site.name"] == "Sản phẩm OCOP Lào Cai"
    assert strings["en"]["search.placeholder"] == "e.g. chè, mật ong"


def test_a_catalog_without_identity_does_not_build(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    config = scratch.read("site_config.yml")
    scratch.write("site_config.yml", re.sub(r"\n      identity: .*\n", "\n", config))
    result = run_build(scratch.root, tmp_path / "site")
    assert result.returncode == 1
    assert "identity: missing" in result.stderr and "Traceback" not in result.stderr


def test_the_identity_reaches_pages_feeds_and_posters(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    config = yaml.safe_load(scratch.read("site_config.yml").replace("!ENV", ""))
    options = next(p["ocop"] for p in config["plugins"] if "ocop" in p)
    options["identity"] = {
        "name": {"vi": "Sản phẩm OCOP Thử Nghiệm", "en": "Test OCOP products"},
        "office": {"name": {"vi": "Văn phòng Điều phối OCOP thử nghiệm"},
                   "phone": "+84 000 111 222", "email": "ocop@example.org"},
    }
    scratch.write("site_config.yml", yaml.safe_dump(config, allow_unicode=True))
    site = tmp_path / "site"
    result = run_build(scratch.root, site)
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "en/index.html", "products/index.html", "about-ocop/index.html"):
        html = (site / page).read_text(encoding="utf-8") if (site / page).is_file() else None
        if html is None:
            continue
        assert "Văn phòng Điều phối OCOP thử nghiệm" in html, page
        assert "ocop@example.org" in html, page
    assert "Test OCOP products" in (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "Test OCOP products" in (site / "feeds" / "atom" / "en.xml").read_text(encoding="utf-8")
    assert "Sản phẩm OCOP Thử Nghiệm" in (site / "feeds" / "google" / "vi.xml").read_text(
        encoding="utf-8")
