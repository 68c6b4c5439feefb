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
    "text, mark",
    [
        ("a:\n  b: 1\n c: 2\n", Mark(3, 2)),  # bad indentation
        ("a: 1\n b: 2\n", Mark(2, 3)),  # a colon in what continues the value of a
        ("a: 1\nb c\nd: 2\n", Mark(3, 1)),  # no colon after b: found on the next line
        ("a: 1\n\tb: 2\n", Mark(2, 1)),  # tab indentation
        ("a: [1, 2\nb: 3\n", Mark(2, 2)),  # unclosed flow sequence
        ("a: 1\n---\nb: 2\n", Mark(2, 1)),  # two documents
        ("a: x\x07y\n", Mark(1, 5)),  # control character
        # the file ends inside a quote or a bracket: where it opened
        ("a: 1\nb: 'x\nc: 2\n", Mark(2, 4)),
        ("a: 1\nb: [1, 2\n", Mark(2, 4)),
        # otherwise an error at the end is shown on the last line, not one after it
        ("a: {", Mark(1, 5)),
        ("- [", Mark(1, 4)),
        ("a: 1\r{", Mark(2, 1)),  # a lone CR is a line break too
    ],
)
def test_syntax_error_position(text, mark):
    caught = problem(text)
    assert (caught.code, caught.mark) == ("yaml_syntax", mark)
    assert caught.params["detail"]


def test_control_character_is_named():
    assert "U+0007" in problem("a: x\x07y\n").params["detail"]


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
    assert (caught.code, caught.mark, caught.path) == ("yaml_syntax", Mark(1, 9), ("amount",))


def test_deep_nesting_is_a_problem_not_a_crash():
    caught = problem("a: " + "[" * 3000 + "]" * 3000 + "\n")
    assert caught.code == "yaml_syntax"


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
