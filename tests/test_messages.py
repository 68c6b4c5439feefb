"""Messages a producer can act on: ``ocop validate`` in plain Vietnamese first, then
English, with the line of the file and a caret under the column, and hints that say
what to write instead.

Each test breaks the valid scratch catalog (tests/scratch.py) in one way a person
really does, and checks the exact message, line and column. None of them touches the
OCOP certificate, so they hold wherever certificates are kept.
"""

from __future__ import annotations

import json
import re

import pytest

from ocop_catalog import cli
from ocop_catalog.records import loader
from ocop_catalog.records.issues import Excerpt, Issue, Note, with_excerpts
from scratch import GOODS_DIR, GOODS_FILE, PRODUCER, TODAY, image_bytes

DAY = ["--today", TODAY.isoformat()]

#: Words of PyYAML's and libyaml's own errors, which a producer never sees.
PYYAML_WORDS = re.compile(r"mapping values|did not find|expected [<',]|block|scanning|"
                          r"parsing|token|end of stream|document|context|indicator|"
                          r"found character|found unexpected")


def messages(scratch):
    """Every issue of the scratch catalog as (code, line, column, field, vi, en)."""
    return [(i.code, i.line, i.column, i.field, i.message_vi, i.message_en)
            for i in scratch.validate().issues]


def one(scratch):
    """The only issue of the scratch catalog, as :func:`messages` gives it."""
    found = messages(scratch)
    assert len(found) == 1, found
    return found[0]


def line_of(scratch, needle: str) -> int:
    return scratch.position(GOODS_FILE, needle)[0]


def validate(capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["validate", *DAY, *args])
    return status, capsys.readouterr().out


@pytest.fixture
def repo(scratch, monkeypatch):
    monkeypatch.chdir(scratch.root)
    return scratch


# --------------------------------------------------------------------------
# 1. Vietnamese first, the line with a caret
# --------------------------------------------------------------------------


def test_text_output_is_vietnamese_first_with_the_line_and_a_caret(repo, capsys):
    repo.edit(GOODS_FILE, "  amount: 250000\n", "  amount: 180.000\n")
    line = line_of(repo, "amount: 180.000")
    status, out = validate(capsys)
    assert status == 1
    assert out == (
        f"{GOODS_FILE}:{line}:11: lỗi/error [price.amount] price_format\n"
        "    vi: '180.000' không phải là số đồng nguyên (YAML đọc 180.000 là số thập phân "
        "180.0, tức là 180 đồng): giá chỉ gồm chữ số, không dấu chấm, dấu phẩy hay đơn vị "
        "tiền: hãy viết 180000\n"
        "    en: '180.000' is not a whole number of đồng (YAML reads 180.000 as the decimal "
        "number 180.0, that is 180 đồng): a price is digits only, without dots, commas or "
        "currency: write 180000\n"
        f"    {line} |   amount: 180.000\n"
        f"    {'  '} |           ^\n"
        "\n"
        "1 lỗi, 0 cảnh báo trong 1 tệp / 1 error(s), 0 warning(s) in 1 file(s)\n")


def test_issues_are_separated_by_a_blank_line_and_warnings_say_so_in_both_languages(
        repo, capsys):
    repo.edit(GOODS_FILE, "  - cho-tam-dao\n", "  - cho-tam-dau\n")
    repo.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", "")
    _, out = validate(capsys)
    blocks = out.split("\n\n")
    assert len(blocks) == 3
    assert blocks[0].startswith(f"{GOODS_FILE}:4:3: cảnh báo/warning [name] "
                                "missing_translation\n    vi: chưa có bản tiếng Anh")
    assert blocks[1].startswith(f"{GOODS_FILE}:")
    assert " lỗi/error [sales_points[0]] unknown_sales_point\n    vi: điểm bán" in blocks[1]
    assert blocks[2] == ("1 lỗi, 1 cảnh báo trong 1 tệp / "
                         "1 error(s), 1 warning(s) in 1 file(s)\n")


def test_a_note_is_vietnamese_first():
    note = Note("unpublished_language", "english words", "lời tiếng Việt")
    assert cli.format_note(note) == (
        "ghi chú/note: unpublished_language\n    vi: lời tiếng Việt\n    en: english words\n")


def issue_at(text: str, caret: int, line: int = 7) -> Issue:
    return Issue("products/a/b/product.yml", line, caret + 1, "name", "error", "invalid",
                 "en", "vi", Excerpt(text, caret))


@pytest.mark.parametrize(
    "text, caret, shown, under",
    [
        ("price: 180.000", 7, "price: 180.000", "       ^"),
        # a tab is written out as \t; the caret stands under it
        ("\tunit: x", 0, "\\tunit: x", "^"),
        ("a:\tb", 3, "a:\\tb", "    ^"),
        # wide (Chinese) characters take two columns, combining marks none
        ("  zh: 蜂蜜 x", 9, "  zh: 蜂蜜 x", "           ^"),
        ("  vi: Me\u0323t x", 10, "  vi: Me\u0323t x", "         ^"),
        # invisible and control characters are written out and counted as shown
        ("a: \x1b[2Jb", 7, "a: \\x1b[2Jb", "          ^"),
        ("a: x\u202eb", 5, "a: x\\u202eb", "          ^"),
        # the end of the line (a value is missing there)
        ("price:", 6, "price:", "      ^"),
    ],
)
def test_the_caret_stands_under_the_column_as_the_terminal_shows_the_line(
        text, caret, shown, under):
    lines = cli.format_issue(issue_at(text, caret)).splitlines()
    assert lines[3:] == [f"    7 | {shown}", f"      | {under}"]


def test_a_long_line_is_cut_around_the_column():
    from ocop_catalog.records.issues import EXCERPT_WIDTH, excerpt_of

    line = "  vi: " + "x" * 300 + "<script>" + "y" * 300
    column = line.index("<script>") + 1
    excerpt = excerpt_of([line], 1, column)
    assert excerpt.text.startswith("…") and excerpt.text.endswith("…")
    assert len(excerpt.text) == EXCERPT_WIDTH + 2
    assert excerpt.text[excerpt.caret:].startswith("<script>")
    assert excerpt_of(["short"], 1, 3) == Excerpt("short", 2)
    assert excerpt_of(["short"], 2, 1) is None


def test_an_issue_about_the_whole_file_shows_no_line(repo, capsys):
    repo.write(GOODS_FILE, "# yaml-language-server: $schema=x\n")
    _, out = validate(capsys)
    assert out.split("\n\n")[0] == (
        f"{GOODS_FILE}:1:1: lỗi/error empty_file\n"
        "    vi: tệp rỗng; cần các trường của product.yml\n"
        "    en: the file is empty; expected the fields of a product.yml")


def test_json_and_github_formats_keep_their_structure(repo, capsys):
    repo.edit(GOODS_FILE, "  amount: 250000\n", "  amount: 180.000\n")
    _, out = validate(capsys, "--format", "json")
    [found] = json.loads(out)
    assert set(found) == {"file", "line", "column", "field", "severity", "code", "message"}
    assert set(found["message"]) == {"en", "vi"}
    assert "|" not in found["message"]["en"]  # no source line in the machine formats
    _, out = validate(capsys, "--format", "github")
    assert out.count("\n") == 1
    assert re.match(rf"::error file={GOODS_FILE},line=\d+,col=11,title=price_format "
                    r"price.amount::'180.000' không phải .*%0A'180.000' is not a whole", out)


def test_the_line_of_a_clash_found_after_the_records_were_read_is_shown(repo, capsys,
                                                                       monkeypatch):
    # big catalogs are read in forked workers that keep no file text: the issues found
    # there carry their line, and the clashes found afterwards read it when printed
    monkeypatch.setattr(loader, "PARALLEL_FROM", 1)
    repo.add_producer("htx-khac")
    other = repo.add_goods("htx-khac", "mat-ong-khac", gtin="8930000000019")
    repo.edit(GOODS_FILE, "  - cho-tam-dao\n", "  - cho-tam-dau\n")
    _, out = validate(capsys)
    gtin_line = repo.position(other, 'gtin: "8930000000019"')[0]
    assert (f"{other}:{gtin_line}:7: lỗi/error [gtin] duplicate_gtin\n"
            in out)
    assert f'    {gtin_line} | gtin: "8930000000019"\n       |       ^\n' in out
    assert f"    {line_of(repo, '- cho-tam-dau')} |   - cho-tam-dau\n" in out


def test_with_excerpts_reads_each_file_once_and_only_where_the_line_is_not_known(tmp_path):
    (tmp_path / "a.yml").write_text("id: x\nname: y\n", encoding="utf-8")
    known = Excerpt("kept", 0)
    issues = [Issue("a.yml", 2, 7, "name", "error", "invalid", "en", "vi"),
              Issue("a.yml", 1, 1, "id", "error", "invalid", "en", "vi", known),
              Issue("a.yml", 1, 1, "", "error", "empty_file", "en", "vi"),
              Issue("gone.yml", 1, 1, "", "error", "invalid", "en", "vi")]
    done = with_excerpts(issues, tmp_path)
    assert [i.excerpt for i in done] == [Excerpt("name: y", 6), known, None, None]
    assert done == issues  # the excerpt changes neither equality nor order


# --------------------------------------------------------------------------
# 2. YAML syntax errors, never in PyYAML's words
# --------------------------------------------------------------------------


def test_a_tab_used_for_indentation(scratch):
    scratch.edit(GOODS_FILE, "  amount: 250000\n", "\tamount: 250000\n")
    assert one(scratch) == (
        "yaml_tab", line_of(scratch, "\tamount"), 1, "",
        "ở đây có ký tự tab: YAML chỉ chấp nhận dấu cách để thụt lề; hãy thay tab bằng dấu "
        "cách (mỗi cấp 2 dấu cách)",
        "there is a tab character here: YAML accepts only spaces for indentation; replace "
        "the tab with spaces (2 spaces for each level)")


def test_a_line_that_lines_up_with_nothing_above(scratch):
    # "did not find expected key": unit: has one space, its section's fields two
    scratch.edit(GOODS_FILE, "  unit:\n    vi: hũ", " unit:\n    vi: hũ")
    amount, price = line_of(scratch, "amount:"), line_of(scratch, "price:")
    assert one(scratch) == (
        "yaml_indentation", line_of(scratch, " unit:\n"), 2, "",
        f"`unit:` không thẳng hàng với các dòng ở trên: hãy viết với 2 dấu cách, như "
        f"`amount:` ở dòng {amount}, hoặc sát đầu dòng, như `price:` ở dòng {price}",
        f"`unit:` does not line up with the lines above it: write it with 2 spaces, like "
        f"`amount:` on line {amount}, or at the start of the line, like `price:` on line "
        f"{price}")


def test_a_field_of_a_list_item_not_indented_with_it(scratch):
    # "expected <block end>" / "did not find expected '-' indicator"
    scratch.edit(GOODS_FILE, "  - file: 2.jpg\n    alt:\n", "  - file: 2.jpg\n  alt:\n")
    item, photos = line_of(scratch, "- file: 2.jpg"), line_of(scratch, "photos:")
    code, line, column, _, vi, en = one(scratch)
    assert (code, line, column) == ("yaml_indentation", item + 1, 3)
    assert en == (f"`alt:` does not line up with the lines above it: write it with 4 spaces, "
                  f"like `file:` on line {item}, or at the start of the line, like `photos:` "
                  f"on line {photos}")
    assert vi.startswith("`alt:` không thẳng hàng với các dòng ở trên: hãy viết với 4 dấu cách")


def test_a_field_indented_under_one_that_has_a_value(scratch):
    # "mapping values are not allowed here" at the start of a line
    scratch.edit(GOODS_FILE, "  unit:\n    vi: hũ", "    unit:\n    vi: hũ")
    amount = line_of(scratch, "amount:")
    assert one(scratch) == (
        "yaml_indented_under_value", amount + 1, 9, "",
        f"`unit:` thụt lề nhiều hơn `amount:` ở dòng {amount} (trường này đã có giá trị), "
        f"nên YAML đọc nó là một phần của giá trị đó: hãy viết với 2 dấu cách, như "
        f"`amount:` ở dòng {amount}",
        f"`unit:` is indented more than `amount:` on line {amount}, which already has a "
        f"value, so YAML reads it as part of that value: write it with 2 spaces, like "
        f"`amount:` on line {amount}")


def test_a_colon_inside_a_text(scratch):
    # "mapping values are not allowed here" after the line's own field
    text = scratch.read(GOODS_FILE)
    start, end = text.index("summary:\n"), text.index("description:\n")
    scratch.write(GOODS_FILE, text[:start] + "summary: Mật ong: ngon\n" + text[end:])
    assert one(scratch) == (
        "yaml_colon_in_text", line_of(scratch, "summary:"), 17, "",
        "văn bản của `summary:` có ': ' (dấu hai chấm và dấu cách), YAML hiểu là bắt đầu "
        "một trường mới: hãy đặt cả câu trong dấu nháy kép: summary: \"Mật ong: ngon\"",
        "the text of `summary:` holds ': ' (a colon and a space), which YAML reads as the "
        "start of a new field: put the whole text in double quotes: "
        "summary: \"Mật ong: ngon\"")


def test_a_colon_inside_a_translation_with_quotes_in_it(scratch):
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng thu hoạch trên núi Tam Đảo.",
                 '  vi: Mật ong "Tam Đảo": loại 1 # ghi chú')
    code, line, column, _, vi, en = one(scratch)
    assert (code, line, column) == ("yaml_colon_in_text", 7, 24)
    assert vi.endswith(r'hãy đặt cả câu trong dấu nháy kép: vi: "Mật ong \"Tam Đảo\": loại 1"')
    assert en.endswith(r'put the whole text in double quotes: vi: "Mật ong \"Tam Đảo\": loại 1"')


def test_an_unclosed_quote_is_shown_where_it_opens(scratch):
    # "found unexpected end of stream" while scanning a quoted scalar
    scratch.edit(GOODS_FILE, "updated: 2026-01-15\n", 'updated: "2026-01-15\n')
    assert one(scratch) == (
        "yaml_unclosed_quote", line_of(scratch, "updated:"), 10, "",
        'dấu nháy " mở đầu văn bản ở đây không được đóng: hãy kết thúc văn bản bằng " trên '
        "cùng dòng",
        'the quote " that opens the text here is never closed: end the text with " on the '
        "same line")


@pytest.mark.parametrize(
    "old, new, code",
    [
        ("id: mat-ong-hoa-rung\n", 'id: "mat-ong" hoa-rung\n', "yaml_quote_ends_early"),
        ("availability: in_stock\n", "availability: in_stock\nlisted 2025\n", "yaml_no_colon"),
        ("tags: [mật ong, tam đảo]", "tags: [mật ong, tam đảo", "yaml_unclosed_bracket"),
        ("availability: in_stock\n", "availability: in_stock\n- x\n", "yaml_list_item"),
        ("availability: in_stock", "availability: @in_stock", "yaml_special_start"),
        ("availability: in_stock", 'availability: "C:\\pic"', "yaml_bad_escape"),
        ("availability: in_stock\n", "availability: in_stock\n---\n", "yaml_syntax"),
    ],
)
def test_no_syntax_error_is_shown_in_pyyaml_words(scratch, old, new, code):
    scratch.edit(GOODS_FILE, old, new)
    found, line, _, _, vi, en = one(scratch)
    assert found == code
    assert not PYYAML_WORDS.search(en), en
    assert vi != en and vi.strip()
    assert 1 <= line <= len(scratch.read(GOODS_FILE).splitlines())


def test_the_general_syntax_message_names_what_to_check_in_both_languages(scratch):
    scratch.edit(GOODS_FILE, "availability: in_stock\n", "availability: in_stock\n---\n")
    assert one(scratch) == (
        "yaml_syntax", line_of(scratch, "---"), 1, "",
        "không đọc được tệp từ chỗ này: hãy kiểm tra dòng này và dòng trên: thụt lề bằng "
        "dấu cách (không dùng tab), viết mỗi trường dạng 'tên: giá trị' với một dấu cách sau "
        "dấu hai chấm, và đóng mọi dấu nháy, dấu ngoặc đã mở",
        "the file cannot be read from here on: check this line and the one above: indent "
        "with spaces (never tabs), write each field as 'name: value' with a space after the "
        "colon, and close every quote and bracket you open")


# --------------------------------------------------------------------------
# 3. Hints that say how to fix
# --------------------------------------------------------------------------


def test_a_field_written_below_its_section_says_where_to_indent_it(scratch):
    scratch.edit(GOODS_FILE, "  unit:\n    vi: hũ 500 g\n    en: 500 g jar\n",
                 "unit:\n  vi: hũ 500 g\n  en: 500 g jar\n")
    # one issue: not also "unit is missing in price"
    assert one(scratch) == (
        "misplaced_key", line_of(scratch, "unit:\n  vi: hũ"), 1, "unit",
        f"'unit' không phải trường ở cấp này mà là trường của `price:` (dòng "
        f"{line_of(scratch, 'price:')}): hãy thụt vào 2 dấu cách dưới `price:`",
        f"'unit' is not a field at this level but one of `price:` (line "
        f"{line_of(scratch, 'price:')}): indent it 2 spaces under `price:`")


def test_fields_written_under_an_empty_section(scratch):
    scratch.edit(GOODS_FILE, "price:\n  amount: 250000\n  unit:\n    vi: hũ 500 g\n"
                 "    en: 500 g jar\n",
                 "price:\namount: 250000\nunit:\n  vi: hũ 500 g\n  en: 500 g jar\n")
    price = line_of(scratch, "price:")
    assert [found[:3] + found[5:] for found in messages(scratch)] == [
        ("misplaced_key", price + 1, 1, f"'amount' is not a field at this level but one of "
                                        f"`price:` (line {price}): indent it 2 spaces under "
                                        f"`price:`"),
        ("misplaced_key", price + 2, 1, f"'unit' is not a field at this level but one of "
                                        f"`price:` (line {price}): move it there and indent "
                                        f"it 2 spaces under `price:`"),
    ]


def test_a_translation_written_below_its_text(scratch):
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n", "en: Tam Dao wild-flower honey\n")
    assert one(scratch)[:3] + one(scratch)[4:] == (
        "misplaced_key", 5, 1,
        "'en' không phải trường ở cấp này mà là trường của `name:` (dòng 3): hãy thụt vào "
        "2 dấu cách dưới `name:`",
        "'en' is not a field at this level but one of `name:` (line 3): indent it 2 spaces "
        "under `name:`")


def test_an_unknown_field_that_is_no_nearby_sections_keeps_its_spelling_hint(scratch):
    scratch.edit(GOODS_FILE, "availability: in_stock", "availabilty: in_stock")
    assert one(scratch)[0] == "unknown_key"
    assert one(scratch)[5] == "unknown field 'availabilty' (did you mean 'availability'?)"


@pytest.mark.parametrize("written", ["1.JPG", "1.jpeg", "1.png", "1.Jpg"])
def test_a_photo_name_differing_in_capitals_or_extension(scratch, written):
    scratch.edit(GOODS_FILE, "  - file: 1.jpg\n", f"  - file: {written}\n")
    line, column = scratch.position(GOODS_FILE, f"file: {written}", len("file: "))
    assert one(scratch) == (
        "photo_missing", line, column, "photos[0].file",
        f"không tìm thấy ảnh '{written}' trong thư mục của hồ sơ này: có phải ý bạn là "
        f"`1.jpg`? (tên tệp phải viết đúng từng chữ, kể cả chữ hoa, chữ thường và phần đuôi)",
        f"image '{written}' is not in this record's folder: did you mean `1.jpg`? (a file "
        f"name must match letter for letter, capitals and extension included)")


def test_a_photo_in_a_subfolder_is_suggested_with_its_folder(scratch):
    scratch.write_bytes(f"{GOODS_DIR}/anh/Mat-Ong.jpg", image_bytes(600, 600))
    scratch.edit(GOODS_FILE, "  - file: 1.jpg\n", "  - file: anh/mat-ong.jpg\n")
    assert "did you mean `anh/Mat-Ong.jpg`?" in one(scratch)[5]


def test_a_photo_with_no_close_name_has_no_hint(scratch):
    scratch.edit(GOODS_FILE, "  - file: 1.jpg\n", "  - file: 3.jpg\n")
    assert one(scratch)[5] == "image '3.jpg' is not in this record's folder"


@pytest.mark.parametrize(
    "written, digits, reading",
    [
        ("180.000", "180000", " (YAML reads 180.000 as the decimal number 180.0, that is 180 "
                              "đồng)"),
        ("1.250.000", "1250000", ""),  # YAML reads text
        ("250,000 đ", "250000", ""),
    ],
)
def test_a_price_with_separators_is_quoted_as_typed_with_the_digits_to_write(
        scratch, written, digits, reading):
    scratch.edit(GOODS_FILE, "  amount: 250000\n", f"  amount: {written}\n")
    code, line, column, field, vi, en = one(scratch)
    assert (code, line, column, field) == (
        "price_format", line_of(scratch, "amount:"), 11, "price.amount")
    assert en == (f"'{written}' is not a whole number of đồng{reading}: a price is digits only, "
                  f"without dots, commas or currency: write {digits}")
    assert vi.startswith(f"'{written}' không phải là số đồng nguyên")
    assert vi.endswith(f": giá chỉ gồm chữ số, không dấu chấm, dấu phẩy hay đơn vị tiền: "
                       f"hãy viết {digits}")


def test_a_price_with_decimals_gets_an_example(scratch):
    scratch.edit(GOODS_FILE, "  amount: 250000\n", "  amount: 12.5\n")
    assert one(scratch)[5] == (
        "'12.5' is not a whole number of đồng (YAML reads 12.5 as the decimal number 12.5, "
        "that is 12.5 đồng): a price is digits only, without dots, commas or currency: "
        "e.g. 250000")


@pytest.mark.parametrize(
    "written, iso, en, vi",
    [
        ("20/11/2025", "2025-11-20", "20 November 2025", "ngày 20 tháng 11 năm 2025"),
        ("1/7/2025", "2025-07-01", "1 July 2025", "ngày 1 tháng 7 năm 2025"),
        ("11/20/2025", "2025-11-20", "20 November 2025", "ngày 20 tháng 11 năm 2025"),
        ("2025/11/20", "2025-11-20", "20 November 2025", "ngày 20 tháng 11 năm 2025"),
        ("20.11.2025", "2025-11-20", "20 November 2025", "ngày 20 tháng 11 năm 2025"),
        ("2025-7-1", "2025-07-01", "1 July 2025", "ngày 1 tháng 7 năm 2025"),
    ],
)
def test_a_date_written_another_way_says_how_to_write_it(scratch, written, iso, en, vi):
    scratch.edit(GOODS_FILE, "listed: 2025-07-01", f"listed: {written}")
    assert one(scratch) == (
        "date_format", line_of(scratch, "listed:"), 9, "listed",
        f"'{written}' không được viết đúng dạng ngày (ngày viết theo năm-tháng-ngày, "
        f"YYYY-MM-DD): hãy viết {iso} ({vi})",
        f"'{written}' is not written as a date (dates are written year-month-day, "
        f"YYYY-MM-DD): write {iso} ({en})")


def test_a_date_that_does_not_exist_written_another_way(scratch):
    scratch.edit(GOODS_FILE, "listed: 2025-07-01", "listed: 31/02/2025")
    assert one(scratch)[0::5] == (
        "date_format", "'31/02/2025' is not written as a date (dates are written "
        "year-month-day, YYYY-MM-DD): e.g. 2025-11-20 for 20 November 2025")


@pytest.mark.parametrize(
    "old, new, key, code, en_name, vi_name",
    [
        ("  vi: Mật ong hoa rừng Tam Đảo\n", "  vn: Mật ong hoa rừng Tam Đảo\n", "vn", "vi",
         "Vietnamese", "tiếng Việt"),
        ("  vi: Mật ong hoa rừng Tam Đảo\n", "  VI: Mật ong hoa rừng Tam Đảo\n", "VI", "vi",
         "Vietnamese", "tiếng Việt"),
        ("  en: Tam Dao wild-flower honey\n", "  eng: Tam Dao wild-flower honey\n", "eng", "en",
         "English", "tiếng Anh"),
        ("  en: Tam Dao wild-flower honey\n", "  en: Tam Dao wild-flower honey\n  cn: 蜂蜜\n",
         "cn", "zh", "Chinese", "tiếng Trung"),
    ],
)
def test_a_language_key_people_often_write_suggests_the_code(scratch, old, new, key, code,
                                                            en_name, vi_name):
    scratch.edit(GOODS_FILE, old, new)
    line, column = scratch.position(GOODS_FILE, f"  {key}: ", 2)
    # one issue: no "Vietnamese is missing", no "no English text" besides
    assert one(scratch) == (
        "wrong_language_code", line, column, f"name.{key}",
        f"'{key}' không phải mã ngôn ngữ của {vi_name}: hãy viết `{code}:` thay cho `{key}:`",
        f"'{key}' is not the language code of {en_name}: write `{code}:` instead of "
        f"`{key}:`")


def test_a_language_name_as_key_suggests_the_code(scratch):
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  English: Tam Dao wild-flower honey\n")
    assert [m[0] for m in messages(scratch)] == ["missing_translation", "unknown_language"]
    assert messages(scratch)[1][5] == (
        "'English' is not a language code (did you mean `en:`?): write the language as a "
        "code of two or three lower-case letters (the site publishes vi, en, zh)")


def test_a_language_code_the_site_does_not_publish_stays_ignored(scratch):
    # jp would be ja, which this site does not publish: left out, as any such language
    scratch.edit(GOODS_FILE, "  en: Tam Dao wild-flower honey\n",
                 "  en: Tam Dao wild-flower honey\n  jp: 蜂蜜\n")
    assert messages(scratch) == []


def test_a_missing_field_points_at_its_section_and_names_what_to_add(scratch):
    scratch.edit(GOODS_FILE, "  amount: 250000\n", "")
    assert one(scratch) == (
        "missing", line_of(scratch, "price:"), 1, "price.amount",
        "thiếu trường bắt buộc 'amount' trong `price:`: hãy thêm `amount:` dưới `price:`, "
        "thụt vào 2 dấu cách",
        "required field 'amount' is missing in `price:`: add `amount:` under `price:`, "
        "indented 2 spaces")


def test_a_missing_top_level_field_points_at_the_top_of_the_record(scratch):
    text = scratch.read(GOODS_FILE)
    start, end = text.index("summary:\n"), text.index("description:\n")
    scratch.write(GOODS_FILE, text[:start] + text[end:])
    assert one(scratch) == (
        "missing", 2, 1, "summary",  # the first field, after the schema comment
        "thiếu trường bắt buộc 'summary': hãy thêm `summary:` sát đầu dòng, không thụt lề",
        "required field 'summary' is missing: add `summary:` at the start of a line, not "
        "indented")


def test_a_missing_field_of_a_list_item(scratch):
    scratch.edit(GOODS_FILE, "  - file: 2.jpg\n    alt:\n", "  - alt:\n")
    assert one(scratch)[:4] + one(scratch)[5:] == (
        "missing", line_of(scratch, "- alt:"), 5, "photos[1].file",
        "required field 'file' is missing in item 2 of `photos:`: add `file:` to that item, "
        "lined up with its other fields")


def test_a_missing_field_of_a_section_on_one_line(scratch):
    scratch.edit(GOODS_FILE, "net_content:\n  value: 500\n  unit: g\n", "net_content: {value: 500}\n")
    assert one(scratch)[:4] + one(scratch)[5:] == (
        "missing", line_of(scratch, "net_content:"), 1, "net_content.unit",
        "required field 'unit' is missing in `net_content:`: add `unit:` to `net_content:`")


def test_producer_file_hints_work_too(scratch):
    # the same hints in every record: here a producer's contact written below it
    rel = f"products/{PRODUCER}/producer.yml"
    scratch.edit(rel, "  website: https://htx", "website: https://htx")
    contact = scratch.position(rel, "contact:")[0]
    found = [i for i in scratch.validate().issues if i.file == rel]
    assert [(i.code, i.line, i.column, i.message_en) for i in found] == [
        ("misplaced_key", contact + 3, 1, f"'website' is not a field at this level but one "
                                          f"of `contact:` (line {contact}): indent it 2 spaces "
                                          f"under `contact:`")]


def test_a_comma_inside_a_flow_mapping_is_not_lost_silently(scratch):
    # {vi: A, B, en: C} reads as three keys, "B" with no value: without this check the
    # text after the comma vanished from the page and nobody was told
    scratch.edit(GOODS_FILE, "  vi: Mật ong hoa rừng Tam Đảo\n  en: Tam Dao wild-flower honey\n",
                 "  {vi: Mật ong hoa rừng, Tam Đảo, en: Tam Dao wild-flower honey}\n")
    found = [m for m in messages(scratch) if m[0] == "unknown_language"]
    assert len(found) == 1, messages(scratch)
    code, line, column, field, vi, en = found[0]
    assert field == "name.Tam Đảo"
    assert (line, column) == scratch.position(GOODS_FILE, "Tam Đảo, en")
    assert en.startswith("'Tam Đảo' is not a language code (a comma inside `{…}` ends the "
                         "text there: put the text in quotes")
    assert vi.startswith("'Tam Đảo' không phải mã ngôn ngữ (dấu phẩy trong `{…}` cắt đoạn văn")
