from __future__ import annotations

import re
import textwrap
from collections import Counter

import pytest

from ocop_catalog.catalog import taxonomy
from ocop_catalog.catalog.taxonomy import CURRENT_VERSION, browse_set, load_taxonomies

VERSIONS = ["1048/2019", "148/2023", "26/2026"]


def all_sets(version):
    return list(load_taxonomies()[version].sets.values())


def test_versions():
    assert list(load_taxonomies()) == VERSIONS
    assert load_taxonomies() is load_taxonomies()


@pytest.mark.parametrize("version", VERSIONS)
def test_sets_numbered_1_to_26_once(version):
    numbers = Counter(item.number for item in all_sets(version))
    assert sorted(numbers) == list(range(1, 27))
    assert set(numbers.values()) == {1}
    assert list(load_taxonomies()[version].sets) == list(range(1, 27))


@pytest.mark.parametrize("version", VERSIONS)
def test_codes_unique(version):
    codes = [item.code for item in all_sets(version)]
    assert len(set(codes)) == 26


@pytest.mark.parametrize("version", VERSIONS)
def test_only_set_26_is_not_goods(version):
    assert [item.number for item in all_sets(version) if not item.goods] == [26]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_set_knows_its_version(version):
    assert {item.version for item in all_sets(version)} == {version}


def test_shape_of_each_version():
    shapes = {
        version: (len(tax.sectors), len({item.group for item in tax.sets.values()}))
        for version, tax in load_taxonomies().items()
    }
    assert shapes == {"1048/2019": (6, 16), "148/2023": (6, 17), "26/2026": (6, 17)}


@pytest.mark.parametrize("version", ["26/2026", "148/2023"])
def test_current_structure_maps_to_itself(version):
    assert all(item.maps_to == item.number for item in all_sets(version))


def test_1048_maps_to_current_sets_except_the_dropped_one():
    current = load_taxonomies()[CURRENT_VERSION].sets
    unmapped = [item for item in all_sets("1048/2019") if item.maps_to is None]
    assert [item.name["vi"] for item in unmapped] == ["Trang thiết bị, dụng cụ y tế"]
    for item in all_sets("1048/2019"):
        assert item.maps_to is None or item.maps_to in current


def test_browse_set():
    assert browse_set("26/2026", 5).code == "food.processed.fast"
    assert browse_set("148/2023", 20).name["vi"] == "Tinh dầu và dược liệu khác"
    assert browse_set("1048/2019", 9).number == 8  # processed aquatic → set 8
    assert browse_set("1048/2019", 21) is None  # medical devices: dropped
    assert browse_set("26/2026", 27) is None
    with pytest.raises(KeyError):
        browse_set("781/2020", 1)


def test_get():
    tax = load_taxonomies()["26/2026"]
    assert tax.get(1).position == "I.1.a"
    assert tax.get(0) is None


def test_path_in_english():
    item = load_taxonomies()["26/2026"].get(14)
    assert item.path("en") == ["Beverages", "Alcoholic beverages", "White spirits"]


def test_path_names_a_whole_group_set_once():
    item = load_taxonomies()["26/2026"].get(13)
    assert item.path("en") == ["Food", "Coffee and cocoa"]


def test_path_falls_back_to_vietnamese():
    item = load_taxonomies()["148/2023"].get(19)
    assert item.path("fr") == [
        "Dược liệu và sản phẩm từ dược liệu",
        "Mỹ phẩm có thành phần từ thảo dược",
    ]


def test_148_uses_thao_duoc_in_sector_iii():
    sets = load_taxonomies()["148/2023"].sets
    assert all("thảo dược" in sets[n].name["vi"] for n in (19, 20))


# A broken data file is refused with a message naming the file and the set

GOOD_SET = """\
      - number: {number}
        code: c{number}
        position: "I.1"
        name: {{vi: Tên}}
        maps_to: {number}
        goods: true
"""


def write_file(tmp_path, numbers):
    sets = "".join(GOOD_SET.format(number=n) for n in numbers)
    text = textwrap.dedent("""\
        version: "26/2026"
        decision: {vi: Quyết định}
        sectors:
          - id: s
            number: "I"
            name: {vi: Ngành}
            groups:
              - id: g
                number: "I.1"
                name: {vi: Nhóm}
                sets:
        """) + textwrap.indent(sets, "        ")
    (tmp_path / "broken.yml").write_text(text, encoding="utf-8")


@pytest.fixture
def scratch_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(taxonomy, "files", lambda name: tmp_path)
    return tmp_path


def test_scratch_file_loads(scratch_dir):
    write_file(scratch_dir, range(1, 27))
    assert len(taxonomy._load("26/2026", "broken.yml").sets) == 26


@pytest.mark.parametrize(
    "numbers, message",
    [
        ([*range(1, 27), 3], "broken.yml: set 3 (c3): number is used twice"),
        (range(1, 26), "broken.yml: sets [26] are missing"),
        ([*range(1, 27), 27], "broken.yml: set 27 (c27): number must be 1 to 26"),
    ],
)
def test_broken_numbering_is_refused(scratch_dir, numbers, message):
    write_file(scratch_dir, numbers)
    with pytest.raises(ValueError, match=re.escape(message)):
        taxonomy._load("26/2026", "broken.yml")


def test_wrong_version_is_refused(scratch_dir):
    write_file(scratch_dir, range(1, 27))
    with pytest.raises(ValueError, match="version is '26/2026', expected '148/2023'"):
        taxonomy._load("148/2023", "broken.yml")


def test_unknown_key_is_refused(scratch_dir):
    write_file(scratch_dir, range(1, 27))
    path = scratch_dir / "broken.yml"
    path.write_text(path.read_text(encoding="utf-8") + "extra: 1\n", encoding="utf-8")
    message = "broken.yml: extra: Extra inputs are not permitted"
    with pytest.raises(ValueError, match=re.escape(message)):
        taxonomy._load("26/2026", "broken.yml")
