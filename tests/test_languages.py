"""The site's languages (``languages:`` of the ``ocop`` plugin) and what is not in them.

- A record text in a language the site does not publish is ignored, with one note per
  run (never an error per field), and the file is left as written.
- A published language without UI strings or category names stops ``ocop validate``
  (one error) and the build, before any page is written.
- Authored pages of a language that is not published are not built, nor in the sitemap.
"""

from __future__ import annotations

import json
import re

import pytest
from ocop_catalog import cli
from ocop_catalog.edition.languages import language_gaps, language_issues
from ocop_catalog.edition.theme import PACKAGED, theme_dirs
from ocop_catalog.records.issues import IgnoredTexts, unpublished_note
from scratch import (
    GOODS,
    GOODS_FILE,
    PRODUCER,
    PRODUCER_FILE,
    SALES_POINTS_FILE,
    TODAY,
    Scratch,
    build_catalog,
    summary,
)
from siteutil import REPO, run_build

DAY = ["--today", TODAY.isoformat()]
CONFIG = "site_config.yml"


def publish(scratch: Scratch, languages: str) -> None:
    """Make the scratch catalog publish ``languages`` (e.g. "vi, en")."""
    scratch.edit(CONFIG, "languages: [vi, en, zh]", f"languages: [{languages}]")


def add_texts(scratch: Scratch) -> None:
    """Texts in zh and ko: three in the goods product, one each in the producer and the
    sales points (a Markdown description and a list item among them)."""
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  en: Tam Dao wild-flower honey\n  zh: 三岛野花蜂蜜\n  ko: 땀다오 야생화 꿀\n")
    scratch.edit(GOODS_FILE, "  en: |\n    Honey spun from",
                 "  zh: 成员蜂箱摇出的**蜂蜜**。\n  en: |\n    Honey spun from")
    scratch.edit(PRODUCER_FILE, "  en: Tam Dao Honey Bee Cooperative\n",
                 "  en: Tam Dao Honey Bee Cooperative\n  zh: 三岛蜜蜂合作社\n")
    scratch.edit(SALES_POINTS_FILE, "{vi: Chợ Tam Đảo, en: Tam Dao market}",
                 "{vi: Chợ Tam Đảo, en: Tam Dao market, ko: 땀다오 시장}")


NOTE_EN = ("5 text(s) in languages the site does not publish were ignored: 2 in ko (Korean), "
           "3 in zh (Chinese), in 3 file(s). They stay in the files as written; to publish "
           "them, add the language to 'languages' in site_config.yml (now: vi, en)")
NOTE_VI = ("đã bỏ qua 5 văn bản bằng ngôn ngữ trang không xuất bản: 2 bằng ko (tiếng Hàn), "
           "3 bằng zh (tiếng Trung), trong 3 tệp. Các văn bản vẫn được giữ nguyên trong tệp; "
           "muốn xuất bản, hãy thêm ngôn ngữ vào 'languages' trong site_config.yml "
           "(hiện tại: vi, en)")


# --------------------------------------------------------------------------
# 1. Texts in languages the site does not publish
# --------------------------------------------------------------------------


def test_texts_in_unpublished_languages_are_ignored_with_one_note(scratch):
    publish(scratch, "vi, en")
    add_texts(scratch)
    before = scratch.fingerprint()
    result = scratch.validate()
    assert summary(result.issues) == []  # no unknown_language per field, no warning
    assert result.ignored == (  # by file and language
        IgnoredTexts(SALES_POINTS_FILE, "ko", 1),
        IgnoredTexts(GOODS_FILE, "ko", 1), IgnoredTexts(GOODS_FILE, "zh", 2),
        IgnoredTexts(PRODUCER_FILE, "zh", 1),
    )
    note = result.note()
    assert (note.code, note.message_en, note.message_vi) == (
        "unpublished_language", NOTE_EN, NOTE_VI)
    # left out of the catalog, as if not written
    product = result.catalog.products[GOODS].record
    assert dict(product.name) == {"vi": "Mật ong hoa rừng Tam Đảo",
                                  "en": "Tam Dao wild-flower honey"}
    assert set(product.description) == {"vi", "en"}
    assert set(result.catalog.producers[PRODUCER].record.name) == {"vi", "en"}
    # and nothing the producer wrote is changed
    assert scratch.fingerprint() == before


def test_the_same_texts_are_published_with_their_language(scratch):
    add_texts(scratch)  # languages: [vi, en, zh]
    result = scratch.validate()
    assert summary(result.issues) == []
    assert result.ignored == (IgnoredTexts(SALES_POINTS_FILE, "ko", 1),
                              IgnoredTexts(GOODS_FILE, "ko", 1))
    assert result.catalog.products[GOODS].record.name("zh") == "三岛野花蜂蜜"


def test_loading_on_several_cores_counts_the_same_texts(scratch, monkeypatch):
    from ocop_catalog.records import loader

    publish(scratch, "vi, en")
    add_texts(scratch)
    scratch.add_producer("htx-an-hoa")
    scratch.edit("products/htx-an-hoa/producer.yml", "  en: Tam Dao Honey Bee Cooperative\n",
                 "  en: Tam Dao Honey Bee Cooperative\n  fr: Coopérative apicole\n")
    serial = scratch.validate()
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 2)
    parallel = scratch.validate()
    assert parallel.ignored == serial.ignored
    assert IgnoredTexts("products/htx-an-hoa/producer.yml", "fr", 1) in serial.ignored
    assert len(serial.ignored) == 5


def test_no_note_without_unpublished_texts(scratch):
    result = scratch.validate()
    assert result.ignored == () and result.note() is None


def test_a_key_that_is_not_a_language_code_is_still_an_error(scratch):
    publish(scratch, "vi, en")
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  en: Tam Dao wild-flower honey\n  Chinese: 三岛野花蜂蜜\n  zh: 三岛野花蜂蜜\n")
    at = scratch.position(GOODS_FILE, "Chinese:")
    result = scratch.validate()
    assert summary(result.issues) == [
        ("unknown_language", "error", GOODS_FILE, *at, "name.Chinese")]
    assert result.ignored == (IgnoredTexts(GOODS_FILE, "zh", 1),)


def test_an_ignored_text_is_still_text(scratch):
    # the rules every text follows hold in every language: the text may be published later
    publish(scratch, "vi, en")
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 '  en: Tam Dao wild-flower honey\n  zh: "三岛\\u202e蜂蜜"\n')
    assert [i.code for i in scratch.validate().issues] == ["text_control"]


def test_the_note_in_the_docs_is_the_note_given():
    docs = (REPO / "docs" / "records.md").read_text(encoding="utf-8")
    note = unpublished_note([IgnoredTexts("a.yml", "ko", 2), IgnoredTexts("b.yml", "zh", 1)],
                            ("vi", "en"))
    assert f"    en: {note.message_en}\n" in docs
    assert f"    vi: {note.message_vi}\n" in docs


@pytest.fixture
def repo(scratch, monkeypatch):
    """The scratch catalog publishing vi and en, with texts in zh and ko, as the
    current folder."""
    publish(scratch, "vi, en")
    add_texts(scratch)
    monkeypatch.chdir(scratch.root)
    return scratch


def test_validate_prints_the_note_once(repo, capsys):
    status = cli.main(["validate", *DAY])
    out = capsys.readouterr().out
    assert status == cli.EXIT_OK
    assert out == (f"ghi chú/note: unpublished_language\n    vi: {NOTE_VI}\n"
                   f"    en: {NOTE_EN}\n\n"
                   "0 lỗi, 0 cảnh báo trong 0 tệp / 0 error(s), 0 warning(s) in 0 file(s)\n")


def test_the_note_is_no_warning_even_when_strict(repo, capsys):
    assert cli.main(["validate", *DAY, "--strict"]) == cli.EXIT_OK
    assert capsys.readouterr().out.count("unpublished_language") == 1


def test_validate_json_stays_a_list_of_issues(repo, capsys):
    assert cli.main(["validate", *DAY, "--format", "json"]) == cli.EXIT_OK
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert captured.err.count("note: unpublished_language") == 1 and NOTE_EN in captured.err


def test_validate_github_gives_one_notice(repo, capsys):
    assert cli.main(["validate", *DAY, "--format", "github"]) == cli.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"::notice title=unpublished_language::{NOTE_VI}%0A{NOTE_EN}"]


def test_validate_paths_count_only_their_files(repo, capsys):
    cli.main(["validate", *DAY, "products"])
    out = capsys.readouterr().out
    assert "4 text(s) in languages the site does not publish were ignored: 1 in ko (Korean), " \
           "3 in zh (Chinese), in 2 file(s)." in out
    cli.main(["validate", *DAY, "catalog"])
    assert "1 text(s) in languages the site does not publish were ignored: 1 in ko " \
           "(Korean), in 1 file(s)." in capsys.readouterr().out


# --------------------------------------------------------------------------
# 2. A published language needs UI strings and category names
# --------------------------------------------------------------------------


def test_the_sample_languages_are_supported():
    assert language_gaps(("vi", "en", "zh"), (PACKAGED,)) == []
    assert language_issues(REPO / CONFIG, ("vi", "en", "zh"), theme_dirs(REPO), REPO) == []


KO_EN = ("language 'ko' is published (languages: vi, en, ko) but has no UI strings "
         "(ocop/i18n/ko.yml is in neither overrides/ nor the theme) and no category names in "
         "the taxonomy (catalog/taxonomy/: qd1048-2019.yml, qd148-2023.yml, qd26-2026.yml); "
         "its pages would be in Vietnamese: add what is missing (docs/architecture.md, "
         "\"Add a language\") or take 'ko' out of languages")
KO_VI = ("ngôn ngữ 'ko' được xuất bản (languages: vi, en, ko) nhưng chưa có chuỗi giao diện "
         "(không có ocop/i18n/ko.yml trong overrides/ lẫn theme) và chưa có tên danh mục trong "
         "bảng phân loại (catalog/taxonomy/: qd1048-2019.yml, qd148-2023.yml, "
         "qd26-2026.yml); các trang bằng ngôn ngữ này sẽ hiện tiếng Việt: hãy bổ sung "
         "(docs/architecture.md, mục \"Add a language\") hoặc bỏ 'ko' khỏi languages")


def test_validate_reports_a_language_without_strings_and_names_once(scratch, monkeypatch,
                                                                     capsys):
    publish(scratch, "vi, en, ko")
    monkeypatch.chdir(scratch.root)
    assert cli.main(["validate", *DAY, "--format", "json"]) == cli.EXIT_ERRORS
    line, column = scratch.position(CONFIG, "languages:")
    assert json.loads(capsys.readouterr().out) == [{
        "file": CONFIG, "line": line, "column": column, "field": "languages",
        "severity": "error", "code": "language_unsupported",
        "message": {"en": KO_EN, "vi": KO_VI},
    }]


def test_ui_strings_in_overrides_leave_the_category_names(scratch, monkeypatch, capsys):
    publish(scratch, "vi, en, ko")
    scratch.write("overrides/ocop/i18n/ko.yml", "nav.home: 홈\n")
    monkeypatch.chdir(scratch.root)
    assert cli.main(["validate", *DAY]) == cli.EXIT_ERRORS
    out = capsys.readouterr().out
    assert out.count("language_unsupported") == 1
    assert ("but has no category names in the taxonomy (catalog/taxonomy/: qd1048-2019.yml, "
            "qd148-2023.yml, qd26-2026.yml);") in out
    assert "UI strings" not in out


def test_a_language_babel_does_not_know_is_named_too(scratch):
    gaps = language_gaps(("vi", "en", "xx"), theme_dirs(scratch.root))
    assert [g.lang for g in gaps] == ["xx"]
    en, vi = gaps[0].missing()
    assert en.endswith(", no category names in the taxonomy (catalog/taxonomy/: "
                       "qd1048-2019.yml, qd148-2023.yml, qd26-2026.yml) and no Babel locale "
                       "for its dates and prices (LOCALES in edition/i18n.py)")
    assert en.startswith("no UI strings") and vi.startswith("chưa có chuỗi giao diện")


def test_the_build_stops_before_writing_a_page(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    publish(scratch, "vi, en, ko")
    result = run_build(scratch.root, tmp_path / "site")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("language_unsupported") == 1
    assert f"    en: {KO_EN}\n" in result.stderr and f"    vi: {KO_VI}\n" in result.stderr
    assert "catalog records" not in result.stderr  # stopped before the records were read
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.building")]


# --------------------------------------------------------------------------
# 3. The build: unpublished texts and authored pages left out
# --------------------------------------------------------------------------


def test_the_build_leaves_out_what_is_not_published(tmp_path):
    scratch = build_catalog(tmp_path / "repo")
    publish(scratch, "vi, en")
    add_texts(scratch)
    for folder in ("", "en/", "zh/", "ko/"):
        scratch.write(f"catalog/{folder}about-ocop.md", f"# About OCOP {folder}\n\nText.\n")
    scratch.write("catalog/img/note.txt", "not a language folder\n")
    before = scratch.fingerprint()
    result = run_build(scratch.root, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    log = result.stderr

    # record texts: one note, at INFO (not a warning), and nowhere in the site
    assert log.count("unpublished_language") == 1
    assert re.search(r"INFO\s+-\s+catalog records:\nghi chú/note: unpublished_language\n"
                     rf"    vi: {re.escape(NOTE_VI)}\n    en: {re.escape(NOTE_EN)}\n", log)
    assert "WARNING" not in log
    written = [p for p in site.rglob("*") if p.is_file()]
    for text in ("三岛", "땀다오", "成员蜂箱"):
        assert not [p for p in written if text.encode() in p.read_bytes()], text
    assert {k: v for k, v in scratch.fingerprint().items()
            if not k.startswith(".cache")} == before  # (the build's own cache aside)

    # authored pages: vi and en built; zh and ko not, nor in the sitemap or the switch
    assert (site / "about-ocop" / "index.html").is_file()
    assert (site / "en" / "about-ocop" / "index.html").is_file()
    assert not (site / "zh").exists() and not (site / "ko").exists()
    assert (site / "img" / "note.txt").is_file()  # not a language: copied as before
    assert log.count("authored pages in languages the site does not publish") == 1
    assert ("(languages: vi, en) were not built: catalog/ko/about-ocop.md, "
            "catalog/zh/about-ocop.md") in log
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/en/about-ocop/" in sitemap
    assert "/zh/" not in sitemap and "/ko/" not in sitemap
    page = (site / "about-ocop" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="en"' in page and 'hreflang="zh"' not in page
