"""Records from hostile pull requests: the validator refuses them, clearly, and never crashes.

Producers' YAML records and photos arrive by pull request from strangers. Each
test below starts from the valid scratch catalog (tests/scratch.py), writes one
hostile thing into it and checks what ``ocop validate`` answers. So far:

D. the validator's own output (text, JSON and GitHub annotations): a file name
   or value cannot clear the terminal, colour the log, forge a result line or an
   annotation, or stop the output; and the Markdown rules as docs/records.md
   states them (raw HTML however written, reference definitions at any
   indentation).
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocop_catalog import cli
from ocop_catalog.records.issues import Issue
from scratch import (
    GOODS_FILE,
    PRODUCER,
    SERVICE_FILE,
    TODAY,
    build_catalog,
    image_bytes,
    issue,
)

SECOND_PHOTO = "file: 2.jpg"
DESCRIPTION_LINE = "    Xem [trang của HTX](https://htx-ong.example.com/mat-ong).\n"
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def only(result, code):
    """The one issue with ``code``."""
    found = [i for i in result.issues if i.code == code]
    assert len(found) == 1, [(i.code, i.field, i.message_en) for i in result.issues]
    return found[0]


def codes(scratch, **overrides) -> list[tuple[str, str]]:
    """``(code, field)`` of every issue."""
    return [(i[0], i[5]) for i in scratch.issues(**overrides)]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One scratch catalog for the property tests, which restore what they change."""
    return build_catalog(tmp_path_factory.mktemp("hostile"))


# ==========================================================================
# D. Text is text
# ==========================================================================

# --- what ocop validate prints ------------------------------------------------

ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_folder(scratch, monkeypatch):
    """A product folder whose name clears the terminal and forges a report line."""
    name = "x\x1b[2J\x1b[1;1H\nforged.yml:1:1: error [id] forged\r\u202e"
    folder = f"products/{PRODUCER}/{name}"
    scratch.write(f"{folder}/product.yml", scratch.read(GOODS_FILE).replace(
        "photos:\n", 'photos:\n  - file: "\\e]0;pwned\\a.jpg"\n'))
    scratch.write_bytes(f"{folder}/1.jpg", image_bytes())
    scratch.write_bytes(f"{folder}/2.jpg", image_bytes())
    monkeypatch.chdir(scratch.root)
    return folder


def run(capsys, *args) -> str:
    cli.main(["validate", "--today", TODAY.isoformat(), *args])
    return capsys.readouterr().out


def test_text_output_cannot_clear_the_terminal_or_forge_lines(hostile_folder, capsys):
    out = run(capsys)
    assert not ESCAPES.search(out)
    issues = [line for line in out.splitlines() if not line.startswith("    ") and line]
    assert len(out.splitlines()) == 3 * (len(issues) - 1) + 2  # 3 lines an issue, the total
    assert not any(line.startswith("forged") for line in out.splitlines())
    assert "x\\x1b[2J\\x1b[1;1H\\nforged.yml:1:1: error [id] forged\\r\\u202e" in out
    assert "\\x1b]0;pwned\\x07.jpg" in out


def test_github_output_cannot_forge_annotations(hostile_folder, capsys):
    out = run(capsys, "--format", "github")
    assert not ESCAPES.search(out)
    lines = out.splitlines()
    assert all(line.startswith(("::error file=products/", "::warning file=products/"))
               for line in lines)
    for line in lines:
        properties, _, message = line[2:].partition("::")
        assert "\n" not in line and "\r" not in line
        file = properties.split(" file=", 1)[1].split(",line=")[0]
        assert ":" not in file and "," not in file  # escaped as %3A and %2C
    assert any("\\nforged.yml%3A1%3A1%3A error [id] forged" in line for line in lines)


def test_json_output_survives_a_file_name_that_is_not_utf8(scratch, capsys, monkeypatch):
    folder = os.fsencode(scratch.path(f"products/{PRODUCER}")) + b"/mat-\xff-ong"
    os.makedirs(folder)
    with open(folder + b"/product.yml", "w", encoding="utf-8") as fh:
        fh.write(scratch.read(SERVICE_FILE))
    monkeypatch.chdir(scratch.root)
    for fmt in ("json", "text", "github"):
        out = run(capsys, "--format", fmt)
        assert "mat-\\\\xff-ong" in out or "mat-\\xff-ong" in out
        out.encode("utf-8")


TEXTS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(
    ["\x1b", "\n", "\r", "\x85", "\u2028", "\u202e", "\x00", "%", ":", ","]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(file=TEXTS, field=TEXTS, en=TEXTS, vi=TEXTS)
def test_no_value_can_break_out_of_its_line(file, field, en, vi):
    found = Issue(file or "f", 3, 4, field, "error", "invalid", en, vi)
    text = cli.format_text([found])
    assert not ESCAPES.search(text)
    assert len(text.splitlines()) == 5 and text.endswith("\n")
    github = cli.format_github([found])
    assert not ESCAPES.search(github)
    assert github.count("\n") == 1 and github.startswith("::error file=")
    head, _, message = github.rstrip("\n").partition("::")[2].partition("::")
    assert head.count(",") == 3  # file, line, col, title: their own commas are escaped
    assert message.count("%0A") >= 1


# --- Markdown rules as docs/records.md states them ------------------------------


def markdown_issue(scratch, code, inserted, needle):
    """An issue in the Vietnamese description, where ``needle`` is in ``inserted``."""
    text = scratch.read(GOODS_FILE)
    index = text.index(inserted) + inserted.index(needle)
    line = text.count("\n", 0, index) + 1
    return issue(code, GOODS_FILE, (line, index - text.rfind("\n", 0, index)), "description.vi")


@pytest.mark.parametrize(
    "markdown",
    [
        "<img/src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "Xem <IMG/SRC=x>.",
        "<script/src=https://x.example/a.js></script>",
        '<a"x onmouseover=alert(1)>x</a>',
        "<details\topen ontoggle=alert(1)>",
        "<ab:cd onclick=alert(1)>",
    ],
)
def test_raw_html_with_a_slash_or_other_separator_is_refused(scratch, markdown):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    shown = re.search(r"<[^<>]*>", markdown).group()
    assert scratch.issues() == [markdown_issue(scratch, "markdown_html", markdown, shown)]
    assert only(scratch.validate(), "markdown_html").message_en == (
        f"raw HTML ({shown}) is not allowed in Markdown text; use Markdown formatting")


@pytest.mark.parametrize(
    "definition",
    [
        "    [htx]: javascript:alert(1)",
        "        [htx]: javascript:alert(1)",
        "\t[htx]: javascript:alert(1)",
        "> [htx]: javascript:alert(1)",
        ">    > [htx]: javascript:alert(1)",
        "- [htx]: javascript:alert(1)",
        "1. [htx]: javascript:alert(1)",
        "  [h\\]tx]: javascript:alert(1)",
        "[htx]:\n      javascript:alert(1)",
    ],
)
def test_reference_definitions_are_checked_at_any_indentation(scratch, definition):
    # the literal block keeps everything after its own four spaces
    body = "Xem [trang][htx].\n\n" + definition
    written = "    " + body.replace("\n", "\n    ").replace("\n    \n", "\n\n")
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, written + "\n")
    assert codes(scratch) == [("link_scheme", "description.vi")]
    assert only(scratch.validate(), "link_scheme").message_en.startswith(
        "'javascript:alert(1)' is not allowed")


@pytest.mark.parametrize(
    "markdown",
    [
        "Xem [trang](<https://htx-ong.example.com/mat ong>).",
        "Xem <https://htx-ong.example.com/>.",
        "Tỷ lệ 1<2, và a<b hoặc 3 <= 4.",
        "    [htx]: https://htx-ong.example.com/",
        "> - [htx]: <https://htx-ong.example.com/>",
    ],
)
def test_markdown_that_is_still_fine(scratch, markdown):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, f"    {markdown}\n")
    assert scratch.issues() == []


def test_an_email_link_is_a_mailto_link(scratch):
    scratch.edit(GOODS_FILE, DESCRIPTION_LINE, "    Thư: <htx-ong@example.com>.\n")
    assert codes(scratch) == [("link_scheme", "description.vi")]


@PROPERTY
@given(tag=st.sampled_from(["img", "svg", "script", "iframe", "a", "body", "math", "x"]),
       separator=st.sampled_from(["/", " ", "\t", "\n", "/ ", '"', "'"]),
       rest=st.sampled_from(["src=x onerror=alert(1)", "onload=alert(1)", "", "x"]))
def test_any_tag_is_refused_however_its_name_ends(tag, separator, rest):
    from pathlib import Path

    from ocop_catalog.records.checks import check_markdown
    from ocop_catalog.records.issues import Document

    doc = Document(path=Path("product.yml"), rel="product.yml")
    check_markdown(doc, ("description", "vi"), f"Xem <{tag}{separator}{rest}>.")
    assert [i.code for i in doc.issues] == ["markdown_html"]


@PROPERTY
@given(prefix=st.lists(st.sampled_from([" ", "  ", "\t", "> ", "- ", "* ", "1. ", "2) "]),
                       max_size=6).map("".join),
       scheme=st.sampled_from(["javascript:alert(1)", "data:text/html,x", "ftp://x", "/x",
                               "mailto:a@b.vn", "vbscript:x"]))
def test_any_reference_definition_is_checked(prefix, scheme):
    from pathlib import Path

    from ocop_catalog.records.checks import check_markdown
    from ocop_catalog.records.issues import Document

    doc = Document(path=Path("product.yml"), rel="product.yml")
    check_markdown(doc, ("description", "vi"), f"Xem [a][x].\n\n{prefix}[x]: {scheme}\n")
    assert [i.code for i in doc.issues] == ["link_scheme"]
