"""The safe YAML reader: plain data, positions, and what it refuses."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from ocop_catalog.records.loader import read_record
from ocop_catalog.records.models import Product
from ocop_catalog.records import yamlsource
from ocop_catalog.records.yamlsource import Mark, YamlProblem, read_yaml


def read(text: str):
    return read_yaml(textwrap.dedent(text))


def problem(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        read(text)
    return caught.value


# --------------------------------------------------------------------------
# Data and positions
# --------------------------------------------------------------------------

DOC = """\
# a comment
id: mat-ong
certification:
  stars: 4
  decision_date: 2025-06-10
photos:
  - file: 1.jpg
  - {file: 2.jpg, alt: Khung}
tags: [a, "b"]
"""


def test_reads_plain_python_data():
    data, _ = read(DOC)
    assert data == {
        "id": "mat-ong",
        "certification": {"stars": 4, "decision_date": dt.date(2025, 6, 10)},
        "photos": [{"file": "1.jpg"}, {"file": "2.jpg", "alt": "Khung"}],
        "tags": ["a", "b"],
    }


@pytest.mark.parametrize(
    "path, mark",
    [
        (("id",), Mark(2, 5)),
        (("certification",), Mark(4, 3)),  # a block mapping starts at its first key
        (("certification", "stars"), Mark(4, 10)),
        (("certification", "decision_date"), Mark(5, 18)),
        (("photos", 0), Mark(7, 5)),
        (("photos", 0, "file"), Mark(7, 11)),
        (("photos", 1), Mark(8, 5)),
        (("photos", 1, "alt"), Mark(8, 24)),
        (("tags", 1), Mark(9, 11)),
    ],
)
def test_value_positions(path, mark):
    _, where = read(DOC)
    assert where.find(path) == mark


@pytest.mark.parametrize(
    "path, mark",
    [
        (("certification",), Mark(3, 1)),
        (("certification", "stars"), Mark(4, 3)),
        (("photos", 1, "alt"), Mark(8, 19)),
    ],
)
def test_key_positions(path, mark):
    _, where = read(DOC)
    assert where.find(path, key=True) == mark


def test_unwritten_path_falls_back_to_nearest_written_ancestor():
    _, where = read(DOC)
    # a missing key is reported at its parent's key, a missing item at its parent
    assert where.find(("certification", "issuer"), key=True) == Mark(3, 1)
    assert where.find(("certification", "issuer")) == Mark(4, 3)
    assert where.find(("photos", 0, "alt"), key=True) == Mark(7, 5)
    assert where.find(("summary",), key=True) == Mark(2, 1)


def test_keys_are_kept_as_written():
    data, _ = read("yes: 1\n2024: 2\n~: 3\n1.5: 4\n")
    assert list(data) == ["yes", "2024", "~", "1.5"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n", "\n\n"])
def test_empty_document_is_none(text):
    assert read_yaml(text)[0] is None


def test_byte_order_mark_is_read_by_read_record(tmp_path):
    path = tmp_path / "product.yml"
    path.write_bytes(b"\xef\xbb\xbfid: mat-ong\n")
    doc, _ = read_record(path, tmp_path, Product)
    assert doc.data["id"] == "mat-ong"
    assert doc.where.find(("id",)) == Mark(1, 5)


# --------------------------------------------------------------------------
# Syntax
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code, mark",
    [
        ("a:\n  b: 1\n c: 2\n", "yaml_indentation", Mark(3, 2)),  # bad indentation
        # a colon in what continues the value of a
        ("a: 1\n b: 2\n", "yaml_indented_under_value", Mark(2, 3)),
        ("a: 1\nb c\nd: 2\n", "yaml_no_colon", Mark(2, 1)),  # no colon after b: its line
        ("a: 1\n\tb: 2\n", "yaml_tab", Mark(2, 1)),  # tab indentation
        ("a: [1, 2\nb: 3\n", "yaml_unclosed_bracket", Mark(2, 2)),  # unclosed flow sequence
        ("a: 1\n---\nb: 2\n", "yaml_syntax", Mark(2, 1)),  # two documents
        ("a: x\x07y\n", "yaml_character", Mark(1, 5)),  # control character
        # the file ends inside a quote or a bracket: where it opened
        ("a: 1\nb: 'x\nc: 2\n", "yaml_unclosed_quote", Mark(2, 4)),
        ("a: 1\nb: [1, 2\n", "yaml_unclosed_bracket", Mark(2, 4)),
        # otherwise an error at the end is shown on the last line, not one after it
        ("a: {", "yaml_unclosed_bracket", Mark(1, 5)),
        ("- [", "yaml_unclosed_bracket", Mark(1, 4)),
        ("a: 1\r{", "yaml_unclosed_bracket", Mark(2, 1)),  # a lone CR is a line break too
    ],
)
def test_syntax_error_position(text, code, mark):
    caught = problem(text)
    assert (caught.code, caught.mark) == (code, mark)
    assert "detail" not in caught.params  # PyYAML's own words are never passed on


def test_control_character_is_named():
    assert problem("a: x\x07y\n").params["char"] == "U+0007 (BELL)"


@pytest.mark.parametrize(
    "text, mark",
    [
        ("name: Mật ong\nsummary: Đảo\x07\n", Mark(2, 13)),  # libyaml counts bytes: not shown
        ("a: 1\r\nb: x\x1b\n", Mark(2, 5)),
        ("a: 1\x85b\x07\n", Mark(2, 2)),  # NEL is a YAML line break
    ],
)
def test_control_character_position_counts_characters_and_yaml_lines(text, mark):
    assert problem(text).mark == mark


def test_integer_too_long_to_convert_is_a_problem_not_a_crash():
    caught = problem("amount: " + "9" * 5000 + "\n")
    assert (caught.code, caught.mark, caught.path) == (
        "number_unreadable", Mark(1, 9), ("amount",))


def test_deep_nesting_is_a_problem_not_a_crash():
    caught = problem("a: " + "[" * 3000 + "]" * 3000 + "\n")
    assert caught.code == "yaml_too_deep"


# --------------------------------------------------------------------------
# Tags, anchors and aliases
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, tag, mark, path",
    [
        ('stars: !!python/object/apply:os.system ["touch pwned"]\n',
         "!!python/object/apply:os.system", Mark(1, 8), ("stars",)),
        ("stars: !!python/name:os.system\n", "!!python/name:os.system", Mark(1, 8), ("stars",)),
        ("stars: !stars 4\n", "!stars", Mark(1, 8), ("stars",)),
        ("logo: !!binary aGVsbG8=\n", "!!binary", Mark(1, 7), ("logo",)),
        ("tags: !!set {a, b}\n", "!!set", Mark(1, 7), ("tags",)),
        ("tags: !!omap [a: 1]\n", "!!omap", Mark(1, 7), ("tags",)),
        ("origin: !place {commune: x}\n", "!place", Mark(1, 9), ("origin",)),
        ("? !key a\n: 1\n", "!key", Mark(1, 3), ()),
        ("!root {a: 1}\n", "!root", Mark(1, 1), ()),
    ],
)
def test_tags_are_refused(text, tag, mark, path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    caught = problem(text)
    assert (caught.code, caught.params["tag"], caught.mark, caught.path) == (
        "yaml_tag", tag, mark, path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("text", ["n: !!int 4\n", "s: !!str 4\n", "m: !!map {a: 1}\n",
                                  "l: !!seq [1]\n", "d: !!timestamp 2025-01-01\n"])
def test_explicit_core_tags_are_accepted(text):
    read(text)


@pytest.mark.parametrize(
    "text, mark, path",
    [
        # an alias is reported at its anchor, with the anchored field
        ("a: 1\nb: &x 4\nc: *x\n", Mark(2, 4), ("b",)),
        ("a: &x [1]\nb: [*x, *x]\n", Mark(1, 4), ("a",)),
        ("a:\n  b: &x {c: 1}\nd: [1, *x]\n", Mark(2, 6), ("a", "b")),
        # an anchor nobody uses, and an alias used as a key
        ("a: 1\nb: &x 4\n", Mark(2, 4), ("b",)),
        ("a: &k name\n*k : 1\n", Mark(1, 4), ("a",)),
        # merge keys, with or without an alias
        ("origin:\n  <<: {commune: x}\n", Mark(2, 3), ("origin",)),
    ],
)
def test_anchors_aliases_and_merge_keys_are_refused(text, mark, path):
    caught = problem(text)
    assert (caught.code, caught.mark, caught.path) == ("yaml_alias", mark, path)


def test_billion_laughs_is_refused_before_it_expands():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    caught = problem("\n".join(lines) + "\n")
    assert (caught.code, caught.mark, caught.path) == ("yaml_alias", Mark(1, 5), ("a0",))


def test_ampersand_in_text_is_not_an_anchor():
    data, _ = read("name: Bánh & kẹo\nsummary: '&x'\n")
    assert data == {"name": "Bánh & kẹo", "summary": "&x"}


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


def test_duplicate_key_is_reported_at_the_second_occurrence():
    caught = problem("id: a\ncertification:\n  stars: 4\n  score: 78\n  stars: 5\n")
    assert (caught.code, caught.mark, caught.path) == (
        "yaml_duplicate_key", Mark(5, 3), ("certification", "stars"))
    assert caught.params == {"name": "stars", "first_line": 3}


def test_duplicate_key_in_flow_mapping():
    caught = problem("name: {vi: a, en: b, vi: c}\n")
    assert (caught.code, caught.mark, caught.params["name"]) == (
        "yaml_duplicate_key", Mark(1, 22), "vi")


def test_same_key_in_different_mappings_is_fine():
    data, _ = read("a: {x: 1}\nb: {x: 2}\n")
    assert data == {"a": {"x": 1}, "b": {"x": 2}}


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 1\n", "[a]: 1\n"])
def test_keys_must_be_plain_names(text):
    caught = problem(text)
    assert (caught.code, caught.mark.line) == ("yaml_key_type", 1)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2023-02-30", "2025-13-01", "0000-01-01",
                                   "2025-07-01 25:00:00"])
def test_impossible_unquoted_date_is_refused(value):
    caught = problem(f"listed: {value}\n")
    assert (caught.code, caught.mark, caught.path, caught.params) == (
        "date_impossible", Mark(1, 9), ("listed",), {"value": value})


def test_quoted_impossible_date_stays_text_for_the_model_to_refuse():
    data, _ = read('listed: "2023-02-30"\n')
    assert data == {"listed": "2023-02-30"}


# --------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------


def test_reading_keeps_no_nodes_alive():
    # the shared SafeConstructor caches every node it builds unless it is cleared
    for _ in range(3):
        read(DOC)
    with pytest.raises(YamlProblem):
        read("a: 2023-02-30\n")
    assert yamlsource._constructor.constructed_objects == {}


# --------------------------------------------------------------------------
# Nesting depth
# --------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [yamlsource.MAX_DEPTH + 1, 300, 900])
def test_nesting_deeper_than_the_limit_is_refused_where_it_goes_too_deep(levels):
    # a few hundred levels once ended in RecursionError
    caught = problem("a: " + "[" * levels + "]" * levels + "\n")
    depth = yamlsource.MAX_DEPTH
    assert (caught.code, caught.params) == ("yaml_too_deep", {"max": depth})
    assert caught.path == ("a",) + (0,) * (depth - 1)
    assert caught.mark == Mark(1, 4 + depth - 1)


def test_nesting_at_the_limit_is_read():
    depth = yamlsource.MAX_DEPTH
    data, _ = read("a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n")
    assert data["a"] is not None


# --------------------------------------------------------------------------
# Numbers: YAML 1.1 forms stay text
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, form, reading, suggestion",
    [
        ("1:30", "base60", "90", "90"),
        ("190:20:30", "base60", "685230", "685230"),
        ("1:30.5", "base60", "90.5", "90.5"),
        ("0750000", "octal", "249856", "750000"),
        ("-0755", "octal", "-493", "-755"),
        ("00", "octal", "0", "0"),
        ("0x1F", "hexadecimal", "31", "31"),
        ("0b101", "binary", "5", "5"),
        ("250_000", "underscores", "250000", "250000"),
        ("1_000.5", "underscores", "1000.5", "1000.5"),
    ],
)
def test_yaml_11_number_forms_stay_text_and_are_remembered(written, form, reading, suggestion):
    data, where = read(f"amount: {written}\n")
    assert data == {"amount": written}
    assert where.number_forms[("amount",)] == yamlsource.NumberForm(form, reading, suggestion)
    assert where.written[("amount",)] == written


@pytest.mark.parametrize(
    "written, value",
    [("250000", 250000), ("+5", 5), ("-0", 0), ("0", 0), ("78.5", 78.5), ("1.", 1.0),
     (".5", 0.5), ("00.5", 0.5), ("1.0e+3", 1000.0)],
)
def test_plain_decimal_numbers_are_numbers(written, value):
    data, where = read(f"n: {written}\n")
    assert data == {"n": value} and type(data["n"]) is type(value)
    assert where.number_forms == {} and where.written[("n",)] == written


@pytest.mark.parametrize("written", [".inf", "-.inf", ".NaN"])
def test_infinity_and_nan_stay_numbers_for_the_models_to_refuse(written):
    data, where = read(f"n: {written}\n")
    assert isinstance(data["n"], float) and where.written[("n",)] == written


@pytest.mark.parametrize("written", ["yes", "Off", "TRUE"])
def test_yes_no_is_remembered_as_written(written):
    data, where = read(f"n: {written}\n")
    assert isinstance(data["n"], bool) and where.written[("n",)] == written


@pytest.mark.parametrize("written", ["08911", "1e5", "0o17", "1.2.3", "250.000.000"])
def test_text_that_yaml_11_does_not_take_for_a_number_is_text(written):
    data, where = read(f"n: {written}\n")
    assert data == {"n": written} and where.number_forms == {}


@pytest.mark.parametrize(
    "written", ["0x" + "f" * 5000, "0" + "7" * 6000, "0b" + "1" * 20000, "9" * 5000 + ":30",
                "1" + "_0" * 5000],
    ids=["hexadecimal", "octal", "binary", "base60", "underscores"])
def test_huge_number_forms_are_a_problem_or_text_never_a_crash(written):
    try:
        data, where = read(f"a: {written}\n")
    except YamlProblem as caught:
        assert (caught.code, caught.path) == ("number_unreadable", ("a",))
    else:
        assert data == {"a": written} and ("a",) in where.number_forms
    assert yamlsource._constructor.recursive_objects == {}
