"""``ocop validate``: exit status, output formats and PATH filtering."""

from __future__ import annotations

import json
import re

import pytest

from ocop_catalog import cli
from ocop_catalog.records.issues import Issue
from scratch import GOODS, GOODS_DECISION, GOODS_DIR, GOODS_FILE, SERVICE_DIR, SERVICE_FILE, TODAY

DAY = ["--today", TODAY.isoformat()]


@pytest.fixture
def repo(scratch, monkeypatch):
    """The scratch catalog as the current folder."""
    monkeypatch.chdir(scratch.root)
    return scratch


def validate(capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["validate", *DAY, *args])
    return status, capsys.readouterr().out


def usage_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == cli.EXIT_USAGE == 2
    return capsys.readouterr().err


def break_goods(repo):
    """An error (unknown sales point) in the goods product."""
    repo.edit(GOODS_FILE, "  - cho-tam-dao\n", "  - cho-tam-dau\n")


def warn_service(repo):
    """A warning (no English name) in the service."""
    repo.edit(SERVICE_FILE, "  en: Tam Dao bee-keeping experience\n", "")


# --------------------------------------------------------------------------
# Exit status
# --------------------------------------------------------------------------


def test_valid_catalog_exits_0(repo, capsys):
    status, out = validate(capsys)
    assert status == cli.EXIT_OK == 0
    assert out == ("0 lỗi, 0 cảnh báo trong 0 tệp / "
                   "0 error(s), 0 warning(s) in 0 file(s)\n")


def test_errors_exit_1(repo, capsys):
    break_goods(repo)
    status, out = validate(capsys)
    assert status == cli.EXIT_ERRORS == 1
    assert out.endswith("1 lỗi, 0 cảnh báo trong 1 tệp / "
                        "1 error(s), 0 warning(s) in 1 file(s)\n")


def test_warnings_alone_exit_0(repo, capsys):
    warn_service(repo)
    status, out = validate(capsys)
    assert status == 0
    assert f"{SERVICE_FILE}:4:3: cảnh báo/warning [name] missing_translation" in out


def test_strict_turns_warnings_into_errors(repo, capsys):
    warn_service(repo)
    status, out = validate(capsys, "--strict")
    assert status == 1
    assert f"{SERVICE_FILE}:4:3: lỗi/error [name] missing_translation" in out
    assert "1 lỗi, 0 cảnh báo" in out and "1 error(s), 0 warning(s)" in out


def test_strict_on_a_valid_catalog_exits_0(repo, capsys):
    assert validate(capsys, "--strict")[0] == 0


def test_today_option_sets_the_day_certificates_are_judged_on(repo, capsys):
    # the goods certificate (decision of 2025-06-10) runs 36 months, to 2028-06-10; the
    # warning is in the register, at the product the decision recognises
    line, column = repo.position(GOODS_DECISION, f"product: {GOODS}", len("product: "))
    status, out = validate(capsys, "--today", "2028-06-10")
    assert status == 0
    assert "cert_expired" not in out
    status, out = validate(capsys, "--today", "2028-06-11")
    assert status == 0
    assert (f"{GOODS_DECISION}:{line}:{column}: cảnh báo/warning [recognises[0].product] "
            f"cert_expired" in out)
    assert f"the OCOP certificate of '{GOODS}' expired on 2028-06-10" in out
    # and a decision is judged in the future on that day too
    status, out = validate(capsys, "--today", "2025-06-09")
    assert status == 1
    line, column = repo.position(GOODS_DECISION, "2025-06-10")
    assert f"{GOODS_DECISION}:{line}:{column}: lỗi/error [date] date_future" in out


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["validate", "--bogus"], "unrecognized arguments: --bogus"),
        (["validate", "--format", "xml"], "invalid choice: 'xml'"),
        (["validate", "--today", "2026-02-30"], "not a date (YYYY-MM-DD): '2026-02-30'"),
        (["validate", "products/no-such-folder"], "no such file or folder"),
        ([], "the following arguments are required"),
    ],
)
def test_usage_errors_exit_2(repo, capsys, argv, complaint):
    assert complaint in usage_error(capsys, argv)


def test_folder_outside_any_catalog_exits_2(repo, capsys, tmp_path):
    outside = tmp_path / "not-a-catalog"
    outside.mkdir()
    err = usage_error(capsys, ["validate", *DAY, str(outside)])
    assert "is not inside a catalog repository (no site_config.yml found)" in err


def test_current_folder_outside_any_catalog_exits_2(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert "not inside a catalog repository" in usage_error(capsys, ["validate", *DAY])


def test_catalog_is_found_from_a_subfolder(repo, capsys, monkeypatch):
    break_goods(repo)
    monkeypatch.chdir(repo.path(SERVICE_DIR))
    status, out = validate(capsys)  # no PATH: the whole catalog
    assert status == 1
    assert f"{GOODS_FILE}:" in out


# --------------------------------------------------------------------------
# Output formats
# --------------------------------------------------------------------------


def test_text_output_has_both_languages_vietnamese_first_and_the_line(repo, capsys):
    break_goods(repo)
    line = repo.position(GOODS_FILE, "cho-tam-dau")[0]
    status, out = validate(capsys)
    assert out.splitlines()[:5] == [
        f"{GOODS_FILE}:{line}:5: lỗi/error [sales_points[0]] unknown_sales_point",
        "    vi: điểm bán 'cho-tam-dau' không có trong catalog/sales-points.yml "
        "(có phải ý bạn là 'cho-tam-dao'?)",
        "    en: sales point 'cho-tam-dau' is not in catalog/sales-points.yml "
        "(did you mean 'cho-tam-dao'?)",
        f"    {line} |   - cho-tam-dau",
        f"    {' ' * len(str(line))} |     ^",
    ]


def test_text_output_omits_empty_field(repo, capsys):
    repo.write(GOODS_FILE, "")
    _, out = validate(capsys)
    assert out.splitlines()[:4] == [f"{GOODS_FILE}:1:1: lỗi/error empty_file",
                                    "    vi: tệp rỗng; cần các trường của product.yml",
                                    "    en: the file is empty; expected the fields of a "
                                    "product.yml", ""]  # no line to show


def test_json_output(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    status, out = validate(capsys, "--format", "json")
    assert status == 1
    line = repo.position(GOODS_FILE, "cho-tam-dau")[0]
    assert json.loads(out) == [
        {
            "file": GOODS_FILE,
            "line": line,
            "column": 5,
            "field": "sales_points[0]",
            "severity": "error",
            "code": "unknown_sales_point",
            "message": {
                "en": "sales point 'cho-tam-dau' is not in catalog/sales-points.yml "
                      "(did you mean 'cho-tam-dao'?)",
                "vi": "điểm bán 'cho-tam-dau' không có trong catalog/sales-points.yml "
                      "(có phải ý bạn là 'cho-tam-dao'?)",
            },
        },
        {
            "file": SERVICE_FILE,
            "line": 4,
            "column": 3,
            "field": "name",
            "severity": "warning",
            "code": "missing_translation",
            "message": {
                "en": "no English text; Vietnamese will be shown instead",
                "vi": "chưa có bản tiếng Anh; trang sẽ hiển thị tiếng Việt thay thế",
            },
        },
    ]


def test_json_output_of_a_valid_catalog_is_an_empty_list(repo, capsys):
    status, out = validate(capsys, "--format", "json")
    assert (status, json.loads(out)) == (0, [])


def test_json_output_is_not_ascii_escaped(repo, capsys):
    warn_service(repo)
    _, out = validate(capsys, "--format", "json")
    assert "tiếng Anh" in out


def test_json_strict_reports_warnings_as_errors(repo, capsys):
    warn_service(repo)
    status, out = validate(capsys, "--format", "json", "--strict")
    assert status == 1
    assert [i["severity"] for i in json.loads(out)] == ["error"]


GITHUB_LINE = re.compile(
    r"^::(?P<severity>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),"
    r"col=(?P<col>\d+),title=(?P<title>[^:]*)::(?P<message>.*)$"
)


def test_github_output(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    status, out = validate(capsys, "--format", "github")
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 2 and out.endswith("\n")
    first, second = (GITHUB_LINE.match(line) for line in lines)
    assert first.groupdict() == {
        "severity": "error",
        "file": GOODS_FILE,
        "line": str(repo.position(GOODS_FILE, "cho-tam-dau")[0]),
        "col": "5",
        "title": "unknown_sales_point sales_points[0]",
        "message": "điểm bán 'cho-tam-dau' không có trong catalog/sales-points.yml "
                   "(có phải ý bạn là 'cho-tam-dao'?)%0A"
                   "sales point 'cho-tam-dau' is not in catalog/sales-points.yml "
                   "(did you mean 'cho-tam-dao'?)",
    }
    assert (second["severity"], second["file"], second["title"]) == (
        "warning", SERVICE_FILE, "missing_translation name")


def test_github_output_escapes_percent_newlines_and_property_separators(repo, capsys):
    repo.edit(GOODS_FILE, "availability: in_stock", 'availability: "50%"\n"giá,VND:": 1')
    _, out = validate(capsys, "--format", "github")
    lines = out.splitlines()
    assert len(lines) == 2
    unknown_value, unknown_key = (GITHUB_LINE.match(line) for line in lines)
    assert unknown_value["title"] == "unknown_value availability"
    assert unknown_value["message"].startswith("giá trị '50%25' không hợp lệ")
    assert "%0A'50%25' is not allowed" in unknown_value["message"]
    assert unknown_key["title"] == "unknown_key giá%2CVND%3A"
    assert out.count("\n") == 2  # one line per annotation: the messages' newlines are escaped


def test_github_output_of_a_valid_catalog_is_empty(repo, capsys):
    assert validate(capsys, "--format", "github") == (0, "")


def test_github_escapes_properties():
    assert cli._escape_property("a:b,c%\nd") == "a%3Ab%2Cc%25%0Ad"
    assert cli._escape_data("50%\r\nx: y, z") == "50%25%0D%0Ax: y, z"


def hostile_issue() -> Issue:
    """An issue whose file name, field and messages carry terminal and log controls."""
    return Issue("products/a\x1b[2J\nfake.yml:1:1: error [id] forged/product.yml", 2, 5,
                 "name.\u202eevil", "error", "invalid",
                 "en \x1b]0;title\x07 text\r\n::error::forged", "vi \x9b31m\u2028tiếng")


def test_text_output_writes_control_characters_out():
    out = cli.format_text([hostile_issue()])
    assert out.splitlines()[:3] == [
        "products/a\\x1b[2J\\nfake.yml:1:1: error [id] forged/product.yml:2:5: lỗi/error "
        "[name.\\u202eevil] invalid",
        "    vi: vi \\x9b31m\\u2028tiếng",
        "    en: en \\x1b]0;title\\x07 text\\r\\n::error::forged",
    ]
    assert len(out.splitlines()) == 5


def test_github_output_writes_control_characters_out_and_escapes_commands():
    out = cli.format_github([hostile_issue()])
    assert out == (
        "::error file=products/a\\x1b[2J\\nfake.yml%3A1%3A1%3A error [id] forged/product.yml,"
        "line=2,col=5,title=invalid name.\\u202eevil::vi \\x9b31m\\u2028tiếng%0A"
        "en \\x1b]0;title\\x07 text\\r\\n::error::forged\n")


# --------------------------------------------------------------------------
# PATH filtering
# --------------------------------------------------------------------------


def test_path_limits_the_report_to_a_product_folder(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    status, out = validate(capsys, "--format", "json", SERVICE_DIR)
    assert status == 0  # the goods error is outside the given folder
    assert [i["file"] for i in json.loads(out)] == [SERVICE_FILE]


def test_path_may_be_a_record_file(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    status, out = validate(capsys, "--format", "json", GOODS_FILE)
    assert status == 1
    assert [i["file"] for i in json.loads(out)] == [GOODS_FILE]


def test_several_paths(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    _, out = validate(capsys, "--format", "json", GOODS_DIR, SERVICE_DIR)
    assert [i["file"] for i in json.loads(out)] == [GOODS_FILE, SERVICE_FILE]


def test_path_of_a_producer_folder_covers_its_products(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    _, out = validate(capsys, "--format", "json", "products/htx-ong-tam-dao")
    assert len(json.loads(out)) == 2


def test_path_of_a_valid_folder_exits_0_even_if_others_have_errors(repo, capsys):
    break_goods(repo)
    assert validate(capsys, SERVICE_DIR) == (
        0, "0 lỗi, 0 cảnh báo trong 0 tệp / 0 error(s), 0 warning(s) in 0 file(s)\n")


def test_absolute_path_from_another_folder(scratch, capsys, monkeypatch, tmp_path):
    break_goods(scratch)
    warn_service(scratch)
    monkeypatch.chdir(tmp_path)
    status, out = validate(capsys, "--format", "json", str(scratch.path(GOODS_DIR)))
    assert status == 1
    assert [i["file"] for i in json.loads(out)] == [GOODS_FILE]


def test_repository_root_as_path_reports_everything(repo, capsys):
    break_goods(repo)
    warn_service(repo)
    _, out = validate(capsys, "--format", "json", ".")
    assert len(json.loads(out)) == 2


# --------------------------------------------------------------------------
# Read only
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_validate_never_changes_a_file(repo, capsys, fmt):
    break_goods(repo)
    warn_service(repo)
    repo.edit(GOODS_DECISION, "    stars: 4\n", "    stars: 4\n    stars: 5\n")
    before = repo.fingerprint()
    assert validate(capsys, "--format", fmt, "--strict")[0] == 1
    assert repo.fingerprint() == before
